"""The deadline sweep (one lease, no double alerts), deadlineAlerts, and the figures on a known data set."""

from __future__ import annotations

import asyncio
import json
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
import websockets

from portal import events
from portal.appeals.models import (
    Appeal,
    AppealCategory,
    AppealChannel,
    AppealStatus,
    AppealUrgency,
    DeadlineMiss,
    SlaStep,
)
from portal.appeals.rules import stats, utc
from portal.appeals.sweep import HOLDER, release_lease, sweep, take_lease
from portal.catalog.seed import seed_catalog
from portal.catalog.source import read_catalog
from portal.events import Event
from portal.leases import SweepLease
from portal.workdays import SHANGHAI
from tests.applications.support import handler
from tests.helpers import portal_server, reference_number

REDIS_URL = "redis://127.0.0.1:6379/0"
NOW = datetime.now(timezone.utc)


async def appeal(department: str = "370100-SCJGJ", region: str = "370102", status: AppealStatus = AppealStatus.ASSIGNED,
                 created: datetime = NOW, **fields: Any) -> Appeal:
    values: dict[str, Any] = {
        "credit_code": "91370102MA0000010X", "enterprise_name": "测试企业", "recorded_by_id": 1,
        "channel": AppealChannel.ONLINE, "category": AppealCategory.POLICY, "urgency": AppealUrgency.GENERAL,
        "title": "补贴未兑现", "content": "补贴未兑现，请协调。", "region_code": region, "status": status,
        "idempotency_key": f"{datetime.now().timestamp()}-{id(fields)}", "request_hash": "x",
        "number": reference_number("S"),
        "department_code": department, **fields}
    # Stored in UTC, as the portal stores every time (SQLite compares them as text).
    values = {key: utc(value) if isinstance(value, datetime) else value for key, value in values.items()}
    row = await Appeal.create(**values)
    await Appeal.filter(id=row.id).update(created_at=utc(created))
    return await Appeal.get(id=row.id)


async def test_missed_steps_are_recorded_and_alerted_once(empty_database: str) -> None:
    await seed_catalog(read_catalog())
    late = await appeal(received_at=NOW - timedelta(hours=3), contact_by=NOW - timedelta(hours=1),
                        opinion_by=NOW + timedelta(days=1), resolve_by=NOW + timedelta(days=20))
    on_time = await appeal(received_at=NOW, contact_by=NOW + timedelta(hours=2), opinion_by=NOW + timedelta(days=1),
                           resolve_by=NOW + timedelta(days=20))
    published = await sweep(NOW)
    misses = await DeadlineMiss.all().values_list("target_id", "step")
    assert misses == [(late.id, SlaStep.CONTACT)]
    # The unit, and the supervisors of the county, the city and the province.
    assert sorted(e.stream for e in published) == ["alerts:department:370100-SCJGJ", "alerts:region:370000",
                                                   "alerts:region:370100", "alerts:region:370102"]
    assert published[0].payload["step"] == "CONTACT" and published[0].payload["target"] == f"appeal:{late.id}"
    assert await sweep(NOW) == []
    assert on_time.id not in [t for t, _ in misses]


async def test_two_overlapping_sweeps_alert_once(empty_database: str) -> None:
    await seed_catalog(read_catalog())
    for _ in range(5):
        await appeal(received_at=NOW - timedelta(days=30), contact_by=NOW - timedelta(days=30),
                     opinion_by=NOW - timedelta(days=29), resolve_by=NOW - timedelta(days=2))
    first, second = await asyncio.gather(sweep(NOW), sweep(NOW))
    assert len(first) + len(second) == 5 * 3 * 4  # five appeals, three steps, four streams each
    assert await DeadlineMiss.all().count() == 15
    assert await Event.filter(kind="deadline.missed").count() == 60


async def test_one_lease_holder_at_a_time(empty_database: str) -> None:
    assert await take_lease("server-a", NOW)
    assert not await take_lease("server-b", NOW)
    assert await take_lease("server-a", NOW + timedelta(seconds=10))
    assert await take_lease("server-b", NOW + timedelta(seconds=41))
    assert not await take_lease("server-a", NOW + timedelta(seconds=42))


async def test_a_lease_is_released_for_the_next_holder(empty_database: str) -> None:
    assert await take_lease(HOLDER, NOW)
    await release_lease(HOLDER)
    assert await take_lease("server-b", NOW)


async def test_a_reopened_appeal_can_miss_its_new_resolve_deadline_again(empty_database: str) -> None:
    await seed_catalog(read_catalog())
    row = await appeal(status=AppealStatus.OPINION_GIVEN, received_at=NOW - timedelta(days=40),
                       contact_by=NOW - timedelta(days=40), contacted_at=NOW - timedelta(days=40),
                       opinion_by=NOW - timedelta(days=39), opinion_at=NOW - timedelta(days=39),
                       resolve_by=NOW - timedelta(days=20))
    assert len(await sweep(NOW)) == 4  # one step, to the unit and the county, city and province
    await Appeal.filter(id=row.id).update(resolve_by=NOW - timedelta(minutes=5))
    assert [e.payload["step"] for e in await sweep(NOW)] == ["RESOLVE"] * 4


async def test_deadline_alerts_reach_the_units_staff_live(database_url: str) -> None:
    token = await handler("370100-XZSPJ")
    other = await handler("370100-GAJ")
    with portal_server(database_url, env={"PORTAL_BROKER_URL": REDIS_URL}) as base:
        sockets = []
        for who in (token, other):
            ws = await websockets.connect(base.replace("http", "ws") + "/graphql",
                                          subprotocols=["graphql-transport-ws"])
            await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {who}"}}))
            assert json.loads(await ws.recv()) == {"type": "connection_ack"}
            await ws.send(json.dumps({"type": "subscribe", "id": "1", "payload": {
                "query": "subscription { deadlineAlerts { cursor kind detail } }"}}))
            sockets.append(ws)
        await asyncio.sleep(0.5)  # the subscriptions are in place
        late = await appeal(department="370100-XZSPJ", received_at=NOW - timedelta(hours=5),
                            contact_by=NOW - timedelta(hours=3), opinion_by=NOW + timedelta(days=1),
                            resolve_by=NOW + timedelta(days=20))
        async with events.running_hub(REDIS_URL):
            await sweep(datetime.now(timezone.utc))
        try:
            message = json.loads(await asyncio.wait_for(sockets[0].recv(), 10))
            alert = message["payload"]["data"]["deadlineAlerts"]
            assert alert["kind"] == "deadline.missed"
            assert (alert["detail"]["step"], alert["detail"]["target"]) == ("CONTACT", f"appeal:{late.id}")
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(sockets[1].recv(), 1)
        finally:
            for ws in sockets:
                await ws.close()


async def test_figures_on_a_known_data_set(empty_database: str) -> None:
    await seed_catalog(read_catalog())
    day = date(2026, 3, 2)
    at = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
    hour, working_day = timedelta(hours=1), timedelta(days=1)
    common = {"received_at": at, "contact_by": at + 2 * hour, "opinion_by": at + working_day,
              "resolve_by": at + 20 * working_day}
    # 1: all on time, closed satisfied
    await appeal(status=AppealStatus.CLOSED, created=at, contacted_at=at + hour, opinion_at=at + 3 * hour,
                 resolved_at=at + 2 * working_day, satisfied=True, **common)
    # 2: contact late, resolved late, closed unsatisfied (still counted as resolved; not satisfied)
    await appeal(status=AppealStatus.RESOLVED, created=at, contacted_at=at + 3 * hour, opinion_at=at + 5 * hour,
                 resolved_at=at + 25 * working_day, satisfied=False, **common)
    # 3: contacted on time, opinion late, still open
    await appeal(status=AppealStatus.OPINION_GIVEN, created=at, contacted_at=at + hour,
                 opinion_at=at + 2 * working_day, **common)
    # 4: another department, Qingdao: outside Jinan's figures
    await appeal(department="370200-SCJGJ", region="370202", status=AppealStatus.CLOSED, created=at,
                 contacted_at=at + hour, opinion_at=at + 2 * hour, resolved_at=at + working_day, satisfied=True,
                 **common)
    # 5: merged duplicates do not count
    await appeal(status=AppealStatus.MERGED, created=at, **common)
    # 6: outside the period
    await appeal(status=AppealStatus.CLOSED, created=at - 40 * working_day, satisfied=True, **common)
    figures = await stats("370100", day, day + timedelta(days=30))
    assert figures == {
        "received": 3,
        "complaints_per_10k": round(3 / 1_550_000 * 10000, 4),  # Jinan's registered market entities
        "resolution_rate": round(2 / 3, 4),
        "satisfaction_rate": 0.5,
        "contact_on_time_rate": round(2 / 3, 4),
        "opinion_on_time_rate": round(2 / 3, 4),
        # #3 is still open and its deadline (March 22) has passed: late, like #2.
        "resolve_on_time_rate": round(1 / 3, 4),
        "resolved_at_first_contact": 0,
        "first_contact_rate": 0.0,
    }
    province = await stats("370000", day, day + timedelta(days=30))
    assert province["received"] == 4
    unit = await stats("370100", day, day + timedelta(days=30), department_code="370100-SCJGJ")
    assert unit["received"] == 3 and unit["complaints_per_10k"] is None


async def test_two_servers_sweeping_one_database_alert_once(database_url: str) -> None:
    """Both servers run the sweep loop every 0.2 s; the lease and the unique misses keep one alert per step."""
    late = await appeal(department="370100-ZJJ", received_at=NOW - timedelta(days=30),
                        contact_by=NOW - timedelta(days=30), opinion_by=NOW - timedelta(days=29),
                        resolve_by=NOW + timedelta(days=30))
    await SweepLease.all().delete()  # in case a server of an earlier test died holding the lease
    env = {"PORTAL_SWEEP_SECONDS": "0.2"}
    with portal_server(database_url, env=env), portal_server(database_url, env=env):
        deadline = asyncio.get_running_loop().time() + 20
        while await DeadlineMiss.filter(target_id=late.id, target_type="appeal").count() < 2:
            assert asyncio.get_running_loop().time() < deadline, "no sweep ran"
            await asyncio.sleep(0.2)
        await asyncio.sleep(1.5)  # several more passes of both loops
    misses = await DeadlineMiss.filter(target_id=late.id, target_type="appeal").values_list("step", flat=True)
    assert sorted(misses) == [SlaStep.CONTACT, SlaStep.OPINION]
    alerts = await Event.filter(stream="alerts:department:370100-ZJJ", kind="deadline.missed").values_list(
        "payload", flat=True)
    assert sorted(a["step"] for a in alerts if a["target"] == f"appeal:{late.id}") == ["CONTACT", "OPINION"]
