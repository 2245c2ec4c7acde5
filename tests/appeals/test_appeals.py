"""The appeals zone over GraphQL: channels, routing and the 2115 clock, 退单 both ways, reopen, escalation,
meeting topics, similar appeals, privacy."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from portal.appeals import rules, similarity
from portal.appeals.models import Appeal
from portal.audit.rules import Actor
from portal.events import Event
from portal.identity.models import Account, AccountKind, Role
from portal.identity.principal import Principal
from portal.workdays import SHANGHAI, WorkCalendar
from tests.applications.support import handler
from tests.helpers import new_credit_code
from tests.identity.test_accounts import register
from tests.identity.test_delegation import GRANT_AGENT, enterprise

FIELDS = """__typename
  ... on Appeal { id status channel category urgency title enterpriseName maskedCreditCode regionCode departmentCode
                  returnReason satisfied rating reopened escalatedAt meetingTopicAt mergedInto onTime
                  sla { contactBy opinionBy resolveBy provisional } steps { action actor note } }
  ... on FormInvalid { errors { field code } }
  ... on PermissionDenied { code }
  ... on NotFound { code }
  ... on Conflict { code message }"""
SUBMIT = f"mutation($input: SubmitAppealInput!) {{ submitAppeal(input: $input) {{ {FIELDS} }} }}"
HOTLINE = f"mutation($input: RecordHotlineAppealInput!) {{ recordHotlineAppeal(input: $input) {{ {FIELDS} }} }}"
ASSIGN = f"mutation($id: ID!, $d: String!) {{ assignAppeal(id: $id, departmentCode: $d) {{ {FIELDS} }} }}"
RETURN = f"mutation($id: ID!, $r: String!) {{ returnAppeal(id: $id, reason: $r) {{ {FIELDS} }} }}"
KEEP = f"mutation($id: ID!, $r: String!) {{ rejectAppealReturn(id: $id, reason: $r) {{ {FIELDS} }} }}"
CONTACT = f"mutation($id: ID!) {{ recordAppealContact(id: $id) {{ {FIELDS} }} }}"
OPINION = f"mutation($id: ID!, $o: String!) {{ giveAppealOpinion(id: $id, opinion: $o) {{ {FIELDS} }} }}"
RESOLVE = f"mutation($id: ID!, $s: String!) {{ resolveAppeal(id: $id, summary: $s) {{ {FIELDS} }} }}"
CONFIRM = (f"mutation($id: ID!, $ok: Boolean!, $r: Int!, $c: String) {{ confirmAppeal(id: $id, satisfied: $ok, "
           f"rating: $r, comment: $c) {{ {FIELDS} }} }}")
ESCALATE = f"mutation($id: ID!, $r: String!) {{ escalateAppeal(id: $id, reason: $r) {{ {FIELDS} }} }}"
TOPIC = f"mutation($id: ID!, $r: String!) {{ listAppealAsMeetingTopic(id: $id, reason: $r) {{ {FIELDS} }} }}"
MERGE = f"mutation($id: ID!, $into: ID!) {{ mergeAppeal(id: $id, intoId: $into) {{ {FIELDS} }} }}"
APPEAL = "query($id: ID!) { appeal(id: $id) { id status title } }"
MY_APPEALS = "{ me { appeals(first: 20) { totalCount edges { node { id } } } } }"
CONTENT = "我公司申请的新能源汽车购置补贴已超过三个月仍未兑现，多次咨询未获明确答复，影响企业资金周转。"


async def step(gql: Any, document: str, token: str, **variables: Any) -> dict[str, Any]:
    body = await gql(document, variables, token=token)
    assert "errors" not in body, body
    return next(iter(body["data"].values()))


async def file(gql: Any, token: str, **overrides: Any) -> dict[str, Any]:
    result = await step(gql, SUBMIT, token, input={"title": "新能源汽车购置补贴迟迟未兑现", "content": CONTENT,
                                                   "category": "POLICY", "idempotencyKey": str(uuid.uuid4()),
                                                   **overrides})
    assert result["__typename"] == "Appeal", result
    return result


async def coordinator() -> str:
    return await handler("370000-DSJJ", role=Role.APPEALS_COORDINATOR)


async def routed(gql: Any, company: dict[str, Any], unit: str = "370100-SCJGJ") -> tuple[dict[str, Any], str]:
    appeal = await file(gql, company["token"])
    assigned = await step(gql, ASSIGN, await coordinator(), id=appeal["id"], d=unit)
    assert assigned["status"] == "ASSIGNED", assigned
    return assigned, await handler(unit)


async def test_an_enterprise_files_online_and_sees_it(gql: Any) -> None:
    company = await enterprise(gql)
    appeal = await file(gql, company["token"])
    assert (appeal["status"], appeal["channel"], appeal["urgency"]) == ("RECEIVED", "ONLINE", "GENERAL")
    assert appeal["enterpriseName"] == "山东齐鲁运输有限公司" and appeal["regionCode"] == "370100"
    assert appeal["sla"] is None and appeal["onTime"] == {"contact": None, "opinion": None, "resolve": None}
    assert [s["action"] for s in appeal["steps"]] == ["received"]
    mine = (await gql(MY_APPEALS, token=company["token"]))["data"]["me"]["appeals"]
    assert [e["node"]["id"] for e in mine["edges"]] == [appeal["id"]]


async def test_the_same_key_files_one_appeal(gql: Any) -> None:
    company = await enterprise(gql)
    request = {"title": "新能源汽车购置补贴迟迟未兑现", "content": CONTENT, "category": "POLICY", "idempotencyKey": "a1"}
    first = await step(gql, SUBMIT, company["token"], input=request)
    again = await step(gql, SUBMIT, company["token"], input=request)
    assert again["id"] == first["id"]
    other = await step(gql, SUBMIT, company["token"], input={**request, "category": "TAX"})
    assert other["code"] == "IDEMPOTENCY_KEY_REUSED"


async def test_bad_appeals_are_refused_field_by_field(gql: Any) -> None:
    company = await enterprise(gql)
    result = await step(gql, SUBMIT, company["token"], input={"title": "补贴", "content": "太慢", "category": "POLICY",
                                                              "idempotencyKey": "b"})
    assert result["errors"] == [{"field": "title", "code": "TOO_SHORT"}, {"field": "content", "code": "TOO_SHORT"}]
    hotline = await step(gql, SUBMIT, company["token"], input={"title": "新能源汽车购置补贴迟迟未兑现",
                                                               "content": CONTENT, "category": "POLICY",
                                                               "channel": "HOTLINE", "idempotencyKey": "c"})
    assert hotline["errors"] == [{"field": "channel", "code": "BAD_CHANNEL"}]


async def test_an_agent_files_for_the_enterprise_and_a_stranger_cannot(gql: Any) -> None:
    company = await enterprise(gql)
    employee, stranger = await register(gql), await register(gql)
    await gql(GRANT_AGENT, {"idNumber": employee["idNumber"]}, token=company["token"])
    credit_code = (await Account.get(id=int(company["account"]["id"]))).credit_code
    appeal = await file(gql, employee["token"], creditCode=credit_code)
    assert appeal["maskedCreditCode"] == f"{credit_code[:8]}********{credit_code[-2:]}"
    refused = await step(gql, SUBMIT, stranger["token"], input={
        "title": "新能源汽车购置补贴迟迟未兑现", "content": CONTENT, "category": "POLICY", "idempotencyKey": "x",
        "creditCode": credit_code})
    assert refused == {"__typename": "PermissionDenied", "code": "NOT_AUTHORISED"}


async def test_the_96178_seat_records_for_an_enterprise_without_an_account(gql: Any) -> None:
    seat = await coordinator()
    code = new_credit_code()
    missing = await step(gql, HOTLINE, seat, input={"creditCode": code, "title": "企业用电报装审批时间过长",
                                                    "content": CONTENT, "category": "ENERGY", "channel": "HOTLINE",
                                                    "idempotencyKey": "h1"})
    assert missing["errors"] == [{"field": "enterpriseName", "code": "REQUIRED"}]
    recorded = await step(gql, HOTLINE, seat, input={"creditCode": code, "enterpriseName": "济南某某机械有限公司",
                                                     "title": "企业用电报装审批时间过长", "content": CONTENT,
                                                     "category": "ENERGY", "channel": "VISIT", "urgency": "URGENT",
                                                     "idempotencyKey": "h2"})
    assert (recorded["channel"], recorded["urgency"], recorded["enterpriseName"]) == ("VISIT", "URGENT",
                                                                                      "济南某某机械有限公司")
    bad = await step(gql, HOTLINE, seat, input={"creditCode": "91370100MA3C5XXXXX", "title": "企业用电报装审批时间过长",
                                                "content": CONTENT, "category": "ENERGY", "channel": "ONLINE",
                                                "idempotencyKey": "h3"})
    assert [e["field"] for e in bad["errors"]] == ["channel", "creditCode", "enterpriseName"]
    company = await enterprise(gql)
    denied = await step(gql, HOTLINE, company["token"], input={
        "creditCode": code, "enterpriseName": "x公司", "title": "企业用电报装审批时间过长", "content": CONTENT,
        "category": "ENERGY", "channel": "HOTLINE", "idempotencyKey": "h4"})
    assert denied == {"__typename": "PermissionDenied", "code": "COORDINATORS_ONLY"}


async def test_routing_fixes_the_2115_plan_at_receipt(gql: Any) -> None:
    company = await enterprise(gql)
    appeal = await file(gql, company["token"])
    before = datetime.now(timezone.utc)
    assigned = await step(gql, ASSIGN, await coordinator(), id=appeal["id"], d="370100-SCJGJ")
    row = await Appeal.get(id=int(appeal["id"]))
    assert before <= row.received_at <= datetime.now(timezone.utc)
    plan = WorkCalendar().sla_plan(row.received_at)
    assert assigned["sla"] == {"contactBy": plan.contact_by.isoformat(), "opinionBy": plan.opinion_by.isoformat(),
                               "resolveBy": plan.resolve_by.isoformat(), "provisional": plan.provisional}
    unknown = await step(gql, ASSIGN, await coordinator(), id=appeal["id"], d="370100-NOPE")
    assert unknown["errors"] == [{"field": "departmentCode", "code": "UNKNOWN_DEPARTMENT"}]
    assert (await step(gql, ASSIGN, company["token"], id=appeal["id"], d="370100-SCJGJ"))["code"] == "NOT_FOUND"


async def test_the_clock_around_national_day(gql: Any) -> None:
    company = await enterprise(gql)
    appeal = await file(gql, company["token"])
    seat = Principal(account_id=0, kind=AccountKind.STAFF, name="专席", role=Role.APPEALS_COORDINATOR, department_code=None,
                     region_code="370000", session_id=0, expires_at=datetime.now(timezone.utc))
    received = datetime(2025, 9, 30, 16, 20, tzinfo=SHANGHAI)
    row = await rules.assign(seat, Actor(None, "test"), WorkCalendar(), int(appeal["id"]), "370100-SCJGJ",
                             now=received)
    assert row.contact_by.astimezone(SHANGHAI).isoformat() == "2025-09-30T18:20:00+08:00"
    assert row.opinion_by.astimezone(SHANGHAI).isoformat() == "2025-10-09T23:59:59+08:00"
    assert row.resolve_by.astimezone(SHANGHAI).isoformat() == "2025-10-28T23:59:59+08:00"
    assert row.provisional is False


async def test_the_2115_steps_then_a_satisfied_confirmation_close_it(gql: Any) -> None:
    company = await enterprise(gql)
    appeal, unit = await routed(gql, company)
    assert (await step(gql, OPINION, unit, id=appeal["id"], o="已核实情况"))["code"] == "INVALID_TRANSITION"
    contacted = await step(gql, CONTACT, unit, id=appeal["id"])
    assert contacted["status"] == "CONTACTED" and contacted["onTime"]["contact"] is True
    opinion = await step(gql, OPINION, unit, id=appeal["id"], o="补贴资金已在拨付流程中，预计5个工作日到账")
    assert opinion["status"] == "OPINION_GIVEN"
    resolved = await step(gql, RESOLVE, unit, id=appeal["id"], s="补贴资金已拨付到企业账户")
    assert resolved["status"] == "RESOLVED" and resolved["onTime"] == {"contact": True, "opinion": True,
                                                                       "resolve": True}
    closed = await step(gql, CONFIRM, company["token"], id=appeal["id"], ok=True, r=5, c="办理及时")
    assert (closed["status"], closed["satisfied"], closed["rating"]) == ("CLOSED", True, 5)
    assert [s["action"] for s in closed["steps"]] == ["received", "assigned", "contacted", "opinion_given",
                                                      "resolved", "confirmed"]
    events = await Event.filter(stream=f"appeal:{appeal['id']}").order_by("seq").values_list("seq", "kind")
    assert [k for _, k in events] == ["appeal.received", "appeal.assigned", "appeal.contacted",
                                      "appeal.opinion_given", "appeal.resolved", "appeal.confirmed"]


async def test_an_unsatisfied_confirmation_reopens_with_a_new_15_day_clock(gql: Any) -> None:
    company = await enterprise(gql)
    appeal, unit = await routed(gql, company)
    await step(gql, CONTACT, unit, id=appeal["id"])
    await step(gql, OPINION, unit, id=appeal["id"], o="补贴资金已在拨付流程中")
    await step(gql, RESOLVE, unit, id=appeal["id"], s="已答复企业")
    bad = await step(gql, CONFIRM, company["token"], id=appeal["id"], ok=False, r=0)
    assert bad["errors"] == [{"field": "rating", "code": "OUT_OF_RANGE"}]
    today = datetime.now(SHANGHAI).date()
    reopened = await step(gql, CONFIRM, company["token"], id=appeal["id"], ok=False, r=2, c="资金仍未到账")
    assert (reopened["status"], reopened["reopened"], reopened["satisfied"]) == ("OPINION_GIVEN", 1, False)
    expected, _ = WorkCalendar().deadline(today, 15)
    assert datetime.fromisoformat(reopened["sla"]["resolveBy"]) == expected
    assert reopened["departmentCode"] == "370100-SCJGJ"
    again = await step(gql, RESOLVE, unit, id=appeal["id"], s="资金已到账，经企业确认")
    assert again["status"] == "RESOLVED"


async def test_a_return_upheld_gets_a_new_unit_and_clock_rejected_keeps_the_old(gql: Any) -> None:
    company = await enterprise(gql)
    appeal, unit = await routed(gql, company)
    returned = await step(gql, RETURN, unit, id=appeal["id"], r="不属于本单位职责，应由税务部门办理")
    assert (returned["status"], returned["returnReason"]) == ("RETURNED", "不属于本单位职责，应由税务部门办理")
    seat = await coordinator()
    kept = await step(gql, KEEP, seat, id=appeal["id"], r="属于市场监管职责")
    assert kept["status"] == "ASSIGNED" and kept["sla"] == appeal["sla"]
    await step(gql, RETURN, unit, id=appeal["id"], r="确属税务职责")
    moved = await step(gql, ASSIGN, seat, id=appeal["id"], d="370100-SWJ")
    assert moved["departmentCode"] == "370100-SWJ" and moved["sla"]["contactBy"] >= appeal["sla"]["contactBy"]
    assert (await step(gql, CONTACT, unit, id=appeal["id"]))["code"] == "NOT_FOUND"
    assert (await step(gql, CONTACT, await handler("370100-SWJ"), id=appeal["id"]))["status"] == "CONTACTED"


async def test_a_return_after_the_contact_window_is_refused(gql: Any) -> None:
    company = await enterprise(gql)
    appeal, unit = await routed(gql, company)
    await Appeal.filter(id=int(appeal["id"])).update(contact_by=datetime.now(timezone.utc) - timedelta(minutes=1))
    late = await step(gql, RETURN, unit, id=appeal["id"], r="不属于本单位职责")
    assert late["code"] == "RETURN_WINDOW_CLOSED"


async def test_one_enterprise_never_sees_anothers_appeal(gql: Any) -> None:
    company, other = await enterprise(gql), await enterprise(gql)
    appeal, unit = await routed(gql, company)
    assert (await gql(APPEAL, {"id": appeal["id"]}, token=other["token"]))["data"]["appeal"] is None
    assert (await gql(APPEAL, {"id": appeal["id"]}))["data"]["appeal"] is None
    assert (await gql(APPEAL, {"id": appeal["id"]}, token=await handler("370100-SWJ")))["data"]["appeal"] is None
    assert (await gql(APPEAL, {"id": appeal["id"]}, token=unit))["data"]["appeal"]["id"] == appeal["id"]
    for document, variables in ((CONFIRM, {"ok": True, "r": 5}), (CONTACT, {}), (RETURN, {"r": "不属于"})):
        result = await step(gql, document, other["token"], id=appeal["id"], **variables)
        assert result["code"] == "NOT_FOUND", document
    assert (await gql(MY_APPEALS, token=other["token"]))["data"]["me"]["appeals"]["totalCount"] == 0


async def test_escalation_and_meeting_topics_by_the_regions_supervisor(gql: Any) -> None:
    company = await enterprise(gql)
    appeal, unit = await routed(gql, company)
    jinan = await handler("370100-SCJGJ", role=Role.SUPERVISOR)
    qingdao = await handler("370200-SCJGJ", role=Role.SUPERVISOR)
    escalated = await step(gql, ESCALATE, jinan, id=appeal["id"], r="企业反映强烈，请加快办理")
    assert escalated["escalatedAt"] is not None
    alerts = await Event.filter(stream="alerts:department:370100-SCJGJ", kind="ESCALATED").count()
    assert alerts >= 1
    topic = await step(gql, TOPIC, jinan, id=appeal["id"], r="涉及跨部门政策调整，部门无法单独解决")
    assert topic["meetingTopicAt"] is not None
    listed = await gql("{ meetingTopics(regionCode: \"370100\") { totalCount edges { node { id } } } }", token=jinan)
    assert appeal["id"] in [e["node"]["id"] for e in listed["data"]["meetingTopics"]["edges"]]
    for outsider in (company["token"], qingdao):
        assert (await step(gql, ESCALATE, outsider, id=appeal["id"], r="加快办理"))["code"] == "NOT_FOUND"


async def test_similar_appeals_are_offered_and_merged_without_losing_either(gql: Any) -> None:
    first, second = await enterprise(gql), await enterprise(gql)
    original = await file(gql, first["token"])
    duplicate = await file(gql, second["token"], title="购置补贴一直没有兑现")
    seat = await coordinator()
    similar = await gql("query($id: ID!) { similarAppeals(id: $id) { score appeal { id } } }", {"id": duplicate["id"]},
                        token=seat)
    found = similar["data"]["similarAppeals"]
    assert original["id"] in [s["appeal"]["id"] for s in found]
    assert all(s["score"] >= similarity.THRESHOLD for s in found)
    merged = await step(gql, MERGE, seat, id=duplicate["id"], into=original["id"])
    assert (merged["status"], merged["mergedInto"]) == ("MERGED", original["id"])
    theirs = (await gql(APPEAL, {"id": duplicate["id"]}, token=second["token"]))["data"]["appeal"]
    assert theirs == {"id": duplicate["id"], "status": "MERGED", "title": "购置补贴一直没有兑现"}
    assert (await gql(APPEAL, {"id": original["id"]}, token=first["token"]))["data"]["appeal"]["status"] == "RECEIVED"


async def test_attachments_as_for_applications(gql: Any, client: Any) -> None:
    from tests.applications.support import upload

    company, other = await enterprise(gql), await enterprise(gql)
    photo = await upload(client, company["token"], name="现场照片.pdf")
    appeal = await file(gql, company["token"], attachments=[photo])
    detail = await gql("query($id: ID!) { appeal(id: $id) { attachments { fileId name mediaType } } }",
                       {"id": appeal["id"]}, token=company["token"])
    assert detail["data"]["appeal"]["attachments"] == [{"fileId": photo, "name": "现场照片.pdf",
                                                        "mediaType": "application/pdf"}]
    foreign = await step(gql, SUBMIT, other["token"], input={
        "title": "新能源汽车购置补贴迟迟未兑现", "content": CONTENT, "category": "POLICY", "idempotencyKey": "att",
        "attachments": [photo]})
    assert foreign["errors"] == [{"field": "attachments", "code": "UNKNOWN_FILE"}]
    await step(gql, ASSIGN, await coordinator(), id=appeal["id"], d="370100-SCJGJ")
    unit = await handler("370100-SCJGJ")
    assert (await client.get(f"/uploads/{photo}", headers={"authorization": f"Bearer {unit}"})).status_code == 200
    for outsider in (other["token"], await handler("370100-SWJ")):
        response = await client.get(f"/uploads/{photo}", headers={"authorization": f"Bearer {outsider}"})
        assert response.status_code == 404


async def test_steps_name_their_actors_as_people_read_them(database_url: str) -> None:
    """The step list says who acted by name (the account's), the deadline sweep as 系统; the audit label stays."""
    account = await Account.filter(kind=AccountKind.STAFF).first()
    assert account is not None
    names = await rules.actor_names([f"staff:{account.id}", "system", "staff:2147483647"])
    assert names == {f"staff:{account.id}": account.name, "system": "系统", "staff:2147483647": "staff:2147483647"}
