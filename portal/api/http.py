"""The `/graphql` endpoint: strawberry over HTTP and WebSocket, with a cache for anonymous public queries."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from contextlib import suppress
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

import orjson
from starlette import status
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from cross_web import HTTPException
from strawberry.schema import BaseSchema
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLRequestData
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UNSET, UnsetType

from portal.api.context import Context, bearer_token
from portal.api.ide import graphiql_page
from portal.api.public import CachedResponse, PublicData, is_public_query, reads_no_viewer
from portal.api.security import refuse_websocket, websocket_origin_allowed
from portal.api.shared import Broadcasts, PortalTransportWS, anonymous_context
from portal.config import Settings
from portal.identity.passwords import Passwords
from portal.identity.rules import authenticate
from portal.identity.sessions import session_ends

MAX_BODY_BYTES = 1024 * 1024
JSON = "application/json"
# GraphQL over HTTP's own media type: with it, a request that never ran (unparsable, invalid, bad variables) is a
# 400 without "data", so a client tells it from a result with field errors by the status alone.
GRAPHQL_RESPONSE = "application/graphql-response+json"
ANSWER_MEDIA: ContextVar[str] = ContextVar("portal_answer_media", default=JSON)


def answer_media(accept: str | None) -> str:
    """The media type of the answer to a client with this Accept header: ``application/graphql-response+json`` when
    it takes it at least as willingly as ``application/json`` (the spec's preference), else ``application/json``
    (no header, ``*/*``, or only JSON: every client written before the media type existed)."""
    if not accept:
        return JSON
    quality = {GRAPHQL_RESPONSE: 0.0, JSON: 0.0}
    for item in accept.split(","):
        media, _, parameters = item.partition(";")
        media = media.strip().lower()
        if media not in quality:
            continue
        q = 1.0
        for parameter in parameters.split(";"):
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        quality[media] = max(quality[media], q)
    graphql = quality[GRAPHQL_RESPONSE]
    return GRAPHQL_RESPONSE if graphql > 0 and graphql >= quality[JSON] else JSON


def media_header(media: str) -> str:
    return f"{media}; charset=utf-8" if media == GRAPHQL_RESPONSE else media


def never_ran(data: object) -> bool:
    """A result of a request that was refused before execution (parse, validation, variable coercion): no data and
    no error with a path (every field error has one)."""
    return (isinstance(data, dict) and data.get("data") is None and bool(data.get("errors"))
            and all(isinstance(e, dict) and not e.get("path") for e in data["errors"]))


WATCHERS = "portal.session_watchers"


def ending(websocket: WebSocket) -> Callable[[], None]:
    """What closes a signed-in WebSocket (4401) when its session ends (``identity.sessions.SessionEnds``)."""
    closing: list[asyncio.Task[None]] = []

    async def close() -> None:
        with suppress(RuntimeError, OSError):  # closed already
            await websocket.close(code=4401, reason="session ended")

    def end() -> None:
        if not closing:
            closing.append(asyncio.get_running_loop().create_task(close()))
    return end


class PortalGraphQL(GraphQL):
    """strawberry's ASGI view with the portal's context, orjson output and GET-mutation refusal; its WebSocket
    handler shares broadcasts and drops slow subscribers (``portal.api.shared``)."""

    graphql_transport_ws_handler_class = PortalTransportWS

    def __init__(self, schema: BaseSchema, settings: Settings, public: PublicData) -> None:
        super().__init__(
            schema,
            graphql_ide=None if settings.production else "graphiql",
            allow_queries_via_get=True,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=timedelta(seconds=5),
            max_subscriptions_per_connection=10,
        )
        self.settings = settings
        self.public = public
        self.passwords = Passwords(settings.password_profile)
        self.broadcasts = Broadcasts(self.schema, lambda: anonymous_context(self), self.encode_json,
                                     settings.subscriber_queue)

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        return Context(request=request, response=response, settings=self.settings, public=self.public,
                       passwords=self.passwords)

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """Sign the connection in with `{"authorization": "Bearer <token>"}`; a dead token is refused (4403).
        Without a token the connection is anonymous (public streams only)."""
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        raw = params.get("authorization")
        token = bearer_token(raw) if isinstance(raw, str) else None
        if raw is not None and token is None:
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED", "message": "登录凭证格式不正确"})
        context.token = token
        principal = await context.principal() if token else None
        if principal is not None:
            websocket = context.request
            websocket.scope.setdefault(WATCHERS, []).append(
                session_ends().watch(principal.session_id, principal.expires_at, ending(websocket)))
            # A revocation published before the watch began was not heard: ask the database once more.
            if await authenticate(token) is None:
                principal = None
        if token and principal is None:
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED", "message": "登录已失效，请重新登录"})
        return UNSET

    def encode_json(self, data: object) -> str:
        # WebSocket frames must be text; HTTP responses skip the decode in create_response.
        return encode_answer(data).decode()

    def decode_json(self, data: str | bytes) -> object:
        """Request bodies, GET variables and WebSocket frames: orjson refuses nesting beyond 1,024 levels (the
        standard library recurses until the stack breaks), and anything but an object is refused here, once,
        for all three (strawberry would fail on a bare ``5`` or a list-shaped frame). A refusal is a
        ``JSONDecodeError``: HTTP 400, or close code 4400 on a WebSocket."""
        try:
            value = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            if "surrogate" not in str(exc):
                raise
            # Valid JSON that orjson will not decode: a lone surrogate escape. The standard library reads it,
            # and the rules refuse the character with a field error (portal/text.py).
            try:
                value = json.loads(data)
            except RecursionError as deep:
                raise orjson.JSONDecodeError("nested too deeply", data if isinstance(data, str) else "", 0) from deep
        if not isinstance(value, dict):
            raise orjson.JSONDecodeError("a JSON object is expected", data if isinstance(data, str) else "", 0)
        return value

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        try:
            response = await self.run(Request(scope=scope, receive=receive))
        except HTTPException as exc:
            response = request_error(exc.status_code, exc.reason)
        await response(scope, receive, send)

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        media = ANSWER_MEDIA.get()
        code = sub_response.status_code or status.HTTP_200_OK
        if media == GRAPHQL_RESPONSE and never_ran(response_data):
            response_data = {k: v for k, v in response_data.items() if k != "data"}
            code = status.HTTP_400_BAD_REQUEST
        response = Response(encode_answer(response_data), status_code=code, media_type=media_header(media))
        response.headers.raw.extend(sub_response.headers.raw)
        if sub_response.background:
            response.background = sub_response.background
        return response

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(graphiql_page())

    def is_websocket_origin_allowed(self, request: Any, origin: str) -> bool:
        """strawberry's own check (same origin, else its ``allowed_origins``) defers to the portal's one rule,
        which ``GraphQLEndpoint`` also applies before strawberry sees the socket."""
        return websocket_origin_allowed(request.scope, self.settings)

    async def execute_single(self, request: Any, request_adapter: Any, sub_response: Any, context: Any,
                             root_value: Any, request_data: GraphQLRequestData) -> ExecutionResult:
        """strawberry's, with the operation types HTTP may carry here: queries (GET or POST) and mutations
        (POST). Subscriptions need the WebSocket: over HTTP they ran their resolver as a query and failed."""
        method = request_adapter.method
        allowed = {OperationType.QUERY, OperationType.MUTATION} if method == "POST" else {OperationType.QUERY}
        try:
            return await self.schema.execute(
                request_data.query, root_value=root_value, variable_values=request_data.variables,
                context_value=context, operation_name=request_data.operation_name,
                allowed_operation_types=allowed, operation_extensions=request_data.extensions)
        except InvalidOperationTypeError as exc:
            if exc.operation_type is OperationType.SUBSCRIPTION:
                raise HTTPException(status.HTTP_400_BAD_REQUEST,
                                    "订阅只能通过 WebSocket（graphql-transport-ws）发送") from exc
            raise HTTPException(status.HTTP_405_METHOD_NOT_ALLOWED,
                                "Only queries may be sent with GET; send mutations with POST.") from exc
        except CannotGetOperationTypeError as exc:
            raise HTTPException(status.HTTP_400_BAD_REQUEST, exc.as_http_error_reason()) from exc
        except MissingQueryError as exc:
            raise HTTPException(status.HTTP_400_BAD_REQUEST, "请求中没有 GraphQL 查询（query）") from exc


def encode_answer(data: object) -> bytes:
    """An answer as JSON: orjson (UTF-8, no ``\\u`` escapes). A lone surrogate a client sent can come back in an
    error's message (graphql-core quotes a refused variable value); UTF-8 cannot carry it, so such an answer
    is written with ASCII escapes instead, as valid JSON."""
    try:
        return orjson.dumps(data)
    except TypeError:
        return json.dumps(data, ensure_ascii=True, separators=(",", ":")).encode()


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    for key, value in headers:
        if key == name:
            return value
    return None


class GraphQLEndpoint:
    """ASGI app for `/graphql`: refreshes public data, answers cached public queries from memory (before
    strawberry parses anything), limits the request body, and hands everything else to strawberry."""

    def __init__(self, view: PortalGraphQL, public: PublicData) -> None:
        self.view = view
        self.public = public

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._socket(scope, receive, send)
            return
        headers = scope["headers"]
        media = answer_media((_header(headers, b"accept") or b"").decode("latin-1"))
        token = ANSWER_MEDIA.set(media)
        try:
            await self._http(scope, receive, send, media)
        finally:
            ANSWER_MEDIA.reset(token)

    async def _http(self, scope: Scope, receive: Receive, send: Send, media: str) -> None:
        await self.public.refresh()
        method, headers = scope["method"], scope["headers"]
        # The answer's media type is part of the key: the same query's bytes go out under either content type.
        mark = b"+R " if media == GRAPHQL_RESPONSE else b" "
        if method == "POST":
            declared = (_header(headers, b"content-type") or b"").partition(b";")[0].strip().lower()
            if declared != JSON.encode():
                await request_error(415, "请以 Content-Type: application/json 发送 GraphQL 请求",
                                    received=declared.decode("latin-1")[:100] or None)(scope, receive, send)
                return
            body = await _read_body(scope, receive, send)
            if body is None:
                return
            key = b"POST" + mark + body
        else:
            body = b""
            key = b"GET" + mark + scope["query_string"]
        anonymous = _header(headers, b"authorization") is None
        if method in ("GET", "POST"):
            cached = self.public.cache.get(key)
            if cached is not None and (anonymous or cached.viewer_free):
                await _send_cached(headers, send, cached)
                return

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        captured: dict[str, Any] = {"status": 0, "body": b""}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
            elif message["type"] == "http.response.body":
                captured["body"] += message.get("body", b"")
            await send(message)

        version = self.public.version
        await self.view(scope, replay, capture)
        if captured["status"] == 200 and version == self.public.version:
            self._remember(scope, key, body, captured["body"], anonymous)

    async def _socket(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and not websocket_origin_allowed(scope, self.view.settings):
            await refuse_websocket(receive, send)
            return
        try:
            await self.view(scope, receive, send)
        finally:
            for stop_watching in scope.get(WATCHERS, ()):
                stop_watching()

    def _remember(self, scope: Scope, key: bytes, request_body: bytes, response_body: bytes, anonymous: bool) -> None:
        """Cache a successful answer to a query of public root fields: any such answer to an anonymous request,
        and a signed-in person's only when the query reads nothing of the viewer (``reads_no_viewer``)."""
        try:
            if scope["method"] == "POST":
                request = orjson.loads(request_body)
            else:
                request = {k: v for k, v in Request(scope).query_params.items()}
        except orjson.JSONDecodeError:
            return
        if not isinstance(request, dict):
            return
        query, name = request.get("query"), request.get("operationName")
        if not isinstance(query, str) or not is_public_query(query, name if isinstance(name, str) else None):
            return  # a mutation, a private query: the answer is not read again
        try:
            response = orjson.loads(response_body)
        except orjson.JSONDecodeError:
            return
        if not isinstance(response, dict) or "errors" in response:
            return
        viewer_free = reads_no_viewer(self.view.schema._schema, query, name if isinstance(name, str) else None)
        if anonymous or viewer_free:
            self.public.cache.put(key, response_body, viewer_free=viewer_free,
                                  media_type=media_header(ANSWER_MEDIA.get()).encode())


async def _read_body(scope: Scope, receive: Receive, send: Send) -> bytes | None:
    """The request body, or None once a body over the limit was answered with 413."""
    declared = _header(scope["headers"], b"content-length")
    if declared is not None and declared.isascii() and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        await _too_large(scope, receive, send)
        return None
    message = await receive()
    body = message.get("body", b"")
    while message.get("more_body", False):
        if len(body) > MAX_BODY_BYTES:
            break
        message = await receive()
        body += message.get("body", b"")
    if len(body) > MAX_BODY_BYTES:
        await _too_large(scope, receive, send)
        return None
    return body


async def _send_cached(headers: list[tuple[bytes, bytes]], send: Send, cached: CachedResponse) -> None:
    """The stored bytes with their precomputed headers; 304 when the client already holds this answer."""
    match = _header(headers, b"if-none-match")
    if match is not None and cached.etag in match:
        await send({"type": "http.response.start", "status": 304, "headers": [(b"etag", cached.etag)]})
        await send({"type": "http.response.body", "body": b""})
        return
    if cached.gzip_headers is not None and b"gzip" in (_header(headers, b"accept-encoding") or b""):
        await send({"type": "http.response.start", "status": 200, "headers": list(cached.gzip_headers)})
        await send({"type": "http.response.body", "body": cached.gzipped})
        return
    await send({"type": "http.response.start", "status": 200, "headers": list(cached.plain_headers)})
    await send({"type": "http.response.body", "body": cached.body})


REQUEST_ERROR_CODES = {400: "BAD_REQUEST", 405: "METHOD_NOT_ALLOWED", 413: "REQUEST_TOO_LARGE",
                       415: "UNSUPPORTED_MEDIA_TYPE"}


def request_error(status_code: int, message: str, **extensions: Any) -> Response:
    """A request refused before any GraphQL ran (malformed JSON, wrong method, too large): the GraphQL error
    shape with a code, so clients read every failure the same way."""
    code = REQUEST_ERROR_CODES.get(status_code, "BAD_REQUEST")
    body = {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}
    return Response(orjson.dumps(body), status_code=status_code, media_type=media_header(ANSWER_MEDIA.get()))


async def _too_large(scope: Scope, receive: Receive, send: Send) -> None:
    await request_error(413, f"请求过大：不能超过 {MAX_BODY_BYTES // 1024} KiB", limit=MAX_BODY_BYTES)(
        scope, receive, send)

