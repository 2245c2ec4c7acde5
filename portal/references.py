"""受理编号: the reference numbers people read, say on the phone and type into a search box.

An application's or an appeal's number is ``<kind><region><date><sequence><check>``: ``B`` for an application
(办件) or ``S`` for an appeal (诉求); the six-digit GB/T 2260 code of the region that accepted it; the Shanghai
calendar day (YYYYMMDD); a six-digit sequence that starts at 000001 each day for each kind and region; and an
ISO 7064 MOD 11-2 check character over the twenty digits (0-9 or X, as on an identity card), so that a
mistyped digit or two swapped digits are caught before any search. ``B37010020261129000123`` + check.

The sequence is one counter row per kind, region and day, raised inside the transaction that creates the
application (or appeal): a submission that rolls back gives its number back, so a day's numbers have no gaps,
and two submissions at once never get the same one (the row is locked until the first commits).
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import Enum
from zoneinfo import ZoneInfo

from tortoise import fields
from tortoise.models import Model

SHANGHAI = ZoneInfo("Asia/Shanghai")
_CHECK = "10X98765432"
MAX_SEQUENCE = 999_999
LENGTH = 22
_SHAPE = re.compile(r"[BS]\d{20}[\dX]")


class ReferenceKind(str, Enum):
    APPLICATION = "B"
    APPEAL = "S"


class ReferenceCounter(Model):
    """The last sequence number given for one kind, region and day (``B:370100:20261129``)."""

    key = fields.CharField(max_length=24, primary_key=True)
    value = fields.IntField()

    class Meta:
        table = "reference_counter"


def mod11_2(digits: str) -> str:
    """The ISO 7064 MOD 11-2 check character of a string of digits (GB 11643 uses it for 17)."""
    n = len(digits)
    return _CHECK[sum(int(d) * pow(2, n - i, 11) for i, d in enumerate(digits)) % 11]


def compose(kind: ReferenceKind, region_code: str, day: str, sequence: int) -> str:
    """The number of the ``sequence``-th reference of ``kind`` in ``region_code`` on ``day`` (YYYYMMDD)."""
    if not (len(region_code) == 6 and region_code.isdigit() and len(day) == 8 and day.isdigit()
            and 1 <= sequence <= MAX_SEQUENCE):
        raise ValueError(f"no reference number for {region_code!r} {day!r} {sequence!r}")
    digits = f"{region_code}{day}{sequence:06d}"
    return f"{kind.value}{digits}{mod11_2(digits)}"


def normalise(text: str) -> str | None:
    """The number a person typed (spaces, hyphens, a lower-case letter or a full-width digit allowed), if it is
    a well-formed one with the right check character; otherwise None."""
    if not isinstance(text, str) or len(text) > 64:
        return None
    cleaned = "".join(ch for ch in text.strip() if ch not in " -\u3000").upper()
    cleaned = cleaned.translate({0xFF10 + d: str(d) for d in range(10)})
    if not _SHAPE.fullmatch(cleaned):
        return None
    return cleaned if mod11_2(cleaned[1:21]) == cleaned[21] else None


async def allocate(kind: ReferenceKind, region_code: str, at: datetime) -> str:
    """The next number of ``kind`` in ``region_code`` on the Shanghai day of ``at``. Call it inside the
    transaction that writes the numbered row: the counter row stays locked until that transaction ends."""
    day = at.astimezone(SHANGHAI).strftime("%Y%m%d")
    return compose(kind, region_code, day, await next_in_sequence(f"{kind.value}:{region_code}:{day}"))


async def next_in_sequence(key: str) -> int:
    """The next value (from 1) of the counter ``key`` (at most 24 characters), in the caller's transaction:
    reference numbers, and the order codes of the identity numbers and credit codes approvals issue."""
    # One statement is atomic by itself: no savepoint of its own (two more round trips), the caller's transaction
    # when there is one.
    connection = ReferenceCounter._choose_db(for_write=True)
    rows = await connection.execute_query_dict(
        'INSERT INTO "reference_counter" ("key", "value") VALUES ($1, 1) ON CONFLICT ("key") '
        'DO UPDATE SET "value" = "reference_counter"."value" + 1 RETURNING "value"'
        if connection.capabilities.dialect == "postgres" else
        'INSERT INTO "reference_counter" ("key", "value") VALUES (?, 1) ON CONFLICT ("key") '
        'DO UPDATE SET "value" = "reference_counter"."value" + 1 RETURNING "value"', [key])
    return int(rows[0]["value"])
