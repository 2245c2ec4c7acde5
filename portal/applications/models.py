"""Applications (办件): one per bundle submission, one task per item, the materials, the uploaded files."""

from __future__ import annotations

import uuid
from enum import Enum

from tortoise import fields
from tortoise.models import Model


class ApplicationStatus(str, Enum):
    """An application's status, derived from its tasks' (``rules.application_status``)."""

    IN_PROGRESS = "IN_PROGRESS"
    NEEDS_SUPPLEMENT = "NEEDS_SUPPLEMENT"
    PARTLY_REJECTED = "PARTLY_REJECTED"
    REJECTED = "REJECTED"
    DONE = "DONE"


class TaskStatus(str, Enum):
    WAITING = "WAITING"  # prerequisites open
    SUBMITTED = "SUBMITTED"
    ACCEPTED = "ACCEPTED"  # 受理
    APPROVED = "APPROVED"  # 办结
    REJECTED = "REJECTED"  # 不予受理 / 不予许可
    SUPPLEMENT_REQUIRED = "SUPPLEMENT_REQUIRED"  # 补正


class DecidedBy(str, Enum):
    PERSON = "PERSON"  # a handler of the department
    RULE = "RULE"  # the item's instant-approval rule (秒批)


class OfferStatus(str, Enum):
    OPEN = "OPEN"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"


class MaterialSource(str, Enum):
    UPLOAD = "UPLOAD"
    LICENCE = "LICENCE"  # an e-licence the applicant holds (免证办)
    ISSUED = "ISSUED"  # issued by an approved task of the same application


class Application(Model):
    id = fields.IntField(primary_key=True)
    bundle: fields.ForeignKeyRelation = fields.ForeignKeyField("portal.Bundle", related_name="applications",
                                                               on_delete=fields.RESTRICT)
    applicant: fields.ForeignKeyRelation = fields.ForeignKeyField("portal.Account", related_name="applications",
                                                                  on_delete=fields.RESTRICT)
    submitted_by: fields.ForeignKeyRelation = fields.ForeignKeyField("portal.Account", related_name="submissions",
                                                                     on_delete=fields.RESTRICT)
    # 受理编号 (portal.references), given when the row is made. Nullable in the schema only because SQLite cannot
    # make a column of a filled table NOT NULL without rebuilding it, which would drop the table's other indexes.
    number = fields.CharField(max_length=22, unique=True, null=True)
    channel = fields.CharField(max_length=10)
    form_values = fields.JSONField(default=dict)
    idempotency_key = fields.CharField(max_length=100)
    request_hash = fields.CharField(max_length=64)
    event_seq = fields.IntField(default=0)  # the last event's sequence number in this application's stream
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "application"
        unique_together = (("submitted_by", "idempotency_key"),)
        # me.applications: a person's applications, newest first (applicant, id). A person's applications of a
        # bundle (applicant, bundle): every submission reads them (a likely duplicate); without it each submission
        # scanned the whole table.
        indexes = (("applicant_id", "id"), ("applicant_id", "bundle_id"))


class Task(Model):
    id = fields.IntField(primary_key=True)
    application: fields.ForeignKeyRelation[Application] = fields.ForeignKeyField(
        "portal.Application", related_name="tasks", on_delete=fields.CASCADE)
    item: fields.ForeignKeyRelation = fields.ForeignKeyField("portal.ServiceItem", related_name="tasks",
                                                             on_delete=fields.RESTRICT)
    department_code = fields.CharField(max_length=20, db_index=True)
    prerequisites = fields.JSONField(default=list)  # item codes that must be approved first
    status = fields.CharEnumField(TaskStatus, max_length=20, db_index=True)
    version = fields.IntField(default=1)
    sort = fields.IntField()
    submitted_at = fields.DatetimeField(null=True)
    deadline = fields.DatetimeField(null=True, db_index=True)
    deadline_provisional = fields.BooleanField(default=False)
    decided_at = fields.DatetimeField(null=True)
    decided_by = fields.CharEnumField(DecidedBy, max_length=10, null=True)  # set with decided_at
    rule = fields.CharField(max_length=100, null=True)  # the instant-approval rule that decided it
    note = fields.TextField(default="")
    supplement = fields.JSONField(default=dict)  # {"fields": [...], "materials": [...], "message": "..."}
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "task"
        # The tasks of applications (loaders); a unit's worklist by status, oldest deadline first (departmentTasks).
        indexes = (("application_id",), ("department_code", "status", "deadline"))


class UploadedFile(Model):
    """A file stored content-addressed under PORTAL_UPLOAD_DIR (sha256/ab/cdef...)."""

    id = fields.UUIDField(primary_key=True)
    owner: fields.ForeignKeyRelation = fields.ForeignKeyField("portal.Account", related_name="uploads",
                                                              on_delete=fields.RESTRICT)
    sha256 = fields.CharField(max_length=64, db_index=True)
    size = fields.IntField()
    media_type = fields.CharField(max_length=60)
    name = fields.CharField(max_length=200)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "uploaded_file"


class ApplicationMaterial(Model):
    id = fields.IntField(primary_key=True)
    application: fields.ForeignKeyRelation[Application] = fields.ForeignKeyField(
        "portal.Application", related_name="materials", on_delete=fields.CASCADE)
    material_code = fields.CharField(max_length=80)
    source = fields.CharEnumField(MaterialSource, max_length=10)
    file: fields.ForeignKeyNullableRelation[UploadedFile] = fields.ForeignKeyField(
        "portal.UploadedFile", related_name="uses", null=True, on_delete=fields.RESTRICT)
    certificate: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "portal.Certificate", related_name="uses", null=True, on_delete=fields.RESTRICT)
    attached_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "application_material"
        indexes = (("application_id",),)  # the materials of applications (loaders)


class Supplement(Model):
    """An applicant's answer to 补正 requests, kept for idempotency and the record."""

    id = fields.IntField(primary_key=True)
    application: fields.ForeignKeyRelation[Application] = fields.ForeignKeyField(
        "portal.Application", related_name="supplements", on_delete=fields.CASCADE)
    submitted_by_id = fields.IntField()
    idempotency_key = fields.CharField(max_length=100)
    request_hash = fields.CharField(max_length=64)
    form_values = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "supplement"
        unique_together = (("application", "submitted_by_id", "idempotency_key"),)


def is_file_id(value: object) -> bool:
    """Whether ``value`` can name an uploaded file (a UUID); anything else names none."""
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


class Offer(Model):
    """免申即享: a follow-up bundle offered to a person because an item of theirs was approved."""

    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation = fields.ForeignKeyField("portal.Account", related_name="offers",
                                                                on_delete=fields.CASCADE)
    bundle: fields.ForeignKeyRelation = fields.ForeignKeyField("portal.Bundle", related_name="offers",
                                                               on_delete=fields.CASCADE)
    reason = fields.CharField(max_length=200)
    status = fields.CharEnumField(OfferStatus, max_length=10, default=OfferStatus.OPEN)
    source_application: fields.ForeignKeyNullableRelation[Application] = fields.ForeignKeyField(
        "portal.Application", related_name="offers_made", null=True, on_delete=fields.SET_NULL)
    source_item_code = fields.CharField(max_length=40, default="")
    accepted_application: fields.ForeignKeyNullableRelation[Application] = fields.ForeignKeyField(
        "portal.Application", related_name="from_offers", null=True, on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField(auto_now_add=True)
    decided_at = fields.DatetimeField(null=True)

    class Meta:
        table = "offer"
        indexes = (("account_id", "status"),)
