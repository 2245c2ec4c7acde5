"""酒店入住一件事: the hotel desk scans the guest's 鲁通码 (LODGING) and files the `hotel-check-in` bundle for
the guest in one step (身份核验 + 旅馆业旅客住宿登记).

Consent: the guest showing a fresh, single-use LODGING code to this desk is the guest's consent to this one
registration. The scan is verified here, in the same call, so ``applications.rules.submit`` is told so with
``consented=True`` — a server-side flag no client can set — instead of widening ``policy.may_act_for`` (which
would let a hotel act for anyone it once scanned, everywhere ``may_act_for`` is asked).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portal.applications import rules as applications
from portal.applications.models import Application
from portal.audit.rules import Actor
from portal.catalog.models import Terminal
from portal.idempotency import check_key
from portal.identity.models import Account
from portal.identity.principal import Principal
from portal.lutong.codes import ScanOutcome, scan
from portal.lutong.scenes import Scene
from portal.problems import Code, Conflicting
from portal.workdays import SHANGHAI, WorkCalendar

BUNDLE = "hotel-check-in"


@dataclass(frozen=True)
class CheckIn:
    scan: ScanOutcome | None  # None when a retried key answered with the first application
    application: Application


async def check_in_guest(principal: Principal | None, actor: Actor, calendar: WorkCalendar, secret: str, *,
                         payload: str, room_number: str, nights: int, idempotency_key: str,
                         channel: Terminal, now: datetime) -> CheckIn:
    """Scan (scene LODGING), then submit the hotel-check-in bundle for the guest, the hotel as submitter.
    A retried key returns the first application without scanning again (the code is spent by then)."""
    if principal is not None:
        key = check_key(idempotency_key)
        existing = await Application.get_or_none(submitted_by_id=principal.account_id, idempotency_key=key
                                                 ).select_related("bundle")
        if existing is not None:
            if existing.bundle.code != BUNDLE:
                raise Conflicting(Code.IDEMPOTENCY_KEY_REUSED, "该请求标识已用于另一份不同的申请")
            return CheckIn(None, existing)
    scanned = await scan(principal, actor, secret, payload, Scene.LODGING, now)
    assert principal is not None  # scan refused anyone who is not a LODGING scene operator
    hotel = await Account.get(id=principal.account_id)
    guest = scanned.holder
    values = {"guest.name": guest.name, "guest.idNumber": guest.id_number, "hotel.name": hotel.name,
              "stay.checkInDate": now.astimezone(SHANGHAI).date().isoformat(), "stay.nights": nights,
              "stay.roomNumber": room_number}
    request = applications.BundleApplication(bundle_code=BUNDLE, form_values=values, materials=(), channel=channel,
                                             idempotency_key=idempotency_key, applicant_id=guest.id)
    submission = await applications.submit(principal, actor, calendar, request, consented=True)
    return CheckIn(scanned, submission.application)
