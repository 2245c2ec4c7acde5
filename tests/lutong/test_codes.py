"""The signed token itself: format, signature, expiry, the QR rendering, and the scenes data."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta, timezone

import pytest

from portal.lutong import codes
from portal.lutong.scenes import (
    Scene,
    certificate_type_codes,
    field_keys,
    parse_scenes,
    scene_rules,
)
from portal.sources import SourceError

SECRET = "a-test-secret-of-enough-length-for-the-portal"
NOW = datetime(2025, 3, 1, 9, 30, tzinfo=timezone.utc)


def test_a_fresh_code_verifies_with_its_claims() -> None:
    payload, expires = codes.issue_code(SECRET, 42, Scene.LODGING, NOW)
    assert payload.startswith("LTM1.") and payload.count(".") == 2 and len(payload) < 200
    assert expires == NOW + timedelta(seconds=60)
    claims = codes.verify(SECRET, payload, NOW + timedelta(seconds=59))
    assert (claims.holder_id, claims.scene, claims.expires_at) == (42, Scene.LODGING, expires)
    assert claims.nonce != codes.verify(SECRET, codes.issue_code(SECRET, 42, Scene.LODGING, NOW)[0], NOW).nonce


def test_expired_after_sixty_seconds() -> None:
    payload, _ = codes.issue_code(SECRET, 42, Scene.LODGING, NOW)
    with pytest.raises(codes.CodeExpired) as refused:
        codes.verify(SECRET, payload, NOW + timedelta(seconds=61))
    assert refused.value.code == "EXPIRED"


def flip(text: str, index: int) -> str:
    return text[:index] + ("A" if text[index] != "A" else "B") + text[index + 1:]


@pytest.mark.parametrize("where", ["body", "signature"])
def test_a_flipped_byte_is_forged(where: str) -> None:
    payload, _ = codes.issue_code(SECRET, 42, Scene.LODGING, NOW)
    index = len("LTM1.") + 3 if where == "body" else len(payload) - 5
    with pytest.raises(codes.CodeForged) as refused:
        codes.verify(SECRET, flip(payload, index), NOW)
    assert refused.value.code == "FORGED"


def test_claims_changed_and_resigned_with_another_key_are_forged() -> None:
    payload, _ = codes.issue_code(SECRET, 42, Scene.LODGING, NOW)
    body = json.loads(base64.urlsafe_b64decode(payload.split(".")[1] + "=="))
    assert set(body) == {"h", "s", "e", "n"}
    other, _ = codes.issue_code("another-secret-entirely-of-enough-length", 7, Scene.LODGING, NOW)
    with pytest.raises(codes.CodeForged):
        codes.verify(SECRET, other, NOW)


@pytest.mark.parametrize("payload", ["", "LTM1", "LTM1.a.b", "LTM2.e30.AAAA", "LTM1..", "x" * 1000,
                                     "LTM1.e30.%%%%", "LTM1.e30.AAAA.AAAA"])
def test_garbage_is_forged(payload: str) -> None:
    with pytest.raises(codes.CodeForged):
        codes.verify(SECRET, payload, NOW)


def test_the_signing_key_is_derived_not_the_secret() -> None:
    assert codes.code_key(SECRET) != SECRET.encode() and len(codes.code_key(SECRET)) == 32


def test_svg_is_a_qr_code() -> None:
    payload, _ = codes.issue_code(SECRET, 42, Scene.LODGING, NOW)
    image = codes.svg(payload)
    assert image.startswith("<svg ") and image.rstrip().endswith("</svg>")


def test_scenes_data_is_valid_and_scoped() -> None:
    rules = scene_rules()
    assert set(rules) == set(Scene)
    assert rules[Scene.LODGING].certificates == ("RESIDENT_ID_CARD",)
    assert {"DRIVING_LICENSE"} <= set(rules[Scene.TRANSPORT].certificates)
    assert "SOCIAL_SECURITY_CARD" in rules[Scene.MEDICAL_HEALTH].certificates
    assert len(rules[Scene.GOVERNMENT_SERVICE].certificates) > 5
    assert all(r.identity == "masked" for r in rules.values())


def test_an_unknown_certificate_type_in_scenes_is_refused() -> None:
    entries = [{"code": s.value, "name": "场景", "scanners": ["SCENE_OPERATOR"], "identity": "masked",
                "certificates": ["RESIDENT_ID_CARD"]} for s in Scene]
    entries[0]["certificates"] = ["NO_SUCH_LICENCE"]
    entries[1]["identity"] = "full"
    entries[3]["scanners"] = ["SUPERVISOR"]
    with pytest.raises(SourceError) as error:
        parse_scenes(entries, certificate_type_codes(), field_keys())
    assert error.value.problems == [
        "scenes.yaml: GOVERNMENT_SERVICE: certificates[0]: unknown certificate type NO_SUCH_LICENCE",
        "scenes.yaml: MEDICAL_HEALTH: identity: Input should be 'masked', got 'full'",
        "scenes.yaml: CULTURE_TOURISM: scanners[0]: SUPERVISOR does not scan; scanners are among "
        "['WINDOW_CLERK', 'SCENE_OPERATOR']",
    ]
    with pytest.raises(SourceError) as error:
        parse_scenes(entries[4:], certificate_type_codes(), field_keys())
    assert error.value.problems == [
        "scenes.yaml: scenes missing: ['GOVERNMENT_SERVICE', 'MEDICAL_HEALTH', 'TRANSPORT', 'CULTURE_TOURISM']"]


def test_what_a_scene_operator_reads_back_of_a_form_is_data_checked_on_load() -> None:
    assert scene_rules()[Scene.LODGING].form["guest.idNumber"] == "idNumber"
    assert all(not r.form for s, r in scene_rules().items() if s is not Scene.LODGING)
    entries = [{"code": s.value, "name": "场景", "scanners": ["SCENE_OPERATOR"], "identity": "masked",
                "certificates": []} for s in Scene]
    entries[0]["form"] = {"guest.name": "initials"}
    entries[1]["form"] = {"guest.nickname": "plain"}
    with pytest.raises(SourceError) as error:
        parse_scenes(entries, certificate_type_codes(), field_keys())
    assert error.value.problems == [
        "scenes.yaml: GOVERNMENT_SERVICE: form['guest.name']: Input should be 'plain', 'name', 'idNumber', 'phone' or "
        "'creditCode', got 'initials'",
        "scenes.yaml: MEDICAL_HEALTH: form['guest.nickname']: unknown field guest.nickname",
    ]


def test_legacy_code_types_are_data_validated_on_load() -> None:
    from portal.lutong.legacy import legacy_types, parse_types

    types = legacy_types()
    assert len(types) >= 12 and types["HEALTH_CODE"].name == "健康码"
    assert types["BUS_CARD"].scene is Scene.TRANSPORT
    with pytest.raises(SourceError) as error:
        parse_types([{"code": "BUS_CARD", "name": "公交卡", "scene": "BUS"},
                     {"code": "bad", "name": "x", "scene": "LODGING"}])
    assert len(error.value.problems) == 2
    assert error.value.problems[0].startswith("legacy_code_types.yaml: BUS_CARD: scene: Input should be ")
    assert error.value.problems[0].endswith(", got 'BUS'")
    assert error.value.problems[1] == "legacy_code_types.yaml: bad: code: 'bad' is not UPPER_SNAKE of at most 40 characters"
    with pytest.raises(SourceError) as error:
        parse_types([{"code": "BUS_CARD", "name": "公交卡", "scene": "TRANSPORT"}] * 2)
    assert error.value.problems == ["legacy_code_types.yaml: BUS_CARD: duplicate code BUS_CARD"]
    with pytest.raises(SourceError) as error:
        parse_types([{"code": "BUS_CARD", "name": "公交卡", "scene": "TRANSPORT"},
                     {"code": "HEALTH_CODE", "name": "健康码", "scene": "MEDICAL_HEALTH"}])
    assert error.value.problems == [
        "legacy_code_types.yaml: no older code type for the scenes ['GOVERNMENT_SERVICE', 'CULTURE_TOURISM', "
        "'LODGING', 'SOCIAL_SECURITY']: the 鲁通码 replaces codes in every scene"]


def test_at_least_fifty_older_code_types_cover_every_scene() -> None:
    from portal.lutong.legacy import legacy_types

    types = legacy_types()
    assert len(types) >= 50
    per_scene = {scene: [t for t in types.values() if t.scene is scene] for scene in Scene}
    assert all(len(found) >= 4 for found in per_scene.values()), per_scene
    assert {"HOSPITAL_CARD", "BUS_CARD", "LIBRARY_CARD", "CAMPUS_CARD", "PARK_ANNUAL_PASS",
            "MEDICAL_INSURANCE_CODE", "SOCIAL_SECURITY_CARD_NUMBER"} <= set(types)
