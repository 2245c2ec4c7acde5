"""Oversight of the appeals zone: the provincial executive meeting (常务会议) with its topics, decisions and
invited entrepreneurs (列席), and the notices and talks (通报 / 约谈) a supervisor issues to a unit."""

from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.models import Model


class ExecutiveMeeting(Model):
    """A session of the executive meeting of a region (the province's 省政府常务会议, a city's 市政府常务会议)."""

    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=100)
    session_number = fields.CharField(max_length=40)  # 第N次常务会议
    held_on = fields.DateField()
    region_code = fields.CharField(max_length=6, db_index=True)
    created_by_id = fields.IntField()
    idempotency_key = fields.CharField(max_length=100)
    request_hash = fields.CharField(max_length=64)
    version = fields.IntField(default=1)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "executive_meeting"
        unique_together = (("created_by_id", "idempotency_key"),)


class MeetingTopic(Model):
    """An appeal listed as a meeting topic (议题), scheduled into a meeting, and the meeting's decision on it: the
    responsible department carries it out within a number of working days."""

    id = fields.IntField(primary_key=True)
    appeal: fields.OneToOneRelation = fields.OneToOneField("portal.Appeal", related_name="meeting_topic",
                                                           on_delete=fields.CASCADE)
    region_code = fields.CharField(max_length=6, db_index=True)
    reason = fields.TextField(default="")
    listed_at = fields.DatetimeField()
    meeting: fields.ForeignKeyNullableRelation[ExecutiveMeeting] = fields.ForeignKeyField(
        "portal.ExecutiveMeeting", related_name="topics", null=True, on_delete=fields.SET_NULL)
    scheduled_at = fields.DatetimeField(null=True)
    decision = fields.TextField(default="")
    decided_at = fields.DatetimeField(null=True)
    decided_by_id = fields.IntField(null=True)
    responsible_department_code = fields.CharField(max_length=20, null=True, db_index=True)
    carry_out_days = fields.IntField(null=True)
    carry_out_by = fields.DatetimeField(null=True)
    provisional = fields.BooleanField(default=False)
    carried_out_at = fields.DatetimeField(null=True)
    carried_out_note = fields.TextField(default="")
    version = fields.IntField(default=1)

    class Meta:
        table = "meeting_topic"


class MeetingInvitation(Model):
    """An entrepreneur invited to attend (列席) a meeting: an enterprise account, by its credit code."""

    id = fields.IntField(primary_key=True)
    meeting: fields.ForeignKeyRelation[ExecutiveMeeting] = fields.ForeignKeyField(
        "portal.ExecutiveMeeting", related_name="invitations", on_delete=fields.CASCADE)
    credit_code = fields.CharField(max_length=18, db_index=True)
    enterprise_name = fields.CharField(max_length=100)
    invited_by_id = fields.IntField()
    invited_at = fields.DatetimeField()

    class Meta:
        table = "meeting_invitation"
        unique_together = (("meeting", "credit_code"),)


class NoticeKind(str, Enum):
    NOTICE = "NOTICE"  # 通报
    TALK = "TALK"  # 约谈


class UnitNotice(Model):
    """A notice (通报) or talk (约谈) issued to a unit for low satisfaction or repeated missed deadlines, with the
    figures of the period it rests on, and the unit's rectification report (整改报告) due in working days."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharEnumField(NoticeKind, max_length=10)
    department_code = fields.CharField(max_length=20, db_index=True)
    region_code = fields.CharField(max_length=6, db_index=True)
    reason = fields.TextField()
    period_from = fields.DateField()
    period_to = fields.DateField()
    received = fields.IntField()
    satisfaction_rate = fields.FloatField(null=True)
    missed_deadlines = fields.IntField()
    issued_by_id = fields.IntField()
    issued_at = fields.DatetimeField()
    report_days = fields.IntField()
    report_by = fields.DatetimeField()
    provisional = fields.BooleanField(default=False)
    report = fields.TextField(default="")
    reported_at = fields.DatetimeField(null=True)
    reported_by_id = fields.IntField(null=True)
    idempotency_key = fields.CharField(max_length=100)
    request_hash = fields.CharField(max_length=64)
    version = fields.IntField(default=1)

    class Meta:
        table = "unit_notice"
        unique_together = (("issued_by_id", "idempotency_key"),)
