"""营商环境满意度调查 over GraphQL: a supervisor drafts and publishes, the sampled enterprise finds its invitation in
mySurveys and answers once, the figures are the supervisor's until the results are published, then everybody's,
without text answers or a name of an enterprise."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from portal.identity.models import Role
from portal.surveys.rules import today
from tests.applications.support import handler
from tests.helpers import new_credit_code, new_id_number, new_phone
from tests.identity.test_delegation import REGISTER_ENTERPRISE

ERRORS = """... on FormInvalid { errors { field code } } ... on PermissionDenied { code } ... on NotFound { code }
  ... on Conflict { code }"""
SURVEY = "... on Survey { id status version population sampleSeed open questions { key kind options } }"
DRAFT = f"mutation($input: DraftSurveyInput!) {{ draftSurvey(input: $input) {{ __typename {SURVEY} {ERRORS} }} }}"
PUBLISH = f"mutation($id: ID!, $v: Int!) {{ publishSurvey(id: $id, version: $v) {{ __typename {SURVEY} {ERRORS} }} }}"
RESULTS_OUT = (f"mutation($id: ID!, $v: Int!) {{ publishSurveyResults(id: $id, version: $v) {{ __typename {SURVEY} "
               f"{ERRORS} }} }}")
ANSWER = (f"mutation($input: AnswerSurveyInput!) {{ answerSurvey(input: $input) {{ __typename "
          f"... on SurveyInvitation {{ id answered }} {ERRORS} }} }}")
MINE = "{ mySurveys { id answered enterpriseName survey { id title open } } }"
RESULTS = """query($id: ID!) { surveyResults(id: $id) { invited responses responseRate
  byRegion { regionCode responses } byDepartment { departmentCode scores { meanScore satisfactionRate } }
  questions { question { key } responses scores { meanScore } choices { option count } textAnswers } } }"""
PUBLISHED = "query($r: String!) { publishedSurveys(regionCode: $r) { id } }"
SEE = "query($id: ID!) { survey(id: $id) { id status } }"
# Each test its own county and a past half-year, so that the session database's other surveys never clash.
REGION, YEAR = "370211", 2003


def draft_input(**changes: Any) -> dict[str, Any]:
    return {"title": "黄岛区营商环境满意度调查", "regionCode": REGION, "year": YEAR, "half": "H1",
            "opensOn": today().isoformat(), "closesOn": (today() + timedelta(days=20)).isoformat(),
            "samplePercent": 100, "idempotencyKey": str(uuid.uuid4()), "questions": [
                {"key": "overall", "text": "总体满意度", "kind": "SCALE"},
                {"key": "approval", "text": "审批服务满意度", "kind": "SCALE", "departmentCode": "370200-XZSPJ"},
                {"key": "channel", "text": "常用渠道", "kind": "CHOICE", "options": ["爱山东APP", "政务大厅"]},
                {"key": "idea", "text": "意见建议", "kind": "TEXT", "required": False}], **changes}


async def data(gql: Any, document: str, token: str | None = None, **variables: Any) -> Any:
    body = await gql(document, variables, token=token)
    assert "errors" not in body, body
    return next(iter(body["data"].values()))


async def company(gql: Any, region: str) -> str:
    return (await data(gql, REGISTER_ENTERPRISE, input={
        "name": "青岛西海岸制造有限公司", "creditCode": new_credit_code(region), "legalRepresentativeIdNumber":
            new_id_number(), "phone": new_phone(), "password": "Enterprise-2115!x"}))["token"]


async def test_draft_publish_answer_once_and_results_public_only_once_published(gql: Any) -> None:
    sampled = await company(gql, REGION)
    outsider = await company(gql, "370212")
    boss = await handler("370200-XZSPJ", role=Role.SUPERVISOR)
    refused = await data(gql, DRAFT, boss, input=draft_input(samplePercent=101, questions=[
        {"key": "channel", "text": "常用渠道", "kind": "CHOICE", "options": ["大厅"]}]))
    assert refused["__typename"] == "FormInvalid"
    assert {(e["field"], e["code"]) for e in refused["errors"]} == {("samplePercent", "OUT_OF_RANGE"),
                                                                    ("questions[0].options", "OPTION_COUNT")}
    assert (await data(gql, DRAFT, outsider, input=draft_input()))["__typename"] == "PermissionDenied"
    survey = await data(gql, DRAFT, boss, input=draft_input())
    assert (survey["status"], survey["questions"][2]["options"]) == ("DRAFT", ["爱山东APP", "政务大厅"])
    assert await data(gql, SEE, sampled, id=survey["id"]) is None  # a draft is the supervisor's only
    survey = await data(gql, PUBLISH, boss, id=survey["id"], v=survey["version"])
    assert survey["status"] == "PUBLISHED" and survey["open"] and survey["population"] >= 1 and survey["sampleSeed"]

    mine = await data(gql, MINE, sampled)
    invitation = next(i for i in mine if i["survey"]["id"] == survey["id"])
    assert (invitation["answered"], invitation["survey"]["open"]) == (False, True)
    assert [i for i in await data(gql, MINE, outsider) if i["survey"]["id"] == survey["id"]] == []
    answers = [{"questionKey": "overall", "score": 5}, {"questionKey": "approval", "score": 3},
               {"questionKey": "channel", "choice": "政务大厅"}, {"questionKey": "idea", "text": "希望延长窗口服务时间"}]
    answer = {"invitationId": invitation["id"], "answers": answers, "idempotencyKey": "one"}
    bad = await data(gql, ANSWER, sampled, input={**answer, "answers": answers[1:]})
    assert [(e["field"], e["code"]) for e in bad["errors"]] == [("answers.overall", "REQUIRED")]
    assert (await data(gql, ANSWER, outsider, input=answer))["__typename"] == "NotFound"
    assert (await data(gql, ANSWER, sampled, input=answer))["answered"] is True
    assert (await data(gql, ANSWER, sampled, input=answer))["answered"] is True  # the same answers: a repeat
    other = {**answer, "answers": [{**answers[0], "score": 1}, *answers[1:]]}
    assert (await data(gql, ANSWER, sampled, input=other))["code"] == "ALREADY_ANSWERED"

    assert await data(gql, RESULTS, None, id=survey["id"]) is None  # not public yet
    assert survey["id"] not in [s["id"] for s in await data(gql, PUBLISHED, None, r=REGION)]
    live = await data(gql, RESULTS, boss, id=survey["id"])
    assert live["questions"][3]["textAnswers"] == ["希望延长窗口服务时间"]
    stale = await data(gql, RESULTS_OUT, boss, id=survey["id"], v=survey["version"] - 1)
    assert stale["code"] == "STALE_VERSION"
    closed = await data(gql, RESULTS_OUT, boss, id=survey["id"], v=survey["version"])
    assert closed["status"] == "RESULTS_PUBLISHED" and closed["open"] is False

    public = await data(gql, RESULTS, None, id=survey["id"])
    assert public["responses"] == 1 and public["byRegion"] == [{"regionCode": REGION, "responses": 1}]
    assert public["byDepartment"] == [{"departmentCode": "370200-XZSPJ",
                                       "scores": {"meanScore": 3.0, "satisfactionRate": 0.0}}]
    assert public["questions"][2]["choices"] == [{"option": "爱山东APP", "count": 0}, {"option": "政务大厅", "count": 1}]
    assert public["questions"][3]["textAnswers"] is None
    assert survey["id"] in [s["id"] for s in await data(gql, PUBLISHED, None, r="370000")]
    assert (await data(gql, SEE, None, id=survey["id"]))["status"] == "RESULTS_PUBLISHED"
