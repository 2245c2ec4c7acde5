"""The knowledge base of policy answers (政策问答知识库) the 96178 seat searches while a caller is on the line.

An entry is a history of versions: every edit, publication and withdrawal writes a new ``KnowledgeVersion`` row
(a full copy, with who, when and what changed), and the entry points at its current one. Nothing is overwritten,
so an answer a seat gave can always be read as it stood then (``KnowledgeCitation`` names the version).
"""

from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.models import Model

from portal.appeals.models import AppealCategory


class KnowledgeStatus(str, Enum):
    DRAFT = "DRAFT"  # 草稿: edited, not offered to the seat
    PUBLISHED = "PUBLISHED"  # 已发布: found by the seat's search while valid
    WITHDRAWN = "WITHDRAWN"  # 已撤回: kept with its history, found by nobody


class KnowledgeEntry(Model):
    """One policy answer: its current version (``version`` the number, ``current_version_id`` the row)."""

    id = fields.IntField(primary_key=True)
    version = fields.IntField(default=1)  # the number of the current version: edits update on it
    current_version_id = fields.IntField(null=True)  # the current ``KnowledgeVersion`` row (set with the first)
    created_by_id = fields.IntField()
    idempotency_key = fields.CharField(max_length=100)
    request_hash = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "knowledge_entry"
        unique_together = (("created_by_id", "idempotency_key"),)


class KnowledgeVersion(Model):
    """One version of an entry as it stood after a change, with who changed what and when."""

    # The answer, where it comes from (政策依据), where and when it applies, and its status.

    id = fields.IntField(primary_key=True)
    entry: fields.ForeignKeyRelation[KnowledgeEntry] = fields.ForeignKeyField(
        "portal.KnowledgeEntry", related_name="versions", on_delete=fields.CASCADE)
    number = fields.IntField()
    status = fields.CharEnumField(KnowledgeStatus, max_length=10)
    title = fields.CharField(max_length=100)
    phrasings = fields.JSONField(default=list)  # how callers ask it (问法), one line each
    answer = fields.TextField()
    basis_title = fields.CharField(max_length=200)  # the policy document (政策依据)
    basis_department_code = fields.CharField(max_length=20)  # its issuing department
    basis_url = fields.CharField(max_length=500, default="")
    category = fields.CharEnumField(AppealCategory, max_length=12)
    region_code = fields.CharField(max_length=6)  # where it applies: the province, or one city or county
    valid_from = fields.DateField()
    valid_until = fields.DateField(null=True)  # none: until withdrawn
    action = fields.CharField(max_length=20)  # created, edited, published, withdrawn
    note = fields.CharField(max_length=200, default="")  # what changed
    author_id = fields.IntField(null=True)
    author = fields.CharField(max_length=120)  # the editor's name as it read then (the audit trail has the rest)
    at = fields.DatetimeField()

    class Meta:
        table = "knowledge_version"
        unique_together = (("entry", "number"),)


class KnowledgeCitation(Model):
    """An answer given on the spot that cites a version of an entry: one per appeal (the use figure counts these)."""

    id = fields.IntField(primary_key=True)
    appeal_id = fields.IntField(unique=True)
    entry: fields.ForeignKeyRelation[KnowledgeEntry] = fields.ForeignKeyField(
        "portal.KnowledgeEntry", related_name="citations", on_delete=fields.RESTRICT)
    version: fields.ForeignKeyRelation[KnowledgeVersion] = fields.ForeignKeyField(
        "portal.KnowledgeVersion", related_name="citations", on_delete=fields.RESTRICT)
    cited_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "knowledge_citation"
