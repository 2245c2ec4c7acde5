"""What a hall's stream (``hall:<code>``, the hall screens' ``hallCalls``) says of each change, as typed values.
Nobody's identity: a ticket's number, category, counter and time. The JSON shape is the stored one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from portal.halls.models import Ticket, TicketStatus


@dataclass(frozen=True)
class TicketChanged:
    """A ticket taken, called, called again, skipped or finished."""

    id: int
    number: str
    category_code: str
    category_name: str
    status: TicketStatus
    priority: bool
    counter: str | None
    called_at: datetime | None
    calls: int

    @classmethod
    def of(cls, ticket: Ticket, category_name: str) -> TicketChanged:
        return cls(ticket.id, ticket.number, ticket.category_code, category_name, ticket.status, ticket.priority,
                   ticket.counter_code, ticket.called_at, ticket.calls)

    def to_json(self) -> dict[str, Any]:
        return {"ticket": {
            "id": self.id, "number": self.number, "category": {"code": self.category_code, "name": self.category_name},
            "status": self.status.value, "priority": self.priority, "counter": self.counter,
            "calledAt": self.called_at.isoformat() if self.called_at else None, "calls": self.calls}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TicketChanged:
        t = data["ticket"]
        return cls(t["id"], t["number"], t["category"]["code"], t["category"]["name"], TicketStatus(t["status"]),
                   t["priority"], t["counter"], datetime.fromisoformat(t["calledAt"]) if t["calledAt"] else None,
                   t["calls"])


@dataclass(frozen=True)
class AppointmentBooked:
    """A slot booked (the screens' figures may count it); no person named."""

    category_code: str
    slot: datetime

    def to_json(self) -> dict[str, Any]:
        return {"appointment": {"category": self.category_code, "slot": self.slot.isoformat()}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AppointmentBooked:
        return cls(data["appointment"]["category"], datetime.fromisoformat(data["appointment"]["slot"]))
