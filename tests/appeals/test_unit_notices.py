"""通报 / 约谈 over GraphQL: the candidates by the configured thresholds, a notice with its computed figures, the
unit's rectification report, who sees what, and the report deadline swept once."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone
from typing import Any

from portal.appeals.models import AppealStatus, DeadlineMiss, SlaStep
from portal.appeals.sweep import sweep
from portal.catalog.seed import seed_catalog
from portal.catalog.source import read_catalog
from portal.events import Event
from portal.identity.models import Role
from portal.oversight.models import NoticeKind, UnitNotice
from portal.workdays import SHANGHAI, WorkCalendar
from tests.appeals.test_appeals import step
from tests.appeals.test_sweep_and_figures import appeal as appeal_row
from tests.applications.support import handler

NOTICE_FIELDS = """__typename
  ... on UnitNotice { id kind departmentCode regionCode reason periodFrom periodTo received satisfactionRate
      missedDeadlines reportDays reportBy report reportedAt }
  ... on FormInvalid { errors { field code } }
  ... on PermissionDenied { code }
  ... on NotFound { code }
  ... on Conflict { code message }"""
ISSUE = f"mutation($input: IssueUnitNoticeInput!) {{ issueUnitNotice(input: $input) {{ {NOTICE_FIELDS} }} }}"
REPORT = f"mutation($id: ID!, $r: String!) {{ submitRectificationReport(id: $id, report: $r) {{ {NOTICE_FIELDS} }} }}"
NOTICES = "query($region: String) { unitNotices(regionCode: $region, first: 50) { edges { node { id departmentCode } } } }"
CANDIDATES = """query($region: String!, $from: Date!, $to: Date!) { noticeCandidates(regionCode: $region, from: $from,
  to: $to) { satisfactionBelow missesAtLeast units { departmentCode received satisfactionRate missedDeadlines
  lowSatisfaction repeatedMisses } } }"""
# A unit of Qingdao that no other test's appeals reach: its figures are this module's alone.
UNIT, REGION, COUNTY = "370200-RSJ", "370200", "370202"
TODAY = datetime.now(timezone.utc).astimezone(SHANGHAI).date()
PERIOD = {"from": (TODAY - timedelta(days=30)).isoformat(), "to": TODAY.isoformat()}
REASON = "本季度企业诉求满意率明显偏低，多次超时未联系企业。"
REPORT_TEXT = "已对超时问题逐件复盘，建立首接负责制，本月起每日调度未办结诉求。"


def notice_input(**overrides: Any) -> dict[str, Any]:
    return {"kind": "TALK", "regionCode": REGION, "departmentCode": UNIT, **PERIOD, "reason": REASON,
            "reportDays": 5, "idempotencyKey": str(uuid.uuid4()), **overrides}


async def weak_unit() -> None:
    """Four confirmed appeals of the unit, one satisfied (25 %), and three missed deadlines, once."""
    if await DeadlineMiss.filter(department_code=UNIT).exists():
        return
    now = datetime.now(timezone.utc)
    for satisfied in (True, False, False, False):
        row = await appeal_row(department=UNIT, region=COUNTY, status=AppealStatus.CLOSED, satisfied=satisfied)
        if not satisfied:
            await DeadlineMiss.create(target_type="appeal", target_id=row.id, step=SlaStep.CONTACT, due_at=now,
                                      detected_at=now, department_code=UNIT, region_code=COUNTY)


async def test_candidates_follow_the_configured_thresholds(gql: Any, settings: Any) -> None:
    await weak_unit()
    supervisor = await handler("370200-SCJGJ", role=Role.SUPERVISOR)
    found = (await gql(CANDIDATES, {"region": REGION, **PERIOD}, token=supervisor))["data"]["noticeCandidates"]
    assert (found["satisfactionBelow"], found["missesAtLeast"]) == (settings.notice_satisfaction_below,
                                                                   settings.notice_misses_at_least)
    assert [u for u in found["units"] if u["departmentCode"] == UNIT] == [{"departmentCode": UNIT, "received": 4, "satisfactionRate": 0.25,
                               "missedDeadlines": 3, "lowSatisfaction": True, "repeatedMisses": True}]


async def test_thresholds_are_settings() -> None:
    from portal.config import Settings
    settings = Settings.from_env({"PORTAL_NOTICE_SATISFACTION_BELOW": "0.2", "PORTAL_NOTICE_MISSES_AT_LEAST": "4"})
    assert (settings.notice_satisfaction_below, settings.notice_misses_at_least) == (0.2, 4)


async def test_a_unit_below_neither_threshold_is_no_candidate(empty_database: str) -> None:
    from portal.identity.models import AccountKind
    from portal.identity.principal import Principal
    from portal.oversight.notices import Thresholds, candidates
    await seed_catalog(read_catalog())
    await weak_unit()
    admin = Principal(0, AccountKind.STAFF, "督办", Role.ADMIN, None, "370000", 0, datetime.now(timezone.utc))
    first, last = date.fromisoformat(PERIOD["from"]), TODAY
    assert [c.department_code for c in await candidates(admin, REGION, first, last, Thresholds(0.25, 4))] == []
    assert [c.repeated_misses for c in await candidates(admin, REGION, first, last, Thresholds(0.2, 3))] == [True]
    assert [c.low_satisfaction for c in await candidates(admin, REGION, first, last, Thresholds(0.3, 9))] == [True]


async def test_a_talk_with_its_figures_alerts_the_unit_and_the_unit_reports(gql: Any) -> None:
    await weak_unit()
    supervisor = await handler("370200-SCJGJ", role=Role.SUPERVISOR)
    unit, other_unit = await handler(UNIT), await handler("370200-GAJ")
    before = await Event.filter(stream=f"alerts:department:{UNIT}").count()
    notice = await step(gql, ISSUE, supervisor, input=notice_input())
    due, _ = WorkCalendar().deadline(TODAY, 5)
    assert (notice["kind"], notice["received"], notice["satisfactionRate"], notice["missedDeadlines"]) == (
        "TALK", 4, 0.25, 3)
    assert datetime.fromisoformat(notice["reportBy"]) == due and notice["reportedAt"] is None
    alerts = await Event.filter(stream=f"alerts:department:{UNIT}").order_by("seq")
    assert len(alerts) == before + 1 and alerts[-1].payload["kind"] == "UNIT_NOTICE"
    assert await Event.filter(stream="alerts:region:370200", kind="notice.issued").exists()

    mine = (await gql(NOTICES, {"region": None}, token=unit))["data"]["unitNotices"]["edges"]
    assert notice["id"] in [e["node"]["id"] for e in mine]
    assert {e["node"]["departmentCode"] for e in mine} == {UNIT}
    theirs = (await gql(NOTICES, {"region": None}, token=other_unit))["data"]["unitNotices"]["edges"]
    assert notice["id"] not in [e["node"]["id"] for e in theirs]
    assert (await step(gql, REPORT, other_unit, id=notice["id"], r=REPORT_TEXT))["__typename"] == "NotFound"
    short = await step(gql, REPORT, unit, id=notice["id"], r="已整改")
    assert [(e["field"], e["code"]) for e in short["errors"]] == [("report", "TOO_SHORT")]
    reported = await step(gql, REPORT, unit, id=notice["id"], r=REPORT_TEXT)
    assert reported["report"] == REPORT_TEXT and reported["reportedAt"] is not None
    again = await step(gql, REPORT, unit, id=notice["id"], r=REPORT_TEXT)
    assert (again["__typename"], again["code"]) == ("Conflict", "REPORT_SUBMITTED")
    assert await Event.filter(stream="alerts:region:370200", kind="notice.reported").exists()


async def test_only_the_regions_supervisors_issue_and_read_notices(gql: Any) -> None:
    jinan = await handler("370100-SCJGJ", role=Role.SUPERVISOR)
    qingdao = await handler("370200-SCJGJ", role=Role.SUPERVISOR)
    province = await handler("370000-FGW", role=Role.SUPERVISOR)
    for token in (jinan, await handler(UNIT)):
        refused = await step(gql, ISSUE, token, input=notice_input())
        assert (refused["__typename"], refused["code"]) == ("PermissionDenied", "NOT_AUTHORISED")
    notice = await step(gql, ISSUE, province, input=notice_input(kind="NOTICE"))
    assert notice["kind"] == "NOTICE"
    seen = (await gql(NOTICES, {"region": REGION}, token=qingdao))["data"]["unitNotices"]["edges"]
    assert notice["id"] in [e["node"]["id"] for e in seen]
    denied = await gql(NOTICES, {"region": REGION}, token=jinan)
    assert denied["errors"][0]["extensions"]["code"] == "NOT_AUTHORISED"
    candidates = await gql(CANDIDATES, {"region": REGION, **PERIOD}, token=jinan)
    assert candidates["errors"][0]["extensions"]["code"] == "NOT_AUTHORISED"


async def test_bad_notices_are_refused_field_by_field_and_a_key_issues_once(gql: Any) -> None:
    supervisor = await handler("370200-SCJGJ", role=Role.SUPERVISOR)
    bad = await step(gql, ISSUE, supervisor, input=notice_input(
        regionCode="37100", departmentCode="NOPE", reason="差", reportDays=0, idempotencyKey=" ",
        **{"from": PERIOD["to"], "to": PERIOD["from"]}))
    assert sorted((e["field"], e["code"]) for e in bad["errors"]) == [
        ("departmentCode", "UNKNOWN_DEPARTMENT"), ("idempotencyKey", "BAD_IDEMPOTENCY_KEY"),
        ("reason", "TOO_SHORT"), ("regionCode", "BAD_REGION"), ("reportDays", "OUT_OF_RANGE"), ("to", "OUT_OF_RANGE")]
    request = notice_input(idempotencyKey="n-1")
    first = await step(gql, ISSUE, supervisor, input=request)
    assert (await step(gql, ISSUE, supervisor, input=request))["id"] == first["id"]
    reused = await step(gql, ISSUE, supervisor, input={**request, "kind": "NOTICE"})
    assert (reused["__typename"], reused["code"]) == ("Conflict", "IDEMPOTENCY_KEY_REUSED")


async def test_an_overdue_rectification_report_is_recorded_and_alerted_once(empty_database: str) -> None:
    await seed_catalog(read_catalog())
    now = datetime.now(timezone.utc)
    common = {"kind": NoticeKind.TALK, "department_code": UNIT, "region_code": COUNTY, "reason": REASON,
              "period_from": TODAY, "period_to": TODAY, "received": 4, "satisfaction_rate": 0.25,
              "missed_deadlines": 3, "issued_by_id": 1, "issued_at": now - timedelta(days=10), "report_days": 5,
              "report_by": now - timedelta(minutes=1), "request_hash": "x"}
    late = await UnitNotice.create(**common, idempotency_key="late")
    await UnitNotice.create(**common, idempotency_key="done", report=REPORT_TEXT, reported_at=now - timedelta(days=1))
    await UnitNotice.create(**{**common, "report_by": now + timedelta(days=1)}, idempotency_key="running")
    published = await sweep(now)
    assert sorted(e.stream for e in published) == [f"alerts:department:{UNIT}", "alerts:region:370000",
                                                   "alerts:region:370200", "alerts:region:370202"]
    assert {(e.payload["target"], e.payload["step"]) for e in published} == {(f"unit_notice:{late.id}",
                                                                             "RECTIFY_REPORT")}
    assert await DeadlineMiss.filter(target_type="unit_notice").values_list("target_id", "step") == [
        (late.id, SlaStep.RECTIFY_REPORT)]
    assert await sweep(now) == []
