"""The executive meeting (常务会议) over GraphQL: a supervisor convenes it, schedules listed topics, invites
entrepreneurs (列席), records decisions; the enterprises are told on their streams and read the outcome; the
decision's deadline is swept once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from portal.appeals.models import DeadlineMiss, SlaStep
from portal.appeals.sweep import sweep
from portal.catalog.seed import seed_catalog
from portal.catalog.source import read_catalog
from portal.events import Event
from portal.identity.models import Account, Role
from portal.oversight.models import MeetingTopic
from portal.workdays import SHANGHAI, WorkCalendar
from tests.appeals.test_appeals import TOPIC, routed, step
from tests.appeals.test_sweep_and_figures import appeal as appeal_row
from tests.applications.support import handler
from tests.helpers import new_credit_code
from tests.identity.test_delegation import enterprise

ERRORS = """... on FormInvalid { errors { field code } }
  ... on PermissionDenied { code }
  ... on NotFound { code }
  ... on Conflict { code message }"""
MEETING_FIELDS = """__typename
  ... on ExecutiveMeeting { id title sessionNumber heldOn regionCode
      topics { id appealId decision } invitations { enterpriseName maskedCreditCode } }
  """ + ERRORS
TOPIC_FIELDS = """__typename
  ... on MeetingTopic { id appealId appealTitle reason decision decidedAt responsibleDepartmentCode carryOutDays
      carryOutBy carriedOutAt meeting { id title } }
  """ + ERRORS
CREATE = f"""mutation($input: CreateExecutiveMeetingInput!) {{
  createExecutiveMeeting(input: $input) {{ {MEETING_FIELDS} }} }}"""
SCHEDULE = f"""mutation($topic: ID!, $meeting: ID!) {{
  scheduleMeetingTopic(topicId: $topic, meetingId: $meeting) {{ {TOPIC_FIELDS} }} }}"""
DECIDE = f"""mutation($input: RecordMeetingDecisionInput!) {{
  recordMeetingDecision(input: $input) {{ {TOPIC_FIELDS} }} }}"""
CARRIED_OUT = f"""mutation($topic: ID!, $note: String!) {{
  reportMeetingDecisionCarriedOut(topicId: $topic, note: $note) {{ {TOPIC_FIELDS} }} }}"""
INVITE = f"""mutation($meeting: ID!, $codes: [String!], $topics: Boolean! = false) {{
  inviteToMeeting(meetingId: $meeting, creditCodes: $codes, topicEnterprises: $topics) {{ {MEETING_FIELDS} }} }}"""
UNSCHEDULED = """query($region: String!) { unscheduledMeetingTopics(regionCode: $region, first: 50) {
  edges { node { id appealId } } } }"""
MEETING = "query($id: ID!) { executiveMeeting(id: $id) { id title } }"
INVITATIONS = """{ me { meetingInvitations { enterpriseName meeting { id title sessionNumber }
  topics { id title ownAppeal decision responsibleDepartmentCode carryOutBy } } } }"""
APPEAL_TOPIC = """query($id: ID!) { appeal(id: $id) { meetingTopic { id decision decidedAt responsibleDepartmentCode
  carryOutBy meeting { title } } steps { action } } }"""
DECISION = "由省发展改革委牵头，会同财政厅在10个工作日内完成补贴资金拨付。"


def meeting_input(**overrides: Any) -> dict[str, Any]:
    return {"title": "济南市政府常务会议", "sessionNumber": "第42次", "heldOn": "2026-12-03", "regionCode": "370100",
            "idempotencyKey": str(uuid.uuid4()), **overrides}


async def listed(gql: Any, company: dict[str, Any], supervisor: str) -> tuple[dict[str, Any], str]:
    """An appeal of ``company`` routed, then listed as a meeting topic by ``supervisor``: (appeal, topic id)."""
    appeal, _ = await routed(gql, company)
    await step(gql, TOPIC, supervisor, id=appeal["id"], r="多部门职责交叉，需常务会议研究")
    edges = (await gql(UNSCHEDULED, {"region": "370100"}, token=supervisor))["data"]["unscheduledMeetingTopics"][
        "edges"]
    [topic] = [e["node"]["id"] for e in edges if e["node"]["appealId"] == appeal["id"]]
    return appeal, topic


async def stream_kinds(stream: str) -> list[str]:
    return [e.kind for e in await Event.filter(stream=stream).order_by("seq")]


async def test_a_meeting_decides_a_topic_and_the_invited_enterprises_read_the_outcome(gql: Any) -> None:
    supervisor = await handler("370100-SCJGJ", role=Role.SUPERVISOR)
    company, guest = await enterprise(gql), await enterprise(gql)
    appeal, topic = await listed(gql, company, supervisor)
    meeting = await step(gql, CREATE, supervisor, input=meeting_input())
    assert (meeting["__typename"], meeting["sessionNumber"], meeting["topics"]) == ("ExecutiveMeeting", "第42次", [])

    scheduled = await step(gql, SCHEDULE, supervisor, topic=topic, meeting=meeting["id"])
    assert scheduled["meeting"] == {"id": meeting["id"], "title": "济南市政府常务会议"}
    assert scheduled["reason"] == "多部门职责交叉，需常务会议研究"
    unscheduled = (await gql(UNSCHEDULED, {"region": "370100"}, token=supervisor))["data"]
    assert topic not in [e["node"]["id"] for e in unscheduled["unscheduledMeetingTopics"]["edges"]]

    company_code, guest_code = await credit_code_of(company), await credit_code_of(guest)
    invited = await step(gql, INVITE, supervisor, meeting=meeting["id"], codes=[guest_code], topics=True)
    assert sorted(i["enterpriseName"] for i in invited["invitations"]) == ["山东齐鲁运输有限公司"] * 2
    assert await stream_kinds(f"enterprise:{company_code}") == ["meeting.invited"]
    assert await stream_kinds(f"enterprise:{guest_code}") == ["meeting.invited"]
    again = await step(gql, INVITE, supervisor, meeting=meeting["id"], codes=[guest_code])
    assert len(again["invitations"]) == 2 and await stream_kinds(f"enterprise:{guest_code}") == ["meeting.invited"]

    seen = (await gql(INVITATIONS, token=guest["token"]))["data"]["me"]["meetingInvitations"]
    assert [(i["meeting"]["id"], [t["ownAppeal"] for t in i["topics"]], i["topics"][0]["decision"])
            for i in seen] == [(meeting["id"], [False], "")]

    decided = await step(gql, DECIDE, supervisor, input={"topicId": topic, "decision": DECISION,
                                                         "departmentCode": "370000-FGW", "carryOutDays": 10})
    today = datetime.now(timezone.utc).astimezone(SHANGHAI).date()
    due, _ = WorkCalendar().deadline(today, 10)
    assert decided["decision"] == DECISION and decided["responsibleDepartmentCode"] == "370000-FGW"
    assert datetime.fromisoformat(decided["carryOutBy"]) == due and decided["carryOutDays"] == 10
    assert await stream_kinds(f"enterprise:{company_code}") == ["meeting.invited", "meeting.decided"]
    assert await stream_kinds(f"enterprise:{guest_code}") == ["meeting.invited", "meeting.decided"]
    assert (await stream_kinds("alerts:department:370000-FGW"))[-1] == "meeting.decision"

    own = (await gql(APPEAL_TOPIC, {"id": appeal["id"]}, token=company["token"]))["data"]["appeal"]
    assert own["meetingTopic"]["decision"] == DECISION
    assert own["meetingTopic"]["meeting"] == {"title": "济南市政府常务会议"}
    assert [s["action"] for s in own["steps"]][-3:] == ["meeting_topic", "meeting_scheduled", "meeting_decision"]
    outcome = (await gql(INVITATIONS, token=guest["token"]))["data"]["me"]["meetingInvitations"][0]["topics"]
    assert [(t["decision"], t["responsibleDepartmentCode"]) for t in outcome] == [(DECISION, "370000-FGW")]
    assert (await gql(INVITATIONS, token=company["token"]))["data"]["me"]["meetingInvitations"][0]["topics"][0][
        "ownAppeal"] is True

    unit = await handler("370000-FGW")
    done = await step(gql, CARRIED_OUT, unit, topic=topic, note="补贴资金已于本周拨付到位。")
    assert done["carriedOutAt"] is not None
    twice = await step(gql, CARRIED_OUT, unit, topic=topic, note="补贴资金已于本周拨付到位。")
    assert twice == {"__typename": "Conflict", "code": "REPORT_SUBMITTED", "message": "已报告落实情况"}


async def credit_code_of(company: dict[str, Any]) -> str:
    return await Account.get(id=int(company["account"]["id"])).values_list("credit_code", flat=True)


async def test_only_the_regions_supervisors_convene_schedule_and_decide(gql: Any) -> None:
    jinan = await handler("370100-SCJGJ", role=Role.SUPERVISOR)
    qingdao = await handler("370200-SCJGJ", role=Role.SUPERVISOR)
    unit = await handler("370100-SCJGJ")
    company = await enterprise(gql)
    _, topic = await listed(gql, company, jinan)
    meeting = await step(gql, CREATE, jinan, input=meeting_input())
    for token in (qingdao, unit, company["token"]):
        refused = await step(gql, CREATE, token, input=meeting_input())
        assert (refused["__typename"], refused["code"]) == ("PermissionDenied", "NOT_AUTHORISED")
        assert (await step(gql, SCHEDULE, token, topic=topic, meeting=meeting["id"]))["__typename"] == "NotFound"
        assert (await gql(MEETING, {"id": meeting["id"]}, token=token))["data"]["executiveMeeting"] is None
        assert (await step(gql, INVITE, token, meeting=meeting["id"], topics=True))["__typename"] == "NotFound"
    qingdao_meeting = await step(gql, CREATE, qingdao, input=meeting_input(regionCode="370200", title="青岛市政府常务会议"))
    assert (await step(gql, SCHEDULE, jinan, topic=topic, meeting=qingdao_meeting["id"]))["__typename"] == "NotFound"
    province = await handler("370000-FGW", role=Role.SUPERVISOR)
    provincial = await step(gql, CREATE, province, input=meeting_input(regionCode="370000", title="省政府常务会议"))
    # The province's supervisors cover Jinan's topics; Jinan's meeting cannot take a topic of Qingdao.
    assert (await step(gql, SCHEDULE, province, topic=topic, meeting=provincial["id"]))["__typename"] == "MeetingTopic"
    await step(gql, SCHEDULE, jinan, topic=topic, meeting=meeting["id"])
    decision = {"topicId": topic, "decision": DECISION, "departmentCode": "370000-FGW", "carryOutDays": 5}
    assert (await step(gql, DECIDE, qingdao, input=decision))["__typename"] == "NotFound"
    assert (await step(gql, DECIDE, unit, input=decision))["__typename"] == "NotFound"
    assert (await step(gql, CARRIED_OUT, unit, topic=topic, note="已经全部落实完毕。"))["__typename"] == "NotFound"


async def test_bad_meetings_decisions_and_invitations_are_refused_field_by_field(gql: Any) -> None:
    supervisor = await handler("370100-SCJGJ", role=Role.SUPERVISOR)
    company = await enterprise(gql)
    _, topic = await listed(gql, company, supervisor)
    bad = await step(gql, CREATE, supervisor, input=meeting_input(title=" ", sessionNumber="", regionCode="3701",
                                                                  heldOn="1999-01-01", idempotencyKey=""))
    assert sorted((e["field"], e["code"]) for e in bad["errors"]) == [
        ("heldOn", "OUT_OF_RANGE"), ("idempotencyKey", "BAD_IDEMPOTENCY_KEY"), ("regionCode", "BAD_REGION"),
        ("sessionNumber", "REQUIRED"), ("title", "REQUIRED")]
    meeting = await step(gql, CREATE, supervisor, input=meeting_input(idempotencyKey="m-1"))
    assert (await step(gql, CREATE, supervisor, input=meeting_input(idempotencyKey="m-1")))["id"] == meeting["id"]
    reused = await step(gql, CREATE, supervisor, input=meeting_input(idempotencyKey="m-1", sessionNumber="第43次"))
    assert (reused["__typename"], reused["code"]) == ("Conflict", "IDEMPOTENCY_KEY_REUSED")

    decision = {"topicId": topic, "decision": DECISION, "departmentCode": "370000-FGW", "carryOutDays": 10}
    early = await step(gql, DECIDE, supervisor, input=decision)
    assert (early["__typename"], early["code"]) == ("Conflict", "TOPIC_NOT_SCHEDULED")
    await step(gql, SCHEDULE, supervisor, topic=topic, meeting=meeting["id"])
    wrong = await step(gql, DECIDE, supervisor, input={"topicId": topic, "decision": "好", "departmentCode": "NOPE",
                                                       "carryOutDays": 0})
    assert sorted((e["field"], e["code"]) for e in wrong["errors"]) == [
        ("carryOutDays", "OUT_OF_RANGE"), ("decision", "TOO_SHORT"), ("departmentCode", "UNKNOWN_DEPARTMENT")]
    assert (await step(gql, DECIDE, supervisor, input=decision))["__typename"] == "MeetingTopic"
    twice = await step(gql, DECIDE, supervisor, input=decision)
    assert (twice["__typename"], twice["code"]) == ("Conflict", "TOPIC_DECIDED")
    moved = await step(gql, SCHEDULE, supervisor, topic=topic, meeting=meeting["id"])
    assert (moved["__typename"], moved["code"]) == ("Conflict", "TOPIC_DECIDED")

    unknown = new_credit_code()
    refused = await step(gql, INVITE, supervisor, meeting=meeting["id"], codes=["12345", unknown])
    assert sorted((e["field"], e["code"]) for e in refused["errors"]) == [("creditCodes.0", "BAD_LENGTH")]
    refused = await step(gql, INVITE, supervisor, meeting=meeting["id"], codes=[unknown])
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [("creditCodes.0", "NO_ENTERPRISE_ACCOUNT")]
    empty = await step(gql, INVITE, supervisor, meeting=meeting["id"], codes=[])
    assert [(e["field"], e["code"]) for e in empty["errors"]] == [("creditCodes", "REQUIRED")]


async def test_two_supervisors_deciding_at_once_one_wins(gql: Any) -> None:
    supervisor = await handler("370100-SCJGJ", role=Role.SUPERVISOR)
    other = await handler("370100-SCJGJ", role=Role.SUPERVISOR)
    _, topic = await listed(gql, await enterprise(gql), supervisor)
    meeting = await step(gql, CREATE, supervisor, input=meeting_input())
    await step(gql, SCHEDULE, supervisor, topic=topic, meeting=meeting["id"])
    decision = {"topicId": topic, "decision": DECISION, "departmentCode": "370000-FGW", "carryOutDays": 5}
    results = await asyncio.gather(step(gql, DECIDE, supervisor, input=decision),
                                   step(gql, DECIDE, other, input={**decision, "carryOutDays": 8}))
    assert sorted(r["__typename"] for r in results) == ["Conflict", "MeetingTopic"]
    assert {r.get("code") for r in results} <= {None, "STALE_VERSION", "TOPIC_DECIDED"}
    [winner] = [r for r in results if r["__typename"] == "MeetingTopic"]
    assert (await MeetingTopic.get(id=int(topic))).carry_out_days == winner["carryOutDays"]


async def test_a_decision_not_carried_out_in_time_is_recorded_and_alerted_once(empty_database: str) -> None:
    await seed_catalog(read_catalog())
    now = datetime.now(timezone.utc)
    late_appeal, done_appeal = await appeal_row(), await appeal_row()
    late = await MeetingTopic.create(appeal_id=late_appeal.id, region_code="370102", listed_at=now,
                                     decision=DECISION, decided_at=now - timedelta(days=20),
                                     responsible_department_code="370000-FGW", carry_out_days=10,
                                     carry_out_by=now - timedelta(hours=1))
    await MeetingTopic.create(appeal_id=done_appeal.id, region_code="370102", listed_at=now, decision=DECISION,
                              decided_at=now - timedelta(days=20), responsible_department_code="370000-FGW",
                              carry_out_days=10, carry_out_by=now - timedelta(hours=1),
                              carried_out_at=now - timedelta(days=1))
    published = [e for e in await sweep(now) if e.payload["target"].startswith("decision:")]
    assert sorted(e.stream for e in published) == ["alerts:department:370000-FGW", "alerts:region:370000",
                                                   "alerts:region:370100", "alerts:region:370102"]
    assert {e.payload["step"] for e in published} == {"CARRY_OUT"}
    misses = await DeadlineMiss.filter(target_type="decision").values_list("target_id", "step")
    assert misses == [(late.id, SlaStep.CARRY_OUT)]
    assert [e for e in await sweep(now) if e.payload["target"].startswith("decision:")] == []
