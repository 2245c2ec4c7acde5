"""The per-request context every resolver receives as ``info.context``."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from portal.api.errors import ApiCode, PublicError
from portal.api.public import PublicData
from portal.audit.rules import Actor
from portal.terminals import Terminal
from portal.config import Settings
from portal.identity.passwords import Passwords
from portal.identity.rules import DEVICE_NAMES, Principal, authenticate
from portal.web import bearer_token, client_address, terminal_of, usable_from
from portal.workdays import WorkCalendar

L = TypeVar("L")
_UNRESOLVED = object()
_WRONG_TERMINAL = object()  # memo key: the terminal a device session used from elsewhere belongs to


@dataclass
class Context:
    request: Request | WebSocket
    response: Response | WebSocket | None
    settings: Settings
    public: PublicData
    passwords: Passwords
    memo: dict[object, Any] = field(default_factory=dict)  # per-request results shared by resolvers
    connection_params: dict[str, Any] | None = None
    token: str | None = None
    _principal: Any = field(default=_UNRESOLVED, repr=False)

    def __post_init__(self) -> None:
        if self.token is None:
            self.token = bearer_token(self.request.headers.get("authorization"))

    def loaders(self, kind: type[L]) -> L:
        """A domain's loaders (``<domain>/loaders.py``) for this request, made on first use. A WebSocket
        connection's context lasts as long as the connection, so there each call makes fresh ones: a loader
        kept across a subscription's events would answer with the first event's rows."""
        if not isinstance(self.request, Request):
            return kind()
        found = self.memo.get(kind)
        if found is None:
            found = self.memo[kind] = kind()
        return found

    @property
    def calendar(self) -> WorkCalendar:
        return self.public.calendar

    @property
    def terminal(self) -> Terminal | None:
        """The terminal the client says it is: the X-Portal-Terminal header, or on a WebSocket (whose browser API
        sets no headers) the ``terminal`` of the connection parameters."""
        params = self.connection_params if isinstance(self.connection_params, dict) else {}
        value = params.get("terminal")
        if isinstance(value, str) and value.strip().upper() in Terminal.__members__:
            return Terminal(value.strip().upper())
        return terminal_of(self.request)

    @property
    def masked_terminal(self) -> bool:
        return self.terminal in (Terminal.TV, Terminal.KIOSK)

    async def principal(self) -> Principal | None:
        """The signed-in account, looked up once per request (None when anonymous, the token is dead, or it is a
        device session used from another terminal); resolvers asking at the same time share the one lookup."""
        if self._principal is _UNRESOLVED:
            self._principal = asyncio.ensure_future(self._authenticate()) if self.token else None
        if isinstance(self._principal, asyncio.Future):
            return await asyncio.shield(self._principal)
        return self._principal

    async def _authenticate(self) -> Principal | None:
        principal = await authenticate(self.token, cached=True)
        if not usable_from(principal, self.terminal):
            self.memo[_WRONG_TERMINAL] = principal.terminal
            return None
        return principal

    async def require_principal(self) -> Principal:
        principal = await self.principal()
        if principal is None:
            wrong = self.memo.get(_WRONG_TERMINAL)
            if wrong is not None:
                raise PublicError(ApiCode.WRONG_TERMINAL, f"此登录仅限在{DEVICE_NAMES[wrong]}上使用")
            raise PublicError(ApiCode.UNAUTHENTICATED, "请先登录" if not self.token else "登录已失效，请重新登录")
        return principal

    def set_principal(self, principal: Principal | None) -> None:
        self._principal = principal

    async def actor(self) -> Actor:
        """Who is acting, for the audit trail."""
        principal = await self.principal()
        terminal = self.terminal.value if self.terminal else ""
        address = client_address(self.request)
        if principal is None:
            return Actor(None, "anonymous", address, terminal)
        return Actor(principal.account_id, principal.label, address, terminal)
