"""Catalog rules: the bundle graph, the merged form, and the catalog queries.

No GraphQL here: the API layer calls these functions and only shapes their results.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from tortoise.expressions import Case, Q, RawSQL, When
from tortoise.queryset import QuerySet

from portal.catalog.errors import CatalogCode
from portal.catalog.models import (
    Audience,
    Bundle,
    BundleChannel,
    BundleItem,
    Department,
    FieldDefinition,
    ItemField,
    ItemMaterial,
    MaterialDefinition,
    ServiceItem,
    Terminal,
)
from portal.db import fits
from portal.problems import Code, ErrorCode, checked_code
from portal.text import FORBIDDEN

MAX_SEARCH_LENGTH = 50
MAX_SEARCH_TERMS = 5


class GraphError(ValueError):
    """A bundle's dependency graph is not a DAG over its own items."""


class SearchError(ValueError):
    """A search text the catalog refuses: too long or too many words (SEARCH_TOO_LONG), or with characters
    the text rule refuses (FORBIDDEN_CHARACTER)."""

    def __init__(self, message: str, code: ErrorCode = CatalogCode.SEARCH_TOO_LONG) -> None:
        super().__init__(message)
        self.message, self.code = message, checked_code(code)


def topological_order(graph: Mapping[str, Sequence[str]]) -> list[str]:
    """Items in an order where every prerequisite comes first (一件事: items start when prerequisites end).

    ``graph`` maps each item to its prerequisites. Refuses a prerequisite outside the graph and a cycle,
    naming the cycle's path.
    """
    for node, prerequisites in graph.items():
        for p in prerequisites:
            if p not in graph:
                raise GraphError(f"prerequisite {p} of {node} is not an item of this bundle")
    order: list[str] = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(node: str, path: list[str]) -> None:
        if state.get(node) == 2:
            return
        if state.get(node) == 1:
            cycle = path[path.index(node):] + [node]
            raise GraphError("has a dependency cycle (each needs the next): " + " → ".join(cycle))
        state[node] = 1
        for p in graph[node]:
            visit(p, path + [node])
        state[node] = 2
        order.append(node)

    for node in graph:
        visit(node, [])
    return order


def critical_path_days(graph: Mapping[str, Sequence[str]], promised_days: Mapping[str, int]) -> int:
    """A bundle's promised working days: the longest chain of promised limits (independent items overlap)."""
    finish: dict[str, int] = {}
    for node in topological_order(graph):
        finish[node] = promised_days[node] + max((finish[p] for p in graph[node]), default=0)
    return max(finish.values(), default=0)


def common_channels(item_channels: Iterable[Iterable[str]]) -> list[Terminal]:
    """The terminals on which every item of a bundle can be applied for."""
    sets = [set(c) for c in item_channels]
    shared = set.intersection(*sets) if sets else set()
    return [t for t in Terminal if t.value in shared]


@dataclass(frozen=True)
class MergedRequirement:
    """One entry of a bundle's merged form (一表申请): asked once, required if any item requires it."""

    ref: str
    required: bool
    item_codes: tuple[str, ...]
    required_by: tuple[str, ...] = ()


def merge_requirements(per_item: Sequence[tuple[str, Sequence[tuple[str, bool]]]]) -> list[MergedRequirement]:
    """一表申请: the union of the items' fields (or materials), each key once, in first-asked order.

    ``per_item`` is ``[(item_code, [(key, required), ...]), ...]`` in the bundle's item order.
    """
    asked: dict[str, list[str]] = {}
    required_by: dict[str, list[str]] = {}
    for item_code, requirements in per_item:
        for key, required in requirements:
            asked.setdefault(key, []).append(item_code)
            required_by.setdefault(key, [])
            if required:
                required_by[key].append(item_code)
    return [MergedRequirement(key, bool(required_by[key]), tuple(items), tuple(required_by[key]))
            for key, items in asked.items()]


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: what is worked out of it is kept per form
class MergedForm:
    """A bundle's items in order and its merged form, with the dictionary entries of each key."""

    members: list[BundleItem]
    fields: list[tuple[FieldDefinition, MergedRequirement]]
    materials: list[tuple[MaterialDefinition, MergedRequirement]]

    @cached_property
    def issued_here(self) -> dict[str, str]:
        """``issued_on_the_way`` of this form, worked out once (a form lives as long as its catalog version)."""
        return issued_on_the_way(self.members, self.materials)


async def merged_form(bundle: Bundle) -> MergedForm:
    """一表申请 of one bundle, read in four queries (the submission and prefill paths use it)."""
    members = await BundleItem.filter(bundle_id=bundle.id).order_by("sort").select_related("item__department")
    item_ids = [m.item_id for m in members]
    field_links = await ItemField.filter(item_id__in=item_ids).order_by("sort")
    material_links = await ItemMaterial.filter(item_id__in=item_ids).order_by("sort")
    code_of = {m.item_id: m.item.code for m in members}
    fields = merge_requirements([(code_of[i], [(f.field_key, f.required) for f in field_links if f.item_id == i])
                                 for i in item_ids])
    materials = merge_requirements([(code_of[i], [(m.material_code, m.required) for m in material_links
                                                  if m.item_id == i]) for i in item_ids])
    issued = produced_on_the_way(members, fields)
    fields = [m for m in fields if m.ref not in issued]
    field_defs = {f.key: f for f in await FieldDefinition.filter(key__in=[m.ref for m in fields])}
    material_defs = {m.code: m for m in await MaterialDefinition.filter(code__in=[m.ref for m in materials])}
    return MergedForm(members, [(field_defs[m.ref], m) for m in fields],
                      [(material_defs[m.ref], m) for m in materials])


def _ancestors(members: Sequence[BundleItem]) -> Callable[[str], set[str]]:
    """Each item's prerequisites, direct and through other prerequisites (``members`` with their items)."""
    before: dict[str, set[str]] = {}
    prerequisites = {m.item.code: list(m.prerequisites) for m in members}

    def ancestors(code: str) -> set[str]:
        if code not in before:
            before[code] = set()
            for parent in prerequisites.get(code, ()):
                before[code] |= {parent} | ancestors(parent)
        return before[code]
    return ancestors


def produced_on_the_way(members: Sequence[BundleItem], fields: Sequence[MergedRequirement]) -> dict[str, str]:
    """Fields the bundle issues itself, so its form does not ask them: field key -> the item whose approval issues
    the value (出生登记 issues the child's identity number the 医保 and 社保卡 items ask for). Only when that item
    comes before every item that asks for the field."""
    ancestors = _ancestors(members)
    producers = [(m.item.code, set(m.item.produces or ())) for m in members]
    issued: dict[str, str] = {}
    for requirement in fields:
        askers = requirement.item_codes
        for producer, produces in producers:
            if requirement.ref in produces and askers and all(producer in ancestors(a) for a in askers):
                issued[requirement.ref] = producer
                break
    return issued


def issued_on_the_way(members: Sequence[BundleItem],
                      materials: Sequence[tuple[MaterialDefinition, MergedRequirement]]) -> dict[str, str]:
    """Materials the bundle produces itself: material code -> the item that issues it (e.g. 出生医学证明 for
    出生登记). It counts only if that item comes before every item that requires the material, directly or
    through other prerequisites: an item never provides what it needs to start with itself.
    ``members`` with their items loaded, as ``MergedForm`` holds them."""
    ancestors = _ancestors(members)
    issuers = [(m.item.code, set(m.item.issues)) for m in members]
    provided: dict[str, str] = {}
    for definition, requirement in materials:
        if not definition.certificate_type_code or not requirement.required_by:
            continue
        for issuer, issues in issuers:
            if definition.certificate_type_code in issues and all(
                    issuer in ancestors(needer) for needer in requirement.required_by):
                provided[definition.code] = issuer
                break
    return provided


@dataclass(frozen=True)
class BundleOnOffer:
    """What a submission needs of the catalog for one bundle: the row, its terminals and its merged form.
    Public data: a process keeps it until the catalog version changes (api.public.PublicData.forms)."""

    bundle: Bundle
    channels: frozenset[Terminal]
    form: MergedForm


async def bundle_on_offer(code: str, cache: MutableMapping[str, BundleOnOffer] | None = None) -> BundleOnOffer | None:
    """The bundle ``code`` with its channels and merged form, from ``cache`` when it holds it."""
    if cache is not None and (known := cache.get(code)) is not None:
        return known
    bundle = await Bundle.get_or_none(code=code)
    if bundle is None:
        return None
    channels = frozenset(c.terminal for c in await BundleChannel.filter(bundle_id=bundle.id))
    offer = BundleOnOffer(bundle, channels, await merged_form(bundle))
    if cache is not None:
        cache[code] = offer
    return offer


def search_terms(search: str | None) -> list[str]:
    """Split a search text into words; blank means no search."""
    text = (search or "").strip()
    if len(text) > MAX_SEARCH_LENGTH:
        raise SearchError(f"搜索内容不能超过{MAX_SEARCH_LENGTH}个字")
    if FORBIDDEN.search(text):  # neither database takes a NUL or a lone surrogate as a parameter
        raise SearchError("搜索内容含有不可见的控制字符，请删除后重新输入", Code.FORBIDDEN_CHARACTER)
    terms = list(dict.fromkeys(text.split()))
    if len(terms) > MAX_SEARCH_TERMS:
        raise SearchError(f"搜索词不能超过{MAX_SEARCH_TERMS}个")
    return terms


def _all_terms(field: str, terms: Sequence[str]) -> Q:
    return Q(*(Q(**{f"{field}__icontains": t}) for t in terms), join_type=Q.AND)


def ranked_search(query: QuerySet, terms: Sequence[str]) -> QuerySet:
    """Filter to rows where every term is in the name, keywords or description, ranked in SQL:
    all terms in the name first, then name or keywords, then description."""
    if not terms:
        return query.order_by("sort", "id")
    matches = Q(*(Q(name__icontains=t) | Q(keywords__icontains=t) | Q(description__icontains=t) for t in terms),
                join_type=Q.AND)
    in_name = _all_terms("name", terms)
    in_name_or_keywords = Q(*(Q(name__icontains=t) | Q(keywords__icontains=t) for t in terms), join_type=Q.AND)
    # Literal ranks: as bound parameters PostgreSQL would type them as text.
    rank = Case(When(in_name, then=RawSQL("0")), When(in_name_or_keywords, then=RawSQL("1")), default=RawSQL("2"))
    return query.filter(matches).annotate(search_rank=rank).order_by("search_rank", "sort", "id")


def for_audience(query: QuerySet, audience: Audience | None) -> QuerySet:
    """What a citizen (or an enterprise) is offered includes what is offered to both."""
    if audience is None:
        return query
    if audience is Audience.BOTH:
        return query.filter(audience=Audience.BOTH)
    return query.filter(audience__in=[audience, Audience.BOTH])


def single_item_code(item_code: str) -> str:
    """The bundle code of an item applied for on its own (单事项): ``item-370100-wjw-001``."""
    return f"item-{item_code.lower()}"


def bundle_query(*, audience: Audience | None = None, terminal: Terminal | None = None,
                 search: str | None = None, single_items: bool | None = None) -> QuerySet[Bundle]:
    """Bundles offered to an audience on a terminal, matching a search, in display order. Single items (单事项)
    come with a search, after the bundles of the same rank, unless ``single_items`` says otherwise."""
    terms = search_terms(search)
    query = for_audience(Bundle.all(), audience)
    if not (bool(terms) if single_items is None else single_items):
        query = query.filter(single_item=False)
    if terminal is not None:
        query = query.filter(channel_links__terminal=terminal)
    return ranked_search(query, terms)


def service_item_query(*, audience: Audience | None = None, department_code: str | None = None,
                       search: str | None = None) -> QuerySet[ServiceItem]:
    """Service items filtered by audience and department, matching a search, in display order."""
    query = for_audience(ServiceItem.all(), audience)
    if department_code is not None:
        # A code no department can have names none: no items (asking would fail, not find nothing).
        query = query.filter(department__code=department_code) if fits(Department, "code", department_code) \
            else query.filter(id__in=[])
    return ranked_search(query, search_terms(search))


async def departments() -> list[Department]:
    return await Department.all().order_by("sort", "id")


async def bundle_exists(code: object) -> bool:
    """Whether the catalog has a bundle of this code (a 代办 authorisation names one)."""
    return isinstance(code, str) and fits(Bundle, "code", code) and await Bundle.exists(code=code)
