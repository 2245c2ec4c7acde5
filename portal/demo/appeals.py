"""The demo's year of enterprise appeals (企业诉求): graded appeals of Jinan's demo enterprises over the last 12 months,
online, by the governor's mailbox (省长信箱), by the 96178 hotline (consultations answered on the spot) and at company
visits, routed to units that contacted, answered and resolved them (a few late, one the enterprise was not satisfied
with), so that the public figures page (公开数据) and the supervisor's figures show a monthly series; an executive
meeting (常务会议) that decided a topic with the demo enterprise invited; a 通报 of the gas company.

Every appeal lives its life through the appeals rules (submitted or recorded, routed, contacted, answered, resolved,
confirmed); then, since the rules stamp the present, its moments are moved back to the day it happened in the demo
year (``_as_of``): the routing's clock is the rules' own for that day (``assign(now=...)``). Idempotent: done once,
by the first appeal's idempotency key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from portal.appeals import rules
from portal.appeals.models import Appeal, AppealCategory, AppealChannel, AppealKind, AppealStep, AppealUrgency
from portal.audit.rules import Actor
from portal.calendar_store import load_calendar
from portal.demo.surveys import principal_of
from portal.identity.models import Account, AccountKind, Role
from portal.identity.principal import Principal
from portal.oversight import meetings, notices
from portal.oversight.models import MeetingTopic, NoticeKind
from portal.workdays import SHANGHAI, WorkCalendar

SEAT = "seat-96178"
SUPERVISOR = "supervisor-jinan"
ENTERPRISES = ("91370102MA3C5QX1XY", "91370102MA000100XT", "91370103MA00010264", "91370112MA0001042T",
               "91370102MA00010693", "91370112MA00010858")
KEY = "demo-appeal-{n}"
NOTICED_UNIT = "370100-GHRQ"  # 济南港华燃气: the late ones are its
OPINION = "已与企业电话沟通，了解具体情况，明确办理路径和完成时限，正在协调推进。"
SUMMARY = "问题已按企业诉求协调解决，办理结果已书面告知企业。"
ANSWER = "已在电话中说明政策口径、办理渠道和所需材料，企业表示清楚，同意办结。"


@dataclass(frozen=True)
class Theme:
    category: AppealCategory
    unit: str
    title: str
    content: str


THEMES = (
    Theme(AppealCategory.ENERGY, NOTICED_UNIT, "新开门店燃气报装周期过长",
          "我公司新开门店已申请燃气报装一个多月，现场勘查后一直没有安排施工，门店无法按期开业，请协调加快。"),
    Theme(AppealCategory.APPROVAL, "370100-XZSPJ", "食品经营许可证延续办理",
          "我公司食品经营许可证下月到期，想了解延续申请能否全程网办、需要准备哪些材料、多长时间办结。"),
    Theme(AppealCategory.TAX, "370100-SWJ", "研发费用加计扣除政策兑现",
          "我公司去年研发投入较大，申报加计扣除时对费用归集口径有疑问，希望税务部门给予辅导。"),
    Theme(AppealCategory.ENERGY, "370100-SWJT", "厂区供水管网改造报装进度缓慢",
          "厂区扩建后需要增容改造供水管网，报装申请提交后进度缓慢，影响新车间投产，请协调水务部门。"),
    Theme(AppealCategory.LABOUR, "370100-RSJ", "稳岗返还资金尚未到账",
          "我公司符合稳岗返还条件，公示结束已两个月，资金仍未到账，请人社部门核查原因。"),
    Theme(AppealCategory.POLICY, "370100-XZSPJ", "建议推行经营许可一证多址",
          "连锁门店每开一家都要单独办理许可，建议对同一主体的多个经营场所推行一证多址，减少重复提交材料。"),
    Theme(AppealCategory.ENERGY, "370100-NYJT", "冬季供暖温度不达标影响生产",
          "入冬以来厂区办公楼和车间供暖温度长期低于标准，多次报修未解决，影响员工正常工作，请督促处理。"),
    Theme(AppealCategory.LAND, "370100-ZRZYJ", "厂房扩建规划许可办理进度",
          "我公司厂房扩建项目规划许可申请已提交，涉及用地调整，想了解目前进度和还需补充的材料。"),
)


@dataclass(frozen=True)
class DemoAppeal:
    """One appeal of the demo year: when (months back, and the day of that month, or days ago in this month), from
    which demo enterprise, through which channel, of which grade, and how it went."""

    months_back: int
    day: int
    enterprise: int
    channel: AppealChannel
    kind: AppealKind
    urgency: AppealUrgency
    theme: Theme
    outcome: str  # satisfied | late | unsatisfied | open | spot (answered on the spot) | topic (to the meeting)


# (channel, kind, urgency, outcome) by turn; a HOTLINE consultation is answered on the spot.
PATTERNS = (
    (AppealChannel.ONLINE, AppealKind.COMPLAINT, AppealUrgency.GENERAL, "satisfied"),
    (AppealChannel.MAILBOX, AppealKind.COMPLAINT, AppealUrgency.URGENT, "satisfied"),
    (AppealChannel.HOTLINE, AppealKind.CONSULTATION, AppealUrgency.GENERAL, "spot"),
    (AppealChannel.MAILBOX, AppealKind.SUGGESTION, AppealUrgency.GENERAL, "satisfied"),
    (AppealChannel.HOTLINE, AppealKind.COMPLAINT, AppealUrgency.IMPORTANT, "late"),
    (AppealChannel.ONLINE, AppealKind.REPORT, AppealUrgency.GENERAL, "unsatisfied"),
    (AppealChannel.VISIT, AppealKind.COMPLAINT, AppealUrgency.IMPORTANT, "satisfied"),
)


def demo_year() -> list[DemoAppeal]:
    """Two or three appeals in each of the last 11 months, and this month's: one answered on the spot, one being
    handled, one listed for the executive meeting."""
    year: list[DemoAppeal] = []
    for back in range(11, 0, -1):
        for turn in range(3 if back % 3 == 0 else 2):
            n = len(year)
            channel, kind, urgency, outcome = PATTERNS[n % len(PATTERNS)]
            theme = THEMES[n % len(THEMES)]
            if outcome in ("late", "unsatisfied"):
                theme = THEMES[0]  # the gas company's: the 通报 below has grounds
            if outcome == "late" and back < 2:  # late means resolved weeks after its deadline: long enough ago
                outcome = "satisfied"
            year.append(DemoAppeal(back, 3 + 9 * turn, n % len(ENTERPRISES), channel, kind, urgency, theme,
                                   outcome))
    year += [DemoAppeal(0, 10, 3, AppealChannel.ONLINE, AppealKind.COMPLAINT, AppealUrgency.GENERAL, THEMES[7], "topic"),
             DemoAppeal(0, 1, 0, AppealChannel.MAILBOX, AppealKind.COMPLAINT, AppealUrgency.URGENT, THEMES[6], "open"),
             DemoAppeal(0, 0, 4, AppealChannel.HOTLINE, AppealKind.CONSULTATION, AppealUrgency.IMPORTANT, THEMES[2],
                        "spot")]
    return year


def received_on(entry: DemoAppeal, now: datetime) -> datetime:
    """When the unit received it: 09:30 of a working weekday of the month `months_back` ago, or `day` days ago
    (this month's, three hours back at least, so that its steps are in the past)."""
    if entry.months_back == 0:
        return now - timedelta(days=entry.day, hours=3)
    today = now.astimezone(SHANGHAI).date()
    index = today.year * 12 + today.month - 1 - entry.months_back
    day = date(index // 12, index % 12 + 1, entry.day)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(9, 30), SHANGHAI).astimezone(timezone.utc)


@dataclass
class People:
    seat: Principal
    supervisor: Principal
    enterprises: list[Principal]
    units: dict[str, Principal]


def actor_of(principal: Principal) -> Actor:
    return Actor(principal.account_id, principal.label)


async def people() -> People:
    staff = {a.username: a for a in await Account.filter(username__in=[SEAT, SUPERVISOR])}
    enterprises = {a.credit_code: a for a in await Account.filter(kind=AccountKind.ENTERPRISE,
                                                                   credit_code__in=ENTERPRISES)}
    handlers = await Account.filter(role=Role.DEPARTMENT_HANDLER,
                                    department_code__in=sorted({theme.unit for theme in THEMES}))
    return People(principal_of(staff[SEAT]), principal_of(staff[SUPERVISOR]),
                  [principal_of(enterprises[code]) for code in ENTERPRISES],
                  {a.department_code: principal_of(a) for a in handlers})


async def _live(entry: DemoAppeal, n: int, who: People, calendar: WorkCalendar, at: datetime) -> list[datetime]:
    """The appeal's life through the rules; the moment of each of its steps in the demo year, in order."""
    enterprise, theme = who.enterprises[entry.enterprise], entry.theme
    grade = dict(title=theme.title, content=theme.content, category=theme.category, urgency=entry.urgency,
                 kind=entry.kind, channel=entry.channel, idempotency_key=KEY.format(n=n))
    if entry.channel in (AppealChannel.ONLINE, AppealChannel.MAILBOX):
        appeal = await rules.submit(enterprise, actor_of(enterprise), **grade)
    else:
        appeal = await rules.record_for_enterprise(who.seat, actor_of(who.seat), credit_code=ENTERPRISES[entry.enterprise],
                                                   enterprise_name=None, **grade)
    if entry.outcome == "spot":
        await rules.answer_on_the_spot(who.seat, actor_of(who.seat), appeal.id, ANSWER, caller_consents=True)
        return [at - timedelta(minutes=6), at]
    unit = who.units[theme.unit]
    await rules.assign(who.seat, actor_of(who.seat), calendar, appeal.id, theme.unit, now=at)
    late = entry.outcome == "late"
    moments = [at - timedelta(minutes=40), at, at + timedelta(hours=3 if late else 0, minutes=20)]
    await rules.record_contact(unit, actor_of(unit), appeal.id)
    await rules.give_opinion(unit, actor_of(unit), appeal.id, OPINION)
    moments.append(at + (timedelta(days=2) if late else timedelta(hours=3)))
    if entry.outcome in ("open", "topic"):
        return moments
    await rules.resolve(unit, actor_of(unit), appeal.id, SUMMARY)
    resolved = at + timedelta(days=40 if late else 1)
    confirmed = resolved + timedelta(days=1)
    moments += [resolved, confirmed]
    satisfied = entry.outcome != "unsatisfied"
    await rules.confirm(enterprise, actor_of(enterprise), calendar, appeal.id, satisfied=satisfied,
                        rating=(3 if late else 5) if satisfied else 2,
                        comment=None if satisfied else "燃气仍未通上，只是答复了排期。", now=confirmed)
    if not satisfied:  # reopened to the unit, which resolves it again; the enterprise has not confirmed yet
        await rules.resolve(unit, actor_of(unit), appeal.id, SUMMARY)
        moments.append(confirmed + timedelta(days=3))
    return moments


async def _as_of(appeal_id: int, moments: list[datetime]) -> None:
    """Move the appeal's steps (in order) and its own times to the moments they happened in the demo year."""
    steps = await AppealStep.filter(appeal_id=appeal_id).order_by("id")
    times: dict[str, datetime] = {"created_at": moments[0]}
    column = {"contacted": "contacted_at", "opinion_given": "opinion_at", "resolved": "resolved_at",
              "confirmed": "confirmed_at", "reopened": "confirmed_at"}
    for step, moment in zip(steps, moments, strict=True):
        await AppealStep.filter(id=step.id).update(at=moment)
        if step.action == "answered_on_the_spot":
            times.update(contacted_at=moment, opinion_at=moment, resolved_at=moment)
        elif step.action in column:
            times[column[step.action]] = moment
    await Appeal.filter(id=appeal_id).update(**times)


async def _meeting(who: People, calendar: WorkCalendar, topic_appeal: int) -> None:
    """Jinan's executive meeting of last week: the land appeal listed, scheduled, decided; the demo enterprise and
    the topic's enterprise invited to attend (列席)."""
    supervisor, actor = who.supervisor, actor_of(who.supervisor)
    await rules.list_as_meeting_topic(supervisor, actor, topic_appeal, "涉及规划和用地调整，需市政府常务会议研究")
    held = datetime.now(timezone.utc) - timedelta(days=7)
    meeting = await meetings.create_meeting(supervisor, actor, title="济南市政府常务会议", session_number="第41次",
                                            held_on=held.astimezone(SHANGHAI).date(), region_code="370100",
                                            idempotency_key="demo-meeting")
    topic = await MeetingTopic.get(appeal_id=topic_appeal)
    await meetings.schedule_topic(supervisor, actor, topic.id, meeting.id)
    await meetings.invite(supervisor, actor, meeting.id, [ENTERPRISES[0]], topic_enterprises=True)
    await meetings.record_decision(supervisor, actor, calendar, topic.id, decision=(
        "由市自然资源和规划局牵头，会同市行政审批服务局在十五个工作日内完成规划调整论证并书面答复企业。"),
        department_code="370100-ZRZYJ", carry_out_days=15, now=held)


async def seed_demo_appeals() -> int:
    """The demo year of appeals, the meeting and the 通报; the number of appeals made now (0 when done before)."""
    if await Appeal.exists(idempotency_key=KEY.format(n=0)):
        return 0
    who, calendar = await people(), await load_calendar()
    now = datetime.now(timezone.utc)
    year = demo_year()
    topic_appeal = 0
    for n, entry in enumerate(year):
        at = received_on(entry, now)
        moments = await _live(entry, n, who, calendar, at)
        appeal = await Appeal.get(idempotency_key=KEY.format(n=n))
        await _as_of(appeal.id, moments)
        if entry.outcome == "topic":
            topic_appeal = appeal.id
    await _meeting(who, calendar, topic_appeal)
    today = now.astimezone(SHANGHAI).date()
    await notices.issue(who.supervisor, actor_of(who.supervisor), calendar, kind=NoticeKind.NOTICE,
                        region_code="370100", department_code=NOTICED_UNIT, first=today - timedelta(days=364),
                        last=today, reason="燃气报装诉求多次超过办结时限，企业不满意，予以通报，限期整改。",
                        report_days=10, idempotency_key="demo-notice")
    return len(year)
