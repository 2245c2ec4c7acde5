"""The catalog source files: the demo catalog's shape, and refusal of inconsistent sources."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from portal.catalog.models import Terminal
from portal.catalog.source import DATA_DIR, FILES, parse_catalog, read_catalog
from portal.lutong.legacy import legacy_types
from portal.sources import SourceError

NATIONAL_KEY_MATTERS_2024 = {
    "企业信息变更一件事", "开办运输企业一件事", "开办餐饮店一件事", "员工录用一件事", "企业破产信息核查一件事",
    "经营主体注销登记一件事", "新生儿出生一件事", "教育入学一件事", "社会保障卡居民服务一件事", "残疾人服务一件事",
    "退休一件事", "二手房转移登记及水电气网联动过户一件事", "身后一件事",
}
NATIONAL_KEY_MATTERS_2025 = {
    "个体工商户开业一件事", "科技型企业创新政策扶持一件事", "企业上市合法合规信息核查一件事", "信用修复一件事",
    "开办养老机构一件事", "户口迁移一件事", "公民婚育一件事", "新车上牌一件事", "军人退役一件事", "扶残助困一件事",
    "外国人来华工作一件事", "举办体育赛事活动一件事", "申领居住证一件事", "开办诊所一件事", "申请公租房一件事",
}
# What people apply for on its own (单事项), as they would type it.
SINGLE_ITEMS = {"普通护照签发", "个体工商户设立登记", "基本医疗保险参保人员异地就医备案", "医疗费用手工（零星）报销"}


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    return {name: yaml.safe_load((DATA_DIR / f"{name}.yaml").read_text(encoding="utf-8")) for name in FILES}


def refused(raw: dict[str, Any]) -> list[str]:
    with pytest.raises(SourceError) as caught:
        parse_catalog(raw)
    return caught.value.problems


def bundle(raw: dict[str, Any], code: str) -> dict[str, Any]:
    return next(b for b in raw["bundles"] if b["code"] == code)


def test_demo_catalog_meets_the_minimums() -> None:
    source = read_catalog()
    assert len(source.departments) >= 60
    assert len(source.items) >= 300
    assert len(source.bundles) >= 88
    assert len({i.department for i in source.items}) >= 60
    assert {d.region for d in source.departments} >= {"370000", "370100", "370200", "370102", "370112", "370202"}
    assert all(d.region.startswith("37") for d in source.departments)
    assert SINGLE_ITEMS <= {i.name for i in source.items}
    assert len(legacy_types()) >= 50  # the older codes the 鲁通码 replaces


def test_demo_catalog_has_the_national_key_matters_and_shandongs_own() -> None:
    source = read_catalog()
    national = {b.name for b in source.bundles if b.national}
    assert national == NATIONAL_KEY_MATTERS_2024 | NATIONAL_KEY_MATTERS_2025
    own = {b.name for b in source.bundles if not b.national}
    assert {"新能源车充电桩报装一件事", "酒店入住一件事", "水电气暖网联合报装一件事", "高龄津贴一件事", "育儿补贴一件事",
            "残疾人两项补贴一件事", "异地就医一件事", "出入境证件办理一件事", "企业开办一件事"} <= own


def test_the_tv_offers_look_ups_and_benefit_certifications_that_need_no_paper() -> None:
    """At home on a TV (no keyboard, no camera for documents): the look-ups and the yearly benefit certifications,
    two bundles in full, and nothing that needs a paper material to upload or a business to run."""
    source = read_catalog()
    items = {i.code: i for i in source.items}
    on_tv = {code: item for code, item in items.items() if Terminal.TV in item.channels}
    names = {item.name for item in on_tv.values()}
    assert {"企业职工基本养老保险待遇领取资格认证", "城乡居民基本养老保险待遇领取资格认证",
            "社会保险个人权益记录查询", "基本医疗保险参保信息查询", "住房公积金个人缴存信息查询"} <= names
    assert all(item.audience.value != "ENTERPRISE" for item in on_tv.values())
    assert all([m.ref for m in item.materials if m.required] == ["resident-id-card"] for item in on_tv.values())
    full = [b.code for b in source.bundles if all(Terminal.TV in items[m.item].channels for m in b.items)]
    assert {"benefit-certification", "social-insurance-enquiry"} <= set(full)


def test_newborn_bundle_chains_birth_certificate_then_hukou_then_insurance() -> None:
    newborn = next(b for b in read_catalog().bundles if b.code == "newborn")
    items = {m.item: m.prerequisites for m in newborn.items}
    names = {i.code: i.name for i in read_catalog().items}
    certificate = next(code for code in items if "出生医学证明" in names[code])
    hukou = next(code for code in items if "出生登记" in names[code])
    assert items[certificate] == ()
    assert items[hukou] == (certificate,)
    dependants = {names[code] for code, prerequisites in items.items() if prerequisites == (hukou,)}
    assert any("医疗保险" in n for n in dependants) and any("社会保障卡" in n for n in dependants)


def test_bundle_naming_a_missing_item_is_refused_with_the_bundle_code(raw: dict[str, Any]) -> None:
    broken = copy.deepcopy(raw)
    members = bundle(broken, "newborn")["items"]
    members.append({"item": "370100-WJW-999"})
    assert refused(broken) == [f"bundles.yaml: newborn: items[{len(members) - 1}].item: unknown item 370100-WJW-999"]


def test_bundle_with_a_cycle_is_refused_with_the_bundle_code_and_the_cycle(raw: dict[str, Any]) -> None:
    broken = copy.deepcopy(raw)
    items = bundle(broken, "newborn")["items"]
    first, hukou = items[0]["item"], items[2]["item"]
    items[0]["prerequisites"] = [hukou]
    assert refused(broken) == [f"bundles.yaml: newborn: has a dependency cycle (each needs the next): {first} → {hukou} → {first}"]


def test_prerequisite_outside_the_bundle_is_refused(raw: dict[str, Any]) -> None:
    broken = copy.deepcopy(raw)
    bundle(broken, "retirement")["items"][0]["prerequisites"] = ["370100-WJW-001"]
    first = bundle(broken, "retirement")["items"][0]["item"]
    assert refused(broken) == [
        f"bundles.yaml: retirement: prerequisite 370100-WJW-001 of {first} is not an item of this bundle"]


def test_every_problem_is_reported_at_once(raw: dict[str, Any]) -> None:
    broken = copy.deepcopy(raw)
    broken["items"][0]["department"] = "370000-NOPE"
    broken["items"][1]["promisedDays"] = broken["items"][1]["legalDays"] + 1
    broken["fields"][0]["type"] = "COLOUR"
    problems = refused(broken)
    assert len(problems) == 3
    assert f"items.yaml: {broken['items'][0]['code']}: department: unknown department 370000-NOPE" in problems
    assert any("promisedDays" in p and broken["items"][1]["code"] in p for p in problems)
    assert any(p.startswith(f"fields.yaml: {broken['fields'][0]['key']}: type: ") and "'COLOUR'" in p for p in problems)


def test_item_fields_must_come_from_the_field_dictionary(raw: dict[str, Any]) -> None:
    broken = copy.deepcopy(raw)
    fields = broken["items"][0]["fields"]
    fields.append({"key": "applicant.shoeSize", "required": False})
    assert refused(broken) == [
        f"items.yaml: {broken['items'][0]['code']}: fields[{len(fields) - 1}].key: unknown field applicant.shoeSize"]


def test_an_id_number_key_must_be_typed_as_id_number(raw: dict[str, Any]) -> None:
    broken = copy.deepcopy(raw)
    field = next(f for f in broken["fields"] if f["key"] == "applicant.idNumber")
    field["type"] = "TEXT"
    assert refused(broken) == ["fields.yaml: applicant.idNumber: type: a key ending in .idNumber must have type ID_NUMBER"]


def test_select_needs_options_and_only_select_has_them(raw: dict[str, Any]) -> None:
    broken = copy.deepcopy(raw)
    select = next(f for f in broken["fields"] if f["type"] == "SELECT")
    select.pop("options")
    assert refused(broken) == [f"fields.yaml: {select['key']}: options: options are required for SELECT and only for SELECT"]


def test_validation_rules_must_fit_the_field_type(raw: dict[str, Any]) -> None:
    broken = copy.deepcopy(raw)
    date_field = next(f for f in broken["fields"] if f["type"] == "DATE")
    date_field["validation"] = {"maxLength": 3}
    assert refused(broken) == [f"fields.yaml: {date_field['key']}: validation: maxLength not allowed for DATE"]


def test_duplicate_codes_are_refused(raw: dict[str, Any]) -> None:
    broken = copy.deepcopy(raw)
    broken["bundles"].append(copy.deepcopy(bundle(broken, "newborn")))
    assert refused(broken) == ["bundles.yaml: newborn: duplicate code newborn"]


def test_missing_and_malformed_files_are_named(tmp_path: Path) -> None:
    for name in FILES:
        (tmp_path / f"{name}.yaml").write_text((DATA_DIR / f"{name}.yaml").read_text(encoding="utf-8"),
                                               encoding="utf-8")
    (tmp_path / "bundles.yaml").unlink()
    (tmp_path / "fields.yaml").write_text("- key: [unclosed\n", encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        read_catalog(tmp_path)
    assert caught.value.problems[0].startswith(f"{tmp_path / 'fields.yaml'}: not valid YAML")
    assert caught.value.problems[1] == f"{tmp_path / 'bundles.yaml'}: missing"


def test_problems_of_every_file_are_reported_at_once_each_at_its_place(raw: dict[str, Any]) -> None:
    broken = copy.deepcopy(raw)
    region, department, material, item = (broken["regions"][1], broken["departments"][0], broken["materials"][0],
                                           broken["items"][0])
    region["parent"] = "379999"
    department["name"] = 5
    material["certificateType"] = "NO_SUCH_TYPE"
    item["fields"][0].pop("required")
    item["colour"] = "red"
    assert refused(broken) == [
        f"regions.yaml: {region['code']}: parent: unknown parent 379999",
        f"departments.yaml: {department['code']}: name: Input should be a valid string, got 5",
        f"materials.yaml: {material['code']}: certificateType: unknown certificate type NO_SUCH_TYPE",
        f"items.yaml: {item['code']}: fields[0].required: required",
        f"items.yaml: {item['code']}: colour: unknown key",
    ]


def test_a_region_with_more_market_entities_than_its_parent_is_refused(raw: dict[str, Any]) -> None:
    broken = copy.deepcopy(raw)
    city = next(r for r in broken["regions"] if r["level"] == "CITY")
    city["marketEntities"] = 10**9
    assert refused(broken) == [f"regions.yaml: {city['code']}: more market entities than its parent {city['parent']}"]


def item(raw: dict[str, Any], code: str) -> dict[str, Any]:
    return next(i for i in raw["items"] if i["code"] == code)


HOTEL = "370000-GAT-001"  # 旅馆业旅客住宿登记: a citizen's item, decided by rule, asking stay.nights
BIRTH = "370100-GAJ-001"  # 出生登记: produces child.idNumber, offers 育儿补贴一件事


def test_every_item_names_its_legal_basis_with_the_law_in_book_title_marks(raw: dict[str, Any]) -> None:
    broken = copy.deepcopy(raw)
    item(broken, HOTEL).pop("legalBasis")
    item(broken, BIRTH)["legalBasis"] = ["户口登记条例第七条", "《中华人民共和国户口登记条例》第七条"]
    assert refused(broken) == [
        f"items.yaml: {HOTEL}: legalBasis: required",
        f"items.yaml: {BIRTH}: legalBasis[0]: '户口登记条例第七条' does not name a law or regulation in 《》 "
        "with its article",
    ]
    assert all(i.legal_basis for i in read_catalog().items)


def test_an_item_produces_only_id_numbers_and_credit_codes_it_knows(raw: dict[str, Any]) -> None:
    broken = copy.deepcopy(raw)
    item(broken, BIRTH)["produces"] = ["child.name", "child.shoeSize", "child.idNumber"]
    text, unknown = refused(broken)
    assert text == (f"items.yaml: {BIRTH}: produces[0]: child.name is TEXT: an approval produces only ID_NUMBER or "
                    "CREDIT_CODE fields")
    assert unknown == f"items.yaml: {BIRTH}: produces[1]: unknown field child.shoeSize"


def test_a_rule_holds_known_licences_in_known_regions_on_the_items_own_fields(raw: dict[str, Any]) -> None:
    broken = copy.deepcopy(raw)
    item(broken, HOTEL)["instantApproval"] = {"rule": "旅客即时登记", "all": [
        {"holds": "FLYING_LICENCE"}, {"residentOf": "379999"}, {"field": "child.name", "equals": "张三"},
        {"field": "guest.nickname", "equals": "x"}, {"ageAtLeast": -1}]}
    assert refused(broken) == [
        f"items.yaml: {HOTEL}: instantApproval.all[0].holds: unknown certificate type FLYING_LICENCE",
        f"items.yaml: {HOTEL}: instantApproval.all[1].residentOf: unknown region 379999",
        f"items.yaml: {HOTEL}: instantApproval.all[3].field: unknown field guest.nickname",
        f"items.yaml: {HOTEL}: instantApproval.all[4].ageAtLeast: Input should be greater than or equal to 0, got -1",
    ]
    del item(broken, HOTEL)["instantApproval"]["all"][1:]
    item(broken, HOTEL)["instantApproval"]["all"] = [{"holds": "RESIDENT_ID_CARD"},
                                                    {"field": "child.name", "equals": "张三"}]
    assert refused(broken) == [
        f"items.yaml: {HOTEL}: instantApproval.all[1].field: child.name is not a field of this item"]


def test_a_condition_is_exactly_one_fact_compared_as_its_field_allows(raw: dict[str, Any]) -> None:
    broken = copy.deepcopy(raw)
    item(broken, HOTEL)["instantApproval"] = {"rule": "旅客即时登记", "all": [
        {"holds": "RESIDENT_ID_CARD", "ageAtLeast": 18}, {}, {"field": "stay.nights"},
        {"ageBelow": 60, "equals": 1}, {"field": "guest.name", "atMost": 3},
        {"field": "stay.nights", "equals": "两晚"}, {"field": "stay.roomNumber", "oneOf": ["101"]}]}
    item(broken, BIRTH)["offers"] = [{"bundle": "childcare-subsidy", "reason": "育儿补贴",
                                      "when": [{"field": "child.gender", "oneOf": ["MALE", "BOY"]}]}]
    assert refused(broken) == [
        f"items.yaml: {HOTEL}: instantApproval.all[0]: a condition is exactly one of holds, ageAtLeast, ageBelow, "
        "residentOf, field, got holds, ageAtLeast",
        f"items.yaml: {HOTEL}: instantApproval.all[1]: a condition is exactly one of holds, ageAtLeast, ageBelow, "
        "residentOf, field, got none",
        f"items.yaml: {HOTEL}: instantApproval.all[2]: a field condition needs exactly one of equals, atMost, "
        "atLeast, oneOf",
        f"items.yaml: {HOTEL}: instantApproval.all[3]: equals only go with field",
        f"items.yaml: {HOTEL}: instantApproval.all[4].atMost: guest.name is TEXT: atMost and atLeast compare NUMBER "
        "fields",
        f"items.yaml: {HOTEL}: instantApproval.all[5].equals: stay.nights is NUMBER: compare it with a number",
        f"items.yaml: {HOTEL}: instantApproval.all[6].oneOf: stay.roomNumber is TEXT: oneOf lists options of a "
        "SELECT field",
        f"items.yaml: {BIRTH}: offers[0].when[0].oneOf[1]: 'BOY' is not an option of child.gender",
    ]


def test_an_offer_names_a_bundle_that_exists_for_the_items_applicants(raw: dict[str, Any]) -> None:
    broken = copy.deepcopy(raw)
    item(broken, BIRTH)["offers"] = [{"bundle": "nope", "reason": "不存在"}]
    item(broken, HOTEL)["offers"] = [{"bundle": "open-restaurant", "reason": "开饭店"},
                                     {"bundle": "childcare-subsidy", "reason": "育儿补贴"}]
    assert refused(broken) == [
        f"items.yaml: {HOTEL}: offers[0].bundle: open-restaurant is for ENTERPRISE, this item's applicants are "
        "CITIZEN",
        f"items.yaml: {BIRTH}: offers[0].bundle: unknown bundle nope",
    ]


def test_a_bundle_serves_only_items_for_its_audience(raw: dict[str, Any]) -> None:
    broken = copy.deepcopy(raw)
    members = bundle(broken, "newborn")["items"]
    members.append({"item": "370100-XZSPJ-001"})
    assert refused(broken) == [f"bundles.yaml: newborn: items[{len(members) - 1}].item: 370100-XZSPJ-001 is for "
                               "ENTERPRISE, this bundle for CITIZEN"]


def test_the_tv_and_the_kiosk_are_offered_only_where_no_paper_is_required(raw: dict[str, Any]) -> None:
    broken = copy.deepcopy(raw)
    certificate = item(broken, "370100-WJW-001")  # 出生医学证明首次签发: the hospital's birth record is paper
    certificate["channels"] = [*certificate["channels"], "KIOSK", "TV"]
    kiosk, tv = len(certificate["channels"]) - 2, len(certificate["channels"]) - 1
    assert refused(broken) == [
        f"items.yaml: 370100-WJW-001: channels[{kiosk}]: KIOSK is offered but the required material "
        "birth-medical-record has no e-licence to stand in for a paper upload",
        f"items.yaml: 370100-WJW-001: channels[{tv}]: TV is offered but the required material "
        "birth-medical-record has no e-licence to stand in for a paper upload",
    ]
    next(m for m in certificate["materials"] if m["code"] == "birth-medical-record")["required"] = False
    assert parse_catalog(broken)
