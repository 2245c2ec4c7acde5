"""一表申请: checking the merged form of a bundle against the canonical field dictionary (pure, no I/O).

Each submitted value is checked by the rule of its field type (one small function per type, see
``_CHECKS``); every problem of the form is reported at once as ``FormProblems``, each an
``InvalidField`` naming the canonical key, with a Chinese message naming the field's label.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from portal.applications.errors import ApplicationCode
from portal.catalog.models import FieldType
from portal.identity.numbers import check_credit_code, check_id_number, check_phone
from portal.problems import Code, FormProblems, InvalidField
from portal.text import MAX_FREE_TEXT, text_problem

DEFAULT_MAX_LENGTH: Mapping[FieldType, int] = {FieldType.TEXT: 500, FieldType.ADDRESS: 200}
FORM_FIELD = "formValues"
MAX_KEY_LENGTH = 80  # FieldDefinition.key: no canonical key is longer
# The largest integer a JSON number holds exactly (2^53 - 1): a number field without bounds of its own stays within.
MAX_EXACT_NUMBER = 9_007_199_254_740_991
# An answer lists this many problems, then says how many more there are: 30,000 unknown keys in a request
# under 1 MiB must not be answered with megabytes.
MAX_LISTED_PROBLEMS = 50

_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")  # not \d: it matches full-width digits too
_DECIMAL = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


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


def written(field: str, label: str, value: str, *, max_length: int, multiline: bool) -> str:
    """Text somebody typed for a field, stripped: within ``max_length`` and without what ``portal.text`` refuses
    (control and direction characters, lone surrogates; line breaks unless ``multiline``), else TOO_LONG or
    FORBIDDEN_CHARACTER naming ``field``, the message naming its ``label``."""
    text = value.strip()
    if len(text) > max_length:
        raise InvalidField(field, Code.TOO_LONG, f"{label}不能超过{max_length}个字，您填写了{len(text)}个字")
    problem = text_problem(text, max_length=max_length, multiline=multiline)
    if problem is not None:
        code, message = problem
        raise InvalidField(field, code, f"{label}：{message}")
    return text


def _written(rule: FieldRule, value: str) -> str:
    """Any string sent for any field passes ``written`` before its type's rule (which gets the value as sent): a
    text field within its own length, on one line unless it is multiline (经营范围, 情况说明); a date, a number or
    a code on one line."""
    text_type = FieldType(rule.type) in DEFAULT_MAX_LENGTH
    high = rule.validation.get("maxLength", DEFAULT_MAX_LENGTH[FieldType(rule.type)]) if text_type else MAX_FREE_TEXT
    return written(rule.key, rule.label, value, max_length=high, multiline=bool(rule.validation.get("multiline")))


def _text(rule: FieldRule, value: Any, today: date) -> str:
    """TEXT / ADDRESS: a string (already through ``_written``), stripped, of at least its minimum length,
    full-matching its pattern."""
    if not isinstance(value, str):
        raise InvalidField(rule.key, Code.NOT_A_STRING, f"{rule.label}应为文字，请重新填写")
    text = value.strip()
    low = rule.validation.get("minLength")
    if low is not None and len(text) < low:
        raise InvalidField(rule.key, Code.TOO_SHORT, f"{rule.label}至少需要{low}个字，您填写了{len(text)}个字")
    pattern = rule.validation.get("pattern")
    if pattern is not None and re.fullmatch(pattern, text) is None:
        raise InvalidField(rule.key, Code.BAD_FORMAT, f"{rule.label}格式不正确，请核对后重新填写")
    return text


def _date(rule: FieldRule, value: Any, today: date) -> str:
    """DATE: an ISO 年-月-日 string naming a real date, optionally not after / not before `today`."""
    match = _ISO_DATE.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise InvalidField(rule.key, ApplicationCode.BAD_DATE, f"{rule.label}请按 年-月-日 填写，例如 2025-01-31")
    try:
        day = date(*(int(part) for part in match.groups()))
    except ValueError:
        raise InvalidField(rule.key, ApplicationCode.BAD_DATE,
                           f"{rule.label}不是有效的日期（{match.group()}），请核对后重新填写") from None
    if rule.validation.get("notAfterToday") and day > today:
        raise InvalidField(rule.key, ApplicationCode.DATE_IN_FUTURE, f"{rule.label}不能晚于今天（{today.isoformat()}）")
    if rule.validation.get("notBeforeToday") and day < today:
        raise InvalidField(rule.key, ApplicationCode.DATE_IN_PAST, f"{rule.label}不能早于今天（{today.isoformat()}）")
    return day.isoformat()


def _show(bound: float) -> str:
    return str(int(bound)) if float(bound).is_integer() else str(bound)


def _number(rule: FieldRule, value: Any, today: date) -> int | float:
    """NUMBER: a finite JSON number or a plain decimal string ("12", "12.5"); int when integral, else float;
    within the field's bounds, or within what a JSON number holds exactly when it has none."""
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
        raise InvalidField(rule.key, ApplicationCode.BAD_NUMBER, f"{rule.label}应为数字，例如 12 或 12.5")
    result = int(number) if number == int(number) else float(number)
    if rule.validation.get("integer") and isinstance(result, float):
        raise InvalidField(rule.key, Code.NOT_AN_INTEGER, f"{rule.label}应为整数")
    low = rule.validation.get("min", -MAX_EXACT_NUMBER)
    high = rule.validation.get("max", MAX_EXACT_NUMBER)
    if result < low:
        raise InvalidField(rule.key, ApplicationCode.TOO_SMALL, f"{rule.label}不能小于{_show(low)}")
    if result > high:
        raise InvalidField(rule.key, ApplicationCode.TOO_LARGE, f"{rule.label}不能大于{_show(high)}")
    return result


def _select(rule: FieldRule, value: Any, today: date) -> str:
    """SELECT: exactly one of the option values."""
    if not isinstance(value, str) or value not in {option["value"] for option in rule.options}:
        labels = "、".join(option["label"] for option in rule.options)
        raise InvalidField(rule.key, ApplicationCode.UNKNOWN_OPTION, f"{rule.label}请从以下选项中选择：{labels}")
    return value


def _boolean(rule: FieldRule, value: Any, today: date) -> bool:
    """BOOLEAN: JSON true or false only."""
    if not isinstance(value, bool):
        raise InvalidField(rule.key, ApplicationCode.NOT_A_BOOLEAN, f"{rule.label}请选择“是”或“否”")
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


def echoable(key: str) -> bool:
    """Whether a key a client sent may be named back in an answer: only what could be a canonical key (at most
    80 characters, nothing ``portal.text`` refuses). A 100 KB key is not repeated, and a lone surrogate could not
    even be encoded in the answer."""
    return text_problem(key, max_length=MAX_KEY_LENGTH, multiline=False) is None


def unknown_field(key: str) -> InvalidField:
    """A key the form has no field for (UNKNOWN_FIELD): submitted data is never silently dropped."""
    if echoable(key):
        return InvalidField(key, ApplicationCode.UNKNOWN_FIELD, f"表单中没有“{key}”这一项，请刷新页面后重新填写")
    return InvalidField(FORM_FIELD, ApplicationCode.UNKNOWN_FIELD, "表单中有无法识别的项目，请刷新页面后重新填写")


def listed(problems: Sequence[InvalidField]) -> FormProblems:
    """The problems an answer lists: the first 50, then one TOO_MANY_PROBLEMS entry saying how many more."""
    if len(problems) <= MAX_LISTED_PROBLEMS:
        return FormProblems(list(problems))
    more = len(problems) - MAX_LISTED_PROBLEMS
    return FormProblems([*problems[:MAX_LISTED_PROBLEMS], InvalidField(
        FORM_FIELD, ApplicationCode.TOO_MANY_PROBLEMS, f"还有{more}处问题未列出，请先修改以上内容")])


def validate_form(rules: Sequence[FieldRule], values: object, *, today: date) -> dict[str, object]:
    """一表申请: check every submitted value of a merged form; return the normalised values (only keys that
    have rules and a non-empty value), or raise FormProblems with EVERY problem at once, in the order of `rules`,
    then unknown keys in submitted order (the caller lists them with ``listed``).

    Missing, null or blank values: REQUIRED for a required field, else omitted. A string for any field first
    passes ``portal.text`` (FORBIDDEN_CHARACTER, TOO_LONG), then its type's rule, which refuses anything its
    type does not hold (a list, an object, a number out of range). Keys without a rule: UNKNOWN_FIELD. Not a
    JSON object: NOT_AN_OBJECT.
    """
    if not isinstance(values, dict) or not all(isinstance(key, str) for key in values):
        raise FormProblems([InvalidField(FORM_FIELD, ApplicationCode.NOT_AN_OBJECT, "提交的表单内容格式不正确，请刷新页面后重新填写")])
    if len({rule.key for rule in rules}) != len(rules):
        raise ValueError("a merged form must list each field key once")
    problems: list[InvalidField] = []
    result: dict[str, object] = {}
    for rule in rules:
        value = values.get(rule.key)
        if _blank(value):
            if rule.required:
                problems.append(InvalidField(rule.key, Code.REQUIRED, f"请填写{rule.label}"))
            continue
        try:
            if isinstance(value, str):
                _written(rule, value)
            result[rule.key] = _CHECKS[FieldType(rule.type)](rule, value, today)
        except InvalidField as problem:
            problems.append(problem)
    known = {rule.key for rule in rules}
    problems += [unknown_field(key) for key in values if key not in known]
    if problems:
        raise FormProblems(problems)
    return result
