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

from portal.halls.models import Counter, HallClerk
from portal.halls.rules import check_codes
from portal.identity.models import WindowAuthorisation
from portal.identity.policy import WINDOW_CONSENT_LIFETIME, may_serve_at_window, may_serve_in_hall
from portal.identity.principal import Principal
from portal.lutong.scenes import Scene
from portal.problems import InvalidField, Refused


@dataclass(frozen=True)
class Place:
    """Where a clerk scanned: the hall and counter, each None when unknown."""

    hall_code: str | None = None
    counter_code: str | None = None


def gives_consent(principal: Principal | None, scene: Scene) -> bool:
    """Only a window clerk's scan in the GOVERNMENT_SERVICE scene is a consent to 代办 (a hotel's or a kiosk's is not)."""
    return scene is Scene.GOVERNMENT_SERVICE and may_serve_at_window(principal)


async def place_of(principal: Principal | None, counter_code: str | None) -> Place:
    """The counter the clerk says they sit at must be one of their halls' (NOT_YOUR_HALL otherwise); without one,
    the clerk's hall when they are bound to exactly one."""
    if counter_code is None:
        if not may_serve_at_window(principal):
            return Place()
        halls = await HallClerk.filter(account_id=principal.account_id).values_list("hall_id", flat=True)
        return Place(hall_code=halls[0]) if len(halls) == 1 else Place()
    if not may_serve_at_window(principal):
        raise Refused("PERMISSION", "WINDOW_CLERKS_ONLY", "只有窗口工作人员可以指明所在窗口")
    check_codes(counterCode=counter_code)
    counter = await Counter.get_or_none(code=counter_code)
    if counter is None:
        raise InvalidField("counterCode", "UNKNOWN_COUNTER", "没有这个窗口")
    if not await may_serve_in_hall(principal, counter.hall_id):
        raise Refused("PERMISSION", "NOT_YOUR_HALL", "您不是该大厅的窗口工作人员，不能在此窗口扫码")
    return Place(hall_code=counter.hall_id, counter_code=counter.code)


async def grant(principal: Principal, holder_id: int, nonce: str, place: Place,
                now: datetime) -> WindowAuthorisation:
    """The consent a scan gives (call inside the scan's transaction): this clerk, this person, 30 minutes."""
    return await WindowAuthorisation.create(holder_id=holder_id, clerk_id=principal.account_id, scan_nonce=nonce,
                                            scanned_at=now, hall_code=place.hall_code,
                                            counter_code=place.counter_code, expires_at=now + WINDOW_CONSENT_LIFETIME)
