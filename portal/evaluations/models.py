"""好差评 tables."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Evaluation(Model):
    """好差评: a rating of a finished task, application or appeal. 1–2 is a bad review with follow-up."""

    id = fields.IntField(primary_key=True)
    target_type = fields.CharField(max_length=12)
    target_id = fields.IntField()
    rater: fields.ForeignKeyRelation = fields.ForeignKeyField("portal.Account", related_name="evaluations",
                                                              on_delete=fields.RESTRICT)
    department_code = fields.CharField(max_length=20, null=True, db_index=True)
    region_code = fields.CharField(max_length=6, null=True)
    rating = fields.IntField()
    comment = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    return_visit_by = fields.DatetimeField(null=True)
    return_visit_at = fields.DatetimeField(null=True)
    return_visit_note = fields.TextField(default="")
    rectify_by = fields.DatetimeField(null=True)
    rectified_at = fields.DatetimeField(null=True)
    rectification_note = fields.TextField(default="")

    class Meta:
        table = "evaluation"
        unique_together = (("rater", "target_type", "target_id"),)
