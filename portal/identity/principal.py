"""The signed-in account behind a request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portal.terminals import Terminal
from portal.identity.models import AccountKind, Role


@dataclass(frozen=True)
class Principal:
    """The signed-in account behind a request."""

    account_id: int
    kind: AccountKind
    name: str
    role: Role | None
    department_code: str | None
    region_code: str | None
    session_id: int
    expires_at: datetime
    terminal: Terminal | None = None  # a device session's one terminal (TV, KIOSK); None: an ordinary session

    @property
    def device_session(self) -> bool:
        return self.terminal is not None

    @property
    def label(self) -> str:
        return f"{self.kind.value.lower()}:{self.account_id}"
