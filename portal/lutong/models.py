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
