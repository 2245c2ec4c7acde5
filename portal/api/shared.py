"""WebSocket subscriptions at scale: broadcasts executed once for all their screens, slow subscribers dropped.

A hall's screens (thousands on one hall) all follow the same ``hallCalls(hallCode)``. Executed per screen, every
call would run the selection set and encode the answer once per screen. Here the anonymous subscribers of the
same broadcast document, variables and operation in this process share one execution (``Broadcast``): each
answer is encoded once, and every screen is sent the same frame text with only its subscription id spliced in.
Personal subscriptions (``applicationUpdated`` ...) still execute per subscriber, but share the stream's feed
(``portal.events.Feed``).

A subscriber that falls ``Settings.subscriber_queue`` answers behind (a client that stops reading) is dropped:
its connection is closed with 4008 and the others are unaffected.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import suppress
from typing import Any

import orjson
from graphql import FieldNode, GraphQLError, OperationType, get_operation_ast, parse
from starlette.requests import Request
from starlette.websockets import WebSocketDisconnect
from starlette.websockets import WebSocketDisconnected as SendAfterClose
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.schema import BaseSchema
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.types.execution import ExecutionResult, PreExecutionError
from strawberry.utils.aio import aclosing

from portal import events
from portal.api.context import Context

log = logging.getLogger("portal.api.shared")

# Root subscription fields whose answers are the same for every anonymous subscriber (public screens).
BROADCAST_FIELDS = frozenset({"hallCalls"})
TOO_SLOW = 4008
END = "complete"

Key = tuple[str, bytes, str | None]
Frame = tuple[str, str]  # ("next" | "error" | END, the payload's JSON text)


def broadcast_key(query: object, variables: object, operation_name: object) -> Key | None:
    """The key under which anonymous subscribers share one execution: the document, its variables and operation
    name, when the operation is a subscription of broadcast fields only; otherwise None."""
    if not isinstance(query, str) or not (operation_name is None or isinstance(operation_name, str)):
        return None
    try:
        document = parse(query)
        frozen_variables = orjson.dumps(variables or {}, option=orjson.OPT_SORT_KEYS)
    except (GraphQLError, TypeError, orjson.JSONEncodeError):
        return None
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation is not OperationType.SUBSCRIPTION:
        return None
    selections = operation.selection_set.selections
    if not all(isinstance(s, FieldNode) and s.name.value in BROADCAST_FIELDS for s in selections):
        return None
    return query, frozen_variables, operation_name


def next_payload(result: ExecutionResult) -> dict[str, Any]:
    """A result as graphql-transport-ws carries it in a ``next`` message (as strawberry's ``Operation.send_next``)."""
    payload: dict[str, Any] = {"data": result.data}
    if result.errors:
        payload["errors"] = [error.formatted for error in result.errors]
    if result.extensions:
        payload["extensions"] = result.extensions
    return payload


def frame_text(kind: str, operation_id: str, payload: str) -> str:
    """A message whose payload was encoded once for every subscriber: only the id is this one's."""
    return f'{{"id":{orjson.dumps(operation_id).decode()},"type":"{kind}","payload":{payload}}}'


class Broadcast:
    """One execution of a broadcast subscription, its answers handed to every subscriber's queue."""

    def __init__(self, broadcasts: Broadcasts, key: Key) -> None:
        self.broadcasts = broadcasts
        self.key = key
        self.followers: set[events.Follower[Frame]] = set()
        self.executions = 0  # answers computed, for tests and benchmarks
        self.task = asyncio.get_running_loop().create_task(self._execute(), name="portal-broadcast")

    async def _execute(self) -> None:
        query, variables, operation_name = self.key
        encode = self.broadcasts.encode
        try:
            results = await self.broadcasts.schema.stream(query, variable_values=orjson.loads(variables),
                                                          context_value=self.broadcasts.context(),
                                                          operation_name=operation_name)
            async with aclosing(results):
                async for result in results:
                    self.executions += 1
                    if isinstance(result, PreExecutionError):
                        self._hand_out(("error", encode([e.formatted for e in result.errors or ()])))
                        return
                    if not isinstance(result, ExecutionResult):
                        error = GraphQLError("Incremental delivery is not supported over graphql-transport-ws")
                        self._hand_out(("error", encode([error.formatted])))
                        return
                    self._hand_out(("next", encode(next_payload(result))))
            self._hand_out((END, ""))
        except Exception:  # noqa: BLE001 - its subscribers must not wait for ever
            log.exception("a broadcast failed; its subscriptions are completed")
            self._hand_out((END, ""))
        finally:
            self.broadcasts.forget(self)

    def _hand_out(self, frame: Frame) -> None:
        events.hand_out(self.followers, frame, f"the broadcast {self.key[0][:60]!r}")


class Broadcasts:
    """The broadcasts running in this app's process, by key."""

    def __init__(self, schema: BaseSchema, context: Callable[[], Context], encode: Callable[[object], str],
                 queue_size: int) -> None:
        self.schema = schema
        self.context = context
        self.encode = encode
        self.queue_size = queue_size
        self.running: dict[Key, Broadcast] = {}

    def join(self, key: Key) -> tuple[Broadcast, events.Follower[Frame]]:
        broadcast = self.running.get(key)
        if broadcast is None:
            broadcast = self.running[key] = Broadcast(self, key)
        follower: events.Follower[Frame] = events.Follower(self.queue_size)
        broadcast.followers.add(follower)
        return broadcast, follower

    def leave(self, broadcast: Broadcast, follower: events.Follower[Frame]) -> None:
        broadcast.followers.discard(follower)
        if not broadcast.followers:
            self.forget(broadcast)
            broadcast.task.cancel()

    def forget(self, broadcast: Broadcast) -> None:
        if self.running.get(broadcast.key) is broadcast:
            del self.running[broadcast.key]


def anonymous_context(view: Any) -> Context:
    """The context a broadcast executes in: nobody's (a broadcast field reads no viewer)."""
    request = Request({"type": "http", "method": "GET", "path": "/graphql", "headers": [], "query_string": b""})
    return Context(request=request, response=None, settings=view.settings, public=view.public,
                   passwords=view.passwords)


class PortalTransportWS(BaseGraphQLTransportWSHandler[Context, None]):
    """strawberry's graphql-transport-ws handler with two changes: a subscriber dropped as too slow closes its
    connection (4008), and an anonymous connection's broadcast subscriptions join their shared execution."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.closing: asyncio.Task[None] | None = None

    async def handle(self) -> None:
        # Copied into every operation's task: its feed or broadcast drops it by closing this connection.
        events.ON_TOO_SLOW.set(self.close_too_slow)
        await super().handle()

    def close_too_slow(self) -> None:
        if self.closing is None:
            self.closing = asyncio.get_running_loop().create_task(self._close(TOO_SLOW, "subscriber too slow"))

    async def _close(self, code: int, reason: str) -> None:
        with suppress(WebSocketDisconnected, RuntimeError, OSError):  # the client may be gone already
            await self.websocket.close(code=code, reason=reason)

    async def send_message(self, message: Any) -> None:
        if self.closing is None:  # nothing more once the connection is being closed
            await super().send_message(message)

    async def send_frame(self, text: str) -> None:
        """A message encoded already (a broadcast's frame)."""
        if self.closing is not None:
            return
        try:
            await self.websocket.ws.send_text(text)
        except (WebSocketDisconnect, SendAfterClose) as exc:
            raise WebSocketDisconnected from exc

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        key = None if self.context.token else broadcast_key(operation.query, operation.variables,
                                                           operation.operation_name)
        if key is None:
            await super().run_operation(operation)
            return
        broadcasts: Broadcasts = self.view.broadcasts
        broadcast, follower = broadcasts.join(key)
        try:
            while True:
                kind, payload = await follower.queue.get()
                if follower.dropped:
                    return
                if kind == END:
                    await operation.send_operation_message({"id": operation.id, "type": "complete"})
                    return
                if kind == "error":
                    operation.completed = True
                    self.forget_id(operation.id)
                await self.send_frame(frame_text(kind, operation.id, payload))
                if kind == "error":
                    return
        except WebSocketDisconnected:
            return
        finally:
            broadcasts.leave(broadcast, follower)
