"""Tickets: numbering per category per day, idempotent taking, concurrent calls, priority, recall/skip/finish,
and the queue figures."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from portal.events import Event
from portal.halls import rules
from portal.halls.models import Ticket, TicketStatus
from portal.halls.seed import parse_halls, read_halls, seed_halls
from portal.halls.models import Counter, Hall, HallCategory
from portal.audit.rules import Actor
from portal.identity.models import RateCounter
from portal.problems import InvalidField, RateLimitedError, Refused
from portal.sources import SourceError
from tests.halls.support import KIOSK, TODAY, clerk, make_hall, person
from tests.helpers import registered_citizen


async def test_demo_halls_are_seeded_idempotently(database_url: str) -> None:
    halls = read_halls()
    assert {h.code for h in halls} >= {"JNSMZX", "QDSMZX", "LXQZWFW"}
    assert {h.region for h in halls} == {"370100", "370200", "370102"}
    before = sorted(await HallCategory.filter(hall_id__in=[h.code for h in halls]).values_list("id", "code", "hall_id"))
    counters = sorted(await Counter.filter(hall_id__in=[h.code for h in halls]).values_list("id", "code"))
    await seed_halls()
    assert sorted(await HallCategory.filter(hall_id__in=[h.code for h in halls])
                  .values_list("id", "code", "hall_id")) == before
    assert sorted(await Counter.filter(hall_id__in=[h.code for h in halls]).values_list("id", "code")) == counters
    assert all(3 <= len(h.categories) <= 5 and 4 <= len(h.counters) <= 8 for h in halls)
    hall = await Hall.get(code="JNSMZX")
    assert hall.name.startswith("济南市民中心")


def a_hall(code: str = "XHALL", **changes: object) -> dict[str, object]:
    return {"code": code, "name": "某大厅", "region": "370100", "address": "某路1号",
            "categories": [{"code": "QYKB", "name": "企业开办", "letter": "A", "serviceMinutes": 10,
                            "slotMinutes": 30, "slotCapacity": 2}],
            "counters": [{"code": f"{code}-01", "categories": ["QYKB"]}], **changes}


def test_a_counter_serving_an_unknown_category_is_refused_naming_the_hall() -> None:
    data = {"halls": [a_hall(counters=[{"code": "XHALL-01", "categories": ["QYKB", "NOPE"]}])]}
    with pytest.raises(SourceError) as refused:
        parse_halls(data)
    assert refused.value.problems == ["halls.yaml: XHALL: counters[0].categories[1]: unknown category NOPE"]


def test_every_problem_of_a_halls_file_is_reported_at_once_naming_hall_and_place() -> None:
    second = a_hall("YHALL", region="37010", counters=[{"code": "XHALL-01", "categories": ["QYKB"]}])
    second["categories"] = [{**second["categories"][0], "slotMinutes": 25, "service_minutes": 10}]
    unserved = a_hall("ZHALL")
    unserved["categories"].append({**unserved["categories"][0], "code": "BDCDJ", "letter": "A"})
    with pytest.raises(SourceError) as refused:
        parse_halls({"halls": [a_hall(), second, unserved]})
    assert refused.value.problems == [
        "halls.yaml: YHALL: region: '37010' is not a 6-digit region code",
        "halls.yaml: YHALL: categories[0].slotMinutes: must divide an hour (or be whole hours)",
        "halls.yaml: YHALL: categories[0].service_minutes: unknown key",
        "halls.yaml: ZHALL: categories[1]: duplicate letter A",
        "halls.yaml: ZHALL: categories[1]: no counter serves category BDCDJ",
    ]
    with pytest.raises(SourceError) as refused:
        parse_halls({"halls": [a_hall(), a_hall("YHALL", counters=[{"code": "XHALL-01", "categories": ["QYKB"]}])]})
    assert refused.value.problems == ["halls.yaml: YHALL: counters[0]: counter XHALL-01 is not unique across halls"]


async def test_tickets_are_numbered_per_category_and_day(database_url: str) -> None:
    hall = await make_hall()
    numbers = [(await rules.take_ticket(KIOSK, hall, category, f"k{i}", today=TODAY)).number
               for i, category in enumerate(["QYKB", "QYKB", "BDCDJ", "QYKB"])]
    assert numbers == ["A001", "A002", "B001", "A003"]
    tomorrow = await rules.take_ticket(KIOSK, hall, "QYKB", "k-next", today=TODAY + timedelta(days=1))
    assert tomorrow.number == "A001"


async def test_concurrent_takers_get_distinct_numbers(database_url: str) -> None:
    hall = await make_hall()
    tickets = await asyncio.gather(*(rules.take_ticket(KIOSK, hall, "ZHSL", f"c{i}", today=TODAY)
                                     for i in range(15)))
    assert sorted(t.number for t in tickets) == [f"C{i:03d}" for i in range(1, 16)]


async def test_taking_is_idempotent_per_account_and_per_anonymous_key(database_url: str) -> None:
    hall = await make_hall()
    citizen = await registered_citizen()
    first = await rules.take_ticket(person(citizen.account.id), hall, "QYKB", "phone-1", today=TODAY)
    again = await rules.take_ticket(person(citizen.account.id), hall, "QYKB", "phone-1", today=TODAY)
    assert again.id == first.id and again.number == "A001"
    with pytest.raises(Refused) as reused:
        await rules.take_ticket(person(citizen.account.id), hall, "BDCDJ", "phone-1", today=TODAY)
    assert reused.value.code == "IDEMPOTENCY_KEY_REUSED"
    kiosk = await rules.take_ticket(KIOSK, hall, "QYKB", "kiosk-7", today=TODAY)
    assert (await rules.take_ticket(KIOSK, hall, "QYKB", "kiosk-7", today=TODAY)).id == kiosk.id
    racing = await asyncio.gather(*(rules.take_ticket(KIOSK, hall, "QYKB", "kiosk-8", today=TODAY) for _ in range(5)))
    assert len({t.id for t in racing}) == 1
    assert await Ticket.filter(hall_id=hall).count() == 3
    with pytest.raises(InvalidField) as unknown:
        await rules.take_ticket(KIOSK, hall, "NOPE", "kiosk-9", today=TODAY)
    assert unknown.value.code == "UNKNOWN_CATEGORY"
    with pytest.raises(Refused) as no_hall:
        await rules.take_ticket(KIOSK, "NO-SUCH-HALL", "QYKB", "kiosk-9", today=TODAY)
    assert no_hall.value.kind == "NOT_FOUND"


async def test_forty_concurrent_calls_hand_out_every_ticket_once(database_url: str) -> None:
    hall = await make_hall({"01": ["QYKB"], "02": ["QYKB"], "03": ["QYKB", "BDCDJ"], "04": ["QYKB"]})
    taken = [await rules.take_ticket(KIOSK, hall, "QYKB", f"t{i}", today=TODAY) for i in range(40)]
    clerks = [await clerk(hall) for _ in range(4)]
    counters = [f"{hall}-0{n}" for n in range(1, 5)]
    called = await asyncio.gather(*(rules.call_next(clerks[i % 4], counters[i % 4], today=TODAY) for i in range(40)))
    assert len({t.id for t in called}) == 40
    assert {t.id for t in called} == {t.id for t in taken}
    assert all(t.status is TicketStatus.CALLED and t.calls == 1 for t in called)
    rows = await Ticket.filter(hall_id=hall).values_list("status", "counter_code")
    assert all(status is TicketStatus.CALLED and counter in counters for status, counter in rows)
    with pytest.raises(Refused) as empty:
        await rules.call_next(clerks[0], counters[0], today=TODAY)
    assert empty.value.code == "QUEUE_EMPTY"
    calls = await Event.filter(stream=rules.stream_of(hall), kind="ticket.called").count()
    assert calls == 40


async def test_calls_follow_the_order_with_appointment_tickets_first(database_url: str) -> None:
    hall = await make_hall()
    principal = await clerk(hall)
    a1 = await rules.take_ticket(KIOSK, hall, "QYKB", "o1", today=TODAY)
    b1 = await rules.take_ticket(KIOSK, hall, "BDCDJ", "o2", today=TODAY)
    a2 = await rules.take_ticket(KIOSK, hall, "QYKB", "o3", today=TODAY)
    vip = await Ticket.create(hall_id=hall, category_code="BDCDJ", day=TODAY, seq=99, number="B099", priority=True,
                              status=TicketStatus.WAITING)
    order = [(await rules.call_next(principal, f"{hall}-02", today=TODAY)).id for _ in range(4)]
    assert order == [vip.id, a1.id, b1.id, a2.id]
    # a counter only serves its categories; other days' tickets are not called
    await rules.take_ticket(KIOSK, hall, "QYKB", "o4", today=TODAY - timedelta(days=1))
    with pytest.raises(Refused):
        await rules.call_next(principal, f"{hall}-03", today=TODAY)


async def test_recall_skip_and_finish(database_url: str) -> None:
    hall = await make_hall()
    principal = await clerk(hall)
    citizen = await registered_citizen()
    for i in range(2):
        await rules.take_ticket(KIOSK, hall, "ZHSL", f"r{i}", today=TODAY)
    first = await rules.call_next(principal, f"{hall}-03", today=TODAY)
    again = await rules.recall(principal, first.id)
    assert again.status is TicketStatus.CALLED and again.calls == 2 and again.version == first.version + 1
    done = await rules.finish(principal, first.id)
    assert done.status is TicketStatus.DONE
    with pytest.raises(Refused) as finished:
        await rules.skip(principal, first.id)
    assert finished.value.code == "NOT_CALLED"
    second = await rules.call_next(principal, f"{hall}-03", today=TODAY)
    assert (await rules.skip(principal, second.id)).status is TicketStatus.SKIPPED
    with pytest.raises(Refused) as stranger:
        await rules.call_next(None, f"{hall}-03", today=TODAY)
    assert stranger.value.kind == "PERMISSION"
    from portal.identity.rules import authenticate
    with pytest.raises(Refused) as citizen_call:
        await rules.call_next(await authenticate(citizen.token), f"{hall}-03", today=TODAY)
    assert citizen_call.value.kind == "PERMISSION"
    kinds = await Event.filter(stream=rules.stream_of(hall)).order_by("seq").values_list("kind", flat=True)
    assert kinds == ["ticket.taken", "ticket.taken", "ticket.called", "ticket.recalled", "ticket.done",
                     "ticket.called", "ticket.skipped"]


async def test_queue_figures_are_exact(database_url: str) -> None:
    hall = await make_hall({"01": ["QYKB"], "02": ["QYKB", "BDCDJ"], "03": ["ZHSL"]})
    today = rules.local_today()
    for i in range(5):
        await rules.take_ticket(KIOSK, hall, "QYKB", f"q-a{i}", today=today)
    for i in range(3):
        await rules.take_ticket(KIOSK, hall, "BDCDJ", f"q-b{i}", today=today)
    await rules.take_ticket(KIOSK, hall, "ZHSL", "q-c0", today=today - timedelta(days=1))  # yesterday: not counted
    principal = await clerk(hall)
    await rules.call_next(principal, f"{hall}-01")  # one A called: 4 waiting
    figures = {q.code: (q.waiting, q.counters, q.expected_wait_minutes) for q in await rules.queue(hall)}
    # A: 4 × 20 ÷ 2 = 40; B: 3 × 30 ÷ 1 = 90; C: nobody waiting today
    assert figures == {"QYKB": (4, 2, 40), "BDCDJ": (3, 1, 90), "ZHSL": (0, 1, 0)}
    await rules.take_ticket(KIOSK, hall, "ZHSL", "q-c1", today=today)
    assert [q.expected_wait_minutes for q in await rules.queue(hall)] == [40, 90, 5]


async def test_a_signed_in_person_takes_five_tickets_a_day_per_hall(database_url: str) -> None:
    hall, other = await make_hall(), await make_hall()
    me = person((await registered_citizen()).account.id)
    taken = [await rules.take_ticket(me, hall, "QYKB", f"p{i}", today=TODAY) for i in range(5)]
    with pytest.raises(RateLimitedError) as limited:
        await rules.take_ticket(me, hall, "BDCDJ", "p5", today=TODAY)
    assert 86390 <= limited.value.retry_after_seconds <= 86400
    assert (await rules.take_ticket(me, hall, "QYKB", "p0", today=TODAY)).id == taken[0].id  # a retry
    assert (await rules.take_ticket(me, other, "QYKB", "p5", today=TODAY)).number == "A001"
    assert (await rules.take_ticket(KIOSK, hall, "QYKB", "kiosk-1", today=TODAY)).number == "A006"
    assert await Ticket.filter(hall_id=hall).count() == 6


async def test_one_address_takes_two_hundred_anonymous_tickets_an_hour_per_hall(database_url: str) -> None:
    hall, other = await make_hall(), await make_hall()
    kiosk = Actor(None, "anonymous", "10.253.7.7", "KIOSK")
    first = await rules.take_ticket(kiosk, hall, "ZHSL", "k1", today=TODAY)
    # As if the kiosk had printed tickets 2 to 198 (without printing them).
    assert await RateCounter.filter(key=f"tickets-address:{kiosk.address}:{hall}").update(failures=198) == 1
    assert [(await rules.take_ticket(kiosk, hall, "ZHSL", f"k{n}", today=TODAY)).number for n in (199, 200)] == [
        "C002", "C003"]
    with pytest.raises(RateLimitedError) as limited:
        await rules.take_ticket(kiosk, hall, "ZHSL", "k201", today=TODAY)
    assert 3590 <= limited.value.retry_after_seconds <= 3600
    assert (await rules.take_ticket(kiosk, hall, "ZHSL", "k1", today=TODAY)).id == first.id  # a retry
    assert (await rules.take_ticket(kiosk, other, "ZHSL", "k201", today=TODAY)).number == "C001"
    another = Actor(None, "anonymous", "10.253.7.8", "KIOSK")
    assert (await rules.take_ticket(another, hall, "ZHSL", "k201", today=TODAY)).number == "C004"
    signed_in = person((await registered_citizen()).account.id)
    assert (await rules.take_ticket(signed_in, hall, "ZHSL", "phone", today=TODAY)).number == "C005"


async def test_tickets_sent_at_once_cannot_pass_the_limit_together(database_url: str) -> None:
    hall = await make_hall()
    me = person((await registered_citizen()).account.id)
    results = await asyncio.gather(*(rules.take_ticket(me, hall, "ZHSL", f"burst-{i}", today=TODAY)
                                     for i in range(12)), return_exceptions=True)
    assert sum(isinstance(r, Ticket) for r in results) == 5
    assert all(isinstance(r, (Ticket, RateLimitedError)) for r in results), results
