"""What the knowledge base's streams say (``knowledge:<entry id>``, one event per version), as typed values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal.knowledge.models import KnowledgeStatus


@dataclass(frozen=True)
class KnowledgeChanged:
    """Every event of an entry: the version it now stands at, and its status."""

    entry_id: int
    version: int
    status: KnowledgeStatus

    def to_json(self) -> dict[str, Any]:
        return {"entry": {"id": self.entry_id, "version": self.version, "status": self.status.value}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> KnowledgeChanged:
        entry = data["entry"]
        return cls(entry["id"], entry["version"], KnowledgeStatus(entry["status"]))
