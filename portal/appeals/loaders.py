"""Appeal DataLoaders: an appeal list's attachments, steps and step actors' names, one query per batch."""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from portal.appeals.models import AppealAttachment, AppealStep
from portal.appeals.rules import actor_names
from portal.loaders import children


class AppealLoaders:
    def __init__(self) -> None:
        self.attachments = children(AppealAttachment, "appeal_id", order="id", select_related=("file",))
        self.steps = children(AppealStep, "appeal_id", order="id")
        self.actor_name = DataLoader(load_fn=self._actor_names)

    @staticmethod
    async def _actor_names(labels: Sequence[str]) -> list[str]:
        names = await actor_names(labels)
        return [names[label] for label in labels]
