"""鲁通码 hotel check-in benchmark: scan to DONE (酒店入住一件事, the seed's "30 seconds").

    .venv/bin/python bench/lutong.py [--runs 200] [--database postgres://postgres@127.0.0.1:5432/test]

Migrates and seeds a fresh database (a temporary SQLite file by default; with --database postgres://...
a fresh schema, dropped at the end), creates a LODGING scene operator and one guest per run (each with an
e-licence ID card), then for each run issues the guest a fresh code and times the whole ``checkInGuest``
GraphQL request in process (ASGI, no network): scan, single-use nonce, audit, the bundle's submission and both
items decided by their instant-approval rules (秒批). Every answer must say the application is DONE with both
tasks decided by RULE, so the time measured is from the scan to a finished registration, with no handler.
Prints p50, p99 and max in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import httpx  # noqa: E402

from portal import db  # noqa: E402
from portal.app import create_app  # noqa: E402
from portal.audit.rules import Actor  # noqa: E402
from portal.catalog.seed import seed_catalog  # noqa: E402
from portal.catalog.source import read_catalog  # noqa: E402
from portal.config import Settings  # noqa: E402
from portal.identity.models import Role  # noqa: E402
from portal.identity.passwords import Passwords  # noqa: E402
from portal.identity.rules import create_staff, login, register_citizen  # noqa: E402
from portal.lutong.codes import issue_code  # noqa: E402
from portal.lutong.rules import issue  # noqa: E402
from portal.lutong.scenes import Scene  # noqa: E402
from tests.helpers import new_id_number, new_phone  # noqa: E402

CHECK_IN = """mutation($p: String!, $key: String!) { checkInGuest(payload: $p, roomNumber: "1208", nights: 1,
  idempotencyKey: $key) { __typename ... on CheckIn { application { status tasks { decidedBy } } } } }"""
PASSWORD = "Bench-Lutong-2115!"


async def run(url: str, runs: int) -> list[float]:
    settings = Settings(database_url=url, password_profile="test", public_version_check_seconds=0)
    passwords = Passwords("test")
    async with db.database(url, global_fallback=True):
        await db.apply_migrations()
        await seed_catalog(read_catalog())
        await create_staff(passwords, username="bench-hotel", password=PASSWORD, role=Role.SCENE_OPERATOR,
                                   department_code=None, region_code="370100", name="济南泉城大酒店",
                                   scene=Scene.LODGING.value)
        hotel = (await login(passwords, Actor(None, "bench", "127.0.0.1"), username="bench-hotel",
                             password=PASSWORD)).token
        guests = []
        for n in range(runs):
            signed_in = await register_citizen(passwords, Actor(None, "bench", f"10.9.{n // 250}.{n % 250}"),
                                               name="王小明", id_number=new_id_number(), phone=new_phone(),
                                               password=PASSWORD)
            await issue(signed_in.account.id, "RESIDENT_ID_CARD", "370000-GAT", {})
            guests.append(signed_in.account.id)
        app = create_app(settings, manage_database=False)
        timings = []
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 1)),
                                     base_url="http://portal.bench") as http:
            for guest in guests:
                payload, _ = issue_code(settings.secret_key, guest, None, datetime.now(timezone.utc))
                body = {"query": CHECK_IN, "variables": {"p": payload, "key": str(uuid.uuid4())}}
                started = time.perf_counter()
                response = await http.post("/graphql", json=body, headers={"authorization": f"Bearer {hotel}"})
                timings.append(time.perf_counter() - started)
                answer = response.json()["data"]["checkInGuest"]
                assert answer["__typename"] == "CheckIn", response.text
                done = answer["application"]
                assert done["status"] == "DONE" and {t["decidedBy"] for t in done["tasks"]} == {"RULE"}, done
        return timings


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--database", default="", help="postgres://... (a fresh schema is used); SQLite if unset")
    args = parser.parse_args()
    schema = None
    with tempfile.TemporaryDirectory() as directory:
        if args.database.startswith("postgres"):
            schema = f"bench_lutong_{secrets.token_hex(4)}"
            connection = await asyncpg.connect(args.database)
            await connection.execute(f'CREATE SCHEMA "{schema}"')
            await connection.close()
            url = f"{args.database}?schema={schema}"
        else:
            url = f"sqlite:///{directory}/bench.sqlite3"
        try:
            timings = await run(url, args.runs)
        finally:
            if schema:
                connection = await asyncpg.connect(args.database)
                await connection.execute(f'DROP SCHEMA "{schema}" CASCADE')
                await connection.close()
    kind = "PostgreSQL" if schema else "SQLite"
    ordered = sorted(timings)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    print(f"scan to DONE (checkInGuest, both items by rule) on {kind}, {len(timings)} runs: "
          f"p50 {statistics.median(timings) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, max {max(timings) * 1000:.1f} ms")


if __name__ == "__main__":
    asyncio.run(main())
