"""营商环境满意度调查: a supervisor drafts a survey of market entities for a region and a half-year, with its
questions as data; publishing draws a reproducible sample of the region's enterprises (seed recorded) and
invites them; each sampled enterprise (or its agent) answers once; the figures (response rate, mean score and
satisfaction rate per question, by region and by department, choice counts) are the supervisor's at once and
everybody's once the results are published. No enterprise is ever named in them. No GraphQL here.
"""

from __future__ import annotations

import math
import random
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from portal import events
from portal.appeals.rules import region_of_credit_code, written
from portal.audit.rules import Actor, record
from portal.catalog.models import Department, Region
from portal.identity.models import Account, AccountKind
from portal.identity.policy import may_act_for_enterprise, may_supervise
from portal.identity.principal import Principal
from portal.idempotency import check_key, request_hash
from portal.problems import Code, Conflicting, Forbidden, FormProblems, InvalidField, Missing, attempt
from portal.regions import check_region_code, covers, is_region_code, within
from portal.sources import DEPARTMENT_CODE
from portal.surveys.errors import SurveyCode
from portal.surveys.models import QuestionKind, Survey, SurveyHalf, SurveyInvitation, SurveyStatus
from portal.surveys.payloads import InvitationAnswered, SurveyChanged
from portal.workdays import SHANGHAI

MAX_QUESTIONS = 30
MIN_OPTIONS, MAX_OPTIONS = 2, 10
MAX_OPEN_DAYS = 92  # a survey is open at most about a quarter
MIN_SCORE, MAX_SCORE = 1, 5
SATISFIED_FROM = 4  # 4 满意 and 5 非常满意 count as satisfied
MAX_TEXT_ANSWER = 1000
QUESTION_KEY = re.compile(r"[a-z][A-Za-z0-9]{0,39}")
FIRST_YEAR, LAST_YEAR = 2000, 2100
HALF_NAMES = {SurveyHalf.H1: "上半年", SurveyHalf.H2: "下半年"}
STATUS_NAMES = {SurveyStatus.DRAFT: "草稿", SurveyStatus.PUBLISHED: "已发布", SurveyStatus.RESULTS_PUBLISHED: "结果已公布"}


@dataclass(frozen=True)
class QuestionDraft:
    """A question as the supervisor writes it."""

    key: str
    text: str
    kind: QuestionKind
    required: bool = True
    options: Sequence[str] = ()
    department_code: str | None = None


@dataclass(frozen=True)
class SurveyDraft:
    title: str
    region_code: str
    year: int
    half: SurveyHalf
    opens_on: date
    closes_on: date
    sample_percent: int
    questions: Sequence[QuestionDraft]


@dataclass(frozen=True)
class AnswerDraft:
    """One answer as the enterprise gives it: a score (SCALE), an option (CHOICE) or text (TEXT)."""

    question_key: str
    score: int | None = None
    choice: str | None = None
    text: str | None = None


def today() -> date:
    return datetime.now(SHANGHAI).date()



def half_year(year: int, half: SurveyHalf) -> tuple[date, date]:
    """The first and last day of a half-year: H1 January 1 – June 30, H2 July 1 – December 31."""
    return (date(year, 1, 1), date(year, 6, 30)) if half is SurveyHalf.H1 else (date(year, 7, 1), date(year, 12, 31))


def period_name(year: int, half: SurveyHalf) -> str:
    return f"{year}年{HALF_NAMES[half]}"


# --- drafting -----------------------------------------------------------------------------------------------------


def _question(index: int, question: QuestionDraft, departments: set[str], problems: list[InvalidField]) -> dict:
    at = f"questions[{index}]"
    if not (isinstance(question.key, str) and QUESTION_KEY.fullmatch(question.key)):
        problems.append(InvalidField(f"{at}.key", Code.BAD_FORMAT,
                                     "题目标识须以小写字母开头，由字母和数字组成，不超过40个字符（如 approvalSpeed）"))
    text = attempt(lambda: written(question.text, f"{at}.text", "题目", 2, 200, multiline=False), problems)
    options: list[str] = []
    if question.kind is QuestionKind.CHOICE:
        for number, option in enumerate(question.options):
            value = attempt(lambda: written(option, f"{at}.options[{number}]", "选项", 1, 50, multiline=False),
                             problems)
            if value is not None and value in options:
                problems.append(InvalidField(f"{at}.options[{number}]", SurveyCode.OPTION_REPEATED, "选项重复"))
            elif value is not None:
                options.append(value)
        if not MIN_OPTIONS <= len(question.options) <= MAX_OPTIONS:
            problems.append(InvalidField(f"{at}.options", SurveyCode.OPTION_COUNT,
                                         f"单选题须有{MIN_OPTIONS}到{MAX_OPTIONS}个选项"))
    elif question.options:
        problems.append(InvalidField(f"{at}.options", SurveyCode.OPTIONS_NOT_ALLOWED, "只有单选题可以设置选项"))
    department = question.department_code or None
    if department is not None and department not in departments:
        problems.append(InvalidField(f"{at}.departmentCode", Code.UNKNOWN_DEPARTMENT, "没有这个部门"))
    return {"key": question.key, "text": text, "kind": question.kind.value, "required": bool(question.required),
            "options": options, "departmentCode": department}


async def checked_questions(questions: Sequence[QuestionDraft], problems: list[InvalidField]) -> list[dict]:
    """Every question checked, each bad field named by its place (``questions[2].options``): a key (unique), a text,
    a kind; a choice question 2 to 10 distinct options and no other kind any; a department, if named, that exists."""
    if not 1 <= len(questions) <= MAX_QUESTIONS:
        problems.append(InvalidField("questions", SurveyCode.QUESTION_COUNT, f"调查须有1到{MAX_QUESTIONS}道题"))
        return []
    named = {q.department_code for q in questions if q.department_code}
    valid = [code for code in named if isinstance(code, str) and DEPARTMENT_CODE.fullmatch(code)]
    departments = set(await Department.filter(code__in=valid).values_list("code", flat=True)) if valid else set()
    checked, keys = [], set()
    for index, question in enumerate(questions):
        checked.append(_question(index, question, departments, problems))
        if question.key in keys:
            problems.append(InvalidField(f"questions[{index}].key", SurveyCode.QUESTION_KEY_TAKEN,
                                         "题目标识重复，每道题的标识须不同"))
        keys.add(question.key)
    return checked


def _period_problems(draft: SurveyDraft, problems: list[InvalidField]) -> None:
    """The half-year exists; the survey opens no earlier than the half-year starts, closes no earlier than it opens
    and is open at most MAX_OPEN_DAYS."""
    if isinstance(draft.year, bool) or not FIRST_YEAR <= draft.year <= LAST_YEAR:
        problems.append(InvalidField("year", Code.OUT_OF_RANGE, f"年份须在{FIRST_YEAR}到{LAST_YEAR}之间"))
        return
    start, _ = half_year(draft.year, draft.half)
    if draft.opens_on < start:
        problems.append(InvalidField("opensOn", SurveyCode.BAD_PERIOD,
                                     f"开始日期不能早于调查期间{period_name(draft.year, draft.half)}的第一天（{start}）"))
    if draft.closes_on < draft.opens_on:
        problems.append(InvalidField("closesOn", SurveyCode.BAD_PERIOD, "结束日期不能早于开始日期"))
    elif draft.closes_on - draft.opens_on > timedelta(days=MAX_OPEN_DAYS):
        problems.append(InvalidField("closesOn", SurveyCode.BAD_PERIOD, f"调查开放时间不能超过{MAX_OPEN_DAYS}天"))


async def draft_survey(principal: Principal, actor: Actor, draft: SurveyDraft, *, idempotency_key: str) -> Survey:
    """A supervisor of the region (``may_supervise``) drafts a survey; every bad field is reported at once. The same
    idempotency key with the same draft returns the first survey, with another draft IDEMPOTENCY_KEY_REUSED."""
    problems: list[InvalidField] = []
    key = attempt(lambda: check_key(idempotency_key), problems)
    title = attempt(lambda: written(draft.title, "title", "调查标题", 5, 100, multiline=False), problems)
    region = attempt(lambda: check_region_code("regionCode", draft.region_code), problems)
    if region is not None and not await Region.exists(code=region):
        problems.append(InvalidField("regionCode", Code.BAD_REGION, "没有这个行政区划"))
        region = None
    _period_problems(draft, problems)
    if isinstance(draft.sample_percent, bool) or not 1 <= draft.sample_percent <= 100:
        problems.append(InvalidField("samplePercent", Code.OUT_OF_RANGE, "抽样比例须为1到100的整数（百分比）"))
    questions = await checked_questions(draft.questions, problems)
    if region is not None and not may_supervise(principal, region):
        raise Forbidden(Code.NOT_AUTHORISED, "只有该地区的督办人员可以发起满意度调查")
    if problems:
        raise FormProblems(problems)
    assert key is not None and title is not None and region is not None
    digest = request_hash({"title": title, "region": region, "year": draft.year, "half": draft.half.value,
                           "opensOn": draft.opens_on.isoformat(), "closesOn": draft.closes_on.isoformat(),
                           "samplePercent": draft.sample_percent, "questions": questions})
    if (existing := await _previous(principal, key, digest)) is not None:
        return existing
    try:
        async with in_transaction():
            survey = await Survey.create(title=title, region_code=region, year=draft.year, half=draft.half,
                                         opens_on=draft.opens_on, closes_on=draft.closes_on, questions=questions,
                                         sample_percent=draft.sample_percent, created_by_id=principal.account_id,
                                         idempotency_key=key, request_hash=digest)
            await record("survey.drafted", actor, target=f"survey:{survey.id}",
                         detail={"region": region, "period": f"{draft.year}{draft.half.value}",
                                 "idempotencyKey": key})
    except IntegrityError:
        existing = await _previous(principal, key, digest)
        if existing is None:
            raise
        return existing
    return survey


async def _previous(principal: Principal, key: str, digest: str) -> Survey | None:
    existing = await Survey.get_or_none(created_by_id=principal.account_id, idempotency_key=key)
    if existing is not None and existing.request_hash != digest:
        raise Conflicting(Code.IDEMPOTENCY_KEY_REUSED, "该请求标识已用于另一份不同的调查")
    return existing


# --- sampling and publishing --------------------------------------------------------------------------------------


def sample_size(population: int, percent: int) -> int:
    """抽样: ``percent`` of the population, rounded up, so that a region with enterprises always has a sample."""
    return min(population, math.ceil(population * percent / 100))


def draw_sample(credit_codes: Iterable[str], percent: int, seed: int) -> list[str]:
    """The sample, reproducible: the population in credit-code order, ``sample_size`` of it drawn by a random
    generator seeded with ``seed`` (recorded on the survey, so that anyone can draw the same sample again)."""
    population = sorted(set(credit_codes))
    return sorted(random.Random(seed).sample(population, sample_size(len(population), percent)))


async def population(region_code: str) -> dict[str, int]:
    """The enterprise accounts (enabled) of a region, by credit code: those whose registration authority
    (credit code positions 3–8) lies in the region."""
    rows = await Account.filter(kind=AccountKind.ENTERPRISE, disabled=False, credit_code__isnull=False).values_list(
        "credit_code", "id")
    return {code: account for code, account in rows if covers(region_code, region_of_credit_code(code))}


async def supervised(principal: Principal | None, survey_id: int) -> Survey:
    """A survey its region's supervisor acts on; to anybody else it does not exist."""
    survey = await Survey.get_or_none(id=survey_id)
    if survey is None or not may_supervise(principal, survey.region_code):
        raise Missing(Code.NOT_FOUND, "未找到该调查")
    return survey


def _stream(survey_id: int) -> str:
    return f"survey:{survey_id}"


async def _announce(survey: Survey, kind: str) -> events.Event:
    survey.event_seq += 1
    await Survey.filter(id=survey.id).update(event_seq=survey.event_seq)
    return await events.append(_stream(survey.id), survey.event_seq, kind, SurveyChanged(survey.id, survey.status))


async def _stale(survey: Survey, version: int) -> Conflicting:
    current = await Survey.get(id=survey.id)
    code = Code.STALE_VERSION if current.version != version else Code.INVALID_TRANSITION
    return Conflicting(code, f"该调查当前状态为“{STATUS_NAMES[current.status]}”（版本 {current.version}），不能执行此操作")


async def publish_survey(principal: Principal, actor: Actor, survey_id: int, version: int, *,
                         seed: int | None = None) -> Survey:
    """发布: a draft goes out. The sample is drawn now from the region's enterprises (seed recorded) and each
    sampled enterprise is invited. One published survey per region and half-year (PERIOD_TAKEN); a survey whose
    closing day has passed, or a region without enterprises, is not published."""
    survey = await supervised(principal, survey_id)
    if survey.status is not SurveyStatus.DRAFT or survey.version != version:
        raise await _stale(survey, version)
    if survey.closes_on < today():
        raise Conflicting(SurveyCode.SURVEY_CLOSED, "调查结束日期已过，请重新起草")
    enterprises = await population(survey.region_code)
    if not enterprises:
        raise Conflicting(SurveyCode.NO_ENTERPRISES, "该地区没有已注册的企业，无法抽样")
    seed = secrets.randbits(62) if seed is None else seed
    sample = draw_sample(enterprises, survey.sample_percent, seed)
    now = datetime.now(timezone.utc)
    try:
        async with in_transaction():
            updated = await Survey.filter(id=survey.id, version=version, status=SurveyStatus.DRAFT).update(
                status=SurveyStatus.PUBLISHED, version=version + 1, published_at=now, sample_seed=seed,
                population=len(enterprises), published_period=f"{survey.region_code}:{survey.year}{survey.half.value}")
            if not updated:
                raise await _stale(survey, version)
            await SurveyInvitation.bulk_create([
                SurveyInvitation(survey_id=survey.id, enterprise_id=enterprises[code], credit_code=code,
                                 region_code=region_of_credit_code(code), invited_at=now) for code in sample])
            fresh = await Survey.get(id=survey.id)
            await record("survey.published", actor, target=f"survey:{survey.id}",
                         detail={"population": len(enterprises), "sampled": len(sample), "seed": seed})
            event = await _announce(fresh, "survey.published")
    except IntegrityError as clash:
        raise Conflicting(SurveyCode.PERIOD_TAKEN, f"{period_name(survey.year, survey.half)}该地区已发布过满意度调查"
                          ) from clash
    await events.publish([event])
    return fresh


async def publish_results(principal: Principal, actor: Actor, survey_id: int, version: int) -> Survey:
    """公布结果: the survey closes to answers and its figures become public."""
    survey = await supervised(principal, survey_id)
    async with in_transaction():
        updated = await Survey.filter(id=survey.id, version=version, status=SurveyStatus.PUBLISHED).update(
            status=SurveyStatus.RESULTS_PUBLISHED, version=version + 1, results_published_at=datetime.now(timezone.utc))
        if not updated:
            raise await _stale(survey, version)
        fresh = await Survey.get(id=survey.id)
        await record("survey.results_published", actor, target=f"survey:{survey.id}")
        event = await _announce(fresh, "survey.results_published")
    await events.publish([event])
    return fresh


# --- answering ----------------------------------------------------------------------------------------------------


def is_open(survey: Survey, day: date) -> bool:
    """Answers are taken while the survey is published (results not yet) from its opening to its closing day."""
    return survey.status is SurveyStatus.PUBLISHED and survey.opens_on <= day <= survey.closes_on


def _answer_value(question: dict, answer: AnswerDraft, problems: list[InvalidField]) -> Any:
    field_name = f"answers.{question['key']}"
    kind = QuestionKind(question["kind"])
    if kind is QuestionKind.SCALE:
        score = answer.score
        if score is None:
            return None
        if isinstance(score, bool) or not MIN_SCORE <= score <= MAX_SCORE:
            problems.append(InvalidField(field_name, Code.OUT_OF_RANGE, f"评分须为{MIN_SCORE}到{MAX_SCORE}的整数"))
            return None
        return score
    if kind is QuestionKind.CHOICE:
        if answer.choice is None or answer.choice == "":
            return None
        if answer.choice not in question["options"]:
            problems.append(InvalidField(field_name, SurveyCode.NOT_A_CHOICE, "请从给出的选项中选择"))
            return None
        return answer.choice
    return attempt(lambda: written(answer.text, field_name, "回答", 0, MAX_TEXT_ANSWER), problems) or None


def checked_answers(questions: Sequence[dict], answers: Sequence[AnswerDraft]) -> dict[str, Any]:
    """The answers by question key, checked against the questions: a score 1–5 for a scale question, one of its
    options for a choice question, text for a text question; every required question answered; no unknown or
    repeated question. Every bad answer at once."""
    by_key = {q["key"]: q for q in questions}
    problems: list[InvalidField] = []
    given: dict[str, Any] = {}
    seen: set[str] = set()
    for index, answer in enumerate(answers):
        question = by_key.get(answer.question_key)
        if question is None:
            problems.append(InvalidField(f"answers[{index}].questionKey", SurveyCode.UNKNOWN_QUESTION,
                                         "调查中没有这道题"))
            continue
        if answer.question_key in seen:
            problems.append(InvalidField(f"answers[{index}].questionKey", SurveyCode.QUESTION_KEY_TAKEN,
                                         "同一道题只能回答一次"))
            continue
        seen.add(answer.question_key)
        value = _answer_value(question, answer, problems)
        if value is not None:
            given[answer.question_key] = value
    reported = {p.field for p in problems}
    for question in questions:
        name = f"answers.{question['key']}"
        if question["required"] and question["key"] not in given and name not in reported:
            problems.append(InvalidField(name, Code.REQUIRED, "此题为必答题"))
    if problems:
        raise FormProblems(problems)
    return given


async def invitation_for(principal: Principal | None, invitation_id: int) -> SurveyInvitation:
    """An invitation seen by its enterprise and the enterprise's agents; to anybody else it does not exist."""
    invitation = await SurveyInvitation.get_or_none(id=invitation_id).select_related("survey", "enterprise")
    if invitation is None or not await may_act_for_enterprise(principal, invitation.credit_code):
        raise Missing(Code.NOT_FOUND, "未找到该调查邀请")
    return invitation


async def answer_survey(principal: Principal, actor: Actor, invitation_id: int, answers: Sequence[AnswerDraft], *,
                        idempotency_key: str) -> SurveyInvitation:
    """A sampled enterprise (or its agent) answers its invitation once, while the survey is open. The same answers
    again return the invitation as it is; other answers are ALREADY_ANSWERED. An enterprise not sampled has no
    invitation, and so nothing to answer."""
    key = check_key(idempotency_key)
    invitation = await invitation_for(principal, invitation_id)
    survey: Survey = invitation.survey
    given = checked_answers(survey.questions, answers)
    if invitation.answered_at is not None:
        return _repeat(invitation, given)
    if not is_open(survey, today()):
        raise Conflicting(SurveyCode.SURVEY_NOT_OPEN, f"该调查的作答时间为 {survey.opens_on} 至 {survey.closes_on}，"
                                                      "当前不在作答时间内")
    async with in_transaction():
        updated = await SurveyInvitation.filter(id=invitation.id, answered_at__isnull=True).update(
            answered_at=datetime.now(timezone.utc), answered_by_id=principal.account_id, answers=given)
        if updated:
            await record("survey.answered", actor, subject_account_id=invitation.enterprise_id,
                         target=f"survey-invitation:{invitation.id}", detail={"idempotencyKey": key})
            event = await events.append(f"survey-invitation:{invitation.id}", 1, "survey.answered",
                                        InvitationAnswered(invitation.id, survey.id))
    fresh = await SurveyInvitation.get(id=invitation.id).select_related("survey", "enterprise")
    if not updated:  # answered meanwhile (another agent, the same tap twice)
        return _repeat(fresh, given)
    await events.publish([event])
    return fresh


def _repeat(invitation: SurveyInvitation, given: dict[str, Any]) -> SurveyInvitation:
    if invitation.answers != given:
        raise Conflicting(SurveyCode.ALREADY_ANSWERED, "贵单位已提交过本次调查的答卷，答卷提交后不能修改")
    return invitation


async def invitations_of(credit_codes: Sequence[str]) -> list[SurveyInvitation]:
    """The invitations of these enterprises to published surveys, open ones first, newest first (at most 50)."""
    if not credit_codes:
        return []
    rows = await SurveyInvitation.filter(
        credit_code__in=list(credit_codes),
        survey__status__in=[SurveyStatus.PUBLISHED, SurveyStatus.RESULTS_PUBLISHED]).select_related(
        "survey", "enterprise").order_by("-survey__closes_on", "-id").limit(50)
    day = today()
    return sorted(rows, key=lambda row: not is_open(row.survey, day))


# --- who sees what ------------------------------------------------------------------------------------------------


async def may_see_survey(principal: Principal | None, survey: Survey) -> bool:
    """A survey is seen by its region's supervisors; once published by the enterprises invited (and their agents);
    once its results are published by everybody."""
    if survey.status is SurveyStatus.RESULTS_PUBLISHED or may_supervise(principal, survey.region_code):
        return True
    if survey.status is SurveyStatus.DRAFT or principal is None:
        return False
    codes = await SurveyInvitation.filter(survey_id=survey.id).values_list("credit_code", flat=True)
    for code in codes:
        if await may_act_for_enterprise(principal, code):
            return True
    return False


def may_see_results(principal: Principal | None, survey: Survey) -> bool:
    """The figures: the region's supervisors from publication on (live), everybody once the results are published."""
    if survey.status is SurveyStatus.RESULTS_PUBLISHED:
        return True
    return survey.status is SurveyStatus.PUBLISHED and may_supervise(principal, survey.region_code)


def regional_surveys(region_code: str) -> QuerySet[Survey]:
    """The surveys of a region and the regions it covers, newest period first (supervisors: ``may_supervise``)."""
    return Survey.filter(within(check_region_code("regionCode", region_code))).order_by("-year", "-half", "-id")


def published_results(region_code: str) -> QuerySet[Survey]:
    """The surveys whose results are public, of a region and the regions it covers, newest period first."""
    return regional_surveys(region_code).filter(status=SurveyStatus.RESULTS_PUBLISHED)


# --- figures ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scores:
    """SCALE answers summed up: how many, the mean score, the satisfaction rate (share of 4 and 5)."""

    responses: int
    mean_score: float | None
    satisfaction_rate: float | None

    @classmethod
    def of(cls, scores: Sequence[int]) -> Scores:
        if not scores:
            return cls(0, None, None)
        satisfied = sum(score >= SATISFIED_FROM for score in scores)
        mean = (Decimal(sum(scores)) / len(scores)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        return cls(len(scores), float(mean), round(satisfied / len(scores), 4))


@dataclass(frozen=True)
class RegionFigures:
    region_code: str
    region_name: str | None
    invited: int
    responses: int
    response_rate: float | None
    scores: Scores


@dataclass(frozen=True)
class DepartmentFigures:
    department_code: str
    department_name: str | None
    scores: Scores


@dataclass(frozen=True)
class QuestionFigures:
    question: dict
    responses: int
    scores: Scores | None  # SCALE questions
    by_region: list[tuple[str, str | None, Scores]]
    choices: list[tuple[str, int]]  # CHOICE questions: each option with its count, in the question's order
    text_answers: list[str] | None  # TEXT questions, for supervisors only


@dataclass(frozen=True)
class SurveyFigures:
    survey: Survey
    invited: int
    responses: int
    response_rate: float | None
    scores: Scores
    by_region: list[RegionFigures]
    by_department: list[DepartmentFigures]
    questions: list[QuestionFigures] = field(default_factory=list)


def area_of(survey_region: str, enterprise_region: str) -> str:
    """The region an answer is counted under: one level below the survey's (a province survey by city, a city
    survey by county); a county survey counts under itself."""
    if survey_region.endswith("0000"):
        return f"{enterprise_region[:4]}00"
    if survey_region.endswith("00"):
        return enterprise_region if is_region_code(enterprise_region) else survey_region
    return survey_region


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def figures_of(survey: Survey, invitations: Sequence[tuple[str, dict[str, Any] | None]],
               region_names: dict[str, str], department_names: dict[str, str], *,
               with_text: bool) -> SurveyFigures:
    """The figures of a survey from its invitations ((enterprise region, answers or None)): the response rate;
    per SCALE question the mean score and satisfaction rate, overall and by region; per department the scores of
    the questions about it; per CHOICE question the count of each option; TEXT answers only ``with_text`` (they
    are sorted, so that their order tells nothing of who wrote them)."""
    answered = [(area_of(survey.region_code, region), answers) for region, answers in invitations if answers is not None]
    invited_by_area: dict[str, int] = {}
    for region, _ in invitations:
        area = area_of(survey.region_code, region)
        invited_by_area[area] = invited_by_area.get(area, 0) + 1
    scale = [q for q in survey.questions if q["kind"] == QuestionKind.SCALE.value]

    def scores(rows: Iterable[tuple[str, dict]], questions: Sequence[dict]) -> Scores:
        return Scores.of([a[q["key"]] for _, a in rows for q in questions if q["key"] in a])

    areas = sorted(invited_by_area)
    by_region = [RegionFigures(area, region_names.get(area), invited_by_area[area],
                               sum(1 for a, _ in answered if a == area),
                               _rate(sum(1 for a, _ in answered if a == area), invited_by_area[area]),
                               scores([r for r in answered if r[0] == area], scale)) for area in areas]
    departments = sorted({q["departmentCode"] for q in scale if q.get("departmentCode")})
    by_department = [DepartmentFigures(code, department_names.get(code),
                                       scores(answered, [q for q in scale if q.get("departmentCode") == code]))
                     for code in departments]
    questions = []
    for question in survey.questions:
        key, kind = question["key"], QuestionKind(question["kind"])
        given = [(area, answers[key]) for area, answers in answered if key in answers]
        questions.append(QuestionFigures(
            question=question, responses=len(given),
            scores=Scores.of([value for _, value in given]) if kind is QuestionKind.SCALE else None,
            by_region=[(area, region_names.get(area), Scores.of([v for a, v in given if a == area]))
                       for area in areas] if kind is QuestionKind.SCALE else [],
            choices=[(option, sum(1 for _, value in given if value == option)) for option in question["options"]]
            if kind is QuestionKind.CHOICE else [],
            text_answers=sorted(value for _, value in given) if kind is QuestionKind.TEXT and with_text else None))
    return SurveyFigures(survey=survey, invited=len(invitations), responses=len(answered),
                         response_rate=_rate(len(answered), len(invitations)), scores=scores(answered, scale),
                         by_region=by_region, by_department=by_department, questions=questions)


async def results(principal: Principal | None, survey_id: int) -> SurveyFigures | None:
    """The figures of a survey for whoever may see them (``may_see_results``), else None; text answers for the
    region's supervisors only."""
    survey = await Survey.get_or_none(id=survey_id)
    if survey is None or not may_see_results(principal, survey):
        return None
    rows = await SurveyInvitation.filter(survey_id=survey.id).values_list("region_code", "answers")
    areas = {area_of(survey.region_code, region) for region, _ in rows}
    region_names = dict(await Region.filter(code__in=list(areas)).values_list("code", "name")) if areas else {}
    codes = [q["departmentCode"] for q in survey.questions if q.get("departmentCode")]
    department_names = dict(await Department.filter(code__in=codes).values_list("code", "name")) if codes else {}
    return figures_of(survey, rows, region_names, department_names,
                      with_text=may_supervise(principal, survey.region_code))
