"""Events: the outbox, the broker between server processes, and resumable streams.

Every change writes an ``Event`` row in the transaction that makes it (the outbox): per stream (e.g.
``application:12``) events are numbered 1, 2, 3 ... After the commit the change's events are published on
the broker; a publisher loop in every server publishes whatever a crash left unpublished, so no
notification is lost. Subscribers read the rows after their cursor first, then follow the broker, and go
back to the rows whenever a sequence number is skipped: the rows are the truth, the broker only wakes.

One process: the broker is in memory. With ``PORTAL_BROKER_URL=redis://...`` it is Redis pub/sub, so a
change made by one process reaches subscribers connected to another.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

import orjson
import redis.asyncio as redis
from tortoise import fields
from tortoise.exceptions import IntegrityError
from tortoise.functions import Max
from tortoise.models import Model

from portal import db
from portal.scoped import AppScoped

log = logging.getLogger("portal.events")
PREFIX = "portal:"
QUEUE_SIZE = 1000


class LocalBroker:
    """Delivers to this process's subscribers; a slow subscriber loses messages past ``QUEUE_SIZE``."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)

    async def start(self) -> None:
        """Nothing to connect."""

    async def close(self) -> None:
        """Nothing to disconnect."""

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        self.deliver(channel, message)

    def deliver(self, channel: str, message: dict[str, Any]) -> None:
        for queue in list(self._subscribers.get(channel, ())):
            try:
                queue.put_nowait(message)
            except asyncio.QueueFull:
                log.warning("subscriber of %s is too slow: message dropped", channel)

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
        """A queue of the messages published on ``channel`` while the context is open."""
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE_SIZE)
        self._subscribers[channel].add(queue)
        try:
            yield queue
        finally:
            self._subscribers[channel].discard(queue)
            if not self._subscribers[channel]:
                del self._subscribers[channel]


class RedisBroker(LocalBroker):
    """Publishes through Redis; one listener per process hands each message to the local subscribers."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self._client: redis.Redis | None = None
        self._listener: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def start(self) -> None:
        self._client = redis.from_url(self.url)
        await self._client.ping()
        self._listener = asyncio.create_task(self._listen(), name="portal-broker")
        await asyncio.wait_for(self._ready.wait(), timeout=10)

    async def close(self) -> None:
        if self._listener:
            self._listener.cancel()
            await asyncio.gather(self._listener, return_exceptions=True)
        if self._client:
            await self._client.aclose()

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        assert self._client is not None, "RedisBroker.start() was not awaited"
        await self._client.publish(PREFIX + channel, orjson.dumps(message))

    async def _listen(self) -> None:
        while True:
            try:
                async with self._client.pubsub() as pubsub:
                    await pubsub.psubscribe(PREFIX + "*")
                    self._ready.set()
                    async for item in pubsub.listen():
                        if item["type"] == "pmessage":
                            self.deliver(item["channel"].decode()[len(PREFIX):], orjson.loads(item["data"]))
            except asyncio.CancelledError:
                raise
            except (redis.ConnectionError, OSError):
                log.exception("broker connection lost; reconnecting in 1 s")
                await asyncio.sleep(1)


class Event(Model):
    id = fields.BigIntField(primary_key=True)
    stream = fields.CharField(max_length=60)
    seq = fields.IntField()
    kind = fields.CharField(max_length=40)
    at = fields.DatetimeField()
    payload = fields.JSONField(default=dict)
    published_at = fields.DatetimeField(null=True, db_index=True)

    class Meta:
        table = "event"
        unique_together = (("stream", "seq"),)


class Payload(Protocol):
    """What an event says, as a typed value of its stream's family (``applications.payloads``, ``halls.payloads``,
    ``appeals.payloads``): written as JSON into the row, read back by the family's ``from_json``."""

    def to_json(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Message:
    """An event as a subscriber receives it, from its row or from the broker."""

    id: int
    stream: str
    seq: int
    kind: str
    at: datetime
    payload: dict[str, Any]

    @classmethod
    def of_event(cls, event: Event) -> Message:
        return cls(event.id, event.stream, event.seq, event.kind, event.at, event.payload)

    @classmethod
    def of_wire(cls, message: dict[str, Any]) -> Message:
        return cls(message["id"], message["stream"], message["seq"], message["kind"],
                   datetime.fromisoformat(message["at"]), message["payload"])


def message_of(event: Event) -> dict[str, Any]:
    """An event as the broker carries it (JSON)."""
    return {"id": event.id, "stream": event.stream, "seq": event.seq, "kind": event.kind,
            "at": event.at.isoformat(), "payload": event.payload}


def stream_channel(stream: str) -> str:
    return f"stream:{stream}"


async def append(stream: str, seq: int, kind: str, payload: Payload) -> Event:
    """Write an event of ``stream`` (call inside the change's transaction, with the stream's next number)."""
    return await db.insert(Event(stream=stream, seq=seq, kind=kind, at=datetime.now(timezone.utc),
                                 payload=payload.to_json()))


async def append_next(stream: str, kind: str, payload: Payload, attempts: int = 20) -> Event:
    """Write the next event of a stream that has no counter row of its own (alert streams): the unique
    (stream, seq) turns a race into a retry."""
    for _ in range(attempts):
        last = await Event.filter(stream=stream).annotate(top=Max("seq")).first().values_list("top", flat=True)
        try:
            async with db.retry_scope(Event):
                return await append(stream, (last or 0) + 1, kind, payload)
        except IntegrityError:
            continue
    raise RuntimeError(f"could not append to {stream}: too much contention")


async def last_seq(stream: str) -> int:
    row = await Event.filter(stream=stream).annotate(top=Max("seq")).first().values_list("top", flat=True)
    return row or 0


class PublishedMarks:
    """Events published but not yet marked so in their rows. A busy server would spend one UPDATE per
    event; instead the marks are written together, ``delay`` seconds after the first of a batch (and when
    the server stops). An event whose mark is lost to a crash is published again: harmless, subscribers
    skip numbers they have."""

    def __init__(self, delay: float = 0.05) -> None:
        self.delay = delay
        self._ids: list[int] = []
        self._writer: asyncio.Task[None] | None = None

    def add(self, ids: list[int]) -> None:
        self._ids += ids
        if self._writer is None:
            self._writer = asyncio.get_running_loop().create_task(self._write_later(), name="portal-event-marks")

    async def _write_later(self) -> None:
        await asyncio.sleep(self.delay)
        self._writer = None
        try:
            await self.flush()
        except Exception:  # noqa: BLE001 - the publisher loop publishes unmarked events again
            log.exception("marking published events failed; they will be published again")

    async def flush(self) -> None:
        ids, self._ids = self._ids, []
        if ids:
            await Event.filter(id__in=ids).update(published_at=datetime.now(timezone.utc))


class Hub:
    """The live-event state of one app: its broker and the marks of the events it published."""

    def __init__(self, broker: LocalBroker | None = None) -> None:
        self.broker = broker or LocalBroker()
        self.marks = PublishedMarks()


HUB: AppScoped[Hub] = AppScoped("portal_hub", Hub)


def hub() -> Hub:
    """The hub of the running app (``portal.scoped``); outside any app, the process's in-memory one."""
    return HUB.get()


def broker() -> LocalBroker:
    """The running app's broker."""
    return HUB.get().broker


@asynccontextmanager
async def running_hub(url: str | None) -> AsyncIterator[Hub]:
    """A hub on the broker for ``url`` (None: in memory), started, bound for the block, closed after it with
    its pending marks written."""
    chosen = Hub(RedisBroker(url) if url else LocalBroker())
    await chosen.broker.start()
    try:
        with HUB.bound(chosen):
            yield chosen
            await chosen.marks.flush()
    finally:
        await chosen.broker.close()


async def publish(events: list[Event], *, mark_now: bool = False) -> None:
    """Publish committed events; their rows are marked published shortly after (``PublishedMarks``),
    or before returning with ``mark_now``.

    Never fails the change that wrote them: it is committed, and a broker that cannot take them now (Redis
    down) leaves them unmarked, so the publisher loop (``run_publisher``) publishes them when it can. Only the
    server's own publisher (``mark_now``) sees the error, to retry."""
    try:
        for event in events:
            await broker().publish(stream_channel(event.stream), message_of(event))
    except Exception:
        if mark_now:
            raise
        log.warning("publishing %d committed event(s) failed; the publisher loop will retry", len(events),
                    exc_info=True)
        return
    if events and mark_now:
        await Event.filter(id__in=[e.id for e in events]).update(published_at=datetime.now(timezone.utc))
    elif events:
        hub().marks.add([e.id for e in events])


async def publish_pending(older_than: timedelta = timedelta(0), batch: int = 500) -> int:
    """Publish events a crash left unpublished; returns how many."""
    cutoff = datetime.now(timezone.utc) - older_than
    total = 0
    while True:
        pending = await Event.filter(published_at__isnull=True, at__lte=cutoff).order_by("id").limit(batch)
        if not pending:
            return total
        await publish(pending, mark_now=True)
        total += len(pending)


async def run_publisher(interval: float = 1.0, grace: timedelta = timedelta(seconds=2)) -> None:
    """The loop every server runs: at start everything pending, then what stayed pending past ``grace``."""
    await publish_pending()
    while True:
        await asyncio.sleep(interval)
        try:
            await publish_pending(older_than=grace)
        except Exception:  # noqa: BLE001 - the loop must outlive a database hiccup
            log.exception("publishing pending events failed; retrying")


async def follow(stream: str, after: int, *, poll_seconds: float = 30.0) -> AsyncIterator[Message]:
    """Every event of ``stream`` with a sequence number above ``after``: the stored ones, then live ones."""
    async with broker().subscribe(stream_channel(stream)) as live:
        last = after
        while True:
            for event in await Event.filter(stream=stream, seq__gt=last).order_by("seq"):
                last = event.seq
                yield Message.of_event(event)
            while True:
                try:
                    message = await asyncio.wait_for(live.get(), timeout=poll_seconds)
                except TimeoutError:
                    break  # look at the rows anyway: a wake-up may have been lost
                if message["seq"] <= last:
                    continue
                if message["seq"] != last + 1:
                    break  # a gap: read the rows
                last = message["seq"]
                yield Message.of_wire(message)
