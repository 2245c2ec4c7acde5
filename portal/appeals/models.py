"""The enterprise appeals zone (企业家诉求专区): appeals, their steps, missed deadlines, evaluations."""

from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.models import Model


class AppealChannel(str, Enum):
    ONLINE = "ONLINE"  # the online zone
    MAILBOX = "MAILBOX"  # 省长信箱
    HOTLINE = "HOTLINE"  # the 96178 seat on the 12345 platform
    VISIT = "VISIT"  # a leader's company visit


class AppealCategory(str, Enum):
    """分类."""

    POLICY = "POLICY"  # 政策兑现
    APPROVAL = "APPROVAL"  # 审批服务
    FINANCING = "FINANCING"  # 融资信贷
    TAX = "TAX"  # 税费
    LABOUR = "LABOUR"  # 用工人才
    LAND = "LAND"  # 用地规划
    ENERGY = "ENERGY"  # 水电气暖
    MARKET = "MARKET"  # 市场准入与公平竞争
    LEGAL = "LEGAL"  # 法治环境与权益保护
    OTHER = "OTHER"


class AppealUrgency(str, Enum):
    """分级: the clock of each is data (``portal/appeals/data/clocks.yaml``)."""

    URGENT = "URGENT"  # 特急
    IMPORTANT = "IMPORTANT"  # 紧急
    GENERAL = "GENERAL"  # 一般


class AppealKind(str, Enum):
    """分类 by nature (besides the subject ``AppealCategory``)."""

    COMPLAINT = "COMPLAINT"  # 投诉
    CONSULTATION = "CONSULTATION"  # 咨询
    SUGGESTION = "SUGGESTION"  # 建议
    REPORT = "REPORT"  # 举报


class AppealStatus(str, Enum):
    RECEIVED = "RECEIVED"  # recorded, not yet routed
    ASSIGNED = "ASSIGNED"  # the undertaking unit has it; the 2115 clock runs
    RETURNED = "RETURNED"  # 退单 awaiting the coordinator's decision (the clock keeps running)
    CONTACTED = "CONTACTED"  # contact made within 2 h (or late)
    OPINION_GIVEN = "OPINION_GIVEN"
    RESOLVED = "RESOLVED"  # awaiting the enterprise's confirmation
    CLOSED = "CLOSED"  # confirmed satisfied
    MERGED = "MERGED"  # merged into a similar appeal


class SlaStep(str, Enum):
    CONTACT = "CONTACT"
    OPINION = "OPINION"
    RESOLVE = "RESOLVE"
    RETURN_VISIT = "RETURN_VISIT"  # 回访 of a bad review
    RECTIFY = "RECTIFY"  # 整改 of a bad review
    CARRY_OUT = "CARRY_OUT"  # an executive meeting's decision carried out (portal.oversight)
    RECTIFY_REPORT = "RECTIFY_REPORT"  # a unit's rectification report after a 通报 / 约谈 (portal.oversight)


class Appeal(Model):
    id = fields.IntField(primary_key=True)
    # 受理编号 (portal.references), given when the row is made. Nullable in the schema only because SQLite cannot
    # make a column of a filled table NOT NULL without rebuilding it, which would drop the table's other indexes.
    number = fields.CharField(max_length=22, unique=True, null=True)
    # By credit code, not account: the 96178 seat records calls from enterprises without an account too.
    credit_code = fields.CharField(max_length=18, db_index=True)
    enterprise_name = fields.CharField(max_length=100)
    recorded_by_id = fields.IntField()
    channel = fields.CharEnumField(AppealChannel, max_length=10)
    category = fields.CharEnumField(AppealCategory, max_length=12, db_index=True)
    urgency = fields.CharEnumField(AppealUrgency, max_length=10)
    kind = fields.CharEnumField(AppealKind, max_length=12, default=AppealKind.COMPLAINT, db_default="COMPLAINT")
    # The urgency's rank (0 特急, 1 紧急, 2 一般; ``clocks.priority``): worklists order by it, then by age.
    priority = fields.IntField(default=2, db_default=2)
    clock_name = fields.CharField(max_length=30, default="", db_default="")  # the grade's clock it was given
    # 96178 即时答复: a consultation the seat answered on the call and closed with the caller's consent.
    answered_on_the_spot = fields.BooleanField(default=False, db_default=False)
    title = fields.CharField(max_length=100)
    content = fields.TextField()
    region_code = fields.CharField(max_length=6, db_index=True)
    status = fields.CharEnumField(AppealStatus, max_length=15, db_index=True)
    version = fields.IntField(default=1)
    event_seq = fields.IntField(default=0)
    idempotency_key = fields.CharField(max_length=100)
    request_hash = fields.CharField(max_length=64)
    department_code = fields.CharField(max_length=20, null=True, db_index=True)
    received_at = fields.DatetimeField(null=True)  # by the undertaking unit: the 2115 clock starts
    contact_by = fields.DatetimeField(null=True)
    opinion_by = fields.DatetimeField(null=True)
    resolve_by = fields.DatetimeField(null=True)
    provisional = fields.BooleanField(default=False)
    contacted_at = fields.DatetimeField(null=True)
    opinion_at = fields.DatetimeField(null=True)
    opinion = fields.TextField(default="")
    resolved_at = fields.DatetimeField(null=True)
    summary = fields.TextField(default="")
    return_reason = fields.TextField(default="")
    confirmed_at = fields.DatetimeField(null=True)
    satisfied = fields.BooleanField(null=True)
    rating = fields.IntField(null=True)
    comment = fields.TextField(default="")
    reopened = fields.IntField(default=0)
    escalated_at = fields.DatetimeField(null=True)
    meeting_topic_at = fields.DatetimeField(null=True)  # listed for the provincial executive meeting (常务会议议题)
    merged_into_id = fields.IntField(null=True)
    # Where the problem is, when the filer says (the Open311 facade's address_string, lat and long), and a link to a
    # picture of it: a URL the filer gave, or an upload (then also an attachment).
    address = fields.CharField(max_length=200, null=True)
    latitude = fields.FloatField(null=True)
    longitude = fields.FloatField(null=True)
    media_url = fields.CharField(max_length=500, null=True)
    # The Open311 token of a request filed through the facade (GET tokens/{token}): unguessable, one per appeal.
    open311_token = fields.CharField(max_length=43, null=True, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "appeal"
        # The figures: appeals received in a period, of a region (a county by code, a city or the province by range).
        indexes = (("region_code", "created_at"), ("created_at",))
        unique_together = (("recorded_by_id", "idempotency_key"),)


class AppealStep(Model):
    """Every step of an appeal, with its actor and time."""

    id = fields.IntField(primary_key=True)
    appeal: fields.ForeignKeyRelation[Appeal] = fields.ForeignKeyField("portal.Appeal", related_name="steps",
                                                                       on_delete=fields.CASCADE)
    at = fields.DatetimeField()
    action = fields.CharField(max_length=30)
    actor = fields.CharField(max_length=120)
    department_code = fields.CharField(max_length=20, null=True)
    note = fields.TextField(default="")

    class Meta:
        table = "appeal_step"
        indexes = (("appeal_id",),)  # an appeal's steps


class DeadlineMiss(Model):
    """A step found past its deadline, unique per target, step and deadline, so that it is alerted once.

    (No semicolons in model docstrings: they become table comments, and the SQLite schema editor splits
    statements at semicolons.)
    """

    id = fields.IntField(primary_key=True)
    target_type = fields.CharField(max_length=12)
    target_id = fields.IntField()
    step = fields.CharEnumField(SlaStep, max_length=15)
    due_at = fields.DatetimeField()
    detected_at = fields.DatetimeField()
    department_code = fields.CharField(max_length=20, null=True, db_index=True)
    region_code = fields.CharField(max_length=6, null=True)

    class Meta:
        table = "deadline_miss"
        unique_together = (("target_type", "target_id", "step", "due_at"),)


class AppealAttachment(Model):
    """An uploaded file attached to an appeal (photos, contracts, notices)."""

    id = fields.IntField(primary_key=True)
    appeal: fields.ForeignKeyRelation[Appeal] = fields.ForeignKeyField("portal.Appeal", related_name="attachments",
                                                                       on_delete=fields.CASCADE)
    file: fields.ForeignKeyRelation = fields.ForeignKeyField("portal.UploadedFile", related_name="appeal_uses",
                                                             on_delete=fields.RESTRICT)
    added_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "appeal_attachment"
        unique_together = (("appeal", "file"),)
