"""The catalog's source files (``portal/catalog/data/*.yaml``), declared as models (``portal.sources``).

Every reference is checked before anything is written: an item's department, a material's certificate type, a
bundle's items and prerequisites (inside the bundle, without a cycle) ... All problems are reported at once, each
at its place: ``items.yaml: 370100-WJW-001: fields[2].key: unknown field applicant.shoeSize``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, BeforeValidator, Field, ValidationInfo, model_validator

from portal.catalog.models import Audience, FieldType, RegionLevel, Terminal
from portal.catalog.rules import GraphError, topological_order
from portal.sources import (
    Count,
    DepartmentCode,
    Flag,
    ItemCode,
    Kebab,
    Pattern,
    Problems,
    Record,
    Ref,
    RegionCode,
    Text,
    UpperSnake,
    codes,
    collect,
    problem,
    read_all,
    records,
    unique,
    validate,
)

DATA_DIR = Path(__file__).with_name("data")
FILES = ("regions", "departments", "certificate_types", "fields", "materials", "items", "bundles")

FEE = re.compile(r"\d{1,8}\.\d{2}")
VALIDATION_KEYS: dict[FieldType, set[str]] = {
    FieldType.TEXT: {"minLength", "maxLength", "pattern", "multiline"},
    FieldType.ADDRESS: {"minLength", "maxLength", "pattern"},
    FieldType.NUMBER: {"min", "max", "integer"},
    FieldType.DATE: {"notAfterToday", "notBeforeToday"},
}
# Keys whose type the key's last segment implies, so that e.g. every `*.idNumber` is checked as an ID.
TYPED_SUFFIXES = {"idNumber": FieldType.ID_NUMBER, "phone": FieldType.PHONE, "creditCode": FieldType.CREDIT_CODE}

FieldKey = Pattern(r"[a-z][A-Za-z0-9]*(\.[a-z][A-Za-z0-9]*)+", "a dotted lowerCamel key like applicant.idNumber")
WorkingDays = Annotated[int, Field(strict=True, ge=0, le=365)]
Words = tuple[Text, ...]


def _fee(value: Any) -> Any:
    if not isinstance(value, str) or not FEE.fullmatch(value):
        raise problem(f'fee must be a decimal like "0.00", got {value!r}')
    return value


class RegionSpec(Record):
    code: RegionCode
    name: Text
    level: RegionLevel
    parent: Annotated[RegionCode | None, Ref("regions", "parent")] = None
    market_entities: Count

    @model_validator(mode="after")
    def _within_parent(self, info: ValidationInfo) -> RegionSpec:
        parent = (info.context or {}).get("regions", {}).get(self.parent)
        if isinstance(parent, int) and self.market_entities > parent:
            raise problem(f"more market entities than its parent {self.parent}")
        return self


class DepartmentSpec(Record):
    code: DepartmentCode
    name: Text
    region: Annotated[RegionCode, Ref("regions", "region")]


class CertificateTypeSpec(Record):
    code: UpperSnake
    name: Text
    issuer: Annotated[DepartmentCode, Ref("departments", "issuer department")]
    holder: Literal["CITIZEN", "ENTERPRISE"]


class Option(Record):
    value: UpperSnake
    label: Text


class FieldSpec(Record):
    key: FieldKey
    label: Text
    type: FieldType
    hint: str = ""
    validation: dict[str, Any] = {}
    options: tuple[Option, ...] = ()

    @model_validator(mode="after")
    def _fits_its_type(self) -> FieldSpec:
        found = Problems()
        bad = set(self.validation) - VALIDATION_KEYS.get(self.type, set())
        if bad:
            found.add(("validation",), f"{', '.join(sorted(bad))} not allowed for {self.type.value}")
        if "pattern" in self.validation:
            try:
                re.compile(self.validation["pattern"])
            except (re.error, TypeError):
                found.add(("validation", "pattern"), "not a valid regular expression", self.validation["pattern"])
        if (self.type is FieldType.SELECT) != bool(self.options):
            found.add(("options",), "options are required for SELECT and only for SELECT")
        suffix = self.key.rsplit(".", 1)[-1]
        implied = TYPED_SUFFIXES.get(suffix)
        if implied is not None and self.type is not implied:
            found.add(("type",), f"a key ending in .{suffix} must have type {implied.value}", self.type.value)
        found.check()
        return self


class MaterialSpec(Record):
    code: Kebab
    name: Text
    certificate_type: Annotated[UpperSnake | None, Ref("certificateTypes", "certificate type")] = None


class Requirement(Record):
    """A field key or material code (``REF`` names which) an item asks for, and whether it must be given."""

    REF: ClassVar[str]
    required: Flag

    @property
    def ref(self) -> str:
        return getattr(self, self.REF)


class MaterialRequirement(Requirement):
    REF = "code"
    code: Annotated[str, Ref("materials", "material")]


class FieldRequirement(Requirement):
    REF = "key"
    key: Annotated[str, Ref("fields", "field")]


def _once(values: tuple[Any, ...]) -> tuple[Any, ...]:
    unique([getattr(v, "ref", v) for v in values], "entry").check()
    return values


class ItemSpec(Record):
    code: ItemCode
    name: Text
    department: Annotated[DepartmentCode, Ref("departments", "department")]
    audience: Audience
    legal_days: WorkingDays
    promised_days: WorkingDays
    fee: Annotated[Decimal, BeforeValidator(_fee)]
    channels: Annotated[tuple[Terminal, ...], Field(min_length=1), AfterValidator(lambda v: tuple(dict.fromkeys(v)))]
    description: Text
    keywords: Words = ()
    materials: Annotated[tuple[MaterialRequirement, ...], Field(min_length=1), AfterValidator(_once)]
    fields: Annotated[tuple[FieldRequirement, ...], Field(min_length=1), AfterValidator(_once)]
    issues: tuple[Annotated[UpperSnake, Ref("certificateTypes", "certificate type")], ...] = ()

    @model_validator(mode="after")
    def _promise_within_the_law(self) -> ItemSpec:
        if self.promised_days > self.legal_days:
            raise problem(f"promisedDays {self.promised_days} exceeds legalDays {self.legal_days}")
        return self


class BundleItemSpec(Record):
    item: Annotated[ItemCode, Ref("items", "item")]
    prerequisites: tuple[ItemCode, ...] = ()


class BundleSpec(Record):
    code: Kebab
    name: Text
    description: Text
    audience: Audience
    national: Flag
    keywords: Words = ()
    items: Annotated[tuple[BundleItemSpec, ...], Field(min_length=1)]

    @model_validator(mode="after")
    def _a_dag_of_its_own_items(self) -> BundleSpec:
        unique([m.item for m in self.items], "item", ("items",)).check()
        try:
            topological_order({m.item: m.prerequisites for m in self.items})
        except GraphError as exc:
            raise problem(str(exc)) from None
        return self


@dataclass(frozen=True)
class CatalogSource:
    regions: tuple[RegionSpec, ...]
    departments: tuple[DepartmentSpec, ...]
    certificate_types: tuple[CertificateTypeSpec, ...]
    fields: tuple[FieldSpec, ...]
    materials: tuple[MaterialSpec, ...]
    items: tuple[ItemSpec, ...]
    bundles: tuple[BundleSpec, ...]


SPECS: dict[str, tuple[type[Record], str]] = {
    "regions": (RegionSpec, "code"), "departments": (DepartmentSpec, "code"),
    "certificate_types": (CertificateTypeSpec, "code"), "fields": (FieldSpec, "key"),
    "materials": (MaterialSpec, "code"), "items": (ItemSpec, "code"), "bundles": (BundleSpec, "code"),
}


def known_codes(raw: dict[str, Any]) -> dict[str, Any]:
    """What each file declares, for the references of the others (``Ref``): codes as written, so that one bad
    record does not make every reference to it a problem too."""
    regions = raw.get("regions") if isinstance(raw.get("regions"), list) else []
    return {
        "regions": {r["code"]: r.get("marketEntities") for r in regions if isinstance(r, dict) and "code" in r},
        "departments": codes(raw.get("departments")),
        "certificateTypes": codes(raw.get("certificate_types")),
        "fields": codes(raw.get("fields"), "key"),
        "materials": codes(raw.get("materials")),
        "items": codes(raw.get("items")),
    }


def parse_catalog(raw: dict[str, Any]) -> CatalogSource:
    """Validate the parsed YAML documents (one per name in ``FILES``) into a ``CatalogSource``."""
    context = known_codes(raw)
    parsed = collect(*(
        lambda name=name, spec=spec: validate(f"{name}.yaml", records(*spec), raw.get(name), context)
        for name, spec in SPECS.items()))
    return CatalogSource(*parsed)


def read_catalog(directory: Path = DATA_DIR) -> CatalogSource:
    """Read and validate the catalog's YAML files from ``directory``."""
    return parse_catalog(read_all({name: directory / f"{name}.yaml" for name in FILES}))
