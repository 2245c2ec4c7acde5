"""Signed-in principals remembered for a few seconds, so that a burst of requests costs one session lookup.

A revocation (logout, password change) takes effect at once: ``identity.rules`` drops the sessions here
and publishes them on ``SESSION_REVOKED``, and every server's ``watch_revocations`` drops them from its
own cache. A session revoked within the last ``TTL_SECONDS`` is never remembered, so neither a lookup
that was under way nor one that read the row before the revocation committed can bring it back. Expiry
is checked on every use. If a server misses a revocation message (its broker connection broke), it forgets the
session after ``TTL_SECONDS`` at the latest.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime, timezone

from portal import events
from portal.identity.principal import Principal
from portal.scoped import AppScoped

SESSION_REVOKED = "session.revoked"
TTL_SECONDS = 5.0
MAX_ENTRIES = 50_000


class PrincipalCache:
    """Principals by session token digest, each kept ``ttl`` seconds from its lookup."""

    def __init__(self, ttl: float = TTL_SECONDS, max_entries: int = MAX_ENTRIES,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self.clock = clock
        self._entries: dict[str, tuple[float, Principal]] = {}
        self._revoked: dict[int, float] = {}  # session id -> when its revocation was heard

    async def principal(self, digest: str, look_up: Callable[[], Awaitable[Principal | None]]) -> Principal | None:
        """The principal of a token digest: remembered, or looked up and remembered."""
        now = self.clock()
        entry = self._entries.get(digest)
        if entry is not None:
            looked_up_at, principal = entry
            if now - looked_up_at < self.ttl and principal.expires_at > datetime.now(timezone.utc):
                return principal
            del self._entries[digest]
        principal = await look_up()
        # A session revoked lately is not remembered: its lookup may have read the row before the
        # revoking transaction committed.
        if principal is not None and principal.session_id not in self._revoked:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[digest] = (now, principal)
        return principal

    def forget_sessions(self, session_ids: Iterable[int]) -> None:
        """Drop revoked sessions and remember them for one ttl, so that no lookup brings them back."""
        now = self.clock()
        ids = set(session_ids)
        for session_id in ids:
            self._revoked[session_id] = now
        for digest, (_, principal) in list(self._entries.items()):
            if principal.session_id in ids:
                del self._entries[digest]
        for session_id, heard in list(self._revoked.items()):
            if now - heard > self.ttl:
                del self._revoked[session_id]


PRINCIPALS: AppScoped[PrincipalCache] = AppScoped("portal_principals", PrincipalCache)


def principals() -> PrincipalCache:
    """The running app's cache (``portal.scoped``); outside any app, the process's own."""
    return PRINCIPALS.get()


class SessionEnds:
    """What to do when a session ends, for the connections signed in with it (a WebSocket closes itself): heard
    once per process by ``watch_revocations``, and one timer per connection for its expiry, so that ten thousand
    open connections cost neither a task nor a broker subscription each."""

    def __init__(self) -> None:
        self._ends: dict[int, set[Callable[[], None]]] = {}

    def watch(self, session_id: int, expires_at: datetime, end: Callable[[], None]) -> Callable[[], None]:
        """Call ``end`` when the session is revoked or expires; returns what stops watching."""
        left = (expires_at - datetime.now(timezone.utc)).total_seconds()
        timer = asyncio.get_running_loop().call_later(max(left, 0), end)
        self._ends.setdefault(session_id, set()).add(end)

        def stop() -> None:
            timer.cancel()
            ends = self._ends.get(session_id)
            if ends is not None:
                ends.discard(end)
                if not ends:
                    del self._ends[session_id]
        return stop

    def revoked(self, session_ids: Iterable[int]) -> None:
        for session_id in session_ids:
            for end in self._ends.pop(session_id, ()):
                end()

    def __len__(self) -> int:
        return sum(len(ends) for ends in self._ends.values())


SESSION_ENDS: AppScoped[SessionEnds] = AppScoped("portal_session_ends", SessionEnds)


def session_ends() -> SessionEnds:
    """The running app's registry (``portal.scoped``); outside any app, the process's own."""
    return SESSION_ENDS.get()


async def watch_revocations(cache: PrincipalCache, ends: SessionEnds) -> None:
    """Drop the sessions other servers revoke, and end their connections here (runs for the life of the app)."""
    async with events.broker().subscribe(SESSION_REVOKED) as revocations:
        while True:
            message = await revocations.get()
            revoked = message.get("sessions", ())
            cache.forget_sessions(revoked)
            ends.revoked(revoked)
