"""The error model of the API (API.md "Conventions").

Expected failures of mutations are values: a union of the success type and these ``UserError`` types.
Expected failures of queries whose result type is not a union (a bad argument, a limit) are GraphQL
errors carrying ``extensions.code`` (and ``field``), raised as ``PublicError``. Anything else is
unexpected: the client sees a reference id only, the log has the traceback under the same id.
"""

from __future__ import annotations

import functools
import logging
import secrets
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import date
from enum import unique
from typing import Any, ParamSpec, TypeVar

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.types import Info

from portal import db
from portal.identity.principal import Principal
from portal.problems import (
    EXPECTED,
    Conflicting,
    ErrorCode,
    Forbidden,
    FormProblems,
    InvalidField,
    Missing,
    RateLimitedError,
    check_day,
    checked_code,
    row_id,
)

log = logging.getLogger("portal.errors")
T = TypeVar("T")
P = ParamSpec("P")


@unique
class ApiCode(ErrorCode):
    """The codes of the API itself: who is asking, the shape of arguments, the error values."""

    UNAUTHENTICATED = "UNAUTHENTICATED"
    WRONG_TERMINAL = "WRONG_TERMINAL"
    FORBIDDEN = "FORBIDDEN"
    INVALID_ARGUMENT = "INVALID_ARGUMENT"
    INVALID_CURSOR = "INVALID_CURSOR"
    PAGE_SIZE_OUT_OF_RANGE = "PAGE_SIZE_OUT_OF_RANGE"
    FORM_INVALID = "FORM_INVALID"
    RATE_LIMITED = "RATE_LIMITED"
    INTERNAL_ERROR = "INTERNAL_ERROR"
    DATABASE_UNAVAILABLE = "DATABASE_UNAVAILABLE"


@strawberry.interface(description="An expected failure: `message` is for people (Chinese), `code` for programs.")
class UserError:
    code: str
    message: str


@strawberry.type(description="One invalid input; `field` is the canonical key, e.g. `idNumber`, `child.birthDate`.")
class ValidationError(UserError):
    field: str


@strawberry.type(description="A form with invalid fields: every problem at once.")
class FormInvalid(UserError):
    errors: list[ValidationError]


@strawberry.type
class PermissionDenied(UserError):
    pass


@strawberry.type
class NotFound(UserError):
    pass


@strawberry.type(description="A stale version, a reused idempotency key with other data, or a state that forbids the action.")
class Conflict(UserError):
    pass


@strawberry.type(description="Too many attempts; try again after `retryAfterSeconds`.")
class RateLimited(UserError):
    retry_after_seconds: int


ERROR_TYPES = [ValidationError, FormInvalid, PermissionDenied, NotFound, Conflict, RateLimited]


class PublicError(Exception):
    """An expected failure reported as a GraphQL error, never masked; graphql-core copies
    ``extensions`` (code, field) into the error it reports."""

    def __init__(self, code: ErrorCode, message: str, *, field: str | None = None, **extensions: Any) -> None:
        super().__init__(message)
        self.code = checked_code(code)
        self.message = message
        self.field = field
        self.extensions = {"code": code, **({"field": field} if field else {}), **extensions}


def invalid_argument(field: str, message: str, code: ErrorCode = ApiCode.INVALID_ARGUMENT) -> PublicError:
    return PublicError(code, message, field=field)


@contextmanager
def invalid_arguments() -> Iterator[None]:
    """Around the rules a query calls: a field they refuse (``InvalidField``) is an INVALID_ARGUMENT error naming
    the field, not an internal error."""
    try:
        yield
    except InvalidField as problem:
        raise invalid_argument(problem.field, problem.message) from None


MAX_PERIOD_DAYS = 366


def check_period(first: date, last: date) -> None:
    """A reporting period (`from`, `to`, Shanghai calendar days): days the calendar knows, at most a year, not
    ending before it starts."""
    with invalid_arguments():
        check_day("from", first)
        check_day("to", last)
    if last < first or (last - first).days > MAX_PERIOD_DAYS:
        raise invalid_argument("to", "统计期间须在一年以内，且结束日期不早于开始日期")


def is_expected(error: GraphQLError) -> bool:
    """Errors in the request itself pass through unmasked: syntax and validation errors (no original error) and
    variable errors (located at the variable, without a path), and ``PublicError``. Anything else raised is
    masked: while resolving a field (it has a path), and inside a subscription's stream, where strawberry
    reports the exception with neither a path nor a location."""
    original = error.original_error
    if original is None or isinstance(original, PublicError):
        return True
    return error.path is None and bool(error.nodes)


DATABASE_UNAVAILABLE_MESSAGE = "数据库暂时无法访问，请稍后再试"


def internal_error_message(reference: str) -> str:
    """What a client reads of an unexpected error: the reference that its log line carries, nothing else."""
    return f"服务内部错误，请稍后再试（参考编号 {reference}）"


class MaskUnexpectedErrors(MaskErrors):
    """Masks unexpected errors with a reference id that also appears in the log with the traceback."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda error: not is_expected(error))

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        if db.unavailable(error.original_error):
            # An outage, not a bug: one line in the log, and a code the client may retry on.
            log.warning("database unavailable at %s: %s", error.path, error.original_error)
            return GraphQLError(message=DATABASE_UNAVAILABLE_MESSAGE, nodes=error.nodes, source=error.source,
                                positions=error.positions, path=error.path, original_error=None,
                                extensions={"code": ApiCode.DATABASE_UNAVAILABLE})
        reference = secrets.token_hex(6)
        log.error("internal error %s at %s", reference, error.path, exc_info=error.original_error)
        return GraphQLError(
            message=internal_error_message(reference),
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=None,
            extensions={"code": ApiCode.INTERNAL_ERROR, "reference": reference},
        )



def error_value(problem: Exception) -> UserError:
    """The `UserError` value of an expected failure raised by the rules."""
    if isinstance(problem, InvalidField):
        problem = FormProblems([problem])
    if isinstance(problem, FormProblems):
        errors = [ValidationError(code=p.code, message=p.message, field=p.field) for p in problem.problems]
        return FormInvalid(code=ApiCode.FORM_INVALID, message=f"有{len(errors)}处内容需要修改", errors=errors)
    if isinstance(problem, RateLimitedError):
        return RateLimited(code=ApiCode.RATE_LIMITED,
                           message=f"尝试次数过多，请{problem.retry_after_seconds}秒后再试",
                           retry_after_seconds=problem.retry_after_seconds)
    if isinstance(problem, Forbidden):
        return PermissionDenied(code=problem.code, message=problem.message)
    if isinstance(problem, Missing):
        return NotFound(code=problem.code, message=problem.message)
    if isinstance(problem, Conflicting):
        return Conflict(code=problem.code, message=problem.message)
    raise TypeError(f"not an expected failure: {problem!r}")


def stream_cursor(after: str | None) -> int:
    """The stream number a subscription resumes after (``after``); none means from the start."""
    if after is None:
        return 0
    if (number := row_id(after)) is None:
        raise invalid_argument("after", "游标无效，请从头订阅", code=ApiCode.INVALID_CURSOR)
    return number


async def signed_in(info: Info) -> Principal:
    """The signed-in principal of a mutation; anonymous is a PermissionDenied (UNAUTHENTICATED) value, a device
    session used from another terminal a PermissionDenied (WRONG_TERMINAL) one."""
    try:
        return await info.context.require_principal()
    except PublicError as exc:
        raise Forbidden(exc.code, exc.message) from exc


def expected_failures_as_values(resolver: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """A resolver whose answer is a union with `UserError` types (every mutation, a few fields): an expected
    failure its rules raise (``problems.EXPECTED``) is returned as its `UserError` value; anything else still
    raises. Put it under ``@strawberry.mutation`` (or ``field``); strawberry reads the signature and the return
    type through ``functools.wraps``."""

    @functools.wraps(resolver)
    async def answer(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return await resolver(*args, **kwargs)
        except EXPECTED as problem:
            return error_value(problem)  # type: ignore[return-value]  # T is the union holding the value

    return answer
