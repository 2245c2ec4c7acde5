"""The outbox: a change committed is never undone or failed by the broker. When the broker cannot take its events
(Redis down), the request still succeeds and the publisher loop publishes them later."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from portal import events
from portal.applications.models import Application
from tests.applications.support import submit_newborn
from tests.identity.test_accounts import register


class DownBroker(events.LocalBroker):
    """A broker whose every publish fails, as Redis does when it is down; it heals on ``heal()``."""

    def __init__(self) -> None:
        super().__init__()
        self.down = True
        self.published: list[dict[str, Any]] = []

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        if self.down:
            raise ConnectionError("broker unreachable")
        self.published.append(message)
        await super().publish(channel, message)


@asynccontextmanager
async def installed(broker: events.LocalBroker) -> AsyncIterator[None]:
    previous, events._broker = events._broker, broker
    try:
        yield
    finally:
        events._broker = previous


async def test_a_submission_commits_and_answers_while_the_broker_is_down(gql: Any, client: httpx.AsyncClient) -> None:
    citizen = await register(gql)
    broker = DownBroker()
    async with installed(broker):
        application = await submit_newborn(gql, client, citizen["token"])
        assert application["status"] == "IN_PROGRESS"
        stream = f"application:{application['id']}"
        pending = await events.Event.filter(stream=stream, published_at__isnull=True)
        assert [e.seq for e in pending] == [1]
        assert await Application.exists(id=int(application["id"]))

        # The server's publisher meets the same broker: it raises, to retry on its next round.
        with pytest.raises(ConnectionError):
            await events.publish_pending()
        broker.down = False
        assert await events.publish_pending() >= 1
    assert [m["seq"] for m in broker.published if m["stream"] == stream] == [1]
    assert not await events.Event.filter(stream=stream, published_at__isnull=True).exists()
