"""applicationUpdated against two real `portal serve` processes sharing the database and Redis:
subscribe on one, act on the other; resume after a reconnect; refuse strangers."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import websockets

from portal.audit.models import AuditEntry
from tests.applications.support import ACCEPT, APPROVE, NEWBORN_UPLOADS, PDF, SUBMIT, handler, newborn_values, task_of
from tests.helpers import portal_server, registered_citizen

REDIS_URL = "redis://127.0.0.1:6379/0"
FOLLOW = """subscription($id: ID!, $after: String) {
  applicationUpdated(id: $id, after: $after) { cursor kind application { id status } task { id status } }
}"""


@pytest.fixture(scope="module")
def servers(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    env = {"PORTAL_BROKER_URL": REDIS_URL, "PORTAL_UPLOAD_DIR": str(tmp_path_factory.mktemp("live-uploads"))}
    with portal_server(database_url, env=env) as first, portal_server(database_url, env=env) as second:
        yield first, second


async def citizen() -> str:
    return (await registered_citizen("周八")).token


async def call(http: httpx.AsyncClient, base: str, token: str, query: str, **variables: Any) -> dict[str, Any]:
    response = await http.post(f"{base}/graphql", json={"query": query, "variables": variables},
                               headers={"authorization": f"Bearer {token}"})
    return next(iter(response.json()["data"].values()))


async def submit(http: httpx.AsyncClient, base: str, token: str) -> dict[str, Any]:
    materials = []
    for code in NEWBORN_UPLOADS:
        response = await http.post(f"{base}/uploads", content=PDF + uuid.uuid4().bytes, headers={
            "authorization": f"Bearer {token}", "x-file-name": quote("材料.pdf")})
        materials.append({"code": code, "fileId": response.json()["id"]})
    return await call(http, base, token, SUBMIT, input={
        "bundleCode": "newborn", "formValues": newborn_values(), "channel": "MOBILE",
        "idempotencyKey": str(uuid.uuid4()), "materials": materials})


async def subscribe(base: str, token: str, application_id: str, after: str | None = None) -> Any:
    ws = await websockets.connect(base.replace("http", "ws") + "/graphql", subprotocols=["graphql-transport-ws"])
    await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
    assert json.loads(await ws.recv()) == {"type": "connection_ack"}
    await ws.send(json.dumps({"type": "subscribe", "id": "1", "payload": {
        "query": FOLLOW, "variables": {"id": application_id, "after": after}}}))
    return ws


async def next_event(ws: Any) -> dict[str, Any]:
    message = json.loads(await asyncio.wait_for(ws.recv(), 10))
    assert message["type"] == "next", message
    return message["payload"]["data"]["applicationUpdated"]


async def test_a_change_on_one_server_reaches_a_subscriber_on_the_other(servers: tuple[str, str]) -> None:
    first, second = servers
    token, clerk = await citizen(), await handler("370100-WJW")
    async with httpx.AsyncClient(timeout=20) as http:
        application = await submit(http, first, token)
        ws = await subscribe(second, token, application["id"])
        try:
            replayed = await next_event(ws)
            assert replayed == {"cursor": "1", "kind": "application.submitted",
                                "application": {"id": application["id"], "status": "IN_PROGRESS"}, "task": None}
            task = task_of(application, "370100-WJW-001")
            accepted = await call(http, first, clerk, ACCEPT, id=task["id"], v=task["version"])
            assert await next_event(ws) == {"cursor": "2", "kind": "task.accepted", "application": {
                "id": application["id"], "status": "IN_PROGRESS"}, "task": {"id": task["id"], "status": "ACCEPTED"}}
            await call(http, first, clerk, APPROVE, id=task["id"], v=accepted["version"])
            approved, started = await next_event(ws), await next_event(ws)
            assert (approved["cursor"], approved["kind"], approved["task"]["status"]) == ("3", "task.approved",
                                                                                          "APPROVED")
            hukou = task_of(application, "370100-GAJ-001")
            assert (started["cursor"], started["kind"], started["task"]) == ("4", "task.submitted", {
                "id": hukou["id"], "status": "SUBMITTED"})
        finally:
            await ws.close()


async def test_a_reconnecting_client_resumes_after_its_last_cursor(servers: tuple[str, str]) -> None:
    first, second = servers
    token, clerk = await citizen(), await handler("370100-WJW")
    async with httpx.AsyncClient(timeout=20) as http:
        application = await submit(http, first, token)
        ws = await subscribe(second, token, application["id"])
        last = (await next_event(ws))["cursor"]
        await ws.close()
        task = task_of(application, "370100-WJW-001")
        accepted = await call(http, first, clerk, ACCEPT, id=task["id"], v=task["version"])
        await call(http, first, clerk, APPROVE, id=task["id"], v=accepted["version"])
        ws = await subscribe(second, token, application["id"], after=last)
        try:
            missed = [await next_event(ws) for _ in range(3)]
            assert [(e["cursor"], e["kind"]) for e in missed] == [
                ("2", "task.accepted"), ("3", "task.approved"), ("4", "task.submitted")]
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(ws.recv(), 0.5)
        finally:
            await ws.close()


async def test_whoever_may_see_the_application_may_follow_it(servers: tuple[str, str]) -> None:
    first, _ = servers
    token, stranger = await citizen(), await citizen()
    async with httpx.AsyncClient(timeout=20) as http:
        application = await submit(http, first, token)
    for intruder in (stranger, await handler("370100-ZJJ")):  # a department without a task in it
        ws = await subscribe(first, intruder, application["id"])
        try:
            message = json.loads(await asyncio.wait_for(ws.recv(), 10))
            assert message["type"] in ("next", "error")
            errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
            assert errors[0]["extensions"]["code"] == "NOT_FOUND"
        finally:
            await ws.close()
    # The same rule as application(id): a handler of a department with a task follows it, and that is a read.
    ws = await subscribe(first, await handler("370100-WJW"), application["id"])
    try:
        assert (await next_event(ws))["kind"] == "application.submitted"
    finally:
        await ws.close()
    reads = await AuditEntry.filter(action="data.read", target=f"application:{application['id']}")
    assert [r.detail for r in reads] == [{"department": "370100-WJW"}]



async def test_a_connection_holds_at_most_ten_subscriptions(servers: tuple[str, str]) -> None:
    first, _ = servers
    token = await citizen()
    async with httpx.AsyncClient(timeout=20) as http:
        application = await submit(http, first, token)
    ws = await subscribe(first, token, application["id"])
    try:
        assert (await next_event(ws))["cursor"] == "1"
        for n in range(2, 11):
            await ws.send(json.dumps({"type": "subscribe", "id": str(n), "payload": {
                "query": FOLLOW, "variables": {"id": application["id"], "after": "1"}}}))
        await ws.send(json.dumps({"type": "subscribe", "id": "11", "payload": {
            "query": FOLLOW, "variables": {"id": application["id"]}}}))
        refused = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert refused == {"id": "11", "type": "error", "payload": [{"message": "Subscription limit reached"}]}
    finally:
        await ws.close()
