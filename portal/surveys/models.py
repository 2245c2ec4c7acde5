"""Satisfaction survey tables: the survey with its questions as data, and one invitation per sampled enterprise
(holding its answers once given)."""

from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.models import Model


class SurveyStatus(str, Enum):
    DRAFT = "DRAFT"  # being written by the supervisor, seen by no enterprise
    PUBLISHED = "PUBLISHED"  # sample drawn, invitations out, answers taken from opensOn to closesOn
    RESULTS_PUBLISHED = "RESULTS_PUBLISHED"  # closed to answers, figures public


class SurveyHalf(str, Enum):
    """The half-year a survey is about (上半年 January–June, 下半年 July–December)."""

    H1 = "H1"
    H2 = "H2"


class QuestionKind(str, Enum):
    SCALE = "SCALE"  # 1 非常不满意 … 5 非常满意
    CHOICE = "CHOICE"  # one of the question's options
    TEXT = "TEXT"  # free text, read by supervisors only


class Survey(Model):
    """营商环境满意度调查 of one region and half-year, its questions as data, its sample drawn when published.

    (No semicolons in model docstrings: they become table comments, and the SQLite schema editor splits
    statements at semicolons.)
    """

    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=100)
    region_code = fields.CharField(max_length=6, db_index=True)
    year = fields.IntField()
    half = fields.CharEnumField(SurveyHalf, max_length=2)
    opens_on = fields.DateField()
    closes_on = fields.DateField()
    questions = fields.JSONField(default=list)
    sample_percent = fields.IntField()
    status = fields.CharEnumField(SurveyStatus, max_length=20, default=SurveyStatus.DRAFT)
    version = fields.IntField(default=1)
    event_seq = fields.IntField(default=0)
    created_by_id = fields.IntField()
    idempotency_key = fields.CharField(max_length=100)
    request_hash = fields.CharField(max_length=64)
    # region:yearhalf once published (370100:2025H2): one published survey per region and half-year
    published_period = fields.CharField(max_length=16, null=True, unique=True)
    population = fields.IntField(null=True)  # enterprises of the region when the sample was drawn
    sample_seed = fields.BigIntField(null=True)
    published_at = fields.DatetimeField(null=True)
    results_published_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "survey"
        unique_together = (("created_by_id", "idempotency_key"),)


class SurveyInvitation(Model):
    """A sampled enterprise's invitation, with its answers (by question key) once given."""

    id = fields.IntField(primary_key=True)
    survey: fields.ForeignKeyRelation[Survey] = fields.ForeignKeyField("portal.Survey", related_name="invitations",
                                                                       on_delete=fields.CASCADE)
    enterprise: fields.ForeignKeyRelation = fields.ForeignKeyField("portal.Account", related_name="survey_invitations",
                                                                   on_delete=fields.RESTRICT)
    credit_code = fields.CharField(max_length=18, db_index=True)
    region_code = fields.CharField(max_length=6)  # the enterprise's (credit code positions 3–8)
    invited_at = fields.DatetimeField()
    answered_at = fields.DatetimeField(null=True)
    answered_by_id = fields.IntField(null=True)
    answers = fields.JSONField(null=True)

    class Meta:
        table = "survey_invitation"
        unique_together = (("survey", "enterprise"),)
