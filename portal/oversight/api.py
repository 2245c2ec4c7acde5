"""Oversight: the executive meeting (常务会议) with its topics, decisions and invited entrepreneurs (列席), and the
notices and talks (通报 / 约谈) issued to units. Thin: ``meetings`` and ``notices`` decide."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, TypeVar

import strawberry
from strawberry.types import Info
from tortoise.models import Model
from tortoise.queryset import QuerySet

from portal.api.errors import (
    ApiCode,
    Conflict,
    FormInvalid,
    NotFound,
    PermissionDenied,
    PublicError,
    check_period,
    expected_failures_as_values,
    invalid_arguments,
    signed_in,
)
from portal.api.pagination import Connection, paginate
from portal.appeals.api import enterprise_codes
from portal.identity import masking
from portal.identity.policy import may_supervise
from portal.identity.principal import Principal
from portal.oversight import meetings, models, notices
from portal.oversight.models import NoticeKind
from portal.problems import Refused, known_id, row_id

M = TypeVar("M", bound=Model)
strawberry.enum(NoticeKind, description="NOTICE (通报) or TALK (约谈).")


@strawberry.type(description="What a topic's readers see of the meeting it is on.")
class MeetingSummary:
    id: strawberry.ID
    title: str
    session_number: str
    held_on: date
    region_code: str

    @classmethod
    def of(cls, m: models.ExecutiveMeeting) -> MeetingSummary:
        return cls(id=strawberry.ID(str(m.id)), title=m.title, session_number=m.session_number, held_on=m.held_on,
                   region_code=m.region_code)


@strawberry.type(description="An appeal listed as a topic (议题) of the executive meeting, and the meeting's decision "
                             "on it: the department responsible and the working-day deadline for carrying it out.")
class MeetingTopic:
    row: strawberry.Private[models.MeetingTopic]
    id: strawberry.ID
    appeal_id: strawberry.ID
    appeal_number: str | None
    appeal_title: str
    enterprise_name: str
    region_code: str
    reason: str
    listed_at: datetime
    scheduled_at: datetime | None
    decision: str
    decided_at: datetime | None
    responsible_department_code: str | None
    carry_out_days: int | None
    carry_out_by: datetime | None
    provisional: bool
    carried_out_at: datetime | None
    carried_out_note: str

    @classmethod
    def of(cls, t: models.MeetingTopic) -> MeetingTopic:
        a = t.appeal
        return cls(row=t, id=strawberry.ID(str(t.id)), appeal_id=strawberry.ID(str(a.id)), appeal_number=a.number,
                   appeal_title=a.title, enterprise_name=a.enterprise_name, region_code=t.region_code,
                   reason=t.reason, listed_at=t.listed_at, scheduled_at=t.scheduled_at, decision=t.decision,
                   decided_at=t.decided_at, responsible_department_code=t.responsible_department_code,
                   carry_out_days=t.carry_out_days, carry_out_by=t.carry_out_by, provisional=t.provisional,
                   carried_out_at=t.carried_out_at, carried_out_note=t.carried_out_note)

    @strawberry.field(description="The meeting it is scheduled into; null until it is.")
    async def meeting(self) -> MeetingSummary | None:
        if self.row.meeting_id is None:
            return None
        return MeetingSummary.of(await models.ExecutiveMeeting.get(id=self.row.meeting_id))


@strawberry.type(description="A topic as an invited enterprise reads it: another enterprise's appeal by its public "
                             "title only.")
class InvitedTopic:
    id: strawberry.ID
    title: str
    own_appeal: bool = strawberry.field(description="The topic is this enterprise's own appeal.")
    decision: str
    decided_at: datetime | None
    responsible_department_code: str | None
    carry_out_by: datetime | None


@strawberry.type(description="An enterprise invited to attend (列席) an executive meeting.")
class MeetingInvitation:
    row: strawberry.Private[models.MeetingInvitation]
    id: strawberry.ID
    enterprise_name: str
    masked_credit_code: str
    invited_at: datetime

    @classmethod
    def of(cls, i: models.MeetingInvitation) -> MeetingInvitation:
        return cls(row=i, id=strawberry.ID(str(i.id)), enterprise_name=i.enterprise_name,
                   masked_credit_code=masking.credit_code(i.credit_code) or "", invited_at=i.invited_at)

    @strawberry.field
    async def meeting(self) -> MeetingSummary:
        return MeetingSummary.of(await self.row.meeting)

    @strawberry.field(description="The meeting's topics and their outcome, as the invited enterprise reads them.")
    async def topics(self) -> list[InvitedTopic]:
        return [InvitedTopic(id=strawberry.ID(str(t.id)), title=title, own_appeal=a.credit_code == self.row.credit_code,
                             decision=t.decision, decided_at=t.decided_at,
                             responsible_department_code=t.responsible_department_code, carry_out_by=t.carry_out_by)
                for t, a, title in await meetings.invited_topics(self.row.meeting_id, [self.row.credit_code])]


@strawberry.type(description="A session of a region's executive meeting (常务会议).")
class ExecutiveMeeting:
    row: strawberry.Private[models.ExecutiveMeeting]
    id: strawberry.ID
    title: str
    session_number: str
    held_on: date
    region_code: str
    created_at: datetime

    @classmethod
    def of(cls, m: models.ExecutiveMeeting) -> ExecutiveMeeting:
        return cls(row=m, id=strawberry.ID(str(m.id)), title=m.title, session_number=m.session_number,
                   held_on=m.held_on, region_code=m.region_code, created_at=m.created_at)

    @strawberry.field(description="The topics on its agenda, in the order they were scheduled.")
    async def topics(self) -> list[MeetingTopic]:
        rows = await models.MeetingTopic.filter(meeting_id=self.row.id).select_related("appeal").order_by(
            "scheduled_at", "id")
        return [MeetingTopic.of(t) for t in rows]

    @strawberry.field(description="The enterprises invited to attend (列席).")
    async def invitations(self) -> list[MeetingInvitation]:
        return [MeetingInvitation.of(i) for i in
                await models.MeetingInvitation.filter(meeting_id=self.row.id).order_by("id")]


@strawberry.type(description="A notice (通报) or talk (约谈) issued to a unit, with the figures of the period it rests "
                             "on and the unit's rectification report (整改报告).")
class UnitNotice:
    id: strawberry.ID
    kind: NoticeKind
    department_code: str
    region_code: str
    reason: str
    period_from: date
    period_to: date
    received: int
    satisfaction_rate: float | None
    missed_deadlines: int
    issued_at: datetime
    report_days: int
    report_by: datetime
    provisional: bool
    report: str
    reported_at: datetime | None

    @classmethod
    def of(cls, n: models.UnitNotice) -> UnitNotice:
        return cls(id=strawberry.ID(str(n.id)), kind=n.kind, department_code=n.department_code,
                   region_code=n.region_code, reason=n.reason, period_from=n.period_from, period_to=n.period_to,
                   received=n.received, satisfaction_rate=n.satisfaction_rate, missed_deadlines=n.missed_deadlines,
                   issued_at=n.issued_at, report_days=n.report_days, report_by=n.report_by,
                   provisional=n.provisional, report=n.report, reported_at=n.reported_at)


@strawberry.type
class NoticeCandidate:
    department_code: str
    department_name: str
    received: int
    satisfaction_rate: float | None
    missed_deadlines: int
    low_satisfaction: bool
    repeated_misses: bool


@strawberry.type(description="Units a supervisor may consider for a notice or talk, with the thresholds applied.")
class NoticeCandidates:
    satisfaction_below: float
    misses_at_least: int
    units: list[NoticeCandidate]


@strawberry.input
class CreateExecutiveMeetingInput:
    title: str
    session_number: str
    held_on: date
    region_code: str
    idempotency_key: str


@strawberry.input
class RecordMeetingDecisionInput:
    topic_id: strawberry.ID
    decision: str
    department_code: str
    carry_out_days: int = strawberry.field(description="Working days from the day of the decision.")


@strawberry.input
class IssueUnitNoticeInput:
    kind: NoticeKind
    region_code: str
    department_code: str
    from_: date = strawberry.field(name="from")
    to: date
    reason: str
    report_days: int = strawberry.field(description="Working days for the rectification report.")
    idempotency_key: str


ExecutiveMeetingResult = Annotated[ExecutiveMeeting | FormInvalid | PermissionDenied | NotFound | Conflict,
                                   strawberry.union("ExecutiveMeetingResult")]
MeetingTopicResult = Annotated[MeetingTopic | FormInvalid | PermissionDenied | NotFound | Conflict,
                               strawberry.union("MeetingTopicResult")]
UnitNoticeResult = Annotated[UnitNotice | FormInvalid | PermissionDenied | NotFound | Conflict,
                             strawberry.union("UnitNoticeResult")]


async def _topic(topic: models.MeetingTopic) -> MeetingTopic:
    await topic.fetch_related("appeal")
    return MeetingTopic.of(topic)


async def topic_of_appeal(appeal_id: int) -> MeetingTopic | None:
    """The topic an appeal became (``Appeal.meetingTopic``; whoever sees the appeal sees it)."""
    topic = await models.MeetingTopic.filter(appeal_id=appeal_id).select_related("appeal").first()
    return MeetingTopic.of(topic) if topic else None


async def my_meeting_invitations(principal: Principal) -> list[MeetingInvitation]:
    """``me.meetingInvitations``: the meetings the viewer's enterprise (or the enterprises it is an agent of) is
    invited to attend."""
    codes = await enterprise_codes(principal)
    return [MeetingInvitation.of(i) for i in await meetings.invitations_of(codes)] if codes else []


async def _region_listing(info: Info, region_code: str, listing: Callable[[str], QuerySet[M]], refusal: str
                          ) -> QuerySet[M]:
    """A region's list for its supervisors: a bad region code is an INVALID_ARGUMENT, anyone else FORBIDDEN."""
    principal = await info.context.require_principal()
    with invalid_arguments():
        query = listing(region_code)
    if not may_supervise(principal, region_code):
        raise PublicError(ApiCode.FORBIDDEN, refusal)
    return query


def _refused_as_error(refused: Refused) -> PublicError:
    return PublicError(refused.code, refused.message)


@strawberry.type
class OversightQuery:
    @strawberry.field(description="The executive meetings of a region and the regions within it, latest first.")
    async def executive_meetings(self, info: Info, region_code: str, first: int | None = None,
                                 after: str | None = None) -> Connection[ExecutiveMeeting]:
        query = await _region_listing(info, region_code, meetings.meetings_of, "只有督办人员可以查看常务会议")
        return await paginate(query, first, after, ExecutiveMeeting.of)

    @strawberry.field(description="One meeting, for the supervisors of its region; null for anyone else.")
    async def executive_meeting(self, info: Info, id: strawberry.ID) -> ExecutiveMeeting | None:
        key = row_id(id)
        if key is None:
            return None
        try:
            return ExecutiveMeeting.of(await meetings.supervised_meeting(await info.context.principal(), key))
        except Refused:
            return None

    @strawberry.field(description="Topics listed in a region and not yet on a meeting's agenda, oldest first.")
    async def unscheduled_meeting_topics(self, info: Info, region_code: str, first: int | None = None,
                                         after: str | None = None) -> Connection[MeetingTopic]:
        query = await _region_listing(info, region_code, meetings.unscheduled_topics, "只有督办人员可以查看会议议题")
        return await paginate(query.select_related("appeal"), first, after, MeetingTopic.of)

    @strawberry.field(description="通报 / 约谈: a unit's handler sees its unit's, a supervisor those of the region "
                                  "(default: their own) and the regions within it; newest first.")
    async def unit_notices(self, info: Info, region_code: str | None = None, first: int | None = None,
                           after: str | None = None) -> Connection[UnitNotice]:
        principal = await info.context.require_principal()
        try:
            with invalid_arguments():
                query = notices.notices_for(principal, region_code)
        except Refused as refused:
            raise _refused_as_error(refused) from refused
        return await paginate(query, first, after, UnitNotice.of)

    @strawberry.field(description="Units whose satisfaction rate in the period is under the configured threshold, or "
                                  "whose missed deadlines in it reach the configured count.")
    async def notice_candidates(self, info: Info, region_code: str,
                                from_: Annotated[date, strawberry.argument(name="from")], to: date
                                ) -> NoticeCandidates:
        principal = await info.context.require_principal()
        check_period(from_, to)
        settings = info.context.settings
        thresholds = notices.Thresholds(settings.notice_satisfaction_below, settings.notice_misses_at_least)
        try:
            with invalid_arguments():
                found = await notices.candidates(principal, region_code, from_, to, thresholds)
        except Refused as refused:
            raise _refused_as_error(refused) from refused
        return NoticeCandidates(
            satisfaction_below=thresholds.satisfaction_below, misses_at_least=thresholds.misses_at_least,
            units=[NoticeCandidate(department_code=c.department_code, department_name=c.department_name,
                                   received=c.evidence.received, satisfaction_rate=c.evidence.satisfaction_rate,
                                   missed_deadlines=c.evidence.missed_deadlines, low_satisfaction=c.low_satisfaction,
                                   repeated_misses=c.repeated_misses) for c in found])


def _meeting_id(value: strawberry.ID) -> int:
    return known_id(value, "未找到该会议")


def _topic_id(value: strawberry.ID) -> int:
    return known_id(value, "未找到该议题")


@strawberry.type
class OversightMutation:
    @strawberry.mutation(description="Convene a session of the region's executive meeting (常务会议).")
    @expected_failures_as_values
    async def create_executive_meeting(self, info: Info, input: CreateExecutiveMeetingInput) -> ExecutiveMeetingResult:
        principal = await signed_in(info)
        return ExecutiveMeeting.of(await meetings.create_meeting(
            principal, await info.context.actor(), title=input.title, session_number=input.session_number,
            held_on=input.held_on, region_code=input.region_code, idempotency_key=input.idempotency_key))

    @strawberry.mutation(description="Put a listed topic on a meeting's agenda (or move it, until it is decided).")
    @expected_failures_as_values
    async def schedule_meeting_topic(self, info: Info, topic_id: strawberry.ID,
                                     meeting_id: strawberry.ID) -> MeetingTopicResult:
        principal = await signed_in(info)
        return await _topic(await meetings.schedule_topic(principal, await info.context.actor(), _topic_id(topic_id),
                                                          _meeting_id(meeting_id)))

    @strawberry.mutation(description="The meeting's decision on a topic: the responsible department carries it out "
                                     "within the working days given.")
    @expected_failures_as_values
    async def record_meeting_decision(self, info: Info, input: RecordMeetingDecisionInput) -> MeetingTopicResult:
        principal = await signed_in(info)
        return await _topic(await meetings.record_decision(
            principal, await info.context.actor(), info.context.calendar, _topic_id(input.topic_id),
            decision=input.decision, department_code=input.department_code, carry_out_days=input.carry_out_days))

    @strawberry.mutation(description="The responsible department reports the meeting's decision carried out (落实).")
    @expected_failures_as_values
    async def report_meeting_decision_carried_out(self, info: Info, topic_id: strawberry.ID,
                                                  note: str) -> MeetingTopicResult:
        principal = await signed_in(info)
        return await _topic(await meetings.report_carried_out(principal, await info.context.actor(),
                                                              _topic_id(topic_id), note))

    @strawberry.mutation(description="列席: invite enterprises (by credit code, and with `topicEnterprises` the "
                                     "enterprise of each topic on the agenda) to attend; each is told in its app.")
    @expected_failures_as_values
    async def invite_to_meeting(self, info: Info, meeting_id: strawberry.ID, credit_codes: list[str] | None = None,
                                topic_enterprises: bool = False) -> ExecutiveMeetingResult:
        principal = await signed_in(info)
        key = _meeting_id(meeting_id)
        await meetings.invite(principal, await info.context.actor(), key, credit_codes or [],
                              topic_enterprises=topic_enterprises)
        return ExecutiveMeeting.of(await meetings.supervised_meeting(principal, key))

    @strawberry.mutation(description="通报 (NOTICE) or 约谈 (TALK) with a unit, on its figures of the period.")
    @expected_failures_as_values
    async def issue_unit_notice(self, info: Info, input: IssueUnitNoticeInput) -> UnitNoticeResult:
        principal = await signed_in(info)
        return UnitNotice.of(await notices.issue(
            principal, await info.context.actor(), info.context.calendar, kind=input.kind,
            region_code=input.region_code, department_code=input.department_code, first=input.from_,
            last=input.to, reason=input.reason, report_days=input.report_days,
            idempotency_key=input.idempotency_key))

    @strawberry.mutation(description="The unit submits its rectification report (整改报告).")
    @expected_failures_as_values
    async def submit_rectification_report(self, info: Info, id: strawberry.ID, report: str) -> UnitNoticeResult:
        principal = await signed_in(info)
        return UnitNotice.of(await notices.submit_report(principal, await info.context.actor(),
                                                         known_id(id, "未找到该通报约谈"), report))
