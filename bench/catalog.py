"""Catalog benchmark: the `bundles` query against hand-written Starlette routes, measured with wrk.

    .venv/bin/python bench/catalog.py [--seconds 5] [--connections 16] [--threads 1]

Builds a SQLite catalog of 100 bundles (the demo catalog plus generated ones) and serves the portal with one
uvicorn worker in a child process, with three raw routes added to the same app (so behind the same middleware):

- ``/raw/ping``: a fixed 2-byte body, the ceiling of this server and wrk together on this machine;
- ``/raw/catalog-bytes``: the catalog page's JSON built once, then served as bytes (the upper bound of a route);
- ``/raw/catalog``: the naive route, reading the same rows with the ORM and writing the same JSON with orjson on
  every request.

wrk (``/usr/bin/wrk``, a C load generator far faster than the server) keeps ``--connections`` keep-alive
connections busy on loopback for ``--seconds`` per target after a one-second warm-up, and the table prints
requests per second, p50 and p99 latency, each target's ratio to its comparison route, and the ping ceiling
next to it. The GraphQL page is the mobile catalog list's selection (clients/mobile/views/bundles.js) with
``first: 100``: from the public cache anonymous and signed in (a real session's bearer token), and with the
cache off (a second endpoint in the same app whose response cache holds nothing) against the naive route.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import socket
import re
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import orjson  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import Response  # noqa: E402
from starlette.routing import Route  # noqa: E402

from portal import db  # noqa: E402
from portal.api.pagination import encode_cursor  # noqa: E402
from portal.catalog.models import Bundle, BundleItem, Department  # noqa: E402
from portal.catalog.seed import seed_catalog  # noqa: E402
from portal.catalog.source import BundleItemSpec, CatalogSource, read_catalog  # noqa: E402

BUNDLES = 100
# The mobile catalog list's selection (clients/mobile/views/bundles.js), one page of 100.
QUERY = """query Bundles($first: Int) { bundles(first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { code name description audience national promisedDays singleItem
      items { item { code department { name } } } } }
} }"""
VARIABLES = {"first": BUNDLES}


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
    """The naive hand-written comparison: the same rows read with the ORM on every request, the same JSON."""
    query = Bundle.filter(single_item=False).order_by("sort", "id")
    total = await query.count()
    bundles = await query.limit(BUNDLES)
    ids = [b.id for b in bundles]
    links = await BundleItem.filter(bundle_id__in=ids).order_by("bundle_id", "sort").select_related("item")
    departments = {d.id: d for d in await Department.filter(id__in={link.item.department_id for link in links})}
    items: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    for link in links:
        items[link.bundle_id].append({"item": {
            "code": link.item.code, "department": {"name": departments[link.item.department_id].name}}})
    edges = [{"node": {"code": b.code, "name": b.name, "description": b.description, "audience": b.audience.value,
                       "national": b.national, "promisedDays": b.promised_days, "singleItem": b.single_item,
                       "items": items[b.id]}} for b in bundles]
    page = {"totalCount": total,
            "pageInfo": {"hasNextPage": len(bundles) < total, "endCursor": encode_cursor(len(bundles) - 1)},
            "edges": edges}
    return Response(orjson.dumps({"data": {"bundles": page}}), media_type="application/json")


_precomputed: list[bytes] = []


async def precomputed_catalog(request: Request) -> Response:
    """The strictest comparison: the raw route's JSON built once, then served as bytes."""
    if not _precomputed:
        _precomputed.append((await raw_catalog(request)).body)
    return Response(_precomputed[0], media_type="application/json")


async def ping(request: Request) -> Response:
    """Two fixed bytes: what this server and wrk reach together, whatever a route does."""
    return Response(b"ok", media_type="text/plain")


def serve(url: str, port: int) -> None:
    import logging

    import uvicorn

    from portal.api.http import GraphQLEndpoint, PortalGraphQL
    from portal.api.public import PublicData
    from portal.api.schema import create_schema
    from portal.app import create_app
    from portal.config import Settings

    logging.disable(logging.INFO)
    settings = Settings(database_url=url)
    app = create_app(settings, server=True)
    uncached = PublicData(settings.public_version_check_seconds)
    uncached.cache.max_entries = 0  # stores nothing: every request parses, validates and executes
    endpoint = GraphQLEndpoint(PortalGraphQL(create_schema(), settings, uncached), uncached)
    app.router.routes[0:0] = [Route("/raw/ping", ping), Route("/raw/catalog", raw_catalog),
                              Route("/raw/catalog-bytes", precomputed_catalog),
                              Route("/uncached/graphql", endpoint, methods=["GET", "POST"])]
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def fetch(port: int, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, content = data.partition(b"\r\n\r\n")
    if b" 200 " not in head.split(b"\r\n", 1)[0]:
        raise SystemExit(f"{method} {path}: {head.decode(errors='replace')}")
    return content


@contextmanager
def wrk_script(method: str, body: bytes, headers: dict[str, str]) -> Iterator[Path]:
    """The Lua script that makes wrk send this request (wrk's own GET when there is nothing to add)."""
    lines = [f"wrk.method = {json.dumps(method)}"]
    if body:
        lines.append(f"wrk.body = {json.dumps(body.decode())}")
        headers = {**headers, "Content-Type": "application/json"}
    lines += [f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write("\n".join(lines) + "\n")
    try:
        yield Path(script.name)
    finally:
        os.unlink(script.name)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _millis(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * _UNITS[unit]


def run_wrk(port: int, target: dict[str, Any], seconds: float, connections: int, threads: int) -> dict[str, float]:
    """One wrk run (after a one-second warm-up) against a target; every answer must be a 200."""
    url = f"http://127.0.0.1:{port}{target['path']}"
    with wrk_script(target["method"], target.get("body", b""), target.get("headers", {})) as script:
        base = ["wrk", "-t", str(threads), "-c", str(connections), "--timeout", "30s", "-s", str(script)]
        subprocess.run([*base, "-d", "1s", url], check=True, capture_output=True)
        out = subprocess.run([*base, "-d", f"{seconds:g}s", "--latency", url], check=True, capture_output=True,
                             text=True).stdout
    if "Non-2xx" in out or "Socket errors" in out:
        raise SystemExit(f"wrk saw failures on {target['path']}:\n{out}")
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.MULTILINE))
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50": _millis(percentiles["50"]), "p99": _millis(percentiles["99"])}


def new_id_number() -> str:
    from portal.identity.numbers import id_number_check_character

    first17 = "37010219900101" + f"{random.randrange(1000):03d}"
    return first17 + id_number_check_character(first17)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (the server has one core of two)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed (Debian: apt-get install wrk)")

    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    url = f"sqlite:///{workdir}/catalog.sqlite3"
    source = with_volume(read_catalog(), BUNDLES)

    async def prepare() -> str:
        from portal.audit.rules import Actor
        from portal.identity.passwords import Passwords
        from portal.identity.rules import register_citizen

        await db.migrate(url)
        async with db.database(url):
            await seed_catalog(source)
            signed_in = await register_citizen(Passwords("test"), Actor(None, "bench", "127.0.0.1"), name="李明",
                                               id_number=new_id_number(), phone="13800000001",
                                               password="Bench-2115!x")
        return signed_in.token

    token = asyncio.run(prepare())
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

        body = orjson.dumps({"query": QUERY, "variables": VARIABLES})
        signed = {"Authorization": f"Bearer {token}"}
        targets = {
            "ping (2 bytes)": {"method": "GET", "path": "/raw/ping"},
            "raw route, precomputed bytes": {"method": "GET", "path": "/raw/catalog-bytes"},
            "GraphQL cached, anonymous": {"method": "POST", "path": "/graphql", "body": body},
            "GraphQL cached, signed in": {"method": "POST", "path": "/graphql", "body": body, "headers": signed},
            "naive raw route (queries)": {"method": "GET", "path": "/raw/catalog"},
            "GraphQL uncached, signed in": {"method": "POST", "path": "/uncached/graphql", "body": body,
                                            "headers": signed},
        }
        compared = {"GraphQL cached, anonymous": "raw route, precomputed bytes",
                    "GraphQL cached, signed in": "raw route, precomputed bytes",
                    "GraphQL uncached, signed in": "naive raw route (queries)"}
        SHORT = {"raw route, precomputed bytes": "bytes route", "naive raw route (queries)": "naive route"}
        raw = json.loads(fetch(port, "GET", "/raw/catalog"))
        assert len(raw["data"]["bundles"]["edges"]) == BUNDLES
        for name, target in list(targets.items())[1:]:
            answer = json.loads(fetch(port, target["method"], target["path"], target.get("body", b""),
                                      target.get("headers")))
            assert answer == raw, f"{name} must return the same catalog JSON"

        print(f"catalog page: {BUNDLES} bundles, {len(fetch(port, 'GET', '/raw/catalog'))} bytes of JSON; wrk "
              f"-t{args.threads} -c{args.connections} -d{args.seconds:g}s, 1 uvicorn worker, {os.cpu_count()} cores")
        results = {name: run_wrk(port, target, args.seconds, args.connections, args.threads)
                   for name, target in targets.items()}
        ceiling = results["ping (2 bytes)"]["rps"]
        print(f"{'target':30} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8}  {'ratio':>19}  {'ping ceiling':>12}")
        for name, r in results.items():
            against = compared.get(name)
            ratio = f"{r['rps'] / results[against]['rps']:5.2f}× {SHORT[against]}" if against else ""
            print(f"{name:30} {r['rps']:9.0f} {r['p50']:8.2f} {r['p99']:8.2f}  {ratio:>19}  "
                  f"{r['rps'] / ceiling:5.2f}× {ceiling:.0f}")
    finally:
        server.terminate()
        server.join(timeout=10)


if __name__ == "__main__":
    main()
