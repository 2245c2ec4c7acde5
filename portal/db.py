"""ORM set-up and schema migrations.

The portal speaks to SQLite (embedded default) or PostgreSQL through Tortoise. Schema changes are
Tortoise migrations committed under ``portal/migrations`` (made with ``tortoise makemigrations``),
applied by ``portal migrate``; nothing creates tables on start.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from pathlib import Path
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qsl, unquote, urlsplit

from tortoise import Tortoise
from tortoise.context import TortoiseContext
from tortoise.migrations.executor import MigrationExecutor
from tortoise.models import Model
from tortoise.transactions import in_transaction

from portal.config import ConfigError
from portal.text import text_problem

APP_LABEL = "portal"
MODEL_MODULES = [
    "portal.catalog.models",
    "portal.calendar_store",
    "portal.versions",
    "portal.identity.models",
    "portal.audit.models",
    "portal.events",
    "portal.applications.models",
    "portal.lutong.models",
    "portal.appeals.models",
    "portal.knowledge.models",
    "portal.evaluations.models",
    "portal.surveys.models",
    "portal.oversight.models",
    "portal.halls.models",
    "portal.packs.models",
    "portal.leases",
    "portal.references",
]
MIGRATIONS_MODULE = "portal.migrations"
# SQLite: one connection per process; several processes wait for the write lock instead of failing.
# A page cache of 128 MiB (the default 2 MiB re-reads a large database's pages from the OS on every query, ten
# times slower for the figures of a million applications), and reads through a memory map of up to 1 GiB.
SQLITE_PRAGMAS = {"journal_mode": "WAL", "synchronous": "NORMAL", "busy_timeout": "5000", "foreign_keys": "ON",
                  "cache_size": "-131072", "mmap_size": str(2**30)}


def connection_config(url: str) -> dict[str, Any]:
    """Translate ``PORTAL_DATABASE_URL`` into a Tortoise connection.

    ``sqlite:///./portal.sqlite3`` is a path relative to the working directory,
    ``sqlite:////var/lib/portal.db`` an absolute one, ``sqlite://:memory:`` in memory;
    ``postgres://user@host:5432/db?schema=s`` uses asyncpg, with an optional schema (search_path).
    """
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    if parts.scheme == "sqlite":
        if url.startswith("sqlite://:memory:"):
            path = ":memory:"
        elif url.startswith("sqlite:///"):
            path = unquote(url[len("sqlite:///"):].split("?", 1)[0])
        else:
            raise ConfigError(f"SQLite URL must look like sqlite:///path/to/file.db, not {url!r}.")
        if not path:
            raise ConfigError("The SQLite URL names no file: use e.g. sqlite:///./portal.sqlite3.")
        return {"engine": "portal.sqlite_engine", "credentials": {"file_path": path, **SQLITE_PRAGMAS, **query}}
    if parts.scheme in ("postgres", "postgresql"):
        database = parts.path.lstrip("/")
        if not database:
            raise ConfigError(f"The PostgreSQL URL names no database: {url!r}.")
        credentials: dict[str, Any] = {
            "host": parts.hostname or "127.0.0.1",
            "port": parts.port or 5432,
            "user": unquote(parts.username or "postgres"),
            "password": unquote(parts.password or ""),
            "database": database,
            "minsize": int(query.pop("minsize", 1)),
            "maxsize": int(query.pop("maxsize", 10)),
        }
        if "schema" in query:
            credentials["schema"] = query.pop("schema")
        credentials.update(query)
        return {"engine": "tortoise.backends.asyncpg", "credentials": credentials}
    raise ConfigError(f"PORTAL_DATABASE_URL must start with sqlite:// or postgres://, not {parts.scheme!r}.")


def tortoise_config(url: str) -> dict[str, Any]:
    return {
        "connections": {"default": connection_config(url)},
        "apps": {
            APP_LABEL: {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": MIGRATIONS_MODULE,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


# For `tortoise makemigrations` during development (see pyproject.toml [tool.tortoise]).
TORTOISE_DEV_CONFIG = tortoise_config("sqlite:///./var/makemigrations.sqlite3")


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite:")


@asynccontextmanager
async def database(url: str, *, global_fallback: bool = False) -> AsyncIterator[TortoiseContext]:
    """An initialised ORM context for a command or a test, closed on exit."""
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(url), _enable_global_fallback=global_fallback)
        yield ctx


async def apply_migrations() -> None:
    """Apply every migration not yet applied, on the current context's connection."""
    config = tortoise_config("sqlite://:memory:")["apps"]
    await MigrationExecutor(Tortoise.get_connection("default"), config).migrate()


async def migrate(url: str) -> None:
    """``portal migrate``: bring the database at ``url`` to the code's schema."""
    if is_sqlite(url):
        path = connection_config(url)["credentials"]["file_path"]
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    async with database(url):
        await apply_migrations()


async def create_database(url: str) -> bool:
    """Create the PostgreSQL database that ``url`` names when it does not exist yet (``portal migrate
    --create-database``, ``make run-cluster``); True when it was created. Asked of the server's maintenance
    database ``postgres`` with the same credentials. A SQLite file is made by migrating: nothing to do."""
    if is_sqlite(url):
        return False
    import asyncpg

    credentials = connection_config(url)["credentials"]
    name = credentials["database"]
    connection = await asyncpg.connect(host=credentials["host"], port=credentials["port"], user=credentials["user"],
                                       password=credentials["password"] or None, database="postgres")
    try:
        if await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            return False
        # CREATE DATABASE takes no parameters: the name is quoted as an identifier.
        await connection.execute('CREATE DATABASE "{}"'.format(name.replace('"', '""')))
        return True
    finally:
        await connection.close()


def unavailable(error: BaseException | None) -> bool:
    """Whether ``error`` (or what caused it) says the database cannot be reached now, rather than that a statement
    is wrong: refused or broken connections, a server shutting down or starting up. Such a failure passes when the
    database is back (the pool opens new connections), so it is answered as DATABASE_UNAVAILABLE, not as a bug."""
    import asyncpg

    from tortoise.exceptions import DBConnectionError

    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, (ConnectionError, DBConnectionError, asyncpg.PostgresConnectionError,
                              asyncpg.ConnectionDoesNotExistError, asyncpg.AdminShutdownError,
                              asyncpg.CrashShutdownError, asyncpg.CannotConnectNowError)):
            return True
        if isinstance(error, asyncpg.InterfaceError) and "closed" in str(error):
            return True  # a connection or pool closed under the request
        if isinstance(error, asyncpg.InternalClientError) and "cannot switch to state" in str(error):
            return True  # the pool resetting a connection the server dropped mid-query (seen in drill 2)
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


async def ping() -> None:
    """One round trip to the database (``/healthz``)."""
    await Tortoise.get_connection("default").execute_query("SELECT 1")


_INSERTS: dict[tuple[type[Model], type, int, tuple[str, ...]], tuple[list[str], str]] = {}


async def insert_returning(objects: Sequence[Model], *returning: str) -> list[dict[str, Any]]:
    """Insert rows of one model in one statement and return the ``returning`` columns of every row.

    Tortoise's ``bulk_create`` gives the rows no ids, and a row per statement costs a round trip each;
    SQLite (3.35+) and PostgreSQL both answer a multi-row INSERT with RETURNING. The rows come back in no
    promised order, so ask for a column that tells them apart. Runs in the caller's transaction.
    """
    model = type(objects[0])
    connection = model._choose_db(for_write=True)
    key = (model, connection.executor_class, len(objects), returning)
    if (known := _INSERTS.get(key)) is None:
        # Building the statement costs more than running it: keep it per model, dialect and row count.
        executor = connection.executor_class(model=model, db=connection)
        names = list(executor.regular_columns)
        query = connection.query_class.into(model._meta.basetable).columns(
            *(model._meta.fields_db_projection[name] for name in names))
        for row in range(len(objects)):
            query = query.insert(*(executor.parameter(row * len(names) + k) for k in range(len(names))))
        known = _INSERTS[key] = (names, str(query.returning(*returning)))
    names, sql = known
    fields = model._meta.fields_map
    values = [fields[name].to_db_value(getattr(obj, name), obj) for obj in objects for name in names]
    return await connection.execute_query_dict(sql, values)


def retry_scope(model: type[Model]) -> AbstractAsyncContextManager[Any]:
    """What an INSERT that may lose a race (a unique key, then a retry) runs in, so that the caller's transaction
    stays usable: a savepoint on PostgreSQL, where a failed statement aborts the whole transaction; nothing on
    SQLite, which undoes just the failed statement (a savepoint there is two more round trips for nothing)."""
    if model._choose_db(for_write=True).capabilities.dialect == "sqlite":
        return nullcontext()
    return in_transaction()


M = TypeVar("M", bound=Model)


def fits(model: type[Model], field: str, value: str) -> bool:
    """Whether ``value`` could be in the text column ``model.field``: no longer than it, on one line, without a
    NUL, a lone surrogate or another character ``portal.text`` refuses. Anything else names no row, and asking
    would fail instead of finding nothing (Tortoise refuses a filter value longer than the column, the databases
    refuse to encode the rest): callers answer "not found" without asking."""
    return text_problem(value, max_length=model._meta.fields_map[field].max_length, multiline=False) is None


async def insert(obj: M) -> M:
    """Insert one row and take its generated primary key: ``Model.create`` through the cached statement of
    ``insert_returning`` (the ORM's save does per call what this does once). Runs in the caller's transaction."""
    pk = obj._meta.pk_attr
    [row] = await insert_returning([obj], pk)
    setattr(obj, pk, row[pk])
    obj._saved_in_db = True
    return obj


async def insert_all(objects: Sequence[M], by: str) -> None:
    """Insert rows of one model in one statement and give each its generated primary key. RETURNING promises
    no order: ``by`` names a column whose values tell the rows apart (a task's ``sort``)."""
    pk = objects[0]._meta.pk_attr
    keys = {row[by]: row[pk] for row in await insert_returning(objects, pk, by)}
    for obj in objects:
        setattr(obj, pk, keys[getattr(obj, by)])
        obj._saved_in_db = True


class Lookup(Generic[M]):
    """A read of whole rows of one model by equal columns (``"owner_id"``) or lists (``"id__in"``), with its
    SQL built once per dialect and list length, answered as model instances.

    Tortoise builds every query anew through pypika: about 0.1 ms a query, three to four times what SQLite
    takes to answer a lookup by index. The reads on the submission path, run on every submission, use this.
    The SQL is the ORM's own (``QuerySet.sql()`` of the same filters, parameters in the order the filters are
    chained), so it says what the ORM would; the rows become instances through the dialect's executor, as the
    ORM's raw queries do. Like ``insert_returning``, it runs in the caller's transaction when there is one.
    """

    def __init__(self, model: type[M], *where: str, order_by: str = "", limit: int | None = None,
                 columns: tuple[str, ...] = ()) -> None:
        self.model, self.where, self.order_by, self.limit, self.columns = model, where, order_by, limit, columns
        self._sql: dict[tuple[str, tuple[int, ...]], str] = {}

    async def all(self, *values: Any) -> list[M]:
        if (statement := self._statement(values)) is None:
            return []
        sql, params = statement
        connection = self.model._meta.db
        executor = connection.executor_class(model=self.model, db=connection)
        return await executor.execute_select(sql, params)

    async def values(self, *values: Any) -> list[tuple[Any, ...]]:
        """Only the ``columns`` of the rows, as tuples: no instance is made (a read of many rows of which few
        are wanted whole)."""
        if (statement := self._statement(values)) is None:
            return []
        sql, params = statement
        fields = [self.model._meta.fields_map[name] for name in self.columns]
        _, rows = await self.model._meta.db.execute_query(sql, params)
        return [tuple(field.to_python_value(value) for field, value in zip(fields, row)) for row in rows]

    def _statement(self, values: tuple[Any, ...]) -> tuple[str, list[Any]] | None:
        """The SQL and its parameters; None when an empty list matches nothing ("IN ()" is no SQL)."""
        if len(values) != len(self.where):
            raise TypeError(f"{len(self.where)} values expected, {len(values)} given")
        fields = self.model._meta.fields_map  # complete once the ORM is initialised, not at import
        params: list[Any] = []
        lengths: list[int] = []
        lists: list[Any] = []
        for name, value in zip(self.where, values):
            if name.endswith("__in"):
                value = list(value)
                if not value:
                    return None
                field = fields[name.removesuffix("__in")]
                params += [field.to_db_value(v, self.model) for v in value]
                lengths.append(len(value))
            else:
                params.append(fields[name].to_db_value(value, self.model))
            lists.append(value)
        if self.limit is not None:
            params.append(self.limit)  # the ORM passes LIMIT as the last parameter
        key = (self.model._meta.db.capabilities.dialect, tuple(lengths))
        if (sql := self._sql.get(key)) is None:
            sql = self._sql[key] = self._build(lists)
        return sql, params

    async def first(self, *values: Any) -> M | None:
        rows = await self.all(*values)
        return rows[0] if rows else None

    def _build(self, values: list[Any]) -> str:
        """The ORM's SQL for these filters, with a placeholder per value (lists of these lengths)."""
        query = self.model.all()
        for name, value in zip(self.where, values):
            query = query.filter(**{name: value})
        if self.order_by:
            query = query.order_by(self.order_by)
        if self.limit is not None:
            query = query.limit(self.limit)
        return (query.values_list(*self.columns) if self.columns else query).sql()
