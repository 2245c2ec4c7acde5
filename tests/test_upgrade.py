"""Upgrades: a database made by the previous migrations, with data in it, migrates forward intact."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from tortoise import Tortoise
from tortoise.migrations.executor import MigrationExecutor, MigrationTarget

from portal import db
from portal.references import ReferenceKind, allocate, normalise
from tests.conftest import FreshDatabases

BEFORE_REFERENCES = "0011_kiosk"


async def _columns(table: str) -> list[tuple[str, str, bool]]:
    """(name, type, required) of a table's columns as the database has them now."""
    connection = Tortoise.get_connection("default")
    if connection.capabilities.dialect == "postgres":
        _, rows = await connection.execute_query(
            "SELECT column_name AS name, data_type AS type, is_nullable = 'NO' AND column_default IS NULL AS required "
            "FROM information_schema.columns WHERE table_name = $1 AND table_schema = current_schema()", [table])
        return [(r["name"], r["type"].lower(), r["required"]) for r in rows]
    _, rows = await connection.execute_query(f'PRAGMA table_info("{table}")')
    return [(r["name"], r["type"].lower(), bool(r["notnull"]) and r["dflt_value"] is None and not r["pk"])
            for r in rows]


def _filler(kind: str) -> Any:
    if "int" in kind or "numeric" in kind or "decimal" in kind:
        return 1
    if "bool" in kind:
        return True
    if "timestamp" in kind or "datetime" in kind:
        return datetime(2026, 11, 27, 2, 30, tzinfo=timezone.utc)
    if "date" in kind:
        return datetime(2026, 11, 27).date()
    if "json" in kind:
        return "{}"
    return "x"


async def insert(table: str, key: str = "id", **given: Any) -> Any:
    """A row with the given values, and a plain value in every other required column; returns its key."""
    connection = Tortoise.get_connection("default")
    values = dict(given)
    for name, kind, required in await _columns(table):
        if required and name not in values and name != key:
            values[name] = _filler(kind)
    postgres = connection.capabilities.dialect == "postgres"
    marks = ", ".join(f"${n}" if postgres else "?" for n in range(1, len(values) + 1))
    names = ", ".join(f'"{n}"' for n in values)
    rows = await connection.execute_query_dict(
        f'INSERT INTO "{table}" ({names}) VALUES ({marks}) RETURNING "{key}"', list(values.values()))
    return rows[0][key]


async def test_applications_and_appeals_made_before_reference_numbers_get_them(databases: FreshDatabases) -> None:
    url = await databases.create()
    async with db.database(url):
        connection = Tortoise.get_connection("default")
        executor = MigrationExecutor(connection, db.tortoise_config("sqlite://:memory:")["apps"])
        await executor.migrate([MigrationTarget("portal", BEFORE_REFERENCES)])
        await insert("region", key="code", code="370100", name="济南市", level="CITY")
        department = await insert("department", code="370100-WJW", region_code="370100")
        item = await insert("service_item", code="370100-WJW-001", department_id=department)
        bundle = await insert("bundle", code="newborn")
        account = await insert("account", kind="CITIZEN")
        made = datetime(2026, 11, 27, 2, 30, tzinfo=timezone.utc)  # 10:30 in Shanghai
        applications = [await insert("application", bundle_id=bundle, applicant_id=account, submitted_by_id=account,
                                     idempotency_key=f"k{n}", created_at=made) for n in range(2)]
        await insert("task", application_id=applications[0], item_id=item, sort=0)
        appeal = await insert("appeal", region_code="370102", created_at=made)

        await db.apply_migrations()

        _, rows = await connection.execute_query('SELECT "id", "number" FROM "application" ORDER BY "id"')
        numbers = [r["number"] for r in rows]
        assert numbers[0] == normalise(numbers[0]) and numbers[0].startswith("B37010020261127000001")
        assert numbers[1].startswith("B37000020261127000001")  # no task: the province accepted it
        _, rows = await connection.execute_query(f'SELECT "number" FROM "appeal" WHERE "id" = {appeal}')
        assert rows[0]["number"].startswith("S37010220261127000001")
        # The day's counter goes on after the numbered rows.
        following = await allocate(ReferenceKind.APPLICATION, "370100", made)
        assert following.startswith("B37010020261127000002")
