"""Mixed load against 1 and 2 `portal serve` workers on PostgreSQL and Redis, measured with wrk.

    .venv/bin/python bench/mix.py [--seconds 20] [--connections 16] [--subscribers 200] [--accepts 800]
                                  [--postgres postgres://postgres@127.0.0.1:5432] [--workers 1,2]

The mix of the issue, chosen per request by weight: the catalog 70 % (the mobile list's page of 20 bundles, or one
bundle by code, anonymous), my applications 15 % (``me { applications(first: 20) }`` of a random citizen), bundle
submissions 5 % (the newborn bundle, a fresh idempotency key each), handler actions 5 % (a 370100-WJW handler
accepting a submitted 出生医学证明 task, each task once), plus ``--subscribers`` idle WebSocket subscribers of
``applicationUpdated`` held open by a separate process during the run.

Set-up: a database ``portal_mix`` on the PostgreSQL server (created if missing; never ``test``), a fresh schema per
run, dropped at the end; migrated and seeded with the demo catalog; citizens with uploaded PDFs and their newborn
submission prepared by bench/applications.py's ``prepare``; a private redis-server on a free port as the broker.
For each worker count the portal is started (``portal serve --workers N``, the deployment of docs/deployment.md),
the tasks to accept are created over HTTP first, then wrk runs 1 s of warm-up and ``--seconds`` measured.

wrk runs one thread per connection so that, in a thread, requests and responses alternate and its Lua script can
time each operation (LuaJIT's ffi reads the monotonic clock): per operation the count, rate, p50/p99 and errors
(anything but HTTP 200 without GraphQL errors and, for the mutations, the expected type). The generator's ceiling
is wrk against ``GET /`` (a redirect: no database, no GraphQL) on the same server. Everything runs on loopback, on
one machine: the server's workers, PostgreSQL, Redis, the subscribers and wrk share its cores, which bounds the
scaling factor from 1 to 2 workers; the CPU seconds of the portal's processes are printed beside it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import asyncpg  # noqa: E402
import orjson  # noqa: E402
import websockets  # noqa: E402

from applications import (BIRTH_TASK, FOLLOW, Connection, cpu_seconds, http_request, over_connections,  # noqa: E402
                          percentile, prepare)
from portal import db  # noqa: E402
from tests.helpers import free_port, start_portal, stop  # noqa: E402

DATABASE = "portal_mix"
WEIGHTS = (("catalog", 0.70), ("mine", 0.15), ("submit", 0.05), ("accept", 0.05))
CATALOG_PAGE = """query Bundles($first: Int) { bundles(first: $first) { totalCount pageInfo { hasNextPage endCursor }
  edges { node { code name description audience national promisedDays singleItem
    items { item { code department { name } } } } } } }"""
BUNDLE = """query Bundle($code: String!) { bundle(code: $code) { code name description promisedDays
  items { item { code name department { name } } } } }"""
MINE = """{ me { applications(first: 20) { totalCount edges { node { id status createdAt } } } } }"""
ACCEPT = """mutation($id: ID!, $v: Int!) { acceptTask(id: $id, version: $v) { __typename
  ... on Task { id status version } ... on Conflict { code message } ... on NotFound { code }
  ... on PermissionDenied { code } } }"""
BUNDLE_CODES = ("newborn", "retirement", "open-restaurant", "school-enrolment", "second-hand-house-transfer",
                "employee-hiring")

# A child's name per submission: the portal refuses a second newborn application for the same child as a likely
# duplicate. The surname tells the runs apart (and the tasks made to accept), the given name the thread and serial.
GIVEN = "安宁嘉佳俊浩然轩雨欣梓涵沐晨子墨若汐思远一诺书瑶"
SURNAMES = "张王刘陈杨赵黄周"
TEMPLATE_CHILD = "张小宝"  # the name in bench/applications.py's submission template


def split_submission(citizen: Any) -> tuple[str, str, str]:
    """A citizen's newborn submission body, cut where the child's name and the idempotency key go."""
    before, after = citizen.template
    body = before.split(b"\r\n\r\n", 1)[1].decode()
    head, _, middle = body.partition(TEMPLATE_CHILD)
    return head, middle, after.decode()


def child_name(surname: str, marker: int, serial: int) -> str:
    """Unique for 24 markers (a run, a wrk thread) and 13,824 serials each; the Lua script spells it the same."""
    n = len(GIVEN)
    return surname + GIVEN[marker % n] + "".join(GIVEN[serial // n ** k % n] for k in (2, 1, 0))


async def tasks_to_accept(port: int, citizens: list[Any], count: int, run: int) -> list[tuple[str, str, str, int]]:
    """``count`` applications over HTTP: (applicant token, application id, 出生医学证明 task id and version)."""
    created: list[tuple[str, str, str, int]] = []
    numbered = list(enumerate(citizens[n % len(citizens)] for n in range(count)))

    async def create(conn: Connection, item: tuple[int, Any]) -> None:
        serial, citizen = item
        head, middle, tail = split_submission(citizen)
        body = head + child_name("李", run, serial) + middle + f"pool-{run}-{serial}" + tail
        status, answer = await conn.call(http_request("/graphql", body.encode(), citizen.token))
        result = orjson.loads(answer)["data"]["submitBundleApplication"] if status == 200 else None
        if not result or result["__typename"] != "Application":
            raise RuntimeError(f"could not create an application: HTTP {status}: {answer[:300].decode()}")
        task = next(t for t in result["tasks"] if t["item"]["code"] == BIRTH_TASK)
        created.append((citizen.token, result["id"], task["id"], task["version"]))

    await over_connections(port, 8, numbered, create)
    return created


LUA = r"""
local ffi = require("ffi")
ffi.cdef[[ typedef struct { long tv_sec; long tv_nsec; } mix_timespec; int clock_gettime(int, mix_timespec *); ]]
local clock = ffi.new("mix_timespec")
local function now_us() ffi.C.clock_gettime(1, clock); return tonumber(clock.tv_sec) * 1e6 + tonumber(clock.tv_nsec) / 1e3 end
local data = DATA
local threads, made = {}, 0
function setup(thread) made = made + 1; thread:set("id", made); table.insert(threads, thread) end
function init(args)
  nthreads = tonumber(args[1])
  math.randomseed(id * 7919 + os.time())
  -- Flat globals: wrk copies a thread's values to done() and crashes on nested tables.
  lat_catalog, lat_mine, lat_submit, lat_accept = {}, {}, {}, {}
  err_catalog, err_mine, err_submit, err_accept = 0, 0, 0, 0
  first_error, exhausted, next_accept, serial = "", 0, id, 0
end
local function json_headers(token)
  local h = {["Content-Type"] = "application/json"}
  if token then h["Authorization"] = "Bearer " .. token end
  return h
end
function request()
  local r = math.random()
  if r < data.cuts[1] then op = "catalog" elseif r < data.cuts[2] then op = "mine"
  elseif r < data.cuts[3] then op = "submit" else op = "accept" end
  if op == "accept" and next_accept > #data.accepts then op = "mine"; exhausted = exhausted + 1 end
  local body, token
  if op == "catalog" then
    body = data.catalog[math.random(#data.catalog)]
  elseif op == "mine" then
    token = data.citizens[math.random(#data.citizens)].token; body = data.mine
  elseif op == "submit" then
    local c = data.citizens[math.random(#data.citizens)]
    local n = #data.given
    serial = serial + 1
    local name = data.surname .. data.given[id % n + 1] .. data.given[math.floor(serial / (n * n)) % n + 1]
      .. data.given[math.floor(serial / n) % n + 1] .. data.given[serial % n + 1]
    token = c.token
    body = c.head .. name .. c.middle .. string.format("mix-%s-%d-%d", data.surname, id, serial) .. c.tail
  else
    local a = data.accepts[next_accept]; next_accept = next_accept + nthreads
    token = data.handler; body = a
  end
  started = now_us()
  return wrk.format("POST", "/graphql", json_headers(token), body)
end
function response(status, headers, body)
  local l = _G["lat_" .. op]; l[#l + 1] = now_us() - started
  local ok = status == 200 and not body:find('"errors"', 1, true)
  if ok and op == "submit" then ok = body:find('"__typename":"Application"', 1, true) ~= nil end
  if ok and op == "accept" then ok = body:find('"__typename":"Task"', 1, true) ~= nil end
  if not ok then
    _G["err_" .. op] = _G["err_" .. op] + 1
    if first_error == "" then first_error = op .. " HTTP " .. status .. ": " .. body:sub(1, 300) end
  end
end
function done(summary, latency, requests)
  local out = io.open(data.out, "w")
  for _, t in ipairs(threads) do
    for _, name in ipairs({"catalog", "mine", "submit", "accept"}) do
      out:write(name, " ", t:get("err_" .. name), " ", table.concat(t:get("lat_" .. name), ","), "\n")
    end
    out:write("exhausted ", t:get("exhausted"), "\n")
    local f = t:get("first_error")
    if f ~= "" then out:write("error ", (f:gsub("\n", " ")), "\n") end
  end
  out:close()
end
"""


def lua_value(value: Any) -> str:
    """A Lua literal of strings, numbers, lists and string-keyed tables."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # UTF-8 as is: Lua 5.1 strings know no \u escapes
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {lua_value(v)}" for k, v in value.items()) + "}"
    return "{" + ", ".join(lua_value(v) for v in value) + "}"


def mix_script(path: Path, out: Path, citizens: list[Any], handler: str, accepts: list[tuple[str, str, str, int]],
               surname: str) -> None:
    cuts, total, whole = [], 0.0, sum(weight for _, weight in WEIGHTS)
    for _, weight in WEIGHTS[:-1]:
        total += weight / whole  # the four shares of the issue add up to 95 %: scaled to the whole
        cuts.append(round(total, 6))
    catalog = [orjson.dumps({"query": CATALOG_PAGE, "variables": {"first": 20}}).decode()]
    catalog += [orjson.dumps({"query": BUNDLE, "variables": {"code": code}}).decode() for code in BUNDLE_CODES]
    people = [dict(zip(("token", "head", "middle", "tail"), (citizen.token, *split_submission(citizen))))
              for citizen in citizens]
    data = {"out": str(out), "cuts": cuts, "surname": surname, "given": list(GIVEN), "catalog": catalog, "mine": orjson.dumps({"query": MINE}).decode(),
            "citizens": people, "handler": handler,
            "accepts": [orjson.dumps({"query": ACCEPT, "variables": {"id": task, "v": version}}).decode()
                        for _, _, task, version in accepts]}
    text = LUA.replace("local data = DATA", "local data = " + lua_value(data), 1)
    path.write_text(text, encoding="utf-8")


def read_results(out: Path) -> tuple[dict[str, list[float]], dict[str, int], int, list[str]]:
    latencies: dict[str, list[float]] = {name: [] for name, _ in WEIGHTS}
    errors = dict.fromkeys(latencies, 0)
    exhausted, first_errors = 0, []
    for line in out.read_text(encoding="utf-8").splitlines():
        head, _, rest = line.partition(" ")
        if head == "exhausted":
            exhausted += int(rest)
        elif head == "error":
            first_errors.append(rest)
        else:
            count, _, values = rest.partition(" ")
            errors[head] += int(count)
            latencies[head] += [float(v) / 1e6 for v in values.split(",") if v]
    return latencies, errors, exhausted, first_errors


def wrk(port: int, script: Path | None, seconds: float, connections: int, path: str = "/graphql") -> str:
    base = ["wrk", "-t", str(connections), "-c", str(connections), "--timeout", "30s", "-d", f"{seconds:g}s"]
    if script is not None:
        base += ["-s", str(script)]
    command = [*base, f"http://127.0.0.1:{port}{path}"]
    if script is not None:
        command += ["--", str(connections)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    if done.stderr.strip():  # wrk reports an error of the Lua script here and goes on
        raise SystemExit(f"wrk: {done.stderr.strip()[:2000]}")
    return done.stdout


def idle_subscribers(port: int, follows: list[tuple[str, str]], ready: Any, stop_event: Any) -> None:
    """Runs in its own process: one WebSocket per application, subscribed, held open until told to stop."""
    async def run() -> None:
        sockets = []
        gate = asyncio.Semaphore(50)

        async def follow(token: str, application_id: str) -> None:
            async with gate:
                ws = await websockets.connect(f"ws://127.0.0.1:{port}/graphql", open_timeout=30,
                                              subprotocols=["graphql-transport-ws"], ping_interval=None)
                await ws.send(orjson.dumps({"type": "connection_init",
                                            "payload": {"authorization": f"Bearer {token}"}}).decode())
                await asyncio.wait_for(ws.recv(), 30)
                await ws.send(orjson.dumps({"type": "subscribe", "id": "1", "payload": {
                    "query": FOLLOW, "variables": {"id": application_id, "after": "1"}}}).decode())
                sockets.append(ws)

        await asyncio.gather(*(follow(token, application) for token, application in follows))
        ready.set()
        while not stop_event.is_set():  # idle: the tasks of their applications are not the ones accepted
            await asyncio.sleep(0.2)
        for ws in sockets:
            await ws.close()

    asyncio.run(run())


def process_cpu(pid: int) -> float:
    """CPU seconds of a process and its children (the uvicorn workers)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return cpu_seconds(pid) + sum(cpu_seconds(int(child)) for child in children)


def run_workers(run: int, workers: int, url: str, args: argparse.Namespace, citizens: list[Any], handler: str,
                workdir: Path, broker: str) -> dict[str, Any]:
    port = free_port()
    server, _ = start_portal(url, "--workers", str(workers), port=port, env={
        "PORTAL_BROKER_URL": broker, "PORTAL_UPLOAD_DIR": str(workdir / "uploads")}, startup_seconds=120)
    try:
        accepts = asyncio.run(tasks_to_accept(port, citizens, args.accepts + args.subscribers, run))
        follows = [(token, application) for token, application, _, _ in accepts[:args.subscribers]]
        ready, stop_event = multiprocessing.Event(), multiprocessing.Event()
        holder = multiprocessing.Process(target=idle_subscribers, args=(port, follows, ready, stop_event))
        holder.start()
        try:
            if not ready.wait(120):
                raise SystemExit("the idle subscribers did not connect")
            script, out = workdir / f"mix-{workers}.lua", workdir / f"mix-{workers}.out"
            warm_up, measured = SURNAMES[2 * run], SURNAMES[2 * run + 1]
            spare = args.subscribers + args.accepts // 10  # the warm-up's tasks: it asks for more than it gets
            mix_script(script, out, citizens, handler, accepts[args.subscribers:spare], warm_up)
            wrk(port, script, 1, args.connections)
            mix_script(script, out, citizens, handler, accepts[spare:], measured)
            cpu_before, started = process_cpu(server.pid), time.monotonic()
            summary = wrk(port, script, args.seconds, args.connections)
            elapsed, cpu = time.monotonic() - started, process_cpu(server.pid) - cpu_before
            ceiling = wrk(port, None, 5, args.connections, path="/")
        finally:
            stop_event.set()
            holder.join(timeout=30)
            if holder.is_alive():
                holder.terminate()
    finally:
        stop(server)
    latencies, errors, exhausted, first_errors = read_results(out)
    requests = sum(len(v) for v in latencies.values())
    return {"workers": workers, "seconds": elapsed, "requests": requests, "rps": requests / elapsed,
            "latencies": latencies, "errors": errors, "exhausted": exhausted, "first_errors": first_errors,
            "cpu": cpu, "ceiling": float(re.search(r"Requests/sec:\s+([\d.]+)", ceiling).group(1)),
            "wrk": summary}


def report(result: dict[str, Any]) -> None:
    print(f"\n{result['workers']} worker(s): {result['rps']:.0f} requests/s over {result['seconds']:.1f} s, "
          f"portal CPU {result['cpu']:.1f} s ({result['cpu'] / result['seconds']:.2f} cores), "
          f"generator ceiling (GET /, no database) {result['ceiling']:.0f} requests/s")
    print(f"  {'operation':10} {'count':>7} {'share':>6} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}")
    for name, _ in WEIGHTS:
        values = sorted(result["latencies"][name])
        share = len(values) / max(result["requests"], 1)
        print(f"  {name:10} {len(values):7d} {share:6.1%} {len(values) / result['seconds']:7.1f} "
              f"{percentile(values, 50):7.1f} {percentile(values, 99):7.1f} {result['errors'][name]:6d}")
    if result["exhausted"]:
        print(f"  ({result['exhausted']} handler actions found no task left and asked for my applications instead)")
    for line in result["first_errors"][:3]:
        print(f"  first error: {line}")


async def fresh_schema(base: str) -> tuple[str, str]:
    """A new schema in the ``portal_mix`` database (created if missing): (its URL, its name)."""
    url = f"{base}/{DATABASE}"
    await db.create_database(url)
    name = f"mix_{secrets.token_hex(4)}"
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(f'CREATE SCHEMA "{name}"')
    finally:
        await connection.close()
    return f"{url}?schema={name}", name


async def drop_schema(base: str, name: str) -> None:
    connection = await asyncpg.connect(f"{base}/{DATABASE}")
    try:
        await connection.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
    finally:
        await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--subscribers", type=int, default=200)
    parser.add_argument("--accepts", type=int, default=800, help="tasks created to accept, per worker count")
    parser.add_argument("--citizens", type=int, default=64)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--workers", default="1,2", help="the worker counts to measure, in order")
    args = parser.parse_args()
    for tool in ("wrk", "redis-server"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is needed")
    workdir = Path(tempfile.mkdtemp(prefix="portal-mix-"))
    redis_port = free_port()
    redis_server = subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                                     "--appendonly", "no"], stdout=subprocess.DEVNULL)
    url, schema = asyncio.run(fresh_schema(args.postgres))
    try:
        citizens, handler, _ = asyncio.run(prepare(url, workdir / "uploads", args.citizens))
        print(f"mix: {', '.join(f'{n} {w:.0%}' for n, w in WEIGHTS)}; {args.subscribers} idle subscribers; wrk "
              f"-t{args.connections} -c{args.connections} -d{args.seconds:g}s; PostgreSQL {DATABASE} schema {schema}; "
              f"{os.cpu_count()} cores shared by wrk, the workers, PostgreSQL and Redis")
        results = []
        for run, workers in enumerate(int(n) for n in args.workers.split(",")):
            results.append(run_workers(run, workers, url, args, citizens, handler, workdir, f"redis://127.0.0.1:{redis_port}/0"))
            report(results[-1])
        if len(results) >= 2:
            print(f"\nscaling {results[0]['workers']} -> {results[-1]['workers']} workers: "
                  f"{results[-1]['rps'] / results[0]['rps']:.2f}x requests/s "
                  f"(portal CPU {results[0]['cpu'] / results[0]['seconds']:.2f} -> "
                  f"{results[-1]['cpu'] / results[-1]['seconds']:.2f} cores of {os.cpu_count()})")
        if any(sum(r["errors"].values()) for r in results):
            raise SystemExit("errors under load (see above)")
    finally:
        asyncio.run(drop_schema(args.postgres, schema))
        redis_server.kill()
        redis_server.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
