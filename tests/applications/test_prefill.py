"""bundle.form prefilled for the signed-in applicant: profile values and e-licences (免证办)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from portal.lutong.models import Certificate
from tests.identity.test_accounts import register

FORM = """query($code: String!) { bundle(code: $code) { form {
  certificateFreeShare
  fields { key value prefilledFrom }
  materials { code required heldLicence { type name number } }
} } }"""


async def hold(account_id: int, type_code: str, data: dict[str, Any] | None = None) -> Certificate:
    return await Certificate.create(holder_id=account_id, type_code=type_code, number="ID3701022024ABCD1234",
                                    issuer_code="370000-GAT", issued_at=datetime.now(timezone.utc), data=data or {})


async def test_anonymous_forms_are_not_prefilled(gql: Any) -> None:
    form = (await gql(FORM, {"code": "newborn"}))["data"]["bundle"]["form"]
    assert form["certificateFreeShare"] is None
    assert all(f["value"] is None for f in form["fields"])
    assert all(m["heldLicence"] is None for m in form["materials"])


async def test_profile_and_licences_prefill_the_form(gql: Any) -> None:
    citizen = await register(gql)
    account_id = int(citizen["account"]["id"])
    await hold(account_id, "RESIDENT_ID_CARD")
    await hold(account_id, "MARRIAGE_CERTIFICATE", {"mother.name": "李梅", "father.name": "张三"})
    form = (await gql(FORM, {"code": "newborn"}, token=citizen["token"]))["data"]["bundle"]["form"]
    values = {f["key"]: (f["value"], f["prefilledFrom"]) for f in form["fields"] if f["value"] is not None}
    assert values == {"mother.name": ("李梅", "CERTIFICATE:MARRIAGE_CERTIFICATE"),
                      "father.name": ("张三", "CERTIFICATE:MARRIAGE_CERTIFICATE"),
                      "applicant.phone": (citizen["phone"], "PROFILE"),
                      "applicant.name": ("张三", "PROFILE"), "applicant.idNumber": (citizen["idNumber"], "PROFILE")}
    held = {m["code"]: m["heldLicence"] for m in form["materials"] if m["heldLicence"]}
    assert held == {"resident-id-card": {"type": "RESIDENT_ID_CARD", "name": "居民身份证",
                                         "number": "ID37************1234"},
                    "marriage-certificate": {"type": "MARRIAGE_CERTIFICATE", "name": "结婚证",
                                             "number": "ID37************1234"}}
    assert form["certificateFreeShare"] == round(2 / len(form["materials"]), 4)


async def test_kiosk_and_tv_show_prefilled_personal_values_masked(gql: Any) -> None:
    citizen = await register(gql, name="欧阳娜娜")
    form = (await gql(FORM, {"code": "newborn"}, token=citizen["token"],
                      headers={"x-portal-terminal": "KIOSK"}))["data"]["bundle"]["form"]
    values = {f["key"]: f["value"] for f in form["fields"] if f["value"] is not None}
    assert values == {"applicant.name": "欧***", "applicant.phone": f"{citizen['phone'][:3]}****{citizen['phone'][-4:]}",
                      "applicant.idNumber": f"{citizen['idNumber'][:6]}********{citizen['idNumber'][-4:]}"}


async def test_a_held_licence_replaces_the_upload_and_counts_in_the_figures(gql: Any, client: Any) -> None:
    from portal.workdays import SHANGHAI
    from tests.applications.support import SUBMIT, newborn_values, upload

    figures_query = "query($d: Date!) { applicationFigures(from: $d, to: $d) { applications materials " \
                    "attachedWithoutUpload certificateFreeShare } }"
    today = datetime.now(SHANGHAI).date().isoformat()
    before = (await gql(figures_query, {"d": today}))["data"]["applicationFigures"]
    citizen = await register(gql)
    await hold(int(citizen["account"]["id"]), "RESIDENT_ID_CARD")
    materials = [{"code": code, "fileId": await upload(client, citizen["token"])}
                 for code in ("birth-medical-record", "newborn-vaccination-record", "household-register")]
    body = await gql(SUBMIT, {"input": {"bundleCode": "newborn", "formValues": newborn_values(), "channel": "MOBILE",
                                        "idempotencyKey": "licence", "materials": materials}}, token=citizen["token"])
    application = body["data"]["submitBundleApplication"]
    assert {m["code"]: m["source"] for m in application["materials"]} == {
        "birth-medical-record": "UPLOAD", "newborn-vaccination-record": "UPLOAD", "household-register": "UPLOAD",
        "resident-id-card": "LICENCE"}
    after = (await gql(figures_query, {"d": today}))["data"]["applicationFigures"]
    assert after["applications"] == before["applications"] + 1
    assert after["materials"] == before["materials"] + 4
    assert after["attachedWithoutUpload"] == before["attachedWithoutUpload"] + 1
    assert after["certificateFreeShare"] == round(after["attachedWithoutUpload"] / after["materials"], 4)
    bad = await gql('{ applicationFigures(from: "2026-02-01", to: "2026-01-01") { applications } }')
    assert bad["errors"][0]["extensions"] == {"code": "INVALID_ARGUMENT", "field": "to"}
