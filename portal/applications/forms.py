"""一表申请: checking the merged form of a bundle against the canonical field dictionary (pure, no I/O).

Each submitted value is checked by the rule of its field type (one small function per type, see
``_CHECKS``); every problem of the form is reported at once as ``FormProblems``, each an
``InvalidField`` naming the canonical key, with a Chinese message naming the field's label.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from portal.catalog.models import FieldType
from portal.identity.numbers import check_credit_code, check_id_number, check_phone
from portal.problems import FormProblems, InvalidField

DEFAULT_MAX_LENGTH: Mapping[FieldType, int] = {FieldType.TEXT: 500, FieldType.ADDRESS: 200}
FORM_FIELD = "formValues"

_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")  # not \d: it matches full-width digits too
_DECIMAL = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_BAD_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})  # control characters, lone surrogates, line breaks
_LINE_BREAKS = "\n\r\t"


@dataclass(frozen=True)
class FieldRule:
    """One field of a merged form: its dictionary entry plus whether this form requires it."""

    key: str
    label: str
    type: FieldType
    required: bool
    validation: Mapping[str, Any] = field(default_factory=dict)
    options: Sequence[Mapping[str, str]] = ()


Check = Callable[[FieldRule, Any, date], object]


def _text(rule: FieldRule, value: Any, today: date) -> str:
    """TEXT / ADDRESS: a string, stripped, without control characters, within its length, full-matching its pattern."""
    if not isinstance(value, str):
        raise InvalidField(rule.key, "NOT_A_STRING", f"{rule.label}应为文字，请重新填写")
    text = value.strip()
    # Free text may run over several lines (经营范围, 情况说明); an address, a name or a code may not.
    allowed = _LINE_BREAKS if rule.validation.get("multiline") else ""
    if any(unicodedata.category(c) in _BAD_CATEGORIES and c not in allowed for c in text):
        raise InvalidField(rule.key, "BAD_CHARACTERS", f"{rule.label}含有换行符或其他不可见的控制字符，请删除后重新填写")
    low = rule.validation.get("minLength")
    high = rule.validation.get("maxLength", DEFAULT_MAX_LENGTH[FieldType(rule.type)])
    if low is not None and len(text) < low:
        raise InvalidField(rule.key, "TOO_SHORT", f"{rule.label}至少需要{low}个字，您填写了{len(text)}个字")
    if len(text) > high:
        raise InvalidField(rule.key, "TOO_LONG", f"{rule.label}不能超过{high}个字，您填写了{len(text)}个字")
    pattern = rule.validation.get("pattern")
    if pattern is not None and re.fullmatch(pattern, text) is None:
        raise InvalidField(rule.key, "BAD_FORMAT", f"{rule.label}格式不正确，请核对后重新填写")
    return text


def _date(rule: FieldRule, value: Any, today: date) -> str:
    """DATE: an ISO 年-月-日 string naming a real date, optionally not after / not before `today`."""
    match = _ISO_DATE.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise InvalidField(rule.key, "BAD_DATE", f"{rule.label}请按 年-月-日 填写，例如 2025-01-31")
    try:
        day = date(*(int(part) for part in match.groups()))
    except ValueError:
        raise InvalidField(rule.key, "BAD_DATE", f"{rule.label}不是有效的日期（{match.group()}），请核对后重新填写") from None
    if rule.validation.get("notAfterToday") and day > today:
        raise InvalidField(rule.key, "DATE_IN_FUTURE", f"{rule.label}不能晚于今天（{today.isoformat()}）")
    if rule.validation.get("notBeforeToday") and day < today:
        raise InvalidField(rule.key, "DATE_IN_PAST", f"{rule.label}不能早于今天（{today.isoformat()}）")
    return day.isoformat()


def _show(bound: float) -> str:
    return str(int(bound)) if float(bound).is_integer() else str(bound)


def _number(rule: FieldRule, value: Any, today: date) -> int | float:
    """NUMBER: a finite JSON number or a plain decimal string ("12", "12.5"); int when integral, else float."""
    number: int | float | Decimal | None = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and _DECIMAL.fullmatch(value.strip()):
        number = Decimal(value.strip())
    try:
        finite = number is not None and math.isfinite(float(number))
    except OverflowError:  # an int beyond the range of a double
        finite = False
    if number is None or not finite:
        raise InvalidField(rule.key, "BAD_NUMBER", f"{rule.label}应为数字，例如 12 或 12.5")
    result = int(number) if number == int(number) else float(number)
    if rule.validation.get("integer") and isinstance(result, float):
        raise InvalidField(rule.key, "NOT_AN_INTEGER", f"{rule.label}应为整数")
    low, high = rule.validation.get("min"), rule.validation.get("max")
    if low is not None and result < low:
        raise InvalidField(rule.key, "TOO_SMALL", f"{rule.label}不能小于{_show(low)}")
    if high is not None and result > high:
        raise InvalidField(rule.key, "TOO_LARGE", f"{rule.label}不能大于{_show(high)}")
    return result


def _select(rule: FieldRule, value: Any, today: date) -> str:
    """SELECT: exactly one of the option values."""
    if not isinstance(value, str) or value not in {option["value"] for option in rule.options}:
        labels = "、".join(option["label"] for option in rule.options)
        raise InvalidField(rule.key, "UNKNOWN_OPTION", f"{rule.label}请从以下选项中选择：{labels}")
    return value


def _boolean(rule: FieldRule, value: Any, today: date) -> bool:
    """BOOLEAN: JSON true or false only."""
    if not isinstance(value, bool):
        raise InvalidField(rule.key, "NOT_A_BOOLEAN", f"{rule.label}请选择“是”或“否”")
    return value


_CHECKS: Mapping[FieldType, Check] = {
    FieldType.TEXT: _text,
    FieldType.ADDRESS: _text,
    FieldType.DATE: _date,
    FieldType.NUMBER: _number,
    FieldType.PHONE: lambda rule, value, today: check_phone(value, field=rule.key),
    FieldType.ID_NUMBER: lambda rule, value, today: check_id_number(value, field=rule.key, today=today),
    FieldType.CREDIT_CODE: lambda rule, value, today: check_credit_code(value, field=rule.key),
    FieldType.SELECT: _select,
    FieldType.BOOLEAN: _boolean,
}


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def validate_form(rules: Sequence[FieldRule], values: object, *, today: date) -> dict[str, object]:
    """一表申请: check every submitted value of a merged form; return the normalised values (only keys that
    have rules and a non-empty value), or raise FormProblems with EVERY problem at once, in the order of `rules`,
    then unknown keys in submitted order.

    Missing, null or blank values: REQUIRED for a required field, else omitted. Keys without a rule:
    UNKNOWN_FIELD (submitted data is never silently dropped). Not a JSON object: NOT_AN_OBJECT.
    """
    if not isinstance(values, dict) or not all(isinstance(key, str) for key in values):
        raise FormProblems([InvalidField(FORM_FIELD, "NOT_AN_OBJECT", "提交的表单内容格式不正确，请刷新页面后重新填写")])
    if len({rule.key for rule in rules}) != len(rules):
        raise ValueError("a merged form must list each field key once")
    problems: list[InvalidField] = []
    result: dict[str, object] = {}
    for rule in rules:
        value = values.get(rule.key)
        if _blank(value):
            if rule.required:
                problems.append(InvalidField(rule.key, "REQUIRED", f"请填写{rule.label}"))
            continue
        try:
            result[rule.key] = _CHECKS[FieldType(rule.type)](rule, value, today)
        except InvalidField as problem:
            problems.append(problem)
    known = {rule.key for rule in rules}
    problems += [InvalidField(key, "UNKNOWN_FIELD", f"表单中没有“{key[:50]}”这一项，请刷新页面后重新填写")
                 for key in values if key not in known]
    if problems:
        raise FormProblems(problems)
    return result
