"""The reads of issue 19 use their indexes: the plan the database makes for the exact SQL each read issues (taken
from its ORM query) reads the intended index, not every row of the table.

SQLite: ``EXPLAIN QUERY PLAN``. PostgreSQL: ``EXPLAIN`` with sequential scans priced out (``enable_seqscan =
off``), since on a near-empty table a scan is cheapest and the planner's choice would say nothing.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from tortoise import Tortoise
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from portal.appeals import rules as appeals
from portal.applications import rules as applications
from portal.applications.visibility import listed_for
from portal.identity.models import AccountKind
from portal.identity.principal import Principal

NOW = datetime(2026, 11, 30, 4, 0, tzinfo=timezone.utc)
PERSON = Principal(account_id=1, kind=AccountKind.CITIZEN, name="", role=None, department_code=None,
                   region_code=None, session_id=0, expires_at=NOW + timedelta(days=1))
FIRST, LAST = date(2026, 1, 1), date(2026, 3, 31)
OF_PERSON = ("applicant_id", "id")
OF_PERSON_AND_BUNDLE = ("applicant_id", "bundle_id")
WORKLIST = ("department_code", "status", "deadline")
OPEN_BY_DEADLINE = ("department_code", "deadline", "id")  # of the open tasks only (a partial index)
BY_REGION, BY_DAY = ("region_code", "created_at"), ("created_at",)


def postgres() -> bool:
    return Tortoise.get_connection("default").capabilities.dialect == "postgres"


async def index_columns(table: str) -> dict[str, tuple[str, ...]]:
    """The columns of each index of ``table``, by index name."""
    connection = Tortoise.get_connection("default")
    if postgres():
        rows = await connection.execute_query_dict(
            "SELECT i.relname AS name, array_agg(a.attname ORDER BY k.n) AS columns FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
            "JOIN unnest(x.indkey) WITH ORDINALITY AS k(attnum, n) ON TRUE "
            "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum "
            "WHERE t.relname = $1 AND t.relnamespace = to_regnamespace(current_schema()) GROUP BY i.relname",
            [table])
        return {r["name"]: tuple(r["columns"]) for r in rows}
    names = [r["name"] for r in await connection.execute_query_dict(f'PRAGMA index_list("{table}")')]
    return {name: tuple(r["name"] for r in await connection.execute_query_dict(f'PRAGMA index_info("{name}")'))
            for name in names}


async def plan(sql: str) -> str:
    async with in_transaction() as connection:
        if postgres():
            await connection.execute_script("SET LOCAL enable_seqscan = off")
            rows = await connection.execute_query_dict(f"EXPLAIN {sql}")
            return "\n".join(r["QUERY PLAN"] for r in rows)
        rows = await connection.execute_query_dict(f"EXPLAIN QUERY PLAN {sql}")
        return "\n".join(r["detail"] for r in rows)


async def indexes_read(sql: str, table: str) -> set[tuple[str, ...]]:
    """The column lists of the indexes of ``table`` that the plan of ``sql`` reads; a whole-table scan fails."""
    shown = await plan(sql)
    assert f"SCAN {table}\n" not in f"{shown}\n" and f"Seq Scan on {table}" not in shown, shown
    return {columns for name, columns in (await index_columns(table)).items() if name in shown}


def statements(query: QuerySet) -> list[str]:
    """What ``paginate`` sends for a query: its total, and its first page."""
    return [query.count().sql(params_inline=True), query.offset(0).limit(20).sql(params_inline=True)]


async def test_a_persons_applications_read_their_index(empty_database: str) -> None:
    for sql in statements((await listed_for(PERSON)).order_by("-id")):
        # (applicant, id) or (applicant, bundle): both lead with the person; the planner may take either.
        assert {OF_PERSON, OF_PERSON_AND_BUNDLE} & await indexes_read(sql, "application")


async def test_a_units_overdue_tasks_read_the_worklist_index(empty_database: str) -> None:
    for sql in statements(applications.worklist("370100-GAJ", overdue=True, now=NOW)):
        # The first page may walk the open tasks in deadline order instead (PostgreSQL does).
        assert await indexes_read(sql, "task") & {WORKLIST, OPEN_BY_DEADLINE}


@pytest.mark.parametrize("region", ["370102", "370100", "370000"])
async def test_the_appeal_figures_read_an_index_of_region_and_time(empty_database: str, region: str) -> None:
    period = appeals.received_in(region, FIRST, LAST)
    months = appeals.months(FIRST, LAST)
    reads = [appeals.tallied(period), appeals.tallied(period, "urgency"),
             appeals.tallied(period.annotate(month=appeals.month_of_receipt(months)), "month")]
    for query in reads:
        used = await indexes_read(query.sql(params_inline=True), "appeal")
        # A county is one value of the region column, a city or the province a range of it: the planner reads the
        # region's index or the time's (which of the two is its estimate of their costs), never the whole table.
        assert used & {BY_REGION, BY_DAY}, used


async def test_the_check_notices_dropped_indexes(empty_database: str) -> None:
    for name, columns in (await index_columns("task")).items():
        if columns in (WORKLIST, OPEN_BY_DEADLINE):
            await Tortoise.get_connection("default").execute_script(f'DROP INDEX "{name}"')
    for sql in statements(applications.worklist("370100-GAJ", overdue=True, now=NOW)):
        assert not await indexes_read(sql, "task") & {WORKLIST, OPEN_BY_DEADLINE}
