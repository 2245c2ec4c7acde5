"""The halls over GraphQL, and hallCalls against a real `portal serve`."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, time, timedelta
from typing import Any

import httpx
import pytest
import websockets

from portal.identity.models import RateCounter
from portal.workdays import SHANGHAI, WorkCalendar
from tests.halls.support import clerk_token, make_hall
from tests.subscriptions import in_process_subscription
from tests.helpers import portal_server, registered_citizen
from tests.identity.test_accounts import register

TICKET = ("__typename ... on Ticket { id number status priority calls calledAt category { code name } "
          "counter { code } } ... on UserError { code message } ... on FormInvalid { errors { field code } } "
          "... on RateLimited { retryAfterSeconds }")
TAKE = f"mutation($h: String!, $c: String!, $k: String!) {{ takeTicket(hallCode: $h, category: $c, " \
       f"idempotencyKey: $k) {{ {TICKET} }} }}"
CALL = f"mutation($c: String!) {{ callNextTicket(counterCode: $c) {{ {TICKET} }} }}"
RECALL = f"mutation($id: ID!) {{ recallTicket(id: $id) {{ {TICKET} }} }}"
FINISH = f"mutation($id: ID!) {{ finishTicket(id: $id) {{ {TICKET} }} }}"
SKIP = f"mutation($id: ID!) {{ skipTicket(id: $id) {{ {TICKET} }} }}"
QUEUE = "query($h: String!) { queue(hallCode: $h) { hallCode categories { code name waiting expectedWaitMinutes } } }"
BOOK = """mutation($h: String!, $c: String!, $s: DateTime!, $k: String!) {
  bookAppointment(hallCode: $h, category: $c, slot: $s, idempotencyKey: $k) {
    __typename ... on Appointment { id status slot category { code name } }
    ... on UserError { code message } ... on FormInvalid { errors { field code } } } }"""
CHECK_IN = f"mutation($id: ID!) {{ checkInAppointment(id: $id) {{ {TICKET} }} }}"


async def test_halls_are_listed_with_categories_and_counters(gql: Any) -> None:
    body = await gql("{ halls { code name regionCode address categories { code name letter } "
                     "counters { code categories { code } } } }")
    halls = {h["code"]: h for h in body["data"]["halls"]}
    jinan = halls["JNSMZX"]
    assert jinan["regionCode"] == "370100"
    assert jinan["categories"][0] == {"code": "QYKB", "name": "企业开办", "letter": "A"}
    assert {"code": "JNSMZX-01", "categories": [{"code": "QYKB"}]} in jinan["counters"]
    assert {halls["QDSMZX"]["regionCode"], halls["LXQZWFW"]["regionCode"]} == {"370200", "370102"}


async def test_take_call_recall_finish_and_queue_over_graphql(gql: Any) -> None:
    hall = await make_hall()
    taken = [(await gql(TAKE, {"h": hall, "c": "QYKB", "k": f"kiosk-{i}"}))["data"]["takeTicket"] for i in range(3)]
    assert [t["number"] for t in taken] == ["A001", "A002", "A003"]
    assert taken[0]["status"] == "WAITING" and taken[0]["category"] == {"code": "QYKB", "name": "企业开办"}
    again = (await gql(TAKE, {"h": hall, "c": "QYKB", "k": "kiosk-0"}))["data"]["takeTicket"]
    assert again["id"] == taken[0]["id"]
    bad = (await gql(TAKE, {"h": hall, "c": "NOPE", "k": "kiosk-x"}))["data"]["takeTicket"]
    assert bad["__typename"] == "FormInvalid" and bad["errors"] == [{"field": "category", "code": "UNKNOWN_CATEGORY"}]
    queue = (await gql(QUEUE, {"h": hall}))["data"]["queue"]
    assert queue["categories"][0] == {"code": "QYKB", "name": "企业开办", "waiting": 3, "expectedWaitMinutes": 30}
    assert (await gql(QUEUE, {"h": "NO-SUCH"}))["data"]["queue"] is None

    citizen = await register(gql)
    refused = (await gql(CALL, {"c": f"{hall}-01"}, token=citizen["token"]))["data"]["callNextTicket"]
    assert refused["__typename"] == "PermissionDenied"
    token = await clerk_token(hall)
    called = (await gql(CALL, {"c": f"{hall}-01"}, token=token))["data"]["callNextTicket"]
    assert (called["number"], called["status"], called["counter"], called["calls"]) == \
        ("A001", "CALLED", {"code": f"{hall}-01"}, 1)
    assert datetime.fromisoformat(called["calledAt"]).utcoffset() == timedelta(hours=8)
    recalled = (await gql(RECALL, {"id": called["id"]}, token=token))["data"]["recallTicket"]
    assert recalled["calls"] == 2
    assert (await gql(FINISH, {"id": called["id"]}, token=token))["data"]["finishTicket"]["status"] == "DONE"
    stale = (await gql(SKIP, {"id": called["id"]}, token=token))["data"]["skipTicket"]
    assert (stale["__typename"], stale["code"]) == ("Conflict", "NOT_CALLED")
    missing = (await gql(SKIP, {"id": "nope"}, token=token))["data"]["skipTicket"]
    assert missing["__typename"] == "NotFound"
    queue = (await gql(QUEUE, {"h": hall}))["data"]["queue"]
    assert queue["categories"][0]["waiting"] == 2


def next_slot() -> datetime:
    """10:00 on the next working day (at least tomorrow)."""
    calendar, day = WorkCalendar(), datetime.now(SHANGHAI).date() + timedelta(days=1)
    while not calendar.is_workday(day)[0]:
        day += timedelta(days=1)
    return datetime.combine(day, time(10, 0), tzinfo=SHANGHAI)


async def test_book_and_check_in_over_graphql(gql: Any) -> None:
    hall = await make_hall(capacity=1)
    slot = next_slot().isoformat()
    anonymous = (await gql(BOOK, {"h": hall, "c": "QYKB", "s": slot, "k": "b1"}))["data"]["bookAppointment"]
    assert (anonymous["__typename"], anonymous["code"]) == ("PermissionDenied", "UNAUTHENTICATED")
    first, second = await register(gql), await register(gql)
    booked = (await gql(BOOK, {"h": hall, "c": "QYKB", "s": slot, "k": "b1"},
                        token=first["token"]))["data"]["bookAppointment"]
    assert booked["__typename"] == "Appointment" and booked["status"] == "BOOKED"
    assert datetime.fromisoformat(booked["slot"]) == datetime.fromisoformat(slot)
    full = (await gql(BOOK, {"h": hall, "c": "QYKB", "s": slot, "k": "b2"},
                      token=second["token"]))["data"]["bookAppointment"]
    assert (full["__typename"], full["code"]) == ("Conflict", "SLOT_FULL")
    odd = (await gql(BOOK, {"h": hall, "c": "QYKB", "s": slot.replace("10:00", "10:10"), "k": "b3"},
                     token=second["token"]))["data"]["bookAppointment"]
    assert odd["errors"] == [{"field": "slot", "code": "SLOT_NOT_ALIGNED"}]
    early = (await gql(CHECK_IN, {"id": booked["id"]}, token=first["token"]))["data"]["checkInAppointment"]
    assert (early["__typename"], early["code"]) == ("Conflict", "CHECK_IN_TOO_EARLY")
    other = (await gql(CHECK_IN, {"id": booked["id"]}, token=second["token"]))["data"]["checkInAppointment"]
    assert other["__typename"] == "NotFound"


async def test_hall_screens_receive_calls_live(database_url: str) -> None:
    hall = await make_hall()
    token = await clerk_token(hall)
    with portal_server(database_url) as base:
        async with httpx.AsyncClient(base_url=base) as http:
            async def gql(query: str, variables: dict[str, Any], auth: str | None = None) -> dict[str, Any]:
                headers = {"authorization": f"Bearer {auth}"} if auth else {}
                response = await http.post("/graphql", json={"query": query, "variables": variables},
                                           headers=headers)
                assert response.status_code == 200, response.text
                return response.json()["data"]

            # Registered through the rules: the real server sees every test's requests come from 127.0.0.1,
            # and registrations per address are limited.
            citizen = await registered_citizen()
            mine = (await gql(TAKE, {"h": hall, "c": "BDCDJ", "k": "phone-1"}, citizen.token))["takeTicket"]
            ws = await websockets.connect(base.replace("http", "ws") + "/graphql",
                                          subprotocols=["graphql-transport-ws"])
            try:
                await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
                assert json.loads(await ws.recv()) == {"type": "connection_ack"}
                await ws.send(json.dumps({"type": "subscribe", "id": "1", "payload": {
                    "query": "subscription($h: String!) { hallCalls(hallCode: $h) { number status calls "
                             "category { code name } counter { code } calledAt } }", "variables": {"h": hall}}}))
                await asyncio.sleep(0.5)  # the subscription is in place
                await gql(TAKE, {"h": hall, "c": "QYKB", "k": "kiosk-1"})  # a take is not a call
                called = (await gql(CALL, {"c": f"{hall}-02"}, token))["callNextTicket"]
                assert called["number"] == "B001" and called["id"] == mine["id"]
                message = json.loads(await asyncio.wait_for(ws.recv(), 10))
                assert message["type"] == "next"
                shown = message["payload"]["data"]["hallCalls"]
                assert shown == {"number": "B001", "status": "CALLED", "calls": 1,
                                 "category": {"code": "BDCDJ", "name": "不动产登记"},
                                 "counter": {"code": f"{hall}-02"}, "calledAt": called["calledAt"]}
                await gql(RECALL, {"id": called["id"]}, token)
                again = json.loads(await asyncio.wait_for(ws.recv(), 10))["payload"]["data"]["hallCalls"]
                assert (again["number"], again["calls"]) == ("B001", 2)
            finally:
                await ws.close()


async def test_taking_tickets_in_a_row_is_limited(gql: Any) -> None:
    hall = await make_hall()
    assert (await gql(TAKE, {"h": hall, "c": "QYKB", "k": "kiosk-1"}))["data"]["takeTicket"]["number"] == "A001"
    # As if this kiosk had taken 199 tickets in the hour.
    await RateCounter.filter(key__startswith="tickets-address:", key__endswith=f":{hall}").update(failures=199)
    assert (await gql(TAKE, {"h": hall, "c": "QYKB", "k": "kiosk-200"}))["data"]["takeTicket"]["number"] == "A002"
    limited = (await gql(TAKE, {"h": hall, "c": "QYKB", "k": "kiosk-201"}))["data"]["takeTicket"]
    assert (limited["__typename"], limited["code"]) == ("RateLimited", "RATE_LIMITED")
    assert 3590 <= limited["retryAfterSeconds"] <= 3600
    citizen = await register(gql)
    for n in range(5):
        taken = (await gql(TAKE, {"h": hall, "c": "BDCDJ", "k": f"phone-{n}"}, token=citizen["token"]))
        assert taken["data"]["takeTicket"]["number"] == f"B00{n + 1}"
    limited = (await gql(TAKE, {"h": hall, "c": "BDCDJ", "k": "phone-5"}, token=citizen["token"]))
    assert limited["data"]["takeTicket"]["__typename"] == "RateLimited"


LONG = "X" * 31
BAD_CODES = [(LONG, "TOO_LONG"), ("X" * 100_000, "TOO_LONG"), ("JNSMZX\x00", "FORBIDDEN_CHARACTER"),
             ("JNSMZX\u202e", "FORBIDDEN_CHARACTER"), ("\ufeffJNSMZX", "FORBIDDEN_CHARACTER"),
             ("JNSMZX\n", "FORBIDDEN_CHARACTER")]
HALL_CALLS = "subscription($h: String!) { hallCalls(hallCode: $h) { number } }"


@pytest.mark.parametrize(("code", "problem"), BAD_CODES)
async def test_malformed_codes_are_field_errors_of_the_mutations(gql: Any, code: str, problem: str) -> None:
    hall = await make_hall()
    taken = (await gql(TAKE, {"h": code, "c": code, "k": "k1"}))["data"]["takeTicket"]
    assert taken["errors"] == [{"field": "hallCode", "code": problem}, {"field": "category", "code": problem}]
    taken = (await gql(TAKE, {"h": hall, "c": code, "k": "k1"}))["data"]["takeTicket"]
    assert taken["errors"] == [{"field": "category", "code": problem}]
    called = (await gql(CALL, {"c": code}, token=await clerk_token(hall)))["data"]["callNextTicket"]
    assert called["errors"] == [{"field": "counterCode", "code": problem}]
    citizen = await register(gql)
    booked = (await gql(BOOK, {"h": code, "c": "QYKB", "s": next_slot().isoformat(), "k": "b1"},
                        token=citizen["token"]))["data"]["bookAppointment"]
    assert booked["errors"] == [{"field": "hallCode", "code": problem}]


@pytest.mark.parametrize(("code", "problem"), BAD_CODES)
async def test_malformed_hall_codes_are_argument_errors_of_queue_and_hall_calls(gql: Any, code: str,
                                                                                problem: str) -> None:
    body = await gql(QUEUE, {"h": code})
    assert body["data"] == {"queue": None}
    [error] = body["errors"]
    assert error["extensions"] == {"code": "INVALID_ARGUMENT", "field": "hallCode"}
    assert error["message"].startswith(("内容过长", "含有不可见的控制字符", "此处不能换行"))


@pytest.mark.parametrize("key", ["k" * 101, "key\x00", "key\u200b", " "])
async def test_malformed_idempotency_keys_are_field_errors(gql: Any, key: str) -> None:
    hall = await make_hall()
    taken = (await gql(TAKE, {"h": hall, "c": "QYKB", "k": key}))["data"]["takeTicket"]
    assert taken["errors"] == [{"field": "idempotencyKey", "code": "BAD_IDEMPOTENCY_KEY"}]


@pytest.mark.parametrize("ticket", ["99999999999999999999", "-1", "1.5", "１２", "²", "0x10", "", "9" * 10_000])
async def test_ticket_ids_that_name_no_row_are_not_found(gql: Any, ticket: str) -> None:
    token = await clerk_token(await make_hall())
    for document, field in ((RECALL, "recallTicket"), (SKIP, "skipTicket"), (FINISH, "finishTicket"),
                            (CHECK_IN, "checkInAppointment")):
        result = (await gql(document, {"id": ticket}, token=token))["data"][field]
        assert result["__typename"] == "NotFound", (field, result)


@pytest.mark.parametrize(("slot", "problem"), [
    ("0001-01-01T00:00:00", "SLOT_IN_PAST"), ("0001-01-01T00:00:00+14:00", "SLOT_IN_PAST"),
    ("0001-01-01T00:00:00-23:59", "SLOT_IN_PAST"), ("9999-12-31T23:59:59.999999", "SLOT_TOO_FAR"),
    ("9999-12-31T23:59:59.999999-23:59", "SLOT_TOO_FAR"), ("9999-12-31T00:00:00+08:00", "SLOT_TOO_FAR"),
    ("2000-02-29T10:00:00+08:00", "SLOT_IN_PAST"),
])
async def test_slots_at_the_ends_of_time_are_field_errors(gql: Any, slot: str, problem: str) -> None:
    hall, citizen = await make_hall(), await register(gql)
    booked = (await gql(BOOK, {"h": hall, "c": "QYKB", "s": slot, "k": f"b-{slot}"},
                        token=citizen["token"]))["data"]["bookAppointment"]
    assert booked["errors"] == [{"field": "slot", "code": problem}]


async def test_hall_calls_refuse_a_malformed_or_unknown_hall(settings: Any) -> None:
    for code, expected in [(LONG, {"code": "INVALID_ARGUMENT", "field": "hallCode"}),
                           ("JN\x00", {"code": "INVALID_ARGUMENT", "field": "hallCode"}),
                           ("NO-SUCH-HALL", {"code": "NOT_FOUND"})]:
        answers = await in_process_subscription(settings, HALL_CALLS, {"h": code})
        [answer] = [a async for a in answers]
        assert answer.data is None
        assert [e.extensions for e in answer.errors] == [expected]
        assert "Length" not in answer.errors[0].message and "byte" not in answer.errors[0].message
