"""酒店入住一件事 end to end: the desk scans the guest's code and files the registration for the guest."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from portal.identity.numbers import mask_id_number
from tests.applications.support import post_escaped
from tests.identity.test_accounts import register
from tests.lutong.support import code_for, holder, scene_operator

CHECK_IN = """
mutation($p: String!, $room: String!, $nights: Int!, $key: String!) {
  checkInGuest(payload: $p, roomNumber: $room, nights: $nights, idempotencyKey: $key) {
    __typename
    ... on CheckIn { scan { holder { maskedName } certificates { type } scene }
                     application { id status channel formValues tasks { status decidedBy rule item { code } }
                                   materials { code source certificateType } } }
    ... on FormInvalid { errors { field code } }
    ... on PermissionDenied { code }
    ... on Conflict { code }
  }
}"""
MY_APPLICATIONS = "{ me { applications(first: 5) { edges { node { id bundle { code } status } } } } }"
SEEN = """id formValues applicant { displayName } materials { code source fileId certificateType certificateNumber }
          tasks { status application { formValues } }"""
APPLICATION = f"query($id: ID!) {{ application(id: $id) {{ {SEEN} }} }}"
HOTEL_APPLICATIONS = f"{{ me {{ applications(first: 5) {{ totalCount edges {{ node {{ {SEEN} }} }} }} }} }}"
SEEN_AT_CHECK_IN = f"""
mutation($p: String!, $key: String!) {{ checkInGuest(payload: $p, roomNumber: "1208", nights: 2, idempotencyKey: $key) {{
  ... on CheckIn {{ application {{ {SEEN} }} }} }} }}"""
ACCESS_LOG = "{ me { accessLog(first: 10) { edges { node { action actorName target department } } } } }"


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
    values = (await gql(APPLICATION, {"id": application["id"]}, token=guest["token"]))["data"]["application"][
        "formValues"]
    assert values["guest.name"] == "王小明" and values["guest.idNumber"] == guest["idNumber"]
    assert values["hotel.name"] == "济南泉城大酒店" and values["stay.roomNumber"] == "1208"
    assert values["stay.nights"] == 2
    # 秒批: both items are decided by their rules in the same request; the registration is done.
    assert application["status"] == "DONE"
    assert {t["item"]["code"]: (t["status"], t["decidedBy"], t["rule"]) for t in application["tasks"]} == {
        "370000-DSJJ-001": ("APPROVED", "RULE", "鲁通码签名有效且持有电子身份证的旅客即时核验"),
        "370000-GAT-001": ("APPROVED", "RULE", "鲁通码核验通过的旅客即时完成住宿登记")}
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


async def test_the_hotel_sees_only_what_lodging_allows_masked_whatever_it_reads_by(gql: Any) -> None:
    guest = await holder(gql, name="王小明")
    hotel = await scene_operator("LODGING", name="济南泉城大酒店")
    payload = await code_for(gql, guest["token"], "LODGING")
    answer = (await gql(SEEN_AT_CHECK_IN, {"p": payload, "key": "seen"}, token=hotel))["data"]["checkInGuest"]
    card = guest["certificates"]["RESIDENT_ID_CARD"].number
    seen = {
        "id": answer["application"]["id"],
        "formValues": {"guest.name": "王**", "guest.idNumber": mask_id_number(guest["idNumber"]),
                       "hotel.name": "济南泉城大酒店", "stay.checkInDate": answer["application"]["formValues"][
                           "stay.checkInDate"], "stay.nights": 2, "stay.roomNumber": "1208"},
        "applicant": {"displayName": "王**"},
        "materials": [{"code": "resident-id-card", "source": "LICENCE", "fileId": None,
                       "certificateType": "RESIDENT_ID_CARD",
                       "certificateNumber": card[:4] + "*" * (len(card) - 8) + card[-4:]}],
    }
    masked_tasks = [{"status": s, "application": {"formValues": seen["formValues"]}} for s in ("APPROVED", "APPROVED")]
    assert answer["application"] == {**seen, "tasks": masked_tasks}
    later = (await gql(APPLICATION, {"id": seen["id"]}, token=hotel))["data"]["application"]
    assert later == {**seen, "tasks": masked_tasks}
    listed = (await gql(HOTEL_APPLICATIONS, token=hotel))["data"]["me"]["applications"]
    assert listed["totalCount"] == 1 and listed["edges"][0]["node"] == {**seen, "tasks": masked_tasks}
    retried = (await gql(SEEN_AT_CHECK_IN, {"p": "LTM1.spent.x", "key": "seen"}, token=hotel))["data"]["checkInGuest"]
    assert retried["application"] == {**seen, "tasks": masked_tasks}
    # The guest sees it whole, and finds every read by the hotel in the access log: one per request.
    own = (await gql(APPLICATION, {"id": seen["id"]}, token=guest["token"]))["data"]["application"]
    assert own["formValues"]["guest.idNumber"] == guest["idNumber"] and own["applicant"]["displayName"] == "王小明"
    assert own["materials"][0]["certificateNumber"] == card
    log = (await gql(ACCESS_LOG, token=guest["token"]))["data"]["me"]["accessLog"]["edges"]
    read = {"action": "data.read", "actorName": "济南泉城大酒店", "target": f"application:{seen['id']}",
            "department": None}
    assert [e["node"] for e in log] == [read] * 4 + [
        {"action": "lutong.scan", "actorName": "济南泉城大酒店", "target": "LODGING", "department": None}]


async def test_another_desk_of_the_same_scene_sees_nothing(gql: Any) -> None:
    guest = await holder(gql)
    hotel, other = await scene_operator("LODGING"), await scene_operator("LODGING")
    result = await check_in(gql, hotel, await code_for(gql, guest["token"], "LODGING"), "mine")
    assert (await gql(APPLICATION, {"id": result["application"]["id"]}, token=other))["data"]["application"] is None
    assert (await gql(HOTEL_APPLICATIONS, token=other))["data"]["me"]["applications"]["totalCount"] == 0
