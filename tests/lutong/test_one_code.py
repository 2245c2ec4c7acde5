"""One 鲁通码 in every scene: a code without a scene is valid wherever it is scanned, the scanner's scene deciding
what it learns (licences and the holder's older codes, masked); a code the holder restricted to one scene is
refused elsewhere; a code is spent once, whatever the scene of its first scan."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timezone
from typing import Any

from portal.audit.models import AuditEntry
from portal.identity.models import Role
from portal.lutong import codes
from portal.lutong.legacy import legacy_types, usable_in
from portal.lutong.models import LegacyCode
from portal.lutong.scenes import Scene
from tests.applications.support import handler
from tests.halls.support import make_hall
from tests.lutong.support import code_for, holder, scene_operator

SECRET_OF_TESTS = "development-only-secret-key-do-not-use-in-production"
KIOSK = {"x-portal-terminal": "KIOSK"}
CODE = "query($s: Scene) { myLuTongCode(scene: $s) { payload scene } }"
SCAN = """
mutation($p: String!, $s: Scene!) { scanLuTongCode(payload: $p, scene: $s) {
  __typename
  ... on ScanResult { scene certificates { type } legacyCodes { type name value } }
  ... on UserError { code message }
} }"""
SIGN_IN = """mutation($code: String!, $hall: String!) {
  signInWithLuTongCode(input: {code: $code, hallCode: $hall}) {
    __typename ... on AuthPayload { account { id } } ... on UserError { code }
  } }"""
SCANNER_SCENES = "{ myScannerScenes }"
RESOLVE = "query($t: String!, $v: String!) { resolveLegacyCode(codeType: $t, value: $v) { maskedName } }"
# The older codes of the holder of test_older_codes_are_filtered_by_scene_and_masked, one per scene and a second
# medical one (legacy_code_types.yaml): four characters, six that make the value unique (the holder's id), four.
OLDER_CODES = {"HOSPITAL_CARD": "SLYY{:06d}0001", "HEALTH_CODE": "JK37{:06d}0523", "BUS_CARD": "JN01{:06d}2345",
               "LIBRARY_CARD": "SDLB{:06d}2317", "HOUSING_FUND_ACCOUNT": "GJJ3{:06d}8123",
               "HOTEL_MEMBERSHIP": "SGVP{:06d}7788"}


async def hotel_and_hospital() -> tuple[str, str]:
    """A hotel desk (LODGING) and a hospital (MEDICAL_HEALTH), signed in."""
    return await scene_operator("LODGING"), await scene_operator("MEDICAL_HEALTH", name="山东省立医院")


async def scan(gql: Any, token: str, payload: str, scene: str) -> dict[str, Any]:
    return (await gql(SCAN, {"p": payload, "s": scene}, token=token))["data"]["scanLuTongCode"]


async def test_a_code_without_a_scene_is_valid_in_every_scene() -> None:
    now = datetime.now(timezone.utc)
    payload, _ = codes.issue_code(SECRET_OF_TESTS, 42, None, now)
    assert set(json.loads(base64.urlsafe_b64decode(payload.split(".")[1] + "=="))) == {"h", "e", "n"}
    assert codes.verify(SECRET_OF_TESTS, payload, now).scene is None
    restricted, _ = codes.issue_code(SECRET_OF_TESTS, 42, Scene.MEDICAL_HEALTH, now)
    assert codes.verify(SECRET_OF_TESTS, restricted, now).scene is Scene.MEDICAL_HEALTH


async def test_the_holder_gets_an_any_scene_code_unless_they_restrict_it(gql: Any) -> None:
    citizen = await holder(gql)
    code = (await gql(CODE, {}, token=citizen["token"]))["data"]["myLuTongCode"]
    assert code["scene"] is None and code["payload"].startswith("LTM1.")
    assert (await gql(CODE, {"s": None}, token=citizen["token"]))["data"]["myLuTongCode"]["scene"] is None
    assert (await gql(CODE, {"s": "LODGING"}, token=citizen["token"]))["data"]["myLuTongCode"]["scene"] == "LODGING"


async def test_one_code_is_accepted_in_two_scenes_each_learning_its_own_certificates(gql: Any) -> None:
    citizen = await holder(gql)
    hotel, hospital = await hotel_and_hospital()
    at_hotel = await scan(gql, hotel, await code_for(gql, citizen["token"], None), "LODGING")
    at_hospital = await scan(gql, hospital, await code_for(gql, citizen["token"], None), "MEDICAL_HEALTH")
    assert at_hotel == {"__typename": "ScanResult", "scene": "LODGING", "certificates": [{"type": "RESIDENT_ID_CARD"}],
                        "legacyCodes": []}
    assert at_hospital == {"__typename": "ScanResult", "scene": "MEDICAL_HEALTH",
                           "certificates": [{"type": "SOCIAL_SECURITY_CARD"}], "legacyCodes": []}


async def test_a_code_restricted_to_one_scene_is_refused_elsewhere(gql: Any) -> None:
    citizen = await holder(gql)
    hotel, hospital = await hotel_and_hospital()
    lodging_only = await code_for(gql, citizen["token"], "LODGING")
    refused = await scan(gql, hospital, lodging_only, "MEDICAL_HEALTH")
    assert refused == {"__typename": "Conflict", "code": "WRONG_SCENE",
                       "message": "这是“酒店住宿”场景的鲁通码，不能用于“医疗健康”"}
    # The refusal did not spend it: the hotel it was made for still may.
    assert (await scan(gql, hotel, lodging_only, "LODGING"))["__typename"] == "ScanResult"


async def test_a_code_scanned_in_one_scene_is_spent_in_every_other(gql: Any) -> None:
    citizen = await holder(gql)
    hotel, hospital = await hotel_and_hospital()
    clerk = await handler("370102-ZWFW", role=Role.WINDOW_CLERK)
    payload = await code_for(gql, citizen["token"], None)
    assert (await scan(gql, hotel, payload, "LODGING"))["__typename"] == "ScanResult"
    for token, scene in ((hospital, "MEDICAL_HEALTH"), (clerk, "GOVERNMENT_SERVICE"), (hotel, "LODGING")):
        again = await scan(gql, token, payload, scene)
        assert (again["__typename"], again["code"]) == ("Conflict", "REPLAYED"), scene
    kiosk = await gql(SIGN_IN, {"code": payload, "hall": await make_hall()}, headers=KIOSK)
    assert kiosk["data"]["signInWithLuTongCode"] == {"__typename": "Conflict", "code": "REPLAYED"}


async def test_older_codes_are_filtered_by_scene_and_masked(gql: Any) -> None:
    citizen = await holder(gql)
    holder_id = int(citizen["account"]["id"])
    values = {code_type: value.format(holder_id) for code_type, value in OLDER_CODES.items()}
    for code_type, value in values.items():
        await LegacyCode.create(code_type=code_type, value=value, holder_id=holder_id)
    hospital = await scene_operator("MEDICAL_HEALTH", name="山东省立医院")
    bus = await scene_operator("TRANSPORT", name="济南公交")
    clerk = await handler("370102-ZWFW", role=Role.WINDOW_CLERK)
    at_hospital = await scan(gql, hospital, await code_for(gql, citizen["token"], None), "MEDICAL_HEALTH")
    # In the order of the types file, not of the rows.
    assert at_hospital["legacyCodes"] == [
        {"type": "HEALTH_CODE", "name": "健康码", "value": "JK37******0523"},
        {"type": "HOSPITAL_CARD", "name": "医院就诊卡", "value": "SLYY******0001"}]
    at_bus = await scan(gql, bus, await code_for(gql, citizen["token"], None), "TRANSPORT")
    assert at_bus["legacyCodes"] == [{"type": "BUS_CARD", "name": "公交卡", "value": "JN01******2345"}]
    at_window = await scan(gql, clerk, await code_for(gql, citizen["token"], None), "GOVERNMENT_SERVICE")
    assert [c["type"] for c in at_window["legacyCodes"]] == [t for t in legacy_types() if t in values]
    assert not any(value in str(at_window) for value in values.values())
    # The holder's access log says which older codes each scan showed.
    entries = await AuditEntry.filter(action="lutong.scan", subject_account_id=holder_id).order_by("id")
    assert [(e.target, e.detail["legacyCodes"]) for e in entries[:2]] == [
        ("MEDICAL_HEALTH", ["HEALTH_CODE", "HOSPITAL_CARD"]), ("TRANSPORT", ["BUS_CARD"])]


def test_government_service_uses_every_older_code_type_and_other_scenes_their_own() -> None:
    types = legacy_types().values()
    assert all(usable_in(Scene.GOVERNMENT_SERVICE, t) for t in types)
    assert [t.code for t in types if usable_in(Scene.TRANSPORT, t)] == [
        t.code for t in types if t.scene is Scene.TRANSPORT]
    assert {t.code for t in types if usable_in(Scene.MEDICAL_HEALTH, t)} >= {"HEALTH_CODE", "HOSPITAL_CARD"}
    assert not usable_in(Scene.LODGING, legacy_types()["BUS_CARD"])


async def test_a_halls_kiosk_resolves_every_older_code_type(gql: Any) -> None:
    citizen = await holder(gql, name="李四")
    value = f"JN-KIOSK-{citizen['account']['id']}"
    await LegacyCode.create(code_type="BUS_CARD", value=value, holder_id=int(citizen["account"]["id"]))
    kiosk = await scene_operator("GOVERNMENT_SERVICE", name="自助服务终端")
    body = await gql(RESOLVE, {"t": "BUS_CARD", "v": value}, token=kiosk)
    assert body["data"]["resolveLegacyCode"] == {"maskedName": "李*"}


async def test_scanners_learn_the_scenes_they_may_scan_in(gql: Any) -> None:
    citizen = await holder(gql)
    clerk = await handler("370102-ZWFW", role=Role.WINDOW_CLERK)
    hotel = await scene_operator("LODGING")
    assert (await gql(SCANNER_SCENES, token=hotel))["data"] == {"myScannerScenes": ["LODGING"]}
    assert (await gql(SCANNER_SCENES, token=clerk))["data"] == {"myScannerScenes": ["GOVERNMENT_SERVICE"]}
    assert (await gql(SCANNER_SCENES, token=citizen["token"]))["data"] == {"myScannerScenes": []}
    assert (await gql(SCANNER_SCENES))["data"] == {"myScannerScenes": []}
