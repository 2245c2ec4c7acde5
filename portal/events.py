"""The message broker between server processes.

One process: messages go from publisher to subscribers in memory. With ``PORTAL_BROKER_URL=redis://...``
they go through Redis pub/sub, so a change made by one process reaches subscribers connected to another.
Subscribers receive messages published after they subscribed; consumers that must not miss anything
(resumable streams) read the durable event rows first and use the broker only as a wake-up.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
import redis.asyncio as redis

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


_broker: LocalBroker = LocalBroker()


def broker() -> LocalBroker:
    """This process's broker (in memory until ``use_broker`` installs another)."""
    return _broker


@asynccontextmanager
async def use_broker(url: str | None) -> AsyncIterator[LocalBroker]:
    """Install the broker for ``url`` (None: in memory) for the life of the server."""
    global _broker
    chosen = RedisBroker(url) if url else LocalBroker()
    await chosen.start()
    previous, _broker = _broker, chosen
    try:
        yield chosen
    finally:
        _broker = previous
        await chosen.close()
