"""服务包 / 明白纸: policy packs composed by staff, pushed to the enterprises of a region and industries, read
receipts counted. No GraphQL here.

Who publishes (``may_publish``): a supervisor (督办) for a region they supervise (``policy.may_supervise``: their
region and what lies within it; an administrator everywhere), and a department handler in the name of their own
department, for the department's region or a region within it (a city bureau for the city or one of its
counties, never a neighbouring city). A pack is seen, with its figures, by the supervisors of its region and the
handlers of its department.

Who is reached (``targets``): every enterprise account whose registration region (GB 32100 positions 3–8 of its
credit code) lies within the pack's region (``regions.covers``: a county pack reaches that county only) and whose
industry (GB/T 4754-2017 门类, ``Account.industry``) is one the pack names; a pack for all industries also reaches
enterprises that have not named theirs. The enterprises reached are fixed when the pack is published.

Figures per pack: targeted (pushed), delivered (listed by the enterprise's app), read (opened once per
enterprise, by it or an agent acting for it), the read rate (read / targeted), and the same per region.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TypeVar
from urllib.parse import urlsplit

from tortoise.exceptions import IntegrityError
from tortoise.functions import Max
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from portal import db, events
from portal.appeals.rules import region_of_credit_code, written
from portal.audit.rules import Actor, record
from portal.catalog.models import Bundle, Department, Region, ServiceItem
from portal.idempotency import check_key, request_hash
from portal.identity.industries import check_industry
from portal.identity.models import Account, AccountKind, EnterpriseAgent, Role
from portal.identity.policy import has_role, may_act_for, may_handle_department, may_supervise
from portal.identity.principal import Principal
from portal.packs.errors import PackCode
from portal.packs.models import LinkKind, PackDelivery, PackStatus, PolicyPack
from portal.packs.payloads import PackChanged
from portal.problems import Code, Conflicting, Forbidden, FormProblems, InvalidField, Missing
from portal.regions import check_region_code, covers, within

T = TypeVar("T")
MAX_SECTIONS = 20
MAX_LINKS = 10
PUBLISH_ATTEMPTS = 3
EVENT_BATCH = 500


def pack_stream(pack_id: int) -> str:
    return f"pack:{pack_id}"


def inbox_stream(account_id: int) -> str:
    """An enterprise's inbox: packs pushed to it, packs read on another device."""
    return f"packs:account:{account_id}"


@dataclass(frozen=True)
class Section:
    heading: str
    text: str


@dataclass(frozen=True)
class Link:
    kind: LinkKind
    target: str
    title: str | None = None


@dataclass(frozen=True)
class Draft:
    """What a publisher wrote, as the API hands it over (checked here)."""

    title: str
    summary: str
    sections: Sequence[Section]
    region_code: str
    industries: Sequence[str]
    all_industries: bool
    links: Sequence[Link] = ()


# --- who ------------------------------------------------------------------------------------------------------


def may_publish_somewhere(principal: Principal | None) -> bool:
    return has_role(principal, Role.SUPERVISOR, Role.ADMIN) or (
        has_role(principal, Role.DEPARTMENT_HANDLER) and bool(principal.department_code))


async def may_publish(principal: Principal | None, region_code: str) -> bool:
    """A supervisor for a region they supervise; a department handler for their department's region or within it."""
    if may_supervise(principal, region_code):
        return True
    if not has_role(principal, Role.DEPARTMENT_HANDLER) or not principal.department_code:
        return False
    home = await Department.filter(code=principal.department_code).values_list("region_code", flat=True)
    return bool(home) and covers(home[0], region_code)


def may_see_pack(principal: Principal | None, pack: PolicyPack) -> bool:
    """The supervisors of the pack's region and the handlers of its department see it and its figures."""
    return may_supervise(principal, pack.region_code) or (
        pack.department_code is not None and may_handle_department(principal, pack.department_code))


def packs_seen_by(principal: Principal) -> QuerySet[PolicyPack]:
    """The packs a staff member sees, newest first (nothing for anybody else)."""
    if has_role(principal, Role.ADMIN):
        return PolicyPack.all().order_by("-id")
    if has_role(principal, Role.SUPERVISOR) and principal.region_code:
        return PolicyPack.filter(within(principal.region_code)).order_by("-id")
    if has_role(principal, Role.DEPARTMENT_HANDLER) and principal.department_code:
        return PolicyPack.filter(department_code=principal.department_code).order_by("-id")
    return PolicyPack.filter(id__in=[])


async def visible(principal: Principal | None, pack_id: int) -> PolicyPack:
    pack = await PolicyPack.get_or_none(id=pack_id)
    if pack is None or not may_see_pack(principal, pack):
        raise Missing(Code.NOT_FOUND, "未找到该服务包")
    return pack


# --- composing --------------------------------------------------------------------------------------------------


class _Form:
    """Collects every refused field of a form, to report them at once."""

    def __init__(self) -> None:
        self.problems: list[InvalidField] = []

    def check(self, check: Callable[[], T]) -> T | None:
        try:
            return check()
        except InvalidField as problem:
            self.problems.append(problem)
            return None

    def done(self) -> None:
        if self.problems:
            raise FormProblems(self.problems)


def _sections(form: _Form, sections: Sequence[Section]) -> list[dict[str, str]]:
    if not sections:
        form.problems.append(InvalidField("sections", Code.REQUIRED, "请至少写一条要点"))
        return []
    if len(sections) > MAX_SECTIONS:
        form.problems.append(InvalidField("sections", PackCode.TOO_MANY_SECTIONS, f"要点不能超过{MAX_SECTIONS}条"))
        return []
    checked = []
    for index, section in enumerate(sections):
        heading = form.check(lambda: written(section.heading, f"sections.{index}.heading", "要点标题", 2, 50,
                                             multiline=False))
        text = form.check(lambda: written(section.text, f"sections.{index}.text", "要点内容", 5, 2000))
        checked.append({"heading": heading or "", "text": text or ""})
    return checked


def _industries(form: _Form, industries: Sequence[str], all_industries: bool) -> list[str]:
    """Named sections, or none for all industries: one or the other."""
    if all_industries and industries:
        form.problems.append(InvalidField("industries", PackCode.INDUSTRIES_OR_ALL, "选择了全部行业时不能再指定行业"))
        return []
    if not all_industries and not industries:
        form.problems.append(InvalidField("industries", Code.REQUIRED, "请选择至少一个行业，或选择全部行业"))
        return []
    chosen = [form.check(lambda: check_industry(code, field=f"industries.{index}"))
              for index, code in enumerate(industries)]
    return sorted({c.value for c in chosen if c is not None})


async def _links(form: _Form, links: Sequence[Link]) -> list[dict[str, str]]:
    """Bundles and items of the catalog by code (titled by their names), documents by an https address."""
    if len(links) > MAX_LINKS:
        form.problems.append(InvalidField("links", PackCode.TOO_MANY_LINKS, f"链接不能超过{MAX_LINKS}个"))
        return []
    checked = []
    for index, link in enumerate(links):
        field = f"links.{index}.target"
        target = (link.target or "").strip()
        if link.kind is LinkKind.DOCUMENT:
            parts = urlsplit(target) if len(target) <= 300 else None
            title = form.check(lambda: written(link.title, f"links.{index}.title", "文件名称", 2, 100,
                                               multiline=False))
            if parts is None or parts.scheme != "https" or not parts.netloc:
                form.problems.append(InvalidField(field, PackCode.BAD_URL, "政策文件链接须为 https:// 开头的网址"))
            elif title:
                checked.append({"kind": link.kind.value, "target": target, "title": title})
            continue
        model = Bundle if link.kind is LinkKind.BUNDLE else ServiceItem
        found = await model.filter(code=target).values_list("name", flat=True) if db.fits(model, "code", target) \
            else []
        if not found:
            form.problems.append(InvalidField(field, PackCode.UNKNOWN_LINK, "服务目录中没有这个一件事或事项"))
        else:
            checked.append({"kind": link.kind.value, "target": target, "title": found[0]})
    return checked


async def create(principal: Principal, actor: Actor, draft: Draft, *, idempotency_key: str) -> PolicyPack:
    """Compose a pack (a draft, version 1). The same key from the same account returns the first draft."""
    if not may_publish_somewhere(principal):
        raise Forbidden(PackCode.PUBLISHERS_ONLY, "只有督办人员和部门经办人可以编发服务包")
    form = _Form()
    key = form.check(lambda: check_key(idempotency_key))
    title = form.check(lambda: written(draft.title, "title", "标题", 5, 100, multiline=False))
    summary = form.check(lambda: written(draft.summary, "summary", "摘要", 10, 500))
    sections = _sections(form, draft.sections)
    region = form.check(lambda: check_region_code("regionCode", draft.region_code))
    if region is not None and not await Region.exists(code=region):
        form.problems.append(InvalidField("regionCode", PackCode.UNKNOWN_REGION_CODE, "没有这个行政区划"))
        region = None
    industries = _industries(form, draft.industries, draft.all_industries)
    links = await _links(form, draft.links)
    form.done()
    assert key is not None and region is not None
    if not await may_publish(principal, region):
        raise Forbidden(PackCode.OUTSIDE_SCOPE, "您只能向本人督办区域或本部门所在区域内的企业发布服务包")
    values = {"title": title, "summary": summary, "sections": sections, "links": links, "region_code": region,
              "industries": industries}
    digest = request_hash(values)
    existing = await PolicyPack.get_or_none(created_by_id=principal.account_id, idempotency_key=key)
    if existing is not None:
        if existing.request_hash != digest:
            raise Conflicting(Code.IDEMPOTENCY_KEY_REUSED, "该请求标识已用于另一个不同的服务包")
        return existing
    department = principal.department_code if has_role(principal, Role.DEPARTMENT_HANDLER) else None
    try:
        async with in_transaction():
            pack = await PolicyPack.create(**values, department_code=department, created_by_id=principal.account_id,
                                           idempotency_key=key, request_hash=digest)
            await record("pack.created", actor, target=f"pack:{pack.id}", detail={"region": region})
    except IntegrityError:
        existing = await PolicyPack.get_or_none(created_by_id=principal.account_id, idempotency_key=key)
        if existing is None or existing.request_hash != digest:
            raise
        return existing
    return pack


# --- publishing -------------------------------------------------------------------------------------------------


def reaches(pack_region: str, industries: Sequence[str], credit_code: str, industry: str | None) -> bool:
    """Whether a pack of ``pack_region`` for ``industries`` (none: all) reaches an enterprise of that credit code
    and industry (the module's targeting rule, for one enterprise)."""
    return covers(pack_region, region_of_credit_code(credit_code)) and (not industries or industry in industries)


async def targets(pack: PolicyPack) -> list[tuple[int, str]]:
    """The enterprises a pack reaches now: (account id, region code), by id."""
    query = Account.filter(kind=AccountKind.ENTERPRISE, disabled=False, credit_code__isnull=False)
    if pack.industries:
        query = query.filter(industry__in=list(pack.industries))
    rows = await query.order_by("id").values_list("id", "credit_code", "industry")
    return [(account_id, region_of_credit_code(code)) for account_id, code, industry in rows
            if reaches(pack.region_code, pack.industries, code, industry)]


async def _push(pack: PolicyPack, now: datetime) -> list[events.Event]:
    """Deliver the pack to every enterprise it reaches and tell each inbox (inside the publishing transaction)."""
    reached = await targets(pack)
    await PackDelivery.bulk_create([PackDelivery(pack_id=pack.id, enterprise_id=account_id, region_code=region,
                                                 pushed_at=now) for account_id, region in reached])
    deliveries = dict(await PackDelivery.filter(pack_id=pack.id).values_list("enterprise_id", "id"))
    streams = {account_id: inbox_stream(account_id) for account_id, _ in reached}
    tops = dict(await events.Event.filter(stream__in=list(streams.values())).group_by("stream").annotate(
        top=Max("seq")).values_list("stream", "top")) if streams else {}
    appended: list[events.Event] = []
    rows = [events.Event(stream=stream, seq=(tops.get(stream) or 0) + 1, kind="pack.pushed", at=now,
                         payload=PackChanged(pack.id, deliveries[account_id]).to_json())
            for account_id, stream in streams.items()]
    for start in range(0, len(rows), EVENT_BATCH):
        batch = rows[start:start + EVENT_BATCH]
        await db.insert_all(batch, by="stream")
        appended += batch
    await PolicyPack.filter(id=pack.id).update(targeted=len(reached))
    return appended


async def publish(principal: Principal, actor: Actor, pack_id: int, version: int) -> PolicyPack:
    """Publish a draft once, at the version the publisher saw: of two publishing at once one wins and the other
    is told it is already published; the winner's own retry gets the published pack back."""
    pack = await visible(principal, pack_id)
    if not await may_publish(principal, pack.region_code):
        raise Forbidden(PackCode.OUTSIDE_SCOPE, "您只能向本人督办区域或本部门所在区域内的企业发布服务包")
    for attempt in range(PUBLISH_ATTEMPTS):
        now = datetime.now(timezone.utc)
        try:
            async with in_transaction():
                updated = await PolicyPack.filter(id=pack.id, version=version, status=PackStatus.DRAFT).update(
                    status=PackStatus.PUBLISHED, version=version + 1, published_at=now,
                    published_by_id=principal.account_id)
                if not updated:
                    return await _already_published(principal, pack.id, version)
                fresh = await PolicyPack.get(id=pack.id)
                pushed = await _push(fresh, now)
                await record("pack.published", actor, target=f"pack:{pack.id}",
                             detail={"region": fresh.region_code, "industries": list(fresh.industries),
                                     "targeted": len(pushed)})
                published = [*pushed, await events.append_next(pack_stream(pack.id), "pack.published",
                                                               PackChanged(pack.id))]
        except IntegrityError:
            # Another pack reached one of these inboxes at the same moment (its event number): push again.
            if attempt == PUBLISH_ATTEMPTS - 1:
                raise
            continue
        await events.publish(published)
        return await PolicyPack.get(id=pack.id)
    raise AssertionError("unreachable")


async def _already_published(principal: Principal, pack_id: int, version: int) -> PolicyPack:
    current = await PolicyPack.get(id=pack_id)
    if current.status is PackStatus.PUBLISHED and current.version == version + 1 \
            and current.published_by_id == principal.account_id:
        return current  # the publisher's own retry
    if current.status is PackStatus.PUBLISHED:
        raise Conflicting(Code.INVALID_TRANSITION, "该服务包已经发布")
    raise Conflicting(Code.STALE_VERSION, "该服务包已被修改，请刷新后再发布")


# --- the enterprise's inbox -----------------------------------------------------------------------------------


async def enterprises_of(principal: Principal) -> list[int]:
    """The enterprises whose inbox the viewer reads: its own (an enterprise), its employers' (an agent)."""
    if principal.kind is AccountKind.ENTERPRISE:
        return [principal.account_id]
    if principal.kind is AccountKind.CITIZEN:
        return list(await EnterpriseAgent.filter(agent_id=principal.account_id, revoked_at__isnull=True)
                    .values_list("enterprise_id", flat=True))
    return []


async def inbox(principal: Principal) -> QuerySet[PackDelivery]:
    """The packs pushed to the viewer's enterprises: unread first, then newest first."""
    return PackDelivery.filter(enterprise_id__in=await enterprises_of(principal)).order_by(
        "read", "-pushed_at", "-id").select_related("pack", "enterprise")


async def mark_delivered(deliveries: Sequence[PackDelivery]) -> None:
    """送达: the enterprise's app listed these packs (the first time counts)."""
    ids = [d.id for d in deliveries if d.delivered_at is None]
    if ids:
        now = datetime.now(timezone.utc)
        await PackDelivery.filter(id__in=ids, delivered_at__isnull=True).update(delivered_at=now)
        for delivery in deliveries:
            delivery.delivered_at = delivery.delivered_at or now


async def open_delivery(principal: Principal, actor: Actor, delivery_id: int) -> PackDelivery:
    """Opening a pack records its read receipt once per enterprise: the first opening, by the enterprise or by an
    agent acting for it (``read_by`` names who); later openings change nothing."""
    delivery = await PackDelivery.get_or_none(id=delivery_id).select_related("pack", "enterprise")
    if delivery is None or not await may_act_for(principal, delivery.enterprise_id):
        raise Missing(Code.NOT_FOUND, "未找到该服务包")
    if delivery.read:
        return delivery
    now = datetime.now(timezone.utc)
    async with in_transaction():
        updated = await PackDelivery.filter(id=delivery.id, read=False).update(
            read=True, read_at=now, read_by_id=principal.account_id, delivered_at=delivery.delivered_at or now)
        if updated:
            await record("pack.read", actor, target=f"pack:{delivery.pack_id}", subject_account_id=delivery.enterprise_id,
                         detail={"delivery": delivery.id})
            change = PackChanged(delivery.pack_id, delivery.id)
            published = [await events.append_next(pack_stream(delivery.pack_id), "pack.read", change),
                         await events.append_next(inbox_stream(delivery.enterprise_id), "pack.read", change)]
    if updated:
        await events.publish(published)
    return await PackDelivery.get(id=delivery.id).select_related("pack", "enterprise")


# --- figures --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reach:
    """How far a pack got in one region, or in all."""

    region_code: str | None
    region_name: str | None
    targeted: int
    delivered: int
    read: int

    @property
    def read_rate(self) -> float | None:
        return round(self.read / self.targeted, 4) if self.targeted else None


async def figures(pack_ids: Sequence[int]) -> dict[int, list[Reach]]:
    """Per pack, its reach in each region (by region code) of the enterprises it was pushed to, in one query
    (and one for the regions' names)."""
    rows = await PackDelivery.filter(pack_id__in=list(pack_ids)).values_list(
        "pack_id", "region_code", "delivered_at", "read")
    counts: dict[int, dict[str, list[int]]] = {pack_id: {} for pack_id in pack_ids}
    for pack_id, region, delivered_at, read in rows:
        tally = counts[pack_id].setdefault(region, [0, 0, 0])
        tally[0] += 1
        tally[1] += delivered_at is not None
        tally[2] += bool(read)
    codes = {region for by_region in counts.values() for region in by_region}
    names = dict(await Region.filter(code__in=list(codes)).values_list("code", "name")) if codes else {}
    return {pack_id: [Reach(region, names.get(region), *tally) for region, tally in sorted(by_region.items())]
            for pack_id, by_region in counts.items()}


def total(by_region: Sequence[Reach]) -> Reach:
    return Reach(None, None, sum(r.targeted for r in by_region), sum(r.delivered for r in by_region),
                 sum(r.read for r in by_region))

