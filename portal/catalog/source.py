"""The catalog's source files (``portal/catalog/data/*.yaml``), declared as models (``portal.sources``).

Every reference is checked before anything is written: an item's department, a material's certificate type, a
bundle's items and prerequisites (inside the bundle, without a cycle) ... All problems are reported at once, each
at its place: ``items.yaml: 370100-WJW-001: fields[2].key: unknown field applicant.shoeSize``.

An item also declares its legal basis (法律依据), the ID numbers or credit codes its approval issues
(``produces``), the rule that may decide it without a person (秒批, ``instantApproval``) and the bundles its
applicant is offered once it is approved (免申即享, ``offers``). Rules and offers are data: each ``Condition`` is one
fact (a licence held, an age, a residence, a form value), stored as written in the file (``Condition.stored``).
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


# The channels a person uses with nothing to upload: what such an item requires must be an e-licence (or the
# item is not offered there).
PAPERLESS_CHANNELS = (Terminal.TV, Terminal.KIOSK)
# What an approval itself issues and a later item of a bundle then need not ask for (出生登记 → child.idNumber).
PRODUCIBLE = (FieldType.ID_NUMBER, FieldType.CREDIT_CODE)
LAW = re.compile(r".*《[^《》]+》.*")
FACTS = ("holds", "ageAtLeast", "ageBelow", "residentOf", "field")
COMPARISONS = ("equals", "atMost", "atLeast", "oneOf")
Age = Annotated[int, Field(strict=True, ge=0, le=150)]
Number = Annotated[int, Field(strict=True)] | Annotated[float, Field(strict=True)]
Value = Annotated[str, Field(strict=True)] | Annotated[bool, Field(strict=True)] | Number


def _law(value: str) -> str:
    if not LAW.fullmatch(value):
        raise problem(f"{value!r} does not name a law or regulation in 《》 with its article")
    return value


def _fits(audience: Audience, of: Audience) -> bool:
    """A service for ``audience`` can be offered within one for ``of``: the same, or a service for both."""
    return audience is Audience.BOTH or audience is of


class Condition(Record):
    """One fact a rule (秒批) or an offer (免申即享) checks — exactly one of: the applicant ``holds`` an e-licence
    of a type; is ``ageAtLeast``/``ageBelow`` years old; is ``residentOf`` a region (by the ID number's region);
    or a form ``field`` ``equals`` a value, is ``atMost``/``atLeast`` a number, or is ``oneOf`` some options."""

    holds: Annotated[UpperSnake | None, Ref("certificateTypes", "certificate type")] = None
    age_at_least: Age | None = None
    age_below: Age | None = None
    resident_of: Annotated[RegionCode | None, Ref("regions", "region")] = None
    field: Annotated[FieldKey | None, Ref("fields", "field")] = None
    equals: Value | None = None
    at_most: Number | None = None
    at_least: Number | None = None
    one_of: Annotated[tuple[Value, ...] | None, Field(min_length=1)] = None

    @property
    def stored(self) -> dict[str, Any]:
        """The condition as the file writes it (``{"field": "stay.nights", "atMost": 90}``), as it is stored."""
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")

    @model_validator(mode="after")
    def _one_fact(self, info: ValidationInfo) -> Condition:
        given = self.model_dump(by_alias=True, exclude_none=True)
        facts = [k for k in FACTS if k in given]
        comparisons = [k for k in COMPARISONS if k in given]
        if len(facts) != 1:
            raise problem(f"a condition is exactly one of {', '.join(FACTS)}, got {', '.join(facts) or 'none'}")
        if facts == ["field"] and len(comparisons) != 1:
            raise problem(f"a field condition needs exactly one of {', '.join(COMPARISONS)}")
        if facts != ["field"] and comparisons:
            raise problem(f"{', '.join(comparisons)} only go with field")
        if self.age_at_least is not None and self.age_below is not None:
            raise problem("ageAtLeast and ageBelow are two conditions")
        if facts == ["field"]:
            self._compares_its_field((info.context or {}).get("fieldSpecs", {}).get(self.field))
        return self

    def _compares_its_field(self, spec: dict[str, Any] | None) -> None:
        """The value fits the field: numbers for a NUMBER, an option of a SELECT, true or false for a BOOLEAN."""
        if spec is None:
            return  # an unknown field: its Ref says so
        kind, options = FieldType(spec["type"]), spec["options"]
        found = Problems()
        if (self.at_most is not None or self.at_least is not None) and kind is not FieldType.NUMBER:
            found.add(("atMost" if self.at_most is not None else "atLeast",),
                      f"{self.field} is {kind.value}: atMost and atLeast compare NUMBER fields")
        for at, value in ((("equals",), self.equals),
                          *((("oneOf", i), v) for i, v in enumerate(self.one_of or ()))):
            if value is None:
                continue
            if kind is FieldType.SELECT and value not in options:
                found.add(at, f"{value!r} is not an option of {self.field}", value)
            elif kind is FieldType.BOOLEAN and not isinstance(value, bool):
                found.add(at, f"{self.field} is BOOLEAN: compare it with true or false", value)
            elif kind is FieldType.NUMBER and (isinstance(value, bool) or not isinstance(value, (int, float))):
                found.add(at, f"{self.field} is NUMBER: compare it with a number", value)
            elif kind not in (FieldType.SELECT, FieldType.BOOLEAN, FieldType.NUMBER) and not isinstance(value, str):
                found.add(at, f"{self.field} is {kind.value}: compare it with text", value)
        if self.one_of is not None and kind is not FieldType.SELECT:
            found.add(("oneOf",), f"{self.field} is {kind.value}: oneOf lists options of a SELECT field")
        found.check()


Conditions = tuple[Condition, ...]


class InstantApproval(Record):
    """秒批: the item is decided without a person when ``all`` its conditions hold (the named ``rule``)."""

    rule: Text
    conditions: Annotated[Conditions, Field(alias="all", min_length=1)]

    @property
    def stored(self) -> dict[str, Any]:
        return {"rule": self.rule, "all": [c.stored for c in self.conditions]}


class Offer(Record):
    """免申即享: once the item is approved, its applicant is offered ``bundle`` if every ``when`` holds."""

    bundle: Annotated[Kebab, Ref("bundles", "bundle")]
    reason: Text
    when: Conditions = ()

    @property
    def stored(self) -> dict[str, Any]:
        return {"bundle": self.bundle, "reason": self.reason, "when": [c.stored for c in self.when]}


def _produced(value: str, info: ValidationInfo) -> str:
    spec = (info.context or {}).get("fieldSpecs", {}).get(value)
    if spec is not None and FieldType(spec["type"]) not in PRODUCIBLE:
        raise problem(f"{value} is {spec['type']}: an approval produces only "
                      f"{' or '.join(t.value for t in PRODUCIBLE)} fields")
    return value


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
    legal_basis: Annotated[tuple[Annotated[Text, AfterValidator(_law)], ...], Field(min_length=1),
                           AfterValidator(_once)]
    produces: Annotated[tuple[Annotated[str, Ref("fields", "field"), AfterValidator(_produced)], ...],
                        AfterValidator(_once)] = ()
    instant_approval: InstantApproval | None = None
    offers: tuple[Offer, ...] = ()

    @model_validator(mode="after")
    def _promise_within_the_law(self) -> ItemSpec:
        if self.promised_days > self.legal_days:
            raise problem(f"promisedDays {self.promised_days} exceeds legalDays {self.legal_days}")
        return self

    @model_validator(mode="after")
    def _coherent(self, info: ValidationInfo) -> ItemSpec:
        """Paperless channels need no paper; rules read only the item's own fields; offers fit the applicant."""
        context = info.context or {}
        found = Problems()
        paper = context.get("paperMaterials", set())
        for index, channel in enumerate(self.channels):
            if channel in PAPERLESS_CHANNELS:
                for material in (m.ref for m in self.materials if m.required and m.ref in paper):
                    found.add(("channels", index), f"{channel.value} is offered but the required material "
                                                   f"{material} has no e-licence to stand in for a paper upload")
        asked = {f.ref for f in self.fields}
        rules = ([(("instantApproval", "all", i), c) for i, c in enumerate(self.instant_approval.conditions)]
                 if self.instant_approval else [])
        rules += [(("offers", n, "when", i), c) for n, o in enumerate(self.offers) for i, c in enumerate(o.when)]
        for at, condition in rules:
            if condition.field is not None and condition.field not in asked:
                found.add((*at, "field"), f"{condition.field} is not a field of this item")
        audiences = context.get("bundles", {})  # an offer reaches applicants the bundle serves (either is BOTH)
        for n, offer in enumerate(self.offers):
            audience = audiences.get(offer.bundle)
            if isinstance(audience, str) and audience in Audience.__members__ and not _fits(
                    self.audience, Audience(audience)) and not _fits(Audience(audience), self.audience):
                found.add(("offers", n, "bundle"), f"{offer.bundle} is for {audience}, this item's applicants are "
                                                   f"{self.audience.value}")
        found.check()
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

    @model_validator(mode="after")
    def _items_for_its_audience(self, info: ValidationInfo) -> BundleSpec:
        audiences = (info.context or {}).get("itemAudiences", {})
        found = Problems()
        for index, member in enumerate(self.items):
            audience = audiences.get(member.item)
            if audience in Audience.__members__ and not _fits(Audience(audience), self.audience):
                found.add(("items", index, "item"), f"{member.item} is for {audience}, "
                                                    f"this bundle for {self.audience.value}")
        found.check()
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
    def listed(name: str) -> list[dict[str, Any]]:
        entries = raw.get(name)
        return [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []

    def by_code(name: str, value: str, key: str = "code") -> dict[Any, Any]:
        return {e[key]: e.get(value) for e in listed(name) if isinstance(e.get(key), (str, int))}

    field_specs = {
        key: {"type": spec["type"], "options": [o.get("value") for o in spec.get("options") or ()
                                                 if isinstance(o, dict)]}
        for key, spec in ((e.get("key"), e) for e in listed("fields"))
        if isinstance(key, str) and spec.get("type") in FieldType.__members__}
    return {
        "regions": by_code("regions", "marketEntities"),
        "departments": codes(raw.get("departments")),
        "certificateTypes": codes(raw.get("certificate_types")),
        "fields": codes(raw.get("fields"), "key"),
        "fieldSpecs": field_specs,
        "materials": codes(raw.get("materials")),
        "paperMaterials": {code for code, kind in by_code("materials", "certificateType").items() if kind is None},
        "items": codes(raw.get("items")),
        "itemAudiences": by_code("items", "audience"),
        "bundles": by_code("bundles", "audience"),
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
