"""The previous release's database, made by that release's own code with its demo data, migrates forward intact:
every row is still there, the audit chain holds, people still sign in, numbers and states are unchanged."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path

from tortoise import Tortoise

from portal import db
from portal.audit.rules import Actor, verify
from portal.backup import MIGRATIONS_TABLE, describe
from portal.identity.passwords import Passwords
from portal.identity.rules import login
from tests.conftest import FreshDatabases
from tests.helpers import PORTAL_COMMAND

ROOT = Path(__file__).resolve().parent.parent
# The main that landed before this one (its migrations end at 0019_knowledge). Move it on at each release.
PREVIOUS_RELEASE = "b3342638267a526bc4a71a4e3d293256e05efff8"
DEMO_CITIZEN = "13805310001"
DEMO_PASSWORD = "Demo-Portal-2115"


def previous_release(target: Path) -> Path:
    """The previous release's tree, from this repository's history."""
    archive = subprocess.run(["git", "archive", "--format=tar", PREVIOUS_RELEASE], cwd=ROOT, capture_output=True,
                             timeout=120)
    assert archive.returncode == 0, f"the previous release is not in this clone's history: {archive.stderr!r}"
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tree:
        tree.extractall(target, filter="data")
    return target


def run_release(tree: Path, *args: str, url: str) -> None:
    """``portal`` of that release: its own package first on the path, this interpreter's libraries."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    done = subprocess.run([sys.executable, "-m", "portal.cli", *args, "--database", url], cwd=tree,
                          capture_output=True, text=True, timeout=900,
                          env={**environ, "PYTHONPATH": str(tree), "PORTAL_PASSWORD_PROFILE": "test"})
    assert done.returncode == 0, done.stderr[-3000:]


async def snapshot(url: str) -> dict[str, object]:
    async with db.database(url):
        connection = Tortoise.get_connection("default")
        _, applications = await connection.execute_query(
            'SELECT "id", "number", "bundle_id", "applicant_id" FROM "application" ORDER BY "id"')
        _, tasks = await connection.execute_query('SELECT "id", "status", "deadline" FROM "task" ORDER BY "id"')
        _, appeals = await connection.execute_query(
            'SELECT "id", "number", "status", "resolve_by" FROM "appeal" ORDER BY "id"')
        _, audit = await connection.execute_query('SELECT COUNT(*) AS n FROM "audit_entry"')
        return {"applications": [(r["id"], r["number"], r["bundle_id"], r["applicant_id"]) for r in applications],
                "tasks": [(r["id"], r["status"], str(r["deadline"])) for r in tasks],
                "appeals": [(r["id"], r["number"], r["status"], str(r["resolve_by"])) for r in appeals],
                "audit": audit[0]["n"]}


async def test_the_previous_release_with_its_demo_data_migrates_forward_intact(
        databases: FreshDatabases, tmp_path: Path) -> None:
    tree = previous_release(tmp_path / "previous")
    url = await databases.create()
    run_release(tree, "migrate", url=url)
    run_release(tree, "seed", "--demo", url=url)
    before, rows_before = await snapshot(url), await describe(url)
    assert before["appeals"] and rows_before["migration"] == "0019_knowledge"

    migrated = subprocess.run([PORTAL_COMMAND, "migrate", "--database", url], capture_output=True, text=True,
                              timeout=300, env={k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")})
    assert migrated.returncode == 0, migrated.stderr

    rows_after = await describe(url)
    latest = sorted(p.stem for p in (ROOT / "portal" / "migrations").glob("0*.py"))[-1]
    assert rows_after["migration"] == latest
    for table, count in rows_before["tables"].items():
        if table != MIGRATIONS_TABLE:
            assert rows_after["tables"][table] == count, table
    assert await snapshot(url) == before
    async with db.database(url):
        assert (await verify()).ok
        signed_in = await login(Passwords("test"), Actor(None, "test", "10.8.8.8"), username=DEMO_CITIZEN,
                                password=DEMO_PASSWORD)
        assert signed_in.account.phone == DEMO_CITIZEN
