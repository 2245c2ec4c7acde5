"""好差评 types, the supervisor's list of bad reviews, and the mutations. Thin: rules decide, this file shapes."""

from __future__ import annotations

from datetime import date, datetime, timezone
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
    check_period,
    invalid_arguments,
    expected_failures_as_values,
    signed_in,
)
from portal.api.pagination import Connection, paginate
from portal.evaluations import models
from portal.evaluations import rules
from portal.identity.policy import may_supervise
from portal.problems import known_id


@strawberry.type(description="好差评: a rating of a finished task, application or appeal; 1–2 is a bad review "
                             "(差评), due a return visit (回访) in 1 and a rectification (整改) in 15 working days.")
class Evaluation:
    row: strawberry.Private[models.Evaluation]
    id: strawberry.ID
    target_id: str = strawberry.field(description="task:<id>, application:<id> or appeal:<id>.")
    rating: int = strawberry.field(description="5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意.")
    comment: str | None
    created_at: datetime
    bad: bool
    department_code: str | None
    region_code: str | None
    return_visit_by: datetime | None
    return_visit_at: datetime | None
    return_visit_note: str | None
    rectify_by: datetime | None
    rectified_at: datetime | None
    rectification_note: str | None

    @classmethod
    def of(cls, row: models.Evaluation) -> Evaluation:
        return cls(row=row, id=strawberry.ID(str(row.id)), target_id=f"{row.target_type}:{row.target_id}",
                   rating=row.rating, comment=row.comment or None, created_at=row.created_at,
                   bad=rules.is_bad(row.rating), department_code=row.department_code, region_code=row.region_code,
                   return_visit_by=row.return_visit_by, return_visit_at=row.return_visit_at,
                   return_visit_note=row.return_visit_note or None, rectify_by=row.rectify_by,
                   rectified_at=row.rectified_at, rectification_note=row.rectification_note or None)

    @strawberry.field(description="RETURN_VISIT and RECTIFY steps past their deadline and not yet recorded.")
    def overdue_steps(self) -> list[str]:
        return [step.value for step in rules.overdue_steps(self.row, datetime.now(timezone.utc))]


@strawberry.input
class EvaluateInput:
    target_id: str = strawberry.field(description="task:<id>, application:<id> or appeal:<id>.")
    rating: int = strawberry.field(description="1 to 5; 1–2 is a bad review (差评).")
    comment: str | None = None
    idempotency_key: str


EvaluateResult = Annotated[Evaluation | FormInvalid | PermissionDenied | NotFound | Conflict,
                           strawberry.union("EvaluateResult")]
EvaluationResult = Annotated[Evaluation | FormInvalid | PermissionDenied | NotFound | Conflict,
                             strawberry.union("EvaluationResult")]


def _id(value: strawberry.ID) -> int:
    return known_id(value, "未找到该评价")


@strawberry.type(description="好差评 figures of a period: public and anonymous.")
class EvaluationStats:
    evaluations: int
    average_rating: float | None
    bad_reviews: int
    return_visit_on_time_rate: float | None
    rectify_on_time_rate: float | None


@strawberry.type
class EvaluationQuery:
    @strawberry.field(description="Evaluations of a region in a period, with the on-time rate of bad-review follow-up.")
    async def evaluation_stats(self, region_code: str, from_: Annotated[date, strawberry.argument(name="from")],
                               to: date) -> EvaluationStats:
        check_period(from_, to)
        with invalid_arguments():
            return EvaluationStats(**await rules.stats(region_code, from_, to))

    @strawberry.field(description="The signed-in account's own evaluation of `targetId` (task:<id>, "
                                  "application:<id> or appeal:<id>); null when they have not rated it.")
    async def my_evaluation(self, info: Info, target_id: str) -> Evaluation | None:
        principal = await info.context.principal()
        if principal is None:
            return None
        with invalid_arguments():
            row = await rules.own_evaluation(principal, target_id)
        return Evaluation.of(row) if row is not None else None

    @strawberry.field(description="督办: the bad reviews of a region (and the regions it covers), newest first; "
                                  "`overdue` keeps those with a follow-up step past due, or those without.")
    async def bad_reviews(self, info: Info, region_code: str, overdue: bool | None = None, first: int | None = None,
                          after: str | None = None) -> Connection[Evaluation]:
        principal = await info.context.require_principal()
        with invalid_arguments():
            query = rules.bad_reviews(region_code, overdue=overdue, now=datetime.now(timezone.utc))
        if not may_supervise(principal, region_code):
            raise PublicError(ApiCode.FORBIDDEN, "只有该地区的督办人员可以查看差评")
        return await paginate(query, first, after, Evaluation.of)


@strawberry.type
class EvaluationMutation:
    @strawberry.mutation(description="好差评: rate a finished task, application or appeal once; the same rating "
                                     "and comment again return the first evaluation.")
    @expected_failures_as_values
    async def evaluate(self, info: Info, input: EvaluateInput) -> EvaluateResult:
        row = await rules.evaluate(await signed_in(info), await info.context.actor(), info.context.calendar,
                                   target_id=input.target_id, rating=input.rating, comment=input.comment,
                                   idempotency_key=input.idempotency_key)
        return Evaluation.of(row)

    @strawberry.mutation(description="回访: the region's supervisor records the return visit of a bad review, once.")
    @expected_failures_as_values
    async def record_return_visit(self, info: Info, id: strawberry.ID, note: str) -> EvaluationResult:
        row = await rules.record_return_visit(await signed_in(info), await info.context.actor(), _id(id), note)
        return Evaluation.of(row)

    @strawberry.mutation(description="整改: the region's supervisor records the rectification of a bad review, once.")
    @expected_failures_as_values
    async def record_rectification(self, info: Info, id: strawberry.ID, note: str) -> EvaluationResult:
        row = await rules.record_rectification(await signed_in(info), await info.context.actor(), _id(id), note)
        return Evaluation.of(row)
