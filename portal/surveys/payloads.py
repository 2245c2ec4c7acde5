"""What a survey's streams say: the survey's own (``survey:<id>``) and an invitation's (``survey-invitation:<id>``,
one event: it is answered once)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal.surveys.models import SurveyStatus


@dataclass(frozen=True)
class SurveyChanged:
    """A survey published or its results published: its status after the change."""

    survey_id: int
    status: SurveyStatus

    def to_json(self) -> dict[str, Any]:
        return {"survey": {"id": self.survey_id, "status": self.status.value}}


@dataclass(frozen=True)
class InvitationAnswered:
    """A sampled enterprise answered (no answer in the event: the figures are read from the table)."""

    invitation_id: int
    survey_id: int

    def to_json(self) -> dict[str, Any]:
        return {"invitation": {"id": self.invitation_id, "surveyId": self.survey_id}}
