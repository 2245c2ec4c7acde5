"""The figures the database aggregates are exactly the figures counted one appeal at a time in Python (the rule
as it was written first, kept here as the reference), on random appeals around the edges: Shanghai month
boundaries, steps done exactly at their deadline, deadlines just passed, unrouted and merged appeals."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone
from typing import Any

from portal.appeals import rules
from portal.appeals.models import Appeal, AppealChannel, AppealKind, AppealStatus, AppealUrgency
from portal.catalog.seed import seed_catalog
from portal.catalog.source import read_catalog
from portal.catalog.models import Region
from portal.regions import covers
from portal.workdays import SHANGHAI, day_bounds_utc
from tests.appeals.test_sweep_and_figures import appeal

COLUMNS = ("status", "department_code", "contacted_at", "contact_by", "opinion_at", "opinion_by", "resolved_at",
           "resolve_by", "satisfied", "urgency", "kind", "channel", "created_at", "answered_on_the_spot",
           "region_code")


def reference(rows: Sequence[dict[str, Any]], market_entities: int | None, now: datetime) -> dict[str, Any]:
    """The figures of a set of appeals, one appeal at a time."""
    def rate(part: int, whole: int) -> float | None:
        return round(part / whole, 4) if whole else None

    def step(done: str, due: str) -> float | None:
        known = [r for r in (rules.on_time(row[done], row[due], now) for row in rows) if r is not None]
        return rate(sum(known), len(known))

    received = len(rows)
    confirmed = [r["satisfied"] for r in rows if r["satisfied"] is not None]
    spot = sum(bool(r["answered_on_the_spot"]) for r in rows)
    return {
        "received": received,
        "complaints_per_10k": round(received / market_entities * 10000, 4) if market_entities else None,
        "resolution_rate": rate(sum(r["status"] in (AppealStatus.RESOLVED, AppealStatus.CLOSED) for r in rows),
                                received),
        "satisfaction_rate": rate(sum(confirmed), len(confirmed)),
        "contact_on_time_rate": step("contacted_at", "contact_by"),
        "opinion_on_time_rate": step("opinion_at", "opinion_by"),
        "resolve_on_time_rate": step("resolved_at", "resolve_by"),
        "resolved_at_first_contact": spot,
        "first_contact_rate": rate(spot, received),
    }


async def random_appeals(rng: random.Random, now: datetime) -> None:
    boundary = datetime(2026, 10, 1, tzinfo=SHANGHAI)  # a Shanghai month's start: 16:00 UTC the day before
    for _ in range(120):
        created = rng.choice([boundary - timedelta(seconds=1), boundary, boundary + timedelta(hours=7, minutes=59),
                              now - timedelta(days=rng.randint(0, 120), minutes=rng.randint(0, 1440))])
        status = rng.choice(list(AppealStatus))
        fields: dict[str, Any] = {}
        if status is not AppealStatus.RECEIVED and rng.random() < 0.9:
            for done, due in rules.CLOCK_STEPS.values():
                deadline = rng.choice([now - timedelta(minutes=1), now + timedelta(hours=1),
                                       created + timedelta(hours=rng.randint(1, 500))])
                fields[due] = deadline
                fields[done] = rng.choice([None, deadline, deadline - timedelta(microseconds=1),
                                           deadline + timedelta(microseconds=1), deadline + timedelta(days=1)])
        await appeal(department=rng.choice(["370100-SCJGJ", "370200-SCJGJ", "370100-GAJ"]),
                     region=rng.choice(["370102", "370103", "370202", "370100"]), status=status, created=created,
                     satisfied=rng.choice([None, True, False]), answered_on_the_spot=rng.random() < 0.2,
                     urgency=rng.choice(list(AppealUrgency)), kind=rng.choice(list(AppealKind)),
                     channel=rng.choice(list(AppealChannel)), **fields)


async def test_the_figures_in_sql_are_the_figures_appeal_by_appeal(empty_database: str) -> None:
    await seed_catalog(read_catalog())
    now = datetime.now(timezone.utc)
    await random_appeals(random.Random(19), now)
    everything = await Appeal.all().values(*COLUMNS)
    first, last = date(2026, 9, 1), (now + timedelta(days=1)).astimezone(SHANGHAI).date()

    def period(region: str, start: date, end: date) -> list[dict[str, Any]]:
        low, high = day_bounds_utc(start, end)
        return [r for r in everything if covers(region, r["region_code"]) and low <= r["created_at"] < high
                and r["status"] is not AppealStatus.MERGED]

    for region in ("370000", "370100", "370102", "370200"):
        entities = await Region.filter(code=region).first().values_list("market_entities", flat=True)
        rows = period(region, first, last)
        assert await rules.stats(region, first, last) == reference(rows, entities, now)
        unit = [r for r in rows if r["department_code"] == "370100-SCJGJ"]
        assert await rules.stats(region, first, last, department_code="370100-SCJGJ") == reference(unit, None, now)
        grade = rules.Grade(urgency=AppealUrgency.URGENT)
        assert await rules.stats(region, first, last, grade=grade) == reference(
            [r for r in rows if r["urgency"] is AppealUrgency.URGENT], None, now)
        for by, names in rules.BREAKDOWNS.items():
            assert await rules.stats_breakdown(region, first, last, by) == [
                (value, name, reference([r for r in rows if r[by].value == value], None, now))
                for value, name in names.items()]
        assert await rules.monthly_stats(region, first, last) == [
            (start, end, reference(period(region, start, end), entities, now))
            for start, end in rules.months(first, last)]
        codes = sorted({r["department_code"] for r in rows if r["department_code"]})
        assert [(code, figures) for code, _, figures in await rules.stats_by_department(region, first, last)] == [
            (code, reference([r for r in rows if r["department_code"] == code], None, now)) for code in codes]
