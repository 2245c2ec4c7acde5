"""``portal backup`` / ``portal restore`` round trips on the configured database (SQLite, or PostgreSQL with
PORTAL_DATABASE_URL): the rows, the audit chain, a person's sign-in and the uploaded files all come back; a
database holding data is not overwritten unless forced; an older release's archive migrates forward."""

from __future__ import annotations

import json
import os
import subprocess
import tarfile
from pathlib import Path

import asyncpg
import pytest
from tortoise import Tortoise
from tortoise.migrations.executor import MigrationExecutor, MigrationTarget

from portal import db
from portal.applications import uploads
from portal.applications.models import UploadedFile
from portal.audit.rules import Actor, verify
from portal.backup import describe
from portal.catalog.seed import seed_catalog
from portal.catalog.source import read_catalog
from portal.identity.passwords import Passwords
from portal.identity.rules import login
from tests.conftest import FreshDatabases
from tests.helpers import PORTAL_COMMAND, registered_citizen

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
PASSWORD = "Citizen-2115!x"


def portal(*args: str, url: str, uploads_at: Path) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    return subprocess.run([PORTAL_COMMAND, *args, "--database", url], capture_output=True, text=True, timeout=300,
                          env={**environ, "PORTAL_PASSWORD_PROFILE": "test", "PORTAL_UPLOAD_DIR": str(uploads_at)})


async def wipe(url: str) -> None:
    """Lose the database: the SQLite file, or every object of the PostgreSQL schema."""
    if db.is_sqlite(url):
        path = Path(db.connection_config(url)["credentials"]["file_path"])
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    schema = db.connection_config(url)["credentials"]["schema"]
    connection = await asyncpg.connect(url.split("?", 1)[0])
    try:
        await connection.execute(f'DROP SCHEMA "{schema}" CASCADE; CREATE SCHEMA "{schema}"')
    finally:
        await connection.close()


async def filled(url: str, uploads_at: Path) -> tuple[str, str]:
    """A migrated database with the catalog, a citizen and an upload of theirs; returns (phone, file id)."""
    async with db.database(url):
        await db.apply_migrations()
        await seed_catalog(read_catalog())
        citizen = await registered_citizen("林备份")
        file = await uploads.keep(uploads.FileStore(uploads_at), PNG, owner_id=citizen.account.id, name="证明.png",
                                  actor=Actor(citizen.account.id, "test"))
        return citizen.account.phone, str(file.id)


async def test_a_backup_restores_rows_files_and_sign_ins_after_the_database_is_lost(
        databases: FreshDatabases, tmp_path: Path) -> None:
    url, uploads_at, archive = await databases.create(), tmp_path / "uploads", tmp_path / "portal.tar.gz"
    phone, file_id = await filled(url, uploads_at)
    before = await describe(url)

    made = portal("backup", "--output", str(archive), url=url, uploads_at=uploads_at)
    assert made.returncode == 0, made.stderr
    assert f"{sum(before['tables'].values())} rows" in made.stdout and "1 uploaded files" in made.stdout
    with tarfile.open(archive, "r:gz") as contents:
        manifest = json.loads(contents.extractfile("manifest.json").read())
        names = contents.getnames()
    assert manifest["tables"] == before["tables"] and manifest["uploads"] == 1
    assert manifest["migration"] == before["migration"] and manifest["tables"]["account"] >= 1
    assert any(n.startswith("uploads/sha256/") for n in names)

    await wipe(url)
    for path in uploads_at.rglob("*"):
        if path.is_file():
            path.unlink()
    restored = portal("restore", str(archive), url=url, uploads_at=uploads_at)
    assert restored.returncode == 0, restored.stderr
    assert "as the backup's manifest lists" in restored.stdout

    assert (await describe(url))["tables"] == before["tables"]
    async with db.database(url):
        assert (await verify()).ok
        signed_in = await login(Passwords("test"), Actor(None, "test", "10.9.9.9"), username=phone, password=PASSWORD)
        assert signed_in.account.phone == phone
        row = await UploadedFile.get(id=file_id)
        assert uploads.FileStore(uploads_at).path(row.sha256).read_bytes() == PNG


async def test_a_database_holding_data_is_replaced_only_when_forced(databases: FreshDatabases, tmp_path: Path) -> None:
    url, uploads_at, archive = await databases.create(), tmp_path / "uploads", tmp_path / "portal.tar.gz"
    await filled(url, uploads_at)
    assert portal("backup", "--output", str(archive), url=url, uploads_at=uploads_at).returncode == 0
    kept = await describe(url)
    async with db.database(url):
        await registered_citizen("后来者")  # written after the backup
    refused = portal("restore", str(archive), url=url, uploads_at=uploads_at)
    assert refused.returncode == 1 and "holds data" in refused.stderr and "--force" in refused.stderr
    assert (await describe(url))["tables"]["account"] == kept["tables"]["account"] + 1  # untouched

    forced = portal("restore", str(archive), "--force", url=url, uploads_at=uploads_at)
    assert forced.returncode == 0, forced.stderr
    assert (await describe(url))["tables"] == kept["tables"]


async def test_an_archive_of_an_older_schema_migrates_forward_on_restore(
        databases: FreshDatabases, tmp_path: Path) -> None:
    url, uploads_at, archive = await databases.create(), tmp_path / "uploads", tmp_path / "old.tar.gz"
    async with db.database(url):
        executor = MigrationExecutor(Tortoise.get_connection("default"), db.tortoise_config("sqlite://:memory:")["apps"])
        await executor.migrate([MigrationTarget("portal", "0019_knowledge")])
    assert portal("backup", "--output", str(archive), url=url, uploads_at=uploads_at).returncode == 0
    await wipe(url)
    restored = portal("restore", str(archive), url=url, uploads_at=uploads_at)
    assert restored.returncode == 0, restored.stderr
    latest = sorted(p.stem for p in Path(db.__file__).parent.joinpath("migrations").glob("0*.py"))[-1]
    assert (await describe(url))["migration"] == latest != "0019_knowledge"


@pytest.mark.parametrize("content, message", [(b"not a tar", "not a gzip"), (None, "no manifest")])
async def test_what_is_not_a_backup_is_refused_with_a_reason(
        databases: FreshDatabases, tmp_path: Path, content: bytes | None, message: str) -> None:
    url, archive = await databases.create(), tmp_path / "bad.tar.gz"
    if content is None:
        with tarfile.open(archive, "w:gz") as empty:
            empty.add(__file__, arcname="something.py")
    else:
        archive.write_bytes(content)
    refused = portal("restore", str(archive), url=url, uploads_at=tmp_path / "uploads")
    assert refused.returncode == 1 and message in refused.stderr.lower(), refused.stderr
    missing = portal("restore", str(tmp_path / "nowhere.tar.gz"), url=url, uploads_at=tmp_path / "uploads")
    assert missing.returncode == 1 and "no backup at" in missing.stderr
