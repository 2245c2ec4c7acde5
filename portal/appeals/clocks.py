"""The clock of each grade of appeal (分级分类), as data: ``portal/appeals/data/clocks.yaml``.

A grade is the appeal's urgency (一般 GENERAL, 紧急 IMPORTANT, 特急 URGENT) and its kind (投诉 complaint, 咨询
consultation, 建议 suggestion, 举报 report). Each entry of the file gives one urgency (and, optionally, one kind) its
contact window in natural minutes and its opinion and resolution limits in working days; the entry naming the
kind wins over the one for the whole urgency. 2115 (contact in 2 hours, opinion in 1 working day, solved in 15) is
the loosest clock any grade may have: the file may only tighten it, and every urgency must have an entry.

Pure: reading and validating the file, and choosing an appeal's clock. The working days are the calendar's
(``WorkCalendar.sla_plan``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, Field, model_validator

from portal.appeals.models import AppealKind, AppealUrgency
from portal.sources import Problems, Record, Text, read_yaml, unique, validate
from portal.workdays import (
    APPEAL_CONTACT_WITHIN,
    APPEAL_OPINION_DAYS,
    APPEAL_RESOLVE_DAYS,
    SlaPlan,
    WorkCalendar,
)

DATA = Path(__file__).with_name("data") / "clocks.yaml"
# Urgent grades first: the order of every worklist (then age), and the rank stored on each appeal.
URGENCY_ORDER = (AppealUrgency.URGENT, AppealUrgency.IMPORTANT, AppealUrgency.GENERAL)
URGENCY_NAMES = {AppealUrgency.URGENT: "特急", AppealUrgency.IMPORTANT: "紧急", AppealUrgency.GENERAL: "一般"}
KIND_NAMES = {AppealKind.COMPLAINT: "投诉", AppealKind.CONSULTATION: "咨询", AppealKind.SUGGESTION: "建议",
              AppealKind.REPORT: "举报"}


def priority(urgency: AppealUrgency) -> int:
    """The rank worklists order by: 0 for 特急, then 紧急, then 一般."""
    return URGENCY_ORDER.index(urgency)


class ClockSpec(Record):
    urgency: AppealUrgency
    kind: AppealKind | None = None
    name: Text
    contact_minutes: Annotated[int, Field(strict=True, ge=10, le=int(APPEAL_CONTACT_WITHIN.total_seconds() // 60))]
    opinion_days: Annotated[int, Field(strict=True, ge=1, le=APPEAL_OPINION_DAYS)]
    resolve_days: Annotated[int, Field(strict=True, ge=1, le=APPEAL_RESOLVE_DAYS)]

    @model_validator(mode="after")
    def _opinion_before_resolution(self) -> ClockSpec:
        if self.resolve_days < self.opinion_days:
            found = Problems()
            found.add(("resolveDays",), "the resolution limit cannot come before the opinion's", self.resolve_days)
            found.check()
        return self


@dataclass(frozen=True)
class Clock:
    """One grade's clock (the figures an appeal is given when its unit receives it)."""

    name: str
    contact_within: timedelta
    opinion_days: int
    resolve_days: int

    def plan(self, calendar: WorkCalendar, received_at: datetime) -> SlaPlan:
        return calendar.sla_plan(received_at, contact_within=self.contact_within, opinion_days=self.opinion_days,
                                 resolve_days=self.resolve_days)


GENERAL_2115 = Clock("2115", APPEAL_CONTACT_WITHIN, APPEAL_OPINION_DAYS, APPEAL_RESOLVE_DAYS)


def _every_urgency(entries: tuple[ClockSpec, ...]) -> tuple[ClockSpec, ...]:
    """Each (urgency, kind) once, and an entry for the whole of each urgency (the fallback of its kinds)."""
    found = unique([f"{e.urgency.value}/{e.kind.value if e.kind else '*'}" for e in entries], "urgency/kind")
    for urgency in AppealUrgency:
        if not any(e.urgency is urgency and e.kind is None for e in entries):
            found.add((), f"no entry for the whole of urgency {urgency.value} (one without kind)")
    found.check()
    return entries


ClockFile = Annotated[tuple[ClockSpec, ...], Field(min_length=1), AfterValidator(_every_urgency)]


@dataclass(frozen=True)
class Clocks:
    """The clocks of every grade, as the data file gives them (``parse_clocks``)."""

    entries: tuple[ClockSpec, ...]

    def of(self, urgency: AppealUrgency, kind: AppealKind) -> Clock:
        """The clock of a grade: its kind's entry if the file has one, else its urgency's."""
        chosen = next((e for e in self.entries if e.urgency is urgency and e.kind is kind), None) or next(
            e for e in self.entries if e.urgency is urgency and e.kind is None)
        return Clock(chosen.name, timedelta(minutes=chosen.contact_minutes), chosen.opinion_days,
                     chosen.resolve_days)


def parse_clocks(data: object, source: str = "clocks.yaml") -> Clocks:
    """The decoded file as ``Clocks``, or a ``SourceError`` listing every problem at its place."""
    return Clocks(validate(source, ClockFile, data))


@cache
def shipped() -> Clocks:
    """The clocks the portal ships (read once: the file is part of the release)."""
    return parse_clocks(read_yaml(DATA), DATA.name)
