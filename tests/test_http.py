"""The HTTP and WebSocket surface: methods, encoding, compression, caching, limits, masking, health."""

from __future__ import annotations

import gc
import gzip
import logging
import re
from typing import Any

import httpx
import pytest
from graphql import print_ast
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from portal import db, versions
from portal.api import limits
from portal.api.http import MAX_BODY_BYTES
from portal.api.public import reads_no_viewer
from portal.api.schema import create_schema
from portal.app import create_app
from portal.catalog import rules
from portal.config import Settings
from tests.helpers import count_queries, registered_citizen

DEPARTMENTS = "{ departments { code name } }"
BUNDLES = "{ bundles(first: 100) { edges { node { code name description form { fields { key label } } } } } }"


async def test_query_over_get(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", params={"query": "{ bundle(code: \"newborn\") { name } }"})
    assert response.status_code == 200
    assert response.json() == {"data": {"bundle": {"name": "新生儿出生一件事"}}}


async def test_mutation_over_get_is_405(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", params={"query": "mutation { __typename }"})
    assert response.status_code == 405


async def test_other_methods_are_405(client: httpx.AsyncClient) -> None:
    assert (await client.put("/graphql", content=b"{}")).status_code == 405


async def test_json_is_utf8_without_unicode_escapes(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": DEPARTMENTS})
    assert response.headers["content-type"] == "application/json"
    assert "山东省公安厅".encode() in response.content
    assert b"\\u" not in response.content


async def test_invalid_json_body_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 400


async def test_large_responses_are_gzipped_small_ones_not(client: httpx.AsyncClient) -> None:
    for attempt in ("computed", "cached"):
        response = await client.post("/graphql", json={"query": BUNDLES}, headers={"accept-encoding": "gzip"})
        assert response.headers.get("content-encoding") == "gzip", attempt
        assert response.json()["data"]["bundles"]["edges"][0]["node"]["code"] == "enterprise-info-change"
    small = await client.post("/graphql", json={"query": "{ __typename }"}, headers={"accept-encoding": "gzip"})
    assert "content-encoding" not in small.headers


async def test_cached_gzip_body_is_valid_and_plain_clients_get_plain(client: httpx.AsyncClient) -> None:
    await client.post("/graphql", json={"query": BUNDLES})
    raw = await client.post("/graphql", json={"query": BUNDLES}, headers={"accept-encoding": "gzip"})
    plain = await client.post("/graphql", json={"query": BUNDLES}, headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert raw.json() == plain.json()
    assert int(raw.headers["content-length"]) < len(plain.content)
    assert gzip.decompress(gzip.compress(plain.content)) == plain.content


async def test_anonymous_public_queries_are_served_from_memory(client: httpx.AsyncClient) -> None:
    query = {"query": "{ bundle(code: \"retirement\") { name promisedDays } }"}
    first = await client.post("/graphql", json=query)
    with count_queries() as counter:
        second = await client.post("/graphql", json=query)
    assert second.content == first.content
    # Only the public-version check runs: no catalog query.
    assert [s for s in counter.statements if "public_version" not in s] == []


async def test_a_catalog_change_drops_cached_responses(client: httpx.AsyncClient) -> None:
    query = {"query": "{ bundle(code: \"retirement\") { name } }"}
    await client.post("/graphql", json=query)
    await versions.bump(versions.CATALOG)
    with count_queries() as counter:
        response = await client.post("/graphql", json=query)
    assert response.json() == {"data": {"bundle": {"name": "退休一件事"}}}
    assert any('"bundle"' in s for s in counter.statements)


async def test_errors_are_not_cached(client: httpx.AsyncClient) -> None:
    bad = {"query": "{ bundles(first: 500) { totalCount } }"}
    await client.post("/graphql", json=bad)
    with count_queries() as counter:
        await client.post("/graphql", json=bad)
    assert counter.statements == [s for s in counter.statements if "public_version" in s]
    assert (await client.post("/graphql", json=bad)).json()["errors"][0]["extensions"]["field"] == "first"


CATALOG_PAGE = """query Bundles($first: Int) { bundles(first: $first) { totalCount pageInfo { hasNextPage endCursor }
  edges { node { code name items { item { code department { name region { name } } } } channels } } } }"""


@pytest.mark.parametrize("first_sender", ["anonymous", "signed in"])
async def test_a_query_reading_no_viewer_is_served_from_the_cache_to_anyone(
        client: httpx.AsyncClient, first_sender: str) -> None:
    """Whoever asked first, anyone asks next from memory: not even the session is looked up."""
    citizen = await registered_citizen()
    signed_in = {"authorization": f"Bearer {citizen.token}"}
    query = {"query": CATALOG_PAGE, "variables": {"first": 7}, "operationName": "Bundles"}
    first = await client.post("/graphql", json=query, headers=signed_in if first_sender == "signed in" else {})
    assert len(first.json()["data"]["bundles"]["edges"]) == 7
    for headers in ({}, signed_in, {"authorization": "Bearer not-a-session"}):
        with count_queries() as counter:
            again = await client.post("/graphql", json=query, headers=headers)
        assert again.content == first.content
        assert [s for s in counter.statements if "public_version" not in s] == [], headers


VIEWER_QUERY = '{ bundle(code: "newborn") { name form { fields { key value } } } }'


def values(response: httpx.Response) -> dict[str, Any]:
    return {f["key"]: f["value"] for f in response.json()["data"]["bundle"]["form"]["fields"]}


@pytest.mark.parametrize("first_sender", ["anonymous", "a", "b"])
async def test_a_viewers_field_is_never_served_from_the_cache_to_another_viewer(
        client: httpx.AsyncClient, first_sender: str) -> None:
    """The form prefilled for one person (their own name) is not another's, nor an anonymous visitor's,
    whoever asked first and however often."""
    a, b = await registered_citizen("林黛玉"), await registered_citizen("薛宝钗")
    senders = {"anonymous": {}, "a": {"authorization": f"Bearer {a.token}"},
               "b": {"authorization": f"Bearer {b.token}"}}
    order = [first_sender, *[s for s in senders if s != first_sender]]
    seen: dict[str, dict[str, Any]] = {}
    for _ in range(2):
        for sender in order:
            seen_now = values(await client.post("/graphql", json={"query": VIEWER_QUERY}, headers=senders[sender]))
            assert seen.setdefault(sender, seen_now) == seen_now, sender
    assert "林黛玉" in seen["a"].values() and "薛宝钗" not in seen["a"].values()
    assert "薛宝钗" in seen["b"].values() and "林黛玉" not in seen["b"].values()
    assert not {"林黛玉", "薛宝钗"} & set(seen["anonymous"].values())


def test_only_plain_attributes_and_public_resolvers_read_no_viewer() -> None:
    schema = create_schema()._schema
    assert reads_no_viewer(schema, CATALOG_PAGE, "Bundles")
    assert reads_no_viewer(schema, "{ bundles { edges { node { ...B } } } } fragment B on Bundle { code items "
                                   "{ item { department { region { name } } } } }", None)
    assert not reads_no_viewer(schema, "{ bundles { edges { node { ...B } } } } fragment B on Bundle { form "
                                       "{ certificateFreeShare } }", None)
    assert not reads_no_viewer(schema, VIEWER_QUERY, None)
    assert not reads_no_viewer(schema, "{ bundle(code: \"newborn\") { ... on Bundle { form { __typename } } } }",
                               None)
    assert not reads_no_viewer(schema, "{ bundles { totalCount } me { account { id } } }", None)
    assert not reads_no_viewer(schema, "mutation { __typename }", None)


async def test_cached_answers_carry_an_etag_and_a_match_is_304(client: httpx.AsyncClient) -> None:
    params = {"query": "{ bundle(code: \"retirement\") { name } }"}
    await client.get("/graphql", params=params)
    cached = await client.get("/graphql", params=params)
    etag = cached.headers["etag"]
    again = await client.get("/graphql", params=params, headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert (await client.get("/graphql", params=params, headers={"if-none-match": '"other"'})).status_code == 200


async def test_request_body_over_the_limit_is_413(client: httpx.AsyncClient) -> None:
    padding = " " * (MAX_BODY_BYTES + 1)
    response = await client.post("/graphql", content=b'{"query": "{ __typename }"' + padding.encode() + b"}",
                                 headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"


async def test_unexpected_errors_are_masked_with_a_reference_in_the_log(
        client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    async def broken() -> list[Any]:
        raise RuntimeError("connection string postgres://secret@db")

    monkeypatch.setattr(rules, "departments", broken)
    with caplog.at_level(logging.ERROR, logger="portal.errors"):
        response = await client.post("/graphql", json={"query": DEPARTMENTS}, headers={"authorization": "Bearer a"})
    body = response.json()
    [error] = body["errors"]
    assert "secret" not in response.text and "Traceback" not in response.text
    assert error["extensions"]["code"] == "INTERNAL_ERROR"
    reference = error["extensions"]["reference"]
    assert re.fullmatch(r"[0-9a-f]{12}", reference)
    assert reference in error["message"]
    [record] = [r for r in caplog.records if reference in r.getMessage()]
    assert "postgres://secret@db" in str(record.exc_info[1])


async def test_the_deepest_catalog_query_is_within_the_depth_limit(gql: Any) -> None:
    deep = "{ bundles { edges { node { items { item { department { region { code } } } } } } } }"
    assert (await gql(deep))["data"]["bundles"]["edges"]


async def test_depth_alias_and_token_limits_name_themselves() -> None:
    schema = create_schema(max_depth=2, max_aliases=2, max_tokens=40)
    deep = await schema.execute("{ bundles { edges { node { code } } } }")
    assert deep.errors[0].message == "'anonymous' exceeds maximum operation depth of 2"
    aliases = await schema.execute("{ a: __typename b: __typename c: __typename }")
    assert aliases.errors[0].message == "3 aliases found. Allowed: 2"
    tokens = await schema.execute("{ " + "__typename " * 40 + "}")
    assert tokens.errors[0].message == "Syntax Error: Document contains more than 40 tokens. Parsing aborted."


async def test_a_document_is_validated_once_per_text_and_its_verdict_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    schema = create_schema(max_depth=2)
    validated: list[str] = []

    checked = limits.DocumentLimits.errors

    def counting(self: limits.DocumentLimits, graphql_schema: Any, document: Any) -> Any:
        validated.append(print_ast(document))
        return checked(self, graphql_schema, document)

    monkeypatch.setattr(limits.DocumentLimits, "errors", counting)
    deep, fine = "{ bundles { edges { node { code } } } }", "{ __typename }"
    for _ in range(3):
        assert (await schema.execute(deep)).errors[0].message == "'anonymous' exceeds maximum operation depth of 2"
        assert (await schema.execute(fine)).data == {"__typename": "Query"}
    assert len(validated) == 2
    other = create_schema(max_depth=2)  # another schema keeps its own verdicts
    assert (await other.execute(fine)).data == {"__typename": "Query"}
    assert len(validated) == 3


async def test_healthz_checks_the_database(client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok", "database": "ok"}

    async def down() -> None:
        raise ConnectionRefusedError("database is down")

    monkeypatch.setattr(db, "ping", down)
    response = await client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}


async def test_graphiql_in_development_only(client: httpx.AsyncClient, settings: Settings) -> None:
    page = await client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    production = Settings(database_url=settings.database_url, env="production", secret_key="k" * 40)
    app = create_app(production, manage_database=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://portal.test") as c:
        assert (await c.get("/graphql", headers={"accept": "text/html"})).status_code == 404
        home = await c.get("/")
        assert (home.status_code, home.headers["location"]) == (307, "/m/")


async def test_site_root_opens_the_mobile_client(client: httpx.AsyncClient) -> None:
    home = await client.get("/")
    assert (home.status_code, home.headers["location"]) == (307, "/m/")
    page = await client.get("/m/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-cache"
    script = await client.get("/shared/graphql.js")
    assert script.headers["content-type"].startswith("text/javascript")
    manifest = await client.get("/m/manifest.webmanifest")
    assert manifest.headers["content-type"] == "application/manifest+json"
    assert manifest.json()["start_url"] == "/m/"


def test_websocket_speaks_graphql_transport_ws_only(settings: Settings) -> None:
    # No lifespan: the session database stays on the test's event loop.
    client = TestClient(create_app(settings, manage_database=False))
    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json({"type": "connection_init", "payload": {}})
        assert ws.receive_json() == {"type": "connection_ack"}
        ws.send_json({"type": "subscribe", "id": "1", "payload": {
            "query": '{ addWorkingDays(from: "2025-09-30", days: 1) { date } }'}})
        assert ws.receive_json() == {"type": "next", "id": "1",
                                     "payload": {"data": {"addWorkingDays": {"date": "2025-10-09"}}}}
        assert ws.receive_json() == {"type": "complete", "id": "1"}
    with pytest.raises(WebSocketDisconnect) as refused:
        with client.websocket_connect("/graphql", subprotocols=["graphql-ws"]) as ws:
            ws.receive_json()
    assert refused.value.code == 4406


def test_websocket_without_connection_init_is_closed(settings: Settings) -> None:
    client = TestClient(create_app(settings, manage_database=False))
    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json({"type": "subscribe", "id": "1", "payload": {"query": "{ __typename }"}})
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 4401


@pytest.mark.parametrize("server", [True, False])
async def test_only_a_server_process_freezes_what_start_up_built(settings: Settings, server: bool) -> None:
    app = create_app(settings, manage_database=False, server=server)
    before = gc.get_freeze_count()
    try:
        async with app.router.lifespan_context(app):
            frozen = gc.get_freeze_count() - before
    finally:
        gc.unfreeze()  # give this test process its objects back
    assert (frozen > 10_000) is server
