"""E-licence rules: what a holder holds, and issuing a licence when a task is approved."""

from __future__ import annotations

import secrets
from datetime import datetime, timezone
from typing import Any

from portal.db import Lookup
from portal.lutong.models import Certificate

_HELD = Lookup(Certificate, "holder_id", order_by="id")


async def holdings(holder_id: int) -> dict[str, Certificate]:
    """The holder's current licences by type (the newest of each type)."""
    held: dict[str, Certificate] = {}
    for certificate in await _HELD.all(holder_id):
        held[certificate.type_code] = certificate
    return held


def licence_number(type_code: str, issued_at: datetime) -> str:
    """A licence number: type initials, issue date and a random part (no sequence to guess)."""
    initials = "".join(word[0] for word in type_code.split("_"))[:6]
    return f"{initials}{issued_at:%Y%m%d}{secrets.token_hex(4).upper()}"


async def issue(holder_id: int, type_code: str, issuer_code: str, data: dict[str, Any],
                task_id: int | None = None, issued_at: datetime | None = None) -> Certificate:
    """Record a licence issued to ``holder_id`` (call inside the approving transaction); ``issued_at`` is now unless
    the licence was issued before the portal knew of it (the demo's licences)."""
    when = issued_at or datetime.now(timezone.utc)
    return await Certificate.create(holder_id=holder_id, type_code=type_code, number=licence_number(type_code, when),
                                    issuer_code=issuer_code, issued_at=when, data=data, source_task_id=task_id)
