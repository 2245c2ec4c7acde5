"""The demo catalog as a whole: every bundle can be applied for as it is declared, and the data the rules read
(instant approval, offers, produced fields) points at things that exist.

These read the validated source again with their own eyes, so that a validator that let something through would
be caught here too."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from portal.catalog.models import Audience, FieldType, Terminal
from portal.catalog.rules import common_channels, topological_order
from portal.catalog.source import CatalogSource, Condition, ItemSpec, read_catalog


@pytest.fixture(scope="module")
def source() -> CatalogSource:
    return read_catalog()


def conditions(item: ItemSpec) -> Iterable[Condition]:
    if item.instant_approval:
        yield from item.instant_approval.conditions
    for offer in item.offers:
        yield from offer.when


def serves(item: Audience, bundle: Audience) -> bool:
    return item is Audience.BOTH or item is bundle


def test_every_bundle_is_a_dag_of_its_own_items_for_its_audience_on_some_terminal(source: CatalogSource) -> None:
    items = {i.code: i for i in source.items}
    for bundle in source.bundles:
        graph = {m.item: m.prerequisites for m in bundle.items}
        assert set(topological_order(graph)) == set(graph), bundle.code
        assert all(p in graph for prerequisites in graph.values() for p in prerequisites), bundle.code
        assert all(serves(items[code].audience, bundle.audience) for code in graph), bundle.code
        channels = common_channels(items[code].channels for code in graph)
        assert channels, f"{bundle.code} is offered on no terminal"
        assert bundle.audience is Audience.ENTERPRISE or Terminal.MOBILE in channels, bundle.code


def test_the_tv_and_the_kiosk_ask_for_no_paper(source: CatalogSource) -> None:
    licensed = {m.code for m in source.materials if m.certificate_type}
    for item in source.items:
        if Terminal.TV in item.channels or Terminal.KIOSK in item.channels:
            paper = [m.ref for m in item.materials if m.required and m.ref not in licensed]
            assert paper == [], item.code
        if Terminal.TV in item.channels:
            assert item.audience is not Audience.ENTERPRISE, item.code


def test_the_terminals_fit_who_uses_them(source: CatalogSource) -> None:
    """The window takes nearly everything; an enterprise works at a desk; the TV is for people at home."""
    on_window = [i for i in source.items if Terminal.WINDOW in i.channels]
    assert len(on_window) >= 0.95 * len(source.items)
    assert all(Terminal.DESKTOP in i.channels for i in source.items if i.audience is Audience.ENTERPRISE)
    counts = {t: sum(t in i.channels for i in source.items) for t in Terminal}
    assert counts[Terminal.TV] >= 15 and counts[Terminal.KIOSK] >= 60 and counts[Terminal.MOBILE] >= 250


def test_produced_fields_are_numbers_an_approval_issues(source: CatalogSource) -> None:
    types = {f.key: f.type for f in source.fields}
    produced = {(i.code, key) for i in source.items for key in i.produces}
    assert ("370100-GAJ-001", "child.idNumber") in produced  # 出生登记 issues the baby's ID number
    assert ("370100-XZSPJ-001", "enterprise.creditCode") in produced  # 企业设立登记 issues the credit code
    assert all(types[key] in (FieldType.ID_NUMBER, FieldType.CREDIT_CODE) for _, key in produced)


def test_rules_and_offers_point_at_licences_regions_fields_and_bundles_that_exist(source: CatalogSource) -> None:
    certificate_types = {c.code for c in source.certificate_types}
    regions = {r.code for r in source.regions}
    bundles = {b.code: b for b in source.bundles}
    for item in source.items:
        asked = {f.ref for f in item.fields}
        for condition in conditions(item):
            assert condition.holds is None or condition.holds in certificate_types, item.code
            assert condition.resident_of is None or condition.resident_of in regions, item.code
            assert condition.field is None or condition.field in asked, item.code
        for offer in item.offers:
            offered = bundles[offer.bundle].audience
            assert serves(item.audience, offered) or serves(offered, item.audience), item.code


def test_rules_decide_the_hotel_check_in_and_enough_other_items(source: CatalogSource) -> None:
    items = {i.code: i for i in source.items}
    hotel = next(b for b in source.bundles if b.code == "hotel-check-in")
    assert all(items[m.item].instant_approval for m in hotel.items)
    decided = {i.name: i.instant_approval for i in source.items if i.instant_approval}
    assert len(decided) >= 15
    allowance = decided["80周岁以上老年人高龄津贴申领"]
    assert [c.stored for c in allowance.conditions] == [{"ageAtLeast": 80}, {"residentOf": "370000"},
                                                        {"holds": "RESIDENT_ID_CARD"}]
    assert allowance.stored["rule"] == "本省户籍80周岁以上老年人高龄津贴自动核准"


def test_approvals_offer_the_follow_up_bundles(source: CatalogSource) -> None:
    offers = {i.code: {o.bundle for o in i.offers} for i in source.items if i.offers}
    assert len(offers) >= 8
    assert "childcare-subsidy" in offers["370100-GAJ-001"]  # 出生登记 → 育儿补贴一件事
    assert "elderly-benefits" in offers["370100-RSJ-005"]  # 退休 → 老年人优待一件事
    assert {"employee-hiring", "enterprise-policy-benefits"} <= offers["370100-XZSPJ-001"]  # 企业设立 → 惠企
