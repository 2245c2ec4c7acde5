"""Personal queries benchmark: queries mixing public and viewer fields, signed in, measured with wrk.

    .venv/bin/python bench/personal.py [--seconds 5] [--connections 16] [--threads 1] [--applications 24]

A fresh SQLite file is migrated and seeded with the demo catalog and one citizen (bench/applications.py's
``prepare``); ``portal serve`` runs with one uvicorn worker; the citizen submits ``--applications`` newborn
applications over HTTP. Then wrk (a Lua script setting the method, body and the citizen's bearer token) keeps
``--connections`` keep-alive connections busy for ``--seconds`` per target after a one-second warm-up:

- ``ping``: ``/healthz`` (one database round trip), the ceiling of this server and wrk together;
- the bundle's form prefilled for the signed-in citizen (the apply page's selection, clients/mobile/views/apply.js):
  public catalog fields and the citizen's values and e-licences in one query, never from the public cache;
- ``me { applications(first: 20) }`` (the 我的办件 list's selection, clients/mobile/views/applications.js) for a
  citizen with more than 20 applications.

Each answer is checked first (no errors, values prefilled, a full page); the table prints requests per second,
p50 and p99 latency and the ratio to the ceiling. The issue's goal: p99 < 50 ms at 16 connections.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import orjson  # noqa: E402

from applications import OK, portal_server, prepare  # noqa: E402
from catalog import fetch, run_wrk  # noqa: E402

GOAL_P99_MS = 50
GIVEN = "安宁子涵浩然欣怡梓轩思远雨桐"
PAGE = 20
FORM = """query ApplyBundle($code: String!) {
  bundle(code: $code) {
    code name audience channels
    items { item { code name issues } }
    form {
      fields { key label type required hint options { value label } validation { multiline } value prefilledFrom }
      materials { code name required issuedBy certificateType { code name } heldLicence { name number } }
    }
  }
  me { certificates { type name } }
}"""
MY_APPLICATIONS = """query MyApplications($first: Int, $after: String) {
  me {
    applications(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id number status createdAt bundle { name } tasks { status } } }
    }
  }
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (the server has one core of two)")
    parser.add_argument("--applications", type=int, default=24)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed (Debian: apt-get install wrk)")

    workdir = Path(tempfile.mkdtemp(prefix="portal-personal-"))
    url = f"sqlite:///{workdir}/personal.sqlite3"
    try:
        people, _, _ = asyncio.run(prepare(url, workdir / "uploads", 1))
        citizen = people[0]
        with portal_server(url, workdir / "uploads", workdir / "server.log") as (port, _pid):
            signed = {"Authorization": f"Bearer {citizen.token}"}
            for n in range(args.applications):
                # Another child each time: the same child twice is refused as a likely duplicate.
                child = ("张" + GIVEN[n % len(GIVEN)] + GIVEN[n // len(GIVEN) % len(GIVEN)]).encode()
                body = citizen.submission().split(b"\r\n\r\n", 1)[1].replace("张小宝".encode(), child)
                answer = fetch(port, "POST", "/graphql", body, signed)
                if OK not in answer:
                    raise SystemExit(f"a submission failed: {answer[:500]!r}")
            form = orjson.dumps({"query": FORM, "variables": {"code": "newborn"}})
            mine = orjson.dumps({"query": MY_APPLICATIONS, "variables": {"first": PAGE}})
            checked = json.loads(fetch(port, "POST", "/graphql", form, signed))
            assert "errors" not in checked, checked
            assert any(f["value"] is not None for f in checked["data"]["bundle"]["form"]["fields"]), checked
            checked = json.loads(fetch(port, "POST", "/graphql", mine, signed))
            assert "errors" not in checked, checked
            page = checked["data"]["me"]["applications"]
            assert len(page["edges"]) == PAGE and page["totalCount"] == args.applications, page

            targets = {
                "ping (/healthz)": {"method": "GET", "path": "/healthz"},
                "bundle form, prefilled": {"method": "POST", "path": "/graphql", "body": form, "headers": signed},
                f"me applications(first: {PAGE})": {"method": "POST", "path": "/graphql", "body": mine,
                                                    "headers": signed},
            }
            print(f"signed-in citizen with {args.applications} applications; wrk -t{args.threads} "
                  f"-c{args.connections} -d{args.seconds:g}s, 1 uvicorn worker (portal serve), {os.cpu_count()} "
                  f"cores; goal p99 < {GOAL_P99_MS} ms")
            results = {name: run_wrk(port, target, args.seconds, args.connections, args.threads)
                       for name, target in targets.items()}
        ceiling = results["ping (/healthz)"]["rps"]
        print(f"{'target':30} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8}  {'ping ceiling':>12}")
        for name, r in results.items():
            print(f"{name:30} {r['rps']:9.0f} {r['p50']:8.2f} {r['p99']:8.2f}  {r['rps'] / ceiling:5.2f}× {ceiling:.0f}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
