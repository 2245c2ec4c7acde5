"""分级分类: each grade's clock as data (tighter for urgent grades and consultations, over holidays), worklists by
grade then age, the governor's mailbox online, 96178 answers on the spot, and the figures by grade, channel and
month."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

from portal.appeals import clocks, rules
from portal.appeals.models import Appeal, AppealChannel, AppealKind, AppealStatus, AppealUrgency
from portal.audit.rules import Actor
from portal.events import Event
from portal.identity.models import Account, AccountKind, Role
from portal.identity.principal import Principal
from portal.sources import SourceError
from portal.workdays import SHANGHAI, WorkCalendar
from tests.applications.support import handler
from tests.appeals.test_appeals import ASSIGN, CONTENT, FIELDS, HOTLINE, SUBMIT, coordinator, file, step
from tests.identity.test_accounts import register
from tests.identity.test_delegation import GRANT_AGENT, enterprise

ANSWER = (f"mutation($id: ID!, $a: String!, $ok: Boolean) {{ answerOnTheSpot(id: $id, answer: $a, "
          f"callerConsents: $ok) {{ {FIELDS} ... on Appeal {{ kind answeredOnTheSpot gradeName }} }} }}")
ROUTE_LIST = "{ appealsToRoute(first: 20) { edges { node { id urgency } } } }"
UNIT_LIST = "{ departmentAppeals(first: 20) { edges { node { id urgency sla { clockName resolveBy } } } } }"
BREAKDOWN = ("query($by: AppealBreakdown!, $f: Date!, $t: Date!) { appealStatsBreakdown(regionCode: \"370000\", "
             "from: $f, to: $t, by: $by) { value name stats { received resolvedAtFirstContact firstContactRate } } }")
MONTHLY = ("query($f: Date!, $t: Date!, $c: AppealChannel) { appealStatsMonthly(regionCode: \"370000\", from: $f, "
           "to: $t, channel: $c) { month firstDay lastDay stats { received complaintsPer10k } } }")
PLAN = ("query($at: DateTime!, $u: AppealUrgency!, $k: AppealKind!) { slaPlan(receivedAt: $at, urgency: $u, "
        "kind: $k) { contactBy opinionBy resolveBy clockName provisional } }")
TODAY = datetime.now(SHANGHAI).date()
# Wednesday 30 September 2026, 22:00 in Jinan: the eve of the National Day holiday (1–7 October; Saturday 10
# October is a make-up working day).
HOLIDAY_EVE = datetime(2026, 9, 30, 22, 0, tzinfo=SHANGHAI)
ACTOR = Actor(None, "test")


def test_the_shipped_clocks_tighten_2115_for_urgent_grades_and_consultations() -> None:
    table = clocks.shipped()
    general = table.of(AppealUrgency.GENERAL, AppealKind.COMPLAINT)
    assert (general.contact_within, general.opinion_days, general.resolve_days) == (timedelta(hours=2), 1, 15)
    urgent = table.of(AppealUrgency.URGENT, AppealKind.REPORT)  # no entry of its own: the urgency's
    assert (urgent.name, urgent.contact_within, urgent.resolve_days) == ("特急", timedelta(minutes=30), 5)
    assert table.of(AppealUrgency.URGENT, AppealKind.CONSULTATION).resolve_days == 2
    assert table.of(AppealUrgency.GENERAL, AppealKind.CONSULTATION).resolve_days == 5


def test_a_clock_file_is_refused_entry_by_entry() -> None:
    entries = [
        {"urgency": "GENERAL", "name": "一般", "contactMinutes": 180, "opinionDays": 1, "resolveDays": 15},
        {"urgency": "URGENT", "kind": "REPORT", "name": "特急举报", "contactMinutes": 30, "opinionDays": 1,
         "resolveDays": 20},
        {"urgency": "URGENT", "kind": "REPORT", "name": "重复", "contactMinutes": 30, "opinionDays": 1,
         "resolveDays": 5},
    ]
    with pytest.raises(SourceError) as refused:
        clocks.parse_clocks(entries)
    text = "\n".join(refused.value.problems)
    assert "[0]: contactMinutes: Input should be less than or equal to 120" in text  # looser than 2115's 2 hours
    assert "[1]: resolveDays: Input should be less than or equal to 15" in text
    with pytest.raises(SourceError) as refused:
        good = dict(entries[0], contactMinutes=120)
        clocks.parse_clocks([good, entries[2], good])
    text = "\n".join(refused.value.problems)
    assert "duplicate urgency/kind GENERAL/*" in text
    assert "no entry for the whole of urgency URGENT" in text and "IMPORTANT" in text


def test_an_urgent_clock_over_the_national_day_holiday() -> None:
    calendar = WorkCalendar()
    urgent = clocks.shipped().of(AppealUrgency.URGENT, AppealKind.COMPLAINT).plan(calendar, HOLIDAY_EVE)
    assert urgent.contact_by == datetime(2026, 9, 30, 22, 30, tzinfo=SHANGHAI)
    assert urgent.opinion_by == datetime(2026, 10, 8, 23, 59, 59, tzinfo=SHANGHAI)
    # 8, 9, 10 (the make-up Saturday), 12 and 13 October: the holiday week does not count.
    assert urgent.resolve_by == datetime(2026, 10, 13, 23, 59, 59, tzinfo=SHANGHAI)
    general = clocks.shipped().of(AppealUrgency.GENERAL, AppealKind.COMPLAINT).plan(calendar, HOLIDAY_EVE)
    assert general.contact_by == datetime(2026, 10, 1, 0, 0, tzinfo=SHANGHAI)
    assert general.resolve_by == datetime(2026, 10, 27, 23, 59, 59, tzinfo=SHANGHAI)


async def test_sla_plan_gives_each_grade_its_clock(gql: Any) -> None:
    at = HOLIDAY_EVE.isoformat()
    general = (await gql(PLAN, {"at": at, "u": "GENERAL", "k": "COMPLAINT"}))["data"]["slaPlan"]
    urgent = (await gql(PLAN, {"at": at, "u": "URGENT", "k": "CONSULTATION"}))["data"]["slaPlan"]
    assert general["clockName"] == "一般（2115）" and general["resolveBy"].startswith("2026-10-27T23:59:59")
    assert urgent["clockName"] == "特急咨询" and urgent["contactBy"].startswith("2026-09-30T22:30")
    assert urgent["resolveBy"].startswith("2026-10-09T23:59:59")  # two working days: 8 and 9 October
    # The old shape (no grade) is still 2115.
    plain = await gql("query($at: DateTime!) { slaPlan(receivedAt: $at) { resolveBy clockName } }", {"at": at})
    assert plain["data"]["slaPlan"] == {"resolveBy": general["resolveBy"], "clockName": "一般（2115）"}


def staff(role: Role, kind: AccountKind = AccountKind.STAFF, account_id: int = 0) -> Principal:
    return Principal(account_id=account_id, kind=kind, name="测试", role=role, department_code=None,
                     region_code="370000", session_id=0, expires_at=datetime.now(timezone.utc))


async def test_routing_fixes_the_grades_clock_and_a_reopen_restarts_it(gql: Any) -> None:
    company = await enterprise(gql)
    filed = await file(gql, company["token"], urgency="URGENT")
    routed = await rules.assign(staff(Role.APPEALS_COORDINATOR), ACTOR, WorkCalendar(), int(filed["id"]),
                                "370100-SCJGJ", now=HOLIDAY_EVE)
    assert (routed.clock_name, routed.contact_by, routed.resolve_by) == (
        "特急", datetime(2026, 9, 30, 14, 30, tzinfo=timezone.utc), datetime(2026, 10, 13, 15, 59, 59,
                                                                             tzinfo=timezone.utc))
    await Appeal.filter(id=routed.id).update(status=AppealStatus.RESOLVED)
    owner = staff(None, AccountKind.ENTERPRISE, int(company["account"]["id"]))
    reopened = await rules.confirm(owner, ACTOR, WorkCalendar(), routed.id, satisfied=False, rating=2,
                                   comment="仍未解决", now=HOLIDAY_EVE)
    assert reopened.resolve_by == datetime(2026, 10, 13, 15, 59, 59, tzinfo=timezone.utc)  # five, not fifteen


async def test_worklists_put_the_urgent_grade_first_then_the_oldest(gql: Any) -> None:
    company = await enterprise(gql)
    older, old = await file(gql, company["token"]), await file(gql, company["token"], urgency="IMPORTANT")
    general = await file(gql, company["token"])
    urgent = await file(gql, company["token"], urgency="URGENT")
    seat = await coordinator()
    ours = {a["id"] for a in (older, old, general, urgent)}  # other tests' appeals share the database
    listed = (await gql(ROUTE_LIST, token=seat))["data"]["appealsToRoute"]["edges"]
    assert [e["node"]["id"] for e in listed if e["node"]["id"] in ours] == [urgent["id"], old["id"], older["id"],
                                                                            general["id"]]
    for appeal in (older, general, urgent):  # to a unit no other test fills, so that all three are on one page
        await step(gql, ASSIGN, seat, id=appeal["id"], d="370100-TYJRJ")
    unit = await handler("370100-TYJRJ")
    mine = [e for e in (await gql(UNIT_LIST, token=unit))["data"]["departmentAppeals"]["edges"]
            if e["node"]["id"] in ours]
    assert [e["node"]["id"] for e in mine] == [urgent["id"], older["id"], general["id"]]
    assert [e["node"]["sla"]["clockName"] for e in mine] == ["特急", "一般（2115）", "一般（2115）"]


async def test_an_urgent_appeal_alerts_on_receipt(gql: Any) -> None:
    company = await enterprise(gql)
    general = await file(gql, company["token"])
    urgent = await file(gql, company["token"], urgency="URGENT")
    alerts = await Event.filter(kind="URGENT_RECEIVED").values_list("stream", "payload")
    assert not [stream for stream, payload in alerts if payload["target"] == f"appeal:{general['id']}"]
    # The province's seat and supervisors, and the city's.
    assert sorted(stream for stream, payload in alerts if payload["target"] == f"appeal:{urgent['id']}") == [
        "alerts:region:370000", "alerts:region:370100"]


async def channels(gql: Any) -> dict[str, tuple[str, int]]:
    groups = (await gql(BREAKDOWN, {"by": "CHANNEL", "f": str(TODAY), "t": str(TODAY)}))["data"]
    return {g["value"]: (g["name"], g["stats"]["received"]) for g in groups["appealStatsBreakdown"]}


async def test_the_governors_mailbox_online_for_the_enterprise_and_its_agent(gql: Any) -> None:
    before = await channels(gql)
    company = await enterprise(gql)
    letter = await file(gql, company["token"], channel="MAILBOX", kind="SUGGESTION")
    assert (letter["channel"], letter["status"]) == ("MAILBOX", "RECEIVED")
    employee = await register(gql)
    await gql(GRANT_AGENT, {"idNumber": employee["idNumber"]}, token=company["token"])
    credit_code = (await Account.get(id=int(company["account"]["id"]))).credit_code
    by_agent = await file(gql, employee["token"], channel="MAILBOX", creditCode=credit_code)
    assert by_agent["channel"] == "MAILBOX"
    refused = await step(gql, SUBMIT, company["token"], input={"title": "新能源汽车购置补贴迟迟未兑现",
                                                               "content": CONTENT, "category": "POLICY",
                                                               "channel": "VISIT", "idempotencyKey": "v"})
    assert refused["errors"] == [{"field": "channel", "code": "BAD_CHANNEL"}]
    # Its own public figures: the mailbox counted apart from the online zone.
    after = await channels(gql)
    assert {value: (name, count - before[value][1]) for value, (name, count) in after.items()} == {
        "ONLINE": ("诉求专区", 0), "MAILBOX": ("省长信箱", 2), "HOTLINE": ("96178热线", 0), "VISIT": ("走访", 0)}


async def hotline(gql: Any, seat: str, kind: str = "CONSULTATION") -> dict[str, Any]:
    company = await enterprise(gql)
    credit_code = (await Account.get(id=int(company["account"]["id"]))).credit_code
    return await step(gql, HOTLINE, seat, input={
        "creditCode": credit_code, "title": "高新技术企业认定申报时间咨询", "kind": kind, "channel": "HOTLINE",
        "content": "来电咨询今年高新技术企业认定的申报时间和需要准备的材料。", "category": "POLICY",
        "idempotencyKey": str(uuid.uuid4())})


async def consultations(gql: Any) -> dict[str, Any]:
    groups = (await gql(BREAKDOWN, {"by": "KIND", "f": str(TODAY), "t": str(TODAY)}))["data"]["appealStatsBreakdown"]
    found = next(g for g in groups if g["value"] == "CONSULTATION")
    assert found["name"] == "咨询"
    return found["stats"]


async def test_the_96178_seat_answers_a_consultation_on_the_spot(gql: Any) -> None:
    before = await consultations(gql)
    seat = await coordinator()
    call = await hotline(gql, seat)
    refused = await step(gql, ANSWER, seat, id=call["id"], a="好", ok=False)
    assert refused["errors"] == [{"field": "answer", "code": "TOO_SHORT"}, {"field": "callerConsents",
                                                                            "code": "CONSENT_REQUIRED"}]
    answer = "今年申报时间为5月至6月，材料清单见省科技厅网站“高企认定”专栏。"
    closed = await step(gql, ANSWER, seat, id=call["id"], a=answer)
    assert (closed["status"], closed["answeredOnTheSpot"], closed["gradeName"]) == ("CLOSED", True, "一般·咨询")
    assert [s["action"] for s in closed["steps"]] == ["received", "answered_on_the_spot"]
    again = await step(gql, ANSWER, seat, id=call["id"], a=answer)
    assert again["code"] == "INVALID_TRANSITION"
    after = await consultations(gql)
    assert (after["received"] - before["received"], after["resolvedAtFirstContact"] - before[
        "resolvedAtFirstContact"]) == (1, 1)
    assert after["firstContactRate"] == round(after["resolvedAtFirstContact"] / after["received"], 4)


async def test_only_a_consultation_by_phone_is_answered_on_the_spot_and_only_by_the_seat(gql: Any) -> None:
    seat = await coordinator()
    complaint = await hotline(gql, seat, kind="COMPLAINT")
    answer = "请按政策文件办理，具体见省发改委网站。"
    assert (await step(gql, ANSWER, seat, id=complaint["id"], a=answer))["code"] == "NOT_A_CONSULTATION"
    company = await enterprise(gql)
    online = await file(gql, company["token"], kind="CONSULTATION")
    assert (await step(gql, ANSWER, seat, id=online["id"], a=answer))["code"] == "NOT_BY_PHONE"
    assert (await step(gql, ANSWER, company["token"], id=online["id"], a=answer))["code"] == "NOT_FOUND"


async def test_figures_by_urgency_and_by_month(empty_database: str) -> None:
    from portal.catalog.seed import seed_catalog
    from portal.catalog.source import read_catalog
    from tests.appeals.test_sweep_and_figures import appeal

    await seed_catalog(read_catalog())
    # Months are Jinan's: 23:30 on 30 September is September (15:30 UTC), 00:30 on 1 October is October (16:30
    # UTC the day before).
    await appeal(status=AppealStatus.RECEIVED, created=datetime(2026, 9, 30, 23, 30, tzinfo=SHANGHAI),
                 urgency=AppealUrgency.URGENT)
    await appeal(status=AppealStatus.RECEIVED, created=datetime(2026, 10, 1, 0, 30, tzinfo=SHANGHAI))
    await appeal(status=AppealStatus.CLOSED, created=datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI),
                 channel=AppealChannel.MAILBOX, kind=AppealKind.CONSULTATION, answered_on_the_spot=True)
    series = await rules.monthly_stats("370000", date(2026, 9, 15), date(2026, 11, 3))
    assert [(start, end, figures["received"]) for start, end, figures in series] == [
        (date(2026, 9, 1), date(2026, 9, 30), 1), (date(2026, 10, 1), date(2026, 10, 31), 1),
        (date(2026, 11, 1), date(2026, 11, 30), 1)]
    mailbox = await rules.monthly_stats("370000", date(2026, 9, 1), date(2026, 11, 30),
                                        grade=rules.Grade(channel=AppealChannel.MAILBOX))
    assert [figures["received"] for _, _, figures in mailbox] == [0, 0, 1]
    assert mailbox[2][2]["complaints_per_10k"] is None  # per 10,000 entities only for all channels together
    by_urgency = await rules.stats_breakdown("370000", date(2026, 9, 1), date(2026, 11, 30), "urgency")
    assert [(value, name, figures["received"]) for value, name, figures in by_urgency] == [
        ("URGENT", "特急", 1), ("IMPORTANT", "紧急", 0), ("GENERAL", "一般", 2)]


async def test_the_monthly_series_over_graphql(gql: Any) -> None:
    first = TODAY.replace(day=1) - timedelta(days=40)

    async def series() -> list[dict[str, Any]]:
        return (await gql(MONTHLY, {"f": str(first), "t": str(TODAY), "c": "MAILBOX"}))["data"]["appealStatsMonthly"]

    before = await series()
    company = await enterprise(gql)
    await file(gql, company["token"], channel="MAILBOX")
    after = await series()
    assert [s["month"] for s in after][-1] == f"{TODAY:%Y-%m}" and len(after) in (2, 3)
    assert [a["stats"]["received"] - b["stats"]["received"] for a, b in zip(after, before)] == [0] * (len(after) - 1
                                                                                                    ) + [1]
    assert after[0]["firstDay"].endswith("-01")
    too_long = await gql(MONTHLY, {"f": str(TODAY - timedelta(days=800)), "t": str(TODAY)})
    assert too_long["errors"][0]["extensions"]["field"] == "to"
