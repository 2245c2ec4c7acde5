"""Which answers of the knowledge base are in force, and the answers the 96178 seat gave citing one.

Apart from ``portal.knowledge.rules`` so that the appeals' rules (``answer_on_the_spot``) can cite an entry without
importing the knowledge base's rules, which use theirs.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from tortoise.expressions import Q, Subquery
from tortoise.functions import Count
from tortoise.queryset import QuerySet

from portal.knowledge.errors import KnowledgeCode
from portal.knowledge.models import KnowledgeCitation, KnowledgeEntry, KnowledgeStatus, KnowledgeVersion
from portal.problems import InvalidField, row_id
from portal.regions import covers
from portal.workdays import SHANGHAI, day_bounds_utc


def today() -> date:
    """The portal's civil day (Asia/Shanghai): validity dates are days there."""
    return datetime.now(SHANGHAI).date()


def current_versions() -> QuerySet[KnowledgeVersion]:
    """The version each entry stands at (one row per entry)."""
    return KnowledgeVersion.filter(id__in=Subquery(KnowledgeEntry.all().values("current_version_id")))


def in_force(day: date) -> QuerySet[KnowledgeVersion]:
    """The answers the seat may give on ``day``: current, published, and valid that day (from and until are both
    days of validity; no end: until withdrawn)."""
    return current_versions().filter(status=KnowledgeStatus.PUBLISHED, valid_from__lte=day).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=day))


async def citable(entry_id: object, region_code: str, day: date) -> KnowledgeVersion:
    """The version of entry ``entry_id`` an answer given today to an enterprise of ``region_code`` may cite: in
    force, and for the enterprise's region (a province's answer for its cities and counties), else a field error."""
    number = row_id(entry_id)
    version = await in_force(day).filter(entry_id=number).first() if number is not None else None
    if version is None:
        raise InvalidField("knowledgeEntryId", KnowledgeCode.NOT_CITABLE, "该知识条目不存在、未发布或不在有效期内，不能引用")
    if not covers(version.region_code, region_code):
        raise InvalidField("knowledgeEntryId", KnowledgeCode.NOT_CITABLE, "该知识条目不适用于来电企业所在地区")
    return version


async def cite(appeal_id: int, version: KnowledgeVersion) -> KnowledgeCitation:
    """Record that the answer to an appeal cites ``version`` (call inside the appeal's transaction)."""
    return await KnowledgeCitation.create(appeal_id=appeal_id, entry_id=version.entry_id, version_id=version.id,
                                          cited_at=datetime.now(timezone.utc))


async def citation_of(appeal_id: int) -> KnowledgeCitation | None:
    return await KnowledgeCitation.get_or_none(appeal_id=appeal_id).prefetch_related("version")


async def use_count(entry_id: int) -> int:
    return await KnowledgeCitation.filter(entry_id=entry_id).count()


async def uses(first_day: date, last_day: date) -> list[tuple[int, int]]:
    """The figure of the knowledge base: how many answers given in the period (Shanghai days) cited each entry,
    as (entry id, uses), most used first, then by entry."""
    start, end = day_bounds_utc(first_day, last_day)
    rows = await KnowledgeCitation.filter(cited_at__gte=start, cited_at__lt=end).annotate(
        uses=Count("id")).group_by("entry_id").values_list("entry_id", "uses")
    return sorted(((entry, n) for entry, n in rows), key=lambda row: (-row[1], row[0]))
