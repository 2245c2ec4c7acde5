"""Public data every process serves from memory: cached public responses and the working-day calendar.

Both depend on data any process may change (``portal seed``, ``portal calendar import``); each change
bumps a counter in ``public_version``. A server re-reads the counters at most once per
``public_version_check_seconds`` and, when they moved, drops the cached responses and reloads the calendar.
"""

from __future__ import annotations

import asyncio
import gzip
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import DocumentNode, GraphQLError, OperationDefinitionNode, OperationType, parse

from portal import versions
from portal.calendar_store import load_calendar
from portal.workdays import WorkCalendar

# Root fields whose answers are the same for every anonymous caller and change only with public data.
PUBLIC_ROOT_FIELDS = frozenset(
    {"departments", "bundles", "bundle", "serviceItems", "serviceItem", "slaPlan", "addWorkingDays", "__typename"}
)


GZIP_MINIMUM = 500  # as the GZip middleware: smaller bodies are sent plain


@dataclass(frozen=True)
class CachedResponse:
    body: bytes
    gzipped: bytes | None  # compressed once when stored, so a hit costs no compression

    @classmethod
    def of(cls, body: bytes) -> CachedResponse:
        return cls(body, gzip.compress(body, 6) if len(body) >= GZIP_MINIMUM else None)

    def __len__(self) -> int:
        return len(self.body) + len(self.gzipped or b"")


class ResponseCache:
    """A bounded LRU of encoded responses to anonymous public queries, keyed by the raw request."""

    def __init__(self, max_entries: int = 1024, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[bytes, CachedResponse] = OrderedDict()
        self._size = 0

    def get(self, key: bytes) -> CachedResponse | None:
        body = self._entries.get(key)
        if body is not None:
            self._entries.move_to_end(key)
        return body

    def put(self, key: bytes, body: bytes) -> None:
        if len(body) > self.max_bytes // 8:
            return
        entry = CachedResponse.of(body)
        old = self._entries.pop(key, None)
        if old is not None:
            self._size -= len(old)
        self._entries[key] = entry
        self._size += len(entry)
        while len(self._entries) > self.max_entries or self._size > self.max_bytes:
            _, dropped = self._entries.popitem(last=False)
            self._size -= len(dropped)

    def clear(self) -> None:
        self._entries.clear()
        self._size = 0

    def __len__(self) -> int:
        return len(self._entries)


@lru_cache(maxsize=256)
def _document(query: str) -> DocumentNode | None:
    try:
        return parse(query)
    except GraphQLError:
        return None


def is_public_query(query: str, operation_name: str | None) -> bool:
    """True when the operation is a query that selects only public root fields (no fragments at the root)."""
    document = _document(query)
    if document is None:
        return False
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    if len(operations) != 1 or operations[0].operation is not OperationType.QUERY:
        return False
    selections = operations[0].selection_set.selections
    return all(getattr(s, "name", None) is not None and s.name.value in PUBLIC_ROOT_FIELDS for s in selections)


class PublicData:
    """This process's view of the public data: versions, calendar, cached responses."""

    def __init__(self, check_seconds: float) -> None:
        self.check_seconds = check_seconds
        self.cache = ResponseCache()
        self.offers: dict[str, Any] = {}  # bundles as submissions need them, by code (catalog.rules.BundleOnOffer)
        self.calendar = WorkCalendar()
        self.version: tuple[tuple[str, int], ...] | None = None
        self._checked_at = float("-inf")
        self._lock = asyncio.Lock()

    async def refresh(self, *, force: bool = False) -> None:
        """Re-read the versions if due; on a change reload the calendar and drop cached responses."""
        now = time.monotonic()
        if not force and now - self._checked_at < self.check_seconds:
            return
        if self._lock.locked() and not force:
            return  # another request is refreshing; serve what we have meanwhile
        async with self._lock:
            self._checked_at = time.monotonic()
            current = await versions.current()
            if current != self.version:
                self.calendar = await load_calendar()
                self.cache.clear()
                self.offers.clear()
                self.version = current
