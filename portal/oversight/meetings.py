"""The executive meeting (常务会议): a supervisor convenes a meeting, schedules the appeals listed as topics
(``appeals.rules.list_as_meeting_topic``) into it, records the meeting's decision on each topic with the responsible
department and a deadline in working days for carrying it out (swept like every other deadline), and invites
entrepreneurs to attend (列席), who are told on their enterprise's stream and read the outcome in the app. No
GraphQL here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timezone
from typing import Any, TypeVar

from tortoise.exceptions import IntegrityError
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from portal import events
from portal.appeals.models import Appeal
from portal.appeals.payloads import Alert
from portal.appeals.redaction import aliases, public_title
from portal.appeals.rules import alert_streams, step_and_announce, utc, written
from portal.audit.rules import Actor, record
from portal.catalog.models import Department, Region
from portal.identity.models import Account, AccountKind
from portal.identity.numbers import check_credit_code
from portal.identity.policy import may_handle_department, may_supervise
from portal.identity.principal import Principal
from portal.idempotency import check_key, request_hash
from portal.oversight.errors import OversightCode
from portal.oversight.models import ExecutiveMeeting, MeetingInvitation, MeetingTopic
from portal.oversight.payloads import MeetingNotice
from portal.problems import Code, Conflicting, Forbidden, FormProblems, InvalidField, Missing, check_day
from portal.regions import check_region_code, covers, within
from portal.workdays import SHANGHAI, WorkCalendar

MAX_CARRY_OUT_DAYS = 60  # a decision is carried out within at most about three months of working days
MAX_INVITED_AT_ONCE = 20
T = TypeVar("T")


def enterprise_stream(credit_code: str) -> str:
    """An enterprise's own stream: its invitations to meetings and their outcomes."""
    return f"enterprise:{credit_code}"


def collect(problems: list[InvalidField], check: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
    """``check(*args, **kwargs)``, or None with the refused field added to ``problems`` (to report every bad field
    of a form at once)."""
    try:
        return check(*args, **kwargs)
    except InvalidField as problem:
        problems.append(problem)
        return None


async def create_meeting(principal: Principal, actor: Actor, *, title: str, session_number: str, held_on: date,
                         region_code: str, idempotency_key: str) -> ExecutiveMeeting:
    """A supervisor of the region convenes a session of its executive meeting (省/市政府常务会议)."""
    problems: list[InvalidField] = []
    region = collect(problems, check_region_code, "regionCode", region_code)
    title_ = collect(problems, written, title, "title", "会议名称", 4, 100, multiline=False)
    number = collect(problems, written, session_number, "sessionNumber", "会议期次", 1, 40, multiline=False)
    collect(problems, check_day, "heldOn", held_on)
    key = collect(problems, check_key, idempotency_key)
    if problems:
        raise FormProblems(problems)
    if not may_supervise(principal, region):
        raise Forbidden(Code.NOT_AUTHORISED, "只有本地区的督办人员可以召开常务会议")
    digest = request_hash({"title": title_, "number": number, "heldOn": held_on.isoformat(), "region": region})
    existing = await ExecutiveMeeting.get_or_none(created_by_id=principal.account_id, idempotency_key=key)
    if existing is None:
        try:
            async with in_transaction():
                existing = await ExecutiveMeeting.create(
                    title=title_, session_number=number, held_on=held_on, region_code=region,
                    created_by_id=principal.account_id, idempotency_key=key, request_hash=digest)
                await record("meeting.created", actor, target=f"meeting:{existing.id}", detail={"title": title_})
            return existing
        except IntegrityError:
            existing = await ExecutiveMeeting.get(created_by_id=principal.account_id, idempotency_key=key)
    if existing.request_hash != digest:
        raise Conflicting(Code.IDEMPOTENCY_KEY_REUSED, "该请求标识已用于另一次不同的会议")
    return existing


async def supervised_meeting(principal: Principal | None, meeting_id: int) -> ExecutiveMeeting:
    """A meeting its region's supervisors see; to anyone else it does not exist."""
    meeting = await ExecutiveMeeting.get_or_none(id=meeting_id)
    if meeting is None or not may_supervise(principal, meeting.region_code):
        raise Missing(Code.NOT_FOUND, "未找到该会议")
    return meeting


async def _supervised_topic(principal: Principal, topic_id: int) -> MeetingTopic:
    topic = await MeetingTopic.get_or_none(id=topic_id)
    if topic is None or not may_supervise(principal, topic.region_code):
        raise Missing(Code.NOT_FOUND, "未找到该议题")
    return topic


async def _changed(topic: MeetingTopic, **values: object) -> MeetingTopic:
    """Write a topic's change if nobody changed it since it was read (two supervisors at once: one wins)."""
    if not await MeetingTopic.filter(id=topic.id, version=topic.version).update(version=topic.version + 1, **values):
        raise Conflicting(Code.STALE_VERSION, "该议题刚被他人修改，请刷新后重试")
    return await MeetingTopic.get(id=topic.id)


async def schedule_topic(principal: Principal, actor: Actor, topic_id: int, meeting_id: int) -> MeetingTopic:
    """A listed topic is put on a meeting's agenda (a meeting of its region or a region covering it); until the
    meeting decides it, it may be moved to another meeting."""
    topic = await _supervised_topic(principal, topic_id)
    meeting = await supervised_meeting(principal, meeting_id)
    if not covers(meeting.region_code, topic.region_code):
        raise InvalidField("meetingId", OversightCode.OUTSIDE_REGION, "该议题不属于这次会议所在地区")
    if topic.decided_at is not None:
        raise Conflicting(OversightCode.TOPIC_DECIDED, "会议已对该议题作出决定，不能再改排")
    if topic.meeting_id == meeting.id:
        return topic
    async with in_transaction():
        fresh = await _changed(topic, meeting_id=meeting.id, scheduled_at=datetime.now(timezone.utc))
        appeal = await Appeal.get(id=topic.appeal_id)
        event = await step_and_announce(appeal, "meeting_scheduled", actor, f"{meeting.session_number} {meeting.title}")
    await events.publish([event])
    return fresh


async def record_decision(principal: Principal, actor: Actor, calendar: WorkCalendar, topic_id: int, *,
                          decision: str, department_code: str, carry_out_days: int,
                          now: datetime | None = None) -> MeetingTopic:
    """The meeting's decision on a scheduled topic: what is decided, the department responsible for carrying it
    out, and within how many working days (by the end of the Nth working day after the day of the decision). The
    appeal's enterprise sees it on its appeal, the invited enterprises in their invitations, the department is
    alerted."""
    topic = await _supervised_topic(principal, topic_id)
    problems: list[InvalidField] = []
    text = collect(problems, written, decision, "decision", "会议决定", 5, 5000)
    department = await Department.get_or_none(code=department_code) if isinstance(department_code, str) \
        and 0 < len(department_code) <= 20 else None
    if department is None:
        problems.append(InvalidField("departmentCode", Code.UNKNOWN_DEPARTMENT, "请选择负责落实的部门"))
    if isinstance(carry_out_days, bool) or not 1 <= carry_out_days <= MAX_CARRY_OUT_DAYS:
        problems.append(InvalidField("carryOutDays", Code.OUT_OF_RANGE,
                                     f"落实时限须为1到{MAX_CARRY_OUT_DAYS}个工作日"))
    if problems:
        raise FormProblems(problems)
    if topic.meeting_id is None:
        raise Conflicting(OversightCode.TOPIC_NOT_SCHEDULED, "该议题尚未安排上会，不能记录会议决定")
    if topic.decided_at is not None:
        raise Conflicting(OversightCode.TOPIC_DECIDED, "会议已对该议题作出决定")
    now = now or datetime.now(timezone.utc)
    due, provisional = calendar.deadline(now.astimezone(SHANGHAI).date(), carry_out_days)
    async with in_transaction():
        fresh = await _changed(topic, decision=text, decided_at=now, decided_by_id=principal.account_id,
                               responsible_department_code=department.code, carry_out_days=carry_out_days,
                               carry_out_by=utc(due), provisional=provisional)
        appeal = await Appeal.get(id=topic.appeal_id)
        published = [await step_and_announce(appeal, "meeting_decision", actor, text)]
        alert = Alert("MEETING_DECISION", f"decision:{topic.id}", department.code, topic.region_code,
                      {"title": appeal.title, "dueAt": utc(due).isoformat()})
        published += [await events.append_next(stream, "meeting.decision", alert)
                      for stream in alert_streams(department.code, topic.region_code)]
        invited = await MeetingInvitation.filter(meeting_id=topic.meeting_id).values_list("credit_code", flat=True)
        notice = MeetingNotice(topic.meeting_id, topic.id)
        published += [await events.append_next(enterprise_stream(code), "meeting.decided", notice)
                      for code in sorted({*invited, appeal.credit_code})]
    await events.publish(published)
    return fresh


async def report_carried_out(principal: Principal, actor: Actor, topic_id: int, note: str) -> MeetingTopic:
    """The responsible department reports the decision carried out (落实), which stops its clock."""
    topic = await MeetingTopic.get_or_none(id=topic_id)
    if topic is None or topic.responsible_department_code is None \
            or not may_handle_department(principal, topic.responsible_department_code):
        raise Missing(Code.NOT_FOUND, "未找到该议题")
    text = written(note, "note", "落实情况", 5, 5000)
    if topic.carried_out_at is not None:
        raise Conflicting(OversightCode.REPORT_SUBMITTED, "已报告落实情况")
    async with in_transaction():
        fresh = await _changed(topic, carried_out_at=datetime.now(timezone.utc), carried_out_note=text)
        event = await step_and_announce(await Appeal.get(id=topic.appeal_id), "meeting_decision_carried_out",
                                        actor, text)
    await events.publish([event])
    return fresh


async def invite(principal: Principal, actor: Actor, meeting_id: int, credit_codes: Sequence[str], *,
                 topic_enterprises: bool = False) -> list[MeetingInvitation]:
    """列席: enterprises, by credit code, invited to attend a meeting (with ``topic_enterprises``, the enterprise
    of each topic on its agenda too). Each must have an enterprise account, to be told and to read the outcome;
    an enterprise invited before is not invited again. Each newly invited one is told on its stream."""
    meeting = await supervised_meeting(principal, meeting_id)
    if len(credit_codes) > MAX_INVITED_AT_ONCE:
        raise InvalidField("creditCodes", Code.OUT_OF_RANGE, f"一次最多邀请{MAX_INVITED_AT_ONCE}家企业")
    problems: list[InvalidField] = []
    codes = [collect(problems, check_credit_code, code, field=f"creditCodes.{index}")
             for index, code in enumerate(credit_codes)]
    if problems:
        raise FormProblems(problems)
    accounts = dict(await Account.filter(kind=AccountKind.ENTERPRISE, credit_code__in=codes)
                    .values_list("credit_code", "name")) if codes else {}
    problems = [InvalidField(f"creditCodes.{index}", OversightCode.NO_ENTERPRISE_ACCOUNT,
                             "该企业尚未注册爱山东企业账号，无法通知")
                for index, code in enumerate(codes) if code not in accounts]
    if problems:
        raise FormProblems(problems)
    if topic_enterprises:
        topic_codes = await Appeal.filter(meeting_topic__meeting_id=meeting.id).values_list("credit_code", flat=True)
        accounts.update(await Account.filter(kind=AccountKind.ENTERPRISE, credit_code__in=list(topic_codes))
                        .values_list("credit_code", "name"))
    if not accounts:
        raise InvalidField("creditCodes", Code.REQUIRED, "请至少邀请一家企业")
    known = set(await MeetingInvitation.filter(meeting_id=meeting.id).values_list("credit_code", flat=True))
    now = datetime.now(timezone.utc)
    published = []
    async with in_transaction():
        for code, name in sorted(accounts.items()):
            if code in known:
                continue
            invitation = await MeetingInvitation.create(meeting_id=meeting.id, credit_code=code, enterprise_name=name,
                                                        invited_by_id=principal.account_id, invited_at=now)
            await record("meeting.invited", actor, target=f"meeting:{meeting.id}", detail={"creditCode": code})
            published.append(await events.append_next(enterprise_stream(code), "meeting.invited",
                                                      MeetingNotice(meeting.id)))
            known.add(invitation.credit_code)
    await events.publish(published)
    return await MeetingInvitation.filter(meeting_id=meeting.id).order_by("id")


def meetings_of(region_code: str) -> QuerySet[ExecutiveMeeting]:
    """The meetings of a region and the regions within it, latest first (who may read them: ``may_supervise``)."""
    return ExecutiveMeeting.filter(within(check_region_code("regionCode", region_code))).order_by("-held_on", "-id")


def unscheduled_topics(region_code: str) -> QuerySet[MeetingTopic]:
    """Topics listed in a region and not yet on a meeting's agenda, oldest first."""
    return MeetingTopic.filter(within(check_region_code("regionCode", region_code)),
                               meeting_id__isnull=True).order_by("listed_at", "id")


def invitations_of(credit_codes: Sequence[str]) -> QuerySet[MeetingInvitation]:
    """The meetings these enterprises are invited to, latest meeting first."""
    return MeetingInvitation.filter(credit_code__in=list(credit_codes)).select_related("meeting").order_by(
        "-meeting__held_on", "-id")


async def invited_topics(meeting_id: int, own_codes: Sequence[str]) -> list[tuple[MeetingTopic, Appeal, str]]:
    """The topics of a meeting as an invited enterprise reads them: (topic, appeal, title), where the title of
    another enterprise's appeal is the public one (its names and numbers hidden, ``appeals.redaction``)."""
    topics = await MeetingTopic.filter(meeting_id=meeting_id).select_related("appeal").order_by("id")
    region_names = await Region.all().values_list("name", flat=True) if topics else []
    return [(t, t.appeal, t.appeal.title if t.appeal.credit_code in own_codes else public_title(
        t.appeal.title, [t.appeal.credit_code, *aliases(t.appeal.enterprise_name, region_names)])) for t in topics]
