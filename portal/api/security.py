"""Browser-facing protection: security headers on every HTTP response, CORS, and the WebSocket origin rule.

Clients authenticate with bearer tokens, never cookies: CORS allows no credentials, and a cross-site page
cannot ride on a visitor's session. The WebSocket origin rule still refuses, in production, a browser page
of a foreign site that opens a subscription socket.
"""

from __future__ import annotations

import logging
import re
import secrets
from urllib.parse import urlsplit

import orjson

from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal.api.errors import internal_error_message
from portal.config import Settings

log = logging.getLogger("portal.errors")
GRAPHQL_PATH = "/graphql"
# What the GraphiQL page (portal/api/ide.py) loads: scripts and styles from the portal itself (/graphiql/), one
# inline script and one inline style block, fonts inlined as data: by graphiql.min.css, a data: favicon.
WEBSOCKET_REFUSED = 1008  # policy violation; servers turn a close before accept into HTTP 403

STATIC_HEADERS: tuple[tuple[str, str], ...] = (
    ("x-frame-options", "DENY"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("permissions-policy", "camera=(self), geolocation=(), microphone=()"),  # the kiosk scans codes
    ("cross-origin-opener-policy", "same-origin"),
)
HSTS = ("strict-transport-security", "max-age=31536000; includeSubDomains")

_HOST = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?")
_SOURCE = re.compile(r"(?:https?://[A-Za-z0-9.*\[\]:-]+|\*)")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


def content_security_policy(settings: Settings, host: str | None, *, graphiql: bool = False) -> str:
    """The CSP of a response; ``graphiql`` relaxes scripts, styles and fonts for the development IDE page."""
    connect = ["'self'"]
    if host is not None and _HOST.fullmatch(host):
        connect += [f"ws://{host}", f"wss://{host}"]
    connect += [o for o in settings.allowed_origins if _SOURCE.fullmatch(o)]
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self' 'unsafe-inline'",
        "img-src": "'self' data:",
        "connect-src": " ".join(connect),
        "frame-ancestors": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "object-src": "'none'",
    }
    if graphiql:
        directives["script-src"] = "'self' 'unsafe-inline'"
        directives["style-src"] = "'self' 'unsafe-inline'"
        directives["font-src"] = "'self' data:"
    return "; ".join(f"{name} {value}" for name, value in directives.items())


class SecurityHeadersMiddleware:
    """Pure ASGI middleware adding the security headers to every HTTP response start, cached and
    error responses included. A header the application already set is left as it is.

    It also answers an exception that escapes the application before a response started: Starlette's
    ``ServerErrorMiddleware`` sits outside every user middleware, so its 500 would carry none of these
    headers. Here the 500 is the API's masked error, with a reference that the log line shares."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                self.add_headers(scope, MutableHeaders(scope=message))
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            if started:
                raise  # too late for an answer: the server closes the connection
            reference = secrets.token_hex(6)
            log.exception("internal error %s at %s %s", reference, scope.get("method"), scope.get("path"))
            body = orjson.dumps({"errors": [{"message": internal_error_message(reference),
                                             "extensions": {"code": "INTERNAL_ERROR", "reference": reference}}]})
            await Response(body, status_code=500, media_type="application/json")(scope, receive, send_with_headers)

    def add_headers(self, scope: Scope, headers: MutableHeaders) -> None:
        graphiql = (not self.settings.production and scope.get("path") == GRAPHQL_PATH
                    and headers.get("content-type", "").startswith("text/html"))
        wanted = [("content-security-policy",
                   content_security_policy(self.settings, _header(scope, b"host"), graphiql=graphiql)),
                  *STATIC_HEADERS]
        if scope.get("scheme") == "https":
            wanted.append(HSTS)
        for name, value in wanted:
            if name not in headers:
                headers.append(name, value)


def websocket_origin_allowed(scope: Scope, settings: Settings) -> bool:
    """Whether a WebSocket upgrade may proceed: always in development; in production when there is no
    Origin (not a browser), or it is the portal's own (the Host header's host, http or https), or one of
    ``settings.allowed_origins``."""
    if not settings.production:
        return True
    origin = _header(scope, b"origin")
    if origin is None:
        return True
    normalised = origin.strip().rstrip("/").lower()
    allowed = {o.strip().rstrip("/").lower() for o in settings.allowed_origins}
    if normalised in allowed or "*" in allowed:
        return True
    return _same_host(normalised, _header(scope, b"host"))


def _same_host(origin: str, host: str | None) -> bool:
    if host is None or not _HOST.fullmatch(host.strip()):
        return False
    try:
        parts = urlsplit(origin)
        origin_port = parts.port or _DEFAULT_PORTS.get(parts.scheme)
        target = urlsplit("//" + host.strip().lower())
        host_port = target.port
    except ValueError:
        return False
    if parts.scheme not in _DEFAULT_PORTS or parts.path or parts.query or parts.username or not parts.hostname:
        return False
    if parts.hostname != target.hostname:
        return False
    # Without a port the Host header names the default port of whatever scheme the client used.
    return origin_port == host_port if host_port is not None else parts.port is None


async def refuse_websocket(receive: Receive, send: Send) -> None:
    """Close a WebSocket before accepting it: uvicorn answers the upgrade with HTTP 403."""
    message = await receive()
    if message["type"] == "websocket.connect":
        await send({"type": "websocket.close", "code": WEBSOCKET_REFUSED, "reason": "Origin not allowed"})


def security_middleware(settings: Settings) -> list[Middleware]:
    """Outermost first: the headers (on every response, CORS preflights included), then CORS."""
    return [
        Middleware(SecurityHeadersMiddleware, settings=settings),
        Middleware(CORSMiddleware, allow_origins=list(settings.allowed_origins), allow_methods=["GET", "POST"],
                   allow_headers=["Authorization", "Content-Type"], allow_credentials=False),
    ]
