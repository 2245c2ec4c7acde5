"""The audit trail: append-only entries chained by hash."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class AuditEntry(Model):
    """One audited event. ``prev_hash`` is the previous entry's ``hash`` and unique, so two writers that
    raced for the same predecessor cannot both append: the chain never forks."""

    id = fields.BigIntField(primary_key=True)
    at = fields.DatetimeField()
    action = fields.CharField(max_length=60, db_index=True)
    actor_account_id = fields.IntField(null=True)
    actor = fields.CharField(max_length=120)
    subject_account_id = fields.IntField(null=True, db_index=True)
    target = fields.CharField(max_length=120, default="")
    detail = fields.JSONField(default=dict)
    address = fields.CharField(max_length=64, default="")
    terminal = fields.CharField(max_length=10, default="")
    prev_hash = fields.CharField(max_length=64, unique=True)
    hash = fields.CharField(max_length=64, unique=True)

    class Meta:
        table = "audit_entry"
