"""The catalog's pure rules: the bundle graph, promised days, the merged form, channels, search words."""

from __future__ import annotations

import pytest

from portal.catalog.models import BundleItem, MaterialDefinition, ServiceItem, Terminal
from portal.catalog.rules import (
    GraphError,
    MergedRequirement,
    SearchError,
    common_channels,
    critical_path_days,
    issued_on_the_way,
    merge_requirements,
    search_terms,
    topological_order,
)

CHAIN = {"certificate": [], "hukou": ["certificate"], "insurance": ["hukou"]}
DIAMOND = {"licence": [], "fire": ["licence"], "food": ["licence"], "open": ["fire", "food"]}


def test_chain_is_ordered_prerequisites_first() -> None:
    assert topological_order(CHAIN) == ["certificate", "hukou", "insurance"]


def test_diamond_puts_the_join_after_both_branches() -> None:
    order = topological_order(DIAMOND)
    assert order[0] == "licence" and order[-1] == "open" and set(order[1:3]) == {"fire", "food"}


def test_cycle_is_named_with_its_path() -> None:
    with pytest.raises(GraphError, match=r"^has a dependency cycle \(each needs the next\): a → c → b → a$"):
        topological_order({"a": ["c"], "b": ["a"], "c": ["b"]})


def test_self_dependency_is_a_cycle() -> None:
    with pytest.raises(GraphError, match=r"^has a dependency cycle \(each needs the next\): a → a$"):
        topological_order({"a": ["a"]})


def test_promised_days_of_a_chain_add_up() -> None:
    assert critical_path_days(CHAIN, {"certificate": 3, "hukou": 5, "insurance": 1}) == 9


def test_promised_days_of_a_diamond_follow_the_longer_branch() -> None:
    days = {"licence": 1, "fire": 10, "food": 4, "open": 2}
    assert critical_path_days(DIAMOND, days) == 13


def test_independent_items_overlap() -> None:
    assert critical_path_days({"a": [], "b": [], "c": []}, {"a": 5, "b": 7, "c": 0}) == 7


def test_merged_form_asks_each_key_once_and_requires_it_if_any_item_does() -> None:
    merged = merge_requirements([
        ("item-1", [("applicant.name", True), ("applicant.phone", False), ("child.name", True)]),
        ("item-2", [("applicant.phone", True), ("applicant.name", True)]),
        ("item-3", [("applicant.address", False), ("applicant.phone", False)]),
    ])
    assert merged == [
        MergedRequirement("applicant.name", True, ("item-1", "item-2"), ("item-1", "item-2")),
        MergedRequirement("applicant.phone", True, ("item-1", "item-2", "item-3"), ("item-2",)),
        MergedRequirement("child.name", True, ("item-1",), ("item-1",)),
        MergedRequirement("applicant.address", False, ("item-3",), ()),
    ]


def _member(code: str, prerequisites: list[str], issues: list[str]) -> BundleItem:
    member = BundleItem(prerequisites=prerequisites)
    member.item = ServiceItem(code=code, issues=issues)  # as loaded with select_related
    return member


def _material(code: str, certificate_type: str, required_by: tuple[str, ...]) -> tuple[MaterialDefinition,
                                                                                        MergedRequirement]:
    return (MaterialDefinition(code=code, certificate_type_code=certificate_type),
            MergedRequirement(code, bool(required_by), required_by, required_by))


def test_a_material_issued_before_the_items_that_need_it_needs_no_upload() -> None:
    # 出生医学证明 -> 出生登记 -> 社保卡: the certificate is issued on the way, through a chain too.
    members = [_member("birth-certificate", [], ["BIRTH_CERT"]), _member("hukou", ["birth-certificate"], ["HUKOU"]),
               _member("card", ["hukou"], [])]
    materials = [_material("birth-medical-certificate", "BIRTH_CERT", ("hukou", "card"))]
    assert issued_on_the_way(members, materials) == {"birth-medical-certificate": "birth-certificate"}


def test_an_item_never_provides_what_it_needs_itself_or_what_a_parallel_item_needs() -> None:
    # 出生登记 issues the updated household register, but needs the parents' one to start with.
    members = [_member("birth-certificate", [], ["BIRTH_CERT"]), _member("hukou", ["birth-certificate"], ["HUKOU"]),
               _member("vaccination", [], [])]
    materials = [_material("household-register", "HUKOU", ("hukou",)),
                 _material("birth-medical-certificate", "BIRTH_CERT", ("hukou", "vaccination"))]
    assert issued_on_the_way(members, materials) == {}


def test_bundle_channels_are_those_every_item_offers() -> None:
    assert common_channels([["MOBILE", "DESKTOP", "WINDOW"], ["WINDOW", "MOBILE"], ["KIOSK", "MOBILE", "WINDOW"]]) == [
        Terminal.MOBILE, Terminal.WINDOW]
    assert common_channels([]) == []


def test_search_words_are_split_and_deduplicated() -> None:
    assert search_terms("  开办  餐饮  开办 ") == ["开办", "餐饮"]
    assert search_terms(None) == [] and search_terms("   ") == []


def test_search_refuses_long_texts_and_many_words() -> None:
    with pytest.raises(SearchError, match="50"):
        search_terms("一" * 51)
    with pytest.raises(SearchError, match="5"):
        search_terms("a b c d e f")
