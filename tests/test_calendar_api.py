"""`addWorkingDays` and `slaPlan` over GraphQL, and an imported schedule reaching a running server."""

from __future__ import annotations

from typing import Any

import pytest

from portal import versions
from portal.calendar_store import CalendarDay, CalendarYear, import_schedule
from portal.workdays import parse_schedule

ADD = "query($from: Date!, $days: Int!) { addWorkingDays(from: $from, days: $days) { date provisional } }"
PLAN = "query($at: DateTime!) { slaPlan(receivedAt: $at) { receivedAt contactBy opinionBy resolveBy provisional } }"

SCHEDULE_2027 = {
    "year": 2027,
    "holidays": [
        {"name": "元旦", "dates": ["2027-01-01"]},
        {"name": "春节", "from": "2027-02-05", "to": "2027-02-11"},
    ],
    "workdays": [{"name": "春节调休", "dates": ["2027-01-30", "2027-02-20"]}],
}


async def test_add_working_days_skips_national_day(gql: Any) -> None:
    body = await gql(ADD, {"from": "2025-09-30", "days": 1})
    assert body == {"data": {"addWorkingDays": {"date": "2025-10-09", "provisional": False}}}


async def test_make_up_saturday_is_a_working_day(gql: Any) -> None:
    body = await gql(ADD, {"from": "2025-10-10", "days": 1})
    assert body["data"]["addWorkingDays"] == {"date": "2025-10-11", "provisional": False}


async def test_sla_plan_received_before_national_day(gql: Any) -> None:
    body = await gql(PLAN, {"at": "2025-09-30T16:20:00+08:00"})
    assert body["data"]["slaPlan"] == {
        "receivedAt": "2025-09-30T16:20:00+08:00",
        "contactBy": "2025-09-30T18:20:00+08:00",
        "opinionBy": "2025-10-09T23:59:59+08:00",
        # Oct 9, 10, 11 (make-up Saturday), 13–17, 20–24, 27, 28: the 15th working day.
        "resolveBy": "2025-10-28T23:59:59+08:00",
        "provisional": False,
    }


async def test_sla_plan_takes_the_shanghai_day_of_a_utc_instant(gql: Any) -> None:
    # 2025-09-30T17:30Z is 2025-10-01 01:30 in Shanghai: received on a holiday, counted from Oct 1.
    body = await gql(PLAN, {"at": "2025-09-30T17:30:00+00:00"})
    plan = body["data"]["slaPlan"]
    assert plan["receivedAt"] == "2025-10-01T01:30:00+08:00"
    assert plan["contactBy"] == "2025-10-01T03:30:00+08:00"
    assert plan["opinionBy"] == "2025-10-09T23:59:59+08:00"


async def test_year_without_a_schedule_is_monday_to_friday_and_provisional(gql: Any) -> None:
    body = await gql(PLAN, {"at": "2026-12-31T10:00:00+08:00"})
    assert body["data"]["slaPlan"] == {
        "receivedAt": "2026-12-31T10:00:00+08:00",
        "contactBy": "2026-12-31T12:00:00+08:00",
        "opinionBy": "2027-01-01T23:59:59+08:00",
        "resolveBy": "2027-01-21T23:59:59+08:00",
        "provisional": True,
    }


@pytest.fixture
async def schedule_2027() -> Any:
    await import_schedule(parse_schedule(SCHEDULE_2027))
    yield
    await CalendarDay.filter(year=2027).delete()
    await CalendarYear.filter(year=2027).delete()
    await versions.bump(versions.CALENDAR)


async def test_an_imported_schedule_reaches_the_running_server(gql: Any, schedule_2027: None) -> None:
    body = await gql(PLAN, {"at": "2026-12-31T10:00:00+08:00"})
    assert body["data"]["slaPlan"]["opinionBy"] == "2027-01-04T23:59:59+08:00"
    # Jan 4..29 has 19 weekdays, plus the make-up Saturday Jan 30 ... the 15th working day is Jan 22.
    assert body["data"]["slaPlan"]["resolveBy"] == "2027-01-22T23:59:59+08:00"
    assert body["data"]["slaPlan"]["provisional"] is False
    body = await gql(ADD, {"from": "2027-02-04", "days": 1})
    assert body["data"]["addWorkingDays"] == {"date": "2027-02-12", "provisional": False}


@pytest.mark.parametrize(("days", "code"), [(0, "OUT_OF_RANGE"), (-3, "OUT_OF_RANGE"), (366, "OUT_OF_RANGE"),
                                            (10**6, "OUT_OF_RANGE")])
async def test_absurd_day_counts_are_refused_on_the_days_field(gql: Any, days: int, code: str) -> None:
    body = await gql(ADD, {"from": "2025-01-01", "days": days})
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"] == {"code": code, "field": "days"}
    assert error["message"] == "工作日天数必须在 1 到 365 之间"


async def test_a_time_without_offset_is_refused(gql: Any) -> None:
    body = await gql(PLAN, {"at": "2025-09-30T16:20:00"})
    [error] = body["errors"]
    assert error["extensions"] == {"code": "NAIVE_DATETIME", "field": "receivedAt"}


async def test_a_malformed_date_is_a_clear_variable_error(gql: Any) -> None:
    body = await gql(ADD, {"from": "30/09/2025", "days": 1})
    [error] = body["errors"]
    assert "$from" in error["message"] and "30/09/2025" in error["message"]
    assert "INTERNAL_ERROR" not in str(error)
