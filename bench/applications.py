"""Applications benchmark: bundle submissions per second, and live event delivery to 1,000 subscribers.

    .venv/bin/python bench/applications.py [--seconds 10] [--connections 16] [--subscribers 1000] [--skip-postgres]
        [--postgres postgres://postgres@127.0.0.1:5432/<database>]

For each database (a fresh temporary SQLite file; PostgreSQL in a fresh schema of ``--postgres``, dropped at
the end) the database is migrated and seeded in this process, with 2C citizens (tokens kept) and, per citizen,
two small PDFs in the FileStore and their ``UploadedFile`` rows. Then ``portal serve`` runs as a subprocess
(one uvicorn worker) and:

1. Submissions, under wrk (one thread, C keep-alive connections; a Lua script gives each request one of the
   citizens' tokens in turn, a fresh idempotency key and a new child's name, since a second application for
   the same child is refused as LIKELY_DUPLICATE): 1 s warm-up, then ``--seconds`` measured. Reported:
   good submissions/s (a 200 holding an ``Application``), p50/p99 latency, errors, the server's CPU, and a check
   that the database holds one application per good answer (plus those wrk left in flight when it stopped).
   On SQLite the same run first measures, served by uvicorn in the same way (``--serve-raw``):
   ``/raw/ping``, two fixed bytes, the ceiling of wrk and uvicorn together on this machine; and
   ``/raw/submit``, a plain Starlette route that sends with aiosqlite the same statements the portal sends for
   the same submission (captured from Tortoise's db_client log: the public data's versions, the replay check,
   the applicant, their licences, the uploads, their earlier applications of the bundle, then in one
   transaction the reference counter, the application, its tasks, its materials, its event, the audit head and
   entry; the published mark afterwards, batched), with hand-written Python in between. The issue's goal is a
   ratio, since machines differ: portal >= 0.5x the raw route at C = 16, with p99 < 150 ms. The raw route and
   the portal submit for different citizens (each submission reads the person's earlier applications).
   Then the portal alone at C = 4, and one connection submitting 200 times in a row: the p50 there is the
   server's own cost per submission, without queueing.
2. Event delivery: ``--subscribers`` applications are created over HTTP, another process opens one
   graphql-transport-ws connection per application (applicant's token) subscribed to
   ``applicationUpdated(id, after: "1")``, then a department handler accepts each application's 出生医学证明
   task over HTTP (4 connections). Delivery latency = arrival time - the event's ``at`` (written inside the
   accepting transaction, just before its commit). In-memory broker (PORTAL_BROKER_URL unset).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import resource
import shlex
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import orjson  # noqa: E402
import websockets  # noqa: E402

from portal import db  # noqa: E402
from portal.applications.models import Application, UploadedFile  # noqa: E402
from portal.applications.uploads import FileStore  # noqa: E402
from portal.audit.rules import Actor  # noqa: E402
from portal.catalog.models import Bundle  # noqa: E402
from portal.catalog.rules import merged_form  # noqa: E402
from portal.catalog.seed import seed_catalog  # noqa: E402
from portal.catalog.source import read_catalog  # noqa: E402
from portal.identity.models import Role  # noqa: E402
from portal.identity.numbers import id_number_check_character  # noqa: E402
from portal.identity.passwords import Passwords  # noqa: E402
from portal.identity.rules import create_staff, login, register_citizen  # noqa: E402

POSTGRES = "postgres://postgres@127.0.0.1:5432/test"
SHANGHAI_ZONE = ZoneInfo("Asia/Shanghai")
PORTAL = Path(sys.executable).with_name("portal")
CITIZENS = 32
GOAL_RATIO, GOAL_P99_MS = 0.5, 150  # the portal's rate over the raw route's
MAX_REQUESTS = 50_000  # per load run, warm-up included
SEQUENTIAL = 200
HANDLER_PASSWORD = "Handler-Pass-2115"
BIRTH_TASK = "370100-WJW-001"  # 出生医学证明
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
OK = b'"__typename":"Application"'
SUBMIT = """mutation($input: SubmitBundleApplicationInput!) { submitBundleApplication(input: $input) { __typename
  ... on Application { id status channel formValues
    tasks { id status version deadline deadlineProvisional prerequisites departmentCode item { code } }
    materials { code source fileId certificateType } }
  ... on FormInvalid { errors { field code message } } ... on PermissionDenied { code message }
  ... on Conflict { code message } } }"""
ACCEPT = """mutation($id: ID!, $v: Int!) { acceptTask(id: $id, version: $v) { __typename
  ... on Task { id status version } ... on Conflict { code message } ... on NotFound { code }
  ... on PermissionDenied { code } } }"""
FOLLOW = """subscription($id: ID!, $after: String) {
  applicationUpdated(id: $id, after: $after) { cursor kind at application { id status } task { id status } } }"""


@dataclass(frozen=True)
class Citizen:
    token: str
    body: tuple[bytes, bytes, bytes]  # the submission's JSON, split where its idempotency key and the child's name go

    def submission(self, path: str = "/graphql") -> bytes:
        """The citizen's newborn submission of a new child (a second one of the same child is LIKELY_DUPLICATE)
        with a fresh idempotency key."""
        tag = uuid.uuid4().hex[:16].encode()
        return http_request(path, self.body[0] + tag + self.body[1] + tag + self.body[2], self.token)


def percentile(ordered: list[float], q: float) -> float:
    """The q-th percentile of sorted seconds, in milliseconds (as bench/catalog.py computes p99)."""
    return ordered[max(0, int(len(ordered) * q / 100) - 1)] * 1000 if ordered else float("nan")


def id_number(serial: int, born: str) -> str:
    first17 = f"370102{born}{serial % 1000:03d}"
    return first17 + id_number_check_character(first17)


def http_request(path: str, body: bytes, token: str) -> bytes:
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


def submission_body(i: int, materials: list[dict[str, str]]) -> tuple[bytes, bytes, bytes]:
    """The JSON body, split around the idempotency key and the tag that makes the child's name new (``张`` + tag)."""
    placeholder = "@@TAG@@"
    values = {"child.name": "张" + placeholder, "child.gender": "MALE", "child.birthPlace": "济南市妇幼保健院",
              "child.birthDate": (date.today() - timedelta(days=20)).isoformat(),
              "mother.name": "李梅", "mother.idNumber": id_number(i, "19950101"), "father.name": "张三",
              "father.idNumber": id_number(i, "19930101"), "applicant.address": "济南市历下区龙奥北路8号",
              "child.ethnicity": "汉族", "household.address": "济南市历下区解放路100号", "delivery.method": "MAIL"}
    body = orjson.dumps({"query": SUBMIT, "variables": {"input": {
        "bundleCode": "newborn", "formValues": values, "channel": "MOBILE", "idempotencyKey": placeholder,
        "materials": materials}}})
    first, second, third = body.split(placeholder.encode())  # the name comes first in the JSON
    return first, second, third


async def prepare(url: str, upload_dir: Path, citizens: int) -> tuple[list[Citizen], str, dict[str, Any]]:
    """Migrate, seed, register citizens with their uploaded PDFs and a 370100-WJW handler (in this process).
    Also returns the newborn bundle's rows that the raw route writes from (its ``plan``)."""
    await db.migrate(url)
    async with db.database(url):
        await seed_catalog(read_catalog())
        bundle = await Bundle.get(code="newborn")
        form = await merged_form(bundle)
        plan = {"bundle_id": bundle.id, "region": form.members[0].item.department.region_code,
                "members": [{"item_id": m.item_id, "code": m.item.code, "department": m.item.department.code,
                             "prerequisites": list(m.prerequisites), "days": m.item.promised_days}
                            for m in form.members]}
        passwords, store, people = Passwords("test"), FileStore(upload_dir), []
        for i in range(citizens):
            signed = await register_citizen(passwords, Actor(None, "bench", f"10.200.{i}.1"), name="王芳",
                                            id_number=id_number(i, "19900101"), phone=f"139{i:08d}",
                                            password="Bench-Applicant-2115!")
            files = []
            for k in range(2):
                sha256, size = await store.put(PDF + f"bench citizen {i} file {k}".encode())
                files.append(await UploadedFile.create(id=uuid.uuid4(), owner_id=signed.account.id, sha256=sha256,
                                                       size=size, media_type="application/pdf", name=f"材料{k}.pdf"))
            materials = [{"code": "birth-medical-record", "fileId": str(files[0].id)},
                         {"code": "resident-id-card", "fileId": str(files[1].id)},
                         {"code": "newborn-vaccination-record", "fileId": str(files[1].id)},
                         {"code": "household-register", "fileId": str(files[0].id)}]
            people.append(Citizen(signed.token, submission_body(i, materials)))
        await create_staff(passwords, username="bench-handler", password=HANDLER_PASSWORD,
                           role=Role.DEPARTMENT_HANDLER, department_code="370100-WJW", region_code="370100",
                           name="经办人")
        handler = await login(passwords, Actor(None, "bench", "10.201.0.1"), username="bench-handler",
                              password=HANDLER_PASSWORD)
    return people, handler.token, plan


async def count_applications(url: str) -> int:
    async with db.database(url):
        return await Application.all().count()


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Connection:
    """One HTTP/1.1 keep-alive connection with just enough parsing for the portal's JSON responses."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> Connection:
        return cls(*await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 10))

    async def call(self, request: bytes, timeout: float = 30) -> tuple[int, bytes]:
        async def exchange() -> tuple[int, bytes]:
            self.writer.write(request)
            head = await self.reader.readuntil(b"\r\n\r\n")
            length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:"))
            return int(head.split(b" ", 2)[1]), await self.reader.readexactly(length)
        return await asyncio.wait_for(exchange(), timeout)

    def close(self) -> None:
        self.writer.close()


def lua_string(data: bytes) -> str:
    """A Lua string literal of any bytes (decimal escapes: no quoting rule to get wrong)."""
    return '"' + "".join(f"\\{b}" for b in data) + '"'


WRK_SCRIPT = """
local threads = {}
counter, ok, bad, first = 0, 0, 0, ""  -- globals: done() reads them through thread:get
function setup(thread) thread:set("id", #threads + 1); table.insert(threads, thread) end
function request()
  counter = counter + 1
  local c = citizens[counter % #citizens + 1]
  local tag = run .. id .. "x" .. counter
  return wrk.format("POST", path, {["Authorization"] = "Bearer " .. c[1], ["Content-Type"] = "application/json"},
                    c[2] .. tag .. c[3] .. tag .. c[4])
end
function response(status, headers, body)
  if status == 200 and (expect == "" or string.find(body, expect, 1, true)) then ok = ok + 1 else
    bad = bad + 1; if first == "" then first = status .. " " .. string.sub(body, 1, 300) end end
end
function done(summary, latency, requests)
  local good, wrong, problem = 0, 0, ""
  for _, t in ipairs(threads) do
    good = good + t:get("ok"); wrong = wrong + t:get("bad"); if problem == "" then problem = t:get("first") end
  end
  io.write(string.format("RESULT %d %d %d %d %d %d\\n", good, wrong, summary.duration, latency:percentile(50),
                         latency:percentile(99), summary.errors.connect + summary.errors.read + summary.errors.write
                         + summary.errors.timeout))
  io.write("FIRST " .. problem .. "\\n")
end
"""


def run_wrk(port: int, path: str, citizens: list[Citizen], seconds: float, connections: int,
            expect: bytes = OK) -> dict[str, Any]:
    """wrk (C, one thread) on ``path`` for ``seconds``, after a one-second warm-up. Each request carries one of the
    citizens' tokens in turn, a fresh idempotency key and a new child's name (the Lua script makes them).
    Counted as good: a 200 whose body holds ``expect``."""
    results = []
    for run, duration in ((f"w{uuid.uuid4().hex[:6]}", 1.0), (f"m{uuid.uuid4().hex[:6]}", seconds)):
        table = ",\n".join("{" + ", ".join(lua_string(x) for x in (c.token.encode(), *c.body)) + "}"
                            for c in citizens)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(f"citizens = {{{table}}}\npath = {lua_string(path.encode())}\n"
                         f"run = {lua_string(run.encode())}\nexpect = {lua_string(expect)}\n" + WRK_SCRIPT)
        try:
            out = subprocess.run(["wrk", "-t", "1", "-c", str(connections), "-d", f"{duration:g}s", "--timeout",
                                  "30s", "-s", script.name, f"http://127.0.0.1:{port}{path}"], check=True,
                                 capture_output=True, text=True, timeout=duration + 120).stdout
        finally:
            os.unlink(script.name)
        good, bad, micros, p50, p99, socket_errors = map(int, out.split("RESULT ", 1)[1].split()[:6])
        results.append({"ok": good, "errors": bad + socket_errors, "rps": good / (micros / 1e6), "p50": p50 / 1000,
                        "p99": p99 / 1000, "first_error": out.split("FIRST ", 1)[1].strip()})
    warm, measured = results
    return {**measured, "all_ok": warm["ok"] + measured["ok"], "errors": warm["errors"] + measured["errors"],
            "first_error": warm["first_error"] or measured["first_error"]}


def stop(worker: multiprocessing.process.BaseProcess, grace: float) -> None:
    """Wait ``grace`` seconds for ``worker`` to end, then terminate it, then kill it."""
    worker.join(timeout=grace)
    if worker.is_alive():
        worker.terminate()
        worker.join(timeout=10)
        if worker.is_alive():
            worker.kill()
            worker.join(timeout=5)


async def sequential(port: int, citizen: Citizen, count: int, path: str = "/graphql") -> list[float]:
    conn, latencies = await Connection.open(port), []
    try:
        for _ in range(count):
            started = time.perf_counter()
            status, body = await conn.call(citizen.submission(path))
            latencies.append(time.perf_counter() - started)
            if status != 200 or OK not in body:
                raise RuntimeError(f"sequential submission failed: HTTP {status}: {body[:300].decode()}")
    finally:
        conn.close()
    return sorted(latencies)


async def over_connections(port: int, connections: int, items: list[Any], handle: Any) -> None:
    """``await handle(connection, item)`` for every item, ``connections`` at a time on keep-alive connections."""
    pending = iter(items)

    async def worker() -> None:
        conn = await Connection.open(port)
        try:
            for item in pending:
                await handle(conn, item)
        finally:
            conn.close()

    await asyncio.gather(*(worker() for _ in range(connections)))


async def create_applications(port: int, citizens: list[Citizen], count: int) -> list[tuple[str, str, str, int]]:
    """``count`` applications over HTTP: (applicant token, application id, 出生医学证明 task id and version)."""
    created: list[tuple[str, str, str, int]] = []

    async def create(conn: Connection, citizen: Citizen) -> None:
        status, body = await conn.call(citizen.submission())
        result = orjson.loads(body)["data"]["submitBundleApplication"] if status == 200 else None
        if not result or result["__typename"] != "Application":
            raise RuntimeError(f"could not create an application: HTTP {status}: {body[:300].decode()}")
        task = next(t for t in result["tasks"] if t["item"]["code"] == BIRTH_TASK)
        created.append((citizen.token, result["id"], task["id"], task["version"]))

    await over_connections(port, 8, [citizens[n % len(citizens)] for n in range(count)], create)
    return created


def subscriber_worker(port: int, follows: list[tuple[str, str]], go: Any, wait: float, queue: Any) -> None:
    """Runs in its own process: one WebSocket per application, then the arrival of each one's next event."""
    async def run() -> dict[str, Any]:
        latencies: list[float] = []
        problems: list[str] = []
        subscribed, failed, resolved, sockets = [0], [0], [0], []
        all_ready, all_arrived = asyncio.Event(), asyncio.Event()
        gate = asyncio.Semaphore(50)

        def finished_one(problem: str | None = None) -> None:
            if problem:
                problems.append(problem)
                failed[0] += 1
            if subscribed[0] + failed[0] >= len(follows):
                all_ready.set()

        async def follow(token: str, application_id: str) -> None:
            try:
                async with gate:
                    ws = await websockets.connect(f"ws://127.0.0.1:{port}/graphql", open_timeout=30,
                                                  subprotocols=["graphql-transport-ws"], ping_interval=None)
                    sockets.append(ws)
                    await ws.send(orjson.dumps({"type": "connection_init",
                                                "payload": {"authorization": f"Bearer {token}"}}).decode())
                    ack = orjson.loads(await asyncio.wait_for(ws.recv(), 30))
                    if ack.get("type") != "connection_ack":
                        raise RuntimeError(f"no connection_ack: {ack}")
                    await ws.send(orjson.dumps({"type": "subscribe", "id": "1", "payload": {
                        "query": FOLLOW, "variables": {"id": application_id, "after": "1"}}}).decode())
                subscribed[0] += 1
                finished_one()
            except Exception as exc:  # noqa: BLE001 - every failure is counted and the first few shown
                finished_one(f"connect: {type(exc).__name__}: {exc}")
                return
            try:
                while (message := orjson.loads(await ws.recv())).get("type") == "ping":
                    await ws.send('{"type":"pong"}')
                event = (message.get("payload") or {}).get("data", {}).get("applicationUpdated") \
                    if message.get("type") == "next" else None
                if not event or event["kind"] != "task.accepted":
                    problems.append(f"unexpected message: {str(message)[:200]}")
                else:
                    latencies.append(time.time() - datetime.fromisoformat(event["at"]).timestamp())
            except Exception as exc:  # noqa: BLE001
                problems.append(f"receive: {type(exc).__name__}: {exc}")
            resolved[0] += 1
            if resolved[0] >= subscribed[0]:
                all_arrived.set()

        started = time.perf_counter()
        tasks = [asyncio.create_task(follow(*f)) for f in follows]
        try:
            await asyncio.wait_for(all_ready.wait(), 180)
        except TimeoutError:
            problems.append("not every subscription was set up within 180 s")
        opened = time.perf_counter() - started
        await asyncio.sleep(2)  # the last subscriptions reach the server's broker
        queue.put({"subscribed": subscribed[0]})
        await asyncio.get_running_loop().run_in_executor(None, go.wait, 300)
        go_at = time.perf_counter()
        try:
            await asyncio.wait_for(all_arrived.wait(), wait)
        except TimeoutError:
            pass
        waited = time.perf_counter() - go_at
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.wait({asyncio.create_task(ws.close()) for ws in sockets} or {asyncio.sleep(0)}, timeout=15)
        return {"subscribed": subscribed[0], "opened_seconds": opened, "latencies": sorted(latencies),
                "problems": problems, "waited": waited}

    queue.put(asyncio.run(run()))


async def accept_all(port: int, token: str, tasks: list[tuple[str, str, str, int]]) -> dict[str, Any]:
    state: dict[str, Any] = {"ok": 0, "errors": 0, "first_error": None}

    async def accept(conn: Connection, task: tuple[str, str, str, int]) -> None:
        body = orjson.dumps({"query": ACCEPT, "variables": {"id": task[2], "v": task[3]}})
        status, answer = await conn.call(http_request("/graphql", body, token))
        if status == 200 and b'"status":"ACCEPTED"' in answer:
            state["ok"] += 1
        else:
            state["errors"] += 1
            state["first_error"] = state["first_error"] or f"HTTP {status}: {answer[:300].decode()}"

    started = time.perf_counter()
    await over_connections(port, 4, tasks, accept)
    return {**state, "rate": state["ok"] / (time.perf_counter() - started)}


def measure_events(port: int, pid: int, citizens: list[Citizen], handler: str, count: int,
                   wait: float) -> dict[str, Any]:
    apps = asyncio.run(create_applications(port, citizens, count))
    queue, go = multiprocessing.Queue(), multiprocessing.Event()
    worker = multiprocessing.Process(target=subscriber_worker, args=(port, [(a[0], a[1]) for a in apps], go, wait,
                                                                      queue), daemon=True)
    worker.start()
    try:
        ready = queue.get(timeout=200)
        server_cpu, started = cpu_seconds(pid), time.perf_counter()
        go.set()
        accepted = asyncio.run(accept_all(port, handler, apps))
        busy = (cpu_seconds(pid) - server_cpu) / (time.perf_counter() - started)
        return {**queue.get(timeout=wait + 60), "ready": ready, "accepted": accepted, "created": len(apps),
                "server_cpu": busy}
    finally:
        stop(worker, 20)


@contextmanager
def portal_server(url: str, upload_dir: Path, log_path: Path, command: list[str] | None = None
                  ) -> Iterator[tuple[int, int]]:
    """``portal serve`` (one worker; or ``command``, given ``--port``) on a free loopback port; yields
    (port, pid); always stopped."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(PORTAL_PASSWORD_PROFILE="test", PORTAL_UPLOAD_DIR=str(upload_dir))
    with open(log_path, "wb") as log:
        server = subprocess.Popen([*(command or [str(PORTAL), "serve", "--database", url]), "--port", str(port)],
                                  stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
                    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    if s.recv(100).startswith(b"HTTP/1.1 200"):
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"portal serve did not start:\n{log_path.read_text()[-2000:]}")
            time.sleep(0.2)
        yield port, server.pid
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def run_database(name: str, url: str, args: argparse.Namespace, workdir: Path) -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # a terminated run still stops its server
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    upload_dir, log_path = workdir / f"uploads-{name}", workdir / f"server-{name}.log"
    started = time.perf_counter()
    citizens, handler, plan = asyncio.run(prepare(url, upload_dir, max(CITIZENS, 2 * args.connections)))
    print(f"\n== {name}: prepared in {time.perf_counter() - started:.1f} s ({len(citizens)} citizens)")
    raw = None
    if name == "SQLite":  # the raw route, for the ratio: same statements, same uvicorn, same wrk, same run
        raw = portal_server(url, upload_dir, workdir / "raw.log", command=[
            sys.executable, str(Path(__file__).resolve()), "--serve-raw", url.removeprefix("sqlite:///"),
            "--plan", orjson.dumps(plan).decode()])
    with portal_server(url, upload_dir, log_path) as (port, pid), raw or nullcontext((None, None)) as (raw_port, _):
        print("wrk, one thread; good = a 200 holding an Application; the database check counts the applications "
              "written during the run (warm-up included)")
        print(f"{'route':>24} {'C':>3} {'subm/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'server CPU':>10}"
              f"  database check")
        runs: list[tuple[str, int, int, str, list[Citizen]]] = []
        half = len(citizens) // 2  # raw and portal apply for different people: each one's earlier rows are read
        if raw_port is not None:
            ping = run_wrk(raw_port, "/raw/ping", citizens[:1], args.seconds, args.connections, expect=b"ok")
            print(f"{'/raw/ping (ceiling)':>24} {args.connections:3d} {ping['rps']:8.0f} {ping['p50']:8.1f} "
                  f"{ping['p99']:8.1f} {ping['errors']:7d}")
            runs.append(("/raw/submit (aiosqlite)", raw_port, args.connections, "/raw/submit", citizens[:half]))
        runs += [("portal /graphql", port, connections, "/graphql", citizens[half:][:max(connections, 1)])
                 for connections in dict.fromkeys((args.connections, 4))]
        figures: dict[tuple[str, int], dict[str, Any]] = {}
        for label, at, connections, path, people in runs:
            server = pid if at == port else None
            before, cpu, wall = asyncio.run(count_applications(url)), cpu_seconds(server or pid), time.perf_counter()
            r = figures[label, connections] = run_wrk(at, path, people, args.seconds, connections)
            busy = (cpu_seconds(server or pid) - cpu) / (time.perf_counter() - wall)
            time.sleep(1)  # the requests wrk left unanswered when it stopped (at most C per wrk run) finish
            stored = asyncio.run(count_applications(url)) - before
            late = stored - r["all_ok"]
            check = (f"ok (+{late} answered after wrk stopped)" if 0 <= late <= 2 * connections
                     else f"MISMATCH: {stored} stored, {r['all_ok']} good answers")
            print(f"{label:>24} {connections:3d} {r['rps']:8.1f} {r['p50']:8.1f} {r['p99']:8.1f} {r['errors']:7d} "
                  f"{f'{busy:.0%}' if server else '':>10}  {check} ({stored} rows)")
            if r["first_error"]:
                print(f"{'':>24} first error: {r['first_error'][:300]}")
        portal = figures["portal /graphql", args.connections]
        if raw_port is not None:
            direct = figures["/raw/submit (aiosqlite)", args.connections]
            ratio = portal["rps"] / direct["rps"]
            met = ratio >= GOAL_RATIO and portal["p99"] < GOAL_P99_MS and not portal["errors"]
            print(f"ratio portal / raw at C={args.connections}: {ratio:.2f} (portal {portal['rps']:.0f}/s, raw "
                  f"{direct['rps']:.0f}/s, generator ceiling {ping['rps']:.0f}/s); goal (>= {GOAL_RATIO}, p99 < "
                  f"{GOAL_P99_MS} ms): {'MET' if met else 'NOT MET'}")
        one = asyncio.run(sequential(port, citizens[0], SEQUENTIAL))
        p50 = statistics.median(one) * 1000
        print(f"sequential, 1 connection, {SEQUENTIAL} submissions: p50 {p50:.1f} ms, p90 "
              f"{percentile(one, 90):.1f} ms, min {one[0] * 1000:.1f} ms "
              f"=> at most ~{1000 / p50:.0f}/s on one worker if the server's time is CPU")
        if raw_port is not None:  # the same without queueing: the least sensitive to a busy machine
            alone = statistics.median(asyncio.run(sequential(raw_port, citizens[1], SEQUENTIAL, "/raw/submit")))
            print(f"sequential, raw route: p50 {alone * 1000:.1f} ms; ratio of one submission alone (raw / portal): "
                  f"{alone * 1000 / p50:.2f}")
        if args.subscribers:
            e = measure_events(port, pid, citizens, handler, args.subscribers, args.wait)
            lat, a = e["latencies"], e["accepted"]
            print(f"events: {e['created']} applications created, {e['subscribed']} subscribed in "
                  f"{e['opened_seconds']:.1f} s; handler accepted {a['ok']} ({a['rate']:.0f}/s, 4 connections, "
                  f"{a['errors']} errors); server CPU {e['server_cpu']:.0%} while accepting")
            if a["first_error"]:
                print(f"        first accept error: {a['first_error']}")
            if lat:
                print(f"        delivered {len(lat)}/{e['created']} within {args.wait:.0f} s (all in "
                      f"{e['waited']:.1f} s): latency p50 {percentile(lat, 50):.1f} ms, p99 {percentile(lat, 99):.1f} "
                      f"ms, max {lat[-1] * 1000:.1f} ms; {sum(x > 0.1 for x in lat)} over 100 ms")
            else:
                print("        no event was delivered")
            for problem in e["problems"][:3]:
                print(f"        problem ({len(e['problems'])} in all): {problem}")
    log = log_path.read_text(errors="replace").splitlines()
    noisy = [line for line in log if "WARNING" in line or "ERROR" in line or "Traceback" in line]
    print(f"server log: {len(log)} lines, {len(noisy)} warnings/errors; 1-min load now {os.getloadavg()[0]:.2f}"
          + (f"; first: {noisy[0][:200]}" if noisy else ""))


# —— The raw route: the portal's statements for one submission, without the ORM or GraphQL ——————————————————

RAW_SQLITE = {  # the statements the portal sends for one newborn submission (captured from tortoise.db_client)
    "versions": 'SELECT "name" "0","version" "1" FROM "public_version" ORDER BY "name" ASC',
    "replay": 'SELECT "id","number","request_hash" FROM "application" WHERE "submitted_by_id"=? AND '
              '"idempotency_key"=?',
    "account": 'SELECT "kind","name","phone","id_number" FROM "account" WHERE "id"=?',
    "licences": 'SELECT "id","type_code","data" FROM "certificate" WHERE "holder_id"=? ORDER BY "id" ASC',
    "earlier": 'SELECT "id","form_values" FROM "application" WHERE "applicant_id"=? AND "bundle_id"=? '
               'ORDER BY "id" ASC',
    "counter": 'INSERT INTO "reference_counter" ("key", "value") VALUES (?, 1) ON CONFLICT ("key") DO UPDATE SET '
               '"value" = "reference_counter"."value" + 1 RETURNING "value"',
    "application": 'INSERT INTO "application" ("number","channel","form_values","idempotency_key","request_hash",'
                   '"event_seq","created_at","updated_at","applicant_id","bundle_id","submitted_by_id") VALUES '
                   '(?,?,?,?,?,?,?,?,?,?,?) RETURNING "id"',
    "task": 'INSERT INTO "task" ("department_code","prerequisites","status","version","sort","submitted_at",'
            '"deadline","deadline_provisional","decided_at","decided_by","rule","note","supplement","updated_at",'
            '"application_id","item_id") VALUES ',
    "task_row": "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
    "material": 'INSERT INTO "application_material" ("material_code","source","attached_at","application_id",'
                '"certificate_id","file_id") VALUES ',
    "material_row": "(?,?,?,?,?,?)",
    "event": 'INSERT INTO "event" ("stream","seq","kind","at","payload","published_at") VALUES (?,?,?,?,?,?) '
             'RETURNING "id"',
    "head": 'SELECT "hash" FROM "audit_entry" ORDER BY "id" DESC LIMIT ?',
    "audit": 'INSERT INTO "audit_entry" ("at","action","actor_account_id","actor","subject_account_id","target",'
             '"detail","address","terminal","prev_hash","hash") VALUES (?,?,?,?,?,?,?,?,?,?,?) RETURNING "id"',
    "session": 'SELECT "account_id" FROM "session" WHERE "token_hash"=? AND "revoked_at" IS NULL',
    "published": 'UPDATE "event" SET "published_at"=? WHERE "id" IN ',
}


def raw_app(path: str, plan: dict[str, Any]) -> Any:
    """A Starlette app whose ``/raw/submit`` does for the newborn bundle what ``submitBundleApplication`` does,
    statement for statement, with aiosqlite and hand-written Python; ``/raw/ping`` answers two fixed bytes (the
    ceiling of uvicorn and wrk together). ``plan``: the bundle's rows, read by the portal at preparation."""
    import hashlib
    from contextlib import asynccontextmanager

    import aiosqlite
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    from portal.db import SQLITE_PRAGMAS

    state: dict[str, Any] = {"marks": [], "sessions": {}}
    lock = asyncio.Lock()  # one connection, as Tortoise's SQLite client: a transaction holds it for its reads too
    sql = RAW_SQLITE

    def iso(moment: datetime) -> str:
        return moment.isoformat()

    async def rows(statement: str, params: Any = ()) -> list[Any]:
        async with lock:
            return list(await state["db"].execute_fetchall(statement, params))

    async def mark_later() -> None:  # as the portal's PublishedMarks: one UPDATE per 50 ms batch
        await asyncio.sleep(0.05)
        ids, state["marks"], state["writer"] = state["marks"], [], None
        await rows(sql["published"] + "(" + ",".join("?" * len(ids)) + ")", [iso(datetime.now(UTC)), *ids])

    async def submit(request: Request) -> Response:
        token = request.headers.get("authorization", "")[7:]
        if (account_id := state["sessions"].get(token)) is None:
            found = await rows(sql["session"], [hashlib.sha256(token.encode()).hexdigest()])
            if not found:
                return Response(b'{"errors":[{"message":"unauthenticated"}]}', 401)
            account_id = state["sessions"][token] = found[0][0]
        body = orjson.loads(await request.body())["variables"]["input"]
        key, values, chosen = body["idempotencyKey"].strip(), body["formValues"], body["materials"]
        digest = hashlib.sha256(orjson.dumps({"bundle": body["bundleCode"], "values": values, "materials": chosen,
                                              "channel": body["channel"], "applicant": None},
                                             option=orjson.OPT_SORT_KEYS)).hexdigest()
        await rows(sql["versions"])
        if existing := await rows(sql["replay"], [account_id, key]):
            return Response(orjson.dumps({"data": {"submitBundleApplication": {
                "__typename": "Application", "id": str(existing[0][0])}}}), media_type="application/json")
        kind, name, phone, id_number = (await rows(sql["account"], [account_id]))[0]
        await rows(sql["licences"], [account_id])
        files = {m["fileId"] for m in chosen}
        found = await rows(f'SELECT "id","owner_id" FROM "uploaded_file" WHERE "id" IN '
                           f'({",".join("?" * len(files))}) AND "owner_id" IN (?)', [*files, account_id])
        if len(found) != len(files):
            return Response(b'{"errors":[{"message":"unknown file"}]}', media_type="application/json")
        values = {**values, "applicant.name": name, "applicant.idNumber": id_number, "applicant.phone": phone}
        identity = ("child.birthDate", "child.name", "mother.idNumber", "mother.name")
        for earlier_id, earlier_values in await rows(sql["earlier"], [account_id, plan["bundle_id"]]):
            earlier_values = orjson.loads(earlier_values)
            if all(str(earlier_values.get(k, "")).strip() == str(values[k]).strip() for k in identity):
                return Response(orjson.dumps({"data": {"submitBundleApplication": {
                    "__typename": "FormInvalid", "errors": [{"field": "child.name", "code": "LIKELY_DUPLICATE",
                                                             "message": f"application {earlier_id}"}]}}}),
                                media_type="application/json")
        now = datetime.now(UTC)
        today = now.astimezone(SHANGHAI_ZONE).date()
        async with lock:
            db_ = state["db"]
            await db_.execute("BEGIN")  # autocommit otherwise, as Tortoise's SQLite client
            try:
                [(serial,)] = await db_.execute_fetchall(sql["counter"], [f"B:{plan['region']}:{today:%Y%m%d}"])
                number = f"B{plan['region']}{today:%Y%m%d}{serial:07d}"
                [(application_id,)] = await db_.execute_fetchall(sql["application"], [
                    number, body["channel"], orjson.dumps(values).decode(), key, digest, 1, iso(now), iso(now),
                    account_id, plan["bundle_id"], account_id])
                tasks, params = [], []
                for n, member in enumerate(plan["members"]):
                    starts = not member["prerequisites"]
                    deadline = (datetime.combine(today + timedelta(days=member["days"]), datetime.max.time(),
                                                 SHANGHAI_ZONE).astimezone(UTC) if starts else None)
                    status = "SUBMITTED" if starts else "WAITING"
                    params += [member["department"], orjson.dumps(member["prerequisites"]).decode(), status, 1, n,
                               iso(now) if starts else None, iso(deadline) if deadline else None, False, None,
                               None, None, "", "{}", iso(now), application_id, member["item_id"]]
                    tasks.append((n, status, deadline, member))
                task_ids = {sort: id_ for id_, sort in await db_.execute_fetchall(
                    sql["task"] + ",".join([sql["task_row"]] * len(tasks)) + ' RETURNING "id","sort"', params)}
                params = []
                for m in chosen:
                    params += [m["code"], "UPLOAD", iso(now), application_id, None, m["fileId"]]
                await db_.execute_fetchall(sql["material"] + ",".join([sql["material_row"]] * len(chosen))
                                           + ' RETURNING "id","material_code"', params)
                payload = {"application": {"id": application_id, "status": "IN_PROGRESS"}, "task": None}
                [(event_id,)] = await db_.execute_fetchall(sql["event"], [
                    f"application:{application_id}", 1, "application.submitted", iso(now),
                    orjson.dumps(payload).decode(), None])
                head = await db_.execute_fetchall(sql["head"], [1])
                prev, at = head[0][0] if head else "0" * 64, datetime.now(UTC)
                entry = {"prev": prev, "at": at.isoformat(timespec="microseconds"), "action": "application.submitted",
                         "actorId": account_id, "actor": f"citizen:{account_id}", "subject": account_id,
                         "target": f"application:{application_id}", "detail": {"bundle": "newborn"},
                         "address": request.client.host if request.client else "", "terminal": ""}
                entry_hash = hashlib.sha256(orjson.dumps(entry, option=orjson.OPT_SORT_KEYS)).hexdigest()
                await db_.execute_fetchall(sql["audit"], [
                    iso(at), entry["action"], account_id, entry["actor"], account_id, entry["target"],
                    '{"bundle":"newborn"}', entry["address"], "", prev, entry_hash])
                await db_.commit()
            except BaseException:
                await db_.rollback()
                raise
        state["marks"].append(event_id)
        if state.get("writer") is None:
            state["writer"] = asyncio.get_running_loop().create_task(mark_later())
        answer = {"__typename": "Application", "id": str(application_id), "status": "IN_PROGRESS",
                  "channel": body["channel"], "formValues": values,
                  "tasks": [{"id": str(task_ids[n]), "status": status, "version": 1,
                             "deadline": deadline.isoformat() if deadline else None, "deadlineProvisional": False,
                             "prerequisites": member["prerequisites"], "departmentCode": member["department"],
                             "item": {"code": member["code"]}} for n, status, deadline, member in tasks],
                  "materials": [{"code": m["code"], "source": "UPLOAD", "fileId": m["fileId"], "certificateType": None}
                                for m in chosen]}
        return Response(orjson.dumps({"data": {"submitBundleApplication": answer}}), media_type="application/json")

    async def ping(request: Request) -> Response:
        return Response(b"ok", media_type="text/plain")

    @asynccontextmanager
    async def lifespan(app: Starlette) -> Any:
        state["db"] = await aiosqlite.connect(path, isolation_level=None)
        for pragma, value in SQLITE_PRAGMAS.items():
            await state["db"].execute(f"PRAGMA {pragma}={value}")
        yield
        await state["db"].close()

    return Starlette(routes=[Route("/raw/submit", submit, methods=["POST"]), Route("/raw/ping", ping, methods=["GET", "POST"]),
                             Route("/healthz", ping)],
                     lifespan=lifespan)


def isolated(name: str, url: str, args: argparse.Namespace, workdir: Path) -> None:
    """Run one database in a fresh process: Tortoise keeps each model's SQL of the first dialect a process used
    (a PostgreSQL insert after a SQLite one is sent with SQLite's ``?`` placeholders)."""
    child = multiprocessing.get_context("spawn").Process(target=run_database, args=(name, url, args, workdir))
    child.start()
    stop(child, 900)
    if child.exitcode:
        print(f"{name}: the run failed (exit code {child.exitcode})")


async def postgres_schema(url: str, create: bool, name: str) -> str:
    conn = await asyncpg.connect(url, timeout=10)
    try:
        if create:
            await conn.execute(f"CREATE SCHEMA {name}")
            return await conn.fetchval("SHOW server_version")
        await conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
        return ""
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--subscribers", type=int, default=1000, help="0 skips the event delivery measurement")
    parser.add_argument("--wait", type=float, default=60.0, help="how long to wait for the events (seconds)")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--postgres", default=POSTGRES, help="a database in which a fresh schema is made and dropped")
    parser.add_argument("--serve-raw", metavar="SQLITE_FILE", help=argparse.SUPPRESS)  # the raw route's server
    parser.add_argument("--plan", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_raw:
        import uvicorn

        from portal.cli import UVICORN_SPEED_OPTIONS
        uvicorn.run(raw_app(args.serve_raw, orjson.loads(args.plan)), host="127.0.0.1", port=args.port,
                    log_level="info", server_header=False, **UVICORN_SPEED_OPTIONS)
        return
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    if not 1 <= args.connections <= 250:
        parser.error("--connections must be between 1 and 250")

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = args.subscribers * 2 + 256  # inherited by the server and the subscriber process
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted if hard == resource.RLIM_INFINITY else min(wanted, hard),
                                                    hard))
    version = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True,
                             text=True).stdout.strip() or "unknown"
    print(f"command: {shlex.join([sys.executable, *sys.argv])}")
    print(f"portal {version}; {os.cpu_count()} cores; Python {sys.version.split()[0]}; "
          f"SQLite {sqlite3.sqlite_version}; open files {resource.getrlimit(resource.RLIMIT_NOFILE)[0]}; "
          f"1-min load {os.getloadavg()[0]:.2f}; one uvicorn worker, in-memory broker")

    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-applications-"))
    try:
        isolated("SQLite", f"sqlite:///{workdir}/bench.sqlite3", args, workdir)
        if not args.skip_postgres:
            schema = f"portal_bench_{uuid.uuid4().hex[:12]}"
            try:
                server_version = asyncio.run(postgres_schema(args.postgres, True, schema))
            except (OSError, asyncpg.PostgresError) as exc:
                print(f"\nPostgreSQL skipped: {exc}")
            else:
                try:
                    print(f"\nPostgreSQL {server_version}, schema {schema}")
                    isolated("PostgreSQL", f"{args.postgres}?schema={schema}", args, workdir)
                finally:
                    asyncio.run(postgres_schema(args.postgres, False, schema))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
