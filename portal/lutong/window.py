"""窗口代办 by scan: a person who shows their 鲁通码 to a window clerk (scene GOVERNMENT_SERVICE) consents to the
clerk applying on their behalf at the window for 30 minutes (API.md "Second round").

The scan (``codes.scan``) records the consent in the same transaction that spends the code: a
``WindowAuthorisation`` naming the holder, the clerk, the scan (the code's nonce and the time), the clerk's hall and
counter when known, and its expiry. Whether it still stands is decided by ``policy.window_consent``; what it
permits (submitting on WINDOW, reading the prefilled form) by ``applications.rules``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portal.halls.models import HallClerk
from portal.halls.rules import clerk_counter
from portal.identity.models import WindowAuthorisation
from portal.identity.policy import WINDOW_CONSENT_LIFETIME, may_serve_at_window
from portal.identity.principal import Principal
from portal.lutong.scenes import Scene


@dataclass(frozen=True)
class Place:
    """Where a clerk scanned: the hall and counter, each None when unknown."""

    hall_code: str | None = None
    counter_code: str | None = None


def gives_consent(principal: Principal | None, scene: Scene) -> bool:
    """Only a window clerk's scan in the GOVERNMENT_SERVICE scene is a consent to 代办 (a hotel's or a kiosk's is not)."""
    return scene is Scene.GOVERNMENT_SERVICE and may_serve_at_window(principal)


async def place_of(principal: Principal | None, counter_code: str | None) -> Place:
    """The counter the clerk says they sit at must be one of their halls' (``halls.rules.clerk_counter``); without
    one, the clerk's hall when they are bound to exactly one."""
    if counter_code is None:
        if not may_serve_at_window(principal):
            return Place()
        halls = await HallClerk.filter(account_id=principal.account_id).values_list("hall_id", flat=True)
        return Place(hall_code=halls[0]) if len(halls) == 1 else Place()
    counter = await clerk_counter(principal, counter_code)
    return Place(hall_code=counter.hall_id, counter_code=counter.code)


async def grant(principal: Principal, holder_id: int, nonce: str, place: Place,
                now: datetime) -> WindowAuthorisation:
    """The consent a scan gives (call inside the scan's transaction): this clerk, this person, 30 minutes."""
    return await WindowAuthorisation.create(holder_id=holder_id, clerk_id=principal.account_id, scan_nonce=nonce,
                                            scanned_at=now, hall_code=place.hall_code,
                                            counter_code=place.counter_code, expires_at=now + WINDOW_CONSENT_LIFETIME)
