"""A database that cannot be reached is an outage with a code (DATABASE_UNAVAILABLE), not an internal error:
which failures count as one, and how HTTP, GraphQL and the public data answer them. The real outage, a
PostgreSQL server restarted under load, is drill 2 of tests/test_faults.py."""

from __future__ import annotations

from unittest import mock

import asyncpg
import httpx
import pytest
import strawberry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route
from tortoise.exceptions import IntegrityError, OperationalError

from portal import db
from portal.api.errors import MaskUnexpectedErrors
from portal.api.public import PublicData
from portal.api.security import security_middleware
from portal.config import Settings


def caused_by(outer: Exception, cause: BaseException) -> Exception:
    outer.__cause__ = cause
    return outer


@pytest.mark.parametrize("error", [
    ConnectionRefusedError(111, "Connect call failed"),
    asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
    asyncpg.AdminShutdownError("terminating connection due to administrator command"),
    asyncpg.CannotConnectNowError("the database system is starting up"),
    asyncpg.InterfaceError("pool is closed"),
    asyncpg.InternalClientError("cannot switch to state 15; another operation (2) is in progress"),
    caused_by(OperationalError("wrapped"), asyncpg.ConnectionDoesNotExistError("closed")),
])
def test_lost_and_refused_connections_are_an_outage(error: BaseException) -> None:
    assert db.unavailable(error)


@pytest.mark.parametrize("error", [
    OperationalError("syntax error at or near"),
    IntegrityError("duplicate key value violates unique constraint"),
    FileNotFoundError("no such upload"),
    ValueError("bad value"),
    None,
])
def test_other_failures_are_not(error: BaseException | None) -> None:
    assert not db.unavailable(error)


async def lost_connection(request: Request) -> None:
    raise asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation")


async def broken(request: Request) -> None:
    raise RuntimeError("a bug")


async def test_an_http_request_failing_on_the_database_is_answered_503_with_the_code() -> None:
    app = Starlette(routes=[Route("/lost", lost_connection), Route("/broken", broken)],
                    middleware=security_middleware(Settings()))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as http:
        lost, bug = await http.get("/lost"), await http.get("/broken")
    assert (lost.status_code, lost.headers["retry-after"]) == (503, "2")
    assert lost.json() == {"errors": [{"message": "数据库暂时无法访问，请稍后再试",
                                       "extensions": {"code": "DATABASE_UNAVAILABLE"}}]}
    assert lost.headers["x-content-type-options"] == "nosniff"  # still through the security headers
    assert bug.status_code == 500 and bug.json()["errors"][0]["extensions"]["code"] == "INTERNAL_ERROR"


@strawberry.type
class Query:
    @strawberry.field
    async def lost(self) -> int:
        raise asyncpg.AdminShutdownError("terminating connection due to administrator command")

    @strawberry.field
    async def broken(self) -> int:
        raise RuntimeError("a bug")


async def test_a_resolver_failing_on_the_database_gives_a_coded_error_without_a_reference() -> None:
    schema = strawberry.Schema(query=Query, extensions=[MaskUnexpectedErrors])
    lost = (await schema.execute("{ lost }")).errors[0]
    bug = (await schema.execute("{ broken }")).errors[0]
    assert (lost.message, lost.extensions) == ("数据库暂时无法访问，请稍后再试", {"code": "DATABASE_UNAVAILABLE"})
    assert bug.extensions["code"] == "INTERNAL_ERROR" and "reference" in bug.extensions


async def test_public_data_keeps_serving_from_memory_while_its_version_is_unreadable() -> None:
    public = PublicData(check_seconds=0)
    public.version = (("catalog", 3),)
    public.cache.put(b"POST {}", b'{"data":{}}')
    with mock.patch("portal.versions.current", side_effect=asyncpg.CannotConnectNowError("starting up")):
        await public.refresh()  # no exception: the cached answers stay
        assert public.version == (("catalog", 3),) and len(public.cache) == 1
        with pytest.raises(asyncpg.CannotConnectNowError):
            await public.refresh(force=True)  # a server starting without its database does not start
