"""Appointments: slot rules, capacity under concurrency, and the check-in window."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest

from portal.halls import rules
from portal.halls.models import Appointment, AppointmentStatus, TicketStatus
from portal.problems import InvalidField, Refused
from portal.workdays import SHANGHAI, WorkCalendar
from tests.halls.support import KIOSK, clerk, make_hall

CALENDAR = WorkCalendar()
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=SHANGHAI)  # a Monday morning
SLOT = datetime(2026, 3, 3, 10, 0, tzinfo=SHANGHAI)  # Tuesday 10:00
_accounts = iter(range(910_000, 990_000))


async def book(hall: str, slot: datetime = SLOT, key: str | None = None, account: int | None = None,
               category: str = "QYKB") -> Appointment:
    account = account or next(_accounts)
    return await rules.book_appointment(account, hall, category, slot, key or f"book-{account}",
                                        calendar=CALENDAR, now=NOW)


async def test_capacity_plus_one_bookings_refuse_exactly_one(database_url: str) -> None:
    hall = await make_hall(capacity=3)
    results = await asyncio.gather(*(book(hall) for _ in range(4)), return_exceptions=True)
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], Refused) and refused[0].code == "SLOT_FULL"
    assert await Appointment.filter(hall_id=hall, slot_start=SLOT.astimezone(timezone.utc), status=AppointmentStatus.BOOKED).count() == 3
    # another slot, or another category, has its own capacity
    assert (await book(hall, SLOT + timedelta(minutes=30))).status is AppointmentStatus.BOOKED
    assert (await book(hall, category="BDCDJ")).status is AppointmentStatus.BOOKED


async def test_booking_is_idempotent_and_once_per_person(database_url: str) -> None:
    hall = await make_hall()
    first = await book(hall, key="k1", account=990_001)
    assert (await book(hall, key="k1", account=990_001)).id == first.id
    with pytest.raises(Refused) as twice:
        await book(hall, key="k2", account=990_001)
    assert twice.value.code == "ALREADY_BOOKED"
    with pytest.raises(Refused) as reused:
        await book(hall, SLOT + timedelta(hours=1), key="k1", account=990_001)
    assert reused.value.code == "IDEMPOTENCY_KEY_REUSED"


@pytest.mark.parametrize(("slot", "code"), [
    (SLOT + timedelta(minutes=10), "SLOT_NOT_ALIGNED"),
    (NOW - timedelta(hours=1), "SLOT_IN_PAST"),
    (SLOT + timedelta(days=15), "SLOT_TOO_FAR"),
    (datetime(2026, 3, 7, 10, 0, tzinfo=SHANGHAI), "NOT_A_WORKING_DAY"),  # Saturday
    (datetime(2026, 3, 3, 8, 30, tzinfo=SHANGHAI), "OUTSIDE_OPENING_HOURS"),
    (datetime(2026, 3, 3, 16, 30, tzinfo=SHANGHAI), "OUTSIDE_OPENING_HOURS"),  # 16:30 ok, 17:00 not
])
async def test_bad_slots_are_refused(database_url: str, slot: datetime, code: str) -> None:
    hall = await make_hall()
    if slot.hour == 16:  # a 30-minute slot from 16:30 ends at 17:00 and is allowed; 17:00 is not
        assert (await book(hall, slot)).status is AppointmentStatus.BOOKED
        slot = slot + timedelta(minutes=30)
    with pytest.raises(InvalidField) as refused:
        await book(hall, slot)
    assert (refused.value.field, refused.value.code) == ("slot", code)


async def test_check_in_window_gives_a_priority_ticket(database_url: str) -> None:
    hall = await make_hall()
    account = next(_accounts)
    appointment = await book(hall, account=account)
    await rules.take_ticket(KIOSK, hall, "QYKB", "walk-in", today=SLOT.date())
    with pytest.raises(Refused) as early:
        await rules.check_in(account, appointment.id, now=SLOT - timedelta(minutes=31))
    assert early.value.code == "CHECK_IN_TOO_EARLY"
    with pytest.raises(Refused) as stranger:
        await rules.check_in(account + 1, appointment.id, now=SLOT)
    assert stranger.value.kind == "NOT_FOUND"
    ticket = await rules.check_in(account, appointment.id, now=SLOT - timedelta(minutes=30))
    assert ticket.priority and ticket.status is TicketStatus.WAITING and ticket.number == "A002"
    assert ticket.day == SLOT.date() and ticket.appointment_id == appointment.id
    assert (await rules.check_in(account, appointment.id, now=SLOT)).id == ticket.id
    assert (await Appointment.get(id=appointment.id)).status is AppointmentStatus.CHECKED_IN
    called = await rules.call_next(await clerk(hall), f"{hall}-01", today=SLOT.date())
    assert called.id == ticket.id  # before the walk-in who came first

    other = next(_accounts)
    late = await book(hall, account=other)
    with pytest.raises(Refused) as too_late:
        await rules.check_in(other, late.id, now=SLOT + timedelta(minutes=16))
    assert too_late.value.code == "CHECK_IN_TOO_LATE"
