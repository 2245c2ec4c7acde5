"""Live subscribers at scale (issue 19): 10,000 WebSocket hall screens on one `portal serve` worker.

    .venv/bin/python bench/subscribers.py [--connections 10000] [--broadcast 2000] [--targeted 10] [--calls 10]
                                          [--clients 2]

A temporary SQLite database is migrated and seeded in this process (catalog, the demo halls, waiting tickets taken
through the rules, a window clerk of the halls), then ``portal serve`` runs as a subprocess (one uvicorn worker,
in-memory broker; ``bench/applications.py`` starts it). ``--clients`` processes open the graphql-transport-ws
connections (anonymous, like a hall's screens), each subscribed to ``hallCalls``: ``--targeted`` on 历下区政务服务中心,
``--broadcast`` on 青岛市民中心, the rest on 济南市民中心.

Reported:
1. Memory: the server's RSS before the connections and once all are subscribed; per connection = the difference /
   connections. Goal <= 64 KiB.
2. Broadcast: ``--calls`` tickets called one after the other (1 s apart) at a counter of 青岛市民中心 over HTTP;
   latency = arrival at each screen - the ticket's ``calledAt`` (set in the calling transaction). Goal p99 < 500 ms.
3. Targeted: ``--calls`` tickets called at 历下区 (few screens) while the 10,000 are connected. Goal p99 < 100 ms.
The client processes' CPU during each phase is printed beside the latencies: a busy client delays arrivals.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import orjson  # noqa: E402
import websockets  # noqa: E402

from bench.applications import Connection, cpu_seconds, http_request, percentile, portal_server, stop  # noqa: E402
from portal import db, events  # noqa: E402
from portal.audit.rules import Actor  # noqa: E402
from portal.catalog.seed import seed_catalog  # noqa: E402
from portal.catalog.source import read_catalog  # noqa: E402
from portal.halls import rules as halls  # noqa: E402
from portal.halls.seed import seed_halls  # noqa: E402
from portal.identity.models import Role  # noqa: E402
from portal.identity.passwords import Passwords  # noqa: E402
from portal.identity.rules import login  # noqa: E402

MANY, BROADCAST, TARGETED = "JNSMZX", "QDSMZX", "LXQZWFW"
COUNTERS = {BROADCAST: "QDSMZX-01", TARGETED: "LXQZWFW-01"}  # both serve 企业开办 (QYKB)
CLERK_PASSWORD = "Window-Clerk-2115"
GOAL_KIB, GOAL_BROADCAST_MS, GOAL_TARGETED_MS = 64, 500, 100
HALL_CALLS = "subscription($h: String!) { hallCalls(hallCode: $h) { number calledAt counter { code } } }"
CALL = "mutation($c: String!) { callNextTicket(counterCode: $c) { __typename ... on Ticket { number calledAt } } }"


async def prepare(url: str, tickets: int) -> str:
    """Migrate, seed, take ``tickets`` waiting 企业开办 tickets in the two called halls; a clerk's token."""
    await db.migrate(url)
    async with db.database(url):
        await seed_catalog(read_catalog())
        await seed_halls()
        for hall in COUNTERS:
            for n in range(tickets):
                await halls.take_ticket(Actor(None, "bench", f"10.210.{n % 250}.1", "KIOSK"), hall, "QYKB",
                                        f"bench-{hall}-{n}")
        passwords = Passwords("test")
        await halls.create_staff_in_halls(passwords, username="bench-clerk", password=CLERK_PASSWORD,
                                          role=Role.WINDOW_CLERK, department_code="370100-XZSPJ",
                                          region_code="370100", name="窗口人员", halls=list(COUNTERS))
        signed = await login(passwords, Actor(None, "bench", "10.211.0.1"), username="bench-clerk",
                             password=CLERK_PASSWORD)
        await events.hub().marks.flush()  # the tickets' events, before the database closes
    return signed.token


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def screens_worker(port: int, halls_of_screens: list[str], commands: Any, results: Any) -> None:
    """Runs in its own process: one anonymous WebSocket per screen, subscribed to its hall's calls; records the
    arrival of every call (seconds after the ticket's ``calledAt``) until told to stop."""
    async def run() -> dict[str, Any]:
        arrivals: dict[str, list[float]] = {hall: [] for hall in set(halls_of_screens)}
        problems: list[str] = []
        ready, sockets = [0], []
        gate = asyncio.Semaphore(64)

        async def screen(hall: str) -> None:
            try:
                async with gate:
                    ws = await websockets.connect(f"ws://127.0.0.1:{port}/graphql", open_timeout=60,
                                                  subprotocols=["graphql-transport-ws"], ping_interval=None,
                                                  compression=None, max_queue=64)
                    sockets.append(ws)
                    await ws.send('{"type":"connection_init","payload":{}}')
                    ack = orjson.loads(await asyncio.wait_for(ws.recv(), 60))
                    if ack.get("type") != "connection_ack":
                        raise RuntimeError(f"no connection_ack: {ack}")
                    await ws.send(orjson.dumps({"type": "subscribe", "id": "1", "payload": {
                        "query": HALL_CALLS, "variables": {"h": hall}}}).decode())
                ready[0] += 1
            except Exception as exc:  # noqa: BLE001 - counted, the first few shown
                problems.append(f"connect: {type(exc).__name__}: {exc}")
                return
            async for frame in ws:
                now = time.time()
                message = orjson.loads(frame)
                if message.get("type") != "next":
                    problems.append(f"unexpected: {str(message)[:200]}")
                    continue
                called = message["payload"]["data"]["hallCalls"]
                arrivals[hall].append(now - datetime.fromisoformat(called["calledAt"]).timestamp())

        tasks = [asyncio.create_task(screen(hall)) for hall in halls_of_screens]
        loop = asyncio.get_running_loop()
        while (command := await loop.run_in_executor(None, commands.get)) != "stop":
            if command == "ready?":
                results.put({"ready": ready[0], "problems": len(problems)})
            elif command == "arrivals?":
                results.put({hall: len(times) for hall, times in arrivals.items()})
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.wait({asyncio.create_task(ws.close()) for ws in sockets} or {asyncio.sleep(0)}, timeout=30)
        return {"arrivals": arrivals, "problems": problems[:5], "failed": len(problems)}

    results.put(asyncio.run(run()))


class Screens:
    """The client processes and their commands."""

    def __init__(self, port: int, plan: list[str], processes: int) -> None:
        self.workers = []
        for n in range(processes):
            commands, results = multiprocessing.Queue(), multiprocessing.Queue()
            worker = multiprocessing.Process(target=screens_worker, args=(port, plan[n::processes], commands, results),
                                             daemon=True)
            worker.start()
            self.workers.append((worker, commands, results))

    def ask(self, command: str) -> list[dict[str, Any]]:
        for _, commands, _ in self.workers:
            commands.put(command)
        return [results.get(timeout=600) for _, _, results in self.workers]

    def cpu(self) -> float:
        return sum(cpu_seconds(worker.pid) for worker, _, _ in self.workers)

    def stop(self) -> list[dict[str, Any]]:
        return self.ask("stop")

    def kill(self) -> None:
        for worker, _, _ in self.workers:
            stop(worker, 30)


async def call_tickets(port: int, token: str, counter: str, calls: int, spacing: float) -> list[str]:
    """Call ``calls`` tickets at ``counter``, ``spacing`` seconds apart; the numbers called."""
    conn = await Connection.open(port)
    numbers = []
    try:
        for _ in range(calls):
            status, body = await conn.call(http_request("/graphql", orjson.dumps({
                "query": CALL, "variables": {"c": counter}}), token))
            answer = orjson.loads(body)["data"]["callNextTicket"] if status == 200 else None
            if not answer or answer["__typename"] != "Ticket":
                raise RuntimeError(f"callNextTicket failed: HTTP {status}: {body[:300].decode()}")
            numbers.append(answer["number"])
            await asyncio.sleep(spacing)
    finally:
        conn.close()
    return numbers


def wait_for(screens: Screens, expected: dict[str, int], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        counts = screens.ask("arrivals?")
        if all(sum(c.get(hall, 0) for c in counts) >= n for hall, n in expected.items()):
            return
        time.sleep(0.5)


def phase(screens: Screens, pid: int, port: int, token: str, hall: str, calls: int, spacing: float,
          expected: dict[str, int]) -> dict[str, float]:
    server_cpu, client_cpu, started = cpu_seconds(pid), screens.cpu(), time.perf_counter()
    asyncio.run(call_tickets(port, token, COUNTERS[hall], calls, spacing))
    wait_for(screens, expected, 30)
    elapsed, used = time.perf_counter() - started, cpu_seconds(pid) - server_cpu
    return {"server_cpu": used / elapsed, "server_ms_per_call": used * 1000 / calls,
            "client_cpu": (screens.cpu() - client_cpu) / elapsed / len(screens.workers)}


def summary(label: str, times: list[float], screens: int, calls: int, goal_ms: float,
            load: dict[str, float]) -> None:
    ordered = sorted(times)
    p50, p99 = percentile(ordered, 50), percentile(ordered, 99)
    print(f"{label}: {len(ordered)}/{screens * calls} arrivals ({screens} screens x {calls} calls); "
          f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {ordered[-1] * 1000 if ordered else float('nan'):.1f} ms "
          f"(goal p99 < {goal_ms} ms: {'met' if p99 < goal_ms else 'NOT met'}); server CPU {load['server_cpu']:.0%} "
          f"({load['server_ms_per_call']:.0f} ms per call), client CPU {load['client_cpu']:.0%} per client process; "
          f"1-min load {os.getloadavg()[0]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=10_000)
    parser.add_argument("--broadcast", type=int, default=2_000, help="screens of the called hall")
    parser.add_argument("--targeted", type=int, default=10, help="screens of the hall of the targeted calls")
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    if args.broadcast + args.targeted > args.connections:
        parser.error("--broadcast + --targeted must not exceed --connections")

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # inherited by the server and the clients
    limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if args.connections // args.clients + 256 > limit:
        parser.error(f"{args.connections // args.clients} connections per client exceed the open-file limit {limit}")
    version = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True,
                             text=True).stdout.strip() or "unknown"
    print(f"command: {shlex.join([sys.executable, *sys.argv])}")
    print(f"portal {version}; {os.cpu_count()} cores (server and clients share them); Python {sys.version.split()[0]}; "
          f"open files {limit} (was {soft}); 1-min load {os.getloadavg()[0]:.2f}; one uvicorn worker, "
          f"in-memory broker; {args.clients} client processes (websockets {websockets.__version__}, "
          f"at most {args.connections // args.clients + 1} connections each)")

    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-subscribers-"))
    url = f"sqlite:///{workdir}/bench.sqlite3"
    plan = ([TARGETED] * args.targeted + [BROADCAST] * args.broadcast
            + [MANY] * (args.connections - args.broadcast - args.targeted))
    try:
        token = asyncio.run(prepare(url, args.calls * 2))
        with portal_server(url, workdir / "uploads", workdir / "server.log") as (port, pid):
            asyncio.run(call_tickets(port, token, COUNTERS[TARGETED], 1, 0))  # warm the call path
            time.sleep(1)
            before = rss_kib(pid)
            started = time.perf_counter()
            screens = Screens(port, plan, args.clients)
            try:
                while True:
                    states = screens.ask("ready?")
                    ready, failed = sum(s["ready"] for s in states), sum(s["problems"] for s in states)
                    if ready + failed >= args.connections or time.perf_counter() - started > 600:
                        break
                    time.sleep(1)
                opened = time.perf_counter() - started
                time.sleep(3)  # the last subscriptions reach their broadcast
                after = rss_kib(pid)
                per = (after - before) / max(ready, 1)
                print(f"connections: {ready} subscribed, {failed} failed, in {opened:.1f} s")
                print(f"server RSS: {before / 1024:.0f} MiB before, {after / 1024:.0f} MiB with {ready} subscribers: "
                      f"{per:.1f} KiB per connection (goal <= {GOAL_KIB} KiB: {'met' if per <= GOAL_KIB else 'NOT met'})")
                broadcast_load = phase(screens, pid, port, token, BROADCAST, args.calls, 1.0,
                                       {BROADCAST: args.broadcast * args.calls})
                targeted_load = phase(screens, pid, port, token, TARGETED, args.calls, 0.3,
                                      {TARGETED: args.targeted * args.calls})
                print(f"server RSS after the calls: {rss_kib(pid) / 1024:.0f} MiB")
                finals = screens.stop()
            finally:
                screens.kill()
        arrivals: dict[str, list[float]] = {}
        for final in finals:
            for hall, times in final["arrivals"].items():
                arrivals.setdefault(hall, []).extend(times)
            for problem in final["problems"]:
                print(f"  client problem: {problem}")
        summary("broadcast (青岛市民中心)", arrivals.get(BROADCAST, []), args.broadcast, args.calls,
                GOAL_BROADCAST_MS, broadcast_load)
        summary("targeted (历下区)", arrivals.get(TARGETED, []), args.targeted, args.calls, GOAL_TARGETED_MS,
                targeted_load)
        print(f"screens of 济南市民中心 (never called) received {len(arrivals.get(MANY, []))} frames")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
