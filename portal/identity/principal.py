"""The signed-in account behind a request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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

    @property
    def label(self) -> str:
        return f"{self.kind.value.lower()}:{self.account_id}"
