"""Catalog types and queries: departments, service items, bundles and their merged form.

Thin: arguments are checked and passed to ``rules``; nested data comes through the request's loaders.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from copy import copy
from dataclasses import dataclass
from typing import TypeVar

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from portal.api.errors import PublicError, invalid_argument
from portal.api.pagination import Connection, paginate
from portal.api.public import public_field
from portal.applications.rules import NOT_AUTHORISED, Prefill, prefill, prefill_for
from portal.catalog import models, rules
from portal.catalog.loaders import CatalogLoaders
from portal.catalog.models import Audience, FieldType, RegionLevel, Terminal
from portal.catalog.rules import MergedRequirement, SearchError, single_item_code
from portal.db import fits
from portal.identity import masking
from portal.identity.models import Account, AccountKind
from portal.identity.principal import Principal
from portal.problems import Code, Refused, row_id

P = TypeVar("P")

strawberry.enum(Audience, description="Who a service is for: 个人 (CITIZEN), 企业 (ENTERPRISE) or both.")
strawberry.enum(Terminal, description="The five terminals (五端融合).")
strawberry.enum(FieldType)
strawberry.enum(RegionLevel)


@strawberry.type
class Region:
    code: str
    name: str
    level: RegionLevel
    parent_code: str | None
    market_entities: int = strawberry.field(description="Registered market entities (经营主体) in the region.")


@strawberry.type
class Department:
    id: strawberry.Private[int]
    code: str
    name: str
    region_code: str

    @classmethod
    def from_row(cls, row: models.Department) -> Department:
        return cls(id=row.id, code=row.code, name=row.name, region_code=row.region_code)

    @public_field
    async def region(self, info: Info) -> Region:
        row = await info.context.loaders(CatalogLoaders).region.load(self.region_code)
        return Region(code=row.code, name=row.name, level=row.level, parent_code=row.parent_code,
                      market_entities=row.market_entities)


@strawberry.type
class CertificateType:
    code: str
    name: str


@strawberry.type
class SelectOption:
    value: str
    label: str


@strawberry.type(description="Validation beyond the field's type; absent values do not apply.")
class FieldValidation:
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    min: float | None = None
    max: float | None = None
    integer: bool | None = None
    not_after_today: bool | None = None
    not_before_today: bool | None = None
    multiline: bool | None = strawberry.field(default=None, description="Free text over several lines (a text area).")


@strawberry.type(description="A form field by its canonical key; `items` are the service items that ask for it.")
class FormField:
    key: str
    label: str
    type: FieldType
    required: bool
    hint: str
    options: list[SelectOption]
    validation: FieldValidation
    items: list[str]
    value: JSON | None = strawberry.field(
        default=None, description="Prefilled for the signed-in applicant (masked on TV and kiosk screens; a value "
                                  "left out of the submission is taken from the same source).")
    prefilled_from: str | None = strawberry.field(default=None, description="PROFILE or CERTIFICATE:<type>.")


@strawberry.type(description="An e-licence the applicant holds that stands in for a material (免证办).")
class HeldLicence:
    type: str
    name: str
    number: str


@strawberry.type(description="A material; when the applicant holds `certificateType` as an e-licence it needs no upload.")
class FormMaterial:
    code: str
    name: str
    required: bool
    certificate_type: CertificateType | None
    items: list[str]
    held_licence: HeldLicence | None = strawberry.field(
        default=None, description="Attached without upload: the signed-in applicant holds this e-licence.")
    issued_by: str | None = strawberry.field(
        default=None, description="Needs no upload either: this item of the bundle issues it before the items "
                                  "that require it (e.g. 出生医学证明 for 出生登记).")


async def form_fields(info: Info, merged: Sequence[MergedRequirement]) -> list[FormField]:
    definitions = await info.context.loaders(CatalogLoaders).field_definition.load_many([m.ref for m in merged])
    return [
        FormField(key=d.key, label=d.label, type=d.type, required=m.required, hint=d.hint,
                  options=[SelectOption(**o) for o in d.options], validation=FieldValidation(**{
                      _SNAKE[k]: v for k, v in d.validation.items()}), items=list(m.item_codes))
        for m, d in zip(merged, definitions)
    ]


async def form_materials(info: Info, merged: Sequence[MergedRequirement]) -> list[FormMaterial]:
    loaders = info.context.loaders(CatalogLoaders)
    definitions = await loaders.material_definition.load_many([m.ref for m in merged])
    types = await loaders.certificate_type.load_many([d.certificate_type_code for d in definitions
                                                      if d.certificate_type_code])
    by_code = {t.code: CertificateType(code=t.code, name=t.name) for t in types}
    return [
        FormMaterial(code=d.code, name=d.name, required=m.required, items=list(m.item_codes),
                     certificate_type=by_code.get(d.certificate_type_code) if d.certificate_type_code else None)
        for m, d in zip(merged, definitions)
    ]


_SNAKE = {"minLength": "min_length", "maxLength": "max_length", "pattern": "pattern", "min": "min", "max": "max",
          "integer": "integer", "notAfterToday": "not_after_today", "notBeforeToday": "not_before_today",
          "multiline": "multiline"}


@strawberry.type(description="事项: one legally defined procedure of one department.")
class ServiceItem:
    id: strawberry.Private[int]
    department_id: strawberry.Private[int]
    code: str
    name: str
    audience: Audience
    legal_days: int = strawberry.field(description="法定时限, working days.")
    promised_days: int = strawberry.field(description="承诺时限, working days; 0 = 即办.")
    fee: str = strawberry.field(description="Fee in yuan, two decimals.")
    channels: list[Terminal]
    description: str
    keywords: list[str]
    issues: list[str] = strawberry.field(description="Certificate types a completed task of this item issues.")
    legal_basis: list[str] = strawberry.field(
        description="法律依据: the laws and regulations, each with its article, the item rests on.")

    @classmethod
    def from_row(cls, row: models.ServiceItem) -> ServiceItem:
        return cls(id=row.id, department_id=row.department_id, code=row.code, name=row.name, audience=row.audience,
                   legal_days=row.legal_days, promised_days=row.promised_days, fee=f"{row.fee:.2f}",
                   channels=[Terminal(c) for c in row.channels], description=row.description,
                   keywords=row.keywords.split(), issues=list(row.issues), legal_basis=list(row.legal_basis))

    @public_field(description="The bundle of one to apply for this item on its own (单事项办理).")
    def bundle_code(self) -> str:
        return single_item_code(self.code)

    @public_field(graphql_type=Department)
    def department(self, info: Info) -> Department | Awaitable[Department]:
        view = catalog_view(info)
        if view is not None and self.department_id in view.departments:
            return view.departments[self.department_id]  # no awaitable: graphql-core completes it in line
        return self._department(info)

    async def _department(self, info: Info) -> Department:
        return Department.from_row(await info.context.loaders(CatalogLoaders).department.load(self.department_id))

    @public_field
    async def fields(self, info: Info) -> list[FormField]:
        links = await info.context.loaders(CatalogLoaders).item_fields.load(self.id)
        return await form_fields(info, [MergedRequirement(f.field_key, f.required, (self.code,)) for f in links])

    @public_field
    async def materials(self, info: Info) -> list[FormMaterial]:
        links = await info.context.loaders(CatalogLoaders).item_materials.load(self.id)
        return await form_materials(info, [MergedRequirement(m.material_code, m.required, (self.code,)) for m in links])


@strawberry.type(name="BundleItem")
class BundleMember:
    item: ServiceItem
    prerequisites: list[str] = strawberry.field(description="Codes of the items that must be done first.")


@strawberry.type(description="一表申请: the union of the items' fields and materials, each asked once.")
class BundleForm:
    bundle_id: strawberry.Private[int]
    bundle_code: strawberry.Private[str]
    applicant_id: strawberry.Private[int | None] = None

    async def _merged(self, info: Info, loader_name: str, key: str) -> list[MergedRequirement]:
        loaders = info.context.loaders(CatalogLoaders)
        links = await loaders.bundle_items.load(self.bundle_id)
        per_item = await getattr(loaders, loader_name).load_many([link.item_id for link in links])
        return rules.merge_requirements([
            (link.item.code, [(getattr(r, key), r.required) for r in requirements])
            for link, requirements in zip(links, per_item)])

    @strawberry.field(description="What the form asks: fields an earlier item of the bundle issues are left out "
                                  "(出生登记 issues the child's identity number the later items need).")
    async def fields(self, info: Info) -> list[FormField]:
        fields = await public_part(info, ("form fields", self.bundle_id), lambda: self._public_fields(info))
        known = await applicant_prefill(info, self.bundle_code, self.applicant_id)
        if known is not None:
            masked = info.context.masked_terminal
            for field in fields:
                if field.key in known.values:
                    value, source = known.values[field.key]
                    field.value, field.prefilled_from = (masked_value(field, value) if masked else value), source
        return fields

    @strawberry.field
    async def materials(self, info: Info) -> list[FormMaterial]:
        materials = await public_part(info, ("form materials", self.bundle_id), lambda: self._public_materials(info))
        known = await applicant_prefill(info, self.bundle_code, self.applicant_id)
        if known is not None:
            for material in materials:
                if material.code in known.licences:
                    licence = known.licences[material.code]
                    material.held_licence = HeldLicence(
                        type=licence.type_code, name=material.certificate_type.name if material.certificate_type
                        else material.name, number=masking.licence_number(licence.number))
        return materials

    async def _public_fields(self, info: Info) -> list[FormField]:
        merged = await self._merged(info, "item_fields", "field_key")
        issued = rules.produced_on_the_way(await info.context.loaders(CatalogLoaders).bundle_items.load(self.bundle_id),
                                           merged)
        return await form_fields(info, [m for m in merged if m.ref not in issued])

    async def _public_materials(self, info: Info) -> list[FormMaterial]:
        merged = await self._merged(info, "item_materials", "material_code")
        materials = await form_materials(info, merged)
        loaders = info.context.loaders(CatalogLoaders)
        definitions = await loaders.material_definition.load_many([m.ref for m in merged])
        provided = rules.issued_on_the_way(await loaders.bundle_items.load(self.bundle_id),
                                           list(zip(definitions, merged)))
        for material in materials:
            material.issued_by = provided.get(material.code)
        return materials

    @strawberry.field(description="Share of the form's materials the applicant's e-licences attach without upload; "
                                  "null when anonymous.")
    async def certificate_free_share(self, info: Info) -> float | None:
        known = await applicant_prefill(info, self.bundle_code, self.applicant_id)
        if known is None:
            return None
        materials = await self._merged(info, "item_materials", "material_code")
        return round(len(known.licences) / len(materials), 4) if materials else 0.0


async def public_part(info: Info, key: tuple[str, int], build: Callable[[], Awaitable[list[P]]]) -> list[P]:
    """A form's public part (its fields or materials, the same for every applicant until the catalog changes):
    built once per version of the public data and kept in ``PublicData.derived``. Each request gets copies, on
    which it sets what is the applicant's own (prefilled values, held e-licences)."""
    public = getattr(info.context, "public", None)
    if public is None:
        return await build()
    found = public.derived.get(key)
    if found is None:
        version = public.version
        found = await build()
        if public.version == version:
            public.derived[key] = found
    return [copy(part) for part in found]


async def applicant_prefill(info: Info, bundle_code: str, applicant_id: int | None = None) -> Prefill | None:
    """What the portal knows for the applicant's form of this bundle (once per request): the signed-in applicant's,
    or with ``applicant_id`` the person's the viewer may apply for (``applications.rules.prefill_for``: checked and
    written to the person's access log once per request)."""
    principal = await info.context.principal()
    if applicant_id is None and (principal is None or principal.kind is AccountKind.STAFF):
        return None
    key = ("prefill", bundle_code, applicant_id)
    memo = info.context.memo
    if key not in memo:
        # One lookup shared by the resolvers asking at the same time (fields, materials, the share): otherwise
        # each of them would read the applicant and the e-licences again.
        lookup = memo[key] = asyncio.ensure_future(_prefill(info, principal, bundle_code, applicant_id))
        # A refusal is not remembered: asked again later (on a WebSocket connection), it is decided afresh.
        lookup.add_done_callback(lambda done: done.cancelled() or done.exception() is None or memo.pop(key, None))
    return await asyncio.shield(memo[key])


async def _prefill(info: Info, principal: Principal | None, bundle_code: str, applicant_id: int | None
                   ) -> Prefill | None:
    offer = await rules.bundle_on_offer(bundle_code, info.context.public.offers)
    if offer is None:
        return None
    if applicant_id is None:
        return await prefill(await Account.get(id=principal.account_id), offer.form)
    try:
        return await prefill_for(principal, await info.context.actor(), applicant_id, bundle_code, offer.form)
    except Refused as refused:
        raise PublicError(refused.code, refused.message) from refused


def masked_value(field: FormField, value: object) -> object:
    """On TV and kiosk screens personal values are shown masked."""
    if not isinstance(value, str):
        return value
    if field.type is FieldType.ID_NUMBER:
        return masking.id_number(value)
    if field.type is FieldType.PHONE:
        return masking.phone(value)
    if field.type is FieldType.CREDIT_CODE:
        return masking.credit_code(value)
    if field.key.endswith(".name") and not field.key.startswith("enterprise."):
        return masking.name(value)
    return value


@strawberry.type(description="一件事: a life or business event handled through several items with one form.")
class Bundle:
    id: strawberry.Private[int]
    code: str
    name: str
    description: str
    audience: Audience
    national: bool = strawberry.field(description="One of the State Council's key 'one things' of 2024.")
    keywords: list[str]
    promised_days: int = strawberry.field(
        description="Working days along the longest chain of prerequisites (independent items run in parallel).")
    single_item: bool = strawberry.field(
        description="单事项: one item applied for on its own, as a bundle of one (same form, tracking and rating).")

    @classmethod
    def from_row(cls, row: models.Bundle) -> Bundle:
        return cls(id=row.id, code=row.code, name=row.name, description=row.description, audience=row.audience,
                   national=row.national, keywords=row.keywords.split(), promised_days=row.promised_days,
                   single_item=row.single_item)

    @public_field(graphql_type=list[BundleMember])
    def items(self, info: Info) -> list[BundleMember] | Awaitable[list[BundleMember]]:
        view = catalog_view(info)
        if view is not None and self.id in view.members:
            return view.members[self.id]  # no awaitable: graphql-core completes the list in line
        return self._items(info)

    async def _items(self, info: Info) -> list[BundleMember]:
        links = await info.context.loaders(CatalogLoaders).bundle_items.load(self.id)
        return [BundleMember(item=ServiceItem.from_row(link.item), prerequisites=list(link.prerequisites))
                for link in links]

    @public_field(description="Terminals on which every item of the bundle can be applied for.",
                  graphql_type=list[Terminal])
    def channels(self, info: Info) -> list[Terminal] | Awaitable[list[Terminal]]:
        view = catalog_view(info)
        if view is not None and self.id in view.members:
            return view.channels.get(self.id, [])
        return self._channels(info)

    async def _channels(self, info: Info) -> list[Terminal]:
        return [Terminal(c.terminal) for c in await info.context.loaders(CatalogLoaders).bundle_channels.load(self.id)]

    @strawberry.field(description="The merged form, prefilled for the signed-in applicant, or with `applicantId` for "
                                  "the person the viewer may apply for (an enterprise's agent, a family member for "
                                  "this bundle, a window clerk within the person's consent by scan: 窗口代办); "
                                  "that read is in the person's access log. NOT_AUTHORISED for anyone else.")
    async def form(self, info: Info, applicant_id: strawberry.ID | None = None) -> BundleForm:
        if applicant_id is None:
            return BundleForm(bundle_id=self.id, bundle_code=self.code)
        number = row_id(applicant_id)
        if number is None:
            raise PublicError(Code.NOT_AUTHORISED, NOT_AUTHORISED)
        await applicant_prefill(info, self.code, number)  # refused here, at `form`, not at each of its fields
        return BundleForm(bundle_id=self.id, bundle_code=self.code, applicant_id=number)


@dataclass(frozen=True)
class CatalogView:
    """The catalog's members as the API shows them (each bundle's items with their departments, its channels),
    built once per version of the public data and kept in ``PublicData.derived`` (dropped when any process
    changes the catalog, as the cached responses are). A list page then resolves its nested fields in line,
    from memory: no loader, no awaitable per bundle and per item, no model built per row. The objects are
    shared by every request and never changed. A bundle the view does not know (made after it was built)
    falls back to the loaders."""

    departments: dict[int, Department]
    members: dict[int, list[BundleMember]]
    channels: dict[int, list[Terminal]]

    @classmethod
    async def load(cls) -> CatalogView:
        departments = {d.id: Department.from_row(d) for d in await models.Department.all()}
        items = {i.id: ServiceItem.from_row(i) for i in await models.ServiceItem.all()}
        members: dict[int, list[BundleMember]] = defaultdict(list)
        for link in await models.BundleItem.all().order_by("bundle_id", "sort"):
            members[link.bundle_id].append(BundleMember(item=items[link.item_id],
                                                        prerequisites=list(link.prerequisites)))
        channels: dict[int, list[Terminal]] = defaultdict(list)
        for channel in await models.BundleChannel.all().order_by("bundle_id", "terminal"):
            channels[channel.bundle_id].append(Terminal(channel.terminal))
        return cls(departments, dict(members), dict(channels))


def catalog_view(info: Info) -> CatalogView | None:
    """This version's view, when built (a schema run without the portal's context has none)."""
    public = getattr(info.context, "public", None)
    return public.derived.get(CatalogView) if public is not None else None


async def with_catalog_view(info: Info) -> None:
    """Make sure this version's ``CatalogView`` is there (built by the first request that needs it)."""
    public = getattr(info.context, "public", None)
    if public is not None and CatalogView not in public.derived:
        version = public.version
        view = await CatalogView.load()
        if public.version == version:
            public.derived[CatalogView] = view


@contextmanager
def search_argument() -> Iterator[None]:
    """A search text the rules refuse is an error on the `search` argument."""
    try:
        yield
    except SearchError as exc:
        raise invalid_argument("search", exc.message, code=exc.code) from exc


@strawberry.type
class CatalogQuery:
    @strawberry.field(description="All departments, in catalog order.")
    async def departments(self) -> list[Department]:
        return [Department.from_row(d) for d in await rules.departments()]

    @strawberry.field(description="Bundles, filtered, searched (name matches rank first) and paged. A search also "
                                  "finds single items (单事项, `singleItem: true`) ranked with the bundles; "
                                  "`singleItems` says it outright.")
    async def bundles(self, info: Info, audience: Audience | None = None, terminal: Terminal | None = None,
                      search: str | None = None, first: int | None = None, after: str | None = None,
                      single_items: bool | None = None) -> Connection[Bundle]:
        with search_argument():
            query = rules.bundle_query(audience=audience, terminal=terminal, search=search, single_items=single_items)
        await with_catalog_view(info)
        return await paginate(query, first, after, Bundle.from_row)

    @strawberry.field
    async def bundle(self, info: Info, code: str) -> Bundle | None:
        await with_catalog_view(info)  # its items and channels from memory
        row = await models.Bundle.get_or_none(code=code) if fits(models.Bundle, "code", code) else None
        return Bundle.from_row(row) if row else None

    @strawberry.field(description="Service items, filtered, searched and paged.")
    async def service_items(self, audience: Audience | None = None, department_code: str | None = None,
                            search: str | None = None, first: int | None = None,
                            after: str | None = None) -> Connection[ServiceItem]:
        with search_argument():
            query = rules.service_item_query(audience=audience, department_code=department_code, search=search)
        return await paginate(query, first, after, ServiceItem.from_row)

    @strawberry.field
    async def service_item(self, code: str) -> ServiceItem | None:
        row = await models.ServiceItem.get_or_none(code=code) if fits(models.ServiceItem, "code", code) else None
        return ServiceItem.from_row(row) if row else None
