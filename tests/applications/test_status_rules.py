"""The application's derived status, blocked items, and task deadlines."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from portal.applications.models import TaskStatus as S
from portal.applications.rules import ApplicationStatus as A
from portal.applications.rules import application_status, blocked_items, promised_deadline
from portal.workdays import SHANGHAI, WorkCalendar

CHAIN = {"certificate": [], "hukou": ["certificate"], "insurance": ["hukou"]}
DIAMOND = {"land": [], "vehicle": [], "connection": ["land", "vehicle"], "tariff": ["connection"]}


@pytest.mark.parametrize(("statuses", "expected"), [
    ({"certificate": S.SUBMITTED, "hukou": S.WAITING, "insurance": S.WAITING}, A.IN_PROGRESS),
    ({"certificate": S.APPROVED, "hukou": S.SUPPLEMENT_REQUIRED, "insurance": S.WAITING}, A.NEEDS_SUPPLEMENT),
    ({"certificate": S.APPROVED, "hukou": S.APPROVED, "insurance": S.APPROVED}, A.DONE),
    ({"certificate": S.REJECTED, "hukou": S.WAITING, "insurance": S.WAITING}, A.REJECTED),
    ({"certificate": S.APPROVED, "hukou": S.REJECTED, "insurance": S.WAITING}, A.PARTLY_REJECTED),
])
def test_chain_status(statuses: dict[str, S], expected: A) -> None:
    assert application_status(statuses, CHAIN) is expected


def test_diamond_rejection_of_one_branch_blocks_the_join_but_not_the_other_branch() -> None:
    statuses = {"land": S.REJECTED, "vehicle": S.ACCEPTED, "connection": S.WAITING, "tariff": S.WAITING}
    assert blocked_items(statuses, DIAMOND) == {"connection", "tariff"}
    assert application_status(statuses, DIAMOND) is A.PARTLY_REJECTED
    statuses["vehicle"] = S.APPROVED
    assert application_status(statuses, DIAMOND) is A.PARTLY_REJECTED
    statuses["vehicle"] = S.REJECTED
    assert application_status(statuses, DIAMOND) is A.REJECTED


def test_supplement_outranks_a_rejection() -> None:
    statuses = {"land": S.REJECTED, "vehicle": S.SUPPLEMENT_REQUIRED, "connection": S.WAITING, "tariff": S.WAITING}
    assert application_status(statuses, DIAMOND) is A.NEEDS_SUPPLEMENT


def test_deadline_counts_promised_working_days_from_the_shanghai_day_of_submission() -> None:
    calendar = WorkCalendar()
    # 2025-09-30 17:00 UTC is 2025-10-01 01:00 in Shanghai, a holiday: 3 working days → Oct 9, 10, 11 (make-up).
    deadline, provisional = promised_deadline(calendar, 3, datetime(2025, 9, 30, 17, 0, tzinfo=timezone.utc))
    assert deadline.astimezone(SHANGHAI).isoformat() == "2025-10-11T23:59:59+08:00" and provisional is False
    assert deadline.utcoffset().total_seconds() == 0


def test_an_immediate_item_is_due_the_same_day() -> None:
    deadline, provisional = promised_deadline(WorkCalendar(), 0, datetime(2025, 10, 1, 2, 0, tzinfo=timezone.utc))
    assert deadline.astimezone(SHANGHAI).isoformat() == "2025-10-01T23:59:59+08:00" and provisional is False
    later, provisional = promised_deadline(WorkCalendar(), 0, datetime(2027, 3, 1, 2, 0, tzinfo=timezone.utc))
    assert later.astimezone(SHANGHAI).isoformat() == "2027-03-01T23:59:59+08:00" and provisional is True
