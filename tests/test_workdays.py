"""Working-day calendar rules. Expected dates were checked against chinese_calendar 1.11.0:
National Day 2025 = Oct 1–8 off, make-up Sun Sep 28 and Sat Oct 11;
Spring Festival 2026 = Feb 15–23 off, make-up Sat Feb 14 and Sat Feb 28; 2027 is not in the library."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import chinese_calendar
import pytest
import yaml
from hypothesis import given, settings, strategies as st

from portal.workdays import (
    MAX_WORKING_DAYS,
    SHANGHAI,
    CalendarError,
    SlaPlan,
    WorkCalendar,
    WorkingDayResult,
    YearSchedule,
    end_of_day,
    parse_schedule,
    schedule_from_chinese_calendar,
)

UTC = timezone.utc
CALENDAR = WorkCalendar()

SCHEDULE_2027 = {
    "year": 2027,
    "holidays": [
        {"name": "元旦", "dates": ["2027-01-01"]},
        {"name": "春节", "from": "2027-02-05", "to": "2027-02-11"},
    ],
    "workdays": [{"name": "春节调休", "dates": ["2027-02-20"]}],
}
IMPORTED = WorkCalendar({2027: parse_schedule(SCHEDULE_2027)})


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def eod(y: int, m: int, d: int) -> datetime:
    return sh(y, m, d, 23, 59, 59)


def with_changes(**changes: object) -> dict[str, object]:
    data = json.loads(json.dumps(SCHEDULE_2027))
    data.update(changes)
    return data


# --- chinese_calendar as the source, read once per year -------------------------------------------

def test_unsupported_year_raises_not_implemented_error_in_the_library() -> None:
    with pytest.raises(NotImplementedError, match="no available data for year 2027"):
        chinese_calendar.is_workday(date(2027, 1, 4))


def test_every_library_day_2004_to_2026_matches_chinese_calendar() -> None:
    day = date(2004, 1, 1)
    while day.year <= 2026:
        assert CALENDAR.is_workday(day) == (chinese_calendar.is_workday(day), False), day
        day += timedelta(days=1)


def test_schedule_from_chinese_calendar_names_national_day_2025_in_chinese() -> None:
    schedule = schedule_from_chinese_calendar(2025)
    assert schedule is not None and schedule.year == 2025
    assert [d for d in schedule.holidays if date(2025, 10, 1) <= d <= date(2025, 10, 8)] == [
        date(2025, 10, d) for d in range(1, 9)
    ]
    assert schedule.holidays[date(2025, 10, 1)] == "国庆节"
    assert schedule.holidays[date(2025, 10, 6)] == "中秋"
    assert schedule.workdays[date(2025, 9, 28)] == "国庆节调休"
    assert schedule.workdays[date(2025, 10, 11)] == "国庆节调休"


def test_schedule_from_chinese_calendar_is_none_outside_the_library() -> None:
    assert schedule_from_chinese_calendar(2027) is None
    assert schedule_from_chinese_calendar(2003) is None


def test_working_day_walk_does_not_call_the_library_per_day(monkeypatch: pytest.MonkeyPatch) -> None:
    calendar = WorkCalendar()

    def forbidden(*_: object) -> None:
        raise AssertionError("chinese_calendar called after construction")

    for name in ("is_workday", "is_holiday", "get_holiday_detail", "find_workday"):
        monkeypatch.setattr(chinese_calendar, name, forbidden)
    assert calendar.add_working_days(date(2025, 1, 1), MAX_WORKING_DAYS) == WorkingDayResult(date(2026, 6, 25), False)


def test_published_years_are_the_library_years_plus_imports() -> None:
    assert CALENDAR.is_published(2004) and CALENDAR.is_published(2026)
    assert not CALENDAR.is_published(2003) and not CALENDAR.is_published(2027)
    assert IMPORTED.is_published(2027)


# --- 2115 appeal plan: opinion within 1 working day, resolution within 15 ----------------------------

def test_opinion_deadline_skips_national_day() -> None:
    plan = CALENDAR.sla_plan(sh(2025, 9, 30, 10, 0))
    assert plan.opinion_by == eod(2025, 10, 9)
    assert plan.opinion_by.isoformat() == "2025-10-09T23:59:59+08:00"
    assert plan.resolve_by == eod(2025, 10, 28)
    assert plan.provisional is False


def test_late_evening_receipt_in_shanghai_or_utc_gives_the_same_plan() -> None:
    in_shanghai = CALENDAR.sla_plan(sh(2025, 9, 30, 23, 30))
    in_utc = CALENDAR.sla_plan(datetime(2025, 9, 30, 15, 30, tzinfo=UTC))
    assert in_utc == in_shanghai == SlaPlan(
        received_at=sh(2025, 9, 30, 23, 30),
        contact_by=sh(2025, 10, 1, 1, 30),
        opinion_by=eod(2025, 10, 9),
        resolve_by=eod(2025, 10, 28),
        provisional=False,
    )
    assert in_utc.received_at.tzinfo is SHANGHAI
    assert in_utc.received_at.isoformat() == "2025-09-30T23:30:00+08:00"


def test_day_of_receipt_is_the_shanghai_day_not_the_utc_day() -> None:
    # 2025-10-09 17:00 UTC is Friday 2025-10-10 01:00 in Shanghai.
    plan = CALENDAR.sla_plan(datetime(2025, 10, 9, 17, 0, tzinfo=UTC))
    assert plan.received_at == sh(2025, 10, 10, 1, 0)
    assert plan.opinion_by == eod(2025, 10, 11)


def test_hour_of_receipt_never_matters_within_the_day() -> None:
    first = CALENDAR.sla_plan(sh(2025, 11, 12, 0, 0, 0))
    last = CALENDAR.sla_plan(sh(2025, 11, 12, 23, 59, 59))
    assert first.opinion_by == last.opinion_by == eod(2025, 11, 13)
    assert first.resolve_by == last.resolve_by == eod(2025, 12, 3)


@pytest.mark.parametrize(
    ("received", "opinion", "resolve"),
    [
        (sh(2025, 10, 3, 9, 0), eod(2025, 10, 9), eod(2025, 10, 28)),  # National Day holiday, Friday
        (sh(2025, 10, 5, 9, 0), eod(2025, 10, 9), eod(2025, 10, 28)),  # holiday on a Sunday
        (sh(2025, 11, 15, 9, 0), eod(2025, 11, 17), eod(2025, 12, 5)),  # ordinary Saturday
        (sh(2025, 11, 16, 9, 0), eod(2025, 11, 17), eod(2025, 12, 5)),  # ordinary Sunday
    ],
)
def test_receipt_on_holiday_or_weekend_next_working_day_is_day_one(
    received: datetime, opinion: datetime, resolve: datetime
) -> None:
    plan = CALENDAR.sla_plan(received)
    assert (plan.opinion_by, plan.resolve_by, plan.provisional) == (opinion, resolve, False)


def test_receipt_on_a_make_up_working_sunday_still_does_not_count() -> None:
    plan = CALENDAR.sla_plan(sh(2025, 9, 28, 9, 0))  # Sunday, a 国庆节调休 working day
    assert plan.opinion_by == eod(2025, 9, 29)
    assert plan.resolve_by == eod(2025, 10, 24)


def test_make_up_working_saturday_counts_as_a_working_day() -> None:
    plan = CALENDAR.sla_plan(sh(2025, 10, 10, 16, 0))  # Friday; Sat 2025-10-11 is 国庆节调休
    assert plan.opinion_by == eod(2025, 10, 11)
    assert plan.resolve_by == eod(2025, 10, 30)
    assert CALENDAR.is_workday(date(2025, 10, 11)) == (True, False)


def test_spring_festival_2026_days_off_and_make_up_saturdays() -> None:
    off = [date(2026, 2, d) for d in range(15, 24)]
    assert all(CALENDAR.is_workday(d) == (False, False) for d in off)
    assert CALENDAR.is_workday(date(2026, 2, 14)) == (True, False)
    assert CALENDAR.is_workday(date(2026, 2, 28)) == (True, False)


@pytest.mark.parametrize(
    ("received", "opinion", "resolve"),
    [
        (sh(2026, 2, 13, 17, 0), eod(2026, 2, 14), eod(2026, 3, 12)),  # Friday before the festival
        (sh(2026, 2, 14, 9, 0), eod(2026, 2, 24), eod(2026, 3, 13)),  # on the make-up Saturday
        (sh(2026, 2, 17, 9, 0), eod(2026, 2, 24), eod(2026, 3, 13)),  # during the festival
    ],
)
def test_fifteen_day_resolve_deadline_across_spring_festival_2026(
    received: datetime, opinion: datetime, resolve: datetime
) -> None:
    plan = CALENDAR.sla_plan(received)
    assert (plan.opinion_by, plan.resolve_by, plan.provisional) == (opinion, resolve, False)


def test_contact_by_is_exactly_two_hours_after_receipt() -> None:
    plan = CALENDAR.sla_plan(sh(2025, 9, 30, 10, 15, 30))
    assert plan.contact_by == sh(2025, 9, 30, 12, 15, 30)
    assert plan.contact_by.tzinfo is SHANGHAI


def test_contact_by_crosses_midnight_and_the_year() -> None:
    assert CALENDAR.sla_plan(sh(2025, 12, 31, 23, 0)).contact_by == sh(2026, 1, 1, 1, 0)
    assert CALENDAR.sla_plan(datetime(2025, 12, 31, 15, 0, tzinfo=UTC)).contact_by == sh(2026, 1, 1, 1, 0)


def test_contact_by_counts_natural_hours_across_a_clock_change() -> None:
    # Shanghai last used daylight saving in 1991: 02:00 became 03:00 on 1991-04-14.
    plan = CALENDAR.sla_plan(sh(1991, 4, 14, 1, 0))
    assert plan.contact_by.isoformat() == "1991-04-14T04:00:00+09:00"
    assert plan.contact_by.timestamp() - plan.received_at.timestamp() == 7200


# --- years without a published schedule ---------------------------------------------------------------

def test_result_inside_2026_only_is_not_provisional() -> None:
    assert CALENDAR.add_working_days(date(2026, 12, 30), 1) == WorkingDayResult(date(2026, 12, 31), False)


def test_unpublished_2027_is_monday_to_friday_and_provisional() -> None:
    assert CALENDAR.add_working_days(date(2026, 12, 31), 1) == WorkingDayResult(date(2027, 1, 1), True)
    assert CALENDAR.is_workday(date(2027, 1, 1)) == (True, True)  # a Friday
    assert CALENDAR.is_workday(date(2027, 1, 2)) == (False, True)  # a Saturday


def test_year_end_receipt_2026_12_30_runs_into_provisional_2027() -> None:
    plan = CALENDAR.sla_plan(sh(2026, 12, 30, 10, 0))
    assert plan.opinion_by == eod(2026, 12, 31)
    assert plan.resolve_by == eod(2027, 1, 20)
    assert plan.provisional is True


def test_year_end_receipt_2026_12_31_counts_2027_as_monday_to_friday() -> None:
    plan = CALENDAR.sla_plan(sh(2026, 12, 31, 10, 0))
    assert (plan.opinion_by, plan.resolve_by, plan.provisional) == (eod(2027, 1, 1), eod(2027, 1, 21), True)


# --- imported schedules override ----------------------------------------------------------------------

def test_imported_2027_new_year_holiday_moves_the_deadlines_and_is_authoritative() -> None:
    plan = IMPORTED.sla_plan(sh(2026, 12, 31, 10, 0))
    assert (plan.opinion_by, plan.resolve_by, plan.provisional) == (eod(2027, 1, 4), eod(2027, 1, 22), False)


def test_imported_2027_make_up_saturday_is_a_working_day() -> None:
    assert IMPORTED.add_working_days(date(2027, 2, 19), 1) == WorkingDayResult(date(2027, 2, 20), False)
    assert CALENDAR.add_working_days(date(2027, 2, 19), 1) == WorkingDayResult(date(2027, 2, 22), True)


def test_imported_2027_spring_festival_span() -> None:
    plan = IMPORTED.sla_plan(sh(2027, 2, 4, 10, 0))
    assert (plan.opinion_by, plan.resolve_by, plan.provisional) == (eod(2027, 2, 12), eod(2027, 3, 3), False)


def test_imported_year_overrides_the_library_for_that_year() -> None:
    only_new_year = parse_schedule({"year": 2025, "holidays": [{"name": "元旦", "dates": ["2025-01-01"]}]})
    calendar = WorkCalendar({2025: only_new_year})
    assert calendar.sla_plan(sh(2025, 9, 30, 10, 0)).opinion_by == eod(2025, 10, 1)
    assert calendar.is_workday(date(2025, 10, 11)) == (False, False)  # its make-up Saturday is gone too


def test_imported_schedule_under_the_wrong_year_is_refused() -> None:
    with pytest.raises(CalendarError) as error:
        WorkCalendar({2028: parse_schedule(SCHEDULE_2027)})
    assert (error.value.field, error.value.code) == ("imported", "YEAR_MISMATCH")


# --- deadlines and argument errors ------------------------------------------------------------------

def test_deadline_is_end_of_the_nth_working_day_after_receipt() -> None:
    assert CALENDAR.deadline(date(2025, 9, 30), 1) == (eod(2025, 10, 9), False)
    assert CALENDAR.deadline(date(2026, 12, 31), 1) == (eod(2027, 1, 1), True)
    assert end_of_day(date(2025, 10, 9)).isoformat() == "2025-10-09T23:59:59+08:00"


def test_days_boundaries_one_and_max_are_allowed() -> None:
    assert CALENDAR.add_working_days(date(2025, 9, 30), 1).date == date(2025, 10, 9)
    assert CALENDAR.add_working_days(date(2025, 1, 1), MAX_WORKING_DAYS) == WorkingDayResult(date(2026, 6, 25), False)


@pytest.mark.parametrize(
    ("days", "code"),
    [(0, "OUT_OF_RANGE"), (-1, "OUT_OF_RANGE"), (366, "OUT_OF_RANGE"), (10**9, "OUT_OF_RANGE"),
     (True, "NOT_AN_INTEGER"), (2.0, "NOT_AN_INTEGER"), ("3", "NOT_AN_INTEGER"), (None, "NOT_AN_INTEGER")],
)
def test_days_outside_one_to_365_or_not_int_are_refused(days: object, code: str) -> None:
    with pytest.raises(CalendarError) as error:
        CALENDAR.add_working_days(date(2025, 9, 30), days)  # type: ignore[arg-type]
    assert (error.value.field, error.value.code) == ("days", code)
    with pytest.raises(CalendarError) as error:
        CALENDAR.deadline(date(2025, 9, 30), days)  # type: ignore[arg-type]
    assert (error.value.field, error.value.code) == ("days", code)


def test_days_error_names_the_callers_field() -> None:
    with pytest.raises(CalendarError) as error:
        CALENDAR.add_working_days(date(2025, 9, 30), 0, field="opinionDays")
    assert (error.value.field, error.value.code) == ("opinionDays", "OUT_OF_RANGE")
    assert isinstance(error.value, ValueError)
    assert "365" in error.value.message and "工作日" in error.value.message


def test_naive_received_at_is_refused() -> None:
    with pytest.raises(CalendarError) as error:
        CALENDAR.sla_plan(datetime(2025, 9, 30, 10, 0))
    assert (error.value.field, error.value.code) == ("receivedAt", "NAIVE_DATETIME")
    assert "时区" in error.value.message


def test_received_at_that_is_not_a_datetime_is_refused() -> None:
    with pytest.raises(CalendarError) as error:
        CALENDAR.sla_plan(date(2025, 9, 30))  # type: ignore[arg-type]
    assert (error.value.field, error.value.code) == ("receivedAt", "NOT_A_DATETIME")


def test_dates_beyond_the_representable_range_are_refused() -> None:
    with pytest.raises(CalendarError) as error:
        CALENDAR.add_working_days(date(9999, 12, 30), 5)
    assert (error.value.field, error.value.code) == ("from", "OUT_OF_RANGE")
    with pytest.raises(CalendarError) as error:
        CALENDAR.sla_plan(datetime(9999, 12, 31, 12, 0, tzinfo=UTC))
    assert (error.value.field, error.value.code) == ("receivedAt", "OUT_OF_RANGE")


def test_a_datetime_where_a_date_is_expected_is_a_programming_error() -> None:
    with pytest.raises(TypeError):
        CALENDAR.add_working_days(datetime(2025, 9, 30, 10, tzinfo=SHANGHAI), 1)
    with pytest.raises(TypeError):
        CALENDAR.is_workday(datetime(2025, 10, 1))


# --- working_days_between ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2025, 9, 30), date(2025, 10, 9), (1, False)),
        (date(2025, 9, 30), date(2025, 9, 30), (0, False)),
        (date(2025, 10, 9), date(2025, 9, 30), (0, False)),
        (date(2025, 10, 9), date(2025, 10, 11), (2, False)),  # Fri + make-up Sat
        (date(2026, 2, 13), date(2026, 2, 28), (6, False)),  # Sat 14, Feb 24–27, Sat 28
        (date(2024, 12, 31), date(2025, 12, 31), (248, False)),
        (date(2025, 12, 31), date(2026, 12, 31), (248, False)),
        (date(2023, 12, 31), date(2024, 12, 31), (251, False)),
        (date(2026, 12, 30), date(2027, 1, 4), (3, True)),  # Dec 31, Fri Jan 1, Mon Jan 4
        (date(2027, 1, 1), date(2027, 1, 3), (0, True)),  # a weekend in an unpublished year
    ],
)
def test_working_days_between_counts_days_after_start_up_to_end(
    start: date, end: date, expected: tuple[int, bool]
) -> None:
    assert CALENDAR.working_days_between(start, end) == expected


def test_working_days_between_uses_imported_schedule() -> None:
    assert IMPORTED.working_days_between(date(2026, 12, 30), date(2027, 1, 4)) == (2, False)


@settings(max_examples=300, deadline=None)
@given(
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2028, 12, 31)),
    n=st.integers(min_value=1, max_value=40),
    calendar=st.sampled_from([CALENDAR, IMPORTED]),
)
def test_property_nth_working_day_is_a_working_day_after_start_reached_exactly(
    start: date, n: int, calendar: WorkCalendar
) -> None:
    result = calendar.add_working_days(start, n)
    assert result.date > start
    assert calendar.is_workday(result.date)[0]
    assert calendar.working_days_between(start, result.date) == (n, result.provisional)
    assert calendar.working_days_between(start, result.date - timedelta(days=1))[0] == n - 1


# --- parse_schedule -----------------------------------------------------------------------------------

def test_parse_schedule_accepts_yaml_with_date_objects() -> None:
    loaded = yaml.safe_load(
        """
        year: 2027
        holidays:
          - name: 元旦
            dates: [2027-01-01]
          - name: 春节
            from: 2027-02-05
            to: 2027-02-11
        workdays:
          - name: 春节调休
            dates: [2027-02-20]
        """
    )
    assert isinstance(loaded["holidays"][0]["dates"][0], date)
    schedule = parse_schedule(loaded)
    assert schedule.year == 2027
    assert dict(schedule.holidays) == {date(2027, 1, 1): "元旦"} | {date(2027, 2, d): "春节" for d in range(5, 12)}
    assert dict(schedule.workdays) == {date(2027, 2, 20): "春节调休"}
    assert schedule == parse_schedule(SCHEDULE_2027)
    assert schedule.is_workday(date(2027, 2, 20)) and not schedule.is_workday(date(2027, 2, 8))


def test_parse_schedule_workdays_are_optional() -> None:
    schedule = parse_schedule({"year": 2027, "holidays": [{"name": "元旦", "dates": ["2027-01-01"]}]})
    assert dict(schedule.workdays) == {}


def test_spec_example_with_make_up_day_inside_the_holiday_range_is_refused() -> None:
    data = with_changes(workdays=[{"name": "春节调休", "dates": ["2027-02-07", "2027-02-20"]}])
    with pytest.raises(CalendarError) as error:
        parse_schedule(data)
    assert (error.value.field, error.value.code) == ("workdays[0].dates[0]", "DATE_IN_BOTH_LISTS")
    assert "holidays[1]" in error.value.message


HOLIDAY_0 = {"name": "元旦", "dates": ["2027-01-01"]}


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ([], "schedule", "NOT_A_MAPPING"),
        ("year: 2027", "schedule", "NOT_A_MAPPING"),
        ({"holidays": [HOLIDAY_0]}, "year", "MISSING"),
        (with_changes(year="2027"), "year", "INVALID_YEAR"),
        (with_changes(year=True), "year", "INVALID_YEAR"),
        (with_changes(year=1999), "year", "INVALID_YEAR"),
        (with_changes(year=2101), "year", "INVALID_YEAR"),
        (with_changes(note="x"), "note", "UNKNOWN_KEY"),
        ({"year": 2027}, "holidays", "MISSING"),
        (with_changes(holidays=[]), "holidays", "EMPTY"),
        (with_changes(holidays="元旦"), "holidays", "NOT_A_LIST"),
        (with_changes(workdays={"name": "x"}), "workdays", "NOT_A_LIST"),
        (with_changes(holidays=["2027-01-01"]), "holidays[0]", "NOT_A_MAPPING"),
        (with_changes(holidays=[{"name": "元旦", "days": ["2027-01-01"]}]), "holidays[0].days", "UNKNOWN_KEY"),
        (with_changes(holidays=[{"dates": ["2027-01-01"]}]), "holidays[0].name", "MISSING"),
        (with_changes(holidays=[{"name": " ", "dates": ["2027-01-01"]}]), "holidays[0].name", "INVALID_NAME"),
        (with_changes(holidays=[{"name": "元旦"}]), "holidays[0].dates", "MISSING"),
        (with_changes(holidays=[{"name": "元旦", "dates": []}]), "holidays[0].dates", "EMPTY"),
        (with_changes(holidays=[{"name": "元旦", "dates": "2027-01-01"}]), "holidays[0].dates", "NOT_A_LIST"),
        (with_changes(holidays=[HOLIDAY_0 | {"from": "2027-01-01", "to": "2027-01-01"}]),
         "holidays[0]", "AMBIGUOUS_DATES"),
        (with_changes(holidays=[HOLIDAY_0, {"name": "春节", "from": "2027-02-05"}]), "holidays[1].to", "MISSING"),
        (with_changes(holidays=[HOLIDAY_0, {"name": "春节", "to": "2027-02-05"}]), "holidays[1].from", "MISSING"),
        (with_changes(holidays=[HOLIDAY_0, {"name": "春节", "from": "2027-02-11", "to": "2027-02-05"}]),
         "holidays[1].to", "RANGE_REVERSED"),
        (with_changes(holidays=[{"name": "元旦", "dates": ["2026-12-31"]}]),
         "holidays[0].dates[0]", "DATE_OUTSIDE_YEAR"),
        (with_changes(holidays=[HOLIDAY_0, {"name": "春节", "from": "2027-12-31", "to": "2028-01-02"}]),
         "holidays[1].to", "DATE_OUTSIDE_YEAR"),
        (with_changes(holidays=[{"name": "元旦", "dates": ["2027-01-01", "2027-02-30"]}]),
         "holidays[0].dates[1]", "INVALID_DATE"),
        (with_changes(holidays=[{"name": "元旦", "dates": ["2027/01/01"]}]), "holidays[0].dates[0]", "INVALID_DATE"),
        (with_changes(holidays=[{"name": "元旦", "dates": ["20270101"]}]), "holidays[0].dates[0]", "INVALID_DATE"),
        (with_changes(holidays=[{"name": "元旦", "dates": [20270101]}]), "holidays[0].dates[0]", "INVALID_DATE"),
        (with_changes(holidays=[{"name": "元旦", "dates": [datetime(2027, 1, 1, 0, 0)]}]),
         "holidays[0].dates[0]", "INVALID_DATE"),
        (with_changes(holidays=[HOLIDAY_0, {"name": "新年", "dates": ["2027-01-01"]}]),
         "holidays[1].dates[0]", "DUPLICATE_DATE"),
        (with_changes(workdays=[{"name": "春节调休", "dates": ["2027-02-06"]}]),
         "workdays[0].dates[0]", "DATE_IN_BOTH_LISTS"),
        (with_changes(workdays=[{"name": "春节调休", "dates": ["2027-02-20", "2027-02-22"]}]),
         "workdays[0].dates[1]", "WORKDAY_NOT_WEEKEND"),
    ],
)
def test_parse_schedule_refuses_bad_input_naming_the_place(data: object, field: str, code: str) -> None:
    with pytest.raises(CalendarError) as error:
        parse_schedule(data)
    assert (error.value.field, error.value.code) == (field, code)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error.value.message)


def test_year_schedule_is_immutable() -> None:
    schedule = parse_schedule(SCHEDULE_2027)
    with pytest.raises(TypeError):
        schedule.holidays[date(2027, 3, 1)] = "x"  # type: ignore[index]
    assert isinstance(schedule, YearSchedule)
