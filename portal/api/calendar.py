"""Working-day queries: `addWorkingDays` and the 2115 `slaPlan` (public, no sign-in)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from portal.api.errors import PublicError
from portal.appeals import clocks
from portal.appeals.api import AppealKind, AppealUrgency  # the enums as the schema declares them
from portal.workdays import CalendarError


@strawberry.type(description="A working-day date; `provisional` when a year without a published schedule was counted as Monday–Friday.")
class WorkingDayResult:
    date: date
    provisional: bool


@strawberry.type(description="The deadlines of an appeal of a grade received at `receivedAt` (Asia/Shanghai): 2115 "
                               "for a general complaint, tighter for urgent grades and consultations.")
class SlaPlan:
    received_at: datetime
    contact_by: datetime = strawberry.field(description="The grade's natural minutes after receipt (2115: 2 hours).")
    opinion_by: datetime = strawberry.field(description="23:59:59 of the grade's Nth working day after the day of "
                                                        "receipt (2115: the 1st).")
    resolve_by: datetime = strawberry.field(description="23:59:59 of the grade's Nth working day after the day of "
                                                        "receipt (2115: the 15th).")
    provisional: bool
    clock_name: str = strawberry.field(description="The grade's clock, as `appealClocks` names it.")


@contextmanager
def calendar_arguments() -> Iterator[None]:
    try:
        yield
    except CalendarError as exc:
        raise PublicError(exc.code, exc.message, field=exc.field) from exc


@strawberry.type
class CalendarQuery:
    @strawberry.field(description="The `days`-th working day after `from` (the day itself never counts), 1 ≤ days ≤ 365.")
    def add_working_days(self, info: Info, from_: Annotated[date, strawberry.argument(name="from")], days: int
                         ) -> WorkingDayResult:
        with calendar_arguments():
            result = info.context.calendar.add_working_days(from_, days)
        return WorkingDayResult(date=result.date, provisional=result.provisional)

    @strawberry.field(description="The clock of an appeal of a grade: 2115 (contact within 2 h, opinion within 1 "
                                  "working day, solved within 15) for a general complaint, tighter for urgent grades "
                                  "and consultations (`appealClocks`).")
    def sla_plan(self, info: Info, received_at: datetime, urgency: AppealUrgency = AppealUrgency.GENERAL,
                 kind: AppealKind = AppealKind.COMPLAINT) -> SlaPlan:
        clock = clocks.shipped().of(urgency, kind)
        with calendar_arguments():
            plan = clock.plan(info.context.calendar, received_at)
        return SlaPlan(received_at=plan.received_at, contact_by=plan.contact_by, opinion_by=plan.opinion_by,
                       resolve_by=plan.resolve_by, provisional=plan.provisional, clock_name=clock.name)
