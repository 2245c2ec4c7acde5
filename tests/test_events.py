"""The outbox: a change committed is never undone or failed by the broker. When the broker cannot take its events
(Redis down), the request still succeeds and the publisher loop publishes them later."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import orjson
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
    with events.HUB.bound(events.Hub(broker)):
        yield


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


def test_every_payload_reads_back_as_it_was_written() -> None:
    """Each stream family's payload is a typed value whose JSON reads back equal (as subscribers read it)."""
    from datetime import datetime, timezone

    from portal.appeals.models import AppealStatus
    from portal.appeals.payloads import Alert, AppealChanged
    from portal.applications.models import ApplicationStatus, TaskStatus
    from portal.applications.payloads import ApplicationChanged, TaskState
    from portal.halls.models import TicketStatus
    from portal.halls.payloads import AppointmentBooked, TicketChanged

    now = datetime(2026, 11, 30, 9, 5, tzinfo=timezone.utc)
    payloads = [
        ApplicationChanged(12, ApplicationStatus.IN_PROGRESS),
        ApplicationChanged(12, ApplicationStatus.DONE, TaskState(40, TaskStatus.APPROVED, 3)),
        TicketChanged(7, "A023", "QYKB", "企业开办", TicketStatus.CALLED, False, "05", now, 1),
        TicketChanged(8, "B001", "BDCDJ", "不动产登记", TicketStatus.WAITING, True, None, None, 0),
        AppointmentBooked("QYKB", now),
        AppealChanged(3, AppealStatus.ASSIGNED),
        Alert("DEADLINE_MISSED", "appeal:3", "370100-SCJGJ", "370102", {"step": "CONTACT", "dueAt": now.isoformat()}),
        Alert("ESCALATED", "appeal:4", None, "370000", {"title": "补贴未兑现", "reason": "逾期"}),
    ]
    for payload in payloads:
        stored = orjson.loads(orjson.dumps(payload.to_json()))  # through the row's JSON column
        assert type(payload).from_json(stored) == payload
