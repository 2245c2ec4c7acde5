"""E-licences (电子证照): certificates held by a citizen or an enterprise."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Certificate(Model):
    """One e-licence in a holder's wallet, issued by a department or by an approved task of the portal."""

    id = fields.IntField(primary_key=True)
    holder: fields.ForeignKeyRelation = fields.ForeignKeyField("portal.Account", related_name="certificates",
                                                               on_delete=fields.CASCADE)
    type_code = fields.CharField(max_length=60, db_index=True)
    number = fields.CharField(max_length=60)
    issuer_code = fields.CharField(max_length=20)
    issued_at = fields.DatetimeField()
    valid_until = fields.DateField(null=True)
    data = fields.JSONField(default=dict)  # what the licence states, e.g. {"child.name": "..."}
    source_task_id = fields.IntField(null=True)

    class Meta:
        table = "certificate"


class LegacyCode(Model):
    """One of the 500+ older codes (health, social security, medical insurance, transport, library, park ...)
    that the 鲁通码 replaces, resolved to its holder."""

    id = fields.IntField(primary_key=True)
    code_type = fields.CharField(max_length=40)
    value = fields.CharField(max_length=80)
    holder: fields.ForeignKeyRelation = fields.ForeignKeyField("portal.Account", related_name="legacy_codes",
                                                               on_delete=fields.CASCADE)

    class Meta:
        table = "legacy_code"
        unique_together = (("code_type", "value"),)


class UsedCode(Model):
    """A 鲁通码 payload already scanned: its nonce, kept until the code expires (single use)."""

    nonce = fields.CharField(max_length=40, primary_key=True)
    holder_id = fields.IntField()
    scanned_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "used_code"
