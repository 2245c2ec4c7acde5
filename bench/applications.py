"""Applications benchmark: bundle submissions per second, and live event delivery to 1,000 subscribers.

    .venv/bin/python bench/applications.py [--seconds 10] [--connections 16] [--subscribers 1000] [--skip-postgres]

For each database (a fresh temporary SQLite file; PostgreSQL in a fresh schema of
postgres://postgres@127.0.0.1:5432/test, dropped at the end) the database is migrated and seeded in this
process, with N citizens (tokens kept) and, per citizen, two small PDFs in the FileStore and their
``UploadedFile`` rows. Then ``portal serve`` runs as a subprocess (one uvicorn worker) and:

1. Submissions: a separate load process keeps C HTTP/1.1 keep-alive connections busy on loopback, each with
   its own citizen's token, sending ``submitBundleApplication`` of the ``newborn`` bundle with a fresh
   idempotency key per request: 1 s warm-up, then ``--seconds`` measured (count capped). Reported:
   submissions/s, p50/p99 latency, errors (anything but an ``Application``), the server's and the client's CPU,
   and a check that the database holds exactly one application per successful response. C = 16 and C = 4.
   Then one connection submits 200 times in a row: the p50 there is the server's own cost per submission,
   without queueing. The issue's goal: >= 200 submissions/s with p99 < 150 ms on SQLite, C = 16.
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
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
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
from portal.catalog.seed import seed_catalog  # noqa: E402
from portal.catalog.source import read_catalog  # noqa: E402
from portal.identity.models import Role  # noqa: E402
from portal.identity.numbers import id_number_check_character  # noqa: E402
from portal.identity.passwords import Passwords  # noqa: E402
from portal.identity.rules import create_staff, login, register_citizen  # noqa: E402

POSTGRES = "postgres://postgres@127.0.0.1:5432/test"
PORTAL = Path(sys.executable).with_name("portal")
CITIZENS = 32
GOAL_RPS, GOAL_P99_MS = 200, 150
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
    template: tuple[bytes, bytes]  # a submission request, split where its idempotency key goes

    def submission(self) -> bytes:
        """The citizen's newborn submission with a fresh idempotency key."""
        return self.template[0] + uuid.uuid4().hex.encode() + self.template[1]


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


def submission_template(i: int, token: str, materials: list[dict[str, str]]) -> tuple[bytes, bytes]:
    placeholder = "@" * 32  # as long as uuid4().hex
    values = {"child.name": "张小宝", "child.gender": "MALE", "child.birthPlace": "济南市妇幼保健院",
              "child.birthDate": (date.today() - timedelta(days=20)).isoformat(),
              "mother.name": "李梅", "mother.idNumber": id_number(i, "19950101"), "father.name": "张三",
              "father.idNumber": id_number(i, "19930101"), "applicant.address": "济南市历下区龙奥北路8号",
              "child.ethnicity": "汉族", "household.address": "济南市历下区解放路100号", "delivery.method": "MAIL"}
    body = orjson.dumps({"query": SUBMIT, "variables": {"input": {
        "bundleCode": "newborn", "formValues": values, "channel": "MOBILE", "idempotencyKey": placeholder,
        "materials": materials}}})
    prefix, suffix = http_request("/graphql", body, token).split(placeholder.encode())
    return prefix, suffix


async def prepare(url: str, upload_dir: Path, citizens: int) -> tuple[list[Citizen], str]:
    """Migrate, seed, register citizens with their uploaded PDFs and a 370100-WJW handler (in this process)."""
    await db.migrate(url)
    async with db.database(url):
        await seed_catalog(read_catalog())
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
            people.append(Citizen(signed.token, submission_template(i, signed.token, materials)))
        await create_staff(passwords, username="bench-handler", password=HANDLER_PASSWORD,
                           role=Role.DEPARTMENT_HANDLER, department_code="370100-WJW", region_code="370100",
                           name="经办人")
        handler = await login(passwords, Actor(None, "bench", "10.201.0.1"), username="bench-handler",
                              password=HANDLER_PASSWORD)
    return people, handler.token


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


def load_worker(port: int, server_pid: int, citizens: list[Citizen], seconds: float, queue: Any) -> None:
    """Runs in its own process: one connection per citizen, 1 s warm-up, then ``seconds`` measured."""
    async def run() -> dict[str, Any]:
        start = time.perf_counter()
        measure_from, until = start + 1, start + 1 + seconds
        latencies: list[float] = []
        state: dict[str, Any] = {"sent": 0, "ok": 0, "measured_ok": 0, "errors": 0, "first_error": None,
                                 "finished": measure_from}

        async def connection(citizen: Citizen) -> None:
            conn = await Connection.open(port)
            try:
                while time.perf_counter() < until and state["sent"] < MAX_REQUESTS:
                    state["sent"] += 1
                    request, started = citizen.submission(), time.perf_counter()
                    try:
                        status, body = await conn.call(request)
                    except (TimeoutError, OSError, asyncio.IncompleteReadError) as exc:
                        state["errors"] += 1
                        state["first_error"] = state["first_error"] or f"{type(exc).__name__}: {exc}"
                        return
                    finished = time.perf_counter()
                    good = status == 200 and OK in body
                    state["ok"] += good
                    if not good:
                        state["errors"] += 1
                        state["first_error"] = state["first_error"] or f"HTTP {status}: {body[:300].decode()}"
                    if started >= measure_from:
                        latencies.append(finished - started)
                        state["measured_ok"] += good
                        state["finished"] = max(state["finished"], finished)
            finally:
                conn.close()

        tasks = [asyncio.create_task(connection(c)) for c in citizens]
        await asyncio.sleep(max(0.0, measure_from - time.perf_counter()))
        server_cpu, client_cpu = cpu_seconds(server_pid), time.process_time()
        await asyncio.wait_for(asyncio.gather(*tasks), seconds + 60)
        elapsed = state["finished"] - measure_from
        latencies.sort()
        return {**state, "rps": state["measured_ok"] / elapsed, "measured": len(latencies),
                "p50": percentile(latencies, 50), "p99": percentile(latencies, 99),
                "server_cpu": (cpu_seconds(server_pid) - server_cpu) / elapsed,
                "client_cpu": (time.process_time() - client_cpu) / elapsed}

    queue.put(asyncio.run(run()))


def stop(worker: multiprocessing.process.BaseProcess, grace: float) -> None:
    """Wait ``grace`` seconds for ``worker`` to end, then terminate it, then kill it."""
    worker.join(timeout=grace)
    if worker.is_alive():
        worker.terminate()
        worker.join(timeout=10)
        if worker.is_alive():
            worker.kill()
            worker.join(timeout=5)


def in_process(target: Any, args: tuple[Any, ...], timeout: float) -> dict[str, Any]:
    """Run ``target(*args, queue)`` in another process and return what it puts on the queue (bounded)."""
    queue: Any = multiprocessing.Queue()
    worker = multiprocessing.Process(target=target, args=(*args, queue), daemon=True)
    worker.start()
    try:
        return queue.get(timeout=timeout)
    finally:
        stop(worker, 10)


async def sequential(port: int, citizen: Citizen, count: int) -> list[float]:
    conn, latencies = await Connection.open(port), []
    try:
        for _ in range(count):
            started = time.perf_counter()
            status, body = await conn.call(citizen.submission())
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
def portal_server(url: str, upload_dir: Path, log_path: Path) -> Iterator[tuple[int, int]]:
    """``portal serve`` (one worker) on a free loopback port; yields (port, pid); always stopped."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(PORTAL_PASSWORD_PROFILE="test", PORTAL_UPLOAD_DIR=str(upload_dir))
    with open(log_path, "wb") as log:
        server = subprocess.Popen([str(PORTAL), "serve", "--port", str(port), "--database", url],
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
    citizens, handler = asyncio.run(prepare(url, upload_dir, max(CITIZENS, args.connections)))
    print(f"\n== {name}: prepared in {time.perf_counter() - started:.1f} s ({len(citizens)} citizens)")
    with portal_server(url, upload_dir, log_path) as (port, pid):
        print(f"{'connections':>11} {'subm/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'measured':>9} "
              f"{'server CPU':>10} {'client CPU':>10}  database check")
        for connections in dict.fromkeys((args.connections, 4)):
            before = asyncio.run(count_applications(url))
            r = in_process(load_worker, (port, pid, citizens[:connections], args.seconds), args.seconds + 120)
            stored = asyncio.run(count_applications(url)) - before
            check = "ok" if stored == r["ok"] else f"MISMATCH: {stored} stored, {r['ok']} successful responses"
            print(f"{connections:11d} {r['rps']:8.1f} {r['p50']:8.1f} {r['p99']:8.1f} {r['errors']:7d} "
                  f"{r['measured']:9d} {r['server_cpu']:10.0%} {r['client_cpu']:10.0%}  {check} ({stored} rows)")
            if r["first_error"]:
                print(f"            first error: {r['first_error']}")
            if name == "SQLite" and connections == args.connections:
                met = r["rps"] >= GOAL_RPS and r["p99"] < GOAL_P99_MS and not r["errors"]
                print(f"            goal (>= {GOAL_RPS}/s, p99 < {GOAL_P99_MS} ms, C={connections}): "
                      f"{'MET' if met else 'NOT MET'}")
        one = asyncio.run(sequential(port, citizens[0], SEQUENTIAL))
        p50 = statistics.median(one) * 1000
        print(f"sequential, 1 connection, {SEQUENTIAL} submissions: p50 {p50:.1f} ms, p90 "
              f"{percentile(one, 90):.1f} ms, min {one[0] * 1000:.1f} ms "
              f"=> at most ~{1000 / p50:.0f}/s on one worker if the server's time is CPU")
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


def isolated(name: str, url: str, args: argparse.Namespace, workdir: Path) -> None:
    """Run one database in a fresh process: Tortoise keeps each model's SQL of the first dialect a process used
    (a PostgreSQL insert after a SQLite one is sent with SQLite's ``?`` placeholders)."""
    child = multiprocessing.get_context("spawn").Process(target=run_database, args=(name, url, args, workdir))
    child.start()
    stop(child, 900)
    if child.exitcode:
        print(f"{name}: the run failed (exit code {child.exitcode})")


async def postgres_schema(create: bool, name: str) -> str:
    conn = await asyncpg.connect(POSTGRES, timeout=10)
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
    args = parser.parse_args()
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
                server_version = asyncio.run(postgres_schema(True, schema))
            except (OSError, asyncpg.PostgresError) as exc:
                print(f"\nPostgreSQL skipped: {exc}")
            else:
                try:
                    print(f"\nPostgreSQL {server_version}, schema {schema}")
                    isolated("PostgreSQL", f"{POSTGRES}?schema={schema}", args, workdir)
                finally:
                    asyncio.run(postgres_schema(False, schema))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
