"""通报 / 约谈: a unit whose satisfaction rate is low or which misses deadlines again and again is given a notice
(通报) or called to a talk (约谈) by a supervisor of the region, on the figures of a period (computed here, never
typed), and owes a rectification report (整改报告) within a number of working days; that deadline is swept like
every other. No GraphQL here.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timezone

from tortoise.exceptions import IntegrityError
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from portal import events
from portal.appeals.models import DeadlineMiss
from portal.appeals.payloads import Alert
from portal.appeals.rules import alert_streams, region_stream, stats, stats_by_department, utc, written
from portal.audit.rules import Actor, record
from portal.catalog.models import Department
from portal.identity.models import Role
from portal.identity.policy import has_role, may_handle_department, may_supervise
from portal.identity.principal import Principal
from portal.idempotency import check_key, request_hash
from portal.oversight.errors import OversightCode
from portal.oversight.meetings import collect
from portal.oversight.models import NoticeKind, UnitNotice
from portal.problems import Code, Conflicting, Forbidden, FormProblems, InvalidField, Missing, check_day
from portal.regions import check_region_code, covering, within
from portal.workdays import SHANGHAI, WorkCalendar, day_bounds_utc

MAX_REPORT_DAYS = 30
MAX_PERIOD_DAYS = 366
KIND_NAMES = {NoticeKind.NOTICE: "通报", NoticeKind.TALK: "约谈"}


@dataclass(frozen=True)
class Thresholds:
    """When a unit is offered as a candidate (settings ``notice_satisfaction_below``, ``notice_misses_at_least``)."""

    satisfaction_below: float
    misses_at_least: int


@dataclass(frozen=True)
class Evidence:
    """A unit's figures in a region and period: appeals received, satisfaction rate (None: nobody confirmed yet),
    deadlines missed (recorded by the sweep in the period)."""

    received: int
    satisfaction_rate: float | None
    missed_deadlines: int


@dataclass(frozen=True)
class Candidate:
    department_code: str
    department_name: str
    evidence: Evidence
    low_satisfaction: bool
    repeated_misses: bool


def _period(first: date, last: date) -> None:
    problems: list[InvalidField] = []
    collect(problems, check_day, "from", first)
    collect(problems, check_day, "to", last)
    if problems:
        raise FormProblems(problems)
    if last < first or (last - first).days > MAX_PERIOD_DAYS:
        raise InvalidField("to", Code.OUT_OF_RANGE, "统计期间须在一年以内，且结束日期不早于开始日期")


async def evidence(region_code: str, department_code: str, first: date, last: date) -> Evidence:
    """The figures a notice rests on: the unit's appeals of the region received in the period and their
    satisfaction rate (``appeals.rules.stats``), and its missed deadlines detected in the period (DeadlineMiss)."""
    figures = await stats(region_code, first, last, department_code=department_code)
    start, end = day_bounds_utc(first, last)
    missed = await DeadlineMiss.filter(within(region_code), department_code=department_code, detected_at__gte=start,
                                       detected_at__lt=end).count()
    return Evidence(figures["received"], figures["satisfaction_rate"], missed)


async def candidates(principal: Principal, region_code: str, first: date, last: date,
                     thresholds: Thresholds) -> list[Candidate]:
    """The units a supervisor of the region may consider for a notice or talk: a satisfaction rate under the
    threshold, or at least the threshold's number of missed deadlines in the period. Worst satisfaction first."""
    region = check_region_code("regionCode", region_code)
    _period(first, last)
    if not may_supervise(principal, region):
        raise Forbidden(Code.NOT_AUTHORISED, "只有本地区的督办人员可以查看通报约谈对象")
    # Two reads for every unit at once: the figures of each unit's appeals, and the misses detected in the period.
    figures = {code: (name, values) for code, name, values in await stats_by_department(region, first, last)}
    start, end = day_bounds_utc(first, last)
    misses = Counter(await DeadlineMiss.filter(within(region), department_code__isnull=False, detected_at__gte=start,
                                               detected_at__lt=end).values_list("department_code", flat=True))
    unnamed = [code for code in misses if code not in figures]
    names = {code: name for code, (name, _) in figures.items()}
    names |= dict(await Department.filter(code__in=unnamed).values_list("code", "name")) if unnamed else {}
    found = []
    for code in sorted(set(figures) | set(misses)):
        values = figures[code][1] if code in figures else {"received": 0, "satisfaction_rate": None}
        shown = Evidence(values["received"], values["satisfaction_rate"], misses[code])
        low = shown.satisfaction_rate is not None and shown.satisfaction_rate < thresholds.satisfaction_below
        repeated = shown.missed_deadlines >= thresholds.misses_at_least
        if low or repeated:
            found.append(Candidate(code, names.get(code, code), shown, low, repeated))
    return sorted(found, key=lambda c: (c.evidence.satisfaction_rate if c.evidence.satisfaction_rate is not None
                                        else 2.0, -c.evidence.missed_deadlines, c.department_code))


async def issue(principal: Principal, actor: Actor, calendar: WorkCalendar, *, kind: NoticeKind, region_code: str,
                department_code: str, first: date, last: date, reason: str, report_days: int,
                idempotency_key: str, now: datetime | None = None) -> UnitNotice:
    """A supervisor of the region issues a notice (通报) or calls a talk (约谈) with a unit, with the reason and the
    unit's figures of the period; the rectification report is due by the end of the Nth working day after today.
    The unit's staff and the supervisors of the region are alerted."""
    problems: list[InvalidField] = []
    region = collect(problems, check_region_code, "regionCode", region_code)
    text = collect(problems, written, reason, "reason", "通报约谈事由", 5, 2000)
    key = collect(problems, check_key, idempotency_key)
    department = await Department.get_or_none(code=department_code) if isinstance(department_code, str) \
        and 0 < len(department_code) <= 20 else None
    if department is None:
        problems.append(InvalidField("departmentCode", Code.UNKNOWN_DEPARTMENT, "请选择被通报约谈的单位"))
    if isinstance(report_days, bool) or not 1 <= report_days <= MAX_REPORT_DAYS:
        problems.append(InvalidField("reportDays", Code.OUT_OF_RANGE, f"整改报告时限须为1到{MAX_REPORT_DAYS}个工作日"))
    try:
        _period(first, last)
    except FormProblems as period:
        problems += period.problems
    except InvalidField as problem:
        problems.append(problem)
    if problems:
        raise FormProblems(problems)
    if not may_supervise(principal, region):
        raise Forbidden(Code.NOT_AUTHORISED, "只有本地区的督办人员可以通报或约谈")
    digest = request_hash({"kind": kind.value, "region": region, "department": department.code, "reason": text,
                           "from": first.isoformat(), "to": last.isoformat(), "days": report_days})
    existing = await UnitNotice.get_or_none(issued_by_id=principal.account_id, idempotency_key=key)
    if existing is not None:
        if existing.request_hash != digest:
            raise Conflicting(Code.IDEMPOTENCY_KEY_REUSED, "该请求标识已用于另一条不同的通报约谈")
        return existing
    figures = await evidence(region, department.code, first, last)
    now = now or datetime.now(timezone.utc)
    due, provisional = calendar.deadline(now.astimezone(SHANGHAI).date(), report_days)
    try:
        async with in_transaction():
            notice = await UnitNotice.create(
                kind=kind, department_code=department.code, region_code=region, reason=text, period_from=first,
                period_to=last, received=figures.received, satisfaction_rate=figures.satisfaction_rate,
                missed_deadlines=figures.missed_deadlines, issued_by_id=principal.account_id, issued_at=now,
                report_days=report_days, report_by=utc(due), provisional=provisional, idempotency_key=key,
                request_hash=digest)
            await record(f"notice.{kind.value.lower()}", actor, target=f"unit_notice:{notice.id}",
                         detail={"department": department.code})
            alert = Alert("UNIT_NOTICE", f"unit_notice:{notice.id}", department.code, region,
                          {"noticeKind": kind.value, "reason": text[:200], "dueAt": utc(due).isoformat()})
            published = [await events.append_next(stream, "notice.issued", alert)
                         for stream in alert_streams(department.code, region)]
    except IntegrityError:
        existing = await UnitNotice.get_or_none(issued_by_id=principal.account_id, idempotency_key=key)
        if existing is None or existing.request_hash != digest:
            raise
        return existing
    await events.publish(published)
    return notice


async def submit_report(principal: Principal, actor: Actor, notice_id: int, report: str) -> UnitNotice:
    """The unit's handler submits the rectification report (整改报告); the supervisors of the region are told."""
    notice = await UnitNotice.get_or_none(id=notice_id)
    if notice is None or not may_handle_department(principal, notice.department_code):
        raise Missing(Code.NOT_FOUND, "未找到该通报约谈")
    text = written(report, "report", "整改报告", 10, 10000)
    if notice.reported_at is not None:
        raise Conflicting(OversightCode.REPORT_SUBMITTED, "整改报告已提交")
    async with in_transaction():
        changed = await UnitNotice.filter(id=notice.id, version=notice.version).update(
            version=notice.version + 1, report=text, reported_at=datetime.now(timezone.utc),
            reported_by_id=principal.account_id)
        if not changed:
            raise Conflicting(Code.STALE_VERSION, "该通报约谈刚被他人处理，请刷新后重试")
        await record("notice.reported", actor, target=f"unit_notice:{notice.id}")
        alert = Alert("RECTIFICATION_REPORTED", f"unit_notice:{notice.id}", notice.department_code,
                      notice.region_code, {"noticeKind": notice.kind.value})
        published = [await events.append_next(region_stream(code), "notice.reported", alert)
                     for code in covering(notice.region_code)]
    await events.publish(published)
    return await UnitNotice.get(id=notice.id)


def notices_for(principal: Principal, region_code: str | None) -> QuerySet[UnitNotice]:
    """The notices a staff member sees, newest first: a unit's handler those of their unit, a supervisor those of
    their region (``region_code``, default their own) and the regions within it."""
    if has_role(principal, Role.DEPARTMENT_HANDLER) and principal.department_code:
        return UnitNotice.filter(department_code=principal.department_code).order_by("-issued_at", "-id")
    region = check_region_code("regionCode", region_code or principal.region_code)
    if not may_supervise(principal, region):
        raise Forbidden(Code.NOT_AUTHORISED, "只有督办人员和被通报约谈的单位可以查看通报约谈")
    return UnitNotice.filter(within(region)).order_by("-issued_at", "-id")
