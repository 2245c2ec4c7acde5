"""秒批 and 免申即享: an item's rule decides it without a person (or leaves it to a handler), the audit trail says
why, and an approval offers the applicant what they now qualify for, accepted with one tap or declined."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import httpx
import pytest

from portal.applications.models import Offer, OfferStatus, Task
from portal.audit.models import AuditEntry
from portal.audit.rules import Actor
from portal.catalog.conditions import Facts, evaluate
from portal.catalog.seed import seed_catalog
from portal.catalog.source import DATA_DIR, FILES, parse_catalog
from portal.identity.passwords import Passwords
from portal.identity.rules import register_citizen
from portal.lutong import rules as licences
from portal.sources import read_all
from tests.applications.support import APPROVE, ACCEPT, handler, newborn_materials, newborn_values, SUBMIT, upload
from tests.helpers import new_id_number, new_phone

CERTIFICATE, HUKOU = "370100-WJW-001", "370100-GAJ-001"
TASKS = "tasks { id status version decidedBy rule note item { code } }"
OFFERS = "{ me { offers { id reason status bundle { code } formValues sourceApplication { id } } } }"
ACCEPT_OFFER = """mutation($id: ID!) { acceptOffer(id: $id, channel: MOBILE) { __typename
  ... on Application { id number status bundle { code } formValues }
  ... on FormInvalid { errors { field code } } ... on NotFound { code } ... on Conflict { code } } }"""
DECLINE_OFFER = """mutation($id: ID!) { declineOffer(id: $id) { __typename ... on Offer { id status }
  ... on NotFound { code } ... on Conflict { code } } }"""


@pytest.mark.parametrize(("condition", "facts", "holds"), [
    ({"holds": "RESIDENT_ID_CARD"}, Facts(held=frozenset({"RESIDENT_ID_CARD"})), True),
    ({"holds": "RESIDENT_ID_CARD"}, Facts(), False),
    ({"ageAtLeast": 60}, Facts(age=60), True),
    ({"ageAtLeast": 60}, Facts(age=59), False),
    ({"ageAtLeast": 60}, Facts(), False),
    ({"ageBelow": 3}, Facts(age=2), True),
    ({"residentOf": "370000"}, Facts(region="370102"), True),
    ({"residentOf": "370100"}, Facts(region="370202"), False),
    ({"field": "stay.nights", "atMost": 90}, Facts(values={"stay.nights": 90}), True),
    ({"field": "stay.nights", "atMost": 90}, Facts(values={"stay.nights": 91}), False),
    ({"field": "stay.nights", "atLeast": 1}, Facts(values={"stay.nights": "x"}), False),
    ({"field": "delivery.method", "equals": "MAIL"}, Facts(values={"delivery.method": "MAIL"}), True),
    ({"field": "delivery.method", "oneOf": ["MAIL", "PICKUP"]}, Facts(values={}), False),
])
def test_each_condition(condition: dict[str, Any], facts: Facts, holds: bool) -> None:
    outcome = evaluate([condition], facts)
    assert outcome.passed is holds
    assert outcome.used[0]["condition"] == condition and outcome.used[0]["holds"] is holds


def test_the_first_failing_condition_decides_and_no_conditions_never_pass() -> None:
    outcome = evaluate([{"ageAtLeast": 18}, {"holds": "X"}, {"ageBelow": 200}], Facts(age=30))
    assert not outcome.passed and outcome.failed == {"condition": {"holds": "X"}, "fact": False, "holds": False}
    assert len(outcome.used) == 2
    assert not evaluate([], Facts(age=30)).passed


def ruled_catalog() -> dict[str, Any]:
    """The demo catalog with rules on the newborn bundle: 出生医学证明 decided for applicants registered in Jinan,
    出生登记 when the parents' household register is held, and 出生登记 offering the 社保卡 bundle."""
    raw = copy.deepcopy(read_all({name: DATA_DIR / f"{name}.yaml" for name in FILES}))
    items = {i["code"]: i for i in raw["items"]}
    newborn = next(b for b in raw["bundles"] if b["code"] == "newborn")
    for member in newborn["items"]:  # only the rules and offers below, whatever the demo catalog says
        items[member["item"]].pop("instantApproval", None)
        items[member["item"]].pop("offers", None)
    items[CERTIFICATE]["instantApproval"] = {"rule": "出生信息与医院接生记录一致", "all": [{"residentOf": "370100"}]}
    items[HUKOU]["instantApproval"] = {"rule": "父母户籍核验", "all": [{"holds": "BIRTH_MEDICAL_CERTIFICATE"}]}
    items[HUKOU]["offers"] = [{"bundle": "social-security-card-services", "reason": "孩子已落户，可为其申领社保卡",
                              "when": [{"ageAtLeast": 18}]},
                             {"bundle": "social-insurance-enquiry", "reason": "查询全家的社保医保参保情况"}]
    return raw


@pytest.fixture
async def ruled(empty_database: str) -> None:
    await seed_catalog(parse_catalog(ruled_catalog()))


async def citizen(region: str) -> dict[str, Any]:
    signed = await register_citizen(Passwords("test"), Actor(None, "test", "10.253.0.1"), name="张三",
                                    id_number=new_id_number(region=region), phone=new_phone(),
                                    password="Citizen-2115!x")
    return {"token": signed.token, "id": signed.account.id}


async def submit(gql: Any, client: httpx.AsyncClient, person: dict[str, Any]) -> dict[str, Any]:
    body = await gql(SUBMIT.replace("tasks { id status version deadline deadlineProvisional prerequisites "
                                    "departmentCode item { code } }", TASKS),
                     {"input": {"bundleCode": "newborn", "formValues": newborn_values(), "channel": "MOBILE",
                                "idempotencyKey": str(uuid.uuid4()),
                                "materials": await newborn_materials(client, person["token"])}},
                     token=person["token"])
    result = body["data"]["submitBundleApplication"]
    assert result["__typename"] == "Application", body
    return result


def by_item(application: dict[str, Any]) -> dict[str, tuple[str, str | None, str | None]]:
    return {t["item"]["code"]: (t["status"], t["decidedBy"], t["rule"]) for t in application["tasks"]}


async def test_rules_decide_in_the_submission_and_the_trail_says_why(ruled: None, gql: Any,
                                                                     client: httpx.AsyncClient) -> None:
    person = await citizen("370102")
    application = await submit(gql, client, person)
    states = by_item(application)
    # 出生医学证明 by its rule, which issued the licence 出生登记's rule reads: decided too, in the same request.
    assert states[CERTIFICATE] == ("APPROVED", "RULE", "出生信息与医院接生记录一致")
    assert states[HUKOU] == ("APPROVED", "RULE", "父母户籍核验")
    # The items after it have no rule: they wait for a handler.
    assert {s for code, s in states.items() if code not in (CERTIFICATE, HUKOU)} == {("SUBMITTED", None, None)}
    certificate = next(t for t in application["tasks"] if t["item"]["code"] == CERTIFICATE)
    assert certificate["note"] == "出生信息与医院接生记录一致：自动核验通过，无需人工审批"
    entry = await AuditEntry.get(action="task.approve", target=f"task:{certificate['id']}")
    assert entry.actor == "rule:出生信息与医院接生记录一致" and entry.actor_account_id is None
    assert entry.detail["facts"] == [{"condition": {"residentOf": "370100"}, "fact": "370102", "holds": True}]


async def test_a_rule_that_does_not_hold_leaves_the_task_to_a_person(ruled: None, gql: Any,
                                                                    client: httpx.AsyncClient) -> None:
    person = await citizen("370202")  # registered in Qingdao
    application = await submit(gql, client, person)
    assert by_item(application)[CERTIFICATE] == ("SUBMITTED", None, None)
    task = next(t for t in application["tasks"] if t["item"]["code"] == CERTIFICATE)
    declined = await AuditEntry.get(action="task.rule_declined", target=f"task:{task['id']}")
    assert declined.detail["facts"] == [{"condition": {"residentOf": "370100"}, "fact": "370202", "holds": False}]
    # The handler approves by hand: decided by a person; 出生登记 then starts and its own rule decides it.
    token = await handler("370100-WJW")
    accepted = (await gql(ACCEPT, {"id": task["id"], "v": task["version"]}, token=token))["data"]["acceptTask"]
    approved = (await gql(APPROVE, {"id": task["id"], "v": accepted["version"]}, token=token))["data"]["approveTask"]
    assert approved["status"] == "APPROVED"
    row = await Task.get(id=int(task["id"]))
    assert (row.decided_by.value, row.rule) == ("PERSON", None)
    hukou = await Task.get(application_id=int(application["id"]), item__code=HUKOU)
    assert (hukou.status.value, hukou.decided_by.value, hukou.rule) == ("APPROVED", "RULE", "父母户籍核验")


async def test_an_approval_offers_what_the_applicant_now_qualifies_for(ruled: None, gql: Any,
                                                                      client: httpx.AsyncClient) -> None:
    person = await citizen("370102")
    await licences.issue(person["id"], "RESIDENT_ID_CARD", "370000-GAT", {})
    application = await submit(gql, client, person)
    offers = (await gql(OFFERS, token=person["token"]))["data"]["me"]["offers"]
    assert [(o["reason"], o["status"], o["bundle"]["code"], o["sourceApplication"]["id"]) for o in offers] == [
        ("查询全家的社保医保参保情况", "OPEN", "social-insurance-enquiry", application["id"]),
        ("孩子已落户，可为其申领社保卡", "OPEN", "social-security-card-services", application["id"])]
    card, enquiry = offers[1], offers[0]
    # What the newborn form already said and the offered form asks again.
    assert card["formValues"]["delivery.method"] == "MAIL" and "ssCard.bank" not in card["formValues"]
    shown = (await gql("query($id: ID!) { application(id: $id) { offers { id } } }", {"id": application["id"]},
                       token=person["token"]))["data"]["application"]["offers"]
    assert {o["id"] for o in shown} == {card["id"], enquiry["id"]}
    # A second approval of the same kind does not offer them twice while they are open.
    await submit(gql, client, person)
    assert await Offer.filter(account_id=person["id"], status=OfferStatus.OPEN).count() == 2
    # Nobody else can answer them or sees them.
    stranger = await citizen("370102")
    assert (await gql(DECLINE_OFFER, {"id": card["id"]}, token=stranger["token"]))["data"][
        "declineOffer"] == {"__typename": "NotFound", "code": "NOT_FOUND"}
    assert (await gql("query($id: ID!) { application(id: $id) { offers { id } } }", {"id": application["id"]},
                      token=await handler("370100-WJW")))["data"]["application"]["offers"] == []
    # One tap where everything is known: the enquiry is applied for at once.
    accepted = (await gql(ACCEPT_OFFER, {"id": enquiry["id"]}, token=person["token"]))["data"]["acceptOffer"]
    assert accepted["__typename"] == "Application" and accepted["bundle"]["code"] == "social-insurance-enquiry"
    again = (await gql(ACCEPT_OFFER, {"id": enquiry["id"]}, token=person["token"]))["data"]["acceptOffer"]
    assert again["id"] == accepted["id"]
    assert (await gql(DECLINE_OFFER, {"id": enquiry["id"]}, token=person["token"]))["data"][
        "declineOffer"] == {"__typename": "Conflict", "code": "OFFER_ANSWERED"}
    # Where something is missing, the tap names it, and the offer stays open for the form.
    missing = (await gql(ACCEPT_OFFER, {"id": card["id"]}, token=person["token"]))["data"]["acceptOffer"]
    assert missing["__typename"] == "FormInvalid"
    assert {"field": "ssCard.bank", "code": "REQUIRED"} in missing["errors"]
    assert [o["id"] for o in (await gql(OFFERS, token=person["token"]))["data"]["me"]["offers"]] == [card["id"]]


async def test_an_offer_can_be_declined_once(ruled: None, gql: Any, client: httpx.AsyncClient) -> None:
    person = await citizen("370102")
    await submit(gql, client, person)
    offer = (await gql(OFFERS, token=person["token"]))["data"]["me"]["offers"][0]
    declined = (await gql(DECLINE_OFFER, {"id": offer["id"]}, token=person["token"]))["data"]["declineOffer"]
    assert declined == {"__typename": "Offer", "id": offer["id"], "status": "DECLINED"}
    assert (await gql(DECLINE_OFFER, {"id": offer["id"]}, token=person["token"]))["data"]["declineOffer"][
        "__typename"] == "Offer"
    assert (await gql(ACCEPT_OFFER, {"id": offer["id"]}, token=person["token"]))["data"]["acceptOffer"] == {
        "__typename": "Conflict", "code": "OFFER_ANSWERED"}
    assert offer["id"] not in [o["id"] for o in (await gql(OFFERS, token=person["token"]))["data"]["me"]["offers"]]


async def test_an_offer_whose_condition_fails_is_not_made(empty_database: str, gql: Any,
                                                          client: httpx.AsyncClient) -> None:
    raw = ruled_catalog()
    next(i for i in raw["items"] if i["code"] == HUKOU)["offers"][0]["when"] = [{"ageAtLeast": 80}]
    await seed_catalog(parse_catalog(raw))
    person = await citizen("370102")  # born 1990
    application = await submit(gql, client, person)
    assert by_item(application)[HUKOU][0] == "APPROVED"
    offered = (await gql(OFFERS, token=person["token"]))["data"]["me"]["offers"]
    assert [o["bundle"]["code"] for o in offered] == ["social-insurance-enquiry"]  # the one without a condition


ACCEPT_OFFER_WITH = """mutation($id: ID!, $values: JSON, $materials: [MaterialInput!]) {
  acceptOffer(id: $id, channel: MOBILE, formValues: $values, materials: $materials) { __typename
    ... on Application { id bundle { code } formValues materials { code source } }
    ... on FormInvalid { errors { field code } } ... on Conflict { code } } }"""
APPLICATION_OFFERS = "query($id: ID!) { application(id: $id) { offers { id formValues } } }"


async def test_an_offer_the_tap_could_not_complete_is_accepted_with_the_answers_of_its_form(
        ruled: None, gql: Any, client: httpx.AsyncClient) -> None:
    person = await citizen("370102")
    await licences.issue(person["id"], "RESIDENT_ID_CARD", "370000-GAT", {})
    source = await submit(gql, client, person)
    card = next(o for o in (await gql(OFFERS, token=person["token"]))["data"]["me"]["offers"]
                if o["bundle"]["code"] == "social-security-card-services")
    # The application that made it shows it as me.offers does, with the values its form opens with.
    made = (await gql(APPLICATION_OFFERS, {"id": source["id"]}, token=person["token"]))["data"]["application"]
    assert {"id": card["id"], "formValues": card["formValues"]} in made["offers"]
    missing = (await gql(ACCEPT_OFFER, {"id": card["id"]}, token=person["token"]))["data"]["acceptOffer"]
    assert missing["__typename"] == "FormInvalid"
    fields = {e["field"] for e in missing["errors"] if not e["field"].startswith("materials.")}
    materials = [e["field"].removeprefix("materials.") for e in missing["errors"]
                 if e["field"].startswith("materials.")]
    assert "ssCard.bank" in fields
    # Not an object: the form's own check says so, and the offer stays open.
    wrong = (await gql(ACCEPT_OFFER_WITH, {"id": card["id"], "values": ["ICBC"]}, token=person["token"]))["data"][
        "acceptOffer"]
    assert wrong == {"__typename": "FormInvalid", "errors": [{"field": "formValues", "code": "NOT_AN_OBJECT"}]}
    # Only what was missing is sent: the offer's own values (delivery.method from the newborn form) stay.
    answers = {"ssCard.bank": "ICBC", **{key: "经十路100号" for key in fields - {"ssCard.bank"}}}
    uploads = [{"code": code, "fileId": await upload(client, person["token"])} for code in materials]
    accepted = (await gql(ACCEPT_OFFER_WITH, {"id": card["id"], "values": answers, "materials": uploads},
                          token=person["token"]))["data"]["acceptOffer"]
    assert accepted["__typename"] == "Application", accepted
    assert accepted["bundle"]["code"] == "social-security-card-services"
    assert accepted["formValues"]["ssCard.bank"] == "ICBC"
    assert accepted["formValues"]["delivery.method"] == card["formValues"]["delivery.method"] == "MAIL"
    assert sorted(m["code"] for m in accepted["materials"] if m["source"] == "UPLOAD") == sorted(materials)
    row = await Offer.get(id=int(card["id"]))
    assert (row.status, row.accepted_application_id) == (OfferStatus.ACCEPTED, int(accepted["id"]))
    # Another tap answers with the same application, whatever it sends.
    again = (await gql(ACCEPT_OFFER_WITH, {"id": card["id"], "values": {"ssCard.bank": "BOC"}},
                       token=person["token"]))["data"]["acceptOffer"]
    assert (again["__typename"], again["id"], again["formValues"]["ssCard.bank"]) == ("Application", accepted["id"],
                                                                                     "ICBC")
