"""酒店入住一件事 end to end: the desk scans the guest's code and files the registration for the guest."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.applications.support import post_escaped
from tests.identity.test_accounts import register
from tests.lutong.support import code_for, holder, scene_operator

CHECK_IN = """
mutation($p: String!, $room: String!, $nights: Int!, $key: String!) {
  checkInGuest(payload: $p, roomNumber: $room, nights: $nights, idempotencyKey: $key) {
    __typename
    ... on CheckIn { scan { holder { maskedName } certificates { type } scene }
                     application { id status channel formValues tasks { status item { code } }
                                   materials { code source certificateType } } }
    ... on FormInvalid { errors { field code } }
    ... on PermissionDenied { code }
    ... on Conflict { code }
  }
}"""
MY_APPLICATIONS = "{ me { applications(first: 5) { edges { node { id bundle { code } status } } } } }"


async def check_in(gql: Any, hotel: str, payload: str, key: str, room: str = "1208") -> dict[str, Any]:
    body = await gql(CHECK_IN, {"p": payload, "room": room, "nights": 2, "key": key}, token=hotel)
    return body["data"]["checkInGuest"]


async def test_check_in_files_the_registration_for_the_guest(gql: Any) -> None:
    guest = await holder(gql, name="王小明")
    hotel = await scene_operator("LODGING", name="济南泉城大酒店")
    key = str(uuid.uuid4())
    result = await check_in(gql, hotel, await code_for(gql, guest["token"], "LODGING"), key)
    assert result["__typename"] == "CheckIn", result
    assert result["scan"] == {"holder": {"maskedName": "王**"}, "certificates": [{"type": "RESIDENT_ID_CARD"}],
                              "scene": "LODGING"}
    application = result["application"]
    assert application["channel"] == "WINDOW"
    values = application["formValues"]
    assert values["guest.name"] == "王小明" and values["guest.idNumber"] == guest["idNumber"]
    assert values["hotel.name"] == "济南泉城大酒店" and values["stay.roomNumber"] == "1208"
    assert values["stay.nights"] == 2
    assert {t["item"]["code"]: t["status"] for t in application["tasks"]} == {
        "370000-DSJJ-001": "SUBMITTED", "370000-GAT-001": "WAITING"}
    assert application["materials"] == [{"code": "resident-id-card", "source": "LICENCE",
                                         "certificateType": "RESIDENT_ID_CARD"}]
    mine = (await gql(MY_APPLICATIONS, token=guest["token"]))["data"]["me"]["applications"]["edges"]
    assert [(e["node"]["id"], e["node"]["bundle"]["code"]) for e in mine] == [(application["id"], "hotel-check-in")]
    # A retry with the same key (the network dropped) answers the first check-in; the code is spent anyway.
    again = await check_in(gql, hotel, "LTM1.retried.x", key)
    assert again["__typename"] == "CheckIn" and again["application"]["id"] == application["id"]
    assert again["scan"] is None


async def test_check_in_is_refused_without_a_lodging_scan(gql: Any) -> None:
    guest = await holder(gql)
    hospital = await scene_operator("MEDICAL_HEALTH", name="山东省立医院")
    payload = await code_for(gql, guest["token"], "LODGING")
    assert (await check_in(gql, hospital, payload, "k1"))["code"] == "SCENE_NOT_ALLOWED"
    hotel = await scene_operator("LODGING")
    wrong = await check_in(gql, hotel, await code_for(gql, guest["token"], "GOVERNMENT_SERVICE"), "k2")
    assert wrong["code"] == "WRONG_SCENE"
    bad_room = await check_in(gql, hotel, payload, "k3", room="12 08!")
    assert bad_room["__typename"] == "FormInvalid" and bad_room["errors"][0]["field"] == "stay.roomNumber"
    # The hotel cannot file for the guest with the ordinary submission: only the scan is consent.
    body = await gql("""mutation($i: SubmitBundleApplicationInput!) { submitBundleApplication(input: $i) {
        __typename ... on PermissionDenied { code } } }""", {"i": {
        "bundleCode": "hotel-check-in", "formValues": {}, "materials": [], "channel": "WINDOW",
        "idempotencyKey": "k4", "applicantId": guest["account"]["id"]}}, token=hotel)
    assert body["data"]["submitBundleApplication"] == {"__typename": "PermissionDenied", "code": "NOT_AUTHORISED"}


async def test_a_guest_without_an_id_card_licence_is_asked_for_it(gql: Any) -> None:
    guest = await register(gql)
    hotel = await scene_operator("LODGING")
    result = await check_in(gql, hotel, await code_for(gql, guest["token"], "LODGING"), "k5")
    assert result["__typename"] == "FormInvalid"
    assert {e["field"] for e in result["errors"]} == {"materials.resident-id-card"}


async def test_a_key_room_or_payload_longer_than_its_column_is_a_field_error(gql: Any, client: httpx.AsyncClient) -> None:
    guest = await holder(gql)
    hotel = await scene_operator("LODGING")
    payload = await code_for(gql, guest["token"], "LODGING")
    refused = await check_in(gql, hotel, payload, "k" * 200)
    assert refused == {"__typename": "FormInvalid", "errors": [{"field": "idempotencyKey", "code": "BAD_IDEMPOTENCY_KEY"}]}
    body = await post_escaped(client, CHECK_IN, {"p": payload, "room": "12\ud80008", "nights": 2, "key": "k6"},
                              token=hotel)
    assert body["data"]["checkInGuest"] == {"__typename": "FormInvalid", "errors": [
        {"field": "stay.roomNumber", "code": "FORBIDDEN_CHARACTER"}]}
    forged = await check_in(gql, hotel, "LTM1." + "x" * 100_000, "k7")
    assert forged == {"__typename": "Conflict", "code": "FORGED"}
