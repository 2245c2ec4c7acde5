"""Appeals: types, queries, mutations, the appeal stream and deadline alerts. Thin: rules decide."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import date, datetime, timezone
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from portal import events, references
from portal.api.errors import (
    ApiCode,
    Conflict,
    FormInvalid,
    NotFound,
    PermissionDenied,
    PublicError,
    check_period,
    expected_failures_as_values,
    invalid_argument,
    invalid_arguments,
    signed_in,
    stream_cursor,
)
from portal.api.pagination import Connection, paginate
from portal.appeals import clocks, models, rules
from portal.appeals.loaders import AppealLoaders
from portal.appeals.payloads import Alert, AppealChanged
from portal.appeals.clocks import KIND_NAMES, URGENCY_NAMES
from portal.appeals.categories import AppealCategory
from portal.appeals.models import AppealChannel, AppealKind, AppealStatus, AppealUrgency
from portal.applications.api import file_link
from portal.audit.rules import Actor
from portal.identity import masking, revocations
from portal.identity.models import Account, AccountKind, EnterpriseAgent, Role
from portal.identity.policy import has_role, may_route_appeals, may_supervise
from portal.identity.principal import Principal
from portal.knowledge.api import KnowledgeCitation, citation_of
from portal.problems import Code, Refused, known_id, row_id
from portal.regions import PROVINCE, is_region_code

if TYPE_CHECKING:
    from portal.oversight.api import MeetingTopic

strawberry.enum(AppealChannel, description="ONLINE (诉求专区), MAILBOX (省长信箱), HOTLINE (96178), VISIT (走访).")
strawberry.enum(AppealUrgency, description="分级: URGENT 特急, IMPORTANT 紧急, GENERAL 一般; each has its clock (`appealClocks`).")
strawberry.enum(AppealKind, description="分类: COMPLAINT 投诉, CONSULTATION 咨询, SUGGESTION 建议, REPORT 举报.")
strawberry.enum(AppealStatus)


@strawberry.type(description="The deadlines fixed when the undertaking unit received the appeal: 2115, or its "
                               "grade's tighter clock.")
class AppealSla:
    contact_by: datetime
    opinion_by: datetime
    resolve_by: datetime
    provisional: bool
    clock_name: str = strawberry.field(description="The grade's clock it was given (e.g. 特急), as `appealClocks` "
                                                   "names it; empty for appeals routed before grades had clocks.")


@strawberry.type(description="The clock of one grade (data: portal/appeals/data/clocks.yaml); `kind` null: every kind "
                               "of the urgency without an entry of its own.")
class AppealClock:
    urgency: AppealUrgency
    urgency_name: str
    kind: AppealKind | None
    kind_name: str | None
    name: str
    contact_minutes: int = strawberry.field(description="Natural minutes from the unit's receipt.")
    opinion_days: int = strawberry.field(description="Working days after the day of receipt.")
    resolve_days: int = strawberry.field(description="Working days after the day of receipt.")


@strawberry.type
class AppealStepEntry:
    at: datetime
    action: str
    actor: str = strawberry.field(description="Who, as the audit trail names them: `staff:39`, `enterprise:7`, `system`.")
    actor_name: str = strawberry.field(description="Who, as people read it: the account's name, or 系统.")
    department_code: str | None
    note: str


@strawberry.type
class AppealFile:
    file_id: str
    name: str
    media_type: str
    size: int

    @strawberry.field(description="A link that opens the file in a browser for 5 minutes, as the viewer (each read "
                                  "in the holder's access log); null when the viewer may not read it.")
    async def url(self, info: Info) -> str | None:
        return await file_link(info, self.file_id)


@strawberry.type(description="An enterprise's appeal (企业诉求).")
class Appeal:
    row: strawberry.Private[models.Appeal]
    id: strawberry.ID
    number: str = strawberry.field(description="受理编号: kind S, region, day, sequence, check character.")
    status: AppealStatus
    channel: AppealChannel
    category: AppealCategory
    urgency: AppealUrgency
    kind: AppealKind
    grade_name: str = strawberry.field(description="The grade as people read it, e.g. 特急·投诉.")
    answered_on_the_spot: bool = strawberry.field(description="Answered by the 96178 seat on the call and closed at "
                                                              "first contact with the caller's consent.")
    title: str
    content: str
    enterprise_name: str
    masked_credit_code: str
    region_code: str
    department_code: str | None
    received_at: datetime | None
    contacted_at: datetime | None
    opinion_at: datetime | None
    opinion: str
    resolved_at: datetime | None
    summary: str
    return_reason: str
    satisfied: bool | None
    rating: int | None
    comment: str
    reopened: int
    escalated_at: datetime | None
    meeting_topic_at: datetime | None
    merged_into: strawberry.ID | None
    created_at: datetime

    @classmethod
    def of(cls, a: models.Appeal) -> Appeal:
        return cls(row=a, id=strawberry.ID(str(a.id)), number=a.number, status=a.status, channel=a.channel,
                   category=a.category,
                   urgency=a.urgency, kind=a.kind,
                   grade_name=f"{URGENCY_NAMES[a.urgency]}·{KIND_NAMES[a.kind]}",
                   answered_on_the_spot=a.answered_on_the_spot, title=a.title, content=a.content, enterprise_name=a.enterprise_name,
                   masked_credit_code=masking.credit_code(a.credit_code) or "", region_code=a.region_code,
                   department_code=a.department_code, received_at=a.received_at, contacted_at=a.contacted_at,
                   opinion_at=a.opinion_at, opinion=a.opinion, resolved_at=a.resolved_at, summary=a.summary,
                   return_reason=a.return_reason, satisfied=a.satisfied, rating=a.rating, comment=a.comment,
                   reopened=a.reopened, escalated_at=a.escalated_at, meeting_topic_at=a.meeting_topic_at,
                   merged_into=strawberry.ID(str(a.merged_into_id)) if a.merged_into_id else None,
                   created_at=a.created_at)

    @strawberry.field(description="The clock: 2115 (contact within 2 h, opinion within 1 working day, solved "
                                  "within 15) or the grade's tighter one; null until routed.")
    def sla(self) -> AppealSla | None:
        a = self.row
        if a.contact_by is None:
            return None
        return AppealSla(contact_by=a.contact_by, opinion_by=a.opinion_by, resolve_by=a.resolve_by,
                         provisional=a.provisional, clock_name=a.clock_name)

    @strawberry.field(description="The knowledge base's answer the 96178 seat cited answering on the spot, as it "
                                  "stood then; null if none.")
    async def knowledge_citation(self) -> KnowledgeCitation | None:
        return await citation_of(self.row.id)

    @strawberry.field(description="Whether each 2115 step was on time; null while its clock runs or has not started.")
    def on_time(self) -> JSON:
        a, now = self.row, datetime.now(timezone.utc)
        return {"contact": rules.on_time(a.contacted_at, a.contact_by, now),
                "opinion": rules.on_time(a.opinion_at, a.opinion_by, now),
                "resolve": rules.on_time(a.resolved_at, a.resolve_by, now)}

    @strawberry.field(description="Files attached when the appeal was filed (GET /uploads/{fileId}).")
    async def attachments(self, info: Info) -> list[AppealFile]:
        rows = await info.context.loaders(AppealLoaders).attachments.load(self.row.id)
        return [AppealFile(file_id=str(a.file_id), name=a.file.name, media_type=a.file.media_type, size=a.file.size)
                for a in rows]

    @strawberry.field(description="常务会议: the topic this appeal became, with the meeting and its decision.")
    async def meeting_topic(self) -> Annotated[MeetingTopic, strawberry.lazy("portal.oversight.api")] | None:
        from portal.oversight.api import topic_of_appeal  # oversight's types build on this module's
        return await topic_of_appeal(self.row.id)

    @strawberry.field(description="Every step with its actor and time.")
    async def steps(self, info: Info) -> list[AppealStepEntry]:
        loaders = info.context.loaders(AppealLoaders)
        steps = await loaders.steps.load(self.row.id)
        names = await loaders.actor_name.load_many([step.actor for step in steps])
        return [AppealStepEntry(at=s.at, action=s.action, actor=s.actor, actor_name=name,
                                department_code=s.department_code, note=s.note) for s, name in zip(steps, names)]


@strawberry.type
class SimilarAppeal:
    appeal: Appeal
    score: float


@strawberry.type(description="The zone's figures for a period (anonymous: no enterprise is named).")
class AppealStats:
    received: int
    complaints_per_10k: float | None = strawberry.field(description="Appeals per 10,000 market entities (万家投诉比).")
    resolution_rate: float | None
    satisfaction_rate: float | None
    contact_on_time_rate: float | None
    opinion_on_time_rate: float | None
    resolve_on_time_rate: float | None
    resolved_at_first_contact: int = strawberry.field(description="Consultations the 96178 seat answered on the call "
                                                                   "and closed with the caller's consent (即时答复).")
    first_contact_rate: float | None = strawberry.field(description="resolvedAtFirstContact / received.")


@strawberry.enum(description="What `appealStatsBreakdown` groups by.")
class AppealBreakdown(Enum):
    URGENCY = "urgency"
    KIND = "kind"
    CHANNEL = "channel"


@strawberry.type(description="The figures of one urgency, kind or channel.")
class AppealStatsGroup:
    value: str = strawberry.field(description="The enum value (e.g. URGENT, CONSULTATION, MAILBOX).")
    name: str = strawberry.field(description="As people read it (特急, 咨询, 省长信箱).")
    stats: AppealStats


@strawberry.type(description="调度: the figures of one calendar month (Asia/Shanghai).")
class MonthlyAppealStats:
    month: str = strawberry.field(description="YYYY-MM.")
    first_day: date
    last_day: date
    stats: AppealStats


@strawberry.type
class DepartmentAppealStats:
    department_code: str
    department_name: str
    stats: AppealStats


@strawberry.type
class AppealRef:
    id: strawberry.ID
    status: AppealStatus


@strawberry.type
class AppealEvent:
    cursor: str
    kind: str
    at: datetime
    appeal: AppealRef


@strawberry.type(description="A missed deadline, an escalation (督办) or another alert for staff.")
class DeadlineAlert:
    cursor: str
    kind: str
    at: datetime
    detail: JSON


@strawberry.input
class SubmitAppealInput:
    title: str
    content: str
    category: AppealCategory
    channel: AppealChannel = strawberry.field(default=AppealChannel.ONLINE, description=(
        "ONLINE (诉求专区) or MAILBOX (a letter to the governor's mailbox, 省长信箱); calls and visits are recorded by "
        "the seat (`recordHotlineAppeal`)."))
    idempotency_key: str
    urgency: AppealUrgency = AppealUrgency.GENERAL
    kind: AppealKind = AppealKind.COMPLAINT
    credit_code: str | None = strawberry.field(default=None, description="An agent names the enterprise.")
    attachments: list[str] = strawberry.field(default_factory=list, description="Ids from POST /uploads.")


@strawberry.input
class RecordHotlineAppealInput:
    credit_code: str
    title: str
    content: str
    category: AppealCategory
    channel: AppealChannel
    idempotency_key: str
    urgency: AppealUrgency = AppealUrgency.GENERAL
    kind: AppealKind = AppealKind.COMPLAINT
    enterprise_name: str | None = strawberry.field(default=None, description="Required if it has no account.")
    attachments: list[str] = strawberry.field(default_factory=list, description="Ids from POST /uploads.")


AppealResult = Annotated[Appeal | FormInvalid | PermissionDenied | NotFound | Conflict, strawberry.union("AppealResult")]


def _id(value: strawberry.ID) -> int:
    return known_id(value, "未找到该诉求")


async def _signer(info: Info) -> tuple[Principal, Actor]:
    """Who takes a step of an appeal: the signed-in principal (anonymous is a PermissionDenied value) and the
    actor of the audit trail."""
    return await signed_in(info), await info.context.actor()


def _stats(values: dict) -> AppealStats:
    return AppealStats(**values)


async def enterprise_codes(principal: Principal) -> list[str]:
    """The credit codes the viewer acts for: its own (an enterprise), or its employers' (an agent)."""
    if principal.kind is AccountKind.ENTERPRISE:
        code = await Account.filter(id=principal.account_id).values_list("credit_code", flat=True)
        return [c for c in code if c]
    if principal.kind is AccountKind.CITIZEN:
        return list(await EnterpriseAgent.filter(agent_id=principal.account_id, revoked_at__isnull=True)
                    .values_list("enterprise__credit_code", flat=True))
    return []


async def my_appeals(principal: Principal, first: int | None, after: str | None) -> Connection[Appeal]:
    query = models.Appeal.filter(credit_code__in=await enterprise_codes(principal)).order_by("-id")
    return await paginate(query, first, after, Appeal.of)


@strawberry.type
class AppealQuery:
    @strawberry.field(description="An appeal; null for anyone but its enterprise, agents and the responsible staff.")
    async def appeal(self, info: Info, id: strawberry.ID | None = None,
                     number: Annotated[str | None, strawberry.argument(
                         description="The 受理编号, as people type it (spaces, hyphens, lower case allowed).")
                     ] = None) -> Appeal | None:
        if (id is None) == (number is None):
            raise invalid_argument("id", "请提供诉求编号 id 或受理编号 number 其中之一")
        if number is not None:
            reference = references.normalise(number)
            found = await models.Appeal.filter(number=reference).values_list("id", flat=True) if reference else []
            key = found[0] if found else None
        else:
            key = row_id(id)
        if key is None:
            return None
        try:
            return Appeal.of(await rules.visible(await info.context.principal(), key))
        except Refused:
            return None

    @strawberry.field(description="Public figures of a region (a province or city code covers its subdivisions).")
    async def appeal_stats(self, region_code: str, from_: Annotated[date, strawberry.argument(name="from")],
                           to: date, urgency: AppealUrgency | None = None, kind: AppealKind | None = None,
                           channel: AppealChannel | None = None) -> AppealStats:
        check_period(from_, to)
        with invalid_arguments():
            return _stats(await rules.stats(region_code, from_, to, grade=rules.Grade(urgency, kind, channel)))

    @strawberry.field(description="Public figures of each urgency (grade), kind or channel (the governor's mailbox "
                                  "has its own) of a region in a period; every value listed, even with none.")
    async def appeal_stats_breakdown(self, region_code: str, from_: Annotated[date, strawberry.argument(name="from")],
                                     to: date, by: AppealBreakdown) -> list[AppealStatsGroup]:
        check_period(from_, to)
        with invalid_arguments():
            rows = await rules.stats_breakdown(region_code, from_, to, by.value)
        return [AppealStatsGroup(value=value, name=name, stats=_stats(values)) for value, name, values in rows]

    @strawberry.field(description="调度: public figures of each calendar month from the month of `from` to the month "
                                  "of `to` (at most a year), oldest first; optionally of one grade or channel.")
    async def appeal_stats_monthly(self, region_code: str,
                                   from_: Annotated[date, strawberry.argument(name="from")], to: date,
                                   urgency: AppealUrgency | None = None, kind: AppealKind | None = None,
                                   channel: AppealChannel | None = None) -> list[MonthlyAppealStats]:
        check_period(from_, to)
        with invalid_arguments():
            rows = await rules.monthly_stats(region_code, from_, to,
                                             grade=rules.Grade(urgency, kind, channel))
        return [MonthlyAppealStats(month=f"{start:%Y-%m}", first_day=start, last_day=end, stats=_stats(values))
                for start, end, values in rows]

    @strawberry.field(description="The clock of each grade (public: what an enterprise may expect).")
    def appeal_clocks(self) -> list[AppealClock]:
        return [AppealClock(urgency=e.urgency, urgency_name=URGENCY_NAMES[e.urgency], kind=e.kind,
                            kind_name=KIND_NAMES[e.kind] if e.kind else None, name=e.name,
                            contact_minutes=e.contact_minutes, opinion_days=e.opinion_days,
                            resolve_days=e.resolve_days) for e in clocks.shipped().entries]

    @strawberry.field(description="Public figures per undertaking unit of a region.")
    async def appeal_stats_by_department(self, region_code: str,
                                         from_: Annotated[date, strawberry.argument(name="from")],
                                         to: date) -> list[DepartmentAppealStats]:
        check_period(from_, to)
        with invalid_arguments():
            rows = await rules.stats_by_department(region_code, from_, to)
        return [DepartmentAppealStats(department_code=code, department_name=name, stats=_stats(values))
                for code, name, values in rows]

    @strawberry.field(description="The coordinator's worklist (诉求专席): the most urgent grade first, then oldest.")
    async def appeals_to_route(self, info: Info, status: AppealStatus | None = None, first: int | None = None,
                               after: str | None = None) -> Connection[Appeal]:
        principal = await info.context.require_principal()
        if not may_route_appeals(principal):
            raise PublicError(ApiCode.FORBIDDEN, "只有诉求专席可以查看待分办诉求")
        statuses = [status] if status else [AppealStatus.RECEIVED, AppealStatus.RETURNED]
        return await paginate(models.Appeal.filter(status__in=statuses).order_by("priority", "id"), first, after,
                              Appeal.of)

    @strawberry.field(description="The undertaking unit's appeals: the most urgent grade first, then the nearest "
                                  "resolve deadline.")
    async def department_appeals(self, info: Info, first: int | None = None,
                                 after: str | None = None) -> Connection[Appeal]:
        principal = await info.context.require_principal()
        if not has_role(principal, Role.DEPARTMENT_HANDLER) or not principal.department_code:
            raise PublicError(ApiCode.FORBIDDEN, "只有承办单位经办人可以查看本单位诉求")
        query = models.Appeal.filter(department_code=principal.department_code, status__in=list(rules.OPEN))
        return await paginate(query.order_by("priority", "resolve_by", "id"), first, after, Appeal.of)

    @strawberry.field(description="Topics for the provincial executive meeting (常务会议议题), newest first.")
    async def meeting_topics(self, info: Info, region_code: str = PROVINCE, first: int | None = None,
                             after: str | None = None) -> Connection[Appeal]:
        principal = await info.context.require_principal()
        with invalid_arguments():
            topics = rules.meeting_topics(region_code)
        if not may_supervise(principal, region_code):
            raise PublicError(ApiCode.FORBIDDEN, "只有督办人员可以查看会议议题")
        return await paginate(topics, first, after, Appeal.of)

    @strawberry.field(description="Similar appeals of the same region and category in the last 90 days.")
    async def similar_appeals(self, info: Info, id: strawberry.ID) -> list[SimilarAppeal]:
        principal = await info.context.require_principal()
        try:
            found = await rules.similar_appeals(principal, _id(id))
        except Refused as refused:
            raise PublicError(Code.NOT_FOUND, refused.message) from refused
        return [SimilarAppeal(appeal=Appeal.of(s.appeal), score=s.score) for s in found]


@strawberry.type
class AppealMutation:
    @strawberry.mutation(description="An enterprise (or its agent) files an appeal in the online zone or writes to "
                                     "the governor's mailbox (channel MAILBOX).")
    @expected_failures_as_values
    async def submit_appeal(self, info: Info, input: SubmitAppealInput) -> AppealResult:
        principal, actor = await _signer(info)
        return Appeal.of(await rules.submit(
            principal, actor, title=input.title, content=input.content, category=input.category,
            urgency=input.urgency, kind=input.kind, channel=input.channel, idempotency_key=input.idempotency_key,
            credit_code=input.credit_code, attachments=input.attachments))

    @strawberry.mutation(description="The 96178 seat, the governor's mailbox or a visit: recorded by a coordinator.")
    @expected_failures_as_values
    async def record_hotline_appeal(self, info: Info, input: RecordHotlineAppealInput) -> AppealResult:
        principal, actor = await _signer(info)
        return Appeal.of(await rules.record_for_enterprise(
            principal, actor, credit_code=input.credit_code, enterprise_name=input.enterprise_name,
            title=input.title, content=input.content, category=input.category, urgency=input.urgency,
            kind=input.kind, channel=input.channel, idempotency_key=input.idempotency_key,
            attachments=input.attachments))

    @strawberry.mutation(description="即时答复: the 96178 seat answers a consultation it recorded from a call and, with "
                                     "the caller's consent, closes it at first contact.")
    @expected_failures_as_values
    async def answer_on_the_spot(self, info: Info, id: strawberry.ID, answer: str, caller_consents: Annotated[
            bool, strawberry.argument(description="The caller agreed that the answer closes the consultation; "
                                                  "false is refused (route it to a unit instead).")] = True,
                                 knowledge_entry_id: Annotated[strawberry.ID | None, strawberry.argument(
                                     description="The knowledge base's entry the answer is taken from (in force, for "
                                                 "the caller's region): its current version is cited.")] = None
                                 ) -> AppealResult:
        principal, actor = await _signer(info)
        return Appeal.of(await rules.answer_on_the_spot(principal, actor, _id(id), answer,
                                                        caller_consents=caller_consents,
                                                        knowledge_entry_id=knowledge_entry_id))

    @strawberry.mutation(description="Route to an undertaking unit: the 2115 clock starts now. Also upholds a 退单.")
    @expected_failures_as_values
    async def assign_appeal(self, info: Info, id: strawberry.ID, department_code: str) -> AppealResult:
        principal, actor = await _signer(info)
        return Appeal.of(await rules.assign(principal, actor, info.context.calendar, _id(id), department_code))

    @strawberry.mutation(description="退单: the unit returns a misrouted appeal within the 2-hour contact window.")
    @expected_failures_as_values
    async def return_appeal(self, info: Info, id: strawberry.ID, reason: str) -> AppealResult:
        principal, actor = await _signer(info)
        return Appeal.of(await rules.return_to_coordinator(principal, actor, _id(id), reason))

    @strawberry.mutation(description="The coordinator keeps a returned appeal with its unit; the clock keeps running.")
    @expected_failures_as_values
    async def reject_appeal_return(self, info: Info, id: strawberry.ID, reason: str) -> AppealResult:
        principal, actor = await _signer(info)
        return Appeal.of(await rules.reject_return(principal, actor, _id(id), reason))

    @strawberry.mutation(description="2115 step 1: contacted the enterprise or was on site.")
    @expected_failures_as_values
    async def record_appeal_contact(self, info: Info, id: strawberry.ID) -> AppealResult:
        principal, actor = await _signer(info)
        return Appeal.of(await rules.record_contact(principal, actor, _id(id)))

    @strawberry.mutation(description="2115 step 2: the handling opinion.")
    @expected_failures_as_values
    async def give_appeal_opinion(self, info: Info, id: strawberry.ID, opinion: str) -> AppealResult:
        principal, actor = await _signer(info)
        return Appeal.of(await rules.give_opinion(principal, actor, _id(id), opinion))

    @strawberry.mutation(description="2115 step 3: solved or service confirmed.")
    @expected_failures_as_values
    async def resolve_appeal(self, info: Info, id: strawberry.ID, summary: str) -> AppealResult:
        principal, actor = await _signer(info)
        return Appeal.of(await rules.resolve(principal, actor, _id(id), summary))

    @strawberry.mutation(description="The enterprise confirms; unsatisfied reopens with a new 15-working-day clock.")
    @expected_failures_as_values
    async def confirm_appeal(self, info: Info, id: strawberry.ID, satisfied: bool, rating: int,
                             comment: str | None = None) -> AppealResult:
        principal, actor = await _signer(info)
        return Appeal.of(await rules.confirm(principal, actor, info.context.calendar, _id(id),
                                             satisfied=satisfied, rating=rating, comment=comment))

    @strawberry.mutation(description="督办 by a supervisor of the appeal's region.")
    @expected_failures_as_values
    async def escalate_appeal(self, info: Info, id: strawberry.ID, reason: str) -> AppealResult:
        principal, actor = await _signer(info)
        return Appeal.of(await rules.escalate(principal, actor, _id(id), reason))

    @strawberry.mutation(description="List as a topic for the provincial executive meeting (常务会议议题).")
    @expected_failures_as_values
    async def list_appeal_as_meeting_topic(self, info: Info, id: strawberry.ID, reason: str) -> AppealResult:
        principal, actor = await _signer(info)
        return Appeal.of(await rules.list_as_meeting_topic(principal, actor, _id(id), reason))

    @strawberry.mutation(description="Merge a duplicate into a similar appeal; both enterprises keep their record.")
    @expected_failures_as_values
    async def merge_appeal(self, info: Info, id: strawberry.ID, into_id: strawberry.ID) -> AppealResult:
        principal, actor = await _signer(info)
        return Appeal.of(await rules.merge(principal, actor, _id(id), _id(into_id)))


def alert_stream_of(principal: Principal) -> str:
    """The alerts a staff member hears: a unit's handler its unit's, a supervisor its region's (督办)."""
    if has_role(principal, Role.DEPARTMENT_HANDLER) and principal.department_code:
        return f"alerts:department:{principal.department_code}"
    if has_role(principal, Role.SUPERVISOR) and is_region_code(principal.region_code):
        return rules.region_stream(principal.region_code)
    if has_role(principal, Role.ADMIN, Role.APPEALS_COORDINATOR):
        return rules.region_stream(PROVINCE)
    raise PublicError(ApiCode.FORBIDDEN, "只有工作人员可以接收督办提醒")


@strawberry.type
class AppealSubscription:
    @strawberry.subscription(description="Every change of an appeal; `after` replays from that cursor.")
    async def appeal_updated(self, info: Info, id: strawberry.ID,
                             after: str | None = None) -> AsyncGenerator[AppealEvent, None]:
        start = stream_cursor(after)
        principal = await info.context.principal()
        try:
            appeal = await rules.visible(principal, _id(id))
        except Refused as refused:
            raise PublicError(Code.NOT_FOUND, "未找到该诉求") from refused
        # An agent's stream ends when the enterprise's authorisation is revoked, on any server.
        followed = revocations.while_permitted(events.follow(rules.stream_of(appeal.id), start),
                                               principal.account_id, lambda: rules.may_see_appeal(principal, appeal))
        try:
            async for message in followed:
                change = AppealChanged.from_json(message.payload)
                yield AppealEvent(cursor=str(message.seq), kind=message.kind, at=message.at,
                                  appeal=AppealRef(id=strawberry.ID(str(change.appeal_id)), status=change.status))
        except Refused as refused:
            raise PublicError(refused.code, refused.message) from refused

    @strawberry.subscription(description="Missed deadlines and escalations for the signed-in staff member's unit "
                                         "or region; `after` replays from that cursor, otherwise only new alerts.")
    async def deadline_alerts(self, info: Info, after: str | None = None) -> AsyncGenerator[DeadlineAlert, None]:
        principal = await info.context.require_principal()
        stream = alert_stream_of(principal)
        resume = row_id(after) if after else None
        start = resume if resume is not None else await events.last_seq(stream)
        async for message in events.follow(stream, start):
            yield DeadlineAlert(cursor=str(message.seq), kind=message.kind, at=message.at,
                                detail=Alert.from_json(message.payload).to_json())
