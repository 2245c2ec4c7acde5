"""Rate limits on guessable operations, counted in the database so that every server process shares them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from portal.identity.models import RateCounter
from portal.problems import RateLimitedError


@dataclass(frozen=True)
class Limit:
    name: str
    max_failures: int
    window: timedelta
    block: timedelta


LOGIN_PER_ACCOUNT = Limit("login-account", 5, timedelta(minutes=15), timedelta(minutes=15))
LOGIN_PER_ADDRESS = Limit("login-address", 30, timedelta(minutes=15), timedelta(minutes=15))
REGISTER_PER_ADDRESS = Limit("register-address", 10, timedelta(hours=1), timedelta(hours=1))
# Looking up another citizen by ID number (agents, 代办) tells whether the number is registered.
LOOKUP_PER_ACCOUNT = Limit("lookup-account", 30, timedelta(hours=1), timedelta(hours=1))
PASSWORD_CHANGE_PER_ACCOUNT = Limit("password-account", 5, timedelta(minutes=15), timedelta(minutes=15))
# Every upload attempt counts (accepted or refused): storage and audit are not free.
UPLOADS_PER_ACCOUNT = Limit("uploads-account", 100, timedelta(hours=1), timedelta(hours=1))
# Queue tickets (取号), counted per hall; see halls.rules.take_ticket for the choice.
TICKETS_PER_PERSON = Limit("tickets-account", 5, timedelta(days=1), timedelta(days=1))
TICKETS_PER_ADDRESS = Limit("tickets-address", 200, timedelta(hours=1), timedelta(hours=1))
# 鲁通码 sign-in at a kiosk: refused codes (forged, expired, replayed, another scene) per kiosk address.
LUTONG_SIGN_IN_PER_ADDRESS = Limit("lutong-signin-address", 30, timedelta(minutes=15), timedelta(minutes=15))


def _key(limit: Limit, key: str) -> str:
    return f"{limit.name}:{key}"[:200]


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _wait(counter: RateCounter | None, now: datetime) -> int | None:
    if counter is None or counter.blocked_until is None or counter.blocked_until <= now:
        return None
    return max(1, math.ceil((counter.blocked_until - now).total_seconds()))


async def retry_after(limit: Limit, key: str) -> int | None:
    """Seconds until ``key`` may try again, or None when it may try now (checked before the password)."""
    return _wait(await RateCounter.get_or_none(key=_key(limit, key)), _now())


async def ensure_allowed(limit: Limit, key: str) -> None:
    """Refuse (``RateLimitedError``) while ``key`` is blocked."""
    wait = await retry_after(limit, key)
    if wait is not None:
        raise RateLimitedError(wait)


async def count_attempt(limit: Limit, key: str) -> None:
    """One more counted attempt (a failed sign-in); reaching the limit within the window blocks the key for
    ``limit.block``."""
    await _count(limit, key, refuse_while_blocked=False)


async def spend(limit: Limit, key: str) -> None:
    """An attempt that always counts (a registration, a ticket): refused (``RateLimitedError``) while ``key`` is
    blocked, otherwise counted. Checked and counted under one lock, so that attempts sent at once cannot all
    pass the check before any of them is counted."""
    await _count(limit, key, refuse_while_blocked=True)


async def _count(limit: Limit, key: str, *, refuse_while_blocked: bool) -> None:
    for attempt in (1, 2):
        try:
            async with in_transaction():
                now = _now()
                counter = await RateCounter.filter(key=_key(limit, key)).select_for_update().first()
                if refuse_while_blocked and (wait := _wait(counter, now)) is not None:
                    raise RateLimitedError(wait)
                fresh = counter is None
                if counter is None:
                    counter = RateCounter(key=_key(limit, key), failures=0, window_started_at=now)
                elif counter.window_started_at + limit.window <= now:
                    counter.failures, counter.window_started_at, counter.blocked_until = 0, now, None
                counter.failures += 1
                if counter.failures >= limit.max_failures:
                    counter.blocked_until = now + limit.block
                    counter.failures, counter.window_started_at = 0, now
                await counter.save(force_create=fresh)
            return
        except IntegrityError:
            if attempt == 2:
                raise
            # The first attempts of a key, at once: one created the row; count again on it.


async def clear(limit: Limit, key: str) -> None:
    """Forget the failures of ``key`` (after a successful sign-in)."""
    await RateCounter.filter(key=_key(limit, key)).delete()
