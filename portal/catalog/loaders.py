"""Catalog DataLoaders: each batch is one query, so a list costs the same number of queries at any length."""

from __future__ import annotations

from portal.catalog.models import (
    BundleChannel,
    BundleItem,
    CertificateType,
    Department,
    FieldDefinition,
    ItemField,
    ItemMaterial,
    MaterialDefinition,
    Region,
)
from portal.loaders import by_key, children


class CatalogLoaders:
    """The catalog's loaders for one request (or one subscription event)."""

    def __init__(self) -> None:
        self.region = by_key(Region, "code")
        self.department = by_key(Department, "id")
        self.field_definition = by_key(FieldDefinition, "key")
        self.material_definition = by_key(MaterialDefinition, "code")
        self.certificate_type = by_key(CertificateType, "code")
        self.bundle_items = children(BundleItem, "bundle_id", select_related=("item",))
        self.bundle_channels = children(BundleChannel, "bundle_id", order="terminal")
        self.item_fields = children(ItemField, "item_id")
        self.item_materials = children(ItemMaterial, "item_id")
