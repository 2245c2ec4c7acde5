"""Expected failures raised by the domain rules of every domain; the API turns them into `UserError` values."""

from __future__ import annotations

from datetime import date


class InvalidField(ValueError):
    """One input the rules refuse: ``field`` (canonical key), ``code`` (stable), ``message`` (Chinese)."""

    def __init__(self, field: str, code: str, message: str) -> None:
        super().__init__(field, code, message)  # all three in args so the exception pickles
        self.field, self.code, self.message = field, code, message

    def __str__(self) -> str:
        return f"{self.field}: {self.code}: {self.message}"


class FormProblems(Exception):
    """Every invalid field of a form, reported at once."""

    def __init__(self, problems: list[InvalidField]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems


class Refused(Exception):
    """An action the rules refuse; ``kind`` is PERMISSION, NOT_FOUND or CONFLICT."""

    def __init__(self, kind: str, code: str, message: str) -> None:
        super().__init__(message)
        self.kind, self.code, self.message = kind, code, message


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
        raise Refused("NOT_FOUND", "NOT_FOUND", message)
    return number


# The years the working-day calendar can hold (an imported year is 2000-2100). Beyond them a day is no
# reporting day, and the extremes cannot even be computed: 0001-01-01 00:00 in Shanghai is before the first
# UTC instant Python has, and the day after 9999-12-31 does not exist.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)


def check_day(field: str, day: date) -> date:
    """A calendar day a client names (a report's `from` or `to`, a window's bound) within FIRST_DAY..LAST_DAY."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidField(field, "OUT_OF_RANGE", f"日期须在 {FIRST_DAY} 至 {LAST_DAY} 之间")
    return day
