"""WebSocket sign-in and the end of a session, against real `portal serve` processes.

Two servers share the test database and Redis (PORTAL_BROKER_URL): a logout on one closes the
subscriber's connection on the other.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
import websockets

from portal.audit.rules import Actor
from portal.identity.models import Session
from portal.identity.passwords import Passwords
from portal.identity.rules import authenticate, grant_enterprise_agent, register_enterprise, token_digest
from tests.helpers import new_credit_code, new_id_number, new_phone, portal_server, registered_citizen

REDIS_URL = "redis://127.0.0.1:6379/0"
LOGOUT = "mutation { logout { __typename } }"


@pytest.fixture(scope="module")
def servers(database_url: str) -> Iterator[tuple[str, str]]:
    env = {"PORTAL_BROKER_URL": REDIS_URL}
    with portal_server(database_url, env=env) as first, portal_server(database_url, env=env) as second:
        yield first, second


async def citizen_token() -> str:
    return (await registered_citizen()).token


async def connect(base: str, payload: dict[str, Any]) -> Any:
    ws = await websockets.connect(base.replace("http", "ws") + "/graphql", subprotocols=["graphql-transport-ws"])
    await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
    return ws


async def closed_with(ws: Any, seconds: float = 5) -> int:
    with pytest.raises(websockets.ConnectionClosed) as closed:
        while True:
            await asyncio.wait_for(ws.recv(), seconds)
    return closed.value.rcvd.code


async def test_a_valid_token_is_acknowledged_and_queries_run(servers: tuple[str, str]) -> None:
    ws = await connect(servers[0], {"authorization": f"Bearer {await citizen_token()}"})
    try:
        assert json.loads(await ws.recv()) == {"type": "connection_ack"}
        await ws.send(json.dumps({"type": "subscribe", "id": "1", "payload": {"query": "{ me { account { kind } } }"}}))
        assert json.loads(await ws.recv()) == {"type": "next", "id": "1",
                                               "payload": {"data": {"me": {"account": {"kind": "CITIZEN"}}}}}
    finally:
        await ws.close()


@pytest.mark.parametrize("payload", [{"authorization": "Bearer not-a-session"}, {"authorization": "Token abc"}])
async def test_a_dead_or_malformed_token_is_refused(servers: tuple[str, str], payload: dict[str, str]) -> None:
    ws = await connect(servers[0], payload)
    assert await closed_with(ws) == 4403


async def test_logout_on_another_server_closes_the_connection(servers: tuple[str, str]) -> None:
    token = await citizen_token()
    ws = await connect(servers[1], {"authorization": f"Bearer {token}"})
    assert json.loads(await ws.recv()) == {"type": "connection_ack"}
    async with httpx.AsyncClient() as http:
        response = await http.post(f"{servers[0]}/graphql", json={"query": LOGOUT},
                                   headers={"authorization": f"Bearer {token}"})
    assert response.json() == {"data": {"logout": {"__typename": "LogoutSuccess"}}}
    assert await closed_with(ws) == 4401


async def test_the_connection_closes_when_the_session_expires(servers: tuple[str, str]) -> None:
    token = await citizen_token()
    await Session.filter(token_hash=token_digest(token)).update(
        expires_at=datetime.now(timezone.utc) + timedelta(seconds=1.5))
    ws = await connect(servers[0], {"authorization": f"Bearer {token}"})
    assert json.loads(await ws.recv()) == {"type": "connection_ack"}
    assert await closed_with(ws, seconds=5) == 4401


async def test_anonymous_connections_are_allowed_for_public_data(servers: tuple[str, str]) -> None:
    ws = await connect(servers[0], {})
    try:
        assert json.loads(await ws.recv()) == {"type": "connection_ack"}
        await ws.send(json.dumps({"type": "subscribe", "id": "1", "payload": {"query": "{ me { account { id } } }"}}))
        assert json.loads(await ws.recv()) == {"type": "next", "id": "1", "payload": {"data": {"me": None}}}
    finally:
        await ws.close()


SUBMIT_APPEAL = """mutation($input: SubmitAppealInput!) { submitAppeal(input: $input) { ... on Appeal { id } } }"""
APPEAL_UPDATED = "subscription($id: ID!) { appealUpdated(id: $id) { kind } }"
REVOKE_AGENT = "mutation($id: ID!) { revokeEnterpriseAgent(id: $id) { __typename } }"


async def test_revoking_an_agent_on_one_server_ends_their_stream_on_the_other(servers: tuple[str, str]) -> None:
    actor = Actor(None, "test", "10.249.0.1")
    company = await register_enterprise(Passwords("test"), actor, name="济南泉城物流有限公司",
                                        credit_code=new_credit_code(), legal_representative_id_number=new_id_number(),
                                        phone=new_phone(), password="Company-2115!x")
    agent = await registered_citizen()
    grant = await grant_enterprise_agent(await authenticate(company.token), actor, id_number=agent.account.id_number)
    async with httpx.AsyncClient(timeout=10) as http:
        async def as_company(query: str, variables: dict[str, Any]) -> dict[str, Any]:
            response = await http.post(f"{servers[0]}/graphql", json={"query": query, "variables": variables},
                                       headers={"authorization": f"Bearer {company.token}"})
            return response.json()["data"]

        appeal = (await as_company(SUBMIT_APPEAL, {"input": {
            "title": "物流园区道路施工影响车辆通行", "category": "OTHER", "idempotencyKey": "ws-revoke",
            "content": "园区主干道施工已持续两个月，未设置临时通道，企业货车无法正常进出，影响正常经营。"}}))["submitAppeal"]
        ws = await connect(servers[1], {"authorization": f"Bearer {agent.token}"})
        try:
            assert json.loads(await ws.recv()) == {"type": "connection_ack"}
            await ws.send(json.dumps({"type": "subscribe", "id": "1", "payload": {
                "query": APPEAL_UPDATED, "variables": {"id": appeal["id"]}}}))
            assert json.loads(await asyncio.wait_for(ws.recv(), 5)) == {
                "type": "next", "id": "1", "payload": {"data": {"appealUpdated": {"kind": "appeal.received"}}}}
            revoked = await as_company(REVOKE_AGENT, {"id": str(grant.id)})
            assert revoked == {"revokeEnterpriseAgent": {"__typename": "AgentGrant"}}
            ended = json.loads(await asyncio.wait_for(ws.recv(), 5))
            assert ended["type"] == "next" and ended["payload"]["data"] is None
            assert [e["extensions"] for e in ended["payload"]["errors"]] == [{"code": "NOT_AUTHORISED"}]
            assert json.loads(await asyncio.wait_for(ws.recv(), 5)) == {"type": "complete", "id": "1"}
        finally:
            await ws.close()
