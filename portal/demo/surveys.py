"""The demo's satisfaction survey (营商环境满意度调查): Jinan's survey of the last half-year, drafted and published
by 济南市督办, answered by most of the sampled demo enterprises, its results published, so that `make run` shows
figures on the public page and in the supervisor's screens. Idempotent: done once, by the survey's title."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from portal.audit.rules import Actor
from portal.identity.models import Account
from portal.identity.principal import Principal
from portal.surveys import rules
from portal.surveys.models import QuestionKind, Survey, SurveyHalf, SurveyInvitation
from portal.surveys.rules import AnswerDraft, QuestionDraft, SurveyDraft

SUPERVISOR = "supervisor-jinan"
SEED = 20260701  # the sample's seed, recorded on the survey like any other
CHANNELS = ("爱山东APP", "政务服务大厅", "12345热线")
IDEAS = ("希望进一步压缩企业开办时间", "建议增加周末延时服务窗口", "水电气报装可以再快一些", "")
QUESTIONS = (
    QuestionDraft("overall", "总体而言，您对本地营商环境是否满意？", QuestionKind.SCALE),
    QuestionDraft("approval", "您对行政审批服务（企业开办、许可办理）是否满意？", QuestionKind.SCALE,
                  department_code="370100-XZSPJ"),
    QuestionDraft("tax", "您对税费办理服务是否满意？", QuestionKind.SCALE, department_code="370100-SWJ"),
    QuestionDraft("utilities", "您对水务报装服务是否满意？", QuestionKind.SCALE, required=False,
                  department_code="370100-SWJT"),
    QuestionDraft("channel", "您最常通过哪个渠道办理政务服务？", QuestionKind.CHOICE, options=CHANNELS),
    QuestionDraft("idea", "您对改善营商环境还有哪些意见建议？", QuestionKind.TEXT, required=False),
)


def last_half_year() -> tuple[int, SurveyHalf]:
    day = rules.today()
    return (day.year, SurveyHalf.H1) if day.month > 6 else (day.year - 1, SurveyHalf.H2)


def principal_of(account: Account) -> Principal:
    return Principal(account.id, account.kind, account.name, account.role, account.department_code,
                     account.region_code, 0, datetime.now(timezone.utc) + timedelta(minutes=5))


def answers(draw: random.Random) -> list[AnswerDraft]:
    """One enterprise's answers: mostly satisfied, as a demo should be, with a few low scores."""
    score = lambda: draw.choice((5, 5, 4, 4, 4, 3, 2))  # noqa: E731 - a one-line die
    return [AnswerDraft("overall", score=score()), AnswerDraft("approval", score=score()),
            AnswerDraft("tax", score=score()), AnswerDraft("utilities", score=score()),
            AnswerDraft("channel", choice=draw.choice(CHANNELS)), AnswerDraft("idea", text=draw.choice(IDEAS))]


async def seed_demo_survey() -> int:
    """Jinan's survey of the last half-year, answered and its results published; 1 when made now, else 0."""
    year, half = last_half_year()
    title = f"{rules.period_name(year, half)}济南市营商环境满意度调查"
    if await Survey.exists(title=title):
        return 0
    account = await Account.get(username=SUPERVISOR)
    supervisor, actor = principal_of(account), Actor(account.id, f"staff:{account.id}")
    day = rules.today()
    survey = await rules.draft_survey(supervisor, actor, SurveyDraft(
        title=title, region_code="370100", year=year, half=half, opens_on=day, closes_on=day + timedelta(days=30),
        sample_percent=100, questions=QUESTIONS), idempotency_key="demo-survey")
    survey = await rules.publish_survey(supervisor, actor, survey.id, survey.version, seed=SEED)
    draw = random.Random(SEED)
    invitations = await SurveyInvitation.filter(survey_id=survey.id).select_related("enterprise").order_by("id")
    for invitation in invitations[1:]:  # the first sampled enterprise has not answered: the response rate shows it
        enterprise = principal_of(invitation.enterprise)
        await rules.answer_survey(enterprise, Actor(enterprise.account_id, enterprise.label), invitation.id,
                                  answers(draw), idempotency_key="demo-answer")
    await rules.publish_results(supervisor, actor, survey.id, survey.version)
    return 1
