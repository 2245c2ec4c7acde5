"""The per-request context every resolver receives as ``info.context``."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from portal.api.public import PublicData
from portal.catalog.loaders import CatalogLoaders
from portal.config import Settings
from portal.workdays import WorkCalendar


@dataclass
class Context:
    request: Request | WebSocket
    response: Response | WebSocket | None
    settings: Settings
    public: PublicData
    catalog: CatalogLoaders = field(default_factory=CatalogLoaders)

    @property
    def calendar(self) -> WorkCalendar:
        return self.public.calendar
