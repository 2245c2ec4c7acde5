"""Catalog tables: regions, departments, the field and material dictionaries, service items, bundles.

The catalog is loaded from the YAML files under ``portal/catalog/data`` by ``portal seed``; these
tables are its indexed, queryable form.
"""

from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.models import Model

from portal.terminals import Terminal  # noqa: F401 - the catalog's channels are terminals


class Audience(str, Enum):
    CITIZEN = "CITIZEN"
    ENTERPRISE = "ENTERPRISE"
    BOTH = "BOTH"


class FieldType(str, Enum):
    TEXT = "TEXT"
    DATE = "DATE"
    NUMBER = "NUMBER"
    PHONE = "PHONE"
    ID_NUMBER = "ID_NUMBER"
    CREDIT_CODE = "CREDIT_CODE"
    SELECT = "SELECT"
    BOOLEAN = "BOOLEAN"
    ADDRESS = "ADDRESS"


class RegionLevel(str, Enum):
    PROVINCE = "PROVINCE"
    CITY = "CITY"
    COUNTY = "COUNTY"


class Region(Model):
    code = fields.CharField(max_length=6, primary_key=True)
    name = fields.CharField(max_length=50)
    level = fields.CharEnumField(RegionLevel, max_length=10)
    parent_code = fields.CharField(max_length=6, null=True)
    market_entities = fields.IntField()

    class Meta:
        table = "region"


class Department(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=20, unique=True)
    name = fields.CharField(max_length=100)
    region_code = fields.CharField(max_length=6, db_index=True)
    sort = fields.IntField()

    class Meta:
        table = "department"


class CertificateType(Model):
    code = fields.CharField(max_length=60, primary_key=True)
    name = fields.CharField(max_length=100)
    issuer_code = fields.CharField(max_length=20)
    holder = fields.CharField(max_length=10)

    class Meta:
        table = "certificate_type"


class FieldDefinition(Model):
    """A canonical form field (数据元): asked once per bundle form, whichever items need it."""

    key = fields.CharField(max_length=80, primary_key=True)
    label = fields.CharField(max_length=100)
    type = fields.CharEnumField(FieldType, max_length=12)
    hint = fields.CharField(max_length=200, default="")
    validation = fields.JSONField(default=dict)
    options = fields.JSONField(default=list)

    class Meta:
        table = "field_definition"


class MaterialDefinition(Model):
    code = fields.CharField(max_length=80, primary_key=True)
    name = fields.CharField(max_length=100)
    certificate_type_code = fields.CharField(max_length=60, null=True)

    class Meta:
        table = "material_definition"


class ServiceItem(Model):
    """事项: one legally defined procedure of one department."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=30, unique=True)
    name = fields.CharField(max_length=100, db_index=True)
    department: fields.ForeignKeyRelation[Department] = fields.ForeignKeyField(
        "portal.Department", related_name="items", on_delete=fields.RESTRICT
    )
    audience = fields.CharEnumField(Audience, max_length=10, db_index=True)
    legal_days = fields.IntField()
    promised_days = fields.IntField()
    fee = fields.DecimalField(max_digits=10, decimal_places=2)
    description = fields.TextField()
    keywords = fields.CharField(max_length=300, default="")
    channels = fields.JSONField(default=list)
    issues = fields.JSONField(default=list)
    # 法律依据: each law or regulation with its article, e.g. "《中华人民共和国户口登记条例》第七条".
    legal_basis = fields.JSONField(default=list)
    # Field keys (ID_NUMBER or CREDIT_CODE) whose value the approval itself issues (出生登记: child.idNumber).
    produces = fields.JSONField(default=list)
    # 秒批, as in items.yaml: {"rule": "...", "all": [condition, ...]}, or null when a person decides. A condition
    # is one of {"holds": TYPE}, {"ageAtLeast": N}, {"ageBelow": N}, {"residentOf": "370000"},
    # {"field": key, "equals" | "atMost" | "atLeast" | "oneOf": value}.
    instant_approval = fields.JSONField(null=True)
    # 免申即享 once approved: [{"bundle": code, "reason": "...", "when": [condition, ...]}, ...]
    offers = fields.JSONField(default=list)
    sort = fields.IntField()

    class Meta:
        table = "service_item"


class ItemField(Model):
    item: fields.ForeignKeyRelation[ServiceItem] = fields.ForeignKeyField(
        "portal.ServiceItem", related_name="field_links", on_delete=fields.CASCADE
    )
    field_key = fields.CharField(max_length=80)
    required = fields.BooleanField()
    sort = fields.IntField()

    class Meta:
        table = "item_field"
        unique_together = (("item", "field_key"),)


class ItemMaterial(Model):
    item: fields.ForeignKeyRelation[ServiceItem] = fields.ForeignKeyField(
        "portal.ServiceItem", related_name="material_links", on_delete=fields.CASCADE
    )
    material_code = fields.CharField(max_length=80)
    required = fields.BooleanField()
    sort = fields.IntField()

    class Meta:
        table = "item_material"
        unique_together = (("item", "material_code"),)


class Bundle(Model):
    """一件事: a life or business event served by several items along a dependency graph."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=60, unique=True)
    name = fields.CharField(max_length=100, db_index=True)
    description = fields.TextField()
    keywords = fields.CharField(max_length=300, default="")
    audience = fields.CharEnumField(Audience, max_length=10, db_index=True)
    national = fields.BooleanField()
    promised_days = fields.IntField()
    sort = fields.IntField()

    class Meta:
        table = "bundle"


class BundleItem(Model):
    bundle: fields.ForeignKeyRelation[Bundle] = fields.ForeignKeyField(
        "portal.Bundle", related_name="item_links", on_delete=fields.CASCADE
    )
    item: fields.ForeignKeyRelation[ServiceItem] = fields.ForeignKeyField(
        "portal.ServiceItem", related_name="bundle_links", on_delete=fields.RESTRICT
    )
    prerequisites = fields.JSONField(default=list)
    sort = fields.IntField()

    class Meta:
        table = "bundle_item"
        unique_together = (("bundle", "item"),)


class BundleChannel(Model):
    """A terminal on which every item of the bundle can be applied for (kept for filtering in SQL)."""

    bundle: fields.ForeignKeyRelation[Bundle] = fields.ForeignKeyField(
        "portal.Bundle", related_name="channel_links", on_delete=fields.CASCADE
    )
    terminal = fields.CharEnumField(Terminal, max_length=10)

    class Meta:
        table = "bundle_channel"
        unique_together = (("bundle", "terminal"),)
