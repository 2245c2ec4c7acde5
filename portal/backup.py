"""``portal backup`` and ``portal restore``: the database and the upload store in one archive.

The archive is a gzipped tar with:

- ``manifest.json``: the format, when, the database kind, the last migration applied, the rows of every table and
  the files of the upload store, so that a restore can prove it put back what was taken;
- ``database.sqlite3`` (SQLite: a consistent copy made with SQLite's online backup API, so the portal may keep
  serving) or ``database.pgdump`` (PostgreSQL: ``pg_dump --format=custom`` of the portal's schema, a snapshot);
- ``uploads/``: the content-addressed files (``sha256/ab/cdef...``). The database is copied first: a file uploaded
  after it is extra, never missing, since stored files are never changed.

A restore refuses a database that holds data unless forced, puts the database back (SQLite: the file replaced
atomically, with the portal stopped; PostgreSQL: ``pg_restore --clean --single-transaction``), adds the missing
upload files, checks every table's rows against the manifest, and then applies any migration the archive's
database predates (an archive of an older release upgrades on restore).
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Any

from tortoise import Tortoise

from portal import db

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.pgdump"
UPLOADS = "uploads"
MIGRATIONS_TABLE = "tortoise_migrations"


class BackupError(Exception):
    """A backup or restore that cannot be done, with the reason for the operator."""


@dataclass(frozen=True)
class Summary:
    tables: dict[str, int]
    files: int
    migration: str | None

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


# --- the database, whichever kind ------------------------------------------------------------------------------


async def _tables() -> list[str]:
    connection = Tortoise.get_connection("default")
    if connection.capabilities.dialect == "postgres":
        _, rows = await connection.execute_query(
            "SELECT table_name AS name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'")
    else:
        _, rows = await connection.execute_query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return sorted(r["name"] for r in rows)


async def _counts() -> dict[str, int]:
    connection = Tortoise.get_connection("default")
    counts = {}
    for table in await _tables():
        _, rows = await connection.execute_query(f'SELECT COUNT(*) AS n FROM "{table}"')
        counts[table] = int(rows[0]["n"])
    return counts


async def _last_migration(tables: dict[str, int]) -> str | None:
    if MIGRATIONS_TABLE not in tables:
        return None
    _, rows = await Tortoise.get_connection("default").execute_query(
        f'SELECT name FROM "{MIGRATIONS_TABLE}" ORDER BY name DESC LIMIT 1')
    return rows[0]["name"] if rows else None


async def describe(url: str) -> dict[str, Any]:
    """Rows per table and the last migration of the database at ``url``."""
    async with db.database(url):
        tables = await _counts()
        return {"tables": tables, "migration": await _last_migration(tables)}


def _sqlite_path(url: str) -> Path:
    path = db.connection_config(url)["credentials"]["file_path"]
    if path == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(path)


def _postgres(url: str) -> tuple[list[str], dict[str, str]]:
    """The libpq connection arguments of ``pg_dump``/``pg_restore`` for ``url``, and the environment with its
    password."""
    credentials = db.connection_config(url)["credentials"]
    arguments = ["--host", str(credentials["host"]), "--port", str(credentials["port"]),
                 "--username", credentials["user"], "--dbname", credentials["database"]]
    return arguments, {**os.environ, "PGPASSWORD": credentials.get("password") or ""}


def _schema(url: str) -> str | None:
    """The PostgreSQL schema a URL names (``?schema=``): a dump of it restores into that schema only."""
    return None if db.is_sqlite(url) else db.connection_config(url)["credentials"].get("schema")


def _run(command: list[str], environment: dict[str, str]) -> None:
    tool = shutil.which(command[0])
    if tool is None:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL's client tools; Debian: postgresql-client)")
    done = subprocess.run([tool, *command[1:]], env=environment, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip() or done.returncode}")


def _dump_database(url: str, target: Path) -> str:
    """Write the database to ``target``; returns its archive name."""
    if db.is_sqlite(url):
        source = _sqlite_path(url)
        if not source.exists():
            raise BackupError(f"no SQLite database at {source}")
        live, copy = sqlite3.connect(f"file:{source}?mode=ro", uri=True), sqlite3.connect(target)
        try:
            live.backup(copy)  # a consistent snapshot, even while the portal writes
        finally:
            copy.close()
            live.close()
        return SQLITE_FILE
    arguments, environment = _postgres(url)
    schema = _schema(url)
    _run(["pg_dump", *arguments, "--format=custom", "--no-owner", "--no-privileges",
          *(["--schema", schema] if schema else []), "--file", str(target)], environment)
    return POSTGRES_FILE


def _load_database(url: str, source: Path, name: str) -> None:
    if db.is_sqlite(url):
        if name != SQLITE_FILE:
            raise BackupError("this archive holds a PostgreSQL database: restore it to a postgres:// URL")
        target = _sqlite_path(url)
        target.parent.mkdir(parents=True, exist_ok=True)
        staged = target.with_name(target.name + ".restoring")
        shutil.copyfile(source, staged)
        for suffix in ("-wal", "-shm"):  # the old database's journal must not be applied to the new file
            Path(str(target) + suffix).unlink(missing_ok=True)
        os.replace(staged, target)
        return
    if name != POSTGRES_FILE:
        raise BackupError("this archive holds a SQLite database: restore it to a sqlite:/// URL")
    arguments, environment = _postgres(url)
    _run(["pg_restore", *arguments, "--clean", "--if-exists", "--no-owner", "--no-privileges",
          "--single-transaction", "--exit-on-error", str(source)], environment)


# --- the archive -----------------------------------------------------------------------------------------------


def _upload_files(upload_dir: Path) -> list[Path]:
    root = upload_dir / "sha256"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []


async def backup(url: str, upload_dir: str | os.PathLike[str], output: str | os.PathLike[str]) -> Summary:
    """Write the archive of the database at ``url`` and the upload store to ``output`` (replaced atomically)."""
    out = Path(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    uploads = Path(upload_dir)
    described = await describe(url)
    with tempfile.TemporaryDirectory(prefix="portal-backup-") as work:
        dumped = Path(work) / "database"
        name = await asyncio.to_thread(_dump_database, url, dumped)
        files = _upload_files(uploads)
        manifest = {"format": FORMAT, "createdAt": datetime.now(timezone.utc).isoformat(),
                    "database": "postgres" if name == POSTGRES_FILE else "sqlite", "schema": _schema(url),
                    "migration": described["migration"], "tables": described["tables"], "uploads": len(files)}
        staged = out.with_name(out.name + ".partial")
        with tarfile.open(staged, "w:gz") as archive:
            data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            entry = tarfile.TarInfo(MANIFEST)
            entry.size, entry.mtime = len(data), int(datetime.now(timezone.utc).timestamp())
            archive.addfile(entry, io.BytesIO(data))
            archive.add(dumped, arcname=name)
            for path in files:
                archive.add(path, arcname=str(PurePosixPath(UPLOADS, path.relative_to(uploads).as_posix())))
        os.replace(staged, out)
    return Summary(described["tables"], len(files), described["migration"])


def _read_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = archive.getmember(MANIFEST)
    except KeyError:
        raise BackupError("not a portal backup: no manifest.json") from None
    manifest = json.loads(archive.extractfile(member).read())  # type: ignore[union-attr]
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    return manifest


async def restore(archive_path: str | os.PathLike[str], url: str, upload_dir: str | os.PathLike[str], *,
                  force: bool = False) -> Summary:
    """Put the archive's database at ``url`` and its files in the upload store; check the rows; migrate forward."""
    source = Path(archive_path)
    if not source.is_file():
        raise BackupError(f"no backup at {source}")
    if not db.is_sqlite(url) or _sqlite_path(url).exists():
        present = (await describe(url))["tables"]
        holding = {t: n for t, n in present.items() if n and t != MIGRATIONS_TABLE}
        if holding and not force:
            raise BackupError(f"the target database holds data ({sum(holding.values())} rows): "
                              "restore into an empty one, or pass --force to replace it")
    try:
        opened = tarfile.open(source, "r:gz")
    except (tarfile.TarError, OSError, EOFError):
        raise BackupError(f"not a portal backup: {source} is not a gzip-compressed tar archive") from None
    uploads = Path(upload_dir)
    with tempfile.TemporaryDirectory(prefix="portal-restore-") as work, opened as archive:
        manifest = _read_manifest(archive)
        if manifest["database"] == "postgres" and manifest.get("schema") != _schema(url):
            raise BackupError(f"this backup is of the PostgreSQL schema {manifest.get('schema') or 'public'!r}: "
                              f"restore it to a URL naming that schema")
        members = archive.getmembers()
        database = [m for m in members if m.name in (SQLITE_FILE, POSTGRES_FILE)]
        if len(database) != 1:
            raise BackupError("the backup holds no database")
        archive.extractall(work, members=database, filter="data")
        await asyncio.to_thread(_load_database, url, Path(work) / database[0].name, database[0].name)
        files = 0
        for member in members:
            if not member.isfile() or not member.name.startswith(UPLOADS + "/"):
                continue
            relative = PurePosixPath(member.name).relative_to(UPLOADS)
            target = uploads.joinpath(*relative.parts)
            files += 1
            if target.exists():
                continue  # content-addressed: a file of that name is that content
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.extractfile(member) as data, open(target.with_name(target.name + ".part"), "wb") as out:  # type: ignore[union-attr]
                shutil.copyfileobj(data, out)
            os.replace(target.with_name(target.name + ".part"), target)
    restored = await describe(url)
    if restored["tables"] != manifest["tables"] or files != manifest["uploads"]:
        differ = sorted(t for t in set(restored["tables"]) | set(manifest["tables"])
                        if restored["tables"].get(t) != manifest["tables"].get(t))
        raise BackupError(f"the restored data differs from the backup's manifest: tables {differ}, "
                          f"files {files} of {manifest['uploads']}")
    await db.migrate(url)  # an archive made by an older release comes forward
    return Summary(restored["tables"], files, (await describe(url))["migration"])
