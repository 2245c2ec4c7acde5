"""The catalog's pure rules: the bundle graph, promised days, the merged form, channels, search words."""

from __future__ import annotations

import pytest

from portal.catalog.models import Terminal
from portal.catalog.rules import (
    GraphError,
    MergedRequirement,
    SearchError,
    common_channels,
    critical_path_days,
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
        MergedRequirement("applicant.name", True, ("item-1", "item-2")),
        MergedRequirement("applicant.phone", True, ("item-1", "item-2", "item-3")),
        MergedRequirement("child.name", True, ("item-1",)),
        MergedRequirement("applicant.address", False, ("item-3",)),
    ]


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
