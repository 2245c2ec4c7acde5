"""Service halls: take a ticket (取号), call the next one (叫号), recall, skip, finish; book a slot (预约) and
check in. No GraphQL here.

Tickets are numbered per category per day (A001, A002 ...; a new day starts again at 001). Two takers racing
for the same number meet the unique (hall, category, day, seq) and the loser retries with the next one.
A clerk takes the oldest waiting ticket of the counter's categories (appointment tickets first) with a
conditional update on its status and version, retrying on a lost race, so that two clerks calling at once
never get the same ticket. Every change writes an event on the stream ``hall:<code>`` in its transaction and
publishes it after the commit; the hall's screens follow the calls (no personal data in the events).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.functions import Max
from tortoise.transactions import in_transaction

from portal import db, events
from portal.audit.rules import Actor, record
from portal.halls.errors import HallCode
from portal.halls.models import (
    Appointment,
    AppointmentStatus,
    Counter,
    Hall,
    HallCategory,
    HallClerk,
    Ticket,
    TicketStatus,
)
from portal.halls.payloads import AppointmentBooked, TicketChanged
from portal.identity import ratelimit
from portal.identity.models import Account, Role
from portal.identity.passwords import Passwords
from portal.identity.policy import may_serve_at_window
from portal.identity.principal import Principal
from portal.identity.rules import create_staff
from portal.idempotency import check_key
from portal.problems import Code, Conflicting, Forbidden, FormProblems, InvalidField, Missing
from portal.text import text_problem
from portal.workdays import SHANGHAI, WorkCalendar

OPENS, CLOSES = time(9, 0), time(17, 0)
BOOK_AHEAD = timedelta(days=14)
CHECK_IN_BEFORE = timedelta(minutes=30)
CHECK_IN_AFTER = timedelta(minutes=15)
ATTEMPTS = 200  # lost races before giving up (each lost race means another caller succeeded)
ACTIVE_APPOINTMENTS = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)
CALL_KINDS = ("ticket.called", "ticket.recalled")
CODE_LENGTH = 30  # hall, category and counter codes (their columns)


def stream_of(hall_code: str) -> str:
    return f"hall:{hall_code}"


def local_today(now: datetime | None = None) -> date:
    return (now or datetime.now(timezone.utc)).astimezone(SHANGHAI).date()


def number_of(letter: str, seq: int) -> str:
    return f"{letter}{seq:03d}"


def _code_problem(code: str) -> tuple[Code, str] | None:
    return text_problem(code, max_length=CODE_LENGTH, multiline=False)


def check_codes(**codes: str) -> None:
    """Hall, category and counter codes are at most 30 characters without control characters; anything else
    names nothing and is a field error (every bad one at once), before it reaches the database."""
    problems = [InvalidField(field, *problem) for field, code in codes.items()
                if (problem := _code_problem(code)) is not None]
    if problems:
        raise FormProblems(problems)


async def _hall(hall_code: str) -> Hall:
    hall = await Hall.get_or_none(code=hall_code)
    if hall is None:
        raise Missing(HallCode.HALL_NOT_FOUND, "未找到该政务服务大厅")
    return hall


async def _category(hall_code: str, category: str) -> HallCategory:
    row = await HallCategory.get_or_none(hall_id=hall_code, code=category)
    if row is None:
        raise InvalidField("category", Code.UNKNOWN_CATEGORY, "该大厅没有这类业务")
    return row


async def calls_stream(hall_code: str) -> str:
    """The stream a hall's screens follow (hallCalls)."""
    check_codes(hallCode=hall_code)
    await _hall(hall_code)
    return stream_of(hall_code)


async def _announce(ticket: Ticket, kind: str, category_name: str | None = None) -> events.Event:
    if category_name is None:
        category_name = await HallCategory.filter(hall_id=ticket.hall_id, code=ticket.category_code).first() \
            .values_list("name", flat=True) or ticket.category_code
    return await events.append_next(stream_of(ticket.hall_id), kind, TicketChanged.of(ticket, category_name),
                                    attempts=ATTEMPTS)


async def _issue(category: HallCategory, day: date, *, account_id: int | None, idempotency_key: str,
                 priority: bool = False, appointment_id: int | None = None) -> Ticket:
    """Inside the caller's transaction: the next number of the category today (``retry_scope`` per attempt)."""
    for _ in range(ATTEMPTS):
        last = await Ticket.filter(hall_id=category.hall_id, category_code=category.code, day=day) \
            .annotate(top=Max("seq")).first().values_list("top", flat=True)
        seq = (last or 0) + 1
        try:
            async with db.retry_scope(Ticket):
                return await Ticket.create(
                    hall_id=category.hall_id, category_code=category.code, day=day, seq=seq,
                    number=number_of(category.letter, seq), priority=priority, status=TicketStatus.WAITING,
                    account_id=account_id, appointment_id=appointment_id, idempotency_key=idempotency_key)
        except IntegrityError:
            if account_id is not None and await Ticket.exists(account_id=account_id,
                                                              idempotency_key=idempotency_key):
                raise  # the same person's retry won: the caller answers with that ticket
            continue
    raise Conflicting(HallCode.BUSY, "取号人数过多，请稍后再试")


async def _earlier_ticket(account_id: int | None, hall_code: str, key: str, day: date) -> Ticket | None:
    if account_id is not None:
        return await Ticket.get_or_none(account_id=account_id, idempotency_key=key)
    return await Ticket.filter(account_id__isnull=True, idempotency_key=key, hall_id=hall_code, day=day).first()


def _same_request(ticket: Ticket, hall_code: str, category: str) -> Ticket:
    if ticket.hall_id != hall_code or ticket.category_code != category:
        raise Conflicting(Code.IDEMPOTENCY_KEY_REUSED, "该请求标识已用于另一次取号")
    return ticket


async def take_ticket(taker: Actor, hall_code: str, category: str, idempotency_key: str,
                      today: date | None = None) -> Ticket:
    """取号 at a kiosk (anonymous) or from the phone; a retried key answers with the first ticket.

    A ticket costs nothing, so a script could fill a hall's queue; each new ticket is counted per hall. A
    signed-in person takes at most ``TICKETS_PER_PERSON`` (5) in 24 hours: enough for the errands of a visit. An
    anonymous taker is known only by its address, and a kiosk is one device serving a stream of people: at most
    ``TICKETS_PER_ADDRESS`` (200) an hour per address, above the ~180 a busy kiosk prints (one person every
    20 s) yet far below a flood. Retries of a key are not counted."""
    check_codes(hallCode=hall_code, category=category)
    key = check_key(idempotency_key)
    day = today or local_today()
    await _hall(hall_code)
    row = await _category(hall_code, category)
    account_id = taker.account_id
    earlier = await _earlier_ticket(account_id, hall_code, key, day)
    if earlier is not None:
        return _same_request(earlier, hall_code, category)
    if account_id is not None:
        await ratelimit.spend(ratelimit.TICKETS_PER_PERSON, f"{account_id}:{hall_code}")
    else:
        await ratelimit.spend(ratelimit.TICKETS_PER_ADDRESS, f"{taker.address}:{hall_code}")
    try:
        async with in_transaction():
            # Serialises takers of the category (PostgreSQL); anonymous keys are deduplicated under the lock.
            await HallCategory.filter(id=row.id).select_for_update().first()
            if account_id is None and (earlier := await _earlier_ticket(None, hall_code, key, day)) is not None:
                return _same_request(earlier, hall_code, category)
            ticket = await _issue(row, day, account_id=account_id, idempotency_key=key)
            event = await _announce(ticket, "ticket.taken", row.name)
    except IntegrityError:
        earlier = await _earlier_ticket(account_id, hall_code, key, day)
        if earlier is None:
            raise
        return _same_request(earlier, hall_code, category)
    await events.publish([event])
    return ticket


async def _in_own_hall(principal: Principal | None, hall_code: str) -> None:
    if not await may_serve_in_hall(principal, hall_code):
        raise Forbidden(HallCode.NOT_YOUR_HALL, "您不是该大厅的窗口工作人员，不能在此处理排队号")


async def clerk_counter(principal: Principal | None, counter_code: str) -> Counter:
    """A counter a window clerk works at (叫号, 扫码): one of their own halls' (NOT_YOUR_HALL otherwise)."""
    if not may_serve_at_window(principal):
        raise Forbidden(HallCode.WINDOW_CLERKS_ONLY, "只有窗口工作人员可以在窗口办理")
    check_codes(counterCode=counter_code)
    counter = await Counter.get_or_none(code=counter_code)
    if counter is None:
        raise Missing(HallCode.COUNTER_NOT_FOUND, "未找到该窗口")
    await _in_own_hall(principal, counter.hall_id)
    return counter


async def may_serve_in_hall(principal: Principal | None, hall_code: str) -> bool:
    """A window clerk calls and handles tickets only in the halls they are bound to (所属大厅); a clerk bound to
    none serves nowhere."""
    return may_serve_at_window(principal) and await HallClerk.exists(account_id=principal.account_id,
                                                                     hall_id=hall_code)


async def create_staff_in_halls(passwords: Passwords, *, halls: Sequence[str] = (), **staff: Any) -> Account:
    """`portal user create`: a staff account (``identity.rules.create_staff``) and, for a window clerk, the halls
    it serves in (without one it calls no tickets), in one transaction: an unknown hall creates nobody."""
    async with in_transaction():
        account = await create_staff(passwords, **staff)
        await bind_clerk(account, halls)
    return account


async def bind_clerk(clerk: Account, hall_codes: Sequence[str]) -> None:
    """所属大厅: bind a window clerk to halls (idempotent); only window clerks have halls."""
    codes = list(dict.fromkeys(hall_codes))
    if not codes:
        return
    if clerk.role is not Role.WINDOW_CLERK:
        raise Conflicting(HallCode.HALLS_FOR_CLERKS_ONLY, "只有窗口工作人员可以指定所属大厅 (--hall)")
    known = set(await Hall.filter(code__in=[c for c in codes if _code_problem(c) is None])
                .values_list("code", flat=True))
    if unknown := [c for c in codes if c not in known]:
        raise Missing(Code.UNKNOWN_HALL, f"没有这个政务服务大厅：{'、'.join(unknown)}")
    for code in codes:
        await HallClerk.get_or_create(account_id=clerk.id, hall_id=code)
    await record("account.halls_bound", Actor(None, "command-line"), subject_account_id=clerk.id,
                 detail={"halls": codes})


async def clerk_halls(principal: Principal) -> list[Hall]:
    """The halls a window clerk serves in; none for everybody else."""
    if not may_serve_at_window(principal):
        return []
    return await Hall.filter(clerks__account_id=principal.account_id).order_by("sort", "code")


async def call_next(principal: Principal | None, counter_code: str, today: date | None = None,
                    now: datetime | None = None) -> Ticket:
    """叫号: the oldest waiting ticket of today of the counter's categories, appointment tickets first."""
    counter = await clerk_counter(principal, counter_code)
    day = today or local_today(now)
    for _ in range(ATTEMPTS):
        candidate = await Ticket.filter(hall_id=counter.hall_id, day=day, status=TicketStatus.WAITING,
                                        category_code__in=list(counter.categories)) \
            .order_by("-priority", "id").first()
        if candidate is None:
            raise Missing(HallCode.QUEUE_EMPTY, "当前没有等候的号")
        called_at = now or datetime.now(timezone.utc)
        async with in_transaction():
            taken = await Ticket.filter(id=candidate.id, status=TicketStatus.WAITING, version=candidate.version) \
                .update(status=TicketStatus.CALLED, version=candidate.version + 1, counter_code=counter.code,
                        called_at=called_at, calls=candidate.calls + 1)
            if not taken:
                continue  # another clerk called it first: take the next one
            ticket = await Ticket.get(id=candidate.id)
            event = await _announce(ticket, "ticket.called")
        await events.publish([event])
        return ticket
    raise Conflicting(HallCode.BUSY, "叫号人数过多，请稍后再试")


async def _change(principal: Principal | None, ticket_id: int, kind: str, *, status: TicketStatus,
                  recall: bool = False) -> Ticket:
    if not may_serve_at_window(principal):
        raise Forbidden(HallCode.WINDOW_CLERKS_ONLY, "只有窗口工作人员可以处理排队号")
    ticket = await Ticket.get_or_none(id=ticket_id)
    if ticket is None:
        raise Missing(HallCode.TICKET_NOT_FOUND, "未找到该号")
    await _in_own_hall(principal, ticket.hall_id)
    if ticket.status is not TicketStatus.CALLED:
        raise Conflicting(HallCode.NOT_CALLED, "该号当前不在叫号状态")
    values: dict[str, Any] = {"status": status, "version": ticket.version + 1}
    if recall:
        values.update(calls=ticket.calls + 1, called_at=datetime.now(timezone.utc))
    async with in_transaction():
        changed = await Ticket.filter(id=ticket.id, status=TicketStatus.CALLED, version=ticket.version) \
            .update(**values)
        if not changed:
            raise Conflicting(HallCode.STALE, "该号已被其他人处理，请刷新")
        ticket = await Ticket.get(id=ticket.id)
        event = await _announce(ticket, kind)
    await events.publish([event])
    return ticket


async def recall(principal: Principal | None, ticket_id: int) -> Ticket:
    """Call a called ticket again (重呼)."""
    return await _change(principal, ticket_id, "ticket.recalled", status=TicketStatus.CALLED, recall=True)


async def skip(principal: Principal | None, ticket_id: int) -> Ticket:
    """The person did not come (过号)."""
    return await _change(principal, ticket_id, "ticket.skipped", status=TicketStatus.SKIPPED)


async def finish(principal: Principal | None, ticket_id: int) -> Ticket:
    """The service is done (办结)."""
    return await _change(principal, ticket_id, "ticket.done", status=TicketStatus.DONE)


def _bookable(slot_start: datetime, now: datetime) -> datetime:
    """The slot in UTC, if it lies in the 14 days ahead; compared before any conversion, which fails within
    hours of year 1 or year 9999."""
    moment = _aware(slot_start)
    if moment <= now:
        raise InvalidField("slot", HallCode.SLOT_IN_PAST, "预约时段已过")
    if moment > now + BOOK_AHEAD:
        raise InvalidField("slot", HallCode.SLOT_TOO_FAR, "只能预约14天以内的时段")
    return moment.astimezone(timezone.utc)  # stored in UTC: SQLite compares timestamps as text


def _slot_problem(category: HallCategory, slot: datetime, calendar: WorkCalendar) -> InvalidField | None:
    local = slot.astimezone(SHANGHAI)
    if local.second or local.microsecond or (local.hour * 60 + local.minute) % category.slot_minutes:
        return InvalidField("slot", HallCode.SLOT_NOT_ALIGNED, f"预约时段须从整{category.slot_minutes}分钟开始")
    if not calendar.is_workday(local.date())[0]:
        return InvalidField("slot", HallCode.NOT_A_WORKING_DAY, "该日不是工作日，大厅不开放预约")
    end = local + timedelta(minutes=category.slot_minutes)
    if local.time() < OPENS or end.date() != local.date() or end.time() > CLOSES:
        return InvalidField("slot", HallCode.OUTSIDE_OPENING_HOURS, "预约时段须在9:00至17:00之间")
    return None


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=SHANGHAI) if moment.tzinfo is None else moment


async def book_appointment(account_id: int, hall_code: str, category: str, slot_start: datetime,
                           idempotency_key: str, *, calendar: WorkCalendar,
                           now: datetime | None = None) -> Appointment:
    """预约 a slot: aligned, in the future, within 14 days, a working day, 9:00–17:00; at most
    ``slot_capacity`` people per slot (counted under a lock on the category row)."""
    check_codes(hallCode=hall_code, category=category)
    key = check_key(idempotency_key)
    slot = _bookable(slot_start, now or datetime.now(timezone.utc))
    earlier = await Appointment.get_or_none(account_id=account_id, idempotency_key=key)
    if earlier is not None:
        if (earlier.hall_id, earlier.category_code, earlier.slot_start) != (hall_code, category, slot):
            raise Conflicting(Code.IDEMPOTENCY_KEY_REUSED, "该请求标识已用于另一次预约")
        return earlier
    await _hall(hall_code)
    row = await _category(hall_code, category)
    if (problem := _slot_problem(row, slot, calendar)) is not None:
        raise problem
    try:
        async with in_transaction():
            await HallCategory.filter(id=row.id).select_for_update().first()
            active = Appointment.filter(hall_id=hall_code, category_code=category, slot_start=slot,
                                        status__in=list(ACTIVE_APPOINTMENTS))
            if await active.filter(account_id=account_id).exists():
                raise Conflicting(HallCode.ALREADY_BOOKED, "您已预约该时段")
            if await active.count() >= row.slot_capacity:
                raise Conflicting(HallCode.SLOT_FULL, "该时段已约满，请选择其他时段")
            appointment = await Appointment.create(hall_id=hall_code, category_code=category, slot_start=slot,
                                                   account_id=account_id, status=AppointmentStatus.BOOKED,
                                                   idempotency_key=key)
            event = await events.append_next(stream_of(hall_code), "appointment.booked",
                                             AppointmentBooked(category, slot), attempts=ATTEMPTS)
    except IntegrityError:
        earlier = await Appointment.get_or_none(account_id=account_id, idempotency_key=key)
        if earlier is None:
            raise
        return earlier
    await events.publish([event])
    return appointment


MAX_APPOINTMENTS_LISTED = 50


async def appointments_of(account_id: int, now: datetime | None = None) -> list[Appointment]:
    """The person's appointments of today and later, booked or checked in, soonest first (签到 at a kiosk)."""
    start = datetime.combine(local_today(now), time(0, 0), tzinfo=SHANGHAI)
    return await Appointment.filter(account_id=account_id, status__in=ACTIVE_APPOINTMENTS, slot_start__gte=start) \
        .order_by("slot_start", "id").limit(MAX_APPOINTMENTS_LISTED)


async def check_in(account_id: int, appointment_id: int, now: datetime | None = None) -> Ticket:
    """到场签到 from 30 minutes before the slot to 15 minutes after it: a priority ticket of today."""
    now = now or datetime.now(timezone.utc)
    appointment = await Appointment.get_or_none(id=appointment_id, account_id=account_id)
    if appointment is None:
        raise Missing(HallCode.APPOINTMENT_NOT_FOUND, "未找到该预约")
    if appointment.status is AppointmentStatus.CHECKED_IN:
        existing = await Ticket.get_or_none(appointment_id=appointment.id)
        if existing is not None:
            return existing
    if appointment.status is AppointmentStatus.CANCELLED:
        raise Conflicting(HallCode.APPOINTMENT_CANCELLED, "该预约已取消")
    if now < appointment.slot_start - CHECK_IN_BEFORE:
        raise Conflicting(HallCode.CHECK_IN_TOO_EARLY, "请在预约时段开始前30分钟内签到")
    if now > appointment.slot_start + CHECK_IN_AFTER:
        raise Conflicting(HallCode.CHECK_IN_TOO_LATE, "已超过预约时段15分钟，请重新取号或预约")
    row = await HallCategory.get_or_none(hall_id=appointment.hall_id, code=appointment.category_code)
    if row is None:
        raise Missing(HallCode.CATEGORY_NOT_FOUND, "该大厅已不再办理这类业务")
    try:
        async with in_transaction():
            await HallCategory.filter(id=row.id).select_for_update().first()
            changed = await Appointment.filter(id=appointment.id, status=AppointmentStatus.BOOKED) \
                .update(status=AppointmentStatus.CHECKED_IN)
            if not changed:
                raise IntegrityError("checked in meanwhile")
            ticket = await _issue(row, local_today(now), account_id=account_id,
                                  idempotency_key=f"appointment:{appointment.id}", priority=True,
                                  appointment_id=appointment.id)
            event = await _announce(ticket, "ticket.taken", row.name)
    except IntegrityError:
        existing = await Ticket.get_or_none(appointment_id=appointment.id)
        if existing is None:
            raise
        return existing
    await events.publish([event])
    return ticket


@dataclass(frozen=True)
class CategoryQueue:
    code: str
    name: str
    letter: str
    waiting: int
    counters: int
    expected_wait_minutes: int | None


async def queue(hall_code: str, today: date | None = None) -> list[CategoryQueue]:
    """Per category: tickets waiting today and the expected wait, waiting × service minutes ÷ counters serving
    the category, rounded up (null when no counter serves it)."""
    check_codes(hallCode=hall_code)
    await _hall(hall_code)
    day = today or local_today()
    categories = await HallCategory.filter(hall_id=hall_code).order_by("sort", "id")
    counters = await Counter.filter(hall_id=hall_code).values_list("categories", flat=True)
    rows = await Ticket.filter(hall_id=hall_code, day=day, status=TicketStatus.WAITING) \
        .values_list("category_code", flat=True)
    result = []
    for c in categories:
        waiting = sum(1 for code in rows if code == c.code)
        serving = sum(1 for served in counters if c.code in (served or []))
        expected = math.ceil(waiting * c.service_minutes / serving) if serving else None
        result.append(CategoryQueue(c.code, c.name, c.letter, waiting, serving, expected))
    return result
