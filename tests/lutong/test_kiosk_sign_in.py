"""鲁通码 sign-in at a hall's kiosk: a code of every scene or of GOVERNMENT_SERVICE, spent once, from the KIOSK
terminal only, opens a kiosk device session named after the hall, in the holder's access log; every other code is
refused."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from portal.audit.rules import Actor
from portal.halls.models import Appointment, AppointmentStatus, Hall
from portal.identity import ratelimit
from portal.identity.models import Session
from portal.halls.seed import parse_halls
from portal.lutong import codes
from portal.lutong.signin import sign_in_with_code
from portal.problems import RateLimitedError, Refused
from portal.sources import SourceError
from portal.workdays import SHANGHAI
from tests.halls.support import make_hall
from tests.lutong.support import code_for, holder

SECRET_OF_TESTS = "development-only-secret-key-do-not-use-in-production"
KIOSK = {"x-portal-terminal": "KIOSK"}
SIGN_IN = """mutation($code: String!, $hall: String!) {
  signInWithLuTongCode(input: {code: $code, hallCode: $hall}) {
    __typename
    ... on AuthPayload { token account { id displayName } }
    ... on FormInvalid { errors { field code } }
    ... on PermissionDenied { code message }
    ... on Conflict { code message }
    ... on RateLimited { code retryAfterSeconds }
  } }"""
ME = "{ me { account { id displayName } sessions { terminal device } } }"
ACCESS_LOG = "{ me { accessLog(first: 5) { edges { node { action target terminal hall } } } } }"
APPOINTMENTS = "{ me { appointments { id hallCode category { code name } slot status } } }"
HALLS = "{ halls { code kioskElderMode } }"


async def sign_in(gql: Any, code: str, hall: str, headers: dict[str, str] | None = KIOSK) -> dict[str, Any]:
    return (await gql(SIGN_IN, {"code": code, "hall": hall}, headers=headers))["data"]["signInWithLuTongCode"]


async def test_a_government_service_code_signs_in_at_the_kiosk_for_the_kiosk_only(gql: Any) -> None:
    citizen = await holder(gql, name="张三丰")
    hall = await make_hall()
    signed_in = await sign_in(gql, await code_for(gql, citizen["token"], "GOVERNMENT_SERVICE"), hall)
    assert signed_in["__typename"] == "AuthPayload", signed_in
    assert signed_in["account"] == {"id": citizen["account"]["id"], "displayName": "张**"}
    me = (await gql(ME, token=signed_in["token"], headers=KIOSK))["data"]["me"]
    assert me["sessions"] == [{"terminal": "KIOSK", "device": f"自助服务终端 · 测试大厅{hall}"}]
    session = await Session.get(account_id=int(citizen["account"]["id"]), terminal="KIOSK")
    assert timedelta(minutes=14) < session.expires_at - datetime.now(timezone.utc) <= timedelta(minutes=15)
    # A kiosk session is no session on a phone or a computer.
    assert (await gql(ME, token=signed_in["token"]))["data"]["me"] is None
    # The holder finds the sign-in in their access log, naming the hall.
    log = (await gql(ACCESS_LOG, token=citizen["token"]))["data"]["me"]["accessLog"]["edges"]
    assert log[0]["node"] == {"action": "lutong.scan", "target": "GOVERNMENT_SERVICE", "terminal": "KIOSK",
                              "hall": hall}


async def test_sign_in_is_refused_from_any_terminal_but_a_kiosk(gql: Any) -> None:
    citizen = await holder(gql)
    hall = await make_hall()
    code = await code_for(gql, citizen["token"], "GOVERNMENT_SERVICE")
    for headers in (None, {"x-portal-terminal": "WINDOW"}, {"x-portal-terminal": "TV"}):
        refused = await sign_in(gql, code, hall, headers)
        assert (refused["__typename"], refused["code"]) == ("PermissionDenied", "KIOSK_ONLY")
    # The refusals did not spend the code.
    assert (await sign_in(gql, code, hall))["__typename"] == "AuthPayload"


async def test_a_code_of_every_scene_signs_in_at_the_kiosk(gql: Any) -> None:
    citizen = await holder(gql)
    hall = await make_hall()
    signed_in = await sign_in(gql, await code_for(gql, citizen["token"], None), hall)
    assert signed_in["__typename"] == "AuthPayload", signed_in
    assert signed_in["account"]["id"] == citizen["account"]["id"]
    log = (await gql(ACCESS_LOG, token=citizen["token"]))["data"]["me"]["accessLog"]["edges"]
    assert [e["node"]["target"] for e in log] == ["GOVERNMENT_SERVICE"]


async def test_a_code_restricted_to_another_scene_is_refused(gql: Any) -> None:
    citizen = await holder(gql)
    hall = await make_hall()
    for scene in ("LODGING", "MEDICAL_HEALTH"):
        refused = await sign_in(gql, await code_for(gql, citizen["token"], scene), hall)
        assert (refused["__typename"], refused["code"]) == ("Conflict", "WRONG_SCENE"), refused
    assert not await Session.exists(account_id=int(citizen["account"]["id"]), terminal="KIOSK")


async def test_a_replayed_code_is_refused_even_after_a_window_scan(gql: Any) -> None:
    citizen = await holder(gql)
    hall = await make_hall()
    code = await code_for(gql, citizen["token"], "GOVERNMENT_SERVICE")
    assert (await sign_in(gql, code, hall))["__typename"] == "AuthPayload"
    again = await sign_in(gql, code, hall)
    assert (again["__typename"], again["code"]) == ("Conflict", "REPLAYED")
    assert await Session.filter(account_id=int(citizen["account"]["id"]), terminal="KIOSK").count() == 1


async def test_forged_and_expired_codes_and_unknown_halls_are_refused(gql: Any) -> None:
    citizen = await holder(gql)
    hall = await make_hall()
    code = await code_for(gql, citizen["token"], "GOVERNMENT_SERVICE")
    forged = code[:-3] + ("AAA" if not code.endswith("AAA") else "BBB")
    assert (await sign_in(gql, forged, hall))["code"] == "FORGED"
    assert (await sign_in(gql, "LTM1.not-a-code", hall))["code"] == "FORGED"
    unknown = await sign_in(gql, code, "NO-SUCH-HALL")
    assert unknown == {"__typename": "FormInvalid", "errors": [{"field": "hallCode", "code": "UNKNOWN_HALL"}]}
    too_long = await sign_in(gql, code, "H" * 200)
    assert too_long["errors"] == [{"field": "hallCode", "code": "UNKNOWN_HALL"}]
    expired, _ = codes.issue_code(SECRET_OF_TESTS, int(citizen["account"]["id"]), "GOVERNMENT_SERVICE",
                                  datetime.now(timezone.utc) - timedelta(seconds=61))
    assert (await sign_in(gql, expired, hall))["code"] == "EXPIRED"
    # None of these spent the genuine code.
    assert (await sign_in(gql, code, hall))["__typename"] == "AuthPayload"


async def test_refused_codes_are_limited_per_address() -> None:
    hall = await make_hall()
    kiosk = Actor(None, "anonymous", "10.254.9.9", "KIOSK")
    now = datetime.now(timezone.utc)
    for _ in range(ratelimit.LUTONG_SIGN_IN_PER_ADDRESS.max_failures):
        with pytest.raises(Refused) as refused:
            await sign_in_with_code(kiosk, SECRET_OF_TESTS, payload="LTM1.x.y", hall_code=hall, now=now)
        assert refused.value.code == "FORGED"
    with pytest.raises(RateLimitedError):
        await sign_in_with_code(kiosk, SECRET_OF_TESTS, payload="LTM1.x.y", hall_code=hall, now=now)
    # Another kiosk is not blocked by this one.
    with pytest.raises(Refused):
        await sign_in_with_code(Actor(None, "anonymous", "10.254.9.10", "KIOSK"), SECRET_OF_TESTS,
                                payload="LTM1.x.y", hall_code=hall, now=now)


async def test_the_signed_in_person_lists_their_appointments_of_today_and_later(gql: Any) -> None:
    citizen = await holder(gql)
    hall = await make_hall()
    account_id = int(citizen["account"]["id"])
    today = datetime.now(SHANGHAI).replace(hour=0, minute=0, second=0, microsecond=0)
    slots = {"yesterday": today - timedelta(days=1, hours=-10), "today": today + timedelta(hours=10),
             "later": today + timedelta(days=3, hours=9)}
    made = {name: await Appointment.create(hall_id=hall, category_code="QYKB", slot_start=slot, account_id=account_id,
                                           status=AppointmentStatus.BOOKED, idempotency_key=name)
            for name, slot in slots.items()}
    await Appointment.create(hall_id=hall, category_code="ZHSL", slot_start=slots["later"], account_id=account_id,
                             status=AppointmentStatus.CANCELLED, idempotency_key="cancelled")
    await Appointment.create(hall_id=hall, category_code="QYKB", slot_start=slots["today"], account_id=account_id + 1,
                             status=AppointmentStatus.BOOKED, idempotency_key="someone-else")
    listed = (await gql(APPOINTMENTS, token=citizen["token"]))["data"]["me"]["appointments"]
    assert [a["id"] for a in listed] == [str(made["today"].id), str(made["later"].id)]
    assert listed[0]["category"] == {"code": "QYKB", "name": "企业开办"} and listed[0]["status"] == "BOOKED"
    assert listed[0]["hallCode"] == hall


async def test_halls_say_whether_their_kiosks_start_in_elder_mode(gql: Any) -> None:
    hall = await make_hall()
    await Hall.filter(code=hall).update(kiosk_elder_mode=False)
    halls = {h["code"]: h["kioskElderMode"] for h in (await gql(HALLS))["data"]["halls"]}
    assert halls[hall] is False


def test_the_halls_file_says_true_or_false_for_elder_mode() -> None:
    hall = {"code": "H1", "name": "大厅", "region": "370100", "address": "济南",
            "categories": [{"code": "A", "name": "综合", "letter": "A", "serviceMinutes": 5, "slotMinutes": 15,
                            "slotCapacity": 2}], "counters": [{"code": "H1-01", "categories": ["A"]}]}
    assert parse_halls({"halls": [hall]})[0].kiosk_elder_mode is True
    assert parse_halls({"halls": [{**hall, "kioskElderMode": False}]})[0].kiosk_elder_mode is False
    with pytest.raises(SourceError) as refused:
        parse_halls({"halls": [{**hall, "kioskElderMode": "yes"}]})
    assert len(refused.value.problems) == 1 and "kioskElderMode" in refused.value.problems[0], refused.value.problems
