"""Catalog queries over GraphQL against the seeded demo catalog."""

from __future__ import annotations

from typing import Any

import pytest

from portal.catalog import api as catalog_api
from portal.catalog.models import Audience, ServiceItem, Terminal
from portal.catalog.rules import common_channels, critical_path_days
from portal.catalog.rules import single_item_code
from portal.catalog.source import CatalogSource, read_catalog
from tests.helpers import count_queries
from tests.identity.test_accounts import register

DEPARTMENTS = "{ departments { code name regionCode region { code name level } } }"
BUNDLE = """
query($code: String!) {
  bundle(code: $code) {
    code name description audience national promisedDays channels
    items { item { code name promisedDays department { code name } } prerequisites }
    form {
      fields { key label type required options { value label } validation { maxLength pattern notAfterToday } items }
      materials { code name required certificateType { code name } items }
    }
  }
}"""
BUNDLES = """
query($audience: Audience, $terminal: Terminal, $search: String, $first: Int, $after: String,
      $singleItems: Boolean) {
  bundles(audience: $audience, terminal: $terminal, search: $search, first: $first, after: $after,
          singleItems: $singleItems) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { code name } }
  }
}"""
BUNDLES_DEEP = """
query($first: Int) {
  bundles(first: $first) {
    edges { node {
      code channels
      items { prerequisites item { code department { name region { name } } fields { key } materials { code } } }
      form { fields { key label options { value } } materials { code certificateType { name } } }
    } }
  }
}"""
SERVICE_ITEMS = """
query($audience: Audience, $departmentCode: String, $search: String, $first: Int, $after: String) {
  serviceItems(audience: $audience, departmentCode: $departmentCode, search: $search, first: $first, after: $after) {
    totalCount edges { node { code department { code } audience } }
  }
}"""
SERVICE_ITEM = """
query($code: String!) {
  serviceItem(code: $code) {
    code name legalDays promisedDays fee channels issues audience legalBasis
    department { code }
    fields { key required items }
    materials { code required certificateType { code } }
  }
}"""


@pytest.fixture(scope="module")
def source() -> CatalogSource:
    return read_catalog()


async def all_pages(gql: Any, page: int, **variables: Any) -> tuple[list[str], int]:
    codes: list[str] = []
    after = None
    while True:
        data = (await gql(BUNDLES, {**variables, "first": page, "after": after}))["data"]["bundles"]
        codes += [e["node"]["code"] for e in data["edges"]]
        if not data["pageInfo"]["hasNextPage"]:
            return codes, data["totalCount"]
        after = data["pageInfo"]["endCursor"]


async def test_departments_in_catalog_order_with_regions(gql: Any, source: CatalogSource) -> None:
    departments = (await gql(DEPARTMENTS))["data"]["departments"]
    assert [d["code"] for d in departments] == [d.code for d in source.departments]
    jinan = next(d for d in departments if d["regionCode"] == "370100")
    assert jinan["region"] == {"code": "370100", "name": "济南市", "level": "CITY"}


async def test_newborn_bundle_items_prerequisites_and_promised_days(gql: Any, source: CatalogSource) -> None:
    bundle = (await gql(BUNDLE, {"code": "newborn"}))["data"]["bundle"]
    spec = next(b for b in source.bundles if b.code == "newborn")
    items = {i.code: i for i in source.items}
    assert bundle["name"] == "新生儿出生一件事"
    assert bundle["audience"] == "CITIZEN" and bundle["national"] is True
    assert [(m["item"]["code"], m["prerequisites"]) for m in bundle["items"]] == [
        (m.item, list(m.prerequisites)) for m in spec.items]
    assert bundle["items"][0]["item"]["department"]["name"] == "济南市卫生健康委员会"
    # 出生医学证明 (3) → 出生登记 (1) → 社保卡申领 (5); 医保参保 and 预防接种证 (0) run alongside.
    assert bundle["promisedDays"] == 9
    assert bundle["channels"] == sorted(t.value for t in common_channels(items[m.item].channels for m in spec.items))


async def test_every_bundle_promises_its_longest_chain_not_the_sum(gql: Any, source: CatalogSource) -> None:
    items = {i.code: i for i in source.items}
    overlapping = 0
    for spec in source.bundles:
        days = (await gql(BUNDLE, {"code": spec.code}))["data"]["bundle"]["promisedDays"]
        graph = {m.item: m.prerequisites for m in spec.items}
        assert days == critical_path_days(graph, {m.item: items[m.item].promised_days for m in spec.items})
        overlapping += days < sum(items[m.item].promised_days for m in spec.items)
    assert overlapping >= 5


async def test_merged_form_asks_each_key_once_required_if_any_item_requires(gql: Any, source: CatalogSource) -> None:
    form = (await gql(BUNDLE, {"code": "newborn"}))["data"]["bundle"]["form"]
    spec = next(b for b in source.bundles if b.code == "newborn")
    items = {i.code: i for i in source.items}
    asked: dict[str, list[tuple[str, bool]]] = {}
    for member in spec.items:
        for requirement in items[member.item].fields:
            asked.setdefault(requirement.ref, []).append((member.item, requirement.required))
    # 出生登记 issues the child's identity number the items after it ask for: the form does not ask it.
    issued = {key for m in spec.items for key in items[m.item].produces}
    assert issued == {"child.idNumber"}
    keys = [f["key"] for f in form["fields"]]
    assert keys == [k for k in asked if k not in issued]  # each key once, in first-asked order
    assert len(keys) < sum(len(items[m.item].fields) for m in spec.items)  # shared keys were merged
    for field in form["fields"]:
        assert field["required"] == any(required for _, required in asked[field["key"]])
        assert field["items"] == [code for code, _ in asked[field["key"]]]
    shared = [f for f in form["fields"] if len(f["items"]) > 1]
    assert shared, "the newborn bundle's items share fields such as the child's name"


async def test_form_field_types_options_and_materials(gql: Any) -> None:
    form = (await gql(BUNDLE, {"code": "newborn"}))["data"]["bundle"]["form"]
    gender = next(f for f in form["fields"] if f["key"] == "child.gender")
    assert gender["type"] == "SELECT"
    assert gender["options"] == [{"value": "MALE", "label": "男"}, {"value": "FEMALE", "label": "女"}]
    birth = next(f for f in form["fields"] if f["key"] == "child.birthDate")
    assert birth["type"] == "DATE" and birth["validation"]["notAfterToday"] is True
    certificate = next(m for m in form["materials"] if m["certificateType"]
                       and m["certificateType"]["code"] == "BIRTH_MEDICAL_CERTIFICATE")
    assert certificate["certificateType"]["name"] == "出生医学证明"
    assert len({m["code"] for m in form["materials"]}) == len(form["materials"])


async def test_unknown_bundle_and_item_are_null(gql: Any) -> None:
    assert (await gql(BUNDLE, {"code": "no-such-bundle"}))["data"] == {"bundle": None}
    assert (await gql(SERVICE_ITEM, {"code": "370000-XX-000"}))["data"] == {"serviceItem": None}


@pytest.mark.parametrize("page", [1, 4, 5, 17, 100])
async def test_paging_has_no_overlap_and_no_gap(gql: Any, source: CatalogSource, page: int) -> None:
    codes, total = await all_pages(gql, page)
    assert codes == [b.code for b in source.bundles]
    assert total == len(source.bundles)


async def test_first_zero_gives_the_total_only(gql: Any, source: CatalogSource) -> None:
    data = (await gql(BUNDLES, {"first": 0}))["data"]["bundles"]
    assert data == {"totalCount": len(source.bundles), "pageInfo": {"hasNextPage": True, "endCursor": None},
                    "edges": []}


@pytest.mark.parametrize(("variables", "field", "code"), [
    ({"first": 101}, "first", "PAGE_SIZE_OUT_OF_RANGE"),
    ({"first": -1}, "first", "PAGE_SIZE_OUT_OF_RANGE"),
    ({"after": "not-a-cursor"}, "after", "INVALID_CURSOR"),
    ({"search": "办" * 51}, "search", "SEARCH_TOO_LONG"),
])
async def test_bad_paging_and_search_arguments_name_the_field(gql: Any, variables: dict[str, Any], field: str,
                                                              code: str) -> None:
    body = await gql(BUNDLES, variables)
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"] == {"code": code, "field": field}
    assert error["message"]


async def test_audience_filter_keeps_that_audience(gql: Any, source: CatalogSource) -> None:
    for audience in (Audience.CITIZEN, Audience.ENTERPRISE):
        codes, total = await all_pages(gql, 50, audience=audience.value)
        assert codes == [b.code for b in source.bundles if b.audience in (audience, Audience.BOTH)]
        assert 0 < total < len(source.bundles)


async def test_terminal_filter_keeps_bundles_every_item_offers_there(gql: Any, source: CatalogSource) -> None:
    items = {i.code: i for i in source.items}
    for terminal in (Terminal.KIOSK, Terminal.TV, Terminal.WINDOW):
        codes, _ = await all_pages(gql, 50, terminal=terminal.value)
        assert codes == [b.code for b in source.bundles
                         if all(terminal in items[m.item].channels for m in b.items)]


async def test_name_matches_rank_above_keyword_and_description_matches(gql: Any, source: CatalogSource) -> None:
    # A search finds the bundles and every item on its own (单事项), ranked together: the bundles before the
    # single items within each rank, each in catalog order.
    entries = ([(b.code, b.name, b.keywords, b.description) for b in source.bundles]
               + [(single_item_code(i.code), i.name, i.keywords, i.description) for i in source.items])
    for word in ("社会保障卡", "企业", "注销", "登记", "旅馆"):
        codes, _ = await all_pages(gql, 50, search=word)
        in_name = [c for c, name, _, _ in entries if word in name]
        in_keywords = [c for c, name, keywords, _ in entries if word not in name and any(word in k for k in keywords)]
        in_description = [c for c, name, keywords, description in entries
                          if word not in name and not any(word in k for k in keywords) and word in description]
        assert codes == in_name + in_keywords + in_description, word
        assert in_name and in_description, f"{word} should match both names and descriptions in the demo catalog"
        bundles_only, _ = await all_pages(gql, 50, search=word, singleItems=False)
        assert bundles_only == [c for c in codes if not c.startswith("item-")]


async def test_every_item_is_a_single_item_bundle_left_out_of_lists(gql: Any, source: CatalogSource) -> None:
    listed, total = await all_pages(gql, 50)
    assert listed == [b.code for b in source.bundles] and total == len(source.bundles)
    singles, total = await all_pages(gql, 100, singleItems=True)
    assert singles == [b.code for b in source.bundles] + [single_item_code(i.code) for i in source.items]
    item = source.items[0]
    body = await gql("query($c: String!) { serviceItem(code: $c) { bundleCode } "
                     "bundle(code: $c2) { code name singleItem promisedDays items { item { code } prerequisites } } }"
                     .replace("$c2", f'"{single_item_code(item.code)}"'), {"c": item.code})
    assert body["data"]["serviceItem"]["bundleCode"] == single_item_code(item.code)
    assert body["data"]["bundle"] == {"code": single_item_code(item.code), "name": item.name, "singleItem": True,
                                      "promisedDays": item.promised_days,
                                      "items": [{"item": {"code": item.code}, "prerequisites": []}]}


@pytest.mark.parametrize(("words", "first"), [
    ("上户口", "newborn"), ("开饭店", "open-restaurant"), ("充电桩", "ev-charging-pile"), ("办退休", "retirement"),
    ("二手房 过户", "second-hand-house-transfer"),
])
async def test_everyday_words_find_the_bundle(gql: Any, words: str, first: str) -> None:
    codes, _ = await all_pages(gql, 50, search=words)
    assert codes[0] == first


async def test_search_words_must_all_match(gql: Any) -> None:
    assert (await all_pages(gql, 50, search="新生儿 营业执照"))[1] == 0


@pytest.mark.parametrize("text", ["%", "_", "100%", "\\"])
async def test_search_treats_sql_wildcards_as_text(gql: Any, text: str, source: CatalogSource) -> None:
    # Found only where the text itself stands (e.g. "100%报销" in a description), never as a wildcard.
    literally = [single_item_code(i.code) for i in source.items
                 if text in i.name or text in i.description or any(text in k for k in i.keywords)]
    literally += [b.code for b in source.bundles
                  if text in b.name or text in b.description or any(text in k for k in b.keywords)]
    codes, total = await all_pages(gql, 50, search=text)
    assert sorted(codes) == sorted(literally) and total == len(literally)


async def test_service_items_filtered_by_department_and_audience(gql: Any, source: CatalogSource) -> None:
    body = await gql(SERVICE_ITEMS, {"departmentCode": "370100-GAJ", "first": 100})
    nodes = [e["node"] for e in body["data"]["serviceItems"]["edges"]]
    assert [n["code"] for n in nodes] == [i.code for i in source.items if i.department == "370100-GAJ"]
    body = await gql(SERVICE_ITEMS, {"audience": "ENTERPRISE", "first": 100})
    assert body["data"]["serviceItems"]["totalCount"] == sum(
        i.audience in (Audience.ENTERPRISE, Audience.BOTH) for i in source.items)


async def test_service_item_detail(gql: Any, source: CatalogSource) -> None:
    spec = next(i for i in source.items if i.code == "370100-WJW-001")
    item = (await gql(SERVICE_ITEM, {"code": spec.code}))["data"]["serviceItem"]
    assert item["name"] == spec.name == "出生医学证明首次签发"
    assert (item["legalDays"], item["promisedDays"], item["fee"]) == (spec.legal_days, spec.promised_days, "0.00")
    assert item["channels"] == [c.value for c in spec.channels]
    assert item["issues"] == ["BIRTH_MEDICAL_CERTIFICATE"]
    assert item["legalBasis"] == list(spec.legal_basis) == ["《中华人民共和国母婴保健法》第二十三条"]
    assert [(f["key"], f["required"], f["items"]) for f in item["fields"]] == [
        (f.ref, f.required, [spec.code]) for f in spec.fields]
    assert [m["code"] for m in item["materials"]] == [m.ref for m in spec.materials]


async def test_a_fee_keeps_two_decimals(gql: Any, source: CatalogSource) -> None:
    paid = next(i for i in source.items if i.fee > 0)
    item = (await gql(SERVICE_ITEM, {"code": paid.code}))["data"]["serviceItem"]
    assert item["fee"] == f"{paid.fee:.2f}" and item["fee"] != "0.00"


async def test_catalog_list_costs_the_same_queries_at_any_length(gql: Any) -> None:
    await gql(BUNDLES_DEEP, {"first": 1})  # the first page builds the catalog view, once per catalog version
    counts = []
    for first in (1, 5, 18):
        with count_queries() as counter:
            body = await gql(BUNDLES_DEEP, {"first": first}, headers={"Authorization": "Bearer no-cache"})
        assert len(body["data"]["bundles"]["edges"]) == first
        counts.append(len(counter.statements))
    # Each loader batches once per nesting level; a one-bundle page may split a batch the larger ones share.
    # The bearer token (sent to bypass the public cache) costs its one session lookup.
    assert counts[1] == counts[2], counts
    assert max(counts) <= 15, counts


async def test_the_seed_stores_produced_fields_rules_and_offers_as_written(gql: Any, source: CatalogSource) -> None:
    """What the rules read (秒批, 免申即享, fields an approval issues) is on the item's row, in the file's words."""
    rows = {r.code: r for r in await ServiceItem.filter(code__in=["370000-GAT-001", "370100-GAJ-001"])}
    hotel, birth = rows["370000-GAT-001"], rows["370100-GAJ-001"]
    assert hotel.instant_approval == {"rule": "鲁通码核验通过的旅客即时完成住宿登记", "all": [
        {"holds": "RESIDENT_ID_CARD"}, {"field": "stay.nights", "atMost": 90}]}
    assert (hotel.produces, hotel.offers) == ([], [])
    assert birth.instant_approval is None and birth.produces == ["child.idNumber"]
    assert birth.offers == [{"bundle": "childcare-subsidy", "reason": next(
        i for i in source.items if i.code == birth.code).offers[0].reason, "when": [{"residentOf": "370000"}]}]
    assert birth.legal_basis == ["《中华人民共和国户口登记条例》第七条"]
    assert await ServiceItem.filter(instant_approval__isnull=False).count() == sum(
        1 for i in source.items if i.instant_approval)


MEMBERS = "code channels items { prerequisites item { code name department { code name } } }"
LIST_PAGE = f"query($first: Int) {{ bundles(first: $first) {{ totalCount edges {{ node {{ {MEMBERS} }} }} }} }}"
ONE_BUNDLE = f"query($code: String!) {{ bundle(code: $code) {{ {MEMBERS} }} }}"


async def test_a_list_page_resolves_its_members_from_memory_with_the_cache_off(
        gql: Any, app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """With no response cache, a page of bundles costs its two statements (the total and the page) once the
    catalog view is built, at any length, and answers what the loaders answer."""
    app.state.public.cache.max_entries = 0
    await gql(LIST_PAGE, {"first": 1})  # builds this version's view
    counts, pages = [], []
    for first in (5, 50):
        with count_queries() as counter:
            pages.append((await gql(LIST_PAGE, {"first": first}))["data"]["bundles"]["edges"])
        counts.append(len([s for s in counter.statements if "public_version" not in s]))
    assert counts == [2, 2], counts
    assert all(edge["node"]["items"] and edge["node"]["channels"] for edge in pages[1])
    app.state.public.derived.clear()  # without the view the loaders answer the same

    async def without_view(info: Any) -> None:
        return None

    monkeypatch.setattr(catalog_api, "with_catalog_view", without_view)
    for edge in pages[1][::10]:
        alone = await gql(ONE_BUNDLE, {"code": edge["node"]["code"]})
        assert alone["data"]["bundle"] == edge["node"]
    assert not app.state.public.derived


PREFILLED = """query($code: String!) { bundle(code: $code) { form {
  fields { key value prefilledFrom } materials { code heldLicence { type } } } } }"""


async def test_the_forms_public_part_is_shared_and_each_applicant_sees_only_their_own_values(gql: Any) -> None:
    """The form's fields and materials are built once per version of the catalog and copied per request: one
    applicant's prefilled values never show in another's form, nor in an anonymous one."""
    first, second = await register(gql, name="张三"), await register(gql, name="李四")
    forms = [(await gql(PREFILLED, {"code": "newborn"}, token=token))["data"]["bundle"]["form"]
             for token in (first["token"], second["token"], None)]
    values = [{f["key"]: f["value"] for f in form["fields"] if f["value"] is not None} for form in forms]
    assert first["idNumber"] in values[0].values() and second["idNumber"] not in values[0].values()
    assert second["idNumber"] in values[1].values() and first["idNumber"] not in values[1].values()
    assert values[2] == {} and all(f["prefilledFrom"] is None for f in forms[2]["fields"])
    assert [f["key"] for f in forms[0]["fields"]] == [f["key"] for f in forms[2]["fields"]]
