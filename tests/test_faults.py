"""Fault drills: real `portal serve` processes on PostgreSQL and Redis, each drill bounded to about 30 s.

1. A worker killed (SIGKILL) under load: every submission its client retried with the same idempotency key after an
   error gives exactly one application, and a subscriber on the killed worker reconnects with its cursor and gets
   every event once.
2. PostgreSQL restarted under load: requests fail with DATABASE_UNAVAILABLE (a GraphQL error, or 503), never hang
   or answer 500, and succeed again without restarting the portal.
3. Redis down: mutations still commit, and a subscriber catches up from the outbox when Redis returns.

They never touch the shared servers: a private PostgreSQL (initdb in a temporary directory, as user ``postgres``
when run as root) and private redis-servers on free ports. Select them with ``pytest -m faults`` (``make
test-faults``); they are skipped, saying why, where the PostgreSQL server binaries are missing.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
import redis
import websockets

from portal import db
from portal.applications.models import Application
from portal.catalog.seed import seed_catalog
from portal.catalog.source import read_catalog
from portal.events import Event
from tests.applications.support import ACCEPT, APPROVE, SUBMIT, handler, newborn_materials, newborn_values, task_of
from tests.conftest import base_database_url
from tests.helpers import free_port, registered_citizen, start_portal, stop

# The drills open their private PostgreSQL in this process (to seed it and to count what was written): with the
# suite on SQLite, a second dialect in one process would rebind the models under the other tests (Tortoise's
# models are shared by every context). They run with the suite on PostgreSQL (make test-postgres, CI).
pytestmark = [pytest.mark.faults, pytest.mark.skipif(
    not base_database_url().startswith("postgres"),
    reason="the fault drills run with the suite on PostgreSQL (PORTAL_DATABASE_URL=postgres://...)")]

POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")
FOLLOW = """subscription($id: ID!, $after: String) {
  applicationUpdated(id: $id, after: $after) { cursor kind } }"""
CATALOG = "{ bundles(first: 5) { totalCount edges { node { code name } } } }"
MINE = "{ me { applications(first: 5) { totalCount edges { node { id status } } } } }"
UNAVAILABLE = "DATABASE_UNAVAILABLE"


def as_postgres(*command: str) -> list[str]:
    """PostgreSQL refuses to run as root: the suite (root in CI) runs its tools as the user ``postgres``."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else list(command)


class PrivatePostgres:
    """A PostgreSQL server of the drills' own, in a temporary directory, on a free port."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.data = directory / "data"
        self.port = free_port()

    def _ctl(self, *args: str) -> None:
        subprocess.run(as_postgres(str(POSTGRES_BIN / "pg_ctl"), "-D", str(self.data), "-w", "-t", "30", *args),
                       check=True, capture_output=True, timeout=60)

    def initdb(self) -> None:
        subprocess.run(as_postgres(str(POSTGRES_BIN / "initdb"), "-D", str(self.data), "-U", "postgres",
                                   "--auth=trust", "-E", "UTF8", "--no-sync"), check=True, capture_output=True,
                       timeout=120)

    def start(self) -> None:
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory} -c fsync=off "
                   f"-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self._ctl("-l", str(self.directory / "server.log"), "-o", options, "start")

    def stop(self) -> None:
        self._ctl("-m", "fast", "stop")

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"


class PrivateRedis:
    """A redis-server of one drill, on a free port; killed and started again on the same port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                                         "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis(port=self.port, socket_connect_timeout=0.5).ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture(scope="module")
def postgres() -> Iterator[PrivatePostgres]:
    if not (POSTGRES_BIN / "initdb").exists():
        pytest.skip(f"the fault drills need the PostgreSQL server binaries in {POSTGRES_BIN} (a private server to "
                    "restart); they are not installed")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("the fault drills run PostgreSQL as the user postgres with runuser, which is missing")
    directory = Path(tempfile.mkdtemp(prefix="portal-faults-"))
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
    server = PrivatePostgres(directory)
    try:
        server.initdb()
        server.start()
        yield server
        server.stop()
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest_asyncio.fixture(scope="module")
async def cluster_url(postgres: PrivatePostgres) -> str:
    """The drills' database: created, migrated and seeded with the demo catalog once."""
    url = postgres.url("drills")
    await db.create_database(url)
    await db.migrate(url)
    async with db.database(url):
        await seed_catalog(read_catalog())
    return url


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    server = PrivateRedis()
    server.start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def upload_dir(tmp_path: Path) -> str:
    return str(tmp_path / "uploads")


@dataclass
class People:
    citizens: list[str]
    clerk: str  # a 370100-WJW handler: accepts and approves the newborn bundle's 出生医学证明


async def people(url: str, citizens: int) -> People:
    """Citizens and a handler made through the rules, the connection closed before any drill starts."""
    async with db.database(url):
        return People([(await registered_citizen("吴九")).token for _ in range(citizens)], await handler("370100-WJW"))


def authorised(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def answer(http: httpx.AsyncClient, token: str, query: str, **variables: Any) -> dict[str, Any]:
    response = await http.post("/graphql", json={"query": query, "variables": variables}, headers=authorised(token))
    assert response.status_code == 200, response.text
    return next(iter(response.json()["data"].values()))


async def submission(http: httpx.AsyncClient, token: str) -> dict[str, Any]:
    """A newborn submission's request, with its own idempotency key and uploaded materials."""
    return {"query": SUBMIT, "variables": {"input": {
        "bundleCode": "newborn", "formValues": newborn_values(), "channel": "MOBILE",
        "idempotencyKey": str(uuid.uuid4()), "materials": await newborn_materials(http, token)}}}


async def act(base: str, token: str, query: str, until: float, **variables: Any) -> dict[str, Any]:
    """A handler's mutation, sent again on a new connection after a transport error, until ``until``."""
    while True:
        try:
            async with httpx.AsyncClient(base_url=base, timeout=10) as http:
                return await answer(http, token, query, **variables)
        except httpx.TransportError:
            if time.monotonic() > until:
                raise
            await asyncio.sleep(0.1)


@dataclass
class Follower:
    """A terminal following one application's stream the way the clients do: on any break it connects again
    (to whichever worker takes the connection) and resumes after the last cursor it holds."""

    base: str
    token: str
    application_id: str
    cursors: list[int] = field(default_factory=list)
    connections: int = 0
    local_port: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self) -> None:
        url = self.base.replace("http", "ws") + "/graphql"
        while True:
            try:
                async with websockets.connect(url, subprotocols=["graphql-transport-ws"], open_timeout=5) as ws:
                    self.local_port = ws.local_address[1]
                    await ws.send(json.dumps({"type": "connection_init", "payload": authorised(self.token)}))
                    if json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] != "connection_ack":
                        continue
                    after = str(self.cursors[-1]) if self.cursors else None
                    await ws.send(json.dumps({"type": "subscribe", "id": "1", "payload": {
                        "query": FOLLOW, "variables": {"id": self.application_id, "after": after}}}))
                    self.connections += 1
                    self.changed.set()
                    async for raw in ws:
                        message = json.loads(raw)
                        if message["type"] != "next" or message["payload"].get("errors"):
                            break  # an error (the database gone a moment): resume on a new connection
                        self.cursors.append(int(message["payload"]["data"]["applicationUpdated"]["cursor"]))
                        self.changed.set()
            except (websockets.ConnectionClosed, OSError, TimeoutError):
                pass
            await asyncio.sleep(0.2)

    async def wait_for(self, predicate: Any, timeout: float) -> None:
        async def until() -> None:
            while not predicate(self):
                self.changed.clear()
                await self.changed.wait()
        await asyncio.wait_for(until(), timeout)



@asynccontextmanager
async def following(base: str, token: str, application_id: str) -> AsyncIterator[Follower]:
    """A follower running for the block, subscribed and holding the stream's first event on entry."""
    follower = Follower(base, token, application_id)
    task = asyncio.create_task(follower.run())
    try:
        await follower.wait_for(lambda f: f.cursors, 15)
        yield follower
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def stream_numbers(url: str, application_id: str) -> list[int]:
    async with db.database(url):
        return list(await Event.filter(stream=f"application:{application_id}").order_by("seq")
                    .values_list("seq", flat=True))


def worker_pids(parent: int) -> list[int]:
    """The uvicorn workers of a `portal serve --workers N` process (its children)."""
    return [int(pid) for pid in Path(f"/proc/{parent}/task/{parent}/children").read_text().split()]


def worker_serving(parent: int, server_port: int, client_port: int) -> int:
    """The worker holding the server side of the loopback connection from ``client_port``: the socket's inode
    from /proc/net/tcp, then the worker with a descriptor on it."""
    local, remote = f"0100007F:{server_port:04X}", f"0100007F:{client_port:04X}"
    inode = next(line.split()[9] for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
                 if line.split()[1] == local and line.split()[2] == remote)
    for pid in worker_pids(parent):
        for descriptor in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if os.readlink(descriptor) == f"socket:[{inode}]":
                    return pid
            except OSError:
                continue
    raise AssertionError(f"no worker holds the connection from port {client_port}")


@dataclass
class Submitted:
    key: str
    application_id: str
    attempts: int


async def submit_until(base: str, token: str, stop_at: float) -> list[Submitted]:
    """One citizen's client: new submissions until ``stop_at``; after any error (a reset connection, a 5xx, a
    GraphQL error) the SAME request, same idempotency key, again, until it is answered with an application."""
    done: list[Submitted] = []
    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        while time.monotonic() < stop_at:
            request = await act_on(http, lambda: submission(http, token), stop_at + 20)
            key = request["variables"]["input"]["idempotencyKey"]
            attempts = 0
            while True:
                attempts += 1
                try:
                    response = await http.post("/graphql", json=request, headers=authorised(token))
                    result = (response.json().get("data") or {}).get("submitBundleApplication") \
                        if response.status_code == 200 else None
                    if result and result["__typename"] == "Application":
                        done.append(Submitted(key, result["id"], attempts))
                        break
                    assert result is None, result  # an expected refusal would be a bug of the drill itself
                except httpx.TransportError:
                    pass
                assert time.monotonic() < stop_at + 20, f"submission {key} never succeeded"
                await asyncio.sleep(0.05)
    return done


async def act_on(http: httpx.AsyncClient, make: Any, until: float) -> Any:
    """``make()`` (a few requests), again after a transport error."""
    while True:
        try:
            return await make()
        except httpx.TransportError:
            if time.monotonic() > until:
                raise
            await asyncio.sleep(0.1)


async def test_a_killed_worker_loses_no_submission_and_no_event(cluster_url: str, private_redis: PrivateRedis,
                                                                upload_dir: str) -> None:
    cast = await people(cluster_url, 6)
    port = free_port()
    server, base = start_portal(cluster_url, "--workers", "2", port=port, env={
        "PORTAL_BROKER_URL": private_redis.url, "PORTAL_UPLOAD_DIR": upload_dir})
    try:
        async with httpx.AsyncClient(base_url=base, timeout=10) as http:
            followed = [await answer(http, token, SUBMIT, **(await submission(http, token))["variables"])
                        for token in cast.citizens[:3]]
        async with following(base, cast.citizens[0], followed[0]["id"]) as watched, \
                following(base, cast.citizens[1], followed[1]["id"]) as second, \
                following(base, cast.citizens[2], followed[2]["id"]) as third:
            victim = worker_serving(server.pid, port, watched.local_port)
            stop_at = time.monotonic() + 8
            load = [asyncio.create_task(submit_until(base, token, stop_at)) for token in cast.citizens]
            await asyncio.sleep(1.5)
            tasks = [task_of(application, "370100-WJW-001") for application in followed]
            accepted = [await act(base, cast.clerk, ACCEPT, stop_at, id=t["id"], v=t["version"]) for t in tasks]
            await asyncio.sleep(1)
            os.kill(victim, signal.SIGKILL)
            for task in accepted:
                assert task["__typename"] == "Task", task
                approved = await act(base, cast.clerk, APPROVE, stop_at + 20, id=task["id"], v=task["version"])
                assert approved["__typename"] == "Task", approved
            submitted = [s for outcome in await asyncio.gather(*load) for s in outcome]
            for follower in (watched, second, third):
                expected = await stream_numbers(cluster_url, follower.application_id)
                assert expected[-1] >= 4  # submitted, accepted, approved, the next task submitted
                await follower.wait_for(lambda f: len(f.cursors) >= len(expected), 20)
                assert follower.cursors == expected  # every event, once, in order
            assert watched.connections >= 2  # its worker died: it resumed on another connection
        assert victim not in worker_pids(server.pid)  # uvicorn replaced the killed worker
    finally:
        stop(server)
    async with db.database(cluster_url):
        stored = {row.idempotency_key: row.id for row in await Application.filter(
            idempotency_key__in=[s.key for s in submitted])}
    assert len(submitted) >= 6
    assert stored == {s.key: int(s.application_id) for s in submitted}  # one application per key, none lost


def classify(response: httpx.Response) -> str:
    """"ok", "unavailable" (the outage answered with its code), or what was wrong with the answer."""
    if response.status_code == 503:
        body = response.json()
        coded = body.get("errors", [{}])[0].get("extensions", {}).get("code") == UNAVAILABLE
        return "unavailable" if coded or body.get("database") == "unreachable" else f"503 {response.text}"
    if response.status_code != 200:
        return f"{response.status_code} {response.text[:300]}"
    errors = response.json().get("errors")
    if not errors:
        return "ok"
    codes = {error.get("extensions", {}).get("code") for error in errors}
    return "unavailable" if codes == {UNAVAILABLE} else f"errors {errors}"


async def test_a_postgres_restart_is_answered_with_a_code_and_recovered_from(
        postgres: PrivatePostgres, cluster_url: str, upload_dir: str) -> None:
    cast = await people(cluster_url, 2)
    server, base = start_portal(cluster_url, env={"PORTAL_UPLOAD_DIR": upload_dir})
    outcomes: list[tuple[float, str, str]] = []
    restarted_at: list[float] = []  # when PostgreSQL answered again

    async def load(kind: str, send: Any) -> None:
        """Requests of one kind, one after another, until 4 s after the restart: each outcome with its time."""
        async with httpx.AsyncClient(base_url=base, timeout=10) as http:
            while not restarted_at or time.monotonic() < restarted_at[0] + 4:
                started = time.monotonic()
                try:
                    outcome = classify(await send(http))
                except httpx.TimeoutException:
                    outcome = "no answer within 10 s"
                except httpx.TransportError as error:
                    outcome = f"transport error {error!r}"
                outcomes.append((started, kind, outcome))
                await asyncio.sleep(0.02)

    try:
        async with httpx.AsyncClient(base_url=base, timeout=10) as http:
            request = await submission(http, cast.citizens[1])
        senders = {
            "catalog": lambda http: http.post("/graphql", json={"query": CATALOG}),
            "mine": lambda http: http.post("/graphql", json={"query": MINE}, headers=authorised(cast.citizens[0])),
            "submit": lambda http: http.post("/graphql", json=request, headers=authorised(cast.citizens[1])),
            "health": lambda http: http.get("/healthz"),
        }
        loads = [asyncio.create_task(load(kind, send)) for kind, send in senders.items()]
        await asyncio.sleep(1.5)
        down_at = time.monotonic()
        await asyncio.to_thread(postgres.stop)
        await asyncio.sleep(1)
        await asyncio.to_thread(postgres.start)
        restarted_at.append(time.monotonic())
        await asyncio.gather(*loads)
    finally:
        stop(server)
    wrong = [(round(at - down_at, 2), kind, outcome) for at, kind, outcome in outcomes
             if outcome not in ("ok", "unavailable")]
    assert wrong == []
    during = [kind for at, kind, outcome in outcomes if outcome != "ok"]
    assert {"mine", "health"} <= set(during)  # the outage was seen (the cached catalog may well survive it)
    for kind in senders:  # recovered without restarting the portal: the last two seconds all answered
        recent = [outcome for at, k, outcome in outcomes if k == kind and at > restarted_at[0] + 2]
        assert recent and set(recent) == {"ok"}, (kind, recent)


async def test_mutations_commit_while_redis_is_down_and_subscribers_catch_up(
        cluster_url: str, private_redis: PrivateRedis, upload_dir: str) -> None:
    cast = await people(cluster_url, 1)
    server, base = start_portal(cluster_url, "--workers", "2", env={
        "PORTAL_BROKER_URL": private_redis.url, "PORTAL_UPLOAD_DIR": upload_dir})
    try:
        async with httpx.AsyncClient(base_url=base, timeout=10) as http:
            request = await submission(http, cast.citizens[0])
            application = await answer(http, cast.citizens[0], SUBMIT, **request["variables"])
            async with following(base, cast.citizens[0], application["id"]) as follower:
                private_redis.kill()
                task = task_of(application, "370100-WJW-001")
                started = time.monotonic()
                accepted = await answer(http, cast.clerk, ACCEPT, id=task["id"], v=task["version"])
                approved = await answer(http, cast.clerk, APPROVE, id=task["id"], v=accepted["version"])
                assert (accepted["status"], approved["status"]) == ("ACCEPTED", "APPROVED")
                assert time.monotonic() - started < 10  # committed and answered without waiting for Redis
                assert await stream_numbers(cluster_url, application["id"]) == [1, 2, 3, 4]
                private_redis.start()
                await follower.wait_for(lambda f: len(f.cursors) >= 4, 20)
                assert follower.cursors == [1, 2, 3, 4]
    finally:
        stop(server)

