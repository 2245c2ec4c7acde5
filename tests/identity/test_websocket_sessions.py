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

from portal.identity.models import Session
from portal.identity.rules import token_digest
from tests.helpers import portal_server, registered_citizen

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
