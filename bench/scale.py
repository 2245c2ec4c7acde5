"""Data scale (issue 19): millions of applications with their tasks, and appeals with their steps; then the reads.

    .venv/bin/python bench/scale.py postgres [--applications 10000000] [--url postgres://postgres@127.0.0.1:5432/scale_db]
    .venv/bin/python bench/scale.py sqlite [--applications 1000000] [--url sqlite:///var/scale.sqlite3]
    ... [--reuse] [--samples 300]

The database is migrated with the real migrations and seeded with the demo catalog, then filled in chunks of
``CHUNK`` applications, each chunk in one transaction (PostgreSQL: ``COPY`` through asyncpg's
``copy_records_to_table``; SQLite: ``executemany``). Every chunk is drawn from its own seeded generator, so an
interrupted run resumes after its last whole chunk; ``--reuse`` skips generation when the data is there. On
PostgreSQL the secondary indexes of the filled tables are dropped for the load and built after it (faster).

The data: citizens with a handful of applications each and a few with many (one in a hundred citizens files a
tenth of the applications), 1 to 3 tasks each (the catalog's items, so their departments), dated over three
years; a task older than a month is decided, save one in a hundred left open past its deadline; one appeal per
20 applications over the province's cities and counties, with three steps each.

Then, in this process through the functions the API calls, over ``--samples`` random citizens / units / regions
and periods, p50 and p99 of: ``me.applications`` (first page and total), a unit's ``departmentTasks(overdue:
true)`` (first page and total), and the appeal figures (``appealStats`` of a month, a quarter or a year;
``appealStatsBreakdown`` by urgency; ``appealStatsMonthly`` of twelve months). The issue's goal: p99 < 20 ms.
Each read is timed in process (the API's functions, wall clock) and in the database alone.

Measured on 2 shared cores with a load average of 8-16 from other work (wall-clock figures are the machine's,
not the database's), 30 November 2026:

- PostgreSQL 15, 3.6 million applications (the 10 million load was stopped for time): 17 min of COPY in chunks
  of 200,000 (50-90 s a chunk under that load; 10 million: 50 chunks, about an hour here), 2.5 min of indexes,
  2.8 GB (about 7.7 GB at 10 million). Database time p50 / p99: me.applications 0.13 / 0.34 ms,
  departmentTasks(overdue) 0.67 / 19 ms, appealStats 1.7 / 132 ms, breakdown 1.5 / 238 ms, monthly 1.6 / 326 ms.
- SQLite, 1 million applications: 25 min of executemany, 0.79 GiB. Database time p50 / p99: me.applications
  0.34 / 25 ms, departmentTasks(overdue) 0.7 / 61 ms, appealStats 1.7 / 448 ms, breakdown 1.4 / 610 ms.

The p99 of the figures is the province or a city over a year (60,000-180,000 appeals aggregated per read): an
index serves the period, but every appeal of it is still read. Under 20 ms there needs figures kept per month.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
from tortoise import Tortoise  # noqa: E402

from portal import db  # noqa: E402
from portal.api.pagination import paginate  # noqa: E402
from portal.appeals import rules as appeals  # noqa: E402
from portal.applications import rules as applications  # noqa: E402
from portal.applications.visibility import listed_for  # noqa: E402
from portal.catalog.seed import seed_catalog  # noqa: E402
from portal.catalog.source import read_catalog  # noqa: E402
from portal.identity.models import AccountKind  # noqa: E402
from portal.identity.principal import Principal  # noqa: E402

CHUNK = 200_000
NOW = datetime(2026, 11, 30, 4, 0, tzinfo=timezone.utc)  # the data's "today", so that a reused set stays valid
SPAN = timedelta(days=3 * 365)
APPLICATIONS_PER_CITIZEN = 5
APPEAL_EVERY = 20
CITIES = [f"37{n:02d}00" for n in range(1, 17)]
COUNTIES = [f"{city[:4]}{n:02d}" for city in CITIES for n in range(2, 10)]
PASSWORD_HASH = "scale-bench-no-login"
TABLES = ("account", "application", "task", "appeal", "appeal_step")
GOAL_MS = 20
FIRST_CITIZEN = 1_000_000  # the generated accounts' ids, clear of the demo's


def utc_text(moment: datetime) -> str:
    """As the portal stores times in SQLite (its adapter: ISO format with a space, in UTC)."""
    return moment.isoformat(" ")


class Shape:
    """What the catalog gives the generator: items with their departments, bundles."""

    def __init__(self, items: list[tuple[int, str]], bundles: list[int]) -> None:
        self.items, self.bundles = items, bundles
        self.departments = sorted({department for _, department in items})


def citizens_for(applications_: int) -> int:
    return max(10, applications_ // APPLICATIONS_PER_CITIZEN)


def account_rows(first_id: int, count: int) -> list[tuple[Any, ...]]:
    return [(first_id + i, AccountKind.CITIZEN.value, f"市民{first_id + i}", PASSWORD_HASH, NOW, NOW, False)
            for i in range(count)]


ACCOUNT_COLUMNS = ("id", "kind", "name", "password_hash", "password_changed_at", "created_at", "disabled")
APPLICATION_COLUMNS = ("id", "bundle_id", "applicant_id", "submitted_by_id", "channel", "form_values",
                       "idempotency_key", "request_hash", "event_seq", "created_at", "updated_at")
TASK_COLUMNS = ("id", "application_id", "item_id", "department_code", "prerequisites", "status", "version", "sort",
                "submitted_at", "deadline", "deadline_provisional", "decided_at", "note", "supplement", "updated_at")
APPEAL_COLUMNS = ("id", "credit_code", "enterprise_name", "recorded_by_id", "channel", "category", "urgency", "kind",
                  "priority", "clock_name", "answered_on_the_spot", "title", "content", "region_code", "status",
                  "version", "event_seq", "idempotency_key", "request_hash", "department_code", "received_at",
                  "contact_by", "opinion_by", "resolve_by", "provisional", "contacted_at", "opinion_at", "opinion",
                  "resolved_at", "summary", "return_reason", "confirmed_at", "satisfied", "comment", "reopened",
                  "created_at", "updated_at")
STEP_COLUMNS = ("id", "appeal_id", "at", "action", "actor", "department_code", "note")


def weighted(**weights: float) -> list[str]:
    """A table to draw from with one ``random()``: each value as often as its weight (in halves of a percent)."""
    return [value for value, weight in weights.items() for _ in range(round(weight * 2))]


OLD_TASK = weighted(APPROVED=96, REJECTED=3, SUBMITTED=0.5, ACCEPTED=0.5)
RECENT_TASK = weighted(SUBMITTED=30, ACCEPTED=30, APPROVED=35, SUPPLEMENT_REQUIRED=5)
TASKS_PER_APPLICATION = (1, 1, 1, 2, 2, 3)
URGENCY = weighted(URGENT=5, IMPORTANT=15, GENERAL=80)
KIND = weighted(COMPLAINT=60, CONSULTATION=25, SUGGESTION=10, REPORT=5)
CHANNEL = weighted(ONLINE=50, MAILBOX=10, HOTLINE=35, VISIT=5)
DONE_APPEAL = weighted(CLOSED=85, RESOLVED=12, MERGED=3)
OPEN_APPEAL = ("RECEIVED", "ASSIGNED", "CONTACTED", "OPINION_GIVEN", "RESOLVED")
DAY, MONTH = 86400.0, 30 * 86400.0


def pick(draw: Callable[[], float], values: Sequence[Any]) -> Any:
    return values[int(draw() * len(values))]


def chunk_rows(index: int, shape: Shape, total: int) -> dict[str, list[tuple[Any, ...]]]:
    """The rows of chunk ``index`` of ``total`` applications: CHUNK applications with their tasks, and their share
    of appeals. Numbered in the order they were filed, as the portal numbers them: the rows of a period lie
    together, as they do in a real database."""
    citizens = citizens_for(total)
    rng = random.Random(index)
    draw, moment = rng.random, partial(datetime.fromtimestamp, tz=timezone.utc)
    now, span, heavy = NOW.timestamp(), SPAN.total_seconds(), max(1, citizens // 100)
    applications_, tasks, appeals_, steps = [], [], [], []
    task_id = index * CHUNK * 3 + 1
    for n in range(CHUNK):
        application_id = index * CHUNK + n + 1
        # One in a hundred citizens (the first ones) files a tenth of all applications.
        applicant = FIRST_CITIZEN + int(draw() * (heavy if draw() < 0.1 else citizens))
        at = now - span * (1 - application_id / total) - 60 * draw()
        created = moment(at)
        applications_.append((application_id, pick(draw, shape.bundles), applicant, applicant, "MOBILE", "{}",
                              f"scale-{application_id}", "scale", 1, created, created))
        statuses = OLD_TASK if now - at > MONTH else RECENT_TASK
        for sort in range(pick(draw, TASKS_PER_APPLICATION)):
            item_id, department = pick(draw, shape.items)
            status = pick(draw, statuses)
            decided = moment(min(now, at + DAY * (0.1 + 25 * draw()))) if status in ("APPROVED", "REJECTED") \
                else None
            tasks.append((task_id, application_id, item_id, department, "[]", status, 1, sort, created,
                          moment(at + DAY * (1 + int(draw() * 20))), False, decided, "", "{}", decided or created))
            task_id += 1
        if application_id % APPEAL_EVERY == 0:
            appeal_id = application_id // APPEAL_EVERY
            appeals_.append(appeal_row(rng, appeal_id, created, shape))
            steps += [(appeal_id * 3 + step, appeal_id, created + timedelta(hours=step), action, "staff:1", None, "")
                      for step, action in enumerate(("received", "assigned", "contacted"))]
    return {"application": applications_, "task": tasks, "appeal": appeals_, "appeal_step": steps}


def appeal_row(rng: random.Random, appeal_id: int, created: datetime, shape: Shape) -> tuple[Any, ...]:
    draw = rng.random
    region = pick(draw, COUNTIES)
    urgency, kind, channel = pick(draw, URGENCY), pick(draw, KIND), pick(draw, CHANNEL)
    received = created + timedelta(minutes=rng.randint(5, 600))
    contact_by, opinion_by, resolve_by = (received + timedelta(hours=2), received + timedelta(days=1),
                                          received + timedelta(days=21))
    status = pick(draw, DONE_APPEAL if NOW - created > timedelta(days=25) else OPEN_APPEAL)
    routed = status != "RECEIVED"

    def step(due: datetime, late_share: float) -> datetime | None:
        at = due - timedelta(minutes=rng.randint(1, 100)) if draw() > late_share else due + timedelta(hours=3)
        return at if at <= NOW else None

    contacted = step(contact_by, 0.05) if routed and status != "ASSIGNED" else None
    opinion = step(opinion_by, 0.1) if contacted and status not in ("ASSIGNED", "CONTACTED") else None
    resolved = step(resolve_by, 0.08) if opinion and status in ("RESOLVED", "CLOSED") else None
    satisfied = (draw() < 0.9) if status == "CLOSED" else None
    spot = kind == "CONSULTATION" and channel == "HOTLINE" and status == "CLOSED" and draw() < 0.5
    department = pick(draw, shape.departments) if routed else None
    return (appeal_id, f"91{region}MA{appeal_id:08d}", f"企业{appeal_id}", 1, channel, "POLICY", urgency, kind,
            {"URGENT": 0, "IMPORTANT": 1}.get(urgency, 2), "", spot, "诉求标题", "诉求内容", region, status, 1, 0,
            f"scale-{appeal_id}", "scale", department, received if routed else None,
            contact_by if routed else None, opinion_by if routed else None, resolve_by if routed else None, False,
            contacted, opinion, "", resolved, "", "", resolved if satisfied is not None else None, satisfied, "", 0,
            created, created)


COLUMNS = {"application": APPLICATION_COLUMNS, "task": TASK_COLUMNS, "appeal": APPEAL_COLUMNS,
           "appeal_step": STEP_COLUMNS, "account": ACCOUNT_COLUMNS}


class Store:
    """Writes chunks into one kind of database."""

    async def count(self, table: str) -> int:
        raise NotImplementedError

    async def write(self, rows: dict[str, list[tuple[Any, ...]]]) -> None:
        raise NotImplementedError

    async def before_load(self) -> None:
        """Nothing by default."""

    async def after_load(self) -> None:
        """Nothing by default."""


class Postgres(Store):
    def __init__(self, url: str) -> None:
        self.url = url

    async def connect(self) -> None:
        self.connection = await asyncpg.connect(self.url)
        # The rows are consistent by construction: no foreign-key trigger per row during the load.
        await self.connection.execute("SET session_replication_role = replica")
        await self.connection.execute("CREATE TABLE IF NOT EXISTS scale_index (name TEXT PRIMARY KEY, sql TEXT)")

    async def count(self, table: str) -> int:
        return await self.connection.fetchval(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')

    async def write(self, rows: dict[str, list[tuple[Any, ...]]]) -> None:
        async with self.connection.transaction():
            for table, records in rows.items():
                if records:
                    await self.connection.copy_records_to_table(table, records=records, columns=COLUMNS[table])

    async def before_load(self) -> None:
        """The secondary indexes of the filled tables are kept aside (in ``scale_index``) and dropped."""
        found = await self.connection.fetch(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i JOIN pg_index x ON x.indexrelid = "
            "(quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass WHERE i.schemaname = "
            "current_schema() AND i.tablename = ANY($1) AND NOT x.indisunique", list(TABLES))
        for name, sql in found:
            await self.connection.execute("INSERT INTO scale_index VALUES ($1, $2) ON CONFLICT DO NOTHING", name, sql)
            await self.connection.execute(f'DROP INDEX "{name}"')

    async def after_load(self) -> None:
        if not await self.connection.fetchval("SELECT COUNT(*) FROM scale_index"):
            return
        await self.connection.execute("SET maintenance_work_mem = '512MB'")
        for name, sql in await self.connection.fetch("SELECT name, sql FROM scale_index ORDER BY name"):
            started = time.perf_counter()
            await self.connection.execute(sql.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1))
            await self.connection.execute("DELETE FROM scale_index WHERE name = $1", name)
            print(f"  index {name}: {time.perf_counter() - started:.0f} s", flush=True)
        for table in TABLES:
            await self.connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM \"{table}\"))")
        # Appeals lie in the order they arrived in a real database (a period's together): so here too.
        by_time = await self.connection.fetchval(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'appeal' "
            "AND indexdef LIKE '%(created_at)'")
        await self.connection.execute(f'CLUSTER appeal USING "{by_time}"')
        await self.connection.execute("VACUUM ANALYZE")


class Sqlite(Store):
    def __init__(self, path: str) -> None:
        self.connection = sqlite3.connect(path, isolation_level=None)
        self.connection.execute("PRAGMA journal_mode = WAL")
        self.connection.execute("PRAGMA synchronous = OFF")

    async def count(self, table: str) -> int:
        return self.connection.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"').fetchone()[0]

    async def write(self, rows: dict[str, list[tuple[Any, ...]]]) -> None:
        self.connection.execute("BEGIN")
        for table, records in rows.items():
            columns = COLUMNS[table]
            self.connection.executemany(
                f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})',
                ([utc_text(v) if isinstance(v, datetime) else v for v in record] for record in records))
        self.connection.execute("COMMIT")

    async def after_load(self) -> None:
        self.connection.execute("ANALYZE")


async def shape_of() -> Shape:
    connection = Tortoise.get_connection("default")
    _, items = await connection.execute_query(
        'SELECT s.id, d.code FROM service_item s JOIN department d ON d.id = s.department_id ORDER BY s.id')
    _, bundles = await connection.execute_query('SELECT id FROM bundle ORDER BY id')
    return Shape([(r["id"], r["code"]) for r in items], [r["id"] for r in bundles])


async def generate(store: Store, total: int, shape: Shape, reuse: bool) -> None:
    citizens = citizens_for(total)
    done = await store.count("application")
    if done >= total:
        print(f"{done:,} applications already there: generation skipped", flush=True)
        await store.after_load()  # an interrupted load's indexes are built now
        return
    if done and not reuse:
        raise SystemExit(f"{done:,} applications already there: --reuse to resume, or another database")
    started = time.perf_counter()
    if not done:
        await store.before_load()
        for first in range(0, citizens, CHUNK):
            await store.write({"account": account_rows(FIRST_CITIZEN + first, min(CHUNK, citizens - first))})
    else:
        print(f"resuming after {done:,} applications", flush=True)
    # The next chunk is drawn in a child process while this one is written.
    loop = asyncio.get_running_loop()
    with ProcessPoolExecutor(1) as drawer:
        chunks = range(done // CHUNK, -(-total // CHUNK))
        pending = loop.run_in_executor(drawer, chunk_rows, chunks[0], shape, total) if chunks else None
        for index in chunks:
            rows = await pending
            if index + 1 in chunks:
                pending = loop.run_in_executor(drawer, chunk_rows, index + 1, shape, total)
            await store.write(rows)
            print(f"  {(index + 1) * CHUNK:,} applications, {time.perf_counter() - started:.0f} s", flush=True)
    started = time.perf_counter()
    await store.after_load()
    print(f"indexes and statistics: {time.perf_counter() - started:.0f} s", flush=True)


def percentile(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def summary(name: str, times: list[float]) -> str:
    times = sorted(times)
    p50, p99 = statistics.median(times), percentile(times, 0.99)
    return f"p50 {p50:7.2f} ms  p99 {p99:7.2f} ms {'ok  ' if p99 < GOAL_MS else 'OVER'}"


class Read:
    """One of the measured reads: its arguments drawn at random, the call the API makes, and the statements it
    sends (the ORM queries, to time them in the database alone)."""

    def __init__(self, name: str, draw: Callable[[random.Random], Any], call: Callable[[Any], Awaitable[Any]],
                 queries: Callable[[Any], Awaitable[list[Any]]]) -> None:
        self.name, self.draw, self.call, self.queries = name, draw, call, queries


class DatabaseClock:
    """The time the database itself takes for a statement: PostgreSQL's own execution time (EXPLAIN ANALYZE);
    SQLite's statement run through the sqlite3 module in this thread (no event loop, no thread hop)."""

    def __init__(self, url: str) -> None:
        self.url = url

    async def open(self) -> None:
        if self.url.startswith("postgres"):
            self.postgres = await asyncpg.connect(self.url.split("?", 1)[0])
        else:
            self.sqlite = sqlite3.connect(self.url.removeprefix("sqlite:///"))
            for pragma, value in db.SQLITE_PRAGMAS.items():
                self.sqlite.execute(f"PRAGMA {pragma}={value}")

    async def time(self, sql: str) -> float:
        if self.url.startswith("postgres"):
            plan = json.loads(await self.postgres.fetchval(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}"))
            return plan[0]["Execution Time"]
        started = time.perf_counter()
        self.sqlite.execute(sql).fetchall()
        return (time.perf_counter() - started) * 1000


async def timed(read: Read, samples: int, clock: DatabaseClock) -> None:
    rng = random.Random(read.name)
    for _ in range(min(20, samples)):  # warm the caches a little
        await read.call(read.draw(rng))
    wall, database = [], []
    for _ in range(samples):
        arguments = read.draw(rng)
        started = time.perf_counter()
        await read.call(arguments)
        wall.append((time.perf_counter() - started) * 1000)
        database.append(sum([await clock.time(q.sql(params_inline=True)) for q in await read.queries(arguments)]))
    print(f"  {read.name:<40} in process {summary(read.name, wall)}   database {summary(read.name, database)}",
          flush=True)


def citizen(account_id: int) -> Principal:
    return Principal(account_id=account_id, kind=AccountKind.CITIZEN, name="", role=None, department_code=None,
                     region_code=None, session_id=0, expires_at=NOW + timedelta(days=1))


def region(rng: random.Random) -> str:
    level = rng.random()
    return "370000" if level < 0.1 else rng.choice(CITIES) if level < 0.4 else rng.choice(COUNTIES)


def period(rng: random.Random) -> tuple[str, date, date]:
    last = (NOW - SPAN * rng.random() * 0.6).date()
    return region(rng), last - timedelta(days=rng.choice((30, 91, 365))), last


def year(rng: random.Random) -> tuple[str, date, date]:
    last = (NOW - SPAN * rng.random() * 0.6).date()
    return region(rng), last - timedelta(days=334), last


def paged(query: Any) -> list[Any]:
    """What ``paginate`` sends: the total, and the first page."""
    return [query.count(), query.offset(0).limit(20)]


async def measure(samples: int, total: int, shape: Shape, clock: DatabaseClock) -> None:
    citizens = citizens_for(total)
    heavy = max(1, citizens // 100)

    async def mine(account: int) -> Any:
        return (await listed_for(citizen(account))).order_by("-id")

    async def by_month(arguments: tuple[str, date, date]) -> list[Any]:
        region_, first, last = arguments
        months = appeals.months(first, last)
        return [appeals.tallied(appeals.received_in(region_, months[0][0], months[-1][1]).annotate(
            month=appeals.month_of_receipt(months)), "month")]

    reads = [
        Read("me.applications (first 20, total)",
             lambda rng: FIRST_CITIZEN + (rng.randrange(heavy) if rng.random() < 0.2 else rng.randrange(citizens)),
             lambda account: paginate_mine(account), lambda account: as_list(paged, mine(account))),
        Read("departmentTasks(overdue: true)", lambda rng: rng.choice(shape.departments),
             lambda unit: paginate(applications.worklist(unit, overdue=True, now=NOW), 20, None),
             lambda unit: as_list(paged, ready(applications.worklist(unit, overdue=True, now=NOW)))),
        Read("appealStats (month, quarter, year)", period, lambda a: appeals.stats(*a),
             lambda a: as_list(lambda q: [appeals.tallied(q)], ready(appeals.received_in(*a)))),
        Read("appealStatsBreakdown(by: URGENCY)", period, lambda a: appeals.stats_breakdown(*a, "urgency"),
             lambda a: as_list(lambda q: [appeals.tallied(q, "urgency")], ready(appeals.received_in(*a)))),
        Read("appealStatsMonthly (12 months)", year, lambda a: appeals.monthly_stats(*a), by_month),
    ]

    async def paginate_mine(account: int) -> Any:
        return await paginate(await mine(account), 20, None)

    print(f"reads, {samples} samples each (goal p99 < {GOAL_MS} ms); load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores:", flush=True)
    for read in reads:
        await timed(read, samples, clock)


async def ready(value: Any) -> Any:
    return value


async def as_list(make: Callable[[Any], list[Any]], query: Awaitable[Any]) -> list[Any]:
    return make(await query)


async def run(args: argparse.Namespace) -> None:
    url = args.url or ("postgres://postgres@127.0.0.1:5432/scale_db" if args.database == "postgres"
                       else f"sqlite:///{ROOT / 'var' / 'scale.sqlite3'}")
    if url.startswith("sqlite"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    total = args.applications or (10_000_000 if args.database == "postgres" else 1_000_000)
    print(f"{args.database}: {url}, {total:,} applications", flush=True)
    async with db.database(url):
        started = time.perf_counter()
        await db.apply_migrations()
        if not await Tortoise.get_connection("default").execute_query_dict("SELECT id FROM bundle LIMIT 1"):
            await seed_catalog(read_catalog())
        shape = await shape_of()
        print(f"migrated and seeded: {time.perf_counter() - started:.1f} s", flush=True)
        if args.database == "postgres":
            store: Store = Postgres(url.split("?", 1)[0])
            await store.connect()
        else:
            store = Sqlite(url.removeprefix("sqlite:///"))
        started = time.perf_counter()
        await generate(store, total, shape, args.reuse)
        print(f"generation: {time.perf_counter() - started:.0f} s", flush=True)
        await report_size(url)
        clock = DatabaseClock(url)
        await clock.open()
        await measure(args.samples, total, shape, clock)


async def report_size(url: str) -> None:
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        print(f"database file: {path.stat().st_size / 2**30:.2f} GiB", flush=True)
        return
    connection = Tortoise.get_connection("default")
    rows = await connection.execute_query_dict("SELECT pg_size_pretty(pg_database_size(current_database())) AS s")
    print(f"database size: {rows[0]['s']}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", choices=("postgres", "sqlite"))
    parser.add_argument("--url", default="")
    parser.add_argument("--applications", type=int, default=0)
    parser.add_argument("--reuse", action="store_true", help="keep the data there, resume an interrupted load")
    parser.add_argument("--samples", type=int, default=300)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
