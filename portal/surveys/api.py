"""营商环境满意度调查: types, queries and mutations. Thin: rules decide, this file shapes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from portal.api.errors import (
    ApiCode,
    Conflict,
    FormInvalid,
    NotFound,
    PermissionDenied,
    PublicError,
    expected_failures_as_values,
    invalid_arguments,
    signed_in,
)
from portal.api.pagination import Connection, paginate
from portal.appeals.api import enterprise_codes
from portal.identity.policy import may_supervise
from portal.problems import known_id, row_id
from portal.regions import PROVINCE
from portal.surveys import models, rules
from portal.surveys.models import QuestionKind, SurveyHalf, SurveyStatus

strawberry.enum(SurveyStatus, description="DRAFT (草稿), PUBLISHED (已发布, answers taken from opensOn to closesOn), "
                                          "RESULTS_PUBLISHED (结果已公布: closed, figures public).")
strawberry.enum(SurveyHalf, description="H1 上半年 (January–June), H2 下半年 (July–December).")
strawberry.enum(QuestionKind, description="SCALE (1 非常不满意 … 5 非常满意), CHOICE (one of its options), TEXT.")

MAX_PUBLISHED = 50


@strawberry.type(description="A question of a survey, as data.")
class SurveyQuestion:
    key: str = strawberry.field(description="The question's canonical key, e.g. `approvalSpeed`; answers name it.")
    text: str
    kind: QuestionKind
    required: bool
    options: list[str] = strawberry.field(description="CHOICE questions: the options, in order; empty otherwise.")
    department_code: str | None = strawberry.field(description="The department the question is about, if any.")

    @classmethod
    def of(cls, question: dict) -> SurveyQuestion:
        return cls(key=question["key"], text=question["text"], kind=QuestionKind(question["kind"]),
                   required=question["required"], options=list(question["options"]),
                   department_code=question.get("departmentCode"))


@strawberry.type(description="营商环境满意度调查: a survey of market entities of a region for a half-year.")
class Survey:
    id: strawberry.ID
    title: str
    region_code: str
    year: int
    half: SurveyHalf
    opens_on: date
    closes_on: date
    sample_percent: int = strawberry.field(description="抽样比例: the percentage of the region's enterprises sampled.")
    status: SurveyStatus
    version: int
    questions: list[SurveyQuestion]
    population: int | None = strawberry.field(description="Enterprises of the region when the sample was drawn.")
    sample_seed: str | None = strawberry.field(description="The seed the sample was drawn with (reproducible: the "
                                                           "population in credit-code order, Python's random.sample).")
    published_at: datetime | None
    results_published_at: datetime | None

    @classmethod
    def of(cls, row: models.Survey) -> Survey:
        return cls(id=strawberry.ID(str(row.id)), title=row.title, region_code=row.region_code, year=row.year,
                   half=row.half, opens_on=row.opens_on, closes_on=row.closes_on, sample_percent=row.sample_percent,
                   status=row.status, version=row.version, questions=[SurveyQuestion.of(q) for q in row.questions],
                   population=row.population,
                   sample_seed=str(row.sample_seed) if row.sample_seed is not None else None,
                   published_at=row.published_at, results_published_at=row.results_published_at)

    @strawberry.field(description="Whether answers are taken today (Asia/Shanghai).")
    def open(self) -> bool:
        return self.status is SurveyStatus.PUBLISHED and self.opens_on <= rules.today() <= self.closes_on


@strawberry.type(description="A sampled enterprise's invitation to a survey, answered once.")
class SurveyInvitation:
    id: strawberry.ID
    survey: Survey
    enterprise_name: str
    answered_at: datetime | None

    @classmethod
    def of(cls, row: models.SurveyInvitation) -> SurveyInvitation:
        return cls(id=strawberry.ID(str(row.id)), survey=Survey.of(row.survey), enterprise_name=row.enterprise.name,
                   answered_at=row.answered_at)

    @strawberry.field
    def answered(self) -> bool:
        return self.answered_at is not None


@strawberry.type(description="SCALE answers summed up.")
class SurveyScores:
    responses: int
    mean_score: float | None = strawberry.field(description="The mean of the scores, 1 to 5 (2 decimals).")
    satisfaction_rate: float | None = strawberry.field(description="满意率: the share of 4 and 5.")

    @classmethod
    def of(cls, scores: rules.Scores) -> SurveyScores:
        return cls(responses=scores.responses, mean_score=scores.mean_score,
                   satisfaction_rate=scores.satisfaction_rate)


@strawberry.type(description="The figures of one region under the survey's (a city under a province, a county "
                             "under a city).")
class SurveyRegionFigures:
    region_code: str
    region_name: str | None
    invited: int
    responses: int
    response_rate: float | None
    scores: SurveyScores


@strawberry.type(description="The scores of the SCALE questions about one department.")
class SurveyDepartmentFigures:
    department_code: str
    department_name: str | None
    scores: SurveyScores


@strawberry.type
class SurveyRegionScores:
    region_code: str
    region_name: str | None
    scores: SurveyScores


@strawberry.type
class SurveyChoiceCount:
    option: str
    count: int


@strawberry.type(description="The figures of one question.")
class SurveyQuestionFigures:
    question: SurveyQuestion
    responses: int
    scores: SurveyScores | None = strawberry.field(description="SCALE questions.")
    by_region: list[SurveyRegionScores] = strawberry.field(description="SCALE questions, by region.")
    choices: list[SurveyChoiceCount] = strawberry.field(description="CHOICE questions: each option's count.")
    text_answers: list[str] | None = strawberry.field(
        description="TEXT questions, sorted: for the region's supervisors only, null for everybody else.")


@strawberry.type(description="The figures of a survey: nothing in them names an enterprise.")
class SurveyResults:
    survey: Survey
    invited: int
    responses: int
    response_rate: float | None
    scores: SurveyScores = strawberry.field(description="Every SCALE answer of the survey.")
    by_region: list[SurveyRegionFigures]
    by_department: list[SurveyDepartmentFigures]
    questions: list[SurveyQuestionFigures]

    @classmethod
    def of(cls, figures: rules.SurveyFigures) -> SurveyResults:
        return cls(
            survey=Survey.of(figures.survey), invited=figures.invited, responses=figures.responses,
            response_rate=figures.response_rate, scores=SurveyScores.of(figures.scores),
            by_region=[SurveyRegionFigures(region_code=r.region_code, region_name=r.region_name, invited=r.invited,
                                           responses=r.responses, response_rate=r.response_rate,
                                           scores=SurveyScores.of(r.scores)) for r in figures.by_region],
            by_department=[SurveyDepartmentFigures(department_code=d.department_code,
                                                   department_name=d.department_name,
                                                   scores=SurveyScores.of(d.scores)) for d in figures.by_department],
            questions=[SurveyQuestionFigures(
                question=SurveyQuestion.of(q.question), responses=q.responses,
                scores=SurveyScores.of(q.scores) if q.scores else None,
                by_region=[SurveyRegionScores(region_code=code, region_name=name, scores=SurveyScores.of(scores))
                           for code, name, scores in q.by_region],
                choices=[SurveyChoiceCount(option=option, count=count) for option, count in q.choices],
                text_answers=q.text_answers) for q in figures.questions])


@strawberry.input
class SurveyQuestionInput:
    key: str
    text: str
    kind: QuestionKind
    required: bool = True
    options: list[str] = strawberry.field(default_factory=list)
    department_code: str | None = None


@strawberry.input
class DraftSurveyInput:
    title: str
    region_code: str
    year: int
    half: SurveyHalf
    opens_on: date
    closes_on: date
    sample_percent: int = strawberry.field(description="1 to 100: the percentage of the region's enterprises sampled.")
    questions: list[SurveyQuestionInput]
    idempotency_key: str


@strawberry.input
class SurveyAnswerInput:
    question_key: str
    score: int | None = strawberry.field(default=None, description="SCALE: 1 to 5.")
    choice: str | None = strawberry.field(default=None, description="CHOICE: one of the options.")
    text: str | None = strawberry.field(default=None, description="TEXT.")


@strawberry.input
class AnswerSurveyInput:
    invitation_id: strawberry.ID
    answers: list[SurveyAnswerInput]
    idempotency_key: str


SurveyResult = Annotated[Survey | FormInvalid | PermissionDenied | NotFound | Conflict,
                         strawberry.union("SurveyResult")]
SurveyInvitationResult = Annotated[SurveyInvitation | FormInvalid | PermissionDenied | NotFound | Conflict,
                                   strawberry.union("SurveyInvitationResult")]


def _id(value: strawberry.ID) -> int:
    return known_id(value, "未找到该调查")


@strawberry.type
class SurveyQuery:
    @strawberry.field(description="A survey: for its region's supervisors, the enterprises invited (and their "
                                  "agents) once published, everybody once its results are published; else null.")
    async def survey(self, info: Info, id: strawberry.ID) -> Survey | None:
        key = row_id(id)
        row = await models.Survey.get_or_none(id=key) if key is not None else None
        if row is None or not await rules.may_see_survey(await info.context.principal(), row):
            return None
        return Survey.of(row)

    @strawberry.field(description="督办: the surveys of a region and the regions it covers, drafts too, newest "
                                  "period first.")
    async def surveys(self, info: Info, region_code: str, first: int | None = None,
                      after: str | None = None) -> Connection[Survey]:
        principal = await info.context.require_principal()
        with invalid_arguments():
            query = rules.regional_surveys(region_code)
        if not may_supervise(principal, region_code):
            raise PublicError(ApiCode.FORBIDDEN, "只有该地区的督办人员可以查看满意度调查")
        return await paginate(query, first, after, Survey.of)

    @strawberry.field(description="Public: the surveys of a region (and the regions it covers) whose results are "
                                  "published, newest period first (at most 50).")
    async def published_surveys(self, region_code: str = PROVINCE) -> list[Survey]:
        with invalid_arguments():
            query = rules.published_results(region_code)
        return [Survey.of(row) for row in await query.limit(MAX_PUBLISHED)]

    @strawberry.field(description="The figures of a survey: anonymous once its results are published, its region's "
                                  "supervisors from publication on; else null. Text answers for supervisors only.")
    async def survey_results(self, info: Info, id: strawberry.ID) -> SurveyResults | None:
        key = row_id(id)
        figures = await rules.results(await info.context.principal(), key) if key is not None else None
        return SurveyResults.of(figures) if figures else None

    @strawberry.field(description="The survey invitations of this enterprise, or of the enterprises this citizen "
                                  "is an agent of: open ones first (at most 50). Empty for everybody else.")
    async def my_surveys(self, info: Info) -> list[SurveyInvitation]:
        principal = await info.context.principal()
        if principal is None:
            return []
        return [SurveyInvitation.of(row) for row in await rules.invitations_of(await enterprise_codes(principal))]


@strawberry.type
class SurveyMutation:
    @strawberry.mutation(description="督办: draft a satisfaction survey of a region for a half-year; every bad field "
                                     "at once (e.g. `questions[2].options`).")
    @expected_failures_as_values
    async def draft_survey(self, info: Info, input: DraftSurveyInput) -> SurveyResult:
        draft = rules.SurveyDraft(
            title=input.title, region_code=input.region_code, year=input.year, half=input.half,
            opens_on=input.opens_on, closes_on=input.closes_on, sample_percent=input.sample_percent,
            questions=[rules.QuestionDraft(key=q.key, text=q.text, kind=q.kind, required=q.required,
                                           options=q.options, department_code=q.department_code)
                       for q in input.questions])
        return Survey.of(await rules.draft_survey(await signed_in(info), await info.context.actor(), draft,
                                                  idempotency_key=input.idempotency_key))

    @strawberry.mutation(description="发布: draw the sample (seed recorded) and invite the sampled enterprises.")
    @expected_failures_as_values
    async def publish_survey(self, info: Info, id: strawberry.ID, version: int) -> SurveyResult:
        return Survey.of(await rules.publish_survey(await signed_in(info), await info.context.actor(), _id(id),
                                                    version))

    @strawberry.mutation(description="公布结果: close the survey to answers and make its figures public.")
    @expected_failures_as_values
    async def publish_survey_results(self, info: Info, id: strawberry.ID, version: int) -> SurveyResult:
        return Survey.of(await rules.publish_results(await signed_in(info), await info.context.actor(), _id(id),
                                                     version))

    @strawberry.mutation(description="A sampled enterprise (or its agent) answers its invitation once; the same "
                                     "answers again return it, other answers are ALREADY_ANSWERED.")
    @expected_failures_as_values
    async def answer_survey(self, info: Info, input: AnswerSurveyInput) -> SurveyInvitationResult:
        answers = [rules.AnswerDraft(question_key=a.question_key, score=a.score, choice=a.choice, text=a.text)
                   for a in input.answers]
        row = await rules.answer_survey(await signed_in(info), await info.context.actor(),
                                        known_id(input.invitation_id, "未找到该调查邀请"), answers,
                                        idempotency_key=input.idempotency_key)
        return SurveyInvitation.of(row)
