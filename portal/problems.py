"""Expected failures raised by the domain rules of every domain; the API turns them into `UserError` values.

Every failure carries a stable ``code``: a member of an ``ErrorCode`` enum, never a bare string, so that a
misspelt code fails where it is written instead of reaching a client. The codes several packages share are
``Code`` below; each domain keeps its own in its ``errors.py`` (``IdentityCode``, ``HallCode`` ...). A code
string has one home: no two enums define the same one (tests/test_error_codes.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from enum import StrEnum, unique
from typing import TypeVar

T = TypeVar("T")


class ErrorCode(StrEnum):
    """A stable error code (UPPER_SNAKE, named as its value): the base of every code enum. A member is a ``str``,
    so clients, JSON and tests see the same string as before."""


def checked_code(code: ErrorCode) -> ErrorCode:
    """``code`` if it is a member of an ``ErrorCode`` enum; a plain string is a programming error."""
    if not isinstance(code, ErrorCode):
        raise TypeError(f"an error code must be a member of an ErrorCode enum, not {code!r}")
    return code


@unique
class Code(ErrorCode):
    """The codes more than one package uses."""

    REQUIRED = "REQUIRED"
    NOT_FOUND = "NOT_FOUND"
    NOT_AUTHORISED = "NOT_AUTHORISED"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    BAD_LENGTH = "BAD_LENGTH"
    TOO_LONG = "TOO_LONG"
    TOO_SHORT = "TOO_SHORT"
    BAD_FORMAT = "BAD_FORMAT"
    NOT_A_STRING = "NOT_A_STRING"
    NOT_AN_INTEGER = "NOT_AN_INTEGER"
    FORBIDDEN_CHARACTER = "FORBIDDEN_CHARACTER"
    BAD_REGION = "BAD_REGION"
    BAD_IDEMPOTENCY_KEY = "BAD_IDEMPOTENCY_KEY"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    STALE_VERSION = "STALE_VERSION"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    UNKNOWN_BUNDLE = "UNKNOWN_BUNDLE"
    UNKNOWN_CATEGORY = "UNKNOWN_CATEGORY"
    UNKNOWN_DEPARTMENT = "UNKNOWN_DEPARTMENT"
    UNKNOWN_FILE = "UNKNOWN_FILE"
    UNKNOWN_HALL = "UNKNOWN_HALL"


class InvalidField(ValueError):
    """One input the rules refuse: ``field`` (canonical key), ``code`` (stable), ``message`` (Chinese)."""

    def __init__(self, field: str, code: ErrorCode, message: str) -> None:
        super().__init__(field, checked_code(code), message)  # all three in args so the exception pickles
        self.field, self.code, self.message = field, code, message

    def __str__(self) -> str:
        return f"{self.field}: {self.code}: {self.message}"


class FormProblems(Exception):
    """Every invalid field of a form, reported at once."""

    def __init__(self, problems: list[InvalidField]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems


def attempt(check: Callable[[], T], problems: list[InvalidField]) -> T | None:
    """The checked value, or None with the refused field added to ``problems``: a form's checks run one after another
    and every bad field is reported at once (``FormProblems(problems)``)."""
    try:
        return check()
    except InvalidField as problem:
        problems.append(problem)
        return None


class Refused(Exception):
    """An action the rules refuse: raise one of its kinds, ``Forbidden``, ``Missing`` or ``Conflicting``."""

    kind: str  # PERMISSION, NOT_FOUND or CONFLICT: how an HTTP face (Open311) reports it

    def __init__(self, code: ErrorCode, message: str) -> None:
        if type(self) is Refused:
            raise TypeError("Refused is the base of Forbidden, Missing and Conflicting; raise one of them")
        super().__init__(message)
        self.code, self.message = checked_code(code), message


class Forbidden(Refused):
    """The actor may not do this (a `PermissionDenied` value)."""

    kind = "PERMISSION"


class Missing(Refused):
    """What the action names does not exist, or is not the actor's to see (a `NotFound` value)."""

    kind = "NOT_FOUND"


class Conflicting(Refused):
    """The state forbids the action: a stale version, a reused idempotency key, a step out of order (a
    `Conflict` value)."""

    kind = "CONFLICT"


class RateLimitedError(Exception):
    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(f"retry after {retry_after_seconds} s")
        self.retry_after_seconds = retry_after_seconds


EXPECTED = (InvalidField, FormProblems, Refused, RateLimitedError)


MAX_ROW_ID = 2**31 - 1  # row ids and stream numbers are 32-bit integers on both databases


def row_id(value: object) -> int | None:
    """The row id (or stream number) a client sent, if it can be one: ASCII digits within the 32-bit range.
    Anything else names no row: letters, other scripts' digits (², ١ — ``str.isdigit`` accepts them, ``int``
    reads some), a number too large for the column."""
    text = str(value)
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ROW_ID)):
        return None
    number = int(text)
    return number if number <= MAX_ROW_ID else None


def known_id(value: object, message: str) -> int:
    """``row_id``, or NOT_FOUND with ``message`` (e.g. 未找到该诉求) when the value can name no row."""
    number = row_id(value)
    if number is None:
        raise Missing(Code.NOT_FOUND, message)
    return number


# The years the working-day calendar can hold (an imported year is 2000-2100). Beyond them a day is no
# reporting day, and the extremes cannot even be computed: 0001-01-01 00:00 in Shanghai is before the first
# UTC instant Python has, and the day after 9999-12-31 does not exist.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)


def check_day(field: str, day: date) -> date:
    """A calendar day a client names (a report's `from` or `to`, a window's bound) within FIRST_DAY..LAST_DAY."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidField(field, Code.OUT_OF_RANGE, f"日期须在 {FIRST_DAY} 至 {LAST_DAY} 之间")
    return day
