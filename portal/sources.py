"""One way to declare a data source: the YAML files the portal ships (catalog, halls, 鲁通码 scenes and older code
types, demo accounts) are read here and validated by pydantic models.

- ``read_yaml`` reads a file (YAML safe load); a missing or malformed file is a ``SourceError``.
- ``Record`` is the base of every record model: camelCase keys in the file (``promisedDays``), snake_case
  attributes in Python (``promised_days``), unknown keys refused, values frozen.
- ``validate`` runs a model (or any type) over the decoded data and turns every pydantic error into one
  ``SourceError`` whose ``problems`` read ``file: record: location: message`` (the record named by its code,
  e.g. ``items.yaml: 370100-WJW-001: fields[2].key: required``).
- Cross-references are validators: a ``Ref`` checks a value against the codes another file declares, passed as
  the validation context (``{"departments": {...}, ...}``, taken from the decoded files so that one bad record
  does not make every reference to it a problem too); checks across a record's own fields are model validators
  that report each problem at its place (``Problems``). Every problem of every file is reported at once.
- Shared field types: ``Text`` (non-empty), ``Count``, ``Positive``, ``Flag``, ``RegionCode``, ``DepartmentCode``,
  ``ItemCode``, ``UpperSnake``, ``Kebab``; ``Checked(check)`` makes one of a rule of the portal's (the demo's ID
  numbers, phones and credit codes by ``portal.identity.numbers``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, TypeVar

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
)
from pydantic.alias_generators import to_camel
from pydantic_core import InitErrorDetails, PydanticCustomError

from portal.problems import InvalidField

T = TypeVar("T")

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# The keys that name a record in a problem, in this order (a catalog code or field key, a staff username ...).
LABEL_KEYS = ("code", "key", "username", "idNumber", "creditCode")


class SourceError(ValueError):
    """A data file is inconsistent; ``problems`` lists every problem found, each ``file: record: location: message``."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("data source refused:\n" + "\n".join(f"  - {p}" for p in problems))


class Record(BaseModel):
    """A record of a data file: camelCase keys, no unknown keys, immutable once read."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True,
                              str_strip_whitespace=True)


def problem(message: str) -> PydanticCustomError:
    """An error a validator raises; its message is reported as it is (no "Value error, " prefix)."""
    return PydanticCustomError("source", "{message}", {"message": message})


def Pattern(regex: str, description: str) -> Any:  # noqa: N802 - a type: Annotated[str, ...]
    """A string that matches ``regex`` whole, refused as "'x' is not ``description``"."""
    compiled = re.compile(regex)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise problem(f"{value!r} is not {description}")
        return value

    return Annotated[str, Field(strict=True), AfterValidator(check)]


# Shared field types. Strict where YAML would otherwise be coerced (a quoted "5" is not a number, 1 is not a name).
Text = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1)]
Count = Annotated[int, Field(strict=True, ge=0)]
Positive = Annotated[int, Field(strict=True, gt=0)]
Flag = Annotated[bool, Field(strict=True)]
REGION_CODE = re.compile(r"\d{6}")
DEPARTMENT_CODE = re.compile(r"\d{6}-[A-Z]{2,6}")
RegionCode = Pattern(REGION_CODE.pattern, "a 6-digit region code")
DepartmentCode = Pattern(DEPARTMENT_CODE.pattern, "a department code like 370000-GAT")
ItemCode = Pattern(r"\d{6}-[A-Z]{2,6}-\d{3}", "an item code like 370100-WJW-001")
UpperSnake = Pattern(r"[A-Z][A-Z0-9_]*", "UPPER_SNAKE")
Kebab = Pattern(r"[a-z0-9]+(-[a-z0-9]+)*", "kebab-case")


def Checked(rule: Callable[[Any], Any]) -> Any:  # noqa: N802 - a type: Annotated[str, ...]
    """A value the portal's own rule for it accepts (an ID number's check digit ...), refused with the rule's words."""

    def check(value: Any) -> Any:
        try:
            return rule(value)
        except InvalidField as exc:
            raise problem(f"{value!r}: {exc.code}: {exc.message}") from None

    return Annotated[str, Field(strict=True), AfterValidator(check)]




def Ref(kind: str, what: str) -> AfterValidator:  # noqa: N802 - used like a type: Annotated[str, Ref(...)]
    """The value must be one of the codes the context lists under ``kind`` (another file's, or another part of this
    one); ``what`` names it in the problem ("unknown department 370000-NOPE"). Without that context, unchecked."""

    def check(value: Any, info: ValidationInfo) -> Any:
        known = (info.context or {}).get(kind)
        if value is not None and known is not None and value not in known:
            raise problem(f"unknown {what} {value}")
        return value

    return AfterValidator(check)


class Problems:
    """What a model validator finds, each at its location inside the record; raised together by ``check``, so that
    one record's problems are all reported (``counters[1].categories[0]: unknown category NOPE``)."""

    def __init__(self) -> None:
        self.found: list[InitErrorDetails] = []

    def add(self, loc: tuple[str | int, ...], message: str, value: Any = None) -> None:
        self.found.append(InitErrorDetails(type=problem(message), loc=loc, input=value))

    def check(self, title: str = "source") -> None:
        if self.found:
            raise ValidationError.from_exception_data(title, self.found)


def unique(values: Iterable[Any], what: str, at: tuple[str | int, ...] = ()) -> Problems:
    """Each value given again ("duplicate code newborn"), at its place under ``at``."""
    found, seen = Problems(), set()
    for index, value in enumerate(values):
        if value in seen:
            found.add((*at, index), f"duplicate {what} {value}", value)
        seen.add(value)
    return found


def records(model: type[Record], key: str = "code", min_length: int = 0) -> Any:
    """The type of a file that is a list of ``model`` records (at least ``min_length``), each ``key`` given once."""

    def distinct(values: tuple[Record, ...]) -> tuple[Record, ...]:
        unique([getattr(r, key) for r in values], key).check()
        return values

    return Annotated[tuple[model, ...], Field(min_length=min_length), AfterValidator(distinct)]


def read_yaml(path: Path) -> Any:
    """The decoded YAML document (safe load, in C where PyYAML has libyaml), or a ``SourceError`` naming the file."""
    try:
        return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=SAFE_LOADER)  # noqa: S506 - a safe loader
    except FileNotFoundError:
        raise SourceError([f"{path}: missing"]) from None
    except yaml.YAMLError as exc:
        raise SourceError([f"{path}: not valid YAML: {exc}"]) from None


def read_all(paths: Mapping[str, Path]) -> dict[str, Any]:
    """Several files at once: every missing or malformed one is reported together."""
    problems: list[str] = []
    out: dict[str, Any] = {}
    for name, path in paths.items():
        try:
            out[name] = read_yaml(path)
        except SourceError as exc:
            problems.extend(exc.problems)
    if problems:
        raise SourceError(problems)
    return out


def codes(records: Any, key: str = "code") -> set[Any]:
    """The codes a decoded list of records declares (whatever else is wrong with them), for ``Ref`` contexts."""
    if isinstance(records, Mapping):
        records = records.values()
    if not isinstance(records, Iterable) or isinstance(records, (str, bytes)):
        return set()
    return {r[key] for r in records if isinstance(r, Mapping) and isinstance(r.get(key), (str, int))}


def _label(value: Any) -> str | None:
    if isinstance(value, Mapping):
        for key in LABEL_KEYS:
            if isinstance(value.get(key), (str, int)) and not isinstance(value.get(key), bool):
                return str(value[key])
    return None


def _path(parts: Iterable[Any]) -> str:
    """``fields[2].key``; a mapping's key with a dot in it as ``form['guest.name']``."""
    out = ""
    for part in parts:
        if part == "[key]":  # pydantic's mark for a mapping's key (rather than its value)
            continue
        if isinstance(part, int) or "." in part:
            out += f"[{part!r}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def describe(source: str, data: Any, error: ValidationError) -> list[str]:
    """``file: record: location: message`` for each error; the record is the first list entry on the error's path,
    named by its code (or by its place, ``halls[3]``)."""
    problems = []
    errors = error.errors()
    for e in errors:
        loc, node, parts = tuple(e["loc"]), data, [source]
        if e["type"] == "too_short" and any(len(o["loc"]) > len(loc) and tuple(o["loc"][:len(loc)]) == loc
                                            for o in errors):
            continue  # a list whose entries are all wrong: the entries say it
        for i, step in enumerate(loc):
            child = node[step] if isinstance(node, (list, tuple)) and isinstance(step, int) and step < len(node) \
                else node.get(step) if isinstance(node, Mapping) else None
            if isinstance(step, int) and isinstance(node, (list, tuple)):
                parts.append(_label(child) or _path(loc[:i + 1]))
                if loc[i + 1:]:
                    parts.append(_path(loc[i + 1:]))
                break
            node = child
        else:
            if loc:
                parts.append(_path(loc))
        message = e["msg"]
        if e["type"] in ("extra_forbidden", "missing") and loc:
            message = {"extra_forbidden": "unknown key", "missing": "required"}[e["type"]]
        elif e["type"] != "source" and isinstance(e.get("input"), (str, int, float)):
            message += f", got {e['input']!r}"
        problems.append(": ".join([*parts, message]))
    return problems


def validate(source: str, kind: type[T] | Any, data: Any, context: Mapping[str, Any] | None = None) -> T:
    """``data`` (decoded from ``source``) as ``kind``, or a ``SourceError`` listing every problem at once."""
    try:
        return TypeAdapter(kind).validate_python(data, context=dict(context or {}))
    except ValidationError as exc:
        raise SourceError(describe(source, data, exc)) from None


def collect(*steps: Callable[[], Any]) -> list[Any]:
    """Run every step, gathering the problems of all before refusing: several files are reported together."""
    problems: list[str] = []
    results = []
    for step in steps:
        try:
            results.append(step())
        except SourceError as exc:
            problems.extend(exc.problems)
            results.append(None)
    if problems:
        raise SourceError(problems)
    return results
