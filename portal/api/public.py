"""Public data every process serves from memory: cached public responses and the working-day calendar.

A query is answered from the cache when what it selects is the same for everyone who may send it. Anonymous: any
query of public root fields (no one is signed in, so nothing can differ). Signed in: a query of public root fields
whose every field, all the way down, reads nothing of the viewer (``reads_no_viewer``): a plain attribute, or a
resolver declared with ``public_field`` (one that never asks for the principal). An unmarked resolver counts as
reading the viewer, so a new field is personal until someone says otherwise. Each cached answer keeps that
verdict, so a hit costs a dictionary lookup whoever sends it, and a query that reads the viewer is never answered
from the cache to a signed-in person (its key would mix viewers).

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
from hashlib import blake2b
from typing import Any

import strawberry
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    parse,
)

from portal import versions
from portal.calendar_store import load_calendar
from portal.workdays import WorkCalendar

# Root fields whose answers are the same for every anonymous caller and change only with public data.
PUBLIC_ROOT_FIELDS = frozenset(
    {"departments", "bundles", "bundle", "serviceItems", "serviceItem", "slaPlan", "addWorkingDays", "__typename"}
)


PUBLIC = "portal.public"  # the metadata key of a resolver that never reads the viewer


def public_field(resolver: Any = None, **options: Any) -> Any:
    """``strawberry.field`` for a resolver whose answer is the same for every viewer (it never asks for the
    principal, the terminal or anything else of the request): a signed-in query through it may be answered
    from the public cache. Used as ``@public_field`` or ``@public_field(description=...)``."""
    options["metadata"] = {**(options.get("metadata") or {}), PUBLIC: True}
    return strawberry.field(resolver, **options) if resolver is not None else strawberry.field(**options)


GZIP_MINIMUM = 500  # as the GZip middleware: smaller bodies are sent plain


@dataclass(frozen=True)
class CachedResponse:
    body: bytes
    gzipped: bytes | None  # compressed once when stored, so a hit costs no compression
    viewer_free: bool = False  # reads nothing of the viewer: may be served to a signed-in person too
    etag: bytes = b""
    # The response headers, built once: plain, and gzipped (None when the body is too small to compress).
    plain_headers: tuple[tuple[bytes, bytes], ...] = ()
    gzip_headers: tuple[tuple[bytes, bytes], ...] | None = None

    @classmethod
    def of(cls, body: bytes, *, viewer_free: bool = False, media_type: bytes = b"application/json") -> CachedResponse:
        gzipped = gzip.compress(body, 6) if len(body) >= GZIP_MINIMUM else None
        etag = b'"' + blake2b(media_type + body, digest_size=12).hexdigest().encode() + b'"'
        common = ((b"content-type", media_type), (b"etag", etag))
        if gzipped is None:
            return cls(body, None, viewer_free, etag,
                       (*common, (b"vary", b"Accept"), (b"content-length", str(len(body)).encode())))
        vary = (b"vary", b"Accept, Accept-Encoding")
        return cls(body, gzipped, viewer_free, etag,
                   (*common, vary, (b"content-length", str(len(body)).encode())),
                   (*common, vary, (b"content-encoding", b"gzip"), (b"content-length", str(len(gzipped)).encode())))

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

    def put(self, key: bytes, body: bytes, *, viewer_free: bool = False, media_type: bytes = b"application/json"
            ) -> None:
        if len(body) > self.max_bytes // 8 or self.max_entries <= 0:
            return
        entry = CachedResponse.of(body, viewer_free=viewer_free, media_type=media_type)
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


def _operation(document: DocumentNode, operation_name: str | None) -> OperationDefinitionNode | None:
    """The one query the request runs; None for anything else (a mutation, an ambiguous or missing name)."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    if len(operations) != 1 or operations[0].operation is not OperationType.QUERY:
        return None
    return operations[0]


def is_public_query(query: str, operation_name: str | None) -> bool:
    """True when the operation is a query that selects only public root fields (no fragments at the root)."""
    document = _document(query)
    operation = _operation(document, operation_name) if document is not None else None
    if operation is None:
        return False
    selections = operation.selection_set.selections
    return all(getattr(s, "name", None) is not None and s.name.value in PUBLIC_ROOT_FIELDS for s in selections)


def reads_no_viewer(schema: GraphQLSchema, query: str, operation_name: str | None) -> bool:
    """True when the operation selects public root fields only and, below them, only plain attributes and
    ``public_field`` resolvers (fragments expanded): its answer is the same whoever asks."""
    document = _document(query)
    operation = _operation(document, operation_name) if document is not None else None
    if operation is None or not is_public_query(query, operation_name):
        return False
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    root = schema.query_type
    return root is not None and all(
        _viewer_free(schema, fragments, field.selection_set, _field_type(root, field.name.value), set())
        for field in operation.selection_set.selections if isinstance(field, FieldNode) and field.selection_set)


def _field_type(parent: Any, name: str) -> Any:
    definition = parent.fields.get(name) if isinstance(parent, (GraphQLObjectType, GraphQLInterfaceType)) else None
    return get_named_type(definition.type) if definition is not None else None


def _viewer_free(schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode], node: SelectionSetNode,
                 parent: Any, seen: set[str]) -> bool:
    if not isinstance(parent, (GraphQLObjectType, GraphQLInterfaceType)):
        return False  # a union or an unknown type: not worth telling apart, so not public
    for selection in node.selections:
        if isinstance(selection, FieldNode):
            name = selection.name.value
            if name.startswith("__"):
                continue
            definition = parent.fields.get(name)
            if definition is None:
                return False
            field = (definition.extensions or {}).get("strawberry-definition")
            resolver = getattr(field, "base_resolver", None)
            if resolver is not None and not (getattr(field, "metadata", None) or {}).get(PUBLIC):
                return False
            if selection.selection_set is not None and not _viewer_free(
                    schema, fragments, selection.selection_set, get_named_type(definition.type), seen):
                return False
        elif isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition
            target = schema.get_type(condition.name.value) if condition else parent
            if not _viewer_free(schema, fragments, selection.selection_set, target, seen):
                return False
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            definition = fragments.get(name)
            if definition is None or name in seen:
                return False
            target = schema.get_type(definition.type_condition.name.value)
            if not _viewer_free(schema, fragments, definition.selection_set, target, seen | {name}):
                return False
    return True


class PublicData:
    """This process's view of the public data: versions, calendar, cached responses."""

    def __init__(self, check_seconds: float) -> None:
        self.check_seconds = check_seconds
        self.cache = ResponseCache()
        self.offers: dict[str, Any] = {}  # bundles as submissions need them, by code (catalog.rules.BundleOnOffer)
        self.derived: dict[object, Any] = {}  # built from public data by its owner (catalog.api.CatalogView)
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
                self.derived.clear()
                self.version = current
