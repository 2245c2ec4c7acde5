"""Live subscribers at scale (issue 19): one feed per stream and process, shared broadcasts, slow subscribers dropped.

The feed tests drive ``events.follow`` directly on streams of their own; the WebSocket tests speak
graphql-transport-ws to the ASGI app in this process through ``Socket``, whose client can stop reading.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import Any

import orjson
import pytest
from starlette.applications import Starlette

from portal import events
from portal.app import create_app
from portal.config import Settings
from tests.halls.support import clerk_token, make_hall

HALL_CALLS = "subscription($h: String!) { hallCalls(hallCode: $h) { number status counter { code } } }"
TAKE = "mutation($h: String!, $k: String!) { takeTicket(hallCode: $h, category: \"QYKB\", idempotencyKey: $k) " \
       "{ __typename } }"
CALL = "mutation($c: String!) { callNextTicket(counterCode: $c) { ... on Ticket { number } } }"


@dataclass(frozen=True)
class Note:
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text}


@asynccontextmanager
async def own_hub(subscriber_queue: int = events.SUBSCRIBER_QUEUE) -> AsyncIterator[events.Hub]:
    """An in-memory hub of the test's own, its feeds stopped at the end."""
    hub = events.Hub(subscriber_queue=subscriber_queue)
    with events.HUB.bound(hub):
        try:
            yield hub
        finally:
            await hub.feeds.close()


async def write(stream: str, *seqs: int) -> None:
    """Append and publish events ``seqs`` of ``stream`` (each committed, then published, as the rules do)."""
    for seq in seqs:
        await events.publish([await events.append(stream, seq, "note", Note(f"n{seq}"))], mark_now=True)


async def take(follower: AsyncIterator[events.Message], count: int) -> list[int]:
    return [(await asyncio.wait_for(anext(follower), 5)).seq for _ in range(count)]


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


def new_stream() -> str:
    return f"fanout:{uuid.uuid4().hex[:12]}"


async def test_a_late_subscriber_replays_its_backlog_then_follows_live_without_gap_or_duplicate(
        database_url: str) -> None:
    stream = new_stream()
    async with own_hub():
        await write(stream, 1, 2, 3)
        live = events.follow(stream, 3)
        first = asyncio.ensure_future(anext(live))
        await settle()
        await write(stream, 4, 5)
        assert (await asyncio.wait_for(first, 5)).seq == 4
        assert await take(live, 1) == [5]
        late = events.follow(stream, 1)  # joins a feed that is at 5: replays 2..5 from the rows itself
        replayed = asyncio.ensure_future(take(late, 4))
        await settle()
        await write(stream, 6, 7)
        assert await replayed == [2, 3, 4, 5]
        assert await take(late, 2) == [6, 7]
        assert await take(live, 2) == [6, 7]
        await live.aclose()
        await late.aclose()


async def test_many_subscribers_share_one_broker_subscription_and_one_read_of_the_rows(database_url: str) -> None:
    stream = new_stream()
    async with own_hub() as hub:
        followers = [events.follow(stream, 0) for _ in range(200)]
        pending = [asyncio.ensure_future(take(f, 5)) for f in followers]
        await settle()
        await write(stream, 1, 2, 3, 4, 5)
        assert [await p for p in pending] == [[1, 2, 3, 4, 5]] * 200
        feed = hub.feeds.feeds[stream]
        assert feed.reads == 1  # at its start; every event after came from the broker, once for all 200
        assert len(hub.broker._subscribers[events.stream_channel(stream)]) == 1
        for follower in followers:
            await follower.aclose()


async def test_the_reader_stops_when_the_last_subscriber_leaves(database_url: str) -> None:
    stream = new_stream()
    async with own_hub() as hub:
        first, second = events.follow(stream, 0), events.follow(stream, 0)
        waiting = [asyncio.ensure_future(take(f, 1)) for f in (first, second)]
        await settle()
        reader = hub.feeds.feeds[stream].reader
        await write(stream, 1)
        assert [await w for w in waiting] == [[1], [1]]
        await first.aclose()
        assert not reader.done()
        await second.aclose()
        await settle()
        assert reader.cancelled() and stream not in hub.feeds.feeds
        assert events.stream_channel(stream) not in hub.broker._subscribers


async def test_a_subscriber_that_falls_behind_is_dropped_and_the_others_get_every_event(database_url: str) -> None:
    stream = new_stream()
    async with own_hub(subscriber_queue=2):
        slow, fast = events.follow(stream, 0), events.follow(stream, 0)
        slow_first = asyncio.ensure_future(anext(slow))
        await settle()
        got = []
        for seq in range(1, 6):
            following = asyncio.ensure_future(take(fast, 1))
            await settle()
            await write(stream, seq)
            got += await following
        assert got == [1, 2, 3, 4, 5]
        assert (await slow_first).seq == 1
        with pytest.raises(events.SubscriberTooSlow):  # 2, 3 queued; 4 found its queue full
            await take(slow, 3)
        await fast.aclose()


class Socket:
    """A graphql-transport-ws client of the ASGI app in this process. Its ``reading`` gate holds every message
    the server sends, as uvicorn holds a send while the client reads nothing."""

    def __init__(self, app: Starlette) -> None:
        self.app = app
        self.to_server: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.from_server: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.reading = asyncio.Event()
        self.reading.set()
        self.task: asyncio.Task[None] | None = None

    async def open(self) -> Socket:
        scope = {"type": "websocket", "path": "/graphql", "raw_path": b"/graphql", "query_string": b"",
                 "headers": [(b"host", b"portal.test"), (b"sec-websocket-protocol", b"graphql-transport-ws")],
                 "subprotocols": ["graphql-transport-ws"], "client": ("10.77.0.1", 50000),
                 "server": ("portal.test", 80), "scheme": "ws", "root_path": ""}
        self.task = asyncio.create_task(self.app(scope, self.to_server.get, self._send))
        await self.to_server.put({"type": "websocket.connect"})
        assert (await self.received())["type"] == "websocket.accept"
        await self.send({"type": "connection_init", "payload": {}})
        assert await self.message() == {"type": "connection_ack"}
        return self

    async def _send(self, message: dict[str, Any]) -> None:
        if message["type"] != "websocket.accept":
            await self.reading.wait()
        await self.from_server.put(message)

    async def send(self, message: dict[str, Any]) -> None:
        await self.to_server.put({"type": "websocket.receive", "text": orjson.dumps(message).decode()})

    async def received(self) -> dict[str, Any]:
        return await asyncio.wait_for(self.from_server.get(), 10)

    async def message(self) -> dict[str, Any]:
        sent = await self.received()
        assert sent["type"] == "websocket.send", sent
        return orjson.loads(sent["text"])

    async def close(self) -> None:
        self.reading.set()
        await self.to_server.put({"type": "websocket.disconnect", "code": 1000})
        assert self.task is not None
        await asyncio.wait_for(self.task, 10)


async def screens(app: Starlette, hall: str, ids: list[str]) -> list[Socket]:
    opened = []
    for operation_id in ids:
        socket = await Socket(app).open()
        await socket.send({"type": "subscribe", "id": operation_id,
                           "payload": {"query": HALL_CALLS, "variables": {"h": hall}}})
        opened.append(socket)
    await asyncio.sleep(0.3)  # the subscriptions reach the hall's feed
    return opened


async def call_tickets(gql: Any, hall: str, count: int) -> list[str]:
    token = await clerk_token(hall)
    for n in range(count):
        assert (await gql(TAKE, {"h": hall, "k": f"fanout-{n}"}))["data"]["takeTicket"]["__typename"] == "Ticket"
    return [(await gql(CALL, {"c": f"{hall}-01"}, token=token))["data"]["callNextTicket"]["number"]
            for _ in range(count)]


def broadcasts_of(app: Starlette) -> Any:
    [endpoint] = [r.endpoint for r in app.routes if getattr(r, "path", None) == "/graphql" and hasattr(r, "methods")]
    return endpoint.view.broadcasts


async def test_hall_screens_share_one_execution_and_get_the_same_frame_with_their_own_id(
        settings: Settings, gql: Any) -> None:
    hall = await make_hall()
    app = create_app(settings, manage_database=False)
    async with own_hub():
        first, second, third = await screens(app, hall, ["1", "screen-2", "3"])
        [broadcast] = [b for b in broadcasts_of(app).running.values() if b.key[1] == orjson.dumps({"h": hall})]
        numbers = await call_tickets(gql, hall, 3)
        frames = [[await s.received() for _ in numbers] for s in (first, second, third)]
        texts = [[f["text"] for f in socket_frames] for socket_frames in frames]
        assert [orjson.loads(t)["payload"]["data"]["hallCalls"]["number"] for t in texts[0]] == numbers
        assert texts[1] == [t.replace('{"id":"1",', '{"id":"screen-2",') for t in texts[0]]
        assert texts[2] == [t.replace('{"id":"1",', '{"id":"3",') for t in texts[0]]
        assert orjson.loads(texts[0][0]) == {"id": "1", "type": "next", "payload": {"data": {"hallCalls": {
            "number": numbers[0], "status": "CALLED", "counter": {"code": f"{hall}-01"}}}}}
        assert broadcast.executions == 3  # once per call, not once per screen
        for socket in (first, second, third):
            await socket.close()
        await settle()
        assert broadcast.task.done() and broadcast.key not in broadcasts_of(app).running


async def test_a_screen_that_stops_reading_is_closed_with_4008_and_the_others_get_every_call(
        settings: Settings, gql: Any) -> None:
    """The slow WebSocket client drill: a queue of 2 answers; the stalled screen is dropped at the fourth call."""
    hall = await make_hall()
    app = create_app(replace(settings, subscriber_queue=2), manage_database=False)
    async with own_hub(subscriber_queue=2):
        stalled, reading = await screens(app, hall, ["1", "1"])
        stalled.reading.clear()
        numbers = await call_tickets(gql, hall, 6)
        seen = [orjson.loads((await reading.received())["text"])["payload"]["data"]["hallCalls"]["number"]
                for _ in numbers]
        assert seen == numbers
        stalled.reading.set()
        messages = []
        while (sent := await stalled.received())["type"] == "websocket.send":
            messages.append(orjson.loads(sent["text"])["payload"]["data"]["hallCalls"]["number"])
        assert sent == {"type": "websocket.close", "code": 4008, "reason": "subscriber too slow"}
        assert messages == numbers[:len(messages)] and len(messages) < len(numbers)
        await stalled.close()
        assert reading.from_server.empty()  # still open, nothing else
        await reading.close()
