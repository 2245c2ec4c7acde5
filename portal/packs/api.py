"""Policy packs (服务包 / 明白纸): types, the staff's queries and mutations, the enterprise's inbox and streams.
Thin: ``packs.rules`` decides."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from portal import events
from portal.api.errors import (
    ApiCode,
    Conflict,
    FormInvalid,
    NotFound,
    PermissionDenied,
    PublicError,
    expected_failures_as_values,
    signed_in,
    stream_cursor,
)
from portal.api.pagination import Connection, paginate
from portal.identity import masking
from portal.identity.api import IndustrySection
from portal.identity.models import AccountKind
from portal.identity.principal import Principal
from portal.packs import models, rules
from portal.packs.loaders import PackLoaders
from portal.packs.models import LinkKind, PackStatus
from portal.packs.payloads import PackChanged
from portal.problems import Code, Refused, known_id

strawberry.enum(PackStatus, name="PolicyPackStatus", description="DRAFT (草稿) or PUBLISHED (已发布).")
strawberry.enum(LinkKind, name="PolicyPackLinkKind", description="BUNDLE (一件事), ITEM (事项), DOCUMENT (政策文件).")


@strawberry.type(description="One plain-language point of a pack (明白纸).")
class PackSection:
    heading: str
    text: str


@strawberry.type(description="A bundle or item of the catalog (by code), or a policy document (an https address).")
class PackLink:
    kind: LinkKind
    target: str
    title: str


@strawberry.type(description="How far a pack got: pushed to (targeted), listed by the app (delivered), opened "
                             "(read, once per enterprise); readRate = read / targeted.")
class PackReach:
    region_code: str | None = strawberry.field(description="The enterprises' region (null: every region).")
    region_name: str | None
    targeted: int
    delivered: int
    read: int
    read_rate: float | None

    @classmethod
    def of(cls, reach: rules.Reach) -> PackReach:
        return cls(region_code=reach.region_code, region_name=reach.region_name, targeted=reach.targeted,
                   delivered=reach.delivered, read=reach.read, read_rate=reach.read_rate)


@strawberry.type
class PackFigures:
    total: PackReach
    by_region: list[PackReach]


@strawberry.type(description="A policy pack (服务包): plain-language points for the enterprises of a region and "
                             "of some industries (or all).")
class PolicyPack:
    row: strawberry.Private[models.PolicyPack]
    id: strawberry.ID
    title: str
    summary: str
    sections: list[PackSection]
    links: list[PackLink]
    region_code: str
    industries: list[IndustrySection] = strawberry.field(description="The sections reached; empty for all.")
    all_industries: bool
    department_code: str | None = strawberry.field(description="The publishing department; null for a supervisor's.")
    status: PackStatus
    version: int
    created_at: datetime
    published_at: datetime | None

    @classmethod
    def of(cls, p: models.PolicyPack) -> PolicyPack:
        return cls(row=p, id=strawberry.ID(str(p.id)), title=p.title, summary=p.summary,
                   sections=[PackSection(**s) for s in p.sections],
                   links=[PackLink(kind=LinkKind(link["kind"]), target=link["target"], title=link["title"])
                          for link in p.links],
                   region_code=p.region_code, industries=[IndustrySection.of(code) for code in p.industries],
                   all_industries=not p.industries, department_code=p.department_code, status=p.status,
                   version=p.version, created_at=p.created_at, published_at=p.published_at)

    @strawberry.field(description="Targeted, delivered, read and read rate, in all and by region: for the staff who "
                                  "see the pack; null for anybody else.")
    async def figures(self, info: Info) -> PackFigures | None:
        if not rules.may_see_pack(await info.context.principal(), self.row):
            return None
        by_region = await info.context.loaders(PackLoaders).figures.load(self.row.id)
        return PackFigures(total=PackReach.of(rules.total(by_region)), by_region=[PackReach.of(r) for r in by_region])


@strawberry.type(description="A pack in an enterprise's inbox (服务包收件箱), with its read receipt.")
class PolicyPackDelivery:
    row: strawberry.Private[models.PackDelivery]
    id: strawberry.ID
    pack: PolicyPack
    enterprise_name: str
    pushed_at: datetime
    delivered_at: datetime | None
    read: bool
    read_at: datetime | None

    @classmethod
    def of(cls, d: models.PackDelivery) -> PolicyPackDelivery:
        return cls(row=d, id=strawberry.ID(str(d.id)), pack=PolicyPack.of(d.pack), enterprise_name=d.enterprise.name,
                   pushed_at=d.pushed_at, delivered_at=d.delivered_at, read=d.read, read_at=d.read_at)

    @strawberry.field(description="Who opened it first: the enterprise or an agent acting for it (masked name).")
    async def read_by(self, info: Info) -> str | None:
        if self.row.read_by_id is None:
            return None
        account = await info.context.loaders(PackLoaders).reader.load(self.row.read_by_id)
        return masking.display_name(account, masked=True) if account else None


@strawberry.input
class PackSectionInput:
    heading: str
    text: str


@strawberry.input
class PackLinkInput:
    kind: LinkKind
    target: str = strawberry.field(description="A bundle's or item's code, or a document's https address.")
    title: str | None = strawberry.field(default=None, description="A document's name (catalog links take theirs).")


@strawberry.input
class CreatePolicyPackInput:
    title: str
    summary: str
    sections: list[PackSectionInput]
    region_code: str = strawberry.field(description="The region reached (GB/T 2260: a province, city or county).")
    industries: list[str] = strawberry.field(default_factory=list,
                                             description="GB/T 4754-2017 门类 letters; leave empty with allIndustries.")
    all_industries: bool = False
    links: list[PackLinkInput] = strawberry.field(default_factory=list)
    idempotency_key: str


@strawberry.type
class PackEventRef:
    id: strawberry.ID


@strawberry.type(description="A change of a pack (published, read by an enterprise) or of an inbox (a pack pushed, a "
                             "pack read on another device).")
class PolicyPackEvent:
    cursor: str
    kind: str
    at: datetime
    pack: PackEventRef
    delivery: PackEventRef | None


PolicyPackResult = Annotated[PolicyPack | FormInvalid | PermissionDenied | NotFound | Conflict,
                             strawberry.union("PolicyPackResult")]
PolicyPackDeliveryResult = Annotated[PolicyPackDelivery | NotFound | PermissionDenied,
                                     strawberry.union("PolicyPackDeliveryResult")]


def _pack_id(value: strawberry.ID) -> int:
    return known_id(value, "未找到该服务包")


def _event(message: events.Message) -> PolicyPackEvent:
    change = PackChanged.from_json(message.payload)
    return PolicyPackEvent(cursor=str(message.seq), kind=message.kind, at=message.at,
                           pack=PackEventRef(id=strawberry.ID(str(change.pack_id))),
                           delivery=PackEventRef(id=strawberry.ID(str(change.delivery_id)))
                           if change.delivery_id else None)


async def my_policy_packs(principal: Principal, first: int | None, after: str | None
                          ) -> Connection[PolicyPackDelivery]:
    """``me.policyPacks``: the inbox, unread first; listing a pack counts it delivered (送达)."""
    connection = await paginate(await rules.inbox(principal), first, after, PolicyPackDelivery.of)
    await rules.mark_delivered([edge.node.row for edge in connection.edges])
    for edge in connection.edges:
        edge.node.delivered_at = edge.node.row.delivered_at
    return connection


@strawberry.type
class PackQuery:
    @strawberry.field(description="The packs the signed-in staff member sees (their region's as a supervisor, their "
                                  "department's as a handler), newest first.")
    async def policy_packs(self, info: Info, first: int | None = None, after: str | None = None
                           ) -> Connection[PolicyPack]:
        principal = await info.context.require_principal()
        if not rules.may_publish_somewhere(principal):
            raise PublicError(ApiCode.FORBIDDEN, "只有督办人员和部门经办人可以查看服务包")
        return await paginate(rules.packs_seen_by(principal), first, after, PolicyPack.of)

    @strawberry.field(description="One pack with its figures; null for anyone who may not see it.")
    async def policy_pack(self, info: Info, id: strawberry.ID) -> PolicyPack | None:
        try:
            return PolicyPack.of(await rules.visible(await info.context.principal(), _pack_id(id)))
        except Refused:
            return None


@strawberry.type
class PackMutation:
    @strawberry.mutation(description="Compose a pack (a draft); publishPolicyPack pushes it.")
    @expected_failures_as_values
    async def create_policy_pack(self, info: Info, input: CreatePolicyPackInput) -> PolicyPackResult:
        principal = await signed_in(info)
        draft = rules.Draft(
            title=input.title, summary=input.summary,
            sections=[rules.Section(s.heading, s.text) for s in input.sections], region_code=input.region_code,
            industries=input.industries, all_industries=input.all_industries,
            links=[rules.Link(link.kind, link.target, link.title) for link in input.links])
        return PolicyPack.of(await rules.create(principal, await info.context.actor(), draft,
                                                idempotency_key=input.idempotency_key))

    @strawberry.mutation(description="Publish a draft at the version seen: it is pushed to the enterprises of its "
                                     "region and industries. The publisher's retry returns it again.")
    @expected_failures_as_values
    async def publish_policy_pack(self, info: Info, id: strawberry.ID, version: int) -> PolicyPackResult:
        principal = await signed_in(info)
        return PolicyPack.of(await rules.publish(principal, await info.context.actor(), _pack_id(id), version))

    @strawberry.mutation(description="Open a pack of the inbox: the enterprise's read receipt is recorded the first "
                                     "time (by the enterprise or an agent acting for it).")
    @expected_failures_as_values
    async def open_policy_pack(self, info: Info, id: strawberry.ID) -> PolicyPackDeliveryResult:
        principal = await signed_in(info)
        return PolicyPackDelivery.of(await rules.open_delivery(principal, await info.context.actor(), _pack_id(id)))


@strawberry.type
class PackSubscription:
    @strawberry.subscription(description="The signed-in enterprise's inbox: packs pushed to it, packs read on "
                                         "another device; `after` replays from that cursor, otherwise only new ones.")
    async def policy_pack_inbox(self, info: Info, after: str | None = None
                                ) -> AsyncGenerator[PolicyPackEvent, None]:
        principal = await info.context.require_principal()
        if principal.kind is not AccountKind.ENTERPRISE:
            raise PublicError(ApiCode.FORBIDDEN, "只有企业账号可以接收服务包推送")
        stream = rules.inbox_stream(principal.account_id)
        start = stream_cursor(after) if after else await events.last_seq(stream)
        async for message in events.follow(stream, start):
            yield _event(message)

    @strawberry.subscription(description="A pack's changes for its staff (published, each first read); `after` "
                                         "replays from that cursor.")
    async def policy_pack_updated(self, info: Info, id: strawberry.ID, after: str | None = None
                                  ) -> AsyncGenerator[PolicyPackEvent, None]:
        start = stream_cursor(after)
        try:
            pack = await rules.visible(await info.context.principal(), _pack_id(id))
        except Refused as refused:
            raise PublicError(Code.NOT_FOUND, "未找到该服务包") from refused
        async for message in events.follow(rules.pack_stream(pack.id), start):
            yield _event(message)
