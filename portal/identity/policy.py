"""Who may see or do what, as far as accounts decide it: roles, delegations, consent, regions.

Rules and resolvers ask these functions; none decides on its own. A domain's own objects are decided by the
domain from these (``appeals.rules.may_see_appeal``, ``applications.visibility``, ``applications.uploads.
may_read_upload``, ``halls.rules.may_serve_in_hall``), so that this module needs no domain's tables. A refusal to
see an object is answered as "not found" by the callers, so that a stranger learns nothing of what exists.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from portal.identity.models import (
    Account,
    AccountKind,
    EnterpriseAgent,
    FamilyAuthorisation,
    Role,
    WindowAuthorisation,
)
from portal.identity.principal import Principal
from portal.regions import covers as region_covers


# How long a person's consent by scan lets the clerk act for them (API.md "Second round": 30 minutes).
WINDOW_CONSENT_LIFETIME = timedelta(minutes=30)


def has_role(principal: Principal | None, *roles: Role) -> bool:
    return principal is not None and principal.kind is AccountKind.STAFF and principal.role in roles


async def may_act_for(principal: Principal | None, account_id: int, *, bundle_code: str | None = None) -> bool:
    """An applicant acts for themselves; an enterprise's active agents act for it; a family member authorised
    for a bundle (代办) acts for the grantor on that bundle only."""
    if principal is None:
        return False
    if principal.account_id == account_id:
        return True
    if principal.kind is not AccountKind.CITIZEN:
        return False
    if await EnterpriseAgent.exists(enterprise_id=account_id, agent_id=principal.account_id, revoked_at__isnull=True):
        return True
    return bundle_code is not None and await FamilyAuthorisation.exists(
        grantor_id=account_id, grantee_id=principal.account_id, bundle_code=bundle_code, revoked_at__isnull=True)


def may_handle_department(principal: Principal | None, department_code: str) -> bool:
    """A department handler sees and acts on the tasks of their own department only."""
    return has_role(principal, Role.DEPARTMENT_HANDLER) and principal.department_code == department_code


def _now() -> datetime:
    return datetime.now(timezone.utc)


async def window_consent(principal: Principal | None, holder_id: int) -> WindowAuthorisation | None:
    """窗口代办: a window clerk who scanned a person's 鲁通码 at the window (scene GOVERNMENT_SERVICE) acts for that
    person until the consent expires (``WINDOW_CONSENT_LIFETIME`` after the scan): that clerk only, that person
    only. The newest standing consent, or None."""
    if not may_serve_at_window(principal):
        return None
    return await WindowAuthorisation.filter(holder_id=holder_id, clerk_id=principal.account_id,
                                            expires_at__gt=_now()).order_by("-expires_at").first()


def may_serve_at_window(principal: Principal | None) -> bool:
    """Window clerks call tickets, scan 鲁通码 with consent and apply on a person's behalf."""
    return has_role(principal, Role.WINDOW_CLERK)


def may_route_appeals(principal: Principal | None) -> bool:
    """The 96178 seat (诉求专席) records, classifies and routes appeals."""
    return has_role(principal, Role.APPEALS_COORDINATOR)


def may_supervise(principal: Principal | None, region_code: str) -> bool:
    """A supervisor sees figures and overdue lists of their region; an administrator of every region."""
    if has_role(principal, Role.ADMIN):
        return True
    return has_role(principal, Role.SUPERVISOR) and region_covers(principal.region_code, region_code)


def may_delegate_to_agents(principal: Principal) -> bool:
    return principal.kind is AccountKind.ENTERPRISE


def may_authorise_family(principal: Principal) -> bool:
    return principal.kind is AccountKind.CITIZEN


async def may_act_for_enterprise(principal: Principal | None, credit_code: str) -> bool:
    """An enterprise account acts for its own credit code; its active agents act for it too. Appeals name the
    enterprise by credit code, so this decides who sees and confirms an appeal."""
    if principal is None:
        return False
    if principal.kind is AccountKind.ENTERPRISE:
        return await Account.exists(id=principal.account_id, credit_code=credit_code)
    if principal.kind is not AccountKind.CITIZEN:
        return False
    return await EnterpriseAgent.exists(agent_id=principal.account_id, revoked_at__isnull=True,
                                        enterprise__credit_code=credit_code)
