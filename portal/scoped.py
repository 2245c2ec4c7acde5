"""State that one running app owns, found without passing it through every call.

The live-event hub (``events.HUB``: the broker and the marks of published events) and the signed-in principals'
cache (``identity.sessions.PRINCIPALS``) belong to the app that made them: two apps in one process (a test's, a
benchmark's) share nothing. Each is an ``AppScoped`` value: the app's lifespan makes it, binds it for its own
background loops, and ``BindAppState`` binds it again around every request and WebSocket connection (each runs in
a task of its own, so the binding ends with it). Code run outside any app (the command line, a test that calls
the rules directly) gets the process default, made on first use.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Generic, TypeVar

from starlette.types import ASGIApp, Receive, Scope, Send

T = TypeVar("T")


class AppScoped(Generic[T]):
    """One kind of app-owned state: the value bound in this context, else the process default."""

    def __init__(self, name: str, default: Callable[[], T]) -> None:
        self.name = name
        self._var: ContextVar[T] = ContextVar(name)
        self._make_default = default
        self._default: T | None = None

    def get(self) -> T:
        try:
            return self._var.get()
        except LookupError:
            if self._default is None:
                self._default = self._make_default()
            return self._default

    @contextmanager
    def bound(self, value: T) -> Iterator[T]:
        """``value`` is this state for the code run inside the block (and the tasks it starts)."""
        token = self._var.set(value)
        try:
            yield value
        finally:
            self._var.reset(token)


class AppState:
    """The app-owned values of one app, filled by its lifespan (``app.state.owned``)."""

    def __init__(self) -> None:
        self.values: dict[AppScoped[Any], Any] = {}

    def own(self, scoped: AppScoped[T], value: T) -> T:
        self.values[scoped] = value
        return value

    @contextmanager
    def bound(self) -> Iterator[None]:
        tokens = [(scoped, scoped._var.set(value)) for scoped, value in self.values.items()]
        try:
            yield
        finally:
            for scoped, token in reversed(tokens):
                scoped._var.reset(token)


class BindAppState:
    """Pure ASGI middleware: every request and WebSocket connection sees its own app's state."""

    def __init__(self, app: ASGIApp, state: AppState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        with self.state.bound():
            await self.app(scope, receive, send)
