"""The `portal` command, run as a user runs it: a real process per call."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml

from portal.catalog.source import DATA_DIR, FILES
from portal.config import SCHEMA_PATH
from tests.conftest import FreshDatabases

PORTAL = str(Path(sys.executable).with_name("portal"))


def portal(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    return subprocess.run([PORTAL, *args], capture_output=True, text=True, timeout=timeout,
                          env={**environ, **(env or {})})


@pytest.fixture
async def fresh_url(databases: FreshDatabases) -> str:
    """An empty database of the run's kind (SQLite file or PostgreSQL schema)."""
    return await databases.create()


def catalog_rows(url: str) -> list[list[object]]:
    out = portal("seed", "--demo", "--database", url)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("catalog seeded: 42 departments, 111 service items, 18 bundles")
    script = (
        "import asyncio, json, sys\n"
        "from portal import db\n"
        "from portal.catalog.models import Bundle, BundleItem, ServiceItem, ItemField\n"
        "async def main():\n"
        "    async with db.database(sys.argv[1]):\n"
        "        rows = await Bundle.all().order_by('id').values_list('id', 'code', 'promised_days')\n"
        "        rows += await ServiceItem.all().order_by('id').values_list('id', 'code', 'department_id')\n"
        "        rows += [(await BundleItem.all().count(), await ItemField.all().count())]\n"
        "        print(json.dumps(rows))\n"
        "asyncio.run(main())\n")
    dumped = subprocess.run([sys.executable, "-c", script, url], capture_output=True, text=True, timeout=60)
    assert dumped.returncode == 0, dumped.stderr
    return json.loads(dumped.stdout)


def test_migrate_then_seed_twice_gives_the_same_catalog(fresh_url: str) -> None:
    for _ in range(2):
        migrated = portal("migrate", "--database", fresh_url)
        assert migrated.returncode == 0, migrated.stderr
    first = catalog_rows(fresh_url)
    second = catalog_rows(fresh_url)
    assert first == second
    assert len(first) == 18 + 111 + 1


def test_seed_needs_to_be_told_what_to_load(tmp_path: Path) -> None:
    out = portal("seed", "--database", f"sqlite:///{tmp_path}/p.db")
    assert out.returncode == 2
    assert "--demo" in out.stderr and "--catalog DIR" in out.stderr


def test_seed_refuses_a_broken_catalog_naming_the_bundle(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    for name in FILES:
        shutil.copy(DATA_DIR / f"{name}.yaml", catalog)
    bundles = yaml.safe_load((catalog / "bundles.yaml").read_text(encoding="utf-8"))
    bundles[0]["items"].append({"item": "370000-ZZ-999"})
    (catalog / "bundles.yaml").write_text(yaml.safe_dump(bundles, allow_unicode=True), encoding="utf-8")
    url = f"sqlite:///{tmp_path}/p.db"
    assert portal("migrate", "--database", url).returncode == 0
    out = portal("seed", "--catalog", str(catalog), "--database", url)
    assert out.returncode == 1
    assert f"bundle {bundles[0]['code']}: item 370000-ZZ-999 does not exist" in out.stderr


def test_export_schema_check_passes_on_the_committed_file_and_fails_on_drift(tmp_path: Path) -> None:
    assert portal("export-schema", "--check").returncode == 0
    stale = tmp_path / "portal.graphql"
    stale.write_text(SCHEMA_PATH.read_text(encoding="utf-8").replace("promisedDays", "promiseDays", 1),
                     encoding="utf-8")
    out = portal("export-schema", "--check", "--output", str(stale))
    assert out.returncode == 1 and "differs from the schema in the code" in out.stderr
    assert portal("export-schema", "--output", str(stale)).returncode == 0
    assert stale.read_text(encoding="utf-8") == SCHEMA_PATH.read_text(encoding="utf-8")


def test_production_refuses_to_serve_without_a_secret_key() -> None:
    out = portal("serve", env={"PORTAL_ENV": "production"})
    assert out.returncode == 2
    assert "PORTAL_SECRET_KEY is required when PORTAL_ENV=production" in out.stderr


def test_calendar_import_stores_a_published_year(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/p.db"
    assert portal("migrate", "--database", url).returncode == 0
    schedule = tmp_path / "2027.json"
    schedule.write_text(json.dumps({"year": 2027, "holidays": [{"name": "元旦", "dates": ["2027-01-01"]}],
                                    "workdays": [{"name": "调休", "dates": ["2027-01-02"]}]}), encoding="utf-8")
    out = portal("calendar", "import", str(schedule), "--database", url)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "imported the 2027 schedule: 1 days off, 1 make-up working days"


def test_calendar_import_names_the_bad_place(tmp_path: Path) -> None:
    schedule = tmp_path / "2027.yaml"
    schedule.write_text("year: 2027\nholidays:\n  - name: 元旦\n    dates: [2026-12-31]\n", encoding="utf-8")
    out = portal("calendar", "import", str(schedule), "--database", f"sqlite:///{tmp_path}/p.db")
    assert out.returncode == 1
    assert "holidays[0].dates[0]" in out.stderr and "2026-12-31" in out.stderr


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_demo_creates_migrates_seeds_and_answers(tmp_path: Path) -> None:
    port = free_port()
    url = f"sqlite:///{tmp_path}/demo.sqlite3"
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    server = subprocess.Popen([PORTAL, "serve", "--demo", "--port", str(port), "--database", url],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=environ)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stdout.read()
                assert time.monotonic() < deadline, "the server did not start within 60 s"
                time.sleep(0.2)
        assert health.json() == {"status": "ok", "database": "ok"}
        body = httpx.post(f"http://127.0.0.1:{port}/graphql",
                          json={"query": "{ bundles(first: 0) { totalCount } }"}, timeout=10).json()
        assert body == {"data": {"bundles": {"totalCount": 18}}}
        assert httpx.get(f"http://127.0.0.1:{port}/", follow_redirects=False).headers["location"] == "/graphql"
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert (tmp_path / "demo.sqlite3").exists()
