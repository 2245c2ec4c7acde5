"""The demo's year of enterprise appeals (portal/demo/appeals.py): graded appeals of the last 12 months, through every
channel, routed and handled by the rules, counted in the months they happened; an executive meeting that decided a
topic with the demo enterprise invited; a 通报 of the gas company. Seeded once."""

from __future__ import annotations

from datetime import date, datetime, timezone

from portal.appeals import rules
from portal.appeals.models import Appeal, AppealChannel, AppealStatus, AppealUrgency
from portal.catalog.seed import seed_catalog
from portal.catalog.source import read_catalog
from portal.demo import seed_demo_accounts
from portal.demo.appeals import ENTERPRISES, NOTICED_UNIT, demo_year, seed_demo_appeals
from portal.halls.seed import seed_halls
from portal.identity.passwords import Passwords
from portal.oversight.models import MeetingInvitation, MeetingTopic, UnitNotice
from portal.workdays import SHANGHAI


async def test_the_demo_year_is_seeded_once_and_counted_month_by_month(empty_database: str) -> None:
    await seed_catalog(read_catalog())
    await seed_halls()
    await seed_demo_accounts(Passwords("test"))
    assert await seed_demo_appeals() == len(demo_year()) == 28
    assert await seed_demo_appeals() == 0
    assert await Appeal.all().count() == 28

    today = datetime.now(timezone.utc).astimezone(SHANGHAI).date()
    back = today.year * 12 + today.month - 1 - 11  # the first day of the month 11 months back
    first = date(back // 12, back % 12 + 1, 1)
    months = await rules.monthly_stats("370000", first, today)
    assert len(months) == 12 and all(figures["received"] >= 2 for _, _, figures in months)
    mailbox = await rules.monthly_stats("370000", first, today, grade=rules.Grade(channel="MAILBOX"))
    assert sum(figures["received"] for _, _, figures in mailbox) == 9
    year = await rules.stats("370100", first, today)
    assert year["received"] == 28 and year["resolved_at_first_contact"] == 5
    assert 0 < year["satisfaction_rate"] < 1 and 0 < year["resolve_on_time_rate"] < 1
    assert await Appeal.filter(urgency=AppealUrgency.URGENT).count() == 5
    assert await Appeal.filter(channel=AppealChannel.HOTLINE, answered_on_the_spot=True).count() == 5
    # Every routed one went through the unit's steps; none waits for the seat.
    assert not await Appeal.filter(status__in=[AppealStatus.RECEIVED, AppealStatus.RETURNED]).exists()
    assert not await Appeal.filter(department_code__not_isnull=True, contacted_at__isnull=True).exists()

    topic = await MeetingTopic.get()
    assert topic.decided_at is not None and topic.responsible_department_code == "370100-ZRZYJ"
    invited = await MeetingInvitation.filter(meeting_id=topic.meeting_id).values_list("credit_code", flat=True)
    assert ENTERPRISES[0] in invited
    notice = await UnitNotice.get()
    assert notice.department_code == NOTICED_UNIT and notice.received > 0 and notice.satisfaction_rate < 1
