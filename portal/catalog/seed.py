"""Writing a validated catalog source into the database (``portal seed``).

Idempotent: rows are matched by their codes, so seeding twice gives the same catalog with the same ids;
rows whose code left the source are removed. Everything happens in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tortoise.models import Model
from tortoise.transactions import in_transaction

from portal import versions
from portal.audit.rules import SYSTEM, record
from portal.catalog.models import (
    Bundle,
    BundleChannel,
    BundleItem,
    CertificateType,
    Department,
    FieldDefinition,
    ItemField,
    ItemMaterial,
    MaterialDefinition,
    Region,
    ServiceItem,
)
from portal.catalog.rules import common_channels, critical_path_days
from portal.catalog.source import CatalogSource


async def _sync(model: type[Model], key: str, rows: Iterable[dict[str, Any]]) -> dict[str, Model]:
    """Make ``model``'s table hold exactly ``rows`` (matched on ``key``); return the objects by key."""
    wanted = {row[key]: row for row in rows}
    existing = {getattr(obj, key): obj for obj in await model.all()}
    stale = [k for k in existing if k not in wanted]
    if stale:
        await model.filter(**{f"{key}__in": stale}).delete()
    changed, created = [], []
    for k, row in wanted.items():
        obj = existing.get(k)
        if obj is None:
            created.append(model(**row))
        elif any(getattr(obj, f) != v for f, v in row.items()):
            for f, v in row.items():
                setattr(obj, f, v)
            changed.append(obj)
    if created:
        await model.bulk_create(created)
    for obj in changed:
        await obj.save()
    return {getattr(obj, key): obj for obj in await model.all()}


def _words(words: Iterable[str]) -> str:
    return " ".join(words)


async def seed_catalog(source: CatalogSource) -> None:
    """Replace the catalog in the database by ``source`` and bump the catalog version."""
    async with in_transaction():
        await _sync(Region, "code", (
            {"code": r.code, "name": r.name, "level": r.level, "parent_code": r.parent,
             "market_entities": r.market_entities} for r in source.regions))
        departments = await _sync(Department, "code", (
            {"code": d.code, "name": d.name, "region_code": d.region, "sort": i}
            for i, d in enumerate(source.departments)))
        await _sync(CertificateType, "code", (
            {"code": c.code, "name": c.name, "issuer_code": c.issuer, "holder": c.holder}
            for c in source.certificate_types))
        await _sync(FieldDefinition, "key", (
            {"key": f.key, "label": f.label, "type": f.type, "hint": f.hint, "validation": f.validation,
             "options": [o.model_dump() for o in f.options]} for f in source.fields))
        await _sync(MaterialDefinition, "code", (
            {"code": m.code, "name": m.name, "certificate_type_code": m.certificate_type} for m in source.materials))

        # Links are rebuilt whole: they have no identity of their own.
        await BundleChannel.all().delete()
        await BundleItem.all().delete()
        await ItemField.all().delete()
        await ItemMaterial.all().delete()
        items = await _sync(ServiceItem, "code", (
            {"code": s.code, "name": s.name, "department_id": departments[s.department].id, "audience": s.audience,
             "legal_days": s.legal_days, "promised_days": s.promised_days, "fee": s.fee,
             "description": s.description, "keywords": _words(s.keywords), "channels": [c.value for c in s.channels],
             "issues": list(s.issues), "legal_basis": list(s.legal_basis), "produces": list(s.produces),
             "instant_approval": s.instant_approval.stored if s.instant_approval else None,
             "offers": [o.stored for o in s.offers], "sort": i}
            for i, s in enumerate(source.items)))
        await ItemField.bulk_create([
            ItemField(item_id=items[s.code].id, field_key=f.ref, required=f.required, sort=n)
            for s in source.items for n, f in enumerate(s.fields)])
        await ItemMaterial.bulk_create([
            ItemMaterial(item_id=items[s.code].id, material_code=m.ref, required=m.required, sort=n)
            for s in source.items for n, m in enumerate(s.materials)])

        item_specs = {s.code: s for s in source.items}
        bundles = await _sync(Bundle, "code", (
            {"code": b.code, "name": b.name, "description": b.description, "keywords": _words(b.keywords),
             "audience": b.audience, "national": b.national, "sort": i,
             "promised_days": critical_path_days({m.item: m.prerequisites for m in b.items},
                                                 {m.item: item_specs[m.item].promised_days for m in b.items})}
            for i, b in enumerate(source.bundles)))
        await BundleItem.bulk_create([
            BundleItem(bundle_id=bundles[b.code].id, item_id=items[m.item].id, prerequisites=list(m.prerequisites),
                       sort=n)
            for b in source.bundles for n, m in enumerate(b.items)])
        await BundleChannel.bulk_create([
            BundleChannel(bundle_id=bundles[b.code].id, terminal=t)
            for b in source.bundles
            for t in common_channels(item_specs[m.item].channels for m in b.items)])
        await versions.bump(versions.CATALOG)
        await record("catalog.seeded", SYSTEM, detail={"departments": len(source.departments),
                                                       "items": len(source.items), "bundles": len(source.bundles)})
