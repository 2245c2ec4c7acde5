"""Scanning over GraphQL: scenes, single use, masking, the holder's access log, the wallet."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from portal.audit.rules import Actor
from portal.identity.models import Role
from portal.identity.rules import authenticate
from portal.lutong import codes
from portal.lutong.models import LegacyCode, UsedCode
from portal.problems import Refused
from tests.applications.support import handler, post_escaped
from tests.lutong.support import CODE, code_for, holder, scan, scene_operator

SECRET_OF_TESTS = "development-only-secret-key-do-not-use-in-production"


def masked(number: str) -> str:
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


async def test_anonymous_and_staff_get_no_code(gql: Any) -> None:
    body = await gql(CODE, {"s": "LODGING"})
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    clerk = await handler("370102-ZWFW", role=Role.WINDOW_CLERK)
    body = await gql(CODE, {"s": "LODGING"}, token=clerk)
    assert body["errors"][0]["extensions"]["code"] == "NOT_A_HOLDER"


async def test_the_code_is_a_signed_payload_with_an_svg(gql: Any) -> None:
    citizen = await holder(gql)
    code = (await gql(CODE, {"s": "LODGING"}, token=citizen["token"]))["data"]["myLuTongCode"]
    assert code["payload"].startswith("LTM1.") and code["scene"] == "LODGING"
    assert code["svg"].startswith("<svg ") and "</svg>" in code["svg"]
    expires = datetime.fromisoformat(code["expiresAt"])
    assert timedelta(seconds=55) < expires - datetime.now(timezone.utc) <= timedelta(seconds=60)
    assert code["expiresAt"].endswith("+08:00")


async def test_lodging_learns_the_masked_identity_and_the_id_card_only(gql: Any) -> None:
    citizen = await holder(gql, name="张三丰")
    hotel = await scene_operator("LODGING")
    result = await scan(gql, hotel, await code_for(gql, citizen["token"], "LODGING"), "LODGING")
    assert result["__typename"] == "ScanResult", result
    id_number = citizen["idNumber"]
    assert result["holder"] == {"maskedName": "张**", "maskedIdNumber": f"{id_number[:6]}********{id_number[-4:]}"}
    card = citizen["certificates"]["RESIDENT_ID_CARD"]
    assert result["certificates"] == [{"type": "RESIDENT_ID_CARD", "name": "居民身份证", "number": masked(card.number)}]
    assert card.number not in str(result) and id_number not in str(result)
    assert result["scene"] == "LODGING"


async def test_government_service_sees_more(gql: Any) -> None:
    citizen = await holder(gql)
    clerk = await handler("370102-ZWFW", role=Role.WINDOW_CLERK)
    result = await scan(gql, clerk, await code_for(gql, citizen["token"], "GOVERNMENT_SERVICE"), "GOVERNMENT_SERVICE")
    assert result["__typename"] == "ScanResult", result
    assert {c["type"] for c in result["certificates"]} == {"RESIDENT_ID_CARD", "SOCIAL_SECURITY_CARD",
                                                           "DRIVING_LICENSE"}
    transport = await scene_operator("TRANSPORT", name="济南公交")
    result = await scan(gql, transport, await code_for(gql, citizen["token"], "TRANSPORT"), "TRANSPORT")
    assert [c["type"] for c in result["certificates"]] == ["DRIVING_LICENSE"]
    hospital = await scene_operator("MEDICAL_HEALTH", name="山东省立医院")
    result = await scan(gql, hospital, await code_for(gql, citizen["token"], "MEDICAL_HEALTH"), "MEDICAL_HEALTH")
    assert [c["type"] for c in result["certificates"]] == ["SOCIAL_SECURITY_CARD"]


async def test_a_second_scan_is_a_replay(gql: Any) -> None:
    citizen = await holder(gql)
    hotel = await scene_operator("LODGING")
    payload = await code_for(gql, citizen["token"], "LODGING")
    assert (await scan(gql, hotel, payload, "LODGING"))["__typename"] == "ScanResult"
    again = await scan(gql, await scene_operator("LODGING", name="另一家酒店"), payload, "LODGING")
    assert again == {"__typename": "Conflict", "code": "REPLAYED", "message": again["message"]}


async def test_scene_scoping(gql: Any) -> None:
    citizen = await holder(gql)
    hotel = await scene_operator("LODGING")
    hospital = await scene_operator("MEDICAL_HEALTH", name="山东省立医院")
    government_code = await code_for(gql, citizen["token"], "GOVERNMENT_SERVICE")
    wrong = await scan(gql, hotel, government_code, "LODGING")
    assert (wrong["__typename"], wrong["code"]) == ("Conflict", "WRONG_SCENE")
    lodging_code = await code_for(gql, citizen["token"], "LODGING")
    refused = await scan(gql, hospital, lodging_code, "LODGING")
    assert (refused["__typename"], refused["code"]) == ("PermissionDenied", "SCENE_NOT_ALLOWED")
    # A hotel is no window clerk; a citizen is no scanner; the refused scans did not spend the code.
    assert (await scan(gql, hotel, government_code, "GOVERNMENT_SERVICE"))["code"] == "SCENE_NOT_ALLOWED"
    assert (await scan(gql, citizen["token"], lodging_code, "LODGING"))["code"] == "SCENE_NOT_ALLOWED"
    assert (await scan(gql, hotel, lodging_code, "LODGING"))["__typename"] == "ScanResult"


async def test_forged_and_anonymous_scans(gql: Any) -> None:
    citizen = await holder(gql)
    hotel = await scene_operator("LODGING")
    payload = await code_for(gql, citizen["token"], "LODGING")
    forged = payload[:-3] + ("AAA" if not payload.endswith("AAA") else "BBB")
    assert (await scan(gql, hotel, forged, "LODGING"))["code"] == "FORGED"
    anonymous = (await gql("mutation($p: String!) { scanLuTongCode(payload: $p, scene: LODGING) { __typename "
                           "... on PermissionDenied { code } } }", {"p": payload}))["data"]["scanLuTongCode"]
    assert anonymous == {"__typename": "PermissionDenied", "code": "UNAUTHENTICATED"}


async def test_expired_code_and_purge_of_spent_nonces(gql: Any) -> None:
    citizen = await holder(gql)
    hotel_token = await scene_operator("LODGING")
    principal = await authenticate(hotel_token)
    actor = Actor(principal.account_id, principal.label)
    now = datetime.now(timezone.utc)
    payload, _ = codes.issue_code(SECRET_OF_TESTS, int(citizen["account"]["id"]), "LODGING", now)
    with pytest.raises(Refused) as refused:
        await codes.scan(principal, actor, SECRET_OF_TESTS, payload, "LODGING", now + timedelta(seconds=61))
    assert refused.value.code == "EXPIRED"
    await codes.scan(principal, actor, SECRET_OF_TESTS, payload, "LODGING", now)
    claims = codes.verify(SECRET_OF_TESTS, payload, now)
    assert await UsedCode.exists(nonce=claims.nonce)
    await codes.purge_used(now + timedelta(minutes=5))
    assert not await UsedCode.exists(nonce=claims.nonce)


ACCESS_LOG = "{ me { accessLog(first: 10) { totalCount edges { node { action actor actorName target } } } } }"
CERTIFICATES = "{ me { certificates { type name number issuer issuedAt validUntil } } }"


async def test_the_holder_sees_the_scan_in_the_access_log(gql: Any) -> None:
    citizen = await holder(gql)
    hotel = await scene_operator("LODGING", name="济南舜耕山庄")
    principal = await authenticate(hotel)
    await scan(gql, hotel, await code_for(gql, citizen["token"], "LODGING"), "LODGING")
    log = (await gql(ACCESS_LOG, token=citizen["token"]))["data"]["me"]["accessLog"]
    assert log["totalCount"] == 1
    assert log["edges"][0]["node"] == {"action": "lutong.scan", "actor": principal.label, "actorName": "济南舜耕山庄",
                                       "target": "LODGING"}


async def test_the_wallet_lists_masked_certificates(gql: Any) -> None:
    citizen = await holder(gql)
    wallet = (await gql(CERTIFICATES, token=citizen["token"]))["data"]["me"]["certificates"]
    card = citizen["certificates"]["RESIDENT_ID_CARD"]
    assert len(wallet) == 3
    entry = next(c for c in wallet if c["type"] == "RESIDENT_ID_CARD")
    assert entry["name"] == "居民身份证" and entry["number"] == masked(card.number)
    assert entry["issuer"] == "370000-GAT" and entry["validUntil"] is None and entry["issuedAt"].endswith("+08:00")


RESOLVE = "query($t: String!, $v: String!) { resolveLegacyCode(codeType: $t, value: $v) { maskedName maskedIdNumber } }"


async def test_legacy_codes_resolve_for_their_scene_and_are_logged(gql: Any) -> None:
    citizen = await holder(gql, name="李四")
    await LegacyCode.create(code_type="BUS_CARD", value="JN-0001-2345", holder_id=int(citizen["account"]["id"]))
    bus = await scene_operator("TRANSPORT", name="济南公交")
    found = (await gql(RESOLVE, {"t": "BUS_CARD", "v": "JN-0001-2345"}, token=bus))["data"]["resolveLegacyCode"]
    assert found["maskedName"] == "李*" and found["maskedIdNumber"].endswith(citizen["idNumber"][-4:])
    assert (await gql(RESOLVE, {"t": "BUS_CARD", "v": "nobody"}, token=bus))["data"]["resolveLegacyCode"] is None
    hotel = await scene_operator("LODGING")
    body = await gql(RESOLVE, {"t": "BUS_CARD", "v": "JN-0001-2345"}, token=hotel)
    assert body["errors"][0]["extensions"]["code"] == "SCENE_NOT_ALLOWED"
    body = await gql(RESOLVE, {"t": "NO_SUCH_CODE", "v": "x"}, token=bus)
    assert body["errors"][0]["extensions"]["code"] == "UNKNOWN_CODE_TYPE"
    clerk = await handler("370102-ZWFW", role=Role.WINDOW_CLERK)
    assert (await gql(RESOLVE, {"t": "BUS_CARD", "v": "JN-0001-2345"}, token=clerk))["data"]["resolveLegacyCode"]
    log = (await gql(ACCESS_LOG, token=citizen["token"]))["data"]["me"]["accessLog"]
    assert [e["node"]["target"] for e in log["edges"]] == ["GOVERNMENT_SERVICE", "TRANSPORT"]


async def test_a_legacy_code_longer_than_any_names_nobody(gql: Any, client: httpx.AsyncClient) -> None:
    citizen = await holder(gql)
    longest = "JN-" + "7" * 77  # LegacyCode.value holds 80 characters
    await LegacyCode.create(code_type="BUS_CARD", value=longest, holder_id=int(citizen["account"]["id"]))
    bus = await scene_operator("TRANSPORT")
    assert (await gql(RESOLVE, {"t": "BUS_CARD", "v": longest}, token=bus))["data"]["resolveLegacyCode"]
    for sent in (longest + "9", longest + "9" * 100_000, "JN-\ud800"):
        body = await post_escaped(client, RESOLVE, {"t": "BUS_CARD", "v": sent}, token=bus)
        assert body == {"data": {"resolveLegacyCode": None}}
    for code_type in ("BUS_CARD" * 10_000, "BUS_\ud800"):
        body = await post_escaped(client, RESOLVE, {"t": code_type, "v": longest}, token=bus)
        assert body["errors"][0]["extensions"] == {"code": "UNKNOWN_CODE_TYPE"}
        assert body["errors"][0]["message"] == "不支持的旧码类型"
