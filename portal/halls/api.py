"""Service halls: the halls, queue figures, tickets, appointments and the hall's live calls. Thin: rules decide."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from portal import events
from portal.api.errors import (
    Conflict,
    FormInvalid,
    NotFound,
    PermissionDenied,
    PublicError,
    RateLimited,
    invalid_argument,
    expected_failures_as_values,
    signed_in,
)
from portal.halls import models, rules
from portal.halls.models import AppointmentStatus, TicketStatus
from portal.halls.payloads import TicketChanged
from portal.identity.principal import Principal
from portal.problems import Code, FormProblems, Refused, known_id

strawberry.enum(TicketStatus, description="WAITING, CALLED, DONE, or SKIPPED (a no-show passed over, 过号).")
strawberry.enum(AppointmentStatus)


@strawberry.type(name="HallCategory", description="A queue of the hall (业务类别) with its ticket letter.")
class HallCategoryType:
    code: str
    name: str
    letter: str
    service_minutes: int
    slot_minutes: int
    slot_capacity: int


@strawberry.type
class CounterCategory:
    code: str


@strawberry.type(name="Counter", description="A window (窗口) and the categories it serves.")
class CounterType:
    code: str
    categories: list[CounterCategory]


@strawberry.type(description="A service hall (政务服务大厅).")
class Hall:
    row: strawberry.Private[models.Hall]
    code: str
    name: str
    region_code: str
    address: str
    kiosk_elder_mode: bool = strawberry.field(description="The hall's kiosks start in elder mode (适老化).")

    @classmethod
    def of(cls, row: models.Hall) -> Hall:
        return cls(row=row, code=row.code, name=row.name, region_code=row.region_code, address=row.address,
                   kiosk_elder_mode=row.kiosk_elder_mode)

    @strawberry.field
    async def categories(self) -> list[HallCategoryType]:
        rows = await models.HallCategory.filter(hall_id=self.code).order_by("sort", "id")
        return [HallCategoryType(code=c.code, name=c.name, letter=c.letter, service_minutes=c.service_minutes,
                                 slot_minutes=c.slot_minutes, slot_capacity=c.slot_capacity) for c in rows]

    @strawberry.field
    async def counters(self) -> list[CounterType]:
        rows = await models.Counter.filter(hall_id=self.code).order_by("code")
        return [CounterType(code=k.code, categories=[CounterCategory(code=c) for c in k.categories]) for k in rows]


@strawberry.type
class QueueCategory:
    code: str
    name: str
    letter: str
    waiting: int
    counters: int = strawberry.field(description="Counters serving the category.")
    expected_wait_minutes: int | None = strawberry.field(
        description="waiting × service minutes ÷ counters serving the category, rounded up.")


@strawberry.type(description="Today's queue of a hall.")
class HallQueue:
    hall_code: str
    categories: list[QueueCategory]


@strawberry.type
class TicketCategory:
    code: str
    name: str


@strawberry.type
class TicketCounter:
    code: str


@strawberry.type(description="A queue ticket (排队号), numbered per category per day; no personal data.")
class Ticket:
    id: strawberry.ID
    number: str
    hall_code: str
    category: TicketCategory
    status: TicketStatus
    priority: bool = strawberry.field(description="An appointment's ticket, called before the others.")
    called_at: datetime | None
    counter: TicketCounter | None
    calls: int

    @classmethod
    def of_change(cls, hall_code: str, t: TicketChanged) -> Ticket:
        return cls(id=strawberry.ID(str(t.id)), number=t.number, hall_code=hall_code,
                   category=TicketCategory(code=t.category_code, name=t.category_name), status=t.status,
                   priority=t.priority, called_at=t.called_at,
                   counter=TicketCounter(code=t.counter) if t.counter else None, calls=t.calls)

    @classmethod
    async def of(cls, ticket: models.Ticket) -> Ticket:
        name = await models.HallCategory.filter(hall_id=ticket.hall_id, code=ticket.category_code).first() \
            .values_list("name", flat=True)
        return cls.of_change(ticket.hall_id, TicketChanged.of(ticket, name or ticket.category_code))


@strawberry.type(description="A booked slot (预约); check in at the hall for a priority ticket.")
class Appointment:
    id: strawberry.ID
    hall_code: str
    category: TicketCategory
    slot: datetime
    status: AppointmentStatus

    @classmethod
    async def of(cls, a: models.Appointment) -> Appointment:
        name = await models.HallCategory.filter(hall_id=a.hall_id, code=a.category_code).first() \
            .values_list("name", flat=True)
        return cls.named(a, name or a.category_code)

    @classmethod
    def named(cls, a: models.Appointment, category_name: str) -> Appointment:
        return cls(id=strawberry.ID(str(a.id)), hall_code=a.hall_id,
                   category=TicketCategory(code=a.category_code, name=category_name),
                   slot=a.slot_start, status=a.status)


TicketResult = Annotated[Ticket | FormInvalid | PermissionDenied | NotFound | Conflict | RateLimited,
                         strawberry.union("TicketResult")]
AppointmentResult = Annotated[Appointment | FormInvalid | PermissionDenied | NotFound | Conflict,
                              strawberry.union("AppointmentResult")]


async def my_appointments(principal: Principal) -> list[Appointment]:
    """The person's appointments of today and later (`me.appointments`), their category names in one query."""
    rows = await rules.appointments_of(principal.account_id)
    names = {(hall, code): name for hall, code, name in await models.HallCategory.filter(
        hall_id__in={a.hall_id for a in rows}).values_list("hall_id", "code", "name")} if rows else {}
    return [Appointment.named(a, names.get((a.hall_id, a.category_code), a.category_code)) for a in rows]


async def clerk_halls(principal: Principal) -> list[Hall]:
    """The halls a window clerk serves in (`me.halls`)."""
    return [Hall.of(h) for h in await rules.clerk_halls(principal)]


def _argument_error(malformed: FormProblems) -> PublicError:
    """A malformed argument of a query or subscription (their answers are no unions): INVALID_ARGUMENT."""
    problem = malformed.problems[0]
    return invalid_argument(problem.field, problem.message)


def _id(value: strawberry.ID, what: str = "未找到该号") -> int:
    return known_id(value, what)


@strawberry.type
class HallQuery:
    @strawberry.field(description="The service halls with their categories and counters.")
    async def halls(self) -> list[Hall]:
        return [Hall.of(h) for h in await models.Hall.all().order_by("sort", "code")]

    @strawberry.field(description="Today's waiting count and expected wait per category; null for an unknown hall.")
    async def queue(self, hall_code: str) -> HallQueue | None:
        try:
            rows = await rules.queue(hall_code)
        except FormProblems as malformed:
            raise _argument_error(malformed) from None
        except Refused:
            return None
        return HallQueue(hall_code=hall_code, categories=[
            QueueCategory(code=r.code, name=r.name, letter=r.letter, waiting=r.waiting, counters=r.counters,
                          expected_wait_minutes=r.expected_wait_minutes) for r in rows])


@strawberry.type
class HallMutation:
    @strawberry.mutation(description="取号 at a kiosk (anonymous) or from the phone; a retried key gives the same ticket.")
    @expected_failures_as_values
    async def take_ticket(self, info: Info, hall_code: str, category: str, idempotency_key: str) -> TicketResult:
        return await Ticket.of(await rules.take_ticket(await info.context.actor(), hall_code, category,
                                                       idempotency_key))

    @strawberry.mutation(description="叫号: a window clerk calls the next ticket of the counter's categories.")
    @expected_failures_as_values
    async def call_next_ticket(self, info: Info, counter_code: str) -> TicketResult:
        return await Ticket.of(await rules.call_next(await info.context.principal(), counter_code))

    @strawberry.mutation(description="重呼: call a called ticket again.")
    @expected_failures_as_values
    async def recall_ticket(self, info: Info, id: strawberry.ID) -> TicketResult:
        return await Ticket.of(await rules.recall(await info.context.principal(), _id(id)))

    @strawberry.mutation(description="过号: the person did not come.")
    @expected_failures_as_values
    async def skip_ticket(self, info: Info, id: strawberry.ID) -> TicketResult:
        return await Ticket.of(await rules.skip(await info.context.principal(), _id(id)))

    @strawberry.mutation(description="办结: the service is done.")
    @expected_failures_as_values
    async def finish_ticket(self, info: Info, id: strawberry.ID) -> TicketResult:
        return await Ticket.of(await rules.finish(await info.context.principal(), _id(id)))

    @strawberry.mutation(description="预约 a slot of a category: working days, 9:00–17:00, within 14 days.")
    @expected_failures_as_values
    async def book_appointment(self, info: Info, hall_code: str, category: str, slot: datetime,
                               idempotency_key: str) -> AppointmentResult:
        principal = await signed_in(info)
        return await Appointment.of(await rules.book_appointment(
            principal.account_id, hall_code, category, slot, idempotency_key, calendar=info.context.calendar))

    @strawberry.mutation(description="签到 from 30 minutes before the slot to 15 after: a priority ticket.")
    @expected_failures_as_values
    async def check_in_appointment(self, info: Info, id: strawberry.ID) -> TicketResult:
        principal = await signed_in(info)
        return await Ticket.of(await rules.check_in(principal.account_id, _id(id, "未找到该预约")))


@strawberry.type
class HallSubscription:
    @strawberry.subscription(description="Every ticket called (or called again) in the hall from now on, for its "
                                         "screens (public: numbers, categories and counters only).")
    async def hall_calls(self, info: Info, hall_code: str) -> AsyncGenerator[Ticket, None]:
        try:
            stream = await rules.calls_stream(hall_code)
        except FormProblems as malformed:
            raise _argument_error(malformed) from None
        except Refused:
            raise PublicError(Code.NOT_FOUND, "未找到该政务服务大厅") from None
        start = await events.last_seq(stream)
        async for message in events.follow(stream, start):
            if message.kind in rules.CALL_KINDS:
                yield Ticket.of_change(hall_code, TicketChanged.from_json(message.payload))
