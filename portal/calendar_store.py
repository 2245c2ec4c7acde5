"""Published holiday schedules imported by an administrator (``portal calendar import FILE``).

chinese-calendar ships the State Council's schedules up to its release; a schedule published later is
imported here and overrides the library for its year.
"""

from __future__ import annotations

from datetime import date

from tortoise import fields
from tortoise.models import Model
from tortoise.transactions import in_transaction

from portal import versions
from portal.audit.rules import SYSTEM, record
from portal.workdays import WorkCalendar, YearSchedule


class CalendarYear(Model):
    id = fields.IntField(primary_key=True)
    year = fields.IntField(unique=True)
    imported_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "calendar_year"


class CalendarDay(Model):
    """A day that differs from Monday–Friday: a weekday off or a make-up working weekend day (调休)."""

    day = fields.DateField(primary_key=True)
    year = fields.IntField(db_index=True)
    working = fields.BooleanField()
    name = fields.CharField(max_length=50)

    class Meta:
        table = "calendar_day"


async def import_schedule(schedule: YearSchedule) -> None:
    """Store ``schedule`` as the authoritative one for its year, replacing an earlier import."""
    async with in_transaction():
        await CalendarDay.filter(year=schedule.year).delete()
        await CalendarYear.filter(year=schedule.year).delete()
        await CalendarYear.create(year=schedule.year)
        rows = [CalendarDay(day=d, year=schedule.year, working=False, name=n) for d, n in schedule.holidays.items()]
        rows += [CalendarDay(day=d, year=schedule.year, working=True, name=n) for d, n in schedule.workdays.items()]
        await CalendarDay.bulk_create(rows)
        await versions.bump(versions.CALENDAR)
        await record("calendar.imported", SYSTEM, detail={"year": schedule.year, "daysOff": len(schedule.holidays),
                                                          "workdays": len(schedule.workdays)})


async def load_calendar() -> WorkCalendar:
    """The working-day calendar: chinese-calendar plus every imported year."""
    years = await CalendarYear.all().values_list("year", flat=True)
    holidays: dict[int, dict[date, str]] = {y: {} for y in years}
    workdays: dict[int, dict[date, str]] = {y: {} for y in years}
    for day, year, working, name in await CalendarDay.all().values_list("day", "year", "working", "name"):
        (workdays if working else holidays)[year][day] = name
    return WorkCalendar({y: YearSchedule(year=y, holidays=holidays[y], workdays=workdays[y]) for y in years})
