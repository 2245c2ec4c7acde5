"""Open streams that rely on a delegation end when it is revoked, on every server.

An enterprise's agent (经办人) follows the enterprise's appeals, a family member (代办) the applications of the
bundle they were authorised for. When either party ends the delegation, ``identity.rules`` publishes the
account that lost it on ``GRANT_REVOKED`` through the broker, so every server hears it; each open stream of
that account asks its permission again and ends if it is gone. A stream asks once more when it starts
listening (a revocation committed just before is not heard), and every ``RECHECK_SECONDS`` in case its
server missed a message (a broken broker connection).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import TypeVar

from portal import events
from portal.problems import Code, Forbidden

GRANT_REVOKED = "grant.revoked"
RECHECK_SECONDS = 60.0
T = TypeVar("T")


async def announce(account_id: int) -> None:
    """After the commit: ``account_id`` lost a delegation."""
    await events.broker().publish(GRANT_REVOKED, {"accounts": [account_id]})


def _revoked() -> Forbidden:
    return Forbidden(Code.NOT_AUTHORISED, "授权已撤销，不再推送此项的进展")


async def while_permitted(stream: AsyncGenerator[T, None], account_id: int,
                          permitted: Callable[[], Awaitable[bool]]) -> AsyncGenerator[T, None]:
    """The items of ``stream`` for as long as ``permitted()``; it is asked again when a revocation names
    ``account_id`` and every ``RECHECK_SECONDS``. Refused NOT_AUTHORISED when it says no; ``stream`` is closed
    whenever this ends."""
    async with events.broker().subscribe(GRANT_REVOKED) as revocations:
        upcoming: asyncio.Future[T] | None = None
        try:
            if not await permitted():
                raise _revoked()
            upcoming = asyncio.ensure_future(anext(stream))
            while True:
                heard = asyncio.ensure_future(revocations.get())
                done, _ = await asyncio.wait((upcoming, heard), timeout=RECHECK_SECONDS,
                                             return_when=asyncio.FIRST_COMPLETED)
                heard.cancel()  # a message it had not taken yet stays in the queue
                concerned = not done or (heard in done and account_id in heard.result().get("accounts", ()))
                if concerned and not await permitted():
                    raise _revoked()
                if upcoming in done:
                    try:
                        item = upcoming.result()
                    except StopAsyncIteration:
                        return
                    yield item
                    upcoming = asyncio.ensure_future(anext(stream))
        finally:
            if upcoming is not None:
                upcoming.cancel()
                await asyncio.gather(upcoming, return_exceptions=True)
            await stream.aclose()
