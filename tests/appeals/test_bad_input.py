"""What the appeals zone refuses, and how: region codes (six ASCII digits; a county's supervisor sees that county),
reporting days the calendar knows, codes longer than their column, control and direction characters in every
text the rules take, and anonymous callers of the signed-in queries."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from datetime import datetime, timezone
from typing import Any

import pytest

from portal.appeals import rules
from portal.appeals.api import alert_stream_of
from portal.appeals.models import Appeal, AppealCategory, AppealChannel, AppealStatus, AppealUrgency
from portal.audit.rules import Actor
from portal.catalog.seed import seed_catalog
from portal.catalog.source import read_catalog
from portal.identity.models import Account, AccountKind, Role
from portal.identity.principal import Principal
from portal.identity.rules import authenticate
from portal.problems import FormProblems, InvalidField
from portal.workdays import SHANGHAI, WorkCalendar
from tests.appeals.test_appeals import ASSIGN, CONTENT, SUBMIT, coordinator, file, routed, step
from tests.appeals.test_sweep_and_figures import NOW
from tests.appeals.test_sweep_and_figures import appeal as appeal_row
from tests.applications.support import handler
from tests.evaluations.test_evaluations import supervisor
from tests.helpers import CONTROL_CHARACTERS, new_credit_code
from tests.identity.test_accounts import register
from tests.identity.test_delegation import GRANT_AGENT, enterprise
from tests.test_regions import NOT_REGION_CODES

STATS = "query($r: String!, $f: Date!, $t: Date!) { appealStats(regionCode: $r, from: $f, to: $t) { received } }"
BY_DEPARTMENT = ("query($r: String!, $f: Date!, $t: Date!) { appealStatsByDepartment(regionCode: $r, from: $f, "
                 "to: $t) { departmentCode } }")
TOPICS = "query($r: String!) { meetingTopics(regionCode: $r, first: 100) { edges { node { id regionCode } } } }"
SIMILAR = "query($id: ID!) { similarAppeals(id: $id) { score } }"
SIGNED_IN_ONLY = [
    ("appealsToRoute", "{ appealsToRoute { totalCount } }", {}),
    ("departmentAppeals", "{ departmentAppeals { totalCount } }", {}),
    ("meetingTopics", TOPICS, {"r": "370100"}),
    ("similarAppeals", SIMILAR, {"id": "1"}),
]
A_MONTH = {"f": "2026-03-01", "t": "2026-03-31"}
BAD_REGION = {"code": "INVALID_ARGUMENT", "field": "regionCode"}
ACTOR = Actor(None, "test")
TITLE = "新能源汽车购置补贴迟迟未兑现"


def ids(body: dict[str, Any]) -> set[str]:
    assert "errors" not in body, body
    return {e["node"]["id"] for e in body["data"]["meetingTopics"]["edges"]}


async def topic_in(region: str) -> str:
    row = await appeal_row(region=region, status=AppealStatus.OPINION_GIVEN,
                           meeting_topic_at=datetime.now(timezone.utc))
    return str(row.id)


async def refused(call: Awaitable[Any]) -> list[tuple[str, str]]:
    """The (field, code) of each problem a rule raised; fails if the rule accepted."""
    try:
        await call
    except FormProblems as problems:
        return [(p.field, p.code) for p in problems.problems]
    except InvalidField as problem:
        return [(problem.field, problem.code)]
    raise AssertionError("accepted")


# --- region codes ----------------------------------------------------------------------------------------------


async def test_a_region_code_other_than_six_ascii_digits_is_an_invalid_argument(gql: Any) -> None:
    administrator = await supervisor("370000", Role.ADMIN)
    for code in NOT_REGION_CODES:
        for document, variables in ((STATS, A_MONTH), (BY_DEPARTMENT, A_MONTH), (TOPICS, {})):
            body = await gql(document, {"r": code, **variables}, token=administrator)
            assert body["data"] is None and body["errors"][0]["extensions"] == BAD_REGION, (code, document)


async def test_an_eight_digit_code_reads_no_province_wide_meeting_topics(gql: Any) -> None:
    qingdao, jinan = await topic_in("370202"), await topic_in("370102")
    supervisor_of_jinan = await supervisor("370100")
    leak = await gql(TOPICS, {"r": "37010000"}, token=supervisor_of_jinan)
    assert leak["data"] is None and leak["errors"][0]["extensions"] == BAD_REGION
    own = ids(await gql(TOPICS, {"r": "370100"}, token=supervisor_of_jinan))
    assert jinan in own and qingdao not in own


async def test_a_county_supervisor_sees_its_county_and_a_city_supervisor_its_counties(gql: Any) -> None:
    lixia, shizhong, qingdao = await topic_in("370102"), await topic_in("370103"), await topic_in("370202")
    county, city = await supervisor("370102"), await supervisor("370100")
    seen = ids(await gql(TOPICS, {"r": "370102"}, token=county))
    assert lixia in seen and shizhong not in seen and qingdao not in seen
    for wider in ("370100", "370000", "370103"):
        denied = await gql(TOPICS, {"r": wider}, token=county)
        assert denied["errors"][0]["extensions"] == {"code": "FORBIDDEN"}, wider
    seen = ids(await gql(TOPICS, {"r": "370100"}, token=city))
    assert {lixia, shizhong} <= seen and qingdao not in seen
    seen = ids(await gql(TOPICS, {"r": "370103"}, token=city))
    assert shizhong in seen and lixia not in seen


async def test_the_figures_of_a_county_count_that_county_only(empty_database: str) -> None:
    await seed_catalog(read_catalog())
    for region in ("370102", "370102", "370103", "370202"):
        await appeal_row(region=region)
    today = NOW.astimezone(SHANGHAI).date()
    received = {code: (await rules.stats(code, today, today))["received"]
                for code in ("370102", "370103", "370100", "370000")}
    assert received == {"370102": 2, "370103": 1, "370100": 3, "370000": 4}


def staff(role: Role, region: str | None) -> Principal:
    return Principal(account_id=0, kind=AccountKind.STAFF, name="督办", role=role, department_code=None,
                     region_code=region, session_id=0, expires_at=datetime.now(timezone.utc))


def test_a_countys_supervisors_hear_its_alerts_and_not_the_neighbours() -> None:
    assert rules.alert_streams("370100-SCJGJ", "370103") == [
        "alerts:department:370100-SCJGJ", "alerts:region:370103", "alerts:region:370100", "alerts:region:370000"]
    assert rules.alert_streams(None, "370100") == ["alerts:region:370100", "alerts:region:370000"]
    assert alert_stream_of(staff(Role.SUPERVISOR, "370102")) == "alerts:region:370102"
    assert alert_stream_of(staff(Role.SUPERVISOR, "370100")) == "alerts:region:370100"
    assert alert_stream_of(staff(Role.ADMIN, None)) == "alerts:region:370000"


# --- dates -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("first", "last", "field"), [
    ("0001-01-01", "0001-01-31", "from"), ("9999-12-01", "9999-12-31", "from"), ("2026-12-01", "9999-12-31", "to"),
    ("0001-01-01", "2026-01-01", "from"), ("1999-12-31", "2000-01-31", "from"), ("2100-12-01", "2101-01-01", "to")])
async def test_a_day_outside_the_calendars_years_is_an_invalid_argument(gql: Any, first: str, last: str,
                                                                        field: str) -> None:
    for document in (STATS, BY_DEPARTMENT):
        body = await gql(document, {"r": "370100", "f": first, "t": last})
        assert body["data"] is None, body
        assert body["errors"][0]["extensions"] == {"code": "INVALID_ARGUMENT", "field": field}


async def test_the_first_and_last_years_of_the_calendar_are_reported(gql: Any) -> None:
    for first, last in (("2000-01-01", "2000-12-31"), ("2100-01-01", "2100-12-31")):
        for document in (STATS, BY_DEPARTMENT):
            assert "errors" not in await gql(document, {"r": "370100", "f": first, "t": last})


# --- anonymous callers -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "document", "variables"), SIGNED_IN_ONLY, ids=[q[0] for q in SIGNED_IN_ONLY])
async def test_an_anonymous_caller_of_a_signed_in_query_is_unauthenticated(gql: Any, name: str, document: str,
                                                                            variables: dict[str, Any]) -> None:
    body = await gql(document, variables)
    assert body["data"] is None
    assert body["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}
    assert body["errors"][0]["message"] == "请先登录"


async def test_similar_appeals_of_someone_elses_appeal_are_not_found(gql: Any) -> None:
    company = await enterprise(gql)
    appeal = await file(gql, company["token"])
    body = await gql(SIMILAR, {"id": appeal["id"]}, token=company["token"])
    assert body["errors"][0]["extensions"] == {"code": "NOT_FOUND"}


# --- lengths and formats ---------------------------------------------------------------------------------------


async def test_codes_longer_than_their_column_are_field_errors(gql: Any) -> None:
    company = await enterprise(gql)
    employee = await register(gql)
    await gql(GRANT_AGENT, {"idNumber": employee["idNumber"]}, token=company["token"])
    code = (await Account.get(id=int(company["account"]["id"]))).credit_code
    too_long = await step(gql, SUBMIT, employee["token"], input={
        "title": TITLE, "content": CONTENT, "category": "POLICY", "idempotencyKey": str(uuid.uuid4()),
        "creditCode": code + "1"})
    assert too_long["errors"] == [{"field": "creditCode", "code": "BAD_LENGTH"}]
    appeal = await file(gql, company["token"])
    assigned = await step(gql, ASSIGN, await coordinator(), id=appeal["id"], d="370100-SCJGJ" * 3)
    assert assigned["errors"] == [{"field": "departmentCode", "code": "UNKNOWN_DEPARTMENT"}]
    stats = await gql(STATS, {"r": "370100" * 20, **A_MONTH})
    assert stats["errors"][0]["extensions"] == BAD_REGION


async def test_the_rules_check_every_code_they_are_given(gql: Any) -> None:
    company = await enterprise(gql)
    employee = await register(gql)
    await gql(GRANT_AGENT, {"idNumber": employee["idNumber"]}, token=company["token"])
    agent, seat = await authenticate(employee["token"]), await authenticate(await coordinator())
    for code, problem in ((new_credit_code() + "1", "BAD_LENGTH"), ("９" * 18, "BAD_CHARACTERS"),
                          (None, "REQUIRED")):
        assert await refused(rules.submit(agent, ACTOR, title=TITLE, content=CONTENT, category=AppealCategory.POLICY,
                                          idempotency_key=str(uuid.uuid4()), credit_code=code)) == [
            ("creditCode", problem)]
        assert await refused(rules.record_for_enterprise(
            seat, ACTOR, credit_code=code, enterprise_name="济南某某机械有限公司", title=TITLE, content=CONTENT,
            category=AppealCategory.ENERGY, urgency=AppealUrgency.GENERAL, channel=AppealChannel.HOTLINE,
            idempotency_key=str(uuid.uuid4()))) == [("creditCode", problem)]
    appeal = await file(gql, company["token"])
    for department in ("370100-SCJGJ" * 3, "３７０１００-SCJGJ", "", "370100-NOPE"):
        assert await refused(rules.assign(seat, ACTOR, WorkCalendar(), int(appeal["id"]), department)) == [
            ("departmentCode", "UNKNOWN_DEPARTMENT")]
    today = NOW.astimezone(SHANGHAI).date()
    for region in NOT_REGION_CODES:
        assert await refused(rules.stats(region, today, today)) == [("regionCode", "BAD_REGION")]


# --- control and direction characters --------------------------------------------------------------------------


@pytest.mark.parametrize("character", CONTROL_CHARACTERS, ids=ascii)
async def test_every_appeal_text_with_a_control_or_direction_character_is_refused(gql: Any, character: str) -> None:
    company = await enterprise(gql)
    appeal, unit_token = await routed(gql, company)
    number = int(appeal["id"])
    owner, unit = await authenticate(company["token"]), await authenticate(unit_token)
    seat = await authenticate(await coordinator())
    boss = await authenticate(await handler("370100-SCJGJ", role=Role.SUPERVISOR))
    bad = f"企业反映的情况属实需要协调{character}"
    filed = {"category": AppealCategory.POLICY, "idempotency_key": str(uuid.uuid4())}
    recorded = {"credit_code": new_credit_code(), "category": AppealCategory.ENERGY, "urgency": AppealUrgency.GENERAL,
                "channel": AppealChannel.HOTLINE, "idempotency_key": str(uuid.uuid4())}
    calls = {
        "title": rules.submit(owner, ACTOR, title=bad, content=CONTENT, **filed),
        "content": rules.submit(owner, ACTOR, title=TITLE, content=CONTENT + bad, **filed),
        "enterpriseName": rules.record_for_enterprise(seat, ACTOR, enterprise_name=f"济南{character}机械有限公司",
                                                      title=TITLE, content=CONTENT, **recorded),
        "recorded title": rules.record_for_enterprise(seat, ACTOR, enterprise_name="济南某某机械有限公司", title=bad,
                                                      content=CONTENT, **recorded),
        "return reason": rules.return_to_coordinator(unit, ACTOR, number, bad),
        "kept reason": rules.reject_return(seat, ACTOR, number, bad),
        "opinion": rules.give_opinion(unit, ACTOR, number, bad),
        "summary": rules.resolve(unit, ACTOR, number, bad),
        "comment": rules.confirm(owner, ACTOR, WorkCalendar(), number, satisfied=False, rating=2, comment=bad),
        "escalation": rules.escalate(boss, ACTOR, number, bad),
        "meeting topic": rules.list_as_meeting_topic(boss, ACTOR, number, bad),
    }
    fields = {name: await refused(call) for name, call in calls.items()}
    assert fields == {
        "title": [("title", "FORBIDDEN_CHARACTER")], "content": [("content", "FORBIDDEN_CHARACTER")],
        "enterpriseName": [("enterpriseName", "FORBIDDEN_CHARACTER")],
        "recorded title": [("title", "FORBIDDEN_CHARACTER")], "return reason": [("reason", "FORBIDDEN_CHARACTER")],
        "kept reason": [("reason", "FORBIDDEN_CHARACTER")], "opinion": [("opinion", "FORBIDDEN_CHARACTER")],
        "summary": [("summary", "FORBIDDEN_CHARACTER")], "comment": [("comment", "FORBIDDEN_CHARACTER")],
        "escalation": [("reason", "FORBIDDEN_CHARACTER")], "meeting topic": [("reason", "FORBIDDEN_CHARACTER")]}
    row = await Appeal.get(id=number)
    assert (row.status, row.version, row.escalated_at, row.meeting_topic_at) == (
        AppealStatus.ASSIGNED, 2, None, None)
    assert await Appeal.filter(credit_code__in=[row.credit_code, recorded["credit_code"]]).count() == 1


async def test_a_title_is_one_line_and_a_content_may_have_several(gql: Any) -> None:
    owner = await authenticate((await enterprise(gql))["token"])
    filed = {"category": AppealCategory.POLICY}
    assert await refused(rules.submit(owner, ACTOR, title="新能源汽车\n购置补贴迟迟未兑现", content=CONTENT,
                                      idempotency_key=str(uuid.uuid4()), **filed)) == [("title", "FORBIDDEN_CHARACTER")]
    appeal = await rules.submit(owner, ACTOR, title=f"  {TITLE}\u3000", content=f"第一段。\n\n{CONTENT}\n",
                                idempotency_key=str(uuid.uuid4()), **filed)
    assert (appeal.title, appeal.content) == (TITLE, f"第一段。\n\n{CONTENT}")
