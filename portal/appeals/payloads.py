"""What the appeals zone's streams say, as typed values: an appeal's own stream (``appeal:<id>``) and the alert
streams of units and regions (``alerts:department:<code>``, ``alerts:region:<code>``). The JSON shape is the
stored one (an alert's JSON is what staff clients receive as ``detail``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from portal.appeals.models import AppealStatus


@dataclass(frozen=True)
class AppealChanged:
    """Every event of an appeal: its status after the change."""

    appeal_id: int
    status: AppealStatus

    def to_json(self) -> dict[str, Any]:
        return {"appeal": {"id": self.appeal_id, "status": self.status.value}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AppealChanged:
        return cls(data["appeal"]["id"], AppealStatus(data["appeal"]["status"]))


@dataclass(frozen=True)
class Alert:
    """An alert for the staff of a unit and the supervisors of a region: a missed deadline (DEADLINE_MISSED, with
    the step and when it was due), an escalation (督办), a press. ``facts`` are what the kind adds (the appeal's
    title, the step, the reason)."""

    kind: str
    target: str
    department_code: str | None
    region_code: str | None
    facts: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "target": self.target, "departmentCode": self.department_code,
                "regionCode": self.region_code, **self.facts}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Alert:
        facts = {k: v for k, v in data.items() if k not in ("kind", "target", "departmentCode", "regionCode")}
        return cls(data["kind"], data["target"], data.get("departmentCode"), data.get("regionCode"), facts)
