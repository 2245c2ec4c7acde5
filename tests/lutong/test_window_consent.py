"""窗口代办 by scan: a window clerk who scanned a person's 鲁通码 (GOVERNMENT_SERVICE) applies for them at the window
for 30 minutes — that clerk, that person, on WINDOW only — and reads their prefilled form; all of it audited."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from portal.applications.models import Application
from portal.audit.models import AuditEntry
from portal.config import Settings
from portal.identity import policy
from portal.identity.models import WindowAuthorisation
from portal.lutong import codes
from tests.applications.support import APPLICATION, SUBMIT, newborn_values, upload
from tests.halls.support import clerk_token
from tests.identity.test_revoked_streams import APPLICATION_UPDATED, answer
from tests.lutong.support import code_for, holder, scene_operator
from tests.subscriptions import in_process_subscription

SECRET_OF_TESTS = "development-only-secret-key-do-not-use-in-production"
SCAN_AT = """
mutation($p: String!, $counter: String) { scanLuTongCode(payload: $p, scene: GOVERNMENT_SERVICE, counterCode: $counter) {
  __typename
  ... on ScanResult { holder { maskedName } scannedAt applicantId consentExpiresAt }
  ... on FormInvalid { errors { field code } }
  ... on PermissionDenied { code }
  ... on NotFound { code }
  ... on Conflict { code }
} }"""
FORM_FOR = """
query($id: ID) { bundle(code: "newborn") { form(applicantId: $id) {
  fields { key value prefilledFrom } materials { code heldLicence { type } } } } }"""
ACCESS_LOG = "{ me { accessLog(first: 10) { edges { node { action actorName target hall counter } } } } }"
MY_APPLICATIONS = "{ me { applications(first: 5) { edges { node { id channel bundle { code } } } } } }"
# What the newborn bundle needs uploaded when only the ID card is held as an e-licence.
UPLOADS = ("birth-medical-record", "newborn-vaccination-record", "household-register")


async def scan_at(gql: Any, clerk: str, payload: str, counter: str | None = "JNSMZX-03") -> dict[str, Any]:
    return (await gql(SCAN_AT, {"p": payload, "counter": counter}, token=clerk))["data"]["scanLuTongCode"]


async def scanned(gql: Any, clerk: str, person: dict[str, Any]) -> dict[str, Any]:
    result = await scan_at(gql, clerk, await code_for(gql, person["token"], "GOVERNMENT_SERVICE"))
    assert result["__typename"] == "ScanResult", result
    return result


async def submit_for(gql: Any, http: httpx.AsyncClient, clerk: str, applicant_id: str, *,
                     channel: str = "WINDOW") -> dict[str, Any]:
    """The clerk submits the newborn bundle for the person, uploading the paper materials at the counter."""
    materials = [{"code": code, "fileId": await upload(http, clerk)} for code in UPLOADS]
    body = await gql(SUBMIT, {"input": {
        "bundleCode": "newborn", "formValues": newborn_values(), "channel": channel, "materials": materials,
        "idempotencyKey": str(uuid.uuid4()), "applicantId": applicant_id}}, token=clerk)
    return body["data"]["submitBundleApplication"]


@pytest.fixture
def later(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Moves the consent clock (``policy._now``) forward from the real time."""
    def move(by: timedelta) -> None:
        monkeypatch.setattr(policy, "_now", lambda: datetime.now(timezone.utc) + by)
    return move


async def test_a_window_scan_is_a_30_minute_consent_naming_the_clerk_the_scan_and_the_counter(gql: Any) -> None:
    person = await holder(gql, name="赵六")
    clerk = await clerk_token("JNSMZX")
    payload = await code_for(gql, person["token"], "GOVERNMENT_SERVICE")
    result = await scan_at(gql, clerk, payload)
    assert result["__typename"] == "ScanResult" and result["applicantId"] == person["account"]["id"]
    scanned_at = datetime.fromisoformat(result["scannedAt"])
    assert datetime.fromisoformat(result["consentExpiresAt"]) - scanned_at == timedelta(minutes=30)
    consent = await WindowAuthorisation.get(holder_id=int(person["account"]["id"]))
    nonce = codes.verify(SECRET_OF_TESTS, payload, scanned_at).nonce
    assert (consent.scan_nonce, consent.hall_code, consent.counter_code) == (nonce, "JNSMZX", "JNSMZX-03")
    assert consent.scanned_at == scanned_at and consent.expires_at == scanned_at + timedelta(minutes=30)
    entry = (await gql(ACCESS_LOG, token=person["token"]))["data"]["me"]["accessLog"]["edges"][0]["node"]
    assert entry == {"action": "lutong.scan", "actorName": "窗口人员", "target": "GOVERNMENT_SERVICE",
                     "hall": "JNSMZX", "counter": "JNSMZX-03"}


async def test_without_a_counter_the_clerks_only_hall_is_named(gql: Any) -> None:
    person = await holder(gql)
    clerk = await clerk_token("LXQZWFW")
    await scan_at(gql, clerk, await code_for(gql, person["token"], "GOVERNMENT_SERVICE"), counter=None)
    consent = await WindowAuthorisation.get(holder_id=int(person["account"]["id"]))
    assert (consent.hall_code, consent.counter_code) == ("LXQZWFW", None)


async def test_only_a_window_clerks_government_service_scan_is_consent(gql: Any) -> None:
    person = await holder(gql)
    kiosk = await scene_operator("GOVERNMENT_SERVICE", name="自助终端")
    result = await scan_at(gql, kiosk, await code_for(gql, person["token"], "GOVERNMENT_SERVICE"), counter=None)
    assert result["__typename"] == "ScanResult" and result["applicantId"] is None
    assert result["consentExpiresAt"] is None
    assert not await WindowAuthorisation.exists(holder_id=int(person["account"]["id"]))
    refused = await scan_at(gql, kiosk, await code_for(gql, person["token"], "GOVERNMENT_SERVICE"))
    assert refused == {"__typename": "PermissionDenied", "code": "WINDOW_CLERKS_ONLY"}


async def test_a_counter_of_another_hall_or_none_is_refused_before_the_code_is_spent(gql: Any) -> None:
    person = await holder(gql)
    clerk = await clerk_token("JNSMZX")
    payload = await code_for(gql, person["token"], "GOVERNMENT_SERVICE")
    assert await scan_at(gql, clerk, payload, "QDSMZX-01") == {"__typename": "PermissionDenied",
                                                                "code": "NOT_YOUR_HALL"}
    assert await scan_at(gql, clerk, payload, "NOPE-01") == {"__typename": "NotFound", "code": "COUNTER_NOT_FOUND"}
    assert await scan_at(gql, clerk, payload, "JN\u0000") == {"__typename": "FormInvalid", "errors": [
        {"field": "counterCode", "code": "FORBIDDEN_CHARACTER"}]}
    assert (await scan_at(gql, clerk, payload))["__typename"] == "ScanResult"


async def test_the_clerk_submits_for_the_person_at_the_window_and_the_person_sees_it_at_once(
        gql: Any, client: httpx.AsyncClient, settings: Settings) -> None:
    person = await holder(gql, name="孙七")
    clerk = await clerk_token("JNSMZX")
    scan = await scanned(gql, clerk, person)
    application = await submit_for(gql, client, clerk, scan["applicantId"])
    assert application["__typename"] == "Application", application
    assert application["channel"] == "WINDOW"
    assert application["formValues"]["applicant.idNumber"] == person["idNumber"]
    assert application["formValues"]["applicant.name"] == "孙七"
    row = await Application.get(id=int(application["id"]))
    clerk_id = (await WindowAuthorisation.get(holder_id=row.applicant_id)).clerk_id
    assert (row.applicant_id, row.submitted_by_id) == (int(person["account"]["id"]), clerk_id)
    consent = await WindowAuthorisation.get(holder_id=row.applicant_id)
    entry = await AuditEntry.get(action="application.submitted", target=f"application:{application['id']}")
    assert (entry.actor_account_id, entry.subject_account_id) == (clerk_id, row.applicant_id)
    assert entry.detail == {"bundle": "newborn", "onBehalf": {
        "windowAuthorisation": consent.id, "scan": consent.scan_nonce,
        "scannedAt": consent.scanned_at.astimezone(timezone.utc).isoformat(), "hall": "JNSMZX",
        "counter": "JNSMZX-03"}}
    mine = (await gql(MY_APPLICATIONS, token=person["token"]))["data"]["me"]["applications"]["edges"]
    assert [e["node"] for e in mine] == [{"id": application["id"], "channel": "WINDOW",
                                          "bundle": {"code": "newborn"}}]
    stream = await in_process_subscription(settings, APPLICATION_UPDATED, {"id": application["id"]},
                                           token=person["token"])
    assert (await answer(stream)).data["applicationUpdated"] == {"cursor": "1", "kind": "application.submitted"}
    await stream.aclose()


async def test_the_clerk_reads_back_what_they_filed_only_while_the_consent_stands(
        gql: Any, client: httpx.AsyncClient, later: Any) -> None:
    person = await holder(gql)
    clerk = await clerk_token("JNSMZX")
    application = await submit_for(gql, client, clerk, (await scanned(gql, clerk, person))["applicantId"])
    seen = (await gql(APPLICATION, {"id": application["id"]}, token=clerk))["data"]["application"]
    assert seen["id"] == application["id"] and seen["formValues"]["applicant.idNumber"] == person["idNumber"]
    entry = (await gql(ACCESS_LOG, token=person["token"]))["data"]["me"]["accessLog"]["edges"][0]["node"]
    assert entry == {"action": "data.read", "actorName": "窗口人员", "target": f"application:{application['id']}",
                     "hall": "JNSMZX", "counter": "JNSMZX-03"}
    later(timedelta(minutes=30))
    assert (await gql(APPLICATION, {"id": application["id"]}, token=clerk))["data"]["application"] is None


@pytest.mark.parametrize("minutes", [29, 30])
async def test_the_consent_lasts_30_minutes(gql: Any, client: httpx.AsyncClient, later: Any, minutes: int) -> None:
    person = await holder(gql)
    clerk = await clerk_token("JNSMZX")
    scan = await scanned(gql, clerk, person)
    later(timedelta(minutes=minutes))
    result = await submit_for(gql, client, clerk, scan["applicantId"])
    if minutes < 30:
        assert result["__typename"] == "Application", result
    else:
        assert result == {"__typename": "PermissionDenied", "code": "NOT_AUTHORISED",
                          "message": "您没有代此申请人办理该事项的授权"}


async def test_another_clerk_another_person_or_another_channel_is_refused(gql: Any, client: httpx.AsyncClient) -> None:
    person, stranger = await holder(gql), await holder(gql)
    clerk, colleague = await clerk_token("JNSMZX"), await clerk_token("JNSMZX")
    scan = await scanned(gql, clerk, person)
    refused = {"__typename": "PermissionDenied", "code": "NOT_AUTHORISED", "message": "您没有代此申请人办理该事项的授权"}
    assert await submit_for(gql, client, colleague, scan["applicantId"]) == refused
    assert await submit_for(gql, client, clerk, stranger["account"]["id"]) == refused
    assert await submit_for(gql, client, clerk, scan["applicantId"], channel="MOBILE") == {
        "__typename": "PermissionDenied", "code": "NOT_AUTHORISED", "message": "窗口代办只能通过窗口端提交"}
    assert not await Application.filter(applicant_id=int(person["account"]["id"])).exists()
    assert (await submit_for(gql, client, clerk, scan["applicantId"]))["__typename"] == "Application"


async def test_the_clerk_reads_the_persons_prefilled_form_within_the_consent_and_it_is_logged(
        gql: Any, later: Any) -> None:
    person, stranger = await holder(gql, name="周八"), await holder(gql)
    clerk = await clerk_token("JNSMZX")
    scan = await scanned(gql, clerk, person)
    form = (await gql(FORM_FOR, {"id": scan["applicantId"]}, token=clerk))["data"]["bundle"]["form"]
    values = {f["key"]: (f["value"], f["prefilledFrom"]) for f in form["fields"] if f["value"] is not None}
    assert values == {"applicant.name": ("周八", "PROFILE"), "applicant.idNumber": (person["idNumber"], "PROFILE"),
                      "applicant.phone": (person["phone"], "PROFILE")}
    assert [m["code"] for m in form["materials"] if m["heldLicence"]] == ["resident-id-card"]
    entry = (await gql(ACCESS_LOG, token=person["token"]))["data"]["me"]["accessLog"]["edges"][0]["node"]
    assert entry == {"action": "data.read", "actorName": "窗口人员", "target": "bundle-form:newborn",
                     "hall": "JNSMZX", "counter": "JNSMZX-03"}
    # Without an applicantId the clerk gets the blank form, as before.
    blank = (await gql(FORM_FOR, {"id": None}, token=clerk))["data"]["bundle"]["form"]
    assert all(f["value"] is None for f in blank["fields"])
    for token, whom in ((clerk, stranger["account"]["id"]), (await clerk_token("JNSMZX"), scan["applicantId"]),
                        (None, scan["applicantId"]), (clerk, "not-an-id")):
        body = await gql(FORM_FOR, {"id": whom}, token=token)
        assert body["data"]["bundle"] is None
        assert [e["extensions"]["code"] for e in body["errors"]] == ["NOT_AUTHORISED"]
    later(timedelta(minutes=31))
    body = await gql(FORM_FOR, {"id": scan["applicantId"]}, token=clerk)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["NOT_AUTHORISED"]

