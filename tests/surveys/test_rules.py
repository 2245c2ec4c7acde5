"""营商环境满意度调查, the rules: every bad field of a draft named, the sample reproducible and within the region,
only a sampled enterprise answers and only once, the figures by region and department on a known data set."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

from portal.audit.rules import Actor
from portal.catalog.seed import seed_catalog
from portal.catalog.source import read_catalog
from portal.events import Event
from portal.identity.models import Account, AccountKind, EnterpriseAgent, Role
from portal.identity.principal import Principal
from portal.problems import Conflicting, Forbidden, FormProblems, Missing
from portal.surveys import rules
from portal.surveys.models import QuestionKind, SurveyHalf, SurveyInvitation, SurveyStatus
from portal.surveys.rules import AnswerDraft, QuestionDraft, SurveyDraft
from tests.helpers import new_credit_code, new_id_number

ACTOR = Actor(None, "test")
TODAY = rules.today()
_accounts = itertools.count(1)
QUESTIONS = (
    QuestionDraft("overall", "总体而言，您对本地营商环境是否满意？", QuestionKind.SCALE),
    QuestionDraft("approval", "您对行政审批服务是否满意？", QuestionKind.SCALE, department_code="370100-XZSPJ"),
    QuestionDraft("tax", "您对税费服务是否满意？", QuestionKind.SCALE, required=False, department_code="370100-SWJ"),
    QuestionDraft("channel", "您最常用的办事渠道是？", QuestionKind.CHOICE, options=("爱山东APP", "政务大厅", "电话")),
    QuestionDraft("suggestion", "您对改善营商环境有何建议？", QuestionKind.TEXT, required=False),
)


def principal(kind: AccountKind, account_id: int = 0, *, role: Role | None = None, region: str | None = None
              ) -> Principal:
    return Principal(account_id or 900000 + next(_accounts), kind, "测试", role, None, region, 0,
                     datetime.now(timezone.utc) + timedelta(hours=1))


def supervisor(region: str = "370100") -> Principal:
    return principal(AccountKind.STAFF, role=Role.SUPERVISOR, region=region)


async def enterprise(region: str) -> tuple[Account, Principal]:
    code = new_credit_code(region)
    account = await Account.create(kind=AccountKind.ENTERPRISE, name=f"测试企业{code[-6:]}", credit_code=code,
                                   password_hash="x", password_changed_at=datetime.now(timezone.utc))
    return account, principal(AccountKind.ENTERPRISE, account.id)


def draft(**changes: Any) -> SurveyDraft:
    values: dict[str, Any] = {"title": "2026年下半年济南市营商环境满意度调查", "region_code": "370100", "year": 2026,
                              "half": SurveyHalf.H2, "opens_on": TODAY, "closes_on": TODAY + timedelta(days=30),
                              "sample_percent": 50, "questions": QUESTIONS}
    return SurveyDraft(**{**values, **changes})


async def published(region: str = "370100", percent: int = 100, seed: int = 7, **changes: Any):
    boss = supervisor(region)
    survey = await rules.draft_survey(boss, ACTOR, draft(region_code=region, sample_percent=percent, **changes),
                                      idempotency_key=f"draft-{next(_accounts)}")
    return await rules.publish_survey(boss, ACTOR, survey.id, survey.version, seed=seed), boss


def fields_of(problems: FormProblems) -> dict[str, str]:
    return {p.field: p.code for p in problems.problems}


async def test_every_bad_field_of_a_draft_is_named_at_once(empty_database: str) -> None:
    await seed_catalog(read_catalog())
    bad = draft(title="调查", sample_percent=0, opens_on=date(2026, 6, 30), closes_on=date(2026, 6, 1), questions=(
        QuestionDraft("Overall", "总体满意度", QuestionKind.SCALE),
        QuestionDraft("channel", "常用渠道", QuestionKind.CHOICE, options=("大厅", "大厅")),
        QuestionDraft("speed", "审批速度", QuestionKind.SCALE, options=("快",)),
        QuestionDraft("tax", "税费服务", QuestionKind.SCALE, department_code="370100-NOPE"),
        QuestionDraft("channel", "\u202e反向", QuestionKind.TEXT),
    ))
    with pytest.raises(FormProblems) as refused:
        await rules.draft_survey(supervisor(), ACTOR, bad, idempotency_key="k1")
    assert fields_of(refused.value) == {
        "title": "TOO_SHORT", "samplePercent": "OUT_OF_RANGE", "opensOn": "BAD_PERIOD", "closesOn": "BAD_PERIOD",
        "questions[0].key": "BAD_FORMAT", "questions[1].options[1]": "OPTION_REPEATED",
        "questions[2].options": "OPTIONS_NOT_ALLOWED", "questions[3].departmentCode": "UNKNOWN_DEPARTMENT",
        "questions[4].key": "QUESTION_KEY_TAKEN", "questions[4].text": "FORBIDDEN_CHARACTER"}
    with pytest.raises(FormProblems) as refused:
        await rules.draft_survey(supervisor(), ACTOR, draft(region_code="379900", questions=(
            QuestionDraft("channel", "常用渠道", QuestionKind.CHOICE, options=("大厅",)),)), idempotency_key="k2")
    assert fields_of(refused.value) == {"regionCode": "BAD_REGION", "questions[0].options": "OPTION_COUNT"}
    with pytest.raises(FormProblems) as refused:
        await rules.draft_survey(supervisor(), ACTOR, draft(questions=()), idempotency_key="k3")
    assert fields_of(refused.value) == {"questions": "QUESTION_COUNT"}


async def test_only_a_supervisor_of_the_region_drafts_and_a_key_drafts_once(empty_database: str) -> None:
    await seed_catalog(read_catalog())
    with pytest.raises(Forbidden):
        await rules.draft_survey(supervisor("370200"), ACTOR, draft(), idempotency_key="k")
    jinan = supervisor()
    first = await rules.draft_survey(jinan, ACTOR, draft(), idempotency_key="k")
    assert (await rules.draft_survey(jinan, ACTOR, draft(), idempotency_key="k")).id == first.id
    with pytest.raises(Conflicting) as reused:
        await rules.draft_survey(jinan, ACTOR, draft(sample_percent=20), idempotency_key="k")
    assert reused.value.code == "IDEMPOTENCY_KEY_REUSED"
    assert first.status is SurveyStatus.DRAFT and first.questions[1]["departmentCode"] == "370100-XZSPJ"


def test_the_sample_is_reproducible_from_its_seed() -> None:
    population = [new_credit_code("370102") for _ in range(40)]
    first = rules.draw_sample(population, 25, seed=2115)
    assert len(first) == 10 and set(first) <= set(population)
    assert rules.draw_sample(reversed(population), 25, seed=2115) == first  # the order it was read in is no matter
    assert rules.draw_sample(population, 25, seed=2116) != first
    assert rules.sample_size(3, 10) == 1 and rules.sample_size(0, 50) == 0 and rules.sample_size(7, 100) == 7


async def test_publishing_samples_the_regions_enterprises_with_the_seed_recorded(empty_database: str) -> None:
    await seed_catalog(read_catalog())
    jinan = [(await enterprise(region))[0].credit_code for region in ("370102", "370112", "370102", "370103") * 3]
    for region in ("370202", "370212"):
        await enterprise(region)  # Qingdao's: never in a Jinan sample
    survey, _ = await published(percent=50, seed=99)
    assert (survey.status, survey.population, survey.sample_seed) == (SurveyStatus.PUBLISHED, 12, 99)
    invited = await SurveyInvitation.filter(survey_id=survey.id).values_list("credit_code", flat=True)
    assert sorted(invited) == rules.draw_sample(jinan, 50, 99) and len(invited) == 6
    assert await Event.filter(stream=f"survey:{survey.id}", kind="survey.published").count() == 1
    with pytest.raises(Conflicting) as stale:
        await rules.publish_survey(supervisor(), ACTOR, survey.id, 1)
    assert stale.value.code == "STALE_VERSION"
    with pytest.raises(Conflicting) as taken:
        await published(percent=50)
    assert taken.value.code == "PERIOD_TAKEN"
    with pytest.raises(Missing):
        await rules.publish_survey(supervisor("370200"), ACTOR, survey.id, survey.version)


async def test_a_region_without_enterprises_or_a_closed_survey_is_not_published(empty_database: str) -> None:
    await seed_catalog(read_catalog())
    with pytest.raises(Conflicting) as empty:
        await published(region="370300")
    assert empty.value.code == "NO_ENTERPRISES"
    await enterprise("370102")
    with pytest.raises(Conflicting) as closed:
        await published(year=2025, opens_on=date(2025, 7, 1), closes_on=date(2025, 8, 1))
    assert closed.value.code == "SURVEY_CLOSED"


ANSWERS = [AnswerDraft("overall", score=4), AnswerDraft("approval", score=5), AnswerDraft("channel", choice="电话")]


async def test_only_a_sampled_enterprise_answers_and_only_once(empty_database: str) -> None:
    await seed_catalog(read_catalog())
    (sampled, company), (outsider, stranger) = await enterprise("370102"), await enterprise("370202")
    agent = principal(AccountKind.CITIZEN, (await Account.create(
        kind=AccountKind.CITIZEN, name="王经办", id_number=new_id_number(), password_hash="x",
        password_changed_at=datetime.now(timezone.utc))).id)
    await EnterpriseAgent.create(enterprise_id=sampled.id, agent_id=agent.account_id)
    survey, _ = await published()
    invitation = await SurveyInvitation.get(survey_id=survey.id)
    assert invitation.credit_code == sampled.credit_code
    assert await rules.invitations_of([outsider.credit_code]) == []
    assert [row.id for row in await rules.invitations_of([sampled.credit_code])] == [invitation.id]
    with pytest.raises(Missing):  # not sampled: there is nothing for it to answer
        await rules.answer_survey(stranger, ACTOR, invitation.id, ANSWERS, idempotency_key="a")
    answered = await rules.answer_survey(agent, ACTOR, invitation.id, ANSWERS, idempotency_key="a")
    assert answered.answers == {"overall": 4, "approval": 5, "channel": "电话"}
    assert answered.answered_by_id == agent.account_id
    again = await rules.answer_survey(company, ACTOR, invitation.id, ANSWERS, idempotency_key="b")
    assert again.answered_at == answered.answered_at
    with pytest.raises(Conflicting) as second:
        await rules.answer_survey(company, ACTOR, invitation.id, [*ANSWERS[:2], AnswerDraft("channel", choice="政务大厅")],
                                  idempotency_key="c")
    assert second.value.code == "ALREADY_ANSWERED"
    assert await Event.filter(stream=f"survey-invitation:{invitation.id}").count() == 1


async def test_answers_are_checked_against_the_questions(empty_database: str) -> None:
    await seed_catalog(read_catalog())
    _, company = await enterprise("370102")
    survey, boss = await published()
    invitation = await SurveyInvitation.get(survey_id=survey.id)
    with pytest.raises(FormProblems) as refused:
        await rules.answer_survey(company, ACTOR, invitation.id, [
            AnswerDraft("overall", score=6), AnswerDraft("channel", choice="微信"), AnswerDraft("weather", score=3),
            AnswerDraft("overall", score=3), AnswerDraft("suggestion", text="\x00")], idempotency_key="a")
    assert fields_of(refused.value) == {
        "answers.overall": "OUT_OF_RANGE", "answers.channel": "NOT_A_CHOICE", "answers[2].questionKey":
            "UNKNOWN_QUESTION", "answers[3].questionKey": "QUESTION_KEY_TAKEN", "answers.suggestion":
            "FORBIDDEN_CHARACTER", "answers.approval": "REQUIRED"}
    await rules.publish_results(boss, ACTOR, survey.id, survey.version)
    with pytest.raises(Conflicting) as closed:
        await rules.answer_survey(company, ACTOR, invitation.id, ANSWERS, idempotency_key="b")
    assert closed.value.code == "SURVEY_NOT_OPEN"


async def test_the_figures_by_region_and_department_on_a_known_data_set(empty_database: str) -> None:
    await seed_catalog(read_catalog())
    # A provincial survey counts by city: three Jinan enterprises answer, one does not, one Qingdao answers.
    companies = [await enterprise(region) for region in ("370102", "370112", "370103", "370102", "370212")]
    survey, boss = await published(region="370000")
    answers = {
        0: [AnswerDraft("overall", score=5), AnswerDraft("approval", score=4), AnswerDraft("tax", score=2),
            AnswerDraft("channel", choice="爱山东APP"), AnswerDraft("suggestion", text="希望进一步压缩审批时间")],
        1: [AnswerDraft("overall", score=3), AnswerDraft("approval", score=5), AnswerDraft("channel", choice="爱山东APP")],
        2: [AnswerDraft("overall", score=4), AnswerDraft("approval", score=2), AnswerDraft("tax", score=4),
            AnswerDraft("channel", choice="政务大厅"), AnswerDraft("suggestion", text="增加夜间窗口")],
        4: [AnswerDraft("overall", score=1), AnswerDraft("approval", score=4), AnswerDraft("channel", choice="电话")],
    }
    for index, given in answers.items():
        account, company = companies[index]
        invitation = await SurveyInvitation.get(survey_id=survey.id, enterprise_id=account.id)
        await rules.answer_survey(company, ACTOR, invitation.id, given, idempotency_key=f"k{index}")
    assert await rules.results(None, survey.id) is None  # not public before the results are published
    figures = await rules.results(boss, survey.id)
    assert (figures.invited, figures.responses, figures.response_rate) == (5, 4, 0.8)
    # Scale answers: overall 5 3 4 1, approval 4 5 2 4, tax 2 4: 10 answers, 6 of them 4 or 5.
    assert (figures.scores.responses, figures.scores.mean_score, figures.scores.satisfaction_rate) == (10, 3.4, 0.6)
    assert [(r.region_code, r.region_name, r.invited, r.responses, r.response_rate) for r in figures.by_region] == [
        ("370100", "济南市", 4, 3, 0.75), ("370200", "青岛市", 1, 1, 1.0)]
    assert figures.by_region[0].scores == rules.Scores(8, 3.63, 0.625)  # 29 / 8, half up
    assert figures.by_region[1].scores == rules.Scores(2, 2.5, 0.5)
    assert [(d.department_code, d.scores) for d in figures.by_department] == [
        ("370100-SWJ", rules.Scores(2, 3.0, 0.5)), ("370100-XZSPJ", rules.Scores(4, 3.75, 0.75))]
    overall, approval, tax, channel, suggestion = figures.questions
    assert overall.scores == rules.Scores(4, 3.25, 0.5) and tax.responses == 2
    assert [(code, s.mean_score) for code, _, s in overall.by_region] == [("370100", 4.0), ("370200", 1.0)]
    assert channel.choices == [("爱山东APP", 2), ("政务大厅", 1), ("电话", 1)] and channel.scores is None
    assert suggestion.text_answers == ["增加夜间窗口", "希望进一步压缩审批时间"]
    await rules.publish_results(boss, ACTOR, survey.id, survey.version)
    public = await rules.results(None, survey.id)
    assert public.responses == 4 and public.questions[4].text_answers is None  # text for supervisors only
    assert rules.area_of("370100", "370112") == "370112" and rules.area_of("370102", "370102") == "370102"
