"""Policy packs (服务包 / 明白纸) and their deliveries to enterprises, with read receipts."""

from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.models import Model


class PackStatus(str, Enum):
    DRAFT = "DRAFT"
    PUBLISHED = "PUBLISHED"


class LinkKind(str, Enum):
    """What a pack links to: a bundle (一件事) or an item (事项) of the catalog, or a published policy document."""

    BUNDLE = "BUNDLE"
    ITEM = "ITEM"
    DOCUMENT = "DOCUMENT"


class PolicyPack(Model):
    """A pack of policies written plainly (明白纸) for the enterprises of a region and of some industries.

    ``sections`` are the plain-language points, in order: ``[{"heading": ..., "text": ...}]``; ``links`` are
    ``[{"kind": LinkKind, "target": code or URL, "title": ...}]``; ``industries`` are GB/T 4754-2017 section
    letters, empty for every industry. A draft is composed, then published once: publishing pushes it
    (``PackDelivery`` per enterprise reached) and fixes ``targeted``."""

    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=100)
    summary = fields.CharField(max_length=500)
    sections = fields.JSONField(default=list)
    links = fields.JSONField(default=list)
    region_code = fields.CharField(max_length=6, db_index=True)
    industries = fields.JSONField(default=list)
    department_code = fields.CharField(max_length=20, null=True, db_index=True)
    status = fields.CharEnumField(PackStatus, max_length=10, default=PackStatus.DRAFT)
    version = fields.IntField(default=1)
    created_by: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "portal.Account", related_name="packs_created", on_delete=fields.RESTRICT)
    created_at = fields.DatetimeField(auto_now_add=True)
    published_at = fields.DatetimeField(null=True)
    published_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "portal.Account", related_name="packs_published", null=True, on_delete=fields.RESTRICT)
    targeted = fields.IntField(default=0)
    idempotency_key = fields.CharField(max_length=100)
    request_hash = fields.CharField(max_length=64)

    class Meta:
        table = "policy_pack"
        unique_together = (("created_by", "idempotency_key"),)


class PackDelivery(Model):
    """One pack pushed to one enterprise: delivered when its app first lists it, read when first opened (by the
    enterprise or an agent acting for it; ``read_by`` names who). Once per enterprise and pack."""

    id = fields.IntField(primary_key=True)
    pack: fields.ForeignKeyRelation[PolicyPack] = fields.ForeignKeyField(
        "portal.PolicyPack", related_name="deliveries", on_delete=fields.CASCADE)
    enterprise: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "portal.Account", related_name="pack_deliveries", on_delete=fields.CASCADE)
    region_code = fields.CharField(max_length=6)  # the enterprise's, from its credit code, when pushed
    pushed_at = fields.DatetimeField()
    delivered_at = fields.DatetimeField(null=True)
    read = fields.BooleanField(default=False)
    read_at = fields.DatetimeField(null=True)
    read_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "portal.Account", related_name="pack_reads", null=True, on_delete=fields.SET_NULL)

    class Meta:
        table = "pack_delivery"
        unique_together = (("pack", "enterprise"),)
        indexes = (("enterprise_id", "read"),)
