"""Subscriptions run in the test's own process and event loop, without a socket: the schema's `subscribe` with
the context a WebSocket connection would give."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from starlette.requests import Request
from strawberry.types import ExecutionResult

from portal.api.context import Context
from portal.api.public import PublicData
from portal.api.schema import schema
from portal.config import Settings
from portal.identity.passwords import Passwords


async def in_process_subscription(settings: Settings, query: str, variables: dict[str, Any], *,
                                  token: str | None = None, terminal: str | None = None
                                  ) -> AsyncGenerator[ExecutionResult, None]:
    """The answers of a subscription document, as its resolvers give them (``terminal``: as a TV or a kiosk says
    it on its connection)."""
    headers = [(b"authorization", f"Bearer {token}".encode())] if token else []
    headers += [(b"x-portal-terminal", terminal.encode())] if terminal else []
    request = Request({"type": "http", "method": "POST", "path": "/graphql", "headers": headers,
                       "client": ("10.254.254.1", 40000)})
    context = Context(request=request, response=None, settings=settings, public=PublicData(0),
                      passwords=Passwords("test"))
    return await schema.subscribe(query, variable_values=variables, context_value=context)
