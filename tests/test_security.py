"""The protective layer: production schema settings, the cost limit and limit codes, security headers,
CORS, WebSocket origins and the WebSocket message size."""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
import uvicorn
from graphql import parse
from starlette.applications import Starlette
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect
from websockets.exceptions import ConnectionClosedError
from websockets.sync.client import connect

from portal import cli
from portal.api import limits
from portal.api.http import MAX_BODY_BYTES
from portal.api.limits import MAX_COST, estimate_cost
from portal.api.schema import create_schema, schema
from portal.api.security import websocket_origin_allowed
from portal.app import create_app
from portal.catalog.source import read_catalog
from portal.config import Settings
from tests.helpers import count_queries

ALLOWED = "https://m.example.gov.cn"
FOREIGN = "https://evil.example.com"
DEEP = ("{ bundles(first: 100) { edges { node { code items { item { code department { name } fields { key } "
        "materials { code } } } form { fields { key options { value } } materials { code } } } } } }")
TOO_COSTLY = "{ bundles(first: 100) { edges { node { items { item { fields { options { value label } } } } } } } }"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self' ws://portal.test wss://portal.test{origins}; frame-ancestors 'none'; base-uri 'self'; "
       "form-action 'self'; object-src 'none'")
GRAPHIQL_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; "
                "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                "connect-src 'self' ws://portal.test wss://portal.test; frame-ancestors 'none'; base-uri 'self'; "
                "form-action 'self'; object-src 'none'; font-src 'self' data:")
STATIC_HEADERS = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "permissions-policy": "camera=(self), geolocation=(), microphone=()",
    "cross-origin-opener-policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"


def assert_security_headers(response: httpx.Response, origins: str = "", *, csp: str | None = None) -> None:
    assert response.headers["content-security-policy"] == (csp or CSP.format(origins=origins))
    for name, value in STATIC_HEADERS.items():
        assert response.headers[name] == value, name
    assert "strict-transport-security" not in response.headers


@pytest.fixture
def production(settings: Settings) -> Settings:
    return Settings(database_url=settings.database_url, env="production", secret_key="k" * 40,
                    allowed_origins=(ALLOWED,), public_version_check_seconds=0)


@pytest.fixture
def production_app(production: Settings) -> Starlette:
    return create_app(production, manage_database=False)


@pytest_asyncio.fixture
async def production_client(production_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=production_app),
                                 base_url="http://portal.test") as c:
        yield c


# Production schema settings


async def test_production_refuses_introspection(production_client: httpx.AsyncClient,
                                                client: httpx.AsyncClient) -> None:
    response = await production_client.post("/graphql", json={"query": "{ __schema { types { name } } }"})
    body = response.json()
    assert body["data"] is None
    assert [(e["message"], e["extensions"]) for e in body["errors"]] == [
        ("GraphQL introspection has been disabled, but the requested query contained the field '__schema'.",
         {"code": "INTROSPECTION_DISABLED"}),
        ("GraphQL introspection has been disabled, but the requested query contained the field 'types'.",
         {"code": "INTROSPECTION_DISABLED"}),
    ]
    # __typename is not introspection; development introspects.
    assert (await production_client.post("/graphql", json={"query": "{ __typename }"})).json() == {
        "data": {"__typename": "Query"}}
    development = await client.post("/graphql", json={"query": "{ __schema { queryType { name } } }"})
    assert development.json() == {"data": {"__schema": {"queryType": {"name": "Query"}}}}


async def test_production_gives_no_suggestions(production_client: httpx.AsyncClient,
                                               client: httpx.AsyncClient) -> None:
    async def messages(c: httpx.AsyncClient, query: str) -> list[str]:
        return [e["message"] for e in (await c.post("/graphql", json={"query": query})).json()["errors"]]

    assert await messages(production_client, "{ bundels { totalCount } }") == [
        "Cannot query field 'bundels' on type 'Query'."]
    assert await messages(client, "{ bundels { totalCount } }") == [
        "Cannot query field 'bundels' on type 'Query'. Did you mean 'bundles' or 'bundle'?"]
    # Argument names are not suggested either (strawberry's option covers fields only).
    assert await messages(production_client, "{ bundles(frist: 1) { totalCount } }") == [
        "Unknown argument 'frist' on field 'Query.bundles'."]
    assert await messages(client, "{ bundles(frist: 1) { totalCount } }") == [
        "Unknown argument 'frist' on field 'Query.bundles'. Did you mean 'first'?"]


def test_the_exported_schema_stays_the_development_one() -> None:
    assert schema.config.disable_field_suggestions is False
    assert create_schema(production=True).as_str() == schema.as_str()


# Cost limit and limit codes


def cost(query: str) -> int:
    return estimate_cost(schema._schema, parse(query))


def test_cost_estimates() -> None:
    assert cost("{ departments { code } }") == 1 + 10 * 1  # a list field multiplies by 10
    assert cost("{ departments { code region { code } } }") == 1 + 10 * (1 + 2)
    assert cost("{ bundles { edges { node { code } } } }") == 1 + 20 * 3  # a connection's default page
    assert cost("{ bundles(first: 5) { totalCount edges { cursor node { code } } } }") == 1 + 5 * (1 + 1 + 1 + 2)
    # A variable `first` counts as the page cap.
    assert cost("query Page($n: Int) { bundles(first: $n) { edges { node { code } } } }") == 1 + 100 * 3
    # Fragments are expanded, introspection fields cost nothing.
    assert cost("{ bundles(first: 10) { ...page __typename } } "
                "fragment page on BundleConnection { totalCount edges { node { code ... on Bundle { name } } } }"
                ) == 1 + 10 * (1 + 1 + (1 + 2))
    assert cost("{ __schema { types { name fields { name } } } }") == 0
    # The costliest operation of a document.
    assert cost("query A { departments { code } } query B { bundle(code: \"x\") { code } }") == 11
    assert cost(DEEP) == 39701


async def test_the_deepest_legitimate_catalog_query_is_well_within_the_cost_limit(gql: Any) -> None:
    assert cost(DEEP) <= MAX_COST // 2
    body = await gql(DEEP)
    assert "errors" not in body
    assert len(body["data"]["bundles"]["edges"]) == len(read_catalog().bundles)


async def test_the_cost_limit_names_itself(gql: Any) -> None:
    body = await gql(TOO_COSTLY)
    assert body == {"data": None, "errors": [{
        "message": "Query cost 212301 exceeds the maximum cost of 100000",
        "locations": [{"line": 1, "column": 1}],
        "extensions": {"code": "QUERY_TOO_COSTLY", "limit": 100000, "cost": 212301}}]}


async def test_a_smaller_cost_limit_is_enforced_from_the_validation_cache(database_url: str,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    small = create_schema(max_cost=300)
    query = "query Page($n: Int) { bundles(first: $n) { edges { node { code } } } }"
    validations: list[object] = []
    checked = limits.DocumentLimits.errors
    monkeypatch.setattr(limits.DocumentLimits, "errors",
                        lambda *args: validations.append(args) or checked(*args))
    for attempt in range(2):
        result = await small.execute(query, variable_values={"n": 1})
        [error] = result.errors
        assert error.message == "Query cost 301 exceeds the maximum cost of 300", attempt
        assert error.extensions == {"code": "QUERY_TOO_COSTLY", "limit": 300, "cost": 301}
    assert len(validations) == 1  # the second time, the verdict came from the cache
    within = await small.execute("{ bundles(first: 10) { totalCount } }")  # 1 + 10 * 1
    assert (within.errors, within.data) == (None, {"bundles": {"totalCount": len(read_catalog().bundles)}})


async def test_depth_alias_and_token_errors_carry_codes() -> None:
    limited = create_schema(max_depth=2, max_aliases=2, max_tokens=40)
    deep = await limited.execute("{ bundles { edges { node { code } } } }")
    assert [(e.message, e.extensions) for e in deep.errors] == [
        ("'anonymous' exceeds maximum operation depth of 2", {"code": "QUERY_TOO_DEEP", "limit": 2})]
    aliases = await limited.execute("{ a: __typename b: __typename c: __typename }")
    assert [(e.message, e.extensions) for e in aliases.errors] == [
        ("3 aliases found. Allowed: 2", {"code": "TOO_MANY_ALIASES", "limit": 2})]
    tokens = await limited.execute("{ " + "__typename " * 40 + "}")
    assert [(e.message, e.extensions) for e in tokens.errors] == [
        ("Syntax Error: Document contains more than 40 tokens. Parsing aborted.",
         {"code": "TOO_MANY_TOKENS", "limit": 40})]
    # Every other error in the request itself is coded too.
    broken = await limited.execute("{ bundles")
    assert [(e.message, e.extensions) for e in broken.errors] == [
        ("Syntax Error: Expected Name, found <EOF>.", {"code": "GRAPHQL_PARSE_FAILED"})]
    unknown = await limited.execute("{ nothingHere }")
    assert [(e.message, e.extensions) for e in unknown.errors] == [
        ("Cannot query field 'nothingHere' on type 'Query'.", {"code": "GRAPHQL_VALIDATION_FAILED"})]
    variable = await limited.execute("query($n: Int) { bundles(first: $n) { totalCount } }",
                                     variable_values={"n": "x"})
    assert [(e.message, e.extensions) for e in variable.errors] == [
        ("Variable '$n' has invalid value: Int cannot represent non-integer value: 'x'",
         {"code": "BAD_USER_INPUT"})]


def test_limit_errors_carry_codes_over_websocket(settings: Settings) -> None:
    client = TestClient(create_app(settings, manage_database=False))
    aliases = "{ " + " ".join(f"a{i}: __typename" for i in range(31)) + " }"
    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json({"type": "connection_init", "payload": {}})
        assert ws.receive_json() == {"type": "connection_ack"}
        ws.send_json({"type": "subscribe", "id": "1", "payload": {"query": aliases}})
        assert ws.receive_json() == {"type": "error", "id": "1", "payload": [{
            "message": "31 aliases found. Allowed: 30", "extensions": {"code": "TOO_MANY_ALIASES", "limit": 30}}]}
        ws.send_json({"type": "subscribe", "id": "2", "payload": {"query": TOO_COSTLY}})
        assert ws.receive_json() == {"type": "error", "id": "2", "payload": [{
            "message": "Query cost 212301 exceeds the maximum cost of 100000", "locations": [{"line": 1, "column": 1}],
            "extensions": {"code": "QUERY_TOO_COSTLY", "limit": 100000, "cost": 212301}}]}


# Security headers


async def test_headers_on_graphql_cached_health_and_error_responses(client: httpx.AsyncClient) -> None:
    query = {"query": '{ bundle(code: "retirement") { name } }'}
    assert_security_headers(await client.post("/graphql", json=query))
    with count_queries() as counter:
        cached = await client.post("/graphql", json=query)
    assert [s for s in counter.statements if "public_version" not in s] == []  # answered from memory
    assert_security_headers(cached)
    assert_security_headers(await client.get("/graphql", params={"query": "{ __typename }"}))
    assert_security_headers(await client.get("/healthz"))
    missing = await client.get("/nowhere")
    assert missing.status_code == 404
    assert_security_headers(missing)
    wrong_method = await client.put("/graphql", content=b"{}")
    assert wrong_method.status_code == 405
    assert_security_headers(wrong_method)
    too_large = await client.post("/graphql", content=b" " * (MAX_BODY_BYTES + 1),
                                  headers={"content-type": "application/json"})
    assert too_large.status_code == 413
    assert_security_headers(too_large)


async def test_production_csp_connects_to_the_allowed_origins(production_client: httpx.AsyncClient) -> None:
    response = await production_client.post("/graphql", json={"query": "{ __typename }"})
    assert_security_headers(response, f" {ALLOWED}")
    assert (await production_client.get("/graphql", headers={"accept": "text/html"})).status_code == 404


async def test_graphiql_loads_everything_from_the_portal_in_development(client: httpx.AsyncClient) -> None:
    page = await client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert_security_headers(page, csp=GRAPHIQL_CSP)
    # No CDN: every script and style is the portal's own, and is the very file its integrity hash names.
    assert not re.findall(r'(?:src|href)="https?://', page.text)
    assets = re.findall(r'(?:src|href)="(/graphiql/[^"]+)"\s+integrity="sha384-([^"]+)"', page.text)
    assert len(assets) == 7
    for path, digest in assets:
        served = await client.get(path)
        assert served.status_code == 200, path
        assert base64.b64encode(hashlib.sha384(served.content).digest()).decode() == digest, path


async def test_production_serves_no_graphiql_files(production_client: httpx.AsyncClient) -> None:
    assert (await production_client.get("/graphiql/graphiql@3.8.3/graphiql.min.js")).status_code == 404


async def test_hsts_only_over_tls(app: Starlette) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://portal.test") as c:
        assert "strict-transport-security" not in (await c.get("/healthz")).headers
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://portal.test") as c:
        response = await c.get("/healthz")
        assert response.headers["strict-transport-security"] == HSTS
        missing = await c.get("/nowhere")
        assert missing.headers["strict-transport-security"] == HSTS


# CORS


async def test_cors_preflight_allows_the_configured_origins_only(production_client: httpx.AsyncClient) -> None:
    preflight = {"access-control-request-method": "POST",
                 "access-control-request-headers": "authorization, content-type"}
    allowed = await production_client.options("/graphql", headers={"origin": ALLOWED, **preflight})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == ALLOWED
    assert allowed.headers["access-control-allow-methods"] == "GET, POST"
    assert allowed.headers["access-control-allow-headers"] == (
        "Accept, Accept-Language, Authorization, Content-Language, Content-Type")
    assert "access-control-allow-credentials" not in allowed.headers
    assert_security_headers(allowed, f" {ALLOWED}")

    foreign = await production_client.options("/graphql", headers={"origin": FOREIGN, **preflight})
    assert foreign.status_code == 400
    assert "access-control-allow-origin" not in foreign.headers
    assert_security_headers(foreign, f" {ALLOWED}")

    other_method = await production_client.options("/graphql", headers={
        "origin": ALLOWED, "access-control-request-method": "DELETE"})
    assert other_method.status_code == 400

    simple = await production_client.post("/graphql", json={"query": "{ __typename }"}, headers={"origin": ALLOWED})
    assert simple.headers["access-control-allow-origin"] == ALLOWED
    plain = await production_client.post("/graphql", json={"query": "{ __typename }"}, headers={"origin": FOREIGN})
    assert plain.status_code == 200 and "access-control-allow-origin" not in plain.headers


# WebSocket origins


def open_and_init(client: TestClient, origin: str | None) -> dict[str, Any]:
    headers = {"origin": origin} if origin else {}
    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"], headers=headers) as ws:
        ws.send_json({"type": "connection_init", "payload": {}})
        return ws.receive_json()


def test_production_websocket_refuses_foreign_origins(production: Settings) -> None:
    # No lifespan: the session database stays on the test's event loop.
    client = TestClient(create_app(production, manage_database=False))
    for origin in (FOREIGN, "null", "http://testserver.evil.example", "http://testserver:8080"):
        with pytest.raises(WebSocketDisconnect) as refused:
            open_and_init(client, origin)
        assert (refused.value.code, refused.value.reason) == (1008, "Origin not allowed"), origin
    for origin in (ALLOWED, "http://testserver", "https://testserver", None):
        assert open_and_init(client, origin) == {"type": "connection_ack"}, origin


def test_development_websocket_accepts_any_origin(settings: Settings) -> None:
    client = TestClient(create_app(settings, manage_database=False))
    assert open_and_init(client, FOREIGN) == {"type": "connection_ack"}


@pytest.mark.parametrize(("origin", "host", "allowed"), [
    ("https://portal.gov.cn", "portal.gov.cn", True),
    ("http://portal.gov.cn", "portal.gov.cn", True),
    ("HTTPS://Portal.gov.cn/", "portal.gov.cn", True),
    ("https://portal.gov.cn", "portal.gov.cn:443", True),
    ("http://portal.gov.cn:8000", "portal.gov.cn:8000", True),
    ("https://portal.gov.cn", "portal.gov.cn:8000", False),
    ("https://portal.gov.cn:8443", "portal.gov.cn", False),
    ("https://m.example.gov.cn", "portal.gov.cn", True),
    ("https://x.example.gov.cn", "portal.gov.cn", False),
    ("ftp://portal.gov.cn", "portal.gov.cn", False),
    ("https://portal.gov.cn/path", "portal.gov.cn", False),
    ("https://portal.gov.cn", None, False),
    ("null", "portal.gov.cn", False),
])
def test_websocket_origin_rule(production: Settings, origin: str, host: str | None, allowed: bool) -> None:
    headers = [(b"origin", origin.encode())] + ([(b"host", host.encode())] if host else [])
    scope = {"type": "websocket", "headers": headers}
    assert websocket_origin_allowed(scope, production) is allowed
    assert websocket_origin_allowed(scope, Settings(database_url=production.database_url)) is True


# WebSocket message size (uvicorn enforces it; the TestClient does not)


@pytest.fixture
def served(settings: Settings) -> Iterator[str]:
    """The development app on a real uvicorn, in a thread, on a free loopback port."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(create_app(settings, manage_database=False), lifespan="off", log_level="warning",
                            **cli.UVICORN_WEBSOCKET_OPTIONS, **cli.UVICORN_SPEED_OPTIONS)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 3
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield f"ws://127.0.0.1:{port}/graphql"
    finally:
        server.should_exit = True
        thread.join(5)
        listener.close()


def test_websocket_message_over_64_kib_closes_the_connection(served: str) -> None:
    with connect(served, subprotocols=["graphql-transport-ws"], open_timeout=2, close_timeout=1) as ws:
        ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(ws.recv(timeout=2)) == {"type": "connection_ack"}
        query = "{ __typename }" + " " * (cli.WS_MAX_SIZE - 100)
        small = json.dumps({"type": "subscribe", "id": "1", "payload": {"query": query}})
        assert len(small.encode()) <= cli.WS_MAX_SIZE
        ws.send(small)
        assert json.loads(ws.recv(timeout=2)) == {"type": "next", "id": "1", "payload": {"data": {"__typename": "Query"}}}
        assert json.loads(ws.recv(timeout=2)) == {"type": "complete", "id": "1"}
        ws.send(json.dumps({"type": "subscribe", "id": "2", "payload": {"query": query + " " * 200}}))
        with pytest.raises(ConnectionClosedError) as closed:
            ws.recv(timeout=2)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1009


def test_portal_serve_passes_the_websocket_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append(kwargs))
    monkeypatch.setenv("PORTAL_DATABASE_URL", "sqlite:///unused.sqlite3")
    args = argparse.Namespace(host="127.0.0.1", port=8000, workers=1, demo=False, database=None)
    assert cli.cmd_serve(args) == 0
    [options] = calls
    assert (options["ws"], options["ws_max_size"]) == ("websockets-sansio", 65536)
    assert options["ws_per_message_deflate"] is False
    assert (options["loop"], options["http"]) == ("uvloop", "httptools")
