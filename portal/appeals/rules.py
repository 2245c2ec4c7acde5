"""Enterprise appeals and the 2115 clock: record, route, contact, opinion, resolve, confirm; return, reopen,
escalate; similar appeals; the figures. No GraphQL here.

2115: on receipt by the undertaking unit, contact within 2 hours, an opinion within 1 working day, solved within
15 working days (DOMAIN.md; ``WorkCalendar.sla_plan``). Urgent grades and consultations have tighter clocks, as
data (``portal.appeals.clocks``); worklists put them first. An unsatisfied confirmation reopens the appeal to the
same unit with a new resolution clock of its grade.
"""

from __future__ import annotations

from enum import Enum
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Case, F, Q, When
from tortoise.functions import Count
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from portal import events, references
from portal.appeals import clocks, similarity
from portal.appeals.errors import AppealCode
from portal.appeals.models import (
    Appeal,
    AppealAttachment,
    AppealCategory,
    AppealChannel,
    AppealKind,
    AppealStatus,
    AppealStep,
    AppealUrgency,
)
from portal.appeals.payloads import Alert, AppealChanged
from portal.applications.models import UploadedFile, is_file_id
from portal.audit.rules import Actor, record
from portal.catalog.models import Department, Region
from portal.oversight.models import MeetingTopic
from portal.sources import DEPARTMENT_CODE
from portal.identity.models import Account, AccountKind
from portal.identity.numbers import check_credit_code
from portal.knowledge import citations
from portal.identity.policy import (
    may_act_for_enterprise,
    may_handle_department,
    may_route_appeals,
    may_supervise,
)
from portal.idempotency import check_key, request_hash
from portal.identity.principal import Principal
from portal.problems import Code, Conflicting, Forbidden, FormProblems, InvalidField, Missing, attempt
from portal.references import ReferenceKind
from portal.regions import check_region_code, covering, within
from portal.text import check_text
from portal.workdays import SHANGHAI, WorkCalendar, day_bounds_utc

BLANKS = " \t\r\n\u3000"  # spaces, line breaks and the ideographic space
SIMILAR_WITHIN = timedelta(days=90)
MAX_ATTACHMENTS = 10
STAFF_CHANNELS = (AppealChannel.MAILBOX, AppealChannel.HOTLINE, AppealChannel.VISIT)
# What an enterprise (or its agent) writes itself: the online zone, or a letter to the governor's mailbox.
ENTERPRISE_CHANNELS = (AppealChannel.ONLINE, AppealChannel.MAILBOX)
OPEN = (AppealStatus.ASSIGNED, AppealStatus.RETURNED, AppealStatus.CONTACTED, AppealStatus.OPINION_GIVEN)
STATUS_NAMES = {
    AppealStatus.RECEIVED: "待分办", AppealStatus.ASSIGNED: "已交办", AppealStatus.RETURNED: "退单待审",
    AppealStatus.CONTACTED: "已联系", AppealStatus.OPINION_GIVEN: "已出具意见", AppealStatus.RESOLVED: "已办结待确认",
    AppealStatus.CLOSED: "已办结", AppealStatus.MERGED: "已合并",
}


def stream_of(appeal_id: int) -> str:
    return f"appeal:{appeal_id}"


def region_of_credit_code(code: str) -> str:
    """GB 32100 positions 3–8: the administrative division of the registration authority."""
    return code[2:8]


def utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc)  # stored in UTC: SQLite compares timestamps as text


def written(value: str | None, field: str, label: str, low: int, high: int, *, multiline: bool = True) -> str:
    """Text a person wrote (a title, a content, a reason, a comment): the blanks around it dropped, then the
    portal's text rule (``portal.text``: no control or direction characters, at most ``high`` characters, one
    line unless ``multiline``), then at least ``low`` characters. Only blanks are stripped, so that a control
    character at either end is refused like one in the middle, not silently dropped."""
    text = check_text(field, (value or "").strip(BLANKS), max_length=high, multiline=multiline)
    if len(text) < low:
        raise InvalidField(field, Code.REQUIRED if not text else Code.TOO_SHORT, f"{label}至少{low}个字")
    return text


def _title(value: str | None) -> str:
    return written(value, "title", "标题", 5, 100, multiline=False)


def _content(value: str | None) -> str:
    return written(value, "content", "内容", 10, 5000)


@dataclass(frozen=True)
class Place:
    """Where the problem is and a picture of it, when the filer gives them: an address, a WGS-84 point (both
    coordinates or neither), and a link (``http``/``https``; an upload's link is made by whoever stored it)."""

    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    media_url: str | None = None

    def __bool__(self) -> bool:
        return any(v is not None for v in (self.address, self.latitude, self.longitude, self.media_url))


MEDIA_SCHEMES = ("http://", "https://")


def checked_place(place: Place, problems: list[InvalidField]) -> Place:
    """``place`` with its address trimmed, or its problems added to ``problems`` (field names: address,
    latitude, longitude, mediaUrl)."""
    address = attempt(lambda: written(place.address, "address", "地址", 2, 200, multiline=False), problems) \
        if place.address is not None and place.address.strip(BLANKS) else None
    for field, value, limit, label in (("latitude", place.latitude, 90, "纬度"),
                                       ("longitude", place.longitude, 180, "经度")):
        if value is not None and not -limit <= value <= limit:  # NaN fails both comparisons
            problems.append(InvalidField(field, Code.OUT_OF_RANGE, f"{label}须在 -{limit} 到 {limit} 之间"))
    if (place.latitude is None) != (place.longitude is None):
        missing = "longitude" if place.longitude is None else "latitude"
        problems.append(InvalidField(missing, Code.REQUIRED, "经度和纬度须同时提供"))
    media = None
    if place.media_url is not None and place.media_url.strip(BLANKS):
        media = attempt(lambda: check_text("mediaUrl", place.media_url.strip(BLANKS), max_length=500,
                                           multiline=False), problems)
        if media is not None and (not media.lower().startswith(MEDIA_SCHEMES) or " " in media):
            problems.append(InvalidField("mediaUrl", Code.BAD_FORMAT, "图片链接须为 http 或 https 地址"))
            media = None
    return Place(address, place.latitude, place.longitude, media)



async def may_see_appeal(principal: Principal | None, appeal: Appeal) -> bool:
    """An appeal is seen by its enterprise and the enterprise's agents, the coordinators (诉求专席), the undertaking
    unit, and the supervisors of its region."""
    if principal is None:
        return False
    return (await may_act_for_enterprise(principal, appeal.credit_code) or may_route_appeals(principal)
            or (appeal.department_code is not None and may_handle_department(principal, appeal.department_code))
            or may_supervise(principal, appeal.region_code))


async def _announce(appeal: Appeal, kind: str) -> events.Event:
    appeal.event_seq += 1
    await Appeal.filter(id=appeal.id).update(event_seq=appeal.event_seq)
    return await events.append(stream_of(appeal.id), appeal.event_seq, kind, AppealChanged(appeal.id, appeal.status))


async def _step(appeal: Appeal, action: str, actor: Actor, note: str = "") -> None:
    """Every step is logged with actor and time (and into the audit trail)."""
    await AppealStep.create(appeal_id=appeal.id, at=datetime.now(timezone.utc), action=action, actor=actor.label,
                            department_code=appeal.department_code, note=note)
    await record(f"appeal.{action}", actor, target=f"appeal:{appeal.id}", detail={"note": note[:200]} if note else {})


async def step_and_announce(appeal: Appeal, action: str, actor: Actor, note: str = "") -> events.Event:
    """A step of another domain on an appeal (a meeting's decision on it): logged like the appeal's own steps and
    told on the appeal's stream, inside the caller's transaction; the caller publishes the event."""
    await _step(appeal, action, actor, note)
    return await _announce(appeal, f"appeal.{action}")


async def _attachments(principal: Principal, file_ids: Sequence[str]) -> list[UploadedFile]:
    """Attachments as for applications: files the recorder uploaded, at most ten."""
    ids = list(dict.fromkeys(file_ids))
    if len(ids) > MAX_ATTACHMENTS:
        raise FormProblems([InvalidField("attachments", AppealCode.TOO_MANY, f"附件不能超过{MAX_ATTACHMENTS}个")])
    valid = [i for i in ids if is_file_id(i)]
    files = {str(f.id): f for f in await UploadedFile.filter(id__in=valid, owner_id=principal.account_id)} if valid \
        else {}
    missing = [i for i in ids if i not in files]
    if missing:
        raise FormProblems([InvalidField("attachments", Code.UNKNOWN_FILE, "附件不存在或不是您上传的")])
    return [files[i] for i in ids]


async def _create(principal: Principal, actor: Actor, *, credit_code: str, enterprise_name: str, title: str,
                  content: str, category: AppealCategory, urgency: AppealUrgency, kind: AppealKind,
                  channel: AppealChannel, idempotency_key: str, attachments: Sequence[str] = (),
                  place: Place = Place(), open311_token: str | None = None) -> Appeal:
    key = check_key(idempotency_key)
    asked: dict[str, Any] = {"code": credit_code, "title": title, "content": content, "category": category.value,
                             "urgency": urgency.value, "kind": kind.value, "channel": channel.value,
                             "attachments": list(attachments)}
    if place:  # only then: the digests of requests without a place stay what they were
        asked["place"] = [place.address, place.latitude, place.longitude, place.media_url]
    digest = request_hash(asked)
    existing = await Appeal.get_or_none(recorded_by_id=principal.account_id, idempotency_key=key)
    if existing is not None:
        if existing.request_hash != digest:
            raise Conflicting(Code.IDEMPOTENCY_KEY_REUSED, "该请求标识已用于另一条不同的诉求")
        return existing
    files = await _attachments(principal, attachments)
    try:
        async with in_transaction():
            region = region_of_credit_code(credit_code)
            appeal = await Appeal.create(
                number=await references.allocate(ReferenceKind.APPEAL, region, datetime.now(timezone.utc)),
                credit_code=credit_code, enterprise_name=enterprise_name, recorded_by_id=principal.account_id,
                channel=channel, category=category, urgency=urgency, kind=kind, priority=clocks.priority(urgency),
                title=title, content=content, region_code=region, status=AppealStatus.RECEIVED,
                idempotency_key=key, request_hash=digest, address=place.address, latitude=place.latitude,
                longitude=place.longitude, media_url=place.media_url, open311_token=open311_token)
            await AppealAttachment.bulk_create([AppealAttachment(appeal_id=appeal.id, file_id=f.id) for f in files])
            await _step(appeal, "received", actor, channel.value)
            published = [await _announce(appeal, "appeal.received")]
            if urgency is AppealUrgency.URGENT:  # 特急: the coordinators and supervisors hear of it at once
                published += await alert(appeal, "URGENT_RECEIVED", {"urgency": urgency.value, "kind": kind.value,
                                                                     "channel": channel.value})
    except IntegrityError:
        existing = await Appeal.get_or_none(recorded_by_id=principal.account_id, idempotency_key=key)
        if existing is None or existing.request_hash != digest:
            raise
        return existing
    await events.publish(published)
    return appeal


async def submit(principal: Principal, actor: Actor, *, title: str, content: str, category: AppealCategory,
                 urgency: AppealUrgency = AppealUrgency.GENERAL, kind: AppealKind = AppealKind.COMPLAINT,
                 channel: AppealChannel = AppealChannel.ONLINE, idempotency_key: str,
                 credit_code: str | None = None, attachments: Sequence[str] = (), place: Place = Place(),
                 open311_token: str | None = None) -> Appeal:
    """The online zone, or a letter to the governor's mailbox (省长信箱): an enterprise, or its agent naming the
    enterprise's credit code, writes it; it is graded and routed like every other appeal."""
    own = principal.kind is AccountKind.ENTERPRISE
    problems: list[InvalidField] = []
    if channel not in ENTERPRISE_CHANNELS:
        problems.append(InvalidField("channel", AppealCode.BAD_CHANNEL,
                                     "企业可在线提交或写信至省长信箱（ONLINE、MAILBOX），来电和走访由诉求专席登记"))
    code = None if own else attempt(lambda: check_credit_code(credit_code, field="creditCode"), problems)
    title_, content_ = attempt(lambda: _title(title), problems), attempt(lambda: _content(content), problems)
    place = checked_place(place, problems)
    if problems:
        raise FormProblems(problems)
    enterprise = await Account.get(id=principal.account_id) if own else await Account.get_or_none(
        kind=AccountKind.ENTERPRISE, credit_code=code)
    if enterprise is None or not (own or await may_act_for_enterprise(principal, enterprise.credit_code)):
        raise Forbidden(Code.NOT_AUTHORISED, "只有企业或其授权经办人可以提交企业诉求")
    return await _create(principal, actor, credit_code=enterprise.credit_code, enterprise_name=enterprise.name,
                         title=title_, content=content_, category=category, urgency=urgency, kind=kind,
                         channel=channel, idempotency_key=idempotency_key, attachments=attachments, place=place,
                         open311_token=open311_token)


async def record_for_enterprise(principal: Principal, actor: Actor, *, credit_code: str, enterprise_name: str | None,
                                title: str, content: str, category: AppealCategory, urgency: AppealUrgency,
                                channel: AppealChannel, idempotency_key: str, attachments: Sequence[str] = (),
                                kind: AppealKind = AppealKind.COMPLAINT, place: Place = Place(),
                                open311_token: str | None = None) -> Appeal:
    """The 96178 seat, the governor's mailbox and visits: a coordinator records an appeal for an enterprise named by
    its credit code (it need not have an account yet)."""
    if not may_route_appeals(principal):
        raise Forbidden(AppealCode.COORDINATORS_ONLY, "只有诉求专席可以登记来电、来信和走访诉求")
    problems: list[InvalidField] = []
    if channel not in STAFF_CHANNELS:
        problems.append(InvalidField("channel", AppealCode.BAD_CHANNEL, "专席登记的渠道须为来电、来信或走访"))
    code = attempt(lambda: check_credit_code(credit_code, field="creditCode"), problems)
    known = await Account.get_or_none(kind=AccountKind.ENTERPRISE, credit_code=code) if code else None
    # An enterprise without an account is named by the seat.
    name = known.name if known else attempt(
        lambda: written(enterprise_name, "enterpriseName", "企业名称", 2, 100, multiline=False), problems)
    title_, content_ = attempt(lambda: _title(title), problems), attempt(lambda: _content(content), problems)
    place = checked_place(place, problems)
    if problems:
        raise FormProblems(problems)
    return await _create(principal, actor, credit_code=code, enterprise_name=name, title=title_, content=content_,
                         category=category, urgency=urgency, kind=kind, channel=channel,
                         idempotency_key=idempotency_key, attachments=attachments, place=place,
                         open311_token=open311_token)


async def visible(principal: Principal | None, appeal_id: int) -> Appeal:
    appeal = await Appeal.get_or_none(id=appeal_id)
    if appeal is None or not await may_see_appeal(principal, appeal):
        raise Missing(Code.NOT_FOUND, "未找到该诉求")
    return appeal


async def _move(appeal: Appeal, allowed: Sequence[AppealStatus], target: AppealStatus, action: str, actor: Actor,
                note: str = "", *, then: Callable[[Appeal], Awaitable[object]] | None = None,
                **changes: Any) -> Appeal:
    """Change state only from an allowed one (a conditional update: of two acting at once, one wins); ``then``
    writes what goes with the change, in its transaction."""
    async with in_transaction():
        updated = await Appeal.filter(id=appeal.id, version=appeal.version, status__in=list(allowed)).update(
            status=target, version=appeal.version + 1, **changes)
        if not updated:
            current = await Appeal.get(id=appeal.id)
            raise Conflicting(Code.INVALID_TRANSITION if current.version == appeal.version else Code.STALE_VERSION,
                          f"该诉求当前状态为“{STATUS_NAMES[current.status]}”，不能执行此操作")
        fresh = await Appeal.get(id=appeal.id)
        await _step(fresh, action, actor, note)
        if then is not None:
            await then(fresh)
        event = await _announce(fresh, f"appeal.{action}")
    await events.publish([event])
    return fresh


async def assign(principal: Principal, actor: Actor, calendar: WorkCalendar, appeal_id: int,
                 department_code: str, *, now: datetime | None = None) -> Appeal:
    """Routing: the undertaking unit receives the appeal now and its grade's plan (2115 or tighter) is fixed at this
    moment. Also how a coordinator upholds a return (退单): the new unit gets a new clock."""
    if not may_route_appeals(principal):
        raise Missing(Code.NOT_FOUND, "未找到该诉求")
    appeal = await visible(principal, appeal_id)
    # The format first: a code longer than the column is no department (and the ORM refuses to look it up).
    if not (isinstance(department_code, str) and DEPARTMENT_CODE.fullmatch(department_code)
            and await Department.exists(code=department_code)):
        raise FormProblems([InvalidField("departmentCode", Code.UNKNOWN_DEPARTMENT, "没有这个承办单位")])
    now = now or datetime.now(timezone.utc)
    clock = clocks.shipped().of(appeal.urgency, appeal.kind)
    plan = clock.plan(calendar, now)
    return await _move(appeal, (AppealStatus.RECEIVED, AppealStatus.RETURNED), AppealStatus.ASSIGNED, "assigned",
                       actor, department_code, department_code=department_code, received_at=now,
                       clock_name=clock.name,
                       contact_by=utc(plan.contact_by), opinion_by=utc(plan.opinion_by),
                       resolve_by=utc(plan.resolve_by), provisional=plan.provisional, contacted_at=None,
                       opinion_at=None, return_reason="")


async def _unit_appeal(principal: Principal, appeal_id: int) -> Appeal:
    appeal = await Appeal.get_or_none(id=appeal_id)
    if appeal is None or appeal.department_code is None or not may_handle_department(principal, appeal.department_code):
        raise Missing(Code.NOT_FOUND, "未找到该诉求")
    return appeal


async def return_to_coordinator(principal: Principal, actor: Actor, appeal_id: int, reason: str) -> Appeal:
    """退单: the unit returns a misrouted appeal, within the 2-hour contact window only; its clock keeps running
    until the coordinator decides."""
    appeal = await _unit_appeal(principal, appeal_id)
    reason_ = written(reason, "reason", "退单理由", 2, 500)
    if appeal.contact_by is not None and datetime.now(timezone.utc) > appeal.contact_by:
        raise Conflicting(AppealCode.RETURN_WINDOW_CLOSED, "已超过2小时联系时限，不能退单，请先联系企业")
    return await _move(appeal, (AppealStatus.ASSIGNED,), AppealStatus.RETURNED, "returned", actor, reason_,
                       return_reason=reason_)


async def reject_return(principal: Principal, actor: Actor, appeal_id: int, reason: str) -> Appeal:
    """The coordinator keeps the appeal with the unit; the original clock keeps running."""
    if not may_route_appeals(principal):
        raise Missing(Code.NOT_FOUND, "未找到该诉求")
    appeal = await visible(principal, appeal_id)
    reason_ = written(reason, "reason", "驳回退单的理由", 2, 500)
    return await _move(appeal, (AppealStatus.RETURNED,), AppealStatus.ASSIGNED, "return_rejected", actor, reason_)


async def record_contact(principal: Principal, actor: Actor, appeal_id: int) -> Appeal:
    """2115 step 1: the unit contacted the enterprise or was on site."""
    appeal = await _unit_appeal(principal, appeal_id)
    return await _move(appeal, (AppealStatus.ASSIGNED,), AppealStatus.CONTACTED, "contacted", actor,
                       contacted_at=datetime.now(timezone.utc))


async def give_opinion(principal: Principal, actor: Actor, appeal_id: int, opinion: str) -> Appeal:
    """2115 step 2: the handling opinion."""
    appeal = await _unit_appeal(principal, appeal_id)
    text = written(opinion, "opinion", "办理意见", 5, 5000)
    return await _move(appeal, (AppealStatus.CONTACTED,), AppealStatus.OPINION_GIVEN, "opinion_given", actor, text,
                       opinion=text, opinion_at=datetime.now(timezone.utc))


async def resolve(principal: Principal, actor: Actor, appeal_id: int, summary: str) -> Appeal:
    """2115 step 3: solved, or the service confirmed; the enterprise confirms next."""
    appeal = await _unit_appeal(principal, appeal_id)
    text = written(summary, "summary", "办结情况", 5, 5000)
    return await _move(appeal, (AppealStatus.OPINION_GIVEN,), AppealStatus.RESOLVED, "resolved", actor, text,
                       summary=text, resolved_at=datetime.now(timezone.utc))


async def confirm(principal: Principal, actor: Actor, calendar: WorkCalendar, appeal_id: int, *, satisfied: bool,
                  rating: int, comment: str | None, now: datetime | None = None) -> Appeal:
    """The enterprise confirms: satisfied closes it; unsatisfied reopens it to the same unit with a new resolution
    clock of its grade (15 working days for a general appeal)."""
    appeal = await Appeal.get_or_none(id=appeal_id)
    if appeal is None or not await may_act_for_enterprise(principal, appeal.credit_code):
        raise Missing(Code.NOT_FOUND, "未找到该诉求")
    problems: list[InvalidField] = []
    if isinstance(rating, bool) or not 1 <= rating <= 5:
        problems.append(InvalidField("rating", Code.OUT_OF_RANGE, "评价须为1到5星"))
    text = attempt(lambda: written(comment, "comment", "评价内容", 0, 500), problems)
    if problems:
        raise FormProblems(problems)
    now = now or datetime.now(timezone.utc)
    if satisfied:
        return await _move(appeal, (AppealStatus.RESOLVED,), AppealStatus.CLOSED, "confirmed", actor, text,
                           confirmed_at=now, satisfied=True, rating=rating, comment=text)
    days = clocks.shipped().of(appeal.urgency, appeal.kind).resolve_days
    resolve_by, provisional = calendar.deadline(now.astimezone(SHANGHAI).date(), days)
    return await _move(appeal, (AppealStatus.RESOLVED,), AppealStatus.OPINION_GIVEN, "reopened", actor, text,
                       confirmed_at=now, satisfied=False, rating=rating, comment=text, resolved_at=None,
                       resolve_by=utc(resolve_by), provisional=appeal.provisional or provisional,
                       reopened=appeal.reopened + 1)


async def answer_on_the_spot(principal: Principal, actor: Actor, appeal_id: int, answer: str, *,
                             caller_consents: bool, knowledge_entry_id: str | None = None) -> Appeal:
    """即时答复: the 96178 seat answers a consultation it recorded from a call while the caller is on the line and,
    with the caller's consent, closes it at first contact (contacted, answered and resolved at once; counted as
    resolved at first contact). A consultation the caller wants handled further is routed as usual. An answer
    taken from the knowledge base cites the entry's version it stood at (one in force for the caller's region),
    and counts as a use of the entry."""
    if not may_route_appeals(principal):
        raise Missing(Code.NOT_FOUND, "未找到该诉求")
    appeal = await visible(principal, appeal_id)
    problems: list[InvalidField] = []
    text = attempt(lambda: written(answer, "answer", "答复内容", 5, 5000), problems)
    if not caller_consents:
        problems.append(InvalidField("callerConsents", AppealCode.CONSENT_REQUIRED,
                                     "须经来电企业同意，方可当场答复并办结；不同意的请转交承办单位"))
    cited = None
    if knowledge_entry_id is not None:
        try:
            cited = await citations.citable(knowledge_entry_id, appeal.region_code, citations.today())
        except InvalidField as problem:
            problems.append(problem)
    if problems:
        raise FormProblems(problems)
    if appeal.kind is not AppealKind.CONSULTATION:
        raise Conflicting(AppealCode.NOT_A_CONSULTATION, "只有咨询类诉求可以当场答复办结，其他诉求请转交承办单位")
    if appeal.channel is not AppealChannel.HOTLINE:
        raise Conflicting(AppealCode.NOT_BY_PHONE, "当场答复只适用于96178来电")
    now = datetime.now(timezone.utc)
    cite = (lambda fresh: citations.cite(fresh.id, cited)) if cited is not None else None
    return await _move(appeal, (AppealStatus.RECEIVED,), AppealStatus.CLOSED, "answered_on_the_spot", actor, text,
                       then=cite, answered_on_the_spot=True, contacted_at=now, opinion=text, opinion_at=now, summary=text,
                       resolved_at=now)


async def escalate(principal: Principal, actor: Actor, appeal_id: int, reason: str) -> Appeal:
    """督办: a supervisor of the appeal's region presses the unit; the unit's staff are alerted."""
    appeal = await Appeal.get_or_none(id=appeal_id)
    if appeal is None or not may_supervise(principal, appeal.region_code):
        raise Missing(Code.NOT_FOUND, "未找到该诉求")
    text = written(reason, "reason", "督办事由", 2, 500)
    if appeal.status not in OPEN + (AppealStatus.RECEIVED,):
        raise Conflicting(AppealCode.NOT_OPEN, "只能督办尚未办结的诉求")
    async with in_transaction():
        await Appeal.filter(id=appeal.id).update(escalated_at=datetime.now(timezone.utc), version=appeal.version + 1)
        fresh = await Appeal.get(id=appeal.id)
        await _step(fresh, "escalated", actor, text)
        published = [await _announce(fresh, "appeal.escalated")]
        published += await alert(fresh, "ESCALATED", {"reason": text})
    await events.publish(published)
    return fresh


async def list_as_meeting_topic(principal: Principal, actor: Actor, appeal_id: int, reason: str) -> Appeal:
    """常务会议议题: an appeal a department cannot solve is put on the provincial executive meeting's list, as a topic
    to be scheduled into a meeting (``portal.oversight.meetings``)."""
    appeal = await Appeal.get_or_none(id=appeal_id)
    if appeal is None or not may_supervise(principal, appeal.region_code):
        raise Missing(Code.NOT_FOUND, "未找到该诉求")
    text = written(reason, "reason", "提请理由", 2, 500)
    if appeal.meeting_topic_at is not None:
        return appeal
    now = datetime.now(timezone.utc)
    async with in_transaction():
        await Appeal.filter(id=appeal.id).update(meeting_topic_at=now)
        fresh = await Appeal.get(id=appeal.id)
        await MeetingTopic.create(appeal_id=appeal.id, region_code=appeal.region_code, reason=text, listed_at=now)
        await _step(fresh, "meeting_topic", actor, text)
        event = await _announce(fresh, "appeal.meeting_topic")
    await events.publish([event])
    return fresh


def region_stream(region_code: str) -> str:
    """The alerts of the supervisors of one region."""
    return f"alerts:region:{region_code}"


def alert_streams(department_code: str | None, region_code: str) -> list[str]:
    """Who hears an alert: the unit's staff, and the supervisors of the region and of each region covering it
    (county, city, province); a county's supervisors hear nothing of the neighbouring counties."""
    streams = [region_stream(code) for code in covering(region_code)]
    return [f"alerts:department:{department_code}", *streams] if department_code else streams


async def alert(appeal: Appeal, kind: str, detail: dict[str, Any]) -> list[events.Event]:
    """An alert about an appeal on each stream that must hear it (call inside the transaction)."""
    payload = Alert(kind, f"appeal:{appeal.id}", appeal.department_code, appeal.region_code,
                    {"title": appeal.title, **detail})
    return [await events.append_next(stream, kind, payload)
            for stream in alert_streams(appeal.department_code, appeal.region_code)]


@dataclass(frozen=True)
class Similar:
    appeal: Appeal
    score: float


async def similar_appeals(principal: Principal, appeal_id: int) -> list[Similar]:
    """Appeals of the same region and category in the last 90 days whose text is similar
    (``portal.appeals.similarity``), offered to the coordinator to merge."""
    if not may_route_appeals(principal):
        raise Missing(Code.NOT_FOUND, "未找到该诉求")
    appeal = await visible(principal, appeal_id)
    since = utc(appeal.created_at) - SIMILAR_WITHIN
    candidates = await Appeal.filter(region_code=appeal.region_code, category=appeal.category,
                                     created_at__gte=since).exclude(id=appeal.id).exclude(
        status=AppealStatus.MERGED).order_by("-id").limit(500)
    mine = similarity.profile(appeal.title, appeal.content)
    found = [Similar(c, round(similarity.similarity(mine, similarity.profile(c.title, c.content)), 3))
             for c in candidates]
    return sorted((s for s in found if s.score >= similarity.THRESHOLD), key=lambda s: (-s.score, -s.appeal.id))


async def merge(principal: Principal, actor: Actor, appeal_id: int, into_id: int) -> Appeal:
    """Merge a duplicate into another appeal: it is handled there, and both enterprises keep their own record."""
    if not may_route_appeals(principal) or appeal_id == into_id:
        raise Missing(Code.NOT_FOUND, "未找到该诉求")
    appeal = await visible(principal, appeal_id)
    target = await visible(principal, into_id)
    if target.status is AppealStatus.MERGED:
        raise Conflicting(AppealCode.TARGET_MERGED, "目标诉求本身已被合并")
    return await _move(appeal, (AppealStatus.RECEIVED,), AppealStatus.MERGED, "merged", actor, f"appeal:{target.id}",
                       merged_into_id=target.id)


def meeting_topics(region_code: str) -> QuerySet[Appeal]:
    """常务会议议题 of a region and the regions it covers, newest first (who may read them: ``may_supervise``)."""
    return Appeal.filter(within(check_region_code("regionCode", region_code)),
                         meeting_topic_at__isnull=False).order_by("-meeting_topic_at")


# --- figures ---------------------------------------------------------------------------------------------------


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def on_time(done_at: datetime | None, due_at: datetime | None, now: datetime) -> bool | None:
    """Whether a step was (or can still be) on time; None when its clock has not started or is still running."""
    if due_at is None:
        return None
    if done_at is not None:
        return done_at <= due_at
    return False if now > due_at else None


def step_rate(rows: Iterable[tuple[datetime | None, datetime | None]], now: datetime) -> float | None:
    """On-time rate of one 2115 step over the appeals whose result for it is known."""
    known = [r for r in (on_time(done, due, now) for done, due in rows) if r is not None]
    return _rate(sum(known), len(known))


# What figures can be broken down by (``stats_breakdown``), each with the names people read.
BREAKDOWNS: dict[str, dict[str, str]] = {
    "urgency": {u.value: clocks.URGENCY_NAMES[u] for u in clocks.URGENCY_ORDER},
    "kind": {k.value: clocks.KIND_NAMES[k] for k in AppealKind},
    "channel": {AppealChannel.ONLINE.value: "诉求专区", AppealChannel.MAILBOX.value: "省长信箱",
                AppealChannel.HOTLINE.value: "96178热线", AppealChannel.VISIT.value: "走访"},
}
# The three steps of the 2115 clock: (done, due) columns.
CLOCK_STEPS = {"contact": ("contacted_at", "contact_by"), "opinion": ("opinion_at", "opinion_by"),
               "resolve": ("resolved_at", "resolve_by")}


def _tallies(now: datetime) -> dict[str, Count]:
    """The counts the figures are made of, aggregated by the database over the period's appeals: a step's result
    is known (``on_time``) once it is done or its deadline has passed, and on time when done by the deadline."""
    tallies = {
        "received": Count("id"),
        "resolved": Count("id", _filter=Q(status__in=[AppealStatus.RESOLVED, AppealStatus.CLOSED])),
        "confirmed": Count("satisfied"),
        "satisfied_count": Count("id", _filter=Q(satisfied=True)),  # not "satisfied": the column
        "on_the_spot": Count("id", _filter=Q(answered_on_the_spot=True)),
    }
    for step, (done, due) in CLOCK_STEPS.items():
        tallies[f"{step}_known"] = Count("id", _filter=Q(**{f"{due}__isnull": False}) & (
            Q(**{f"{done}__isnull": False}) | Q(**{f"{due}__lt": now})))
        tallies[f"{step}_on_time"] = Count("id", _filter=Q(**{f"{done}__lte": F(due)}))
    return tallies


def _figures(tally: dict[str, int] | None, market_entities: int | None) -> dict[str, Any]:
    """The figures of a set of appeals from its tallies (``_tallies``; None: no appeal)."""
    tally = tally or {}
    received = tally.get("received", 0)
    figures = {
        "received": received,
        "complaints_per_10k": round(received / market_entities * 10000, 4) if market_entities else None,
        "resolution_rate": _rate(tally.get("resolved", 0), received),
        "satisfaction_rate": _rate(tally.get("satisfied_count", 0), tally.get("confirmed", 0)),
    }
    for step in CLOCK_STEPS:
        figures[f"{step}_on_time_rate"] = _rate(tally.get(f"{step}_on_time", 0), tally.get(f"{step}_known", 0))
    figures["resolved_at_first_contact"] = tally.get("on_the_spot", 0)
    figures["first_contact_rate"] = _rate(figures["resolved_at_first_contact"], received)
    return figures


@dataclass(frozen=True)
class Grade:
    """A filter of the figures to one grade or channel (None: all)."""

    urgency: AppealUrgency | None = None
    kind: AppealKind | None = None
    channel: AppealChannel | None = None

    def of(self, query: QuerySet[Appeal]) -> QuerySet[Appeal]:
        wanted = {name: value for name, value in (("urgency", self.urgency), ("kind", self.kind),
                                                  ("channel", self.channel)) if value is not None}
        return query.filter(**wanted) if wanted else query


def received_in(region_code: str, first_day: date, last_day: date, department_code: str | None = None,
                grade: Grade = Grade()) -> QuerySet[Appeal]:
    """The appeals the figures count: received in the period (Asia/Shanghai days) in a region (its subdivisions
    too), merged duplicates left out; optionally of one undertaking unit or one grade or channel."""
    start, end = day_bounds_utc(first_day, last_day)
    query = grade.of(Appeal.filter(within(check_region_code("regionCode", region_code)), created_at__gte=start,
                                   created_at__lt=end).exclude(status=AppealStatus.MERGED))
    return query.filter(department_code=department_code) if department_code else query


def tallied(query: QuerySet[Appeal], *by: str) -> QuerySet[Appeal]:
    """``query``'s tallies (``_tallies``) in one aggregate read, one row per value of the ``by`` columns."""
    tallies = _tallies(datetime.now(timezone.utc))
    counted = query.annotate(**tallies)
    return counted.group_by(*by).values(*by, *tallies) if by else counted.values(*tallies)


async def _market_entities(region_code: str) -> int | None:
    return await Region.filter(code=region_code).first().values_list("market_entities", flat=True)


async def stats(region_code: str, first_day: date, last_day: date, *, department_code: str | None = None,
                grade: Grade = Grade()) -> dict[str, Any]:
    """The zone's figures for appeals received in the period in a region (a province or city code covers its
    subdivisions), optionally for one undertaking unit or one grade or channel: received, complaints per 10,000
    market entities (of the whole region only), resolution rate, satisfaction rate, the on-time rate of each step
    of the clock, and the consultations answered on the spot (resolved at first contact)."""
    rows = await tallied(received_in(region_code, first_day, last_day, department_code, grade))
    whole = not department_code and grade == Grade()
    return _figures(rows[0] if rows else None, await _market_entities(region_code) if whole else None)


async def stats_breakdown(region_code: str, first_day: date, last_day: date, by: str
                          ) -> list[tuple[str, str, dict[str, Any]]]:
    """The figures of each urgency, kind or channel (``BREAKDOWNS``): (value, name, figures), in the listed
    order, every value even when it had no appeal (a grade with none is a figure too)."""
    groups = {_value(row[by]): row for row in await tallied(received_in(region_code, first_day, last_day), by)}
    return [(value, name, _figures(groups.get(value), None)) for value, name in BREAKDOWNS[by].items()]


def _value(member: Any) -> str:
    return member.value if isinstance(member, Enum) else str(member)


def months(first: date, last: date) -> list[tuple[date, date]]:
    """The calendar months from the one of ``first`` to the one of ``last``: (first day, last day) each."""
    out, start = [], first.replace(day=1)
    while start <= last:
        following = (start + timedelta(days=32)).replace(day=1)
        out.append((start, following - timedelta(days=1)))
        start = following
    return out


def month_of_receipt(periods: Sequence[tuple[date, date]]) -> Case:
    """The Asia/Shanghai month (``2026-10``) an appeal of ``periods`` was received in, in SQL: by the UTC instants
    the months begin (stored times are UTC), so that the database groups by it. Text, not a number: PostgreSQL
    types a CASE of parameters as text."""
    starts = [(day_bounds_utc(start, start)[0], f"{before:%Y-%m}")
              for (before, _), (start, _) in zip(periods, periods[1:])]
    return Case(*(When(created_at__lt=start, then=month) for start, month in starts),
                default=f"{periods[-1][0]:%Y-%m}")


async def monthly_stats(region_code: str, first_day: date, last_day: date, *, grade: Grade = Grade()
                        ) -> list[tuple[date, date, dict[str, Any]]]:
    """调度: the figures of each calendar month of the period (its first and last months whole), oldest first:
    one aggregate read of the period's appeals, grouped by the Asia/Shanghai month they were received in."""
    periods = months(first_day, last_day)
    query = received_in(region_code, periods[0][0], periods[-1][1], grade=grade)
    groups = {row["month"]: row for row in await tallied(query.annotate(month=month_of_receipt(periods)), "month")}
    entities = await _market_entities(region_code) if grade == Grade() else None
    return [(start, end, _figures(groups.get(f"{start:%Y-%m}"), entities)) for start, end in periods]


async def stats_by_department(region_code: str, first_day: date, last_day: date
                              ) -> list[tuple[str, str, dict[str, Any]]]:
    """The figures of each undertaking unit that received appeals of the region in the period:
    (department code, name, figures), by code."""
    groups = {row["department_code"]: row
              for row in await tallied(received_in(region_code, first_day, last_day), "department_code")}
    codes = sorted(code for code in groups if code)
    names = dict(await Department.filter(code__in=codes).values_list("code", "name")) if codes else {}
    return [(code, names.get(code, code), _figures(groups[code], None)) for code in codes]


SYSTEM_NAME = "系统"


async def actor_names(labels: Iterable[str]) -> dict[str, str]:
    """The readable name of each actor label of appeal steps (``kind:id`` as ``Principal.label`` writes it), in
    one query: the account's name; the system (the deadline sweep) and an account gone are 系统 and the label."""
    labels = set(labels)
    ids = {label: int(number) for label in labels
           if (number := label.partition(":")[2]).isascii() and number.isdigit()}
    accounts = dict(await Account.filter(id__in=set(ids.values())).values_list("id", "name")) if ids else {}
    return {label: accounts.get(ids[label], label) if label in ids else SYSTEM_NAME for label in labels}
