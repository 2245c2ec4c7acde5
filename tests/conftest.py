"""Test databases and clients.

The suite runs on SQLite by default and on PostgreSQL when ``PORTAL_DATABASE_URL`` names one; each run
gets a fresh database (a temporary SQLite file, or a new PostgreSQL schema dropped at the end).
The session database is migrated with the real migrations and seeded with the demo catalog once;
tests that need an empty database ask for ``empty_database``.
"""

from __future__ import annotations

import itertools
import os
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio
from starlette.applications import Starlette

from portal import db
from portal.app import create_app
from portal.catalog.seed import seed_catalog
from portal.catalog.source import read_catalog
from portal.config import Settings
from portal.halls.seed import seed_halls


def base_database_url() -> str:
    return os.environ.get("PORTAL_DATABASE_URL", "").strip() or "sqlite:///"


class FreshDatabases:
    """Makes new, empty databases of the configured kind and drops them at the end of the run."""

    def __init__(self, base: str, directory: Path) -> None:
        self.base = base
        self.directory = directory
        self.schemas: list[str] = []

    @property
    def postgres(self) -> bool:
        return self.base.startswith("postgres")

    async def create(self) -> str:
        name = f"portal_test_{secrets.token_hex(4)}"
        if not self.postgres:
            return f"sqlite:///{self.directory / name}.sqlite3"
        connection = await asyncpg.connect(self.base.split("?", 1)[0])
        try:
            await connection.execute(f'CREATE SCHEMA "{name}"')
        finally:
            await connection.close()
        self.schemas.append(name)
        separator = "&" if "?" in self.base else "?"
        return f"{self.base}{separator}schema={name}"

    async def drop_all(self) -> None:
        if not self.schemas:
            return
        connection = await asyncpg.connect(self.base.split("?", 1)[0])
        try:
            for name in self.schemas:
                await connection.execute(f'DROP SCHEMA "{name}" CASCADE')
        finally:
            await connection.close()


@pytest_asyncio.fixture(scope="session")
async def databases(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[FreshDatabases]:
    fresh = FreshDatabases(base_database_url(), tmp_path_factory.mktemp("databases"))
    yield fresh
    await fresh.drop_all()


@pytest_asyncio.fixture(scope="session")
async def database_url(databases: FreshDatabases) -> AsyncIterator[str]:
    """The session database: migrated, demo catalog loaded, reachable from every task and thread."""
    url = await databases.create()
    async with db.database(url, global_fallback=True):
        await db.apply_migrations()
        await seed_catalog(read_catalog())
        await seed_halls()
        yield url


@pytest_asyncio.fixture
async def empty_database(databases: FreshDatabases) -> AsyncIterator[str]:
    """A new migrated database with no data, current for this test only."""
    url = await databases.create()
    async with db.database(url):
        await db.apply_migrations()
        yield url


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    # Re-read public versions on every request so that a change made by a test shows at once.
    return Settings(database_url=database_url, public_version_check_seconds=0, password_profile="test",
                    upload_dir=str(tmp_path_factory.mktemp("uploads")))


@pytest.fixture
def app(settings: Settings) -> Starlette:
    return create_app(settings, manage_database=False)


_addresses = itertools.count(1)


def next_address() -> str:
    """A client address of its own for each test, so per-address rate limits do not leak between tests."""
    n = next(_addresses)
    return f"10.{n // 62500 % 250}.{n // 250 % 250}.{n % 250 + 1}"


@pytest_asyncio.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=(next_address(), 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as c:
        yield c


class GraphQLClient:
    """Posts GraphQL documents and returns the decoded body; asserts the HTTP status."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def __call__(self, query: str, variables: dict[str, Any] | None = None, *, status: int = 200,
                       headers: dict[str, str] | None = None, token: str | None = None) -> dict[str, Any]:
        headers = dict(headers or {})
        if token:
            headers["authorization"] = f"Bearer {token}"
        response = await self.http.post("/graphql", json={"query": query, "variables": variables or {}},
                                        headers=headers)
        assert response.status_code == status, response.text
        return response.json()


@pytest.fixture
def gql(client: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(client)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Stop the worker thread of any SQLite connection a test left open. aiosqlite's threads are not daemons and
    are stopped only by ``close()`` or when the connection is collected, which comes after the interpreter waits
    for its threads: one connection left open would keep pytest from exiting after every test has passed (seen
    once in a whole run, not reproduced since). The leak, if any, is reported as a warning line."""
    import gc
    import sys

    import aiosqlite

    # issubclass(type(c)) rather than isinstance: isinstance on a dead weak proxy among the objects raises.
    left = [c for c in gc.get_objects() if issubclass(type(c), aiosqlite.Connection) and c._thread.is_alive()]
    for connection in left:
        connection.stop()
    if left:
        print(f"\nconftest: stopped {len(left)} SQLite connection(s) left open", file=sys.stderr)
