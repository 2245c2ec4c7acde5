"""Events: the outbox, the broker between server processes, and resumable streams.

Every change writes an ``Event`` row in the transaction that makes it (the outbox): per stream (e.g.
``application:12``) events are numbered 1, 2, 3 ... After the commit the change's events are published on
the broker; a publisher loop in every server publishes whatever a crash left unpublished, so no
notification is lost. Subscribers read the rows after their cursor first, then follow the broker, and go
back to the rows whenever a sequence number is skipped: the rows are the truth, the broker only wakes.

However many subscribers a stream has in one process, it has one ``Feed`` there: one broker subscription and
one reader that reads the rows (at its start, after a gap, every ``POLL_SECONDS``) and hands each event to
every subscriber's bounded queue. A subscriber that falls ``subscriber_queue`` events behind is dropped
(``SubscriberTooSlow``; a WebSocket closes with 4008), so one slow screen holds up neither the feed nor the
others.

One process: the broker is in memory. With ``PORTAL_BROKER_URL=redis://...`` it is Redis pub/sub, so a
change made by one process reaches subscribers connected to another.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from collections.abc import Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Generic, Protocol, TypeVar

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
# Events a subscriber may be behind its stream before it is dropped (PORTAL_SUBSCRIBER_QUEUE).
SUBSCRIBER_QUEUE = 256
POLL_SECONDS = 30.0


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
    """The live-event state of one app: its broker, the feeds of its subscribers, and the marks of the events it
    published."""

    def __init__(self, broker: LocalBroker | None = None, subscriber_queue: int = SUBSCRIBER_QUEUE) -> None:
        self.broker = broker or LocalBroker()
        self.feeds = Feeds(self.broker, subscriber_queue)
        self.marks = PublishedMarks()


HUB: AppScoped[Hub] = AppScoped("portal_hub", Hub)


def hub() -> Hub:
    """The hub of the running app (``portal.scoped``); outside any app, the process's in-memory one."""
    return HUB.get()


def broker() -> LocalBroker:
    """The running app's broker."""
    return HUB.get().broker


@asynccontextmanager
async def running_hub(url: str | None, subscriber_queue: int = SUBSCRIBER_QUEUE) -> AsyncIterator[Hub]:
    """A hub on the broker for ``url`` (None: in memory), started, bound for the block, closed after it with
    its feeds stopped and its pending marks written."""
    chosen = Hub(RedisBroker(url) if url else LocalBroker(), subscriber_queue)
    await chosen.broker.start()
    try:
        with HUB.bound(chosen):
            yield chosen
            await chosen.marks.flush()
    finally:
        await chosen.feeds.close()
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


class SubscriberTooSlow(Exception):
    """A subscriber fell more events behind its stream than its queue holds: it was dropped."""


# What to do when a subscriber of this context is dropped as too slow: a WebSocket connection sets it to close
# itself (4008); without it the subscriber's stream raises ``SubscriberTooSlow``.
ON_TOO_SLOW: ContextVar[Callable[[], None] | None] = ContextVar("portal_on_too_slow", default=None)


T = TypeVar("T")


class Follower(Generic[T]):
    """One subscriber of a shared source (a feed's messages, a broadcast's frames): its bounded queue, and whether
    it was dropped for falling behind."""

    __slots__ = ("queue", "dropped", "on_too_slow")

    def __init__(self, size: int) -> None:
        self.queue: asyncio.Queue[T] = asyncio.Queue(size)
        self.dropped = False
        self.on_too_slow = ON_TOO_SLOW.get()

    def offer(self, message: T) -> bool:
        """Queue ``message``; False (and dropped) when the queue is full."""
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            self.dropped = True  # its queue is full: it sees this at its next ``get``
            if self.on_too_slow is not None:
                self.on_too_slow()
            return False
        return True


def hand_out(followers: set[Follower[T]], item: T, source: str) -> bool:
    """Offer ``item`` to every follower; the ones whose queue is full are dropped (removed). Whether any was."""
    dropped = [follower for follower in followers if not follower.offer(item)]
    for follower in dropped:
        log.warning("a subscriber of %s fell %d behind: dropped", source, follower.queue.maxsize)
        followers.discard(follower)
    return bool(dropped)


class Feed:
    """The events of one stream for every subscriber in this process: one broker subscription, one reader.

    ``last`` is the highest number handed to the followers: a follower that joins gets every later event from
    its queue, and reads the rows up to ``last`` itself when its cursor is older."""

    def __init__(self, feeds: Feeds, stream: str, last: int) -> None:
        self.feeds = feeds
        self.stream = stream
        self.last = last
        self.followers: set[Follower[Message]] = set()
        self.reads = 0  # reads of the rows, for tests and benchmarks
        self.reader = asyncio.get_running_loop().create_task(self._read(), name=f"portal-feed:{stream}")

    async def _read(self) -> None:
        async with self.feeds.broker.subscribe(stream_channel(self.stream)) as live:
            while True:
                try:
                    await self._read_rows()
                except Exception:  # noqa: BLE001 - the feed must outlive a database hiccup
                    log.exception("reading the events of %s failed; retrying in 1 s", self.stream)
                    await asyncio.sleep(1)
                    continue
                while True:
                    try:
                        message = await asyncio.wait_for(live.get(), timeout=self.feeds.poll_seconds)
                    except TimeoutError:
                        break  # look at the rows anyway: a wake-up may have been lost
                    if message["seq"] <= self.last:
                        continue
                    if message["seq"] != self.last + 1:
                        break  # a gap: read the rows
                    self._hand_out(Message.of_wire(message))

    async def _read_rows(self) -> None:
        self.reads += 1
        for event in await Event.filter(stream=self.stream, seq__gt=self.last).order_by("seq"):
            self._hand_out(Message.of_event(event))

    def _hand_out(self, message: Message) -> None:
        self.last = message.seq
        if hand_out(self.followers, message, self.stream) and not self.followers:
            self.feeds.stop(self)


class Feeds:
    """The feeds of one app, by stream: started by a stream's first follower, stopped when its last leaves."""

    def __init__(self, broker: LocalBroker, queue_size: int = SUBSCRIBER_QUEUE,
                 poll_seconds: float = POLL_SECONDS) -> None:
        self.broker = broker
        self.queue_size = queue_size
        self.poll_seconds = poll_seconds
        self.feeds: dict[str, Feed] = {}

    def join(self, stream: str, after: int) -> tuple[Feed, Follower[Message], int]:
        """A new follower of ``stream`` whose cursor is ``after``, and the number from which its queue has
        every event (the rows from ``after`` up to it are the follower's to read)."""
        feed = self.feeds.get(stream)
        if feed is None:
            feed = self.feeds[stream] = Feed(self, stream, after)
        follower: Follower[Message] = Follower(self.queue_size)
        feed.followers.add(follower)
        return feed, follower, feed.last

    def leave(self, feed: Feed, follower: Follower[Message]) -> None:
        feed.followers.discard(follower)
        if not feed.followers:
            self.stop(feed)

    def stop(self, feed: Feed) -> None:
        if self.feeds.get(feed.stream) is feed:
            del self.feeds[feed.stream]
        feed.reader.cancel()

    async def close(self) -> None:
        readers = [feed.reader for feed in self.feeds.values()]
        for feed in list(self.feeds.values()):
            self.stop(feed)
        await asyncio.gather(*readers, return_exceptions=True)


async def follow(stream: str, after: int) -> AsyncIterator[Message]:
    """Every event of ``stream`` with a sequence number above ``after``, in order and once: the stored ones,
    then live ones from the stream's feed. Ends when the subscriber is dropped as too slow and its connection
    closes itself (``ON_TOO_SLOW``); raises ``SubscriberTooSlow`` when nothing closes it."""
    feeds = hub().feeds
    feed, follower, joined_at = feeds.join(stream, after)
    try:
        last = after
        if after < joined_at:
            for event in await Event.filter(stream=stream, seq__gt=after, seq__lte=joined_at).order_by("seq"):
                last = event.seq
                yield Message.of_event(event)
        while True:
            message = await follower.queue.get()
            if follower.dropped:
                if follower.on_too_slow is not None:
                    return
                raise SubscriberTooSlow(stream)
            if message.seq > last:
                last = message.seq
                yield message
    finally:
        feeds.leave(feed, follower)
