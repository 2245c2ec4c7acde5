"""What a request says about its sender, for every HTTP and WebSocket entry (GraphQL, uploads, Open311): the
bearer token, the client's address, the terminal it says it is, and whether a device session may be used from
there. No GraphQL here, so that the domains' own HTTP routes need nothing of the GraphQL layer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.websockets import WebSocket

from portal.terminals import Terminal

if TYPE_CHECKING:
    from portal.identity.principal import Principal

TERMINAL_HEADER = "x-portal-terminal"


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` value; None when absent or of another scheme."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def client_address(connection: Request | WebSocket) -> str:
    return connection.client.host if connection.client else ""


def terminal_of(connection: Request | WebSocket) -> Terminal | None:
    """The terminal a client says it is (X-Portal-Terminal); TV and kiosk responses are always masked."""
    value = connection.headers.get(TERMINAL_HEADER, "").strip().upper()
    return Terminal(value) if value in Terminal.__members__ else None


def usable_from(principal: Principal | None, terminal: Terminal | None) -> bool:
    """A device session is used from its own terminal only (a TV's token copied to a computer is refused)."""
    return principal is None or principal.terminal is None or principal.terminal is terminal
