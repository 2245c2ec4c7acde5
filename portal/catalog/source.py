"""The catalog's source files (``portal/catalog/data/*.yaml``), read and validated.

Every reference is checked before anything is written: a bundle that names a missing item, has a
prerequisite outside itself or a cycle is refused with the bundle's code in the message. All problems
are reported at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from portal.catalog.models import Audience, FieldType, RegionLevel, Terminal
from portal.catalog.rules import GraphError, topological_order

DATA_DIR = Path(__file__).with_name("data")
FILES = ("regions", "departments", "certificate_types", "fields", "materials", "items", "bundles")

FIELD_KEY = re.compile(r"[a-z][A-Za-z0-9]*(\.[a-z][A-Za-z0-9]*)+")
UPPER_SNAKE = re.compile(r"[A-Z][A-Z0-9_]*")
KEBAB = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
DEPARTMENT_CODE = re.compile(r"\d{6}-[A-Z]{2,6}")
ITEM_CODE = re.compile(r"\d{6}-[A-Z]{2,6}-\d{3}")
FEE = re.compile(r"\d{1,8}\.\d{2}")
VALIDATION_KEYS: dict[FieldType, set[str]] = {
    FieldType.TEXT: {"minLength", "maxLength", "pattern", "multiline"},
    FieldType.ADDRESS: {"minLength", "maxLength", "pattern"},
    FieldType.NUMBER: {"min", "max", "integer"},
    FieldType.DATE: {"notAfterToday", "notBeforeToday"},
}
# Keys whose type the key's last segment implies, so that e.g. every `*.idNumber` is checked as an ID.
TYPED_SUFFIXES = {"idNumber": FieldType.ID_NUMBER, "phone": FieldType.PHONE, "creditCode": FieldType.CREDIT_CODE}


class CatalogError(Exception):
    """The catalog source is inconsistent; ``problems`` lists every problem found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("catalog refused:\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass(frozen=True)
class RegionSpec:
    code: str
    name: str
    level: RegionLevel
    parent: str | None
    market_entities: int


@dataclass(frozen=True)
class DepartmentSpec:
    code: str
    name: str
    region: str


@dataclass(frozen=True)
class CertificateTypeSpec:
    code: str
    name: str
    issuer: str
    holder: str


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    type: FieldType
    hint: str
    validation: dict[str, Any]
    options: list[dict[str, str]]


@dataclass(frozen=True)
class MaterialSpec:
    code: str
    name: str
    certificate_type: str | None


@dataclass(frozen=True)
class Requirement:
    """A field key or material code an item asks for, and whether it must be given."""

    ref: str
    required: bool


@dataclass(frozen=True)
class ItemSpec:
    code: str
    name: str
    department: str
    audience: Audience
    legal_days: int
    promised_days: int
    fee: Decimal
    channels: tuple[Terminal, ...]
    description: str
    keywords: tuple[str, ...]
    materials: tuple[Requirement, ...]
    fields: tuple[Requirement, ...]
    issues: tuple[str, ...]


@dataclass(frozen=True)
class BundleItemSpec:
    item: str
    prerequisites: tuple[str, ...]


@dataclass(frozen=True)
class BundleSpec:
    code: str
    name: str
    description: str
    audience: Audience
    national: bool
    keywords: tuple[str, ...]
    items: tuple[BundleItemSpec, ...]


@dataclass(frozen=True)
class CatalogSource:
    regions: tuple[RegionSpec, ...]
    departments: tuple[DepartmentSpec, ...]
    certificate_types: tuple[CertificateTypeSpec, ...]
    fields: tuple[FieldSpec, ...]
    materials: tuple[MaterialSpec, ...]
    items: tuple[ItemSpec, ...]
    bundles: tuple[BundleSpec, ...]


class _Reader:
    """Reads one file's records, collecting problems instead of stopping at the first."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems

    def records(self, name: str, raw: Any) -> list[tuple[str, dict[str, Any]]]:
        if not isinstance(raw, list):
            self.problems.append(f"{name}.yaml: expected a list of records")
            return []
        out = []
        for index, record in enumerate(raw):
            if not isinstance(record, dict):
                self.problems.append(f"{name}.yaml[{index}]: expected a mapping")
                continue
            label = record.get("code") or record.get("key") or f"#{index}"
            out.append((f"{name}.yaml {label}", record))
        return out

    def get(self, where: str, record: dict[str, Any], key: str, kind: type | tuple[type, ...], *, optional: bool = False,
            check: Callable[[Any], bool] | None = None, expect: str = "") -> Any:
        if key not in record or record[key] is None:
            if not optional:
                self.problems.append(f"{where}: missing {key}")
            return None
        value = record[key]
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            self.problems.append(f"{where}: {key} must be {expect or getattr(kind, '__name__', kind)}, got {value!r}")
            return None
        if check is not None and not check(value):
            self.problems.append(f"{where}: {key} {value!r} is not {expect}")
            return None
        return value

    def enum(self, where: str, record: dict[str, Any], key: str, enum: type) -> Any:
        value = self.get(where, record, key, str)
        try:
            return enum(value) if value is not None else None
        except ValueError:
            self.problems.append(f"{where}: {key} {value!r} is not one of {', '.join(e.value for e in enum)}")
            return None

    def unknown_keys(self, where: str, record: dict[str, Any], allowed: Iterable[str]) -> None:
        extra = sorted(set(record) - set(allowed))
        if extra:
            self.problems.append(f"{where}: unknown keys {', '.join(extra)}")

    def unique(self, name: str, codes: list[str]) -> None:
        seen: set[str] = set()
        for code in codes:
            if code in seen:
                self.problems.append(f"{name}.yaml: duplicate code {code}")
            seen.add(code)


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v for v in value)


def _requirements(r: _Reader, where: str, raw: Any, ref_key: str, known: set[str], what: str) -> tuple[Requirement, ...]:
    if not isinstance(raw, list) or not raw:
        r.problems.append(f"{where}: {what}s must be a non-empty list")
        return ()
    out: list[Requirement] = []
    for entry in raw:
        if not isinstance(entry, dict) or not isinstance(entry.get(ref_key), str) or not isinstance(entry.get("required"), bool):
            r.problems.append(f"{where}: each {what} needs {ref_key} and required (true/false), got {entry!r}")
            continue
        if entry[ref_key] not in known:
            r.problems.append(f"{where}: unknown {what} {entry[ref_key]}")
        if any(req.ref == entry[ref_key] for req in out):
            r.problems.append(f"{where}: {what} {entry[ref_key]} listed twice")
        out.append(Requirement(entry[ref_key], entry["required"]))
    return tuple(out)


def parse_catalog(raw: dict[str, Any]) -> CatalogSource:
    """Validate the parsed YAML documents (one per name in ``FILES``) into a ``CatalogSource``."""
    problems: list[str] = []
    r = _Reader(problems)

    regions = []
    for where, rec in r.records("regions", raw.get("regions")):
        r.unknown_keys(where, rec, ("code", "name", "level", "parent", "marketEntities"))
        regions.append(RegionSpec(
            code=r.get(where, rec, "code", str, check=lambda v: re.fullmatch(r"\d{6}", v), expect="a 6-digit code"),
            name=r.get(where, rec, "name", str),
            level=r.enum(where, rec, "level", RegionLevel),
            parent=r.get(where, rec, "parent", str, optional=True),
            market_entities=r.get(where, rec, "marketEntities", int, check=lambda v: v >= 0, expect="a count"),
        ))
    region_codes = {x.code for x in regions}
    by_region = {x.code: x for x in regions}
    for x in regions:
        parent = by_region.get(x.parent) if x.parent else None
        if x.parent and parent is None:
            problems.append(f"regions.yaml {x.code}: unknown parent {x.parent}")
        elif parent and x.market_entities is not None and parent.market_entities is not None \
                and x.market_entities > parent.market_entities:
            problems.append(f"regions.yaml {x.code}: more market entities than its parent {x.parent}")
    r.unique("regions", [x.code for x in regions])

    departments = []
    for where, rec in r.records("departments", raw.get("departments")):
        r.unknown_keys(where, rec, ("code", "name", "region"))
        spec = DepartmentSpec(
            code=r.get(where, rec, "code", str, check=DEPARTMENT_CODE.fullmatch, expect="like 370000-GAT"),
            name=r.get(where, rec, "name", str),
            region=r.get(where, rec, "region", str),
        )
        if spec.region and spec.region not in region_codes:
            problems.append(f"{where}: unknown region {spec.region}")
        departments.append(spec)
    department_codes = {x.code for x in departments}
    r.unique("departments", [x.code for x in departments])

    certificate_types = []
    for where, rec in r.records("certificate_types", raw.get("certificate_types")):
        r.unknown_keys(where, rec, ("code", "name", "issuer", "holder"))
        spec = CertificateTypeSpec(
            code=r.get(where, rec, "code", str, check=UPPER_SNAKE.fullmatch, expect="UPPER_SNAKE"),
            name=r.get(where, rec, "name", str),
            issuer=r.get(where, rec, "issuer", str),
            holder=r.get(where, rec, "holder", str, check=lambda v: v in ("CITIZEN", "ENTERPRISE"),
                         expect="CITIZEN or ENTERPRISE"),
        )
        if spec.issuer and spec.issuer not in department_codes:
            problems.append(f"{where}: unknown issuer department {spec.issuer}")
        certificate_types.append(spec)
    certificate_codes = {x.code for x in certificate_types}
    r.unique("certificate_types", [x.code for x in certificate_types])

    field_specs = []
    for where, rec in r.records("fields", raw.get("fields")):
        r.unknown_keys(where, rec, ("key", "label", "type", "hint", "validation", "options"))
        key = r.get(where, rec, "key", str, check=FIELD_KEY.fullmatch, expect="a dotted lowerCamel key")
        ftype = r.enum(where, rec, "type", FieldType)
        validation = r.get(where, rec, "validation", dict, optional=True) or {}
        options = r.get(where, rec, "options", list, optional=True) or []
        if ftype is not None:
            bad = set(validation) - VALIDATION_KEYS.get(ftype, set())
            if bad:
                problems.append(f"{where}: validation {', '.join(sorted(bad))} not allowed for {ftype.value}")
            if "pattern" in validation:
                try:
                    re.compile(validation["pattern"])
                except (re.error, TypeError):
                    problems.append(f"{where}: validation pattern is not a valid regular expression")
            if (ftype is FieldType.SELECT) != bool(options):
                problems.append(f"{where}: options are required for SELECT and only for SELECT")
            if any(not isinstance(o, dict) or set(o) != {"value", "label"} or not UPPER_SNAKE.fullmatch(str(o["value"]))
                   for o in options):
                problems.append(f"{where}: each option needs an UPPER_SNAKE value and a label")
            implied = TYPED_SUFFIXES.get(key.rsplit(".", 1)[-1]) if key else None
            if implied is not None and ftype is not implied:
                problems.append(f"{where}: a key ending in .{key.rsplit('.', 1)[-1]} must have type {implied.value}")
        field_specs.append(FieldSpec(key=key, label=r.get(where, rec, "label", str), type=ftype,
                                     hint=r.get(where, rec, "hint", str, optional=True) or "",
                                     validation=validation, options=options))
    field_keys = {x.key for x in field_specs}
    r.unique("fields", [x.key for x in field_specs])

    materials = []
    for where, rec in r.records("materials", raw.get("materials")):
        r.unknown_keys(where, rec, ("code", "name", "certificateType"))
        spec = MaterialSpec(
            code=r.get(where, rec, "code", str, check=KEBAB.fullmatch, expect="kebab-case"),
            name=r.get(where, rec, "name", str),
            certificate_type=r.get(where, rec, "certificateType", str, optional=True),
        )
        if spec.certificate_type and spec.certificate_type not in certificate_codes:
            problems.append(f"{where}: unknown certificate type {spec.certificate_type}")
        materials.append(spec)
    material_codes = {x.code for x in materials}
    r.unique("materials", [x.code for x in materials])

    items = []
    for where, rec in r.records("items", raw.get("items")):
        r.unknown_keys(where, rec, ("code", "name", "department", "audience", "legalDays", "promisedDays", "fee",
                                    "channels", "description", "keywords", "materials", "fields", "issues"))
        legal = r.get(where, rec, "legalDays", int, check=lambda v: 0 <= v <= 365, expect="0..365 working days")
        promised = r.get(where, rec, "promisedDays", int, check=lambda v: 0 <= v <= 365, expect="0..365 working days")
        if legal is not None and promised is not None and promised > legal:
            problems.append(f"{where}: promisedDays {promised} exceeds legalDays {legal}")
        fee = r.get(where, rec, "fee", str, check=FEE.fullmatch, expect='a decimal like "0.00"')
        channels = r.get(where, rec, "channels", list, check=lambda v: bool(v) and set(v) <= {t.value for t in Terminal},
                         expect="a non-empty list of TV DESKTOP MOBILE WINDOW KIOSK") or []
        department = r.get(where, rec, "department", str)
        if department and department not in department_codes:
            problems.append(f"{where}: unknown department {department}")
        issues = r.get(where, rec, "issues", list, optional=True, check=_strings, expect="a list of certificate types") or []
        for code in issues:
            if code not in certificate_codes:
                problems.append(f"{where}: issues unknown certificate type {code}")
        keywords = r.get(where, rec, "keywords", list, optional=True, check=_strings, expect="a list of words") or []
        try:
            fee_value = Decimal(fee) if fee else None
        except InvalidOperation:
            fee_value = None
        items.append(ItemSpec(
            code=r.get(where, rec, "code", str, check=ITEM_CODE.fullmatch, expect="like 370100-WJW-001"),
            name=r.get(where, rec, "name", str),
            department=department,
            audience=r.enum(where, rec, "audience", Audience),
            legal_days=legal,
            promised_days=promised,
            fee=fee_value,
            channels=tuple(Terminal(c) for c in dict.fromkeys(channels)),
            description=r.get(where, rec, "description", str),
            keywords=tuple(keywords),
            materials=_requirements(r, where, rec.get("materials"), "code", material_codes, "material"),
            fields=_requirements(r, where, rec.get("fields"), "key", field_keys, "field"),
            issues=tuple(issues),
        ))
    item_codes = {x.code for x in items}
    r.unique("items", [x.code for x in items])

    bundles = []
    for where, rec in r.records("bundles", raw.get("bundles")):
        r.unknown_keys(where, rec, ("code", "name", "description", "audience", "national", "keywords", "items"))
        code = r.get(where, rec, "code", str, check=KEBAB.fullmatch, expect="kebab-case")
        members: list[BundleItemSpec] = []
        for entry in r.get(where, rec, "items", list, check=bool, expect="a non-empty list") or []:
            if not isinstance(entry, dict) or not isinstance(entry.get("item"), str):
                problems.append(f"bundle {code}: each entry needs an item code, got {entry!r}")
                continue
            prerequisites = entry.get("prerequisites") or []
            if not _strings(prerequisites):
                problems.append(f"bundle {code}: prerequisites of {entry['item']} must be a list of item codes")
                prerequisites = []
            if entry["item"] not in item_codes:
                problems.append(f"bundle {code}: item {entry['item']} does not exist")
            members.append(BundleItemSpec(entry["item"], tuple(prerequisites)))
        try:
            topological_order({m.item: m.prerequisites for m in members})
        except GraphError as exc:
            problems.append(f"bundle {code}: {exc}")
        bundles.append(BundleSpec(
            code=code,
            name=r.get(where, rec, "name", str),
            description=r.get(where, rec, "description", str),
            audience=r.enum(where, rec, "audience", Audience),
            national=r.get(where, rec, "national", bool),
            keywords=tuple(r.get(where, rec, "keywords", list, optional=True, check=_strings,
                                 expect="a list of words") or []),
            items=tuple(members),
        ))
    r.unique("bundles", [x.code for x in bundles])

    if problems:
        raise CatalogError(problems)
    return CatalogSource(tuple(regions), tuple(departments), tuple(certificate_types), tuple(field_specs),
                         tuple(materials), tuple(items), tuple(bundles))


def read_catalog(directory: Path = DATA_DIR) -> CatalogSource:
    """Read and validate the catalog's YAML files from ``directory``."""
    raw: dict[str, Any] = {}
    problems = []
    for name in FILES:
        path = directory / f"{name}.yaml"
        try:
            raw[name] = yaml.safe_load(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            problems.append(f"{path}: missing")
        except yaml.YAMLError as exc:
            problems.append(f"{path}: not valid YAML: {exc}")
    if problems:
        raise CatalogError(problems)
    return parse_catalog(raw)
