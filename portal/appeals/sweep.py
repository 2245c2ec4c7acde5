"""The deadline sweep: finds missed 2115 steps, missed 好差评 follow-ups, meeting decisions not carried out in time
and rectification reports overdue after a 通报 / 约谈; records each miss once, and alerts.

Every server runs the loop; a lease row in the database lets one of them sweep at a time (a conditional update,
portable to SQLite and PostgreSQL). The unique (target, step, deadline) of ``DeadlineMiss`` makes an alert
impossible to send twice even if two sweeps overlapped.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from datetime import datetime, timedelta, timezone
from collections.abc import Callable
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.models import Model
from tortoise.transactions import in_transaction

from portal import events, leases
from portal.appeals.models import Appeal, AppealStatus, DeadlineMiss, SlaStep
from portal.appeals.payloads import Alert
from portal.appeals.rules import alert_streams
from portal.evaluations.models import Evaluation
from portal.oversight.models import MeetingTopic, UnitNotice
from portal.regions import PROVINCE

log = logging.getLogger("portal.sweep")
LEASE = "deadline-sweep"
LEASE_SECONDS = 30
HOLDER = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

# (step, when it is done, when it is due, the states in which it is still awaited)
APPEAL_STEPS: tuple[tuple[SlaStep, str, str, tuple[AppealStatus, ...]], ...] = (
    (SlaStep.CONTACT, "contacted_at", "contact_by", (AppealStatus.ASSIGNED, AppealStatus.RETURNED)),
    (SlaStep.OPINION, "opinion_at", "opinion_by",
     (AppealStatus.ASSIGNED, AppealStatus.RETURNED, AppealStatus.CONTACTED)),
    (SlaStep.RESOLVE, "resolved_at", "resolve_by",
     (AppealStatus.ASSIGNED, AppealStatus.RETURNED, AppealStatus.CONTACTED, AppealStatus.OPINION_GIVEN)),
)
EVALUATION_STEPS = ((SlaStep.RETURN_VISIT, "return_visit_at", "return_visit_by"),
                    (SlaStep.RECTIFY, "rectified_at", "rectify_by"))


async def take_lease(holder: str, now: datetime, seconds: int = LEASE_SECONDS) -> bool:
    """Hold the sweep for ``seconds``: renew our own lease or take an expired one; False if another holds it."""
    return await leases.take(LEASE, holder, now, now + timedelta(seconds=seconds))


async def _record(target_type: str, target_id: int, step: SlaStep, due_at: datetime, now: datetime,
                  department_code: str | None, region_code: str | None, detail: dict[str, Any]
                  ) -> list[events.Event]:
    """Record one miss and alert it; nothing if it was recorded before (by us or by an overlapping sweep)."""
    try:
        async with in_transaction():
            await DeadlineMiss.create(target_type=target_type, target_id=target_id, step=step, due_at=due_at,
                                      detected_at=now, department_code=department_code, region_code=region_code)
            payload = Alert("DEADLINE_MISSED", f"{target_type}:{target_id}", department_code, region_code,
                            {"step": step.value, "dueAt": due_at.isoformat(), **detail})
            return [await events.append_next(stream, "deadline.missed", payload)
                    for stream in alert_streams(department_code, region_code or PROVINCE)]
    except IntegrityError:
        return []


async def _sweep_follow_ups(model: type[Model], target_type: str, step: SlaStep, done: str, due: str, now: datetime,
                            department: str, detail: Callable[[Any], dict[str, Any]]) -> list[events.Event]:
    """The rows of one follow-up (a bad review's 回访 or 整改, a meeting decision's 落实, a notice's 整改报告) past
    their deadline and not done, each recorded and alerted once to its unit and its region."""
    late = await model.filter(**{f"{due}__lt": now, f"{done}__isnull": True})
    known = set(await DeadlineMiss.filter(target_type=target_type, step=step, target_id__in=[r.id for r in late])
                .values_list("target_id", "due_at")) if late else set()
    published: list[events.Event] = []
    for row in late:
        deadline = getattr(row, due)
        if (row.id, deadline) not in known:
            published += await _record(target_type, row.id, step, deadline, now, getattr(row, department),
                                       row.region_code, detail(row))
    return published


async def sweep(now: datetime | None = None) -> list[events.Event]:
    """One pass: every step past its deadline and not done, not recorded before, is recorded and alerted."""
    now = now or datetime.now(timezone.utc)
    published: list[events.Event] = []
    for step, done, due, awaited in APPEAL_STEPS:
        late = await Appeal.filter(**{f"{due}__lt": now, f"{done}__isnull": True}, status__in=list(awaited))
        known = set(await DeadlineMiss.filter(target_type="appeal", step=step, target_id__in=[a.id for a in late])
                    .values_list("target_id", "due_at")) if late else set()
        for appeal in late:
            deadline = getattr(appeal, due)
            if (appeal.id, deadline) not in known:
                published += await _record("appeal", appeal.id, step, deadline, now, appeal.department_code,
                                           appeal.region_code, {"title": appeal.title})
    for step, done, due in EVALUATION_STEPS:
        published += await _sweep_follow_ups(Evaluation, "evaluation", step, done, due, now, "department_code",
                                             lambda e: {"rating": e.rating})
    published += await _sweep_follow_ups(MeetingTopic, "decision", SlaStep.CARRY_OUT, "carried_out_at",
                                         "carry_out_by", now, "responsible_department_code",
                                         lambda t: {"decision": t.decision[:200]})
    published += await _sweep_follow_ups(UnitNotice, "unit_notice", SlaStep.RECTIFY_REPORT, "reported_at",
                                         "report_by", now, "department_code", lambda n: {"noticeKind": n.kind.value})
    await events.publish(published)
    return published


async def run_sweeper(interval: float = 30.0) -> None:
    """The loop every server runs; only the lease holder sweeps. The lease outlives a few intervals, so a
    holder that died is replaced within ``LEASE_SECONDS``."""
    try:
        while True:
            try:
                if await take_lease(HOLDER, datetime.now(timezone.utc),
                                    seconds=max(LEASE_SECONDS, int(interval * 3))):
                    await sweep()
            except Exception:  # noqa: BLE001 - the loop must outlive a database hiccup
                log.exception("deadline sweep failed; retrying")
            await asyncio.sleep(interval)
    except asyncio.CancelledError:
        await release_lease(HOLDER)  # a server that stops hands the sweep on at once
        raise


async def release_lease(holder: str) -> None:
    await leases.release(LEASE, holder)
