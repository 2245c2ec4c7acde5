"""好差评: the applicant rates a finished task, application or appeal from 1 to 5 (非常不满意 … 非常满意).
A rating of 1 or 2 is a bad review (差评): the supervisor of its region owes a return visit (回访) within
1 working day and a rectification (整改) within 15 working days, both tracked like any other deadline.

No GraphQL here. Expected failures are the exceptions of ``portal.problems``. The table is
``portal.evaluations.models.Evaluation`` (its table was created with the appeals zone's migration).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timezone

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from portal.appeals.models import Appeal, AppealStatus, SlaStep
from portal.evaluations.models import Evaluation
from portal.applications.models import Application, ApplicationStatus, Task, TaskStatus
from portal.applications.rules import application_status
from portal.audit.rules import Actor, record
from portal.catalog.models import Department
from portal.identity.models import Account, AccountKind
from portal.identity.policy import may_act_for, may_act_for_enterprise, may_supervise
from portal.identity.principal import Principal
from portal.appeals.rules import step_rate, written
from portal.evaluations.errors import EvaluationCode
from portal.idempotency import check_key
from portal.problems import MAX_ROW_ID, Code, Conflicting, FormProblems, InvalidField, Missing
from portal.regions import check_region_code, within
from portal.workdays import SHANGHAI, WorkCalendar, day_bounds_utc

MIN_RATING, MAX_RATING = 1, 5
BAD_AT_MOST = 2  # 1 非常不满意, 2 不满意
MAX_COMMENT_LENGTH = 500
MAX_NOTE_LENGTH = 1000
RETURN_VISIT_DAYS = 1
RECTIFY_DAYS = 15
_TARGET = re.compile(r"(task|application|appeal):([0-9]{1,10})")

FINISHED_TASK = (TaskStatus.APPROVED, TaskStatus.REJECTED)
FINISHED_APPLICATION = (ApplicationStatus.DONE, ApplicationStatus.REJECTED)
FINISHED_APPEAL = (AppealStatus.RESOLVED, AppealStatus.CLOSED)
UNFINISHED = {"task": "该事项尚未办结，办结后才能评价", "application": "该申请尚未全部办结，办结后才能评价",
              "appeal": "该诉求尚未办结，办结后才能评价"}
# A follow-up step of a bad review: the columns it fills and its Chinese name.
FOLLOW_UPS = {SlaStep.RETURN_VISIT: ("return_visit_at", "return_visit_note", "回访", "return_visit"),
              SlaStep.RECTIFY: ("rectified_at", "rectification_note", "整改", "rectification")}


def is_bad(rating: int) -> bool:
    """差评: a rating of 1 (非常不满意) or 2 (不满意) is a bad review and is followed up."""
    return rating <= BAD_AT_MOST


def bad_review_deadlines(calendar: WorkCalendar, day: date) -> tuple[datetime, datetime]:
    """A bad review given on the Asia/Shanghai calendar day `day` is due a return visit (回访) by the end of
    the 1st working day after it and a rectification (整改) by the end of the 15th (23:59:59 +08:00)."""
    return_visit_by, _ = calendar.deadline(day, RETURN_VISIT_DAYS)
    rectify_by, _ = calendar.deadline(day, RECTIFY_DAYS)
    return return_visit_by, rectify_by


def overdue_steps(evaluation: Evaluation, now: datetime) -> list[SlaStep]:
    """The follow-up steps of a bad review past their deadline and not yet recorded."""
    steps = []
    if evaluation.return_visit_by is not None and evaluation.return_visit_at is None \
            and evaluation.return_visit_by < now:
        steps.append(SlaStep.RETURN_VISIT)
    if evaluation.rectify_by is not None and evaluation.rectified_at is None and evaluation.rectify_by < now:
        steps.append(SlaStep.RECTIFY)
    return steps


@dataclass(frozen=True)
class Target:
    """What is rated, whose it is, and which department and region answer for it."""

    kind: str  # task, application, appeal
    id: int
    applicant_id: int | None  # the account the service was for: the audit subject
    bundle_code: str | None  # tasks and applications: a family member acts for the applicant per bundle
    credit_code: str | None  # appeals name the enterprise by credit code
    department_code: str | None
    region_code: str | None
    finished: bool

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.id}"


def parse_target(value: str) -> tuple[str, int]:
    """`task:<id>`, `application:<id>` or `appeal:<id>`."""
    match = _TARGET.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise InvalidField("targetId", EvaluationCode.BAD_TARGET, "评价对象应为 task:编号、application:编号 或 appeal:编号")
    return match.group(1), int(match.group(2))


async def _region_of(department_code: str | None) -> str | None:
    department = await Department.get_or_none(code=department_code) if department_code else None
    return department.region_code if department else None


async def find_target(kind: str, target_id: int) -> Target | None:
    """The rated object, or None if it does not exist. A task answers for itself (its department, and that
    department's region). An application spans several departments: it is attributed to the department of
    its first task (the bundle's first item) and that department's region. An appeal to its undertaking unit
    and the region it was recorded for."""
    if target_id > MAX_ROW_ID:
        return None
    if kind == "task":
        task = await Task.get_or_none(id=target_id)
        if task is None:
            return None
        application = await Application.get(id=task.application_id).select_related("bundle")
        return Target(kind, task.id, application.applicant_id, application.bundle.code, None, task.department_code,
                      await _region_of(task.department_code), task.status in FINISHED_TASK)
    if kind == "application":
        application = await Application.get_or_none(id=target_id).select_related("bundle")
        if application is None:
            return None
        tasks = await Task.filter(application_id=application.id).select_related("item").order_by("sort")
        status = application_status({t.item.code: t.status for t in tasks},
                                    {t.item.code: t.prerequisites for t in tasks})
        department = tasks[0].department_code if tasks else None
        return Target(kind, application.id, application.applicant_id, application.bundle.code, None, department,
                      await _region_of(department), status in FINISHED_APPLICATION)
    appeal = await Appeal.get_or_none(id=target_id)
    if appeal is None:
        return None
    enterprise = await Account.get_or_none(kind=AccountKind.ENTERPRISE, credit_code=appeal.credit_code)
    return Target(kind, appeal.id, enterprise.id if enterprise else None, None, appeal.credit_code,
                  appeal.department_code, appeal.region_code, appeal.status in FINISHED_APPEAL)


async def may_rate(principal: Principal, target: Target) -> bool:
    """The applicant rates: the applicant themselves or whoever may act for them (an enterprise's agents, a
    family member authorised for the bundle); an appeal is rated for the enterprise that raised it."""
    if target.credit_code is not None:
        return await may_act_for_enterprise(principal, target.credit_code)
    return target.applicant_id is not None and await may_act_for(principal, target.applicant_id,
                                                                 bundle_code=target.bundle_code)


def _checked_input(target_id: str, rating: int, comment: str | None,
                   idempotency_key: str) -> tuple[str, int, str, str]:
    """Every bad input at once: (kind, id, comment, key)."""
    problems: list[InvalidField] = []
    kind, number = "", 0
    try:
        kind, number = parse_target(target_id)
    except InvalidField as bad:
        problems.append(bad)
    if isinstance(rating, bool) or not isinstance(rating, int) or not MIN_RATING <= rating <= MAX_RATING:
        problems.append(InvalidField("rating", Code.OUT_OF_RANGE, f"评分须为{MIN_RATING}到{MAX_RATING}的整数"))
    text = ""
    try:
        text = written(comment, "comment", "评价内容", 0, MAX_COMMENT_LENGTH)
    except InvalidField as problem:
        problems.append(problem)
    try:
        key = check_key(idempotency_key)
    except InvalidField as problem:
        problems.append(problem)
        key = ""
    if problems:
        raise FormProblems(problems)
    return kind, number, text, key


async def _previous(rater_id: int, target: Target, rating: int, comment: str) -> Evaluation | None:
    """The rater's evaluation of the target, if any: the same content is a repeat, other content a conflict."""
    existing = await Evaluation.get_or_none(rater_id=rater_id, target_type=target.kind, target_id=target.id)
    if existing is not None and (existing.rating, existing.comment) != (rating, comment):
        raise Conflicting(EvaluationCode.ALREADY_EVALUATED, "您已评价过，评价提交后不能修改")
    return existing


async def own_evaluation(principal: Principal, target_id: str) -> Evaluation | None:
    """The signed-in rater's own evaluation of a task, application or appeal, if they gave one."""
    kind, number = parse_target(target_id)
    if number > MAX_ROW_ID:
        return None
    return await Evaluation.get_or_none(rater_id=principal.account_id, target_type=kind, target_id=number)


async def evaluate(principal: Principal, actor: Actor, calendar: WorkCalendar, *, target_id: str, rating: int,
                   comment: str | None, idempotency_key: str) -> Evaluation:
    """好差评: the applicant rates a finished task (办结 or 不予办理), application (all done, or rejected) or appeal
    (resolved or closed) once. The natural key (rater, target) dedupes: the same rating and comment again,
    even racing, returns the first evaluation; other content is ALREADY_EVALUATED. The idempotency key is kept
    in the audit entry. A bad review gets its return-visit and rectification deadlines from today (Shanghai)."""
    kind, number, text, key = _checked_input(target_id, rating, comment, idempotency_key)
    target = await find_target(kind, number)
    if target is None or not await may_rate(principal, target):
        raise Missing(Code.NOT_FOUND, "未找到该评价对象")
    if (previous := await _previous(principal.account_id, target, rating, text)) is not None:
        return previous
    if not target.finished:
        raise Conflicting(EvaluationCode.NOT_FINISHED, UNFINISHED[kind])
    deadlines: dict[str, datetime] = {}
    if is_bad(rating):
        return_visit_by, rectify_by = bad_review_deadlines(calendar, datetime.now(SHANGHAI).date())
        # Stored in UTC: SQLite compares timestamps as text.
        deadlines = {"return_visit_by": return_visit_by.astimezone(timezone.utc),
                     "rectify_by": rectify_by.astimezone(timezone.utc)}
    try:
        async with in_transaction():
            evaluation = await Evaluation.create(
                target_type=target.kind, target_id=target.id, rater_id=principal.account_id,
                department_code=target.department_code, region_code=target.region_code, rating=rating, comment=text,
                **deadlines)
            await record("evaluation.created", actor, subject_account_id=target.applicant_id,
                         target=f"evaluation:{evaluation.id}",
                         detail={"target": target.ref, "rating": rating, "idempotencyKey": key})
    except IntegrityError:
        # The same rater and target raced in twice: the first one counts.
        previous = await _previous(principal.account_id, target, rating, text)
        if previous is None:
            raise
        return previous
    return evaluation


def _note(note: str | None, name: str) -> str:
    text = written(note, "note", f"{name}情况", 0, MAX_NOTE_LENGTH)
    if not text:
        raise InvalidField("note", Code.REQUIRED, f"请填写{name}情况")
    return text


async def _follow_up(principal: Principal, actor: Actor, evaluation_id: int, note: str | None,
                     step: SlaStep) -> Evaluation:
    at_column, note_column, name, action = FOLLOW_UPS[step]
    evaluation = await Evaluation.get_or_none(id=evaluation_id) if evaluation_id <= MAX_ROW_ID else None
    if evaluation is None or not may_supervise(principal, evaluation.region_code or ""):
        raise Missing(Code.NOT_FOUND, "未找到该评价")
    if not is_bad(evaluation.rating):
        raise Conflicting(EvaluationCode.NOT_A_BAD_REVIEW, f"该评价不是差评，无需{name}")
    text = _note(note, name)
    async with in_transaction():
        recorded = await Evaluation.filter(id=evaluation.id, **{f"{at_column}__isnull": True}).update(
            **{at_column: datetime.now(timezone.utc), note_column: text})
        if not recorded:
            raise Conflicting(EvaluationCode.ALREADY_RECORDED, f"该差评的{name}情况已经登记")
        target = await find_target(evaluation.target_type, evaluation.target_id)
        await record(f"evaluation.{action}_recorded", actor,
                     subject_account_id=target.applicant_id if target else None,
                     target=f"evaluation:{evaluation.id}", detail={"note": text})
    return await Evaluation.get(id=evaluation.id)


async def record_return_visit(principal: Principal, actor: Actor, evaluation_id: int, note: str | None) -> Evaluation:
    """回访: the supervisor of a bad review's region records the return visit to the rater, once."""
    return await _follow_up(principal, actor, evaluation_id, note, SlaStep.RETURN_VISIT)


async def record_rectification(principal: Principal, actor: Actor, evaluation_id: int,
                               note: str | None) -> Evaluation:
    """整改: the supervisor of a bad review's region records what was rectified, once."""
    return await _follow_up(principal, actor, evaluation_id, note, SlaStep.RECTIFY)


def bad_reviews(region_code: str, *, overdue: bool | None, now: datetime) -> QuerySet[Evaluation]:
    """The bad reviews of a region, newest first; `overdue` keeps those with a follow-up step past due (or
    with none)."""
    query = Evaluation.filter(within(check_region_code("regionCode", region_code)), rating__lte=BAD_AT_MOST)
    if overdue is not None:
        late = Q(return_visit_by__lt=now, return_visit_at__isnull=True) | Q(rectify_by__lt=now,
                                                                           rectified_at__isnull=True)
        query = query.filter(late) if overdue else query.exclude(late)
    return query.order_by("-created_at", "-id")


async def stats(region_code: str, first_day: date, last_day: date) -> dict[str, int | float | None]:
    """好差评 figures for evaluations made in the period in a region: how many, the average rating, the bad
    reviews, and the on-time rate of their 回访 and 整改, reported like the 2115 steps."""
    scope = check_region_code("regionCode", region_code)
    start, end = day_bounds_utc(first_day, last_day)
    rows = await Evaluation.filter(within(scope), created_at__gte=start, created_at__lt=end).values(
        "rating", "return_visit_at", "return_visit_by", "rectified_at", "rectify_by")
    bad = [r for r in rows if is_bad(r["rating"])]
    now = datetime.now(timezone.utc)
    return {
        "evaluations": len(rows),
        "average_rating": round(sum(r["rating"] for r in rows) / len(rows), 2) if rows else None,
        "bad_reviews": len(bad),
        "return_visit_on_time_rate": step_rate(((r["return_visit_at"], r["return_visit_by"]) for r in bad), now),
        "rectify_on_time_rate": step_rate(((r["rectified_at"], r["rectify_by"]) for r in bad), now),
    }
