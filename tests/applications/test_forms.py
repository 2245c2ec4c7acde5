"""一表申请: validate_form checks every value of a merged form and reports every problem at once."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from portal.applications.errors import ApplicationCode
from portal.applications.forms import FieldRule, listed, validate_form
from portal.catalog.models import FieldType
from portal.problems import FormProblems, InvalidField

TODAY = date(2025, 6, 1)
FIELDS_YAML = Path(__file__).resolve().parents[2] / "portal" / "catalog" / "data" / "fields.yaml"

ID_NUMBER = "370102199003071238"
ID_NUMBER_LOWER_X = "37010220230815002x"
ID_NUMBER_BORN_TOMORROW = "370102202506020015"
CREDIT_CODE = "91350100M000100Y43"  # GB 32100-2015's own example

NAME = FieldRule("applicant.name", "申请人姓名", FieldType.TEXT, True, {"minLength": 2, "maxLength": 30})
ADDRESS = FieldRule("applicant.address", "申请人联系地址", FieldType.ADDRESS, True, {"minLength": 5, "maxLength": 120})
ETHNICITY = FieldRule("child.ethnicity", "新生儿民族", FieldType.TEXT, False, {"pattern": "[\u4e00-\u9fa5]{1,8}族"})
NOTE = FieldRule("note", "备注", FieldType.TEXT, False)
PLACE = FieldRule("place", "地点", FieldType.ADDRESS, False)
BIRTH = FieldRule("child.birthDate", "新生儿出生日期", FieldType.DATE, True, {"notAfterToday": True})
CHECK_IN = FieldRule("stay.checkInDate", "入住日期", FieldType.DATE, False, {"notBeforeToday": True})
HIRED = FieldRule("employee.hireDate", "入职（用工）日期", FieldType.DATE, False)
CAPITAL = FieldRule("enterprise.registeredCapital", "注册资本（万元）", FieldType.NUMBER, False,
                    {"min": 0.01, "max": 10000000})
VEHICLES = FieldRule("transport.vehicleCount", "拟投入运营车辆数（辆）", FieldType.NUMBER, False,
                     {"min": 1, "max": 10000, "integer": True})
PHONE = FieldRule("applicant.phone", "申请人手机号码", FieldType.PHONE, True)
IDENTITY = FieldRule("applicant.idNumber", "申请人身份证号码", FieldType.ID_NUMBER, True)
CREDIT = FieldRule("enterprise.creditCode", "统一社会信用代码", FieldType.CREDIT_CODE, False)
GENDER = FieldRule("child.gender", "新生儿性别", FieldType.SELECT, True, {},
                   ({"value": "MALE", "label": "男"}, {"value": "FEMALE", "label": "女"}))
CONSENT = FieldRule("consent", "同意共享电子证照", FieldType.BOOLEAN, True)


def problems_of(rules: list[FieldRule], values: object) -> list[tuple[str, str, str]]:
    with pytest.raises(FormProblems) as caught:
        validate_form(rules, values, today=TODAY)
    assert all(isinstance(p, InvalidField) for p in caught.value.problems)
    return [(p.field, p.code, p.message) for p in caught.value.problems]


def codes_of(rule: FieldRule, value: object) -> list[tuple[str, str]]:
    return [(field, code) for field, code, _ in problems_of([rule], {rule.key: value})]


def one(rule: FieldRule, value: object) -> object:
    return validate_form([rule], {rule.key: value}, today=TODAY)[rule.key]


# —— the whole form ——

def test_valid_form_returns_every_value_normalised_in_rule_order() -> None:
    rules = [NAME, ADDRESS, BIRTH, CAPITAL, VEHICLES, PHONE, IDENTITY, CREDIT, GENDER, CONSENT]
    values = {
        "consent": True, "child.gender": "FEMALE", "enterprise.creditCode": " 91350100m000100y43 ",
        "applicant.idNumber": ID_NUMBER_LOWER_X, "applicant.phone": "+86 138-1234-5678",
        "transport.vehicleCount": "12", "enterprise.registeredCapital": 50.5, "child.birthDate": " 2025-05-31 ",
        "applicant.address": "  济南市历下区龙奥北路8号  ", "applicant.name": "\u3000张三 ",
    }
    result = validate_form(rules, values, today=TODAY)
    assert result == {
        "applicant.name": "张三", "applicant.address": "济南市历下区龙奥北路8号", "child.birthDate": "2025-05-31",
        "enterprise.registeredCapital": 50.5, "transport.vehicleCount": 12, "applicant.phone": "13812345678",
        "applicant.idNumber": "37010220230815002X", "enterprise.creditCode": CREDIT_CODE,
        "child.gender": "FEMALE", "consent": True,
    }
    assert list(result) == [rule.key for rule in rules]


def test_every_problem_is_reported_at_once_in_rule_order_then_unknown_keys_in_submitted_order() -> None:
    rules = [NAME, BIRTH, VEHICLES, PHONE, GENDER, CONSENT]
    values = {
        "extra.second": "x", "consent": "yes", "child.gender": "UNKNOWN", "applicant.phone": "12345",
        "transport.vehicleCount": 2.5, "extra.first": 1, "child.birthDate": "2025-06-02", "applicant.name": "张",
    }
    assert [(field, code) for field, code, _ in problems_of(rules, values)] == [
        ("applicant.name", "TOO_SHORT"),
        ("child.birthDate", "DATE_IN_FUTURE"),
        ("transport.vehicleCount", "NOT_AN_INTEGER"),
        ("applicant.phone", "BAD_FORMAT"),
        ("child.gender", "UNKNOWN_OPTION"),
        ("consent", "NOT_A_BOOLEAN"),
        ("extra.second", "UNKNOWN_FIELD"),
        ("extra.first", "UNKNOWN_FIELD"),
    ]


def test_missing_required_fields_are_reported_together_with_bad_ones() -> None:
    assert problems_of([NAME, PHONE, CONSENT], {"applicant.name": "  "}) == [
        ("applicant.name", "REQUIRED", "请填写申请人姓名"),
        ("applicant.phone", "REQUIRED", "请填写申请人手机号码"),
        ("consent", "REQUIRED", "请填写同意共享电子证照"),
    ]


def test_unknown_field_is_a_problem_naming_the_key_even_when_everything_else_is_valid() -> None:
    assert problems_of([NOTE], {"note": "好", "child.nickname": "小宝"}) == [
        ("child.nickname", "UNKNOWN_FIELD", "表单中没有“child.nickname”这一项，请刷新页面后重新填写"),
    ]


@pytest.mark.parametrize("key", ["x" * 81, "child.\ud800", "child.\u202ename", "child\nname"])
def test_an_unknown_key_that_could_be_no_canonical_key_is_not_named_back(key: str) -> None:
    assert problems_of([NOTE], {key: "小宝"}) == [
        ("formValues", "UNKNOWN_FIELD", "表单中有无法识别的项目，请刷新页面后重新填写"),
    ]


def test_an_answer_lists_fifty_problems_and_says_how_many_more() -> None:
    with pytest.raises(FormProblems) as caught:
        validate_form([NOTE], {f"extra.{n}": n for n in range(30000)}, today=TODAY)
    problems = listed(caught.value.problems).problems
    assert [(p.field, p.code) for p in problems[:2]] == [("extra.0", "UNKNOWN_FIELD"), ("extra.1", "UNKNOWN_FIELD")]
    assert len(problems) == 51 and problems[49].field == "extra.49"
    assert (problems[50].field, problems[50].code, problems[50].message) == (
        "formValues", "TOO_MANY_PROBLEMS", "还有29950处问题未列出，请先修改以上内容")
    few = [InvalidField(f"k{n}", ApplicationCode.UNKNOWN_FIELD, "x") for n in range(50)]
    assert listed(few).problems == few


@pytest.mark.parametrize("values", [None, [], ["applicant.name"], "applicant.name=张三", 1, True, {1: "张三"}])
def test_values_that_are_not_a_json_object_give_one_not_an_object_problem(values: object) -> None:
    assert problems_of([NAME], values) == [
        ("formValues", "NOT_AN_OBJECT", "提交的表单内容格式不正确，请刷新页面后重新填写"),
    ]


def test_empty_form_with_only_optional_fields_is_valid_and_empty() -> None:
    assert validate_form([NOTE, CAPITAL, CREDIT], {}, today=TODAY) == {}


def test_duplicate_rule_keys_are_a_programming_error() -> None:
    with pytest.raises(ValueError):
        validate_form([NAME, NAME], {}, today=TODAY)


# —— required and optional ——

@pytest.mark.parametrize("values", [{}, {"applicant.name": None}, {"applicant.name": ""},
                                    {"applicant.name": " \t\n"}, {"applicant.name": "\u3000"}])
def test_missing_null_or_blank_required_field_is_required(values: dict[str, Any]) -> None:
    assert problems_of([NAME], values) == [("applicant.name", "REQUIRED", "请填写申请人姓名")]


@pytest.mark.parametrize("rule", [NOTE, CHECK_IN, CAPITAL, CREDIT])
@pytest.mark.parametrize("value", [None, "", "   "])
def test_blank_optional_field_is_omitted_from_the_result(rule: FieldRule, value: object) -> None:
    assert validate_form([rule], {rule.key: value}, today=TODAY) == {}


def test_required_boolean_accepts_false() -> None:
    assert validate_form([CONSENT], {"consent": False}, today=TODAY) == {"consent": False}


# —— TEXT and ADDRESS ——

def test_text_is_stripped() -> None:
    assert one(NAME, " \u3000李四\t") == "李四"


@pytest.mark.parametrize("value", [12, 1.5, True, ["张三"], {"name": "张三"}])
def test_text_must_be_a_string(value: object) -> None:
    assert problems_of([NAME], {"applicant.name": value}) == [
        ("applicant.name", "NOT_A_STRING", "申请人姓名应为文字，请重新填写"),
    ]


def test_text_shorter_than_min_length_is_too_short_with_the_limit() -> None:
    assert problems_of([NAME], {"applicant.name": " 张 "}) == [
        ("applicant.name", "TOO_SHORT", "申请人姓名至少需要2个字，您填写了1个字"),
    ]


def test_text_longer_than_max_length_is_too_long_with_the_limit() -> None:
    assert problems_of([NAME], {"applicant.name": "张" * 31}) == [
        ("applicant.name", "TOO_LONG", "申请人姓名不能超过30个字，您填写了31个字"),
    ]


def test_length_is_counted_in_characters_not_bytes() -> None:
    assert one(NAME, "张" * 30) == "张" * 30
    assert one(NAME, "𠀀𠀁") == "𠀀𠀁"  # CJK extension B: two characters, eight UTF-8 bytes


def test_text_defaults_to_500_and_address_to_200_characters() -> None:
    assert one(NOTE, "字" * 500) == "字" * 500
    assert codes_of(NOTE, "字" * 501) == [("note", "TOO_LONG")]
    assert one(PLACE, "路" * 200) == "路" * 200
    assert problems_of([PLACE], {"place": "路" * 201}) == [("place", "TOO_LONG", "地点不能超过200个字，您填写了201个字")]


def test_address_uses_its_own_length_limits() -> None:
    assert codes_of(ADDRESS, "济南市") == [("applicant.address", "TOO_SHORT")]
    assert codes_of(ADDRESS, "济" * 121) == [("applicant.address", "TOO_LONG")]


@pytest.mark.parametrize("value", ["张\x00三", "张\x1b三", "张\x7f三", "张\u2028三", "张\ud800三", "张\u202e三",
                                   "张\u200b三", "\ufeff张三", "张\u2066三"])
def test_text_with_control_direction_or_surrogate_characters_is_a_forbidden_character(value: str) -> None:
    assert problems_of([NAME], {"applicant.name": value}) == [
        ("applicant.name", "FORBIDDEN_CHARACTER", "申请人姓名：含有不可见的控制字符或方向字符，请删除后重新输入"),
    ]


@pytest.mark.parametrize("value", ["张\n三", "张\r\n三", "张\t三"])
def test_a_line_break_in_one_line_text_is_a_forbidden_character(value: str) -> None:
    assert problems_of([NAME], {"applicant.name": value}) == [
        ("applicant.name", "FORBIDDEN_CHARACTER", "申请人姓名：此处不能换行"),
    ]


def test_address_with_control_characters_is_a_forbidden_character() -> None:
    assert codes_of(ADDRESS, "济南市历下区\t龙奥北路8号") == [("applicant.address", "FORBIDDEN_CHARACTER")]


@pytest.mark.parametrize("rule", [BIRTH, CAPITAL, PHONE, IDENTITY, CREDIT, GENDER], ids=lambda r: r.key)
def test_a_lone_surrogate_or_a_direction_mark_is_a_forbidden_character_in_every_field_type(rule: FieldRule) -> None:
    assert codes_of(rule, "2025\ud800") == [(rule.key, "FORBIDDEN_CHARACTER")]
    assert codes_of(rule, "\u202e12") == [(rule.key, "FORBIDDEN_CHARACTER")]


def test_a_string_for_a_code_or_a_number_is_at_most_5000_characters() -> None:
    assert problems_of([IDENTITY], {"applicant.idNumber": "3" * 5001}) == [
        ("applicant.idNumber", "TOO_LONG", "申请人身份证号码不能超过5000个字，您填写了5001个字"),
    ]


@pytest.mark.parametrize(("rule", "code"), [(NAME, "NOT_A_STRING"), (BIRTH, "BAD_DATE"), (CAPITAL, "BAD_NUMBER"),
                                            (PHONE, "NOT_A_STRING"), (GENDER, "UNKNOWN_OPTION"),
                                            (CONSENT, "NOT_A_BOOLEAN")], ids=lambda r: getattr(r, "key", r))
def test_no_field_type_holds_a_nested_value(rule: FieldRule, code: str) -> None:
    nested: object = "张三"
    for _ in range(500):
        nested = [nested]
    assert codes_of(rule, nested) == [(rule.key, code)]
    assert codes_of(rule, {"value": {"value": "张三"}}) == [(rule.key, code)]


def test_pattern_must_match_the_whole_value() -> None:
    assert one(ETHNICITY, " 汉族 ") == "汉族"
    assert problems_of([ETHNICITY], {"child.ethnicity": "汉族人"}) == [
        ("child.ethnicity", "BAD_FORMAT", "新生儿民族格式不正确，请核对后重新填写"),
    ]
    assert codes_of(ETHNICITY, "a汉族") == [("child.ethnicity", "BAD_FORMAT")]


# —— DATE ——

def test_date_is_normalised_to_the_iso_string() -> None:
    assert one(HIRED, " 2024-02-29 ") == "2024-02-29"


@pytest.mark.parametrize("value", ["2025/01/31", "2025.01.31", "20250131", "2025-1-31", "31-01-2025",
                                   "2025-01-31T00:00", "2025-W05-5", "２０２５-０１-３１", "2025年1月31日",
                                   20250131, True, ["2025-01-31"]])
def test_date_not_written_as_iso_year_month_day_is_bad_date(value: object) -> None:
    assert problems_of([HIRED], {"employee.hireDate": value}) == [
        ("employee.hireDate", "BAD_DATE", "入职（用工）日期请按 年-月-日 填写，例如 2025-01-31"),
    ]


@pytest.mark.parametrize("value", ["2025-02-29", "2025-04-31", "2025-13-01", "2025-00-10", "0000-01-01"])
def test_date_that_does_not_exist_is_bad_date(value: str) -> None:
    assert problems_of([HIRED], {"employee.hireDate": value}) == [
        ("employee.hireDate", "BAD_DATE", f"入职（用工）日期不是有效的日期（{value}），请核对后重新填写"),
    ]


def test_not_after_today_accepts_today_and_rejects_tomorrow_as_date_in_future() -> None:
    assert one(BIRTH, "2025-06-01") == "2025-06-01"
    assert problems_of([BIRTH], {"child.birthDate": "2025-06-02"}) == [
        ("child.birthDate", "DATE_IN_FUTURE", "新生儿出生日期不能晚于今天（2025-06-01）"),
    ]


def test_not_before_today_accepts_today_and_rejects_yesterday_as_date_in_past() -> None:
    assert one(CHECK_IN, "2025-06-01") == "2025-06-01"
    assert problems_of([CHECK_IN], {"stay.checkInDate": "2025-05-31"}) == [
        ("stay.checkInDate", "DATE_IN_PAST", "入住日期不能早于今天（2025-06-01）"),
    ]


def test_date_without_bounds_accepts_past_and_future() -> None:
    assert one(HIRED, "1990-01-01") == "1990-01-01"
    assert one(HIRED, "2030-12-31") == "2030-12-31"


# —— NUMBER ——

@pytest.mark.parametrize(("value", "expected"), [
    (12, 12), (12.0, 12), (12.5, 12.5), ("12", 12), (" 12.5 ", 12.5), ("12.50", 12.5), ("12.0", 12), ("0.01", 0.01),
    ("10000000", 10000000),
])
def test_number_accepts_json_numbers_and_numeric_strings_normalised_to_int_or_float(value: object,
                                                                                    expected: object) -> None:
    result = one(CAPITAL, value)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize("value", [True, False, "1e5", "NaN", "nan", "inf", "-inf", "Infinity", "1,000", "1 000", "12.",
                                   ".5", "+12", "0x10", "１２", "十二", "12元", float("nan"), float("inf"), 10 ** 400,
                                   [12], {"value": 12}])
def test_number_rejects_everything_else_as_bad_number(value: object) -> None:
    assert problems_of([CAPITAL], {"enterprise.registeredCapital": value}) == [
        ("enterprise.registeredCapital", "BAD_NUMBER", "注册资本（万元）应为数字，例如 12 或 12.5"),
    ]


def test_integer_number_rejects_a_fraction_and_accepts_a_whole_float() -> None:
    assert problems_of([VEHICLES], {"transport.vehicleCount": "2.5"}) == [
        ("transport.vehicleCount", "NOT_AN_INTEGER", "拟投入运营车辆数（辆）应为整数"),
    ]
    assert codes_of(VEHICLES, 2.5) == [("transport.vehicleCount", "NOT_AN_INTEGER")]
    assert one(VEHICLES, 3.0) == 3


def test_number_below_min_is_too_small_with_the_bound() -> None:
    assert problems_of([CAPITAL], {"enterprise.registeredCapital": "0.009"}) == [
        ("enterprise.registeredCapital", "TOO_SMALL", "注册资本（万元）不能小于0.01"),
    ]
    assert problems_of([VEHICLES], {"transport.vehicleCount": 0}) == [
        ("transport.vehicleCount", "TOO_SMALL", "拟投入运营车辆数（辆）不能小于1"),
    ]
    assert codes_of(VEHICLES, "-3") == [("transport.vehicleCount", "TOO_SMALL")]


def test_number_above_max_is_too_large_with_the_bound() -> None:
    assert problems_of([CAPITAL], {"enterprise.registeredCapital": 10000000.5}) == [
        ("enterprise.registeredCapital", "TOO_LARGE", "注册资本（万元）不能大于10000000"),
    ]
    assert codes_of(VEHICLES, "10001") == [("transport.vehicleCount", "TOO_LARGE")]


def test_a_number_too_large_for_its_field_is_too_large_however_large() -> None:
    assert codes_of(VEHICLES, 10 ** 30) == [("transport.vehicleCount", "TOO_LARGE")]
    assert codes_of(VEHICLES, "1" + "0" * 30) == [("transport.vehicleCount", "TOO_LARGE")]
    assert codes_of(CAPITAL, -10 ** 30) == [("enterprise.registeredCapital", "TOO_SMALL")]


def test_a_number_field_without_bounds_holds_only_what_a_json_number_holds_exactly() -> None:
    count = FieldRule("count", "数量", FieldType.NUMBER, True)
    assert one(count, 2 ** 53 - 1) == 2 ** 53 - 1
    assert problems_of([count], {"count": 10 ** 30}) == [("count", "TOO_LARGE", "数量不能大于9007199254740991")]
    assert problems_of([count], {"count": -(2 ** 53)}) == [("count", "TOO_SMALL", "数量不能小于-9007199254740991")]


def test_number_bounds_are_inclusive() -> None:
    assert one(VEHICLES, 1) == 1
    assert one(VEHICLES, 10000) == 10000


# —— PHONE, ID_NUMBER, CREDIT_CODE: delegated to portal.identity.numbers ——

def test_phone_is_normalised_to_eleven_digits() -> None:
    assert one(PHONE, "+86 138-1234-5678") == "13812345678"


def test_bad_phone_keeps_the_numbers_module_code_and_message_under_the_field_key() -> None:
    assert problems_of([PHONE], {"applicant.phone": "12345678901"}) == [
        ("applicant.phone", "BAD_FORMAT", "手机号码应为以1开头的11位数字，请核对后重新输入"),
    ]


def test_id_number_is_normalised_with_an_upper_case_x() -> None:
    assert one(IDENTITY, ID_NUMBER) == ID_NUMBER
    assert one(IDENTITY, ID_NUMBER_LOWER_X) == "37010220230815002X"


def test_id_number_birth_date_is_checked_against_the_given_today() -> None:
    assert codes_of(IDENTITY, ID_NUMBER_BORN_TOMORROW) == [("applicant.idNumber", "FUTURE_BIRTH_DATE")]
    assert validate_form([IDENTITY], {"applicant.idNumber": ID_NUMBER_BORN_TOMORROW}, today=date(2025, 6, 2)) == {
        "applicant.idNumber": ID_NUMBER_BORN_TOMORROW}


def test_bad_id_number_keeps_the_numbers_module_code_and_message() -> None:
    assert problems_of([IDENTITY], {"applicant.idNumber": "370102199003071239"}) == [
        ("applicant.idNumber", "BAD_CHECK_CHARACTER", "身份证号码校验位不正确，请核对后重新输入"),
    ]
    assert codes_of(IDENTITY, 370102199003071238) == [("applicant.idNumber", "NOT_A_STRING")]


def test_credit_code_is_normalised_to_upper_case_and_checked() -> None:
    assert one(CREDIT, "91350100m000100y43") == CREDIT_CODE
    assert problems_of([CREDIT], {"enterprise.creditCode": "91350100M000100Y44"}) == [
        ("enterprise.creditCode", "BAD_CHECK_CHARACTER", "统一社会信用代码校验位不正确，请核对后重新输入"),
    ]


# —— SELECT and BOOLEAN ——

def test_select_returns_the_option_value_as_given() -> None:
    assert one(GENDER, "MALE") == "MALE"


@pytest.mark.parametrize("value", ["male", " MALE", "男", "OTHER", 1, True, ["MALE"], {"value": "MALE"}])
def test_select_value_not_among_the_options_is_unknown_option_listing_the_labels(value: object) -> None:
    assert problems_of([GENDER], {"child.gender": value}) == [
        ("child.gender", "UNKNOWN_OPTION", "新生儿性别请从以下选项中选择：男、女"),
    ]


def test_boolean_accepts_true_and_false() -> None:
    assert one(CONSENT, True) is True
    assert one(CONSENT, False) is False


@pytest.mark.parametrize("value", ["true", "false", 1, 0, "是", [True]])
def test_boolean_accepts_only_json_true_or_false(value: object) -> None:
    assert problems_of([CONSENT], {"consent": value}) == [
        ("consent", "NOT_A_BOOLEAN", "同意共享电子证照请选择“是”或“否”"),
    ]


# —— the real field dictionary ——

# One value per dictionary field with a pattern, taken from the field's hint where it gives an example.
PATTERN_SAMPLES = {
    "child.ethnicity": "汉族",
    "bankruptcy.caseNumber": "（2024）鲁0102破3号",
    "vehicle.plateNumber": "鲁AD12345",
    "vehicle.vin": "LSVAU2180N2183294",
    "property.certificateNumber": "鲁（2021）济南市不动产权第0012345号",
    "bank.accountNumber": "6222021602001234567",
    "disabled.certificateNumber": "37010220230815002X42",
    "stay.roomNumber": "B2-1307",
    "driver.licenseNumber": "370100123456",
    "foreigner.name": "John O'Neil Smith",
    "foreigner.passportNumber": "E12345678",
    "project.code": "2407-370102-04-01-123456",
}


def dictionary() -> list[dict[str, Any]]:
    return yaml.safe_load(FIELDS_YAML.read_text(encoding="utf-8"))


def rule_of(entry: dict[str, Any], required: bool = True) -> FieldRule:
    return FieldRule(entry["key"], entry["label"], FieldType(entry["type"]), required,
                     entry.get("validation") or {}, entry.get("options") or ())


PATTERN_FIELDS = [entry for entry in dictionary() if "pattern" in (entry.get("validation") or {})]


@pytest.mark.parametrize("entry", PATTERN_FIELDS, ids=[entry["key"] for entry in PATTERN_FIELDS])
def test_every_dictionary_pattern_accepts_a_matching_value_and_only_as_a_full_match(entry: dict[str, Any]) -> None:
    assert entry["key"] in PATTERN_SAMPLES, f"add a sample for the pattern of {entry['key']} to PATTERN_SAMPLES"
    rule, sample = rule_of(entry), PATTERN_SAMPLES[entry["key"]]
    assert validate_form([rule], {rule.key: sample}, today=TODAY) == {rule.key: sample}
    assert codes_of(rule, sample + "。") == [(rule.key, "BAD_FORMAT")]


def test_the_samples_cover_exactly_the_dictionary_pattern_fields() -> None:
    assert sorted(PATTERN_SAMPLES) == sorted(entry["key"] for entry in PATTERN_FIELDS)


def test_every_dictionary_field_is_optional_when_left_blank_and_required_when_asked() -> None:
    entries = dictionary()
    assert validate_form([rule_of(e, required=False) for e in entries], {}, today=TODAY) == {}
    problems = problems_of([rule_of(e) for e in entries], {})
    assert problems == [(e["key"], "REQUIRED", f"请填写{e['label']}") for e in entries]


def test_multiline_text_keeps_its_line_breaks() -> None:
    scope = FieldRule("enterprise.businessScope", "经营范围", FieldType.TEXT, True,
                      {"minLength": 2, "maxLength": 1000, "multiline": True})
    assert validate_form([scope], {"enterprise.businessScope": "餐饮服务\n食品销售\r\n"}, today=TODAY) == {
        "enterprise.businessScope": "餐饮服务\n食品销售"}
    assert codes_of(scope, "餐饮\x00服务") == [("enterprise.businessScope", "FORBIDDEN_CHARACTER")]
    assert codes_of(scope, "餐饮服务\u2029食品销售") == [("enterprise.businessScope", "FORBIDDEN_CHARACTER")]
