"""GraphQL over HTTP: the media types of the spec, and graphql-http's audit (the spec's reference implementation,
run with Node from tests/clients/graphql-http) against a real server: every MUST and every SHOULD passes."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from portal.api.http import GRAPHQL_RESPONSE, answer_media
from tests.helpers import portal_server

AUDIT = Path(__file__).parent / "clients" / "graphql-http"
RESPONSE_TYPE = "application/graphql-response+json; charset=utf-8"


@pytest.mark.parametrize("accept, media", [
    (None, "application/json"),
    ("*/*", "application/json"),
    ("application/json", "application/json"),
    ("application/graphql-response+json", GRAPHQL_RESPONSE),
    ("application/graphql-response+json, application/json;q=0.9", GRAPHQL_RESPONSE),
    ("application/json, application/graphql-response+json", GRAPHQL_RESPONSE),  # the spec's preference
    ("application/json;q=1, application/graphql-response+json;q=0.5", "application/json"),
    ("application/graphql-response+json;q=0", "application/json"),
    ("application/graphql-response+json;q=abc", "application/json"),
    ("text/html", "application/json"),
])
def test_the_answer_takes_the_media_type_the_client_prefers(accept: str | None, media: str) -> None:
    assert answer_media(accept) == media


async def post(client: httpx.AsyncClient, body: dict[str, Any], accept: str) -> httpx.Response:
    return await client.post("/graphql", content=json.dumps(body), headers={"content-type": "application/json",
                                                                            "accept": accept})


async def test_a_request_that_never_ran_is_a_400_without_data_for_the_new_media_type(
        client: httpx.AsyncClient) -> None:
    for body in ({"query": "{"}, {"query": "{ noSuchField }"},
                 {"query": "query($c: String!) { bundle(code: $c) { code } }", "variables": {"c": 5}}):
        new = await post(client, body, GRAPHQL_RESPONSE)
        assert new.status_code == 400, new.text
        assert new.headers["content-type"] == RESPONSE_TYPE
        assert "data" not in new.json() and new.json()["errors"]
        legacy = await post(client, body, "application/json")
        assert legacy.status_code == 200 and legacy.headers["content-type"] == "application/json"
        assert legacy.json()["data"] is None and legacy.json()["errors"]


async def test_a_result_is_200_under_either_media_type_and_both_are_cached_apart(client: httpx.AsyncClient) -> None:
    body = {"query": "{ bundles(first: 1) { edges { node { code } } } }"}
    for cached in (False, True):  # the second answers come from the public cache
        new = await post(client, body, GRAPHQL_RESPONSE)
        assert new.status_code == 200 and new.headers["content-type"] == RESPONSE_TYPE
        legacy = await post(client, body, "application/json")
        assert legacy.status_code == 200 and legacy.headers["content-type"] == "application/json"
        assert new.json() == legacy.json() and new.json()["data"]["bundles"]["edges"]
        if cached:
            assert "Accept" in new.headers["vary"] and new.headers["etag"] != legacy.headers["etag"]


async def test_a_post_without_a_json_content_type_is_refused_even_when_its_answer_is_cached(
        client: httpx.AsyncClient) -> None:
    body = json.dumps({"query": "{ __typename }"})
    assert (await client.post("/graphql", content=body, headers={"content-type": "application/json"})).status_code \
        == 200
    for content_type in (None, "text/plain;charset=UTF-8", "application/x-www-form-urlencoded"):
        headers = {"content-type": content_type} if content_type else {}
        refused = await client.post("/graphql", content=body, headers=headers)
        assert refused.status_code == 415, (content_type, refused.text)
        assert refused.json()["errors"][0]["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"


@pytest.fixture(scope="module")
def audit_tool() -> Path:
    """graphql-http from the npm registry, at the version the lock file pins (installed once per checkout)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    assert node and npm, "Node.js and npm are needed for the GraphQL over HTTP audit"
    if not (AUDIT / "node_modules" / "graphql-http").is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=AUDIT, check=True, timeout=300,
                       capture_output=True)
    return AUDIT / "audit.mjs"


@pytest.fixture(scope="module")
def served(database_url: str) -> Iterator[str]:
    with portal_server(database_url) as base:
        yield base


def test_the_graphql_http_audit_passes_every_must_and_should(audit_tool: Path, served: str) -> None:
    ran = subprocess.run(["node", str(audit_tool), f"{served}/graphql"], capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    results = json.loads(ran.stdout)
    assert len(results) >= 60  # graphql-http 1.23.1 has 61 audits
    failing = [f"{r['status']} {r['id']} {r['name']}: {r['reason']}" for r in results if r["status"] != "ok"]
    assert failing == []
