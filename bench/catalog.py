"""Catalog benchmark: the public `bundles` query against a hand-written Starlette route.

    .venv/bin/python bench/catalog.py [--seconds 5] [--connections 16]

Builds a SQLite catalog of 100 bundles (the demo catalog plus generated ones), serves the portal with
one uvicorn worker in a child process, and adds a raw route to the same process that reads the same
rows and writes the same JSON with orjson on every request, and a second raw route that serves that JSON
precomputed (the upper bound of any route). A load generator in another process keeps
``--connections`` HTTP/1.1 keep-alive connections busy on loopback for a fixed time per target and
prints requests per second, p50 and p99 latency, and the ratio of each target to the raw route.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import socket
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import orjson  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import Response  # noqa: E402
from starlette.routing import Route  # noqa: E402

from portal import db  # noqa: E402
from portal.catalog.models import Bundle, BundleChannel, BundleItem, Department  # noqa: E402
from portal.catalog.seed import seed_catalog  # noqa: E402
from portal.catalog.source import BundleItemSpec, CatalogSource, read_catalog  # noqa: E402

BUNDLES = 100
QUERY = """{ bundles(first: 100) { edges { node {
  code name description audience promisedDays channels
  items { item { code name promisedDays department { code name } } prerequisites }
} } } }"""


def with_volume(source: CatalogSource, total: int) -> CatalogSource:
    """The demo catalog plus generated bundles (chains and diamonds over real items) up to ``total``."""
    rng = random.Random(2115)
    generated = []
    for n in range(total - len(source.bundles)):
        audience = rng.choice(["CITIZEN", "ENTERPRISE"])
        pool = [i for i in source.items if i.audience.value in (audience, "BOTH")]
        picked = rng.sample(pool, rng.randint(3, 6))
        members = [BundleItemSpec(item=picked[0].code)]
        for k, item in enumerate(picked[1:], start=1):
            members.append(BundleItemSpec(item=item.code, prerequisites=(picked[rng.randrange(k)].code,)))
        template = rng.choice(source.bundles)
        generated.append(template.model_copy(update={
            "code": f"volume-{n:03d}", "name": f"{template.name}（批量{n:03d}）", "audience": picked[0].audience,
            "national": False, "items": tuple(members)}))
    return replace(source, bundles=source.bundles + tuple(generated))


async def raw_catalog(request: Request) -> Response:
    """The hand-written comparison: the same rows, the same JSON, no GraphQL."""
    bundles = await Bundle.all().order_by("sort", "id").limit(100)
    ids = [b.id for b in bundles]
    links = await BundleItem.filter(bundle_id__in=ids).order_by("bundle_id", "sort").select_related("item")
    channels = await BundleChannel.filter(bundle_id__in=ids).order_by("bundle_id", "terminal")
    departments = {d.id: d for d in await Department.filter(id__in={link.item.department_id for link in links})}
    items: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    for link in links:
        department = departments[link.item.department_id]
        items[link.bundle_id].append({"item": {
            "code": link.item.code, "name": link.item.name, "promisedDays": link.item.promised_days,
            "department": {"code": department.code, "name": department.name}},
            "prerequisites": link.prerequisites})
    terminals: dict[int, list[str]] = {i: [] for i in ids}
    for channel in channels:
        terminals[channel.bundle_id].append(channel.terminal.value)
    edges = [{"node": {"code": b.code, "name": b.name, "description": b.description, "audience": b.audience.value,
                       "promisedDays": b.promised_days, "channels": terminals[b.id], "items": items[b.id]}}
             for b in bundles]
    return Response(orjson.dumps({"data": {"bundles": {"edges": edges}}}), media_type="application/json")


_precomputed: list[bytes] = []


async def precomputed_catalog(request: Request) -> Response:
    """The strictest comparison: the raw route's JSON built once, then served as bytes."""
    if not _precomputed:
        _precomputed.append((await raw_catalog(request)).body)
    return Response(_precomputed[0], media_type="application/json")


def serve(url: str, port: int) -> None:
    import logging

    import uvicorn

    from portal.app import create_app
    from portal.config import Settings

    logging.disable(logging.INFO)
    app = create_app(Settings(database_url=url))
    app.router.routes.insert(0, Route("/raw/catalog", raw_catalog))
    app.router.routes.insert(0, Route("/raw/catalog-bytes", precomputed_catalog))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def request_bytes(method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: keep-alive"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def one_connection(port: int, payload: bytes, until: float, latencies: list[float], limit: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < until and len(latencies) < limit:
            started = time.perf_counter()
            writer.write(payload)
            head = await reader.readuntil(b"\r\n\r\n")
            status = head.split(b" ", 2)[1]
            length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:"))
            await reader.readexactly(length)
            if status != b"200":
                raise RuntimeError(f"status {status!r}")
            latencies.append(time.perf_counter() - started)
    finally:
        writer.close()


def load(port: int, payload: bytes, seconds: float, connections: int, queue: Any) -> None:
    """Runs in its own process: warm up for a second, then measure for ``seconds`` (bounded count)."""
    async def run() -> tuple[int, float, list[float]]:
        warm: list[float] = []
        await asyncio.gather(*(one_connection(port, payload, time.perf_counter() + 1, warm, 10**6)
                               for _ in range(connections)))
        latencies: list[float] = []
        started = time.perf_counter()
        await asyncio.gather(*(one_connection(port, payload, started + seconds, latencies, 2 * 10**6)
                               for _ in range(connections)))
        return len(latencies), time.perf_counter() - started, latencies

    count, elapsed, latencies = asyncio.run(run())
    latencies.sort()
    queue.put({"rps": count / elapsed, "p50": statistics.median(latencies) * 1000,
               "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000, "requests": count})


def measure(port: int, payload: bytes, seconds: float, connections: int) -> dict[str, float]:
    queue: multiprocessing.Queue = multiprocessing.Queue()
    worker = multiprocessing.Process(target=load, args=(port, payload, seconds, connections, queue))
    worker.start()
    result = queue.get(timeout=seconds + 60)
    worker.join()
    return result


def fetch(port: int, payload: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(payload.replace(b"keep-alive", b"close"))
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    return data.split(b"\r\n\r\n", 1)[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    url = f"sqlite:///{workdir}/catalog.sqlite3"
    source = with_volume(read_catalog(), BUNDLES)

    async def prepare() -> None:
        await db.migrate(url)
        async with db.database(url):
            await seed_catalog(source)

    asyncio.run(prepare())
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = multiprocessing.Process(target=serve, args=(url, port), daemon=True)
    server.start()
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port)).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("the benchmark server did not start")
                time.sleep(0.1)

        body = orjson.dumps({"query": QUERY})
        targets = {
            "raw Starlette route": request_bytes("GET", "/raw/catalog"),
            "raw route, precomputed bytes": request_bytes("GET", "/raw/catalog-bytes"),
            "GraphQL, anonymous (public cache)": request_bytes("POST", "/graphql", body),
            "GraphQL, signed-in path (no cache)": request_bytes("POST", "/graphql", body,
                                                                {"Authorization": "Bearer bench"}),
        }
        raw = json.loads(fetch(port, targets["raw Starlette route"]))
        assert len(raw["data"]["bundles"]["edges"]) == BUNDLES
        for name, payload in list(targets.items())[1:]:
            assert json.loads(fetch(port, payload)) == raw, f"{name} must return the same catalog JSON"

        print(f"catalog: {BUNDLES} bundles, {len(fetch(port, targets['raw Starlette route']))} bytes of JSON; "
              f"{args.connections} connections, {args.seconds:.0f} s per target, 1 uvicorn worker, "
              f"{os.cpu_count()} cores")
        results = {name: measure(port, payload, args.seconds, args.connections) for name, payload in targets.items()}
        base = results["raw Starlette route"]["rps"]
        strict = results["raw route, precomputed bytes"]["rps"]
        print(f"{'target':38} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'× raw':>7} {'× bytes':>8}")
        for name, r in results.items():
            print(f"{name:38} {r['rps']:9.0f} {r['p50']:8.2f} {r['p99']:8.2f} {r['rps'] / base:7.2f} "
                  f"{r['rps'] / strict:8.2f}")
    finally:
        server.terminate()
        server.join(timeout=10)


if __name__ == "__main__":
    main()
