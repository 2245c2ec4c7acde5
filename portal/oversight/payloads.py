"""What an enterprise's own stream (``enterprise:<credit code>``) says: it is invited to attend (列席) a meeting,
or a meeting it was invited to decided a topic."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class MeetingNotice:
    """``meeting.invited`` or ``meeting.decided``: the meeting, and the topic decided (for ``meeting.decided``)."""

    meeting_id: int
    topic_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"meeting": {"id": self.meeting_id}, "topic": {"id": self.topic_id} if self.topic_id else None}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MeetingNotice:
        return cls(data["meeting"]["id"], (data.get("topic") or {}).get("id"))
