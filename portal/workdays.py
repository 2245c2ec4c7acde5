"""Working-day calendar for statutory deadlines (pure: no I/O, no global mutable state).

Rules: working days follow the State Council schedule with make-up weekends (调休), taken from
chinese_calendar; a year imported by an administrator overrides it; a year with neither is
Monday–Friday and every result touching it is provisional. "Within N working days" ends at
23:59:59 Asia/Shanghai of the Nth working day after the calendar day of receipt.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field as dataclass_field
from datetime import date, datetime, time, timedelta, timezone
from enum import unique
from types import MappingProxyType
from zoneinfo import ZoneInfo

import chinese_calendar

from portal.problems import Code, ErrorCode, checked_code

SHANGHAI = ZoneInfo("Asia/Shanghai")
MAX_WORKING_DAYS = 365

_ONE_DAY = timedelta(days=1)
# 2115 (DOMAIN.md): the clock of a general appeal, and the loosest any grade may have.
APPEAL_CONTACT_WITHIN = timedelta(hours=2)
APPEAL_OPINION_DAYS = 1
APPEAL_RESOLVE_DAYS = 15
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TOP_KEYS = frozenset({"year", "holidays", "workdays"})
_ENTRY_KEYS = frozenset({"name", "dates", "from", "to"})
_CHINESE_NAMES = {holiday.value: holiday.chinese for holiday in chinese_calendar.Holiday}


@unique
class CalendarCode(ErrorCode):
    """The codes only the calendar raises (an administrator's import file, a working-day question)."""

    NOT_A_MAPPING = "NOT_A_MAPPING"
    MISSING = "MISSING"
    INVALID_YEAR = "INVALID_YEAR"
    UNKNOWN_KEY = "UNKNOWN_KEY"
    EMPTY = "EMPTY"
    NOT_A_LIST = "NOT_A_LIST"
    INVALID_NAME = "INVALID_NAME"
    DUPLICATE_DATE = "DUPLICATE_DATE"
    AMBIGUOUS_DATES = "AMBIGUOUS_DATES"
    RANGE_REVERSED = "RANGE_REVERSED"
    INVALID_DATE = "INVALID_DATE"
    DATE_OUTSIDE_YEAR = "DATE_OUTSIDE_YEAR"
    DATE_IN_BOTH_LISTS = "DATE_IN_BOTH_LISTS"
    WORKDAY_NOT_WEEKEND = "WORKDAY_NOT_WEEKEND"
    YEAR_MISMATCH = "YEAR_MISMATCH"
    NOT_A_DATETIME = "NOT_A_DATETIME"
    NAIVE_DATETIME = "NAIVE_DATETIME"


class CalendarError(ValueError):
    """An input the calendar refuses: .field names the argument or the place in an import file,
    .code is a stable error code (``CalendarCode`` or a shared ``Code``), .message is Chinese text for people."""

    def __init__(self, field: str, code: ErrorCode, message: str) -> None:
        super().__init__(f"{field}: {code}: {message}")
        self.field, self.code, self.message = field, checked_code(code), message


@dataclass(frozen=True)
class YearSchedule:
    """One year's published schedule: days off (holidays) and make-up working weekend days."""

    year: int
    holidays: Mapping[date, str]
    workdays: Mapping[date, str]
    _off: frozenset[date] = dataclass_field(init=False, repr=False, compare=False)
    _on: frozenset[date] = dataclass_field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        holidays, workdays = dict(self.holidays), dict(self.workdays)
        object.__setattr__(self, "holidays", MappingProxyType(holidays))
        object.__setattr__(self, "workdays", MappingProxyType(workdays))
        # Only these dates differ from Monday–Friday; lookups and counts need nothing else.
        object.__setattr__(self, "_off", frozenset(d for d in holidays if d.weekday() < 5 and d not in workdays))
        object.__setattr__(self, "_on", frozenset(d for d in workdays if d.weekday() >= 5))

    def is_workday(self, day: date) -> bool:
        """A make-up day works; otherwise Monday–Friday works unless it is a holiday."""
        return day in self._on or (day.weekday() < 5 and day not in self._off)


@dataclass(frozen=True)
class WorkingDayResult:
    date: date
    provisional: bool


@dataclass(frozen=True)
class SlaPlan:
    """An appeal's plan: 2115 (contact within 2 h, opinion within 1 and resolution within 15 working days) or its
    grade's tighter clock."""

    received_at: datetime
    contact_by: datetime
    opinion_by: datetime
    resolve_by: datetime
    provisional: bool


def end_of_day(day: date) -> datetime:
    """23:59:59 Asia/Shanghai of `day`: the moment a working-day deadline expires."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=SHANGHAI)


def schedule_from_chinese_calendar(year: int) -> YearSchedule | None:
    """The State Council schedule chinese_calendar ships for `year`, or None if it lacks the year."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:  # the library's only signal for "no data for this year"
        return None

    def named(source: Mapping[date, str], suffix: str) -> dict[date, str]:
        return {d: _CHINESE_NAMES.get(n, n) + suffix for d, n in source.items() if d.year == year}

    return YearSchedule(year, named(chinese_calendar.holidays, ""), named(chinese_calendar.workdays, "调休"))


def parse_schedule(data: object) -> YearSchedule:
    """Validate an administrator's import file (already loaded from JSON or YAML) into a YearSchedule."""
    if not isinstance(data, Mapping):
        raise CalendarError("schedule", CalendarCode.NOT_A_MAPPING, "导入内容必须是一个对象（键值映射）")
    _reject_unknown_keys(data, _TOP_KEYS, "")
    year = data.get("year")
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        code = CalendarCode.MISSING if "year" not in data else CalendarCode.INVALID_YEAR
        raise CalendarError("year", code, "年份 year 必须是 2000 到 2100 之间的整数")
    holidays = _parse_entries(data, "holidays", year, required=True)
    workdays = _parse_entries(data, "workdays", year, required=False)
    for day, (place, _) in workdays.items():
        if day in holidays:
            message = f"{day} 同时出现在放假（{holidays[day][0]}）和调休上班中"
            raise CalendarError(place, CalendarCode.DATE_IN_BOTH_LISTS, message)
        if day.weekday() < 5:
            raise CalendarError(place, CalendarCode.WORKDAY_NOT_WEEKEND, f"{day} 不是周六或周日，不能作为调休上班日")
    return YearSchedule(year, {d: n for d, (_, n) in holidays.items()}, {d: n for d, (_, n) in workdays.items()})


def _reject_unknown_keys(mapping: Mapping[object, object], allowed: frozenset[str], prefix: str) -> None:
    for key in mapping:
        if key not in allowed:
            raise CalendarError(f"{prefix}{key}", CalendarCode.UNKNOWN_KEY, f"无法识别的字段：{key}")


def _parse_entries(
    data: Mapping[object, object], key: str, year: int, *, required: bool
) -> dict[date, tuple[str, str]]:
    """Entries of one list as {date: (place in file, name)}, rejecting any date listed twice."""
    entries = data.get(key, None if required else [])
    if not isinstance(entries, list) or (required and not entries):
        code = (CalendarCode.MISSING if key not in data
                else CalendarCode.EMPTY if entries == [] else CalendarCode.NOT_A_LIST)
        raise CalendarError(key, code, f"{key} 必须是非空列表")
    result: dict[date, tuple[str, str]] = {}
    for i, entry in enumerate(entries):
        where = f"{key}[{i}]"
        if not isinstance(entry, Mapping):
            raise CalendarError(where, CalendarCode.NOT_A_MAPPING, "每一项必须是包含 name 和日期的对象")
        _reject_unknown_keys(entry, _ENTRY_KEYS, f"{where}.")
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            code = CalendarCode.MISSING if "name" not in entry else CalendarCode.INVALID_NAME
            raise CalendarError(f"{where}.name", code, "名称 name 必须是非空文字")
        for place, day in _entry_dates(entry, where, year):
            if day in result:
                raise CalendarError(place, CalendarCode.DUPLICATE_DATE, f"{day} 已在 {result[day][0]} 中列出")
            result[day] = (place, name.strip())
    return result


def _entry_dates(entry: Mapping[object, object], where: str, year: int) -> list[tuple[str, date]]:
    if "dates" in entry and ("from" in entry or "to" in entry):
        raise CalendarError(where, CalendarCode.AMBIGUOUS_DATES, "dates 与 from/to 只能二选一")
    if "dates" in entry:
        dates = entry["dates"]
        if not isinstance(dates, list) or not dates:
            code = CalendarCode.EMPTY if dates == [] else CalendarCode.NOT_A_LIST
            raise CalendarError(f"{where}.dates", code, "dates 必须是非空的日期列表")
        return [(f"{where}.dates[{j}]", _parse_date(v, f"{where}.dates[{j}]", year)) for j, v in enumerate(dates)]
    missing = [bound for bound in ("from", "to") if bound not in entry]
    if missing:
        place = f"{where}.dates" if len(missing) == 2 else f"{where}.{missing[0]}"
        raise CalendarError(place, CalendarCode.MISSING, "需要 dates 列表，或 from 与 to 日期范围")
    first = _parse_date(entry["from"], f"{where}.from", year)
    last = _parse_date(entry["to"], f"{where}.to", year)
    if first > last:
        raise CalendarError(f"{where}.to", CalendarCode.RANGE_REVERSED, f"结束日期 {last} 早于开始日期 {first}")
    return [(where, first + timedelta(days=k)) for k in range((last - first).days + 1)]


def _parse_date(value: object, place: str, year: int) -> date:
    # Only YYYY-MM-DD: fromisoformat alone would also take week dates and compact forms.
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            pass
    if isinstance(value, datetime) or not isinstance(value, date):
        raise CalendarError(place, CalendarCode.INVALID_DATE, f"无法识别的日期：{value!r}，应为 YYYY-MM-DD")
    if value.year != year:
        raise CalendarError(place, CalendarCode.DATE_OUTSIDE_YEAR, f"{value} 不在 {year} 年内")
    return value


def _check_days(days: object, field: str) -> None:
    if isinstance(days, bool) or not isinstance(days, int):
        raise CalendarError(field, Code.NOT_AN_INTEGER, "工作日天数必须是整数")
    if not 1 <= days <= MAX_WORKING_DAYS:
        raise CalendarError(field, Code.OUT_OF_RANGE, f"工作日天数必须在 1 到 {MAX_WORKING_DAYS} 之间")


def _require_date(value: object, name: str) -> None:
    # A datetime never equals a date, so it would silently miss every holiday.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{name} must be a datetime.date, e.g. instant.astimezone(SHANGHAI).date()")


def _weekdays(first: date, last: date) -> int:
    """Monday–Friday days in [first, last]."""
    weeks, rest = divmod((last - first).days + 1, 7)
    return weeks * 5 + sum(1 for k in range(rest) if (first.weekday() + k) % 7 < 5)


class WorkCalendar:
    """Working-day arithmetic over published years (imported or chinese_calendar) and provisional ones."""

    def __init__(self, imported: Mapping[int, YearSchedule] | None = None) -> None:
        # Each library year is read once here, so day-by-day walks are plain set lookups.
        schedules: dict[int, YearSchedule] = {}
        for year in sorted({d.year for d in chinese_calendar.holidays}):
            if (schedule := schedule_from_chinese_calendar(year)) is not None:
                schedules[year] = schedule
        for year, schedule in (imported or {}).items():
            if schedule.year != year:
                raise CalendarError("imported", CalendarCode.YEAR_MISMATCH, f"导入的 {year} 年日程实际属于 {schedule.year} 年")
            schedules[year] = schedule
        self._schedules: Mapping[int, YearSchedule] = MappingProxyType(schedules)

    def is_published(self, year: int) -> bool:
        """True if the year was imported or is known to chinese_calendar."""
        return year in self._schedules

    def is_workday(self, day: date) -> tuple[bool, bool]:
        """(working, provisional); an unpublished year falls back to Monday–Friday, provisional."""
        _require_date(day, "day")
        return self._classify(day)

    def _classify(self, day: date) -> tuple[bool, bool]:
        schedule = self._schedules.get(day.year)
        if schedule is None:
            return day.weekday() < 5, True
        return schedule.is_workday(day), False

    def add_working_days(self, start: date, days: int, *, field: str = "days") -> WorkingDayResult:
        """The `days`-th working day after `start`; `start` itself never counts, working or not."""
        _require_date(start, "start")
        _check_days(days, field)
        try:
            return self._walk(start, days)
        except OverflowError:
            raise CalendarError("from", Code.OUT_OF_RANGE, "日期超出可计算范围") from None

    def _walk(self, start: date, days: int) -> WorkingDayResult:
        day, left, provisional = start, days, False
        while left:
            day += _ONE_DAY
            working, unpublished = self._classify(day)
            provisional |= unpublished
            if working:
                left -= 1
        return WorkingDayResult(day, provisional)

    def deadline(self, start: date, days: int) -> tuple[datetime, bool]:
        """Deadline for "within N working days" of receipt on `start`: end of the Nth working day after it."""
        result = self.add_working_days(start, days)
        return end_of_day(result.date), result.provisional

    def sla_plan(self, received_at: datetime, *, contact_within: timedelta = APPEAL_CONTACT_WITHIN,
                 opinion_days: int = APPEAL_OPINION_DAYS, resolve_days: int = APPEAL_RESOLVE_DAYS) -> SlaPlan:
        """2115 by default: contact within 2 natural hours, opinion within 1 working day, resolution within
        15 working days, both counted from the Asia/Shanghai calendar day of receipt. A graded appeal's clock
        (``portal.appeals.clocks``) passes tighter figures."""
        if not isinstance(received_at, datetime):
            raise CalendarError("receivedAt", CalendarCode.NOT_A_DATETIME, "受理时间必须是日期时间")
        if received_at.utcoffset() is None:
            raise CalendarError("receivedAt", CalendarCode.NAIVE_DATETIME, "受理时间必须带时区，例如 +08:00")
        try:
            local = received_at.astimezone(SHANGHAI)
            # Natural hours are added in UTC so a historical DST change cannot bend them.
            contact_by = (received_at.astimezone(timezone.utc) + contact_within).astimezone(SHANGHAI)
            opinion = self._walk(local.date(), opinion_days)
            resolve = self._walk(local.date(), resolve_days)
        except OverflowError:
            raise CalendarError("receivedAt", Code.OUT_OF_RANGE, "受理时间超出可计算范围") from None
        return SlaPlan(local, contact_by, end_of_day(opinion.date), end_of_day(resolve.date),
                       opinion.provisional or resolve.provisional)

    def working_days_between(self, start: date, end: date) -> tuple[int, bool]:
        """Working days d with start < d <= end (0 if end <= start), and whether any was provisional."""
        _require_date(start, "start")
        _require_date(end, "end")
        if end <= start:
            return 0, False
        first, count, provisional = start + _ONE_DAY, 0, False
        for year in range(first.year, end.year + 1):  # whole years at a time, not day by day
            lo, hi = max(first, date(year, 1, 1)), min(end, date(year, 12, 31))
            count += _weekdays(lo, hi)
            schedule = self._schedules.get(year)
            if schedule is None:
                provisional = True
            else:
                count += sum(lo <= d <= hi for d in schedule._on) - sum(lo <= d <= hi for d in schedule._off)
        return count, provisional


def day_bounds_utc(first: date, last: date) -> tuple[datetime, datetime]:
    """The instants (in UTC, as stored) from the start of ``first`` to the end of ``last``, Asia/Shanghai
    calendar days: the period of every report."""
    start = datetime.combine(first, time.min, tzinfo=SHANGHAI)
    end = datetime.combine(last + _ONE_DAY, time.min, tzinfo=SHANGHAI)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)
