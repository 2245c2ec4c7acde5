"""秒批 (无人干预自动审批) and 免申即享: what the catalog's rules decide without a person.

A task whose item carries an instant-approval rule (``ServiceItem.instant_approval``: a name and conditions) is
decided by it the moment it starts: if every condition holds, it is approved by the rule (``Task.decided_by`` RULE,
``Task.rule`` its name) and the audit entry lists the facts the rule read; if one fails, the task stays with the
department's handlers, and the audit entry says which condition failed. Nothing else differs from a person's
approval: the item's licences are issued and the tasks waiting for it start (and may be decided by their own rules).

When a task is approved (by a person or a rule), the item's offers (``ServiceItem.offers``) whose conditions hold
for the applicant become ``Offer`` rows: the follow-up bundles the applicant now qualifies for (出生登记 → 育儿补贴).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from portal.applications.models import Application, Offer, OfferStatus, Task
from portal.audit.rules import Actor, record
from portal.catalog.conditions import Facts, Outcome, age_on, evaluate
from portal.catalog.models import Bundle, ServiceItem
from portal.identity.models import Account
from portal.identity.numbers import id_number_birth_date
from portal.applications.errors import ApplicationCode
from portal.problems import Code, Conflicting, Missing
from portal.workdays import SHANGHAI


def rule_actor(rule: str) -> Actor:
    """The audit actor of a decision by rule: no account, the rule's name."""
    return Actor(None, f"rule:{rule}"[:100])


def facts_of(applicant: Account, held: Mapping[str, Any], values: Mapping[str, Any], now: datetime) -> Facts:
    """What a rule may read of an applicant: age and region from a citizen's ID number (an enterprise's region
    from its account), the licence types held, the form's values."""
    age = region = None
    if applicant.id_number:
        age = age_on(id_number_birth_date(applicant.id_number), now.astimezone(SHANGHAI).date())
        region = applicant.id_number[:6]
    elif applicant.region_code:
        region = applicant.region_code
    return Facts(age=age, region=region, held=frozenset(held), values=dict(values))


def instant_rule(item: ServiceItem) -> tuple[str, list[Mapping[str, Any]]] | None:
    """The item's instant-approval rule (name, conditions), if it has one."""
    rule = item.instant_approval or None
    if not rule or not rule.get("all"):
        return None
    return str(rule.get("rule") or item.name), list(rule["all"])


async def record_rule_outcome(task: Task, application: Application, rule: str, outcome: Outcome) -> None:
    """The audit entry of a rule's decision (or of its falling back to a handler), with the facts it read."""
    action = "task.approve" if outcome.passed else "task.rule_declined"
    await record(action, rule_actor(rule), subject_account_id=application.applicant_id, target=f"task:{task.id}",
                 detail={"rule": rule, "decidedBy": "RULE" if outcome.passed else None,
                         "facts": list(outcome.used), "version": task.version})


async def make_offers(application: Application, item: ServiceItem, facts: Facts) -> list[Offer]:
    """The item's offers whose conditions hold for the applicant, as open offers (one open offer per bundle and
    person: an offer already open is not made twice)."""
    offered = []
    for offer in item.offers or ():
        if offer.get("when") and not evaluate(offer["when"], facts).passed:
            continue
        bundle = await Bundle.get_or_none(code=offer["bundle"])
        if bundle is None or await Offer.exists(account_id=application.applicant_id, bundle_id=bundle.id,
                                                status=OfferStatus.OPEN):
            continue
        offered.append(await Offer.create(account_id=application.applicant_id, bundle_id=bundle.id,
                                          reason=str(offer.get("reason") or bundle.name)[:200],
                                          source_application_id=application.id, source_item_code=item.code))
    return offered


async def open_offers(account_id: int) -> list[Offer]:
    """免申即享 the person has not answered yet, newest first."""
    return await Offer.filter(account_id=account_id, status=OfferStatus.OPEN).select_related("bundle").order_by("-id")


async def offer_of(account_id: int, offer_id: int) -> Offer:
    """One of the person's own offers (nobody else's, not even an agent's: an offer is made to a person)."""
    offer = await Offer.get_or_none(id=offer_id, account_id=account_id).select_related("bundle")
    if offer is None:
        raise Missing(Code.NOT_FOUND, "未找到该服务推荐")
    return offer


async def offered_values(offer: Offer, keys: set[str]) -> dict[str, Any]:
    """What the application an offer came from already says, for the offered bundle's form (``keys``)."""
    if offer.source_application_id is None:
        return {}
    source = await Application.get_or_none(id=offer.source_application_id)
    return {k: v for k, v in (source.form_values if source else {}).items() if k in keys}


async def settle(offer: Offer, status: OfferStatus, now: datetime, application_id: int | None = None) -> Offer:
    """Accept or decline an open offer once; answering it again the same way is harmless, the other way a
    conflict."""
    if offer.status is not OfferStatus.OPEN:
        if offer.status is status:
            return offer
        raise Conflicting(ApplicationCode.OFFER_ANSWERED,
                      "该服务推荐已" + ("接受" if offer.status is OfferStatus.ACCEPTED else "谢绝"))
    updated = await Offer.filter(id=offer.id, status=OfferStatus.OPEN).update(
        status=status, decided_at=now, accepted_application_id=application_id)
    if not updated:
        return await settle(await Offer.get(id=offer.id).select_related("bundle"), status, now, application_id)
    offer.status, offer.decided_at, offer.accepted_application_id = status, now, application_id
    return offer
