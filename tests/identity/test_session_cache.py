"""The short-lived memory of signed-in sessions: one lookup per burst, revocations at once, expiry on use."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from typing import Any

from portal import events
from portal.identity.models import AccountKind
from portal.identity.principal import Principal
from portal.identity.sessions import SESSION_REVOKED, PrincipalCache, SessionEnds, watch_revocations

ME = "query { me { account { id } } }"
LOGOUT = "mutation { logout { __typename } }"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def principal(session_id: int = 7, expires_in: timedelta = timedelta(hours=1)) -> Principal:
    return Principal(account_id=1, kind=AccountKind.CITIZEN, name="孙悟空", role=None, department_code=None,
                     region_code=None, session_id=session_id, expires_at=datetime.now(timezone.utc) + expires_in)


class Lookups:
    def __init__(self, result: Principal | None) -> None:
        self.result = result
        self.count = 0

    async def __call__(self) -> Principal | None:
        self.count += 1
        return self.result


async def test_a_burst_of_requests_costs_one_lookup_until_the_ttl_passes() -> None:
    clock, lookups = Clock(), Lookups(principal())
    cache = PrincipalCache(ttl=5, clock=clock)
    for _ in range(3):
        assert await cache.principal("digest", lookups) == lookups.result
    assert lookups.count == 1
    clock.now += 5
    await cache.principal("digest", lookups)
    assert lookups.count == 2


async def test_unknown_tokens_are_not_remembered() -> None:
    lookups = Lookups(None)
    cache = PrincipalCache(clock=Clock())
    assert await cache.principal("digest", lookups) is None
    assert await cache.principal("digest", lookups) is None
    assert lookups.count == 2


async def test_an_expired_session_is_looked_up_again() -> None:
    lookups = Lookups(principal(expires_in=timedelta(seconds=-1)))
    cache = PrincipalCache(clock=Clock())
    await cache.principal("digest", lookups)
    await cache.principal("digest", lookups)
    assert lookups.count == 2


async def test_a_revoked_session_is_dropped_and_not_remembered_again_within_the_ttl() -> None:
    clock, lookups = Clock(), Lookups(principal(session_id=7))
    cache = PrincipalCache(ttl=5, clock=clock)
    await cache.principal("digest", lookups)
    cache.forget_sessions([7])
    # A lookup that read the row before the revocation committed still says "signed in": not kept.
    await cache.principal("digest", lookups)
    await cache.principal("digest", lookups)
    assert lookups.count == 3
    clock.now += 6
    cache.forget_sessions([99])  # prunes revocations older than the ttl
    await cache.principal("digest", lookups)
    await cache.principal("digest", lookups)
    assert lookups.count == 4


async def test_revocations_published_by_another_server_drop_the_session() -> None:
    lookups = Lookups(principal(session_id=11))
    cache, ends, ended = PrincipalCache(clock=Clock()), SessionEnds(), []
    later = datetime.now(timezone.utc) + timedelta(hours=1)
    async with events.running_hub(None):
        watcher = asyncio.create_task(watch_revocations(cache, ends))
        await asyncio.sleep(0)
        await cache.principal("digest", lookups)
        ends.watch(11, later, lambda: ended.append("first connection"))
        ends.watch(11, later, lambda: ended.append("second connection"))
        stop_other = ends.watch(12, later, lambda: ended.append("another session"))
        await events.broker().publish(SESSION_REVOKED, {"sessions": [11]})
        for _ in range(10):
            await asyncio.sleep(0)
        watcher.cancel()
    await cache.principal("digest", lookups)
    assert lookups.count == 2
    assert sorted(ended) == ["first connection", "second connection"]
    stop_other()
    assert len(ends) == 0


async def test_a_connection_ends_when_its_session_expires_unless_it_stopped_watching() -> None:
    ends, ended = SessionEnds(), []
    soon = datetime.now(timezone.utc) + timedelta(seconds=0.05)
    ends.watch(21, soon, lambda: ended.append("kept"))
    stop = ends.watch(22, soon, lambda: ended.append("closed before"))
    stop()
    await asyncio.sleep(0.2)
    assert ended == ["kept"]


async def test_a_signed_out_token_is_refused_at_once(gql: Any) -> None:
    from tests.helpers import registered_citizen

    signed = await registered_citizen()
    assert (await gql(ME, token=signed.token))["data"]["me"]["account"]["id"] == str(signed.account.id)
    assert (await gql(LOGOUT, token=signed.token))["data"]["logout"]["__typename"] == "LogoutSuccess"
    assert (await gql(ME, token=signed.token))["data"]["me"] is None
