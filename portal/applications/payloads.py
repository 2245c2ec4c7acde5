"""What an application's stream (``application:<id>``) says of each change, as typed values: written by the
rules inside the change's transaction, read back by the subscription. The JSON shape is the stored one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal.applications.models import ApplicationStatus, TaskStatus


@dataclass(frozen=True)
class TaskState:
    id: int
    status: TaskStatus
    version: int


@dataclass(frozen=True)
class ApplicationChanged:
    """Every event of an application: its status after the change, and the task that changed, if one did."""

    application_id: int
    status: ApplicationStatus
    task: TaskState | None = None

    def to_json(self) -> dict[str, Any]:
        task = self.task
        return {"application": {"id": self.application_id, "status": self.status.value},
                "task": {"id": task.id, "status": task.status.value, "version": task.version} if task else None}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ApplicationChanged:
        task = data.get("task")
        return cls(data["application"]["id"], ApplicationStatus(data["application"]["status"]),
                   TaskState(task["id"], TaskStatus(task["status"]), task["version"]) if task else None)
