"""The knowledge base of policy answers over GraphQL: the seat's search, the editors' list, entry and history, the
use figure; create, edit (on the version read), publish, withdraw. Thin: the rules are ``portal.knowledge.rules``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from portal.api.errors import (
    ApiCode,
    Conflict,
    FormInvalid,
    NotFound,
    PermissionDenied,
    PublicError,
    check_period,
    expected_failures_as_values,
    signed_in,
)
from portal.api.pagination import Connection, paginate
from portal.appeals.categories import AppealCategory
from portal.audit.rules import Actor
from portal.identity.principal import Principal
from portal.knowledge import citations, models, rules
from portal.knowledge.models import KnowledgeStatus
from portal.problems import Refused, known_id, row_id

strawberry.enum(KnowledgeStatus, description="DRAFT 草稿, PUBLISHED 已发布 (the seat finds it while valid), "
                                             "WITHDRAWN 已撤回 (kept with its history, found by nobody).")


@strawberry.type(description="政策依据: the policy document an answer rests on.")
class KnowledgeBasis:
    title: str = strawberry.field(description="The document's name (e.g. 《高新技术企业认定管理办法》).")
    department_code: str = strawberry.field(description="The issuing department (`departments`).")
    url: str | None


@strawberry.type(description="One version of a policy answer, as it stood after a change.")
class KnowledgeVersion:
    number: int
    status: KnowledgeStatus
    title: str
    phrasings: list[str] = strawberry.field(description="How callers ask it (问法), one line each.")
    answer: str
    basis: KnowledgeBasis
    category: AppealCategory
    region_code: str = strawberry.field(description="Where it applies: 370000 the province (and every city and "
                                                    "county), or one city or county.")
    valid_from: date
    valid_until: date | None = strawberry.field(description="The last valid day; null: until withdrawn.")
    action: str = strawberry.field(description="What made it: created, edited, published or withdrawn.")
    note: str = strawberry.field(description="What changed (the editor's words; a withdrawal's reason).")
    author_name: str
    at: datetime

    @classmethod
    def of(cls, v: models.KnowledgeVersion) -> KnowledgeVersion:
        return cls(number=v.number, status=v.status, title=v.title, phrasings=list(v.phrasings), answer=v.answer,
                   basis=KnowledgeBasis(title=v.basis_title, department_code=v.basis_department_code,
                                        url=v.basis_url or None),
                   category=v.category, region_code=v.region_code, valid_from=v.valid_from,
                   valid_until=v.valid_until, action=v.action, note=v.note, author_name=v.author, at=v.at)


@strawberry.type(description="A policy answer of the knowledge base (政策问答): its current version and its history.")
class KnowledgeEntry:
    row: strawberry.Private[models.KnowledgeVersion]
    id: strawberry.ID
    version: int = strawberry.field(description="The current version's number: an edit, publication or withdrawal "
                                                "names it as `baseVersion`.")
    current: KnowledgeVersion

    @classmethod
    def of(cls, v: models.KnowledgeVersion) -> KnowledgeEntry:
        return cls(row=v, id=strawberry.ID(str(v.entry_id)), version=v.number, current=KnowledgeVersion.of(v))

    @strawberry.field(description="Every version, newest first.")
    async def history(self, info: Info) -> list[KnowledgeVersion]:
        return [KnowledgeVersion.of(v) for v in await rules.history(await info.context.principal(),
                                                                     self.row.entry_id)]

    @strawberry.field(description="Answers given on the spot that cited it, ever.")
    async def use_count(self) -> int:
        return await citations.use_count(self.row.entry_id)


@strawberry.type(description="An answer the 96178 seat gave on the spot citing the knowledge base.")
class KnowledgeCitation:
    entry_id: strawberry.ID
    version: KnowledgeVersion = strawberry.field(description="The version cited, as it stood then.")
    cited_at: datetime


async def citation_of(appeal_id: int) -> KnowledgeCitation | None:
    found = await citations.citation_of(appeal_id)
    if found is None:
        return None
    return KnowledgeCitation(entry_id=strawberry.ID(str(found.entry_id)), version=KnowledgeVersion.of(found.version),
                             cited_at=found.cited_at)


@strawberry.type
class KnowledgeHit:
    entry: KnowledgeEntry
    score: float = strawberry.field(description="0 to 1: 1 when every bigram of the question is in the title or "
                                                "the phrasings (rare ones weigh more).")
    snippet: str = strawberry.field(description="The sentence of the answer nearest the question.")


@strawberry.type(description="The answers in force that best answer the question, best first.")
class KnowledgeHits:
    hits: list[KnowledgeHit]


@strawberry.type(description="How many answers given on the spot cited an entry in a period.")
class KnowledgeUse:
    entry: KnowledgeEntry
    uses: int


@strawberry.input(description="An answer as an editor writes it.")
class KnowledgeEntryInput:
    title: str
    phrasings: list[str] = strawberry.field(description="How callers ask it (问法): at most 20 lines.")
    answer: str
    basis_title: str = strawberry.field(description="The policy document (政策依据).")
    basis_department_code: str = strawberry.field(description="Its issuing department (`departments`).")
    category: AppealCategory
    region_code: str = strawberry.field(description="370000 for the whole province, or a city or county.")
    valid_from: date
    basis_url: str | None = None
    valid_until: date | None = strawberry.field(default=None, description="The last valid day; none: open-ended.")

    def draft(self) -> rules.Draft:
        return rules.Draft(title=self.title, phrasings=self.phrasings, answer=self.answer,
                           basis_title=self.basis_title, basis_department_code=self.basis_department_code,
                           category=self.category, region_code=self.region_code, valid_from=self.valid_from,
                           basis_url=self.basis_url, valid_until=self.valid_until)


KnowledgeEntryResult = Annotated[KnowledgeEntry | FormInvalid | PermissionDenied | NotFound | Conflict,
                                 strawberry.union("KnowledgeEntryResult")]
KnowledgeSearchResult = Annotated[KnowledgeHits | FormInvalid | PermissionDenied,
                                  strawberry.union("KnowledgeSearchResult")]


def _id(value: strawberry.ID) -> int:
    return known_id(value, "未找到该知识条目")


async def _signer(info: Info) -> tuple[Principal, Actor]:
    return await signed_in(info), await info.context.actor()


async def _reader(info: Info) -> Principal:
    principal = await info.context.require_principal()
    if not rules.may_read_knowledge(principal):
        raise PublicError(ApiCode.FORBIDDEN, "只有诉求专席、督办和管理员可以查阅政策问答知识库")
    return principal


@strawberry.type
class KnowledgeQuery:
    @strawberry.field(description="The 96178 seat's search: the answers in force (published, valid today) of the "
                                  "category and for the caller's region (the province's and the region's own), "
                                  "ranked by how well they answer the question as the caller put it.")
    @expected_failures_as_values
    async def knowledge_search(self, info: Info, query: str, category: AppealCategory | None = None,
                               region_code: str | None = None, first: int = 5) -> KnowledgeSearchResult:
        hits = await rules.search(await signed_in(info), query, category=category, region_code=region_code,
                                  first=first)
        return KnowledgeHits(hits=[KnowledgeHit(entry=KnowledgeEntry.of(h.version), score=h.score,
                                                snippet=h.snippet) for h in hits])

    @strawberry.field(description="The knowledge base as it stands (optionally of one status), latest changed first.")
    async def knowledge_entries(self, info: Info, status: KnowledgeStatus | None = None, first: int | None = None,
                                after: str | None = None) -> Connection[KnowledgeEntry]:
        return await paginate(rules.listed(await _reader(info), status), first, after, KnowledgeEntry.of)

    @strawberry.field(description="An entry as it stands, with its history; null if there is none.")
    async def knowledge_entry(self, info: Info, id: strawberry.ID) -> KnowledgeEntry | None:
        principal = await _reader(info)
        key = row_id(id)
        if key is None:
            return None
        try:
            return KnowledgeEntry.of(await rules.readable(principal, key))
        except Refused:
            return None

    @strawberry.field(description="Uses of each entry: the answers given on the spot in the period (Asia/Shanghai "
                                  "days, at most a year) that cited it, most used first.")
    async def knowledge_uses(self, info: Info, from_: Annotated[date, strawberry.argument(name="from")],
                             to: date) -> list[KnowledgeUse]:
        await _reader(info)
        check_period(from_, to)
        counts = await citations.uses(from_, to)
        rows = {v.entry_id: v for v in await citations.current_versions().filter(
            entry_id__in=[entry for entry, _ in counts])} if counts else {}
        return [KnowledgeUse(entry=KnowledgeEntry.of(rows[entry]), uses=n) for entry, n in counts]


@strawberry.type
class KnowledgeMutation:
    @strawberry.mutation(description="A new entry, as a draft (version 1); the seat and administrators only.")
    @expected_failures_as_values
    async def create_knowledge_entry(self, info: Info, input: KnowledgeEntryInput,
                                     idempotency_key: str) -> KnowledgeEntryResult:
        principal, actor = await _signer(info)
        return KnowledgeEntry.of(await rules.create(principal, actor, input.draft(), idempotency_key))

    @strawberry.mutation(description="An edit: a new version on `baseVersion`, the one the editor read (another "
                                     "editor's version since is a STALE_VERSION conflict), saying what changed.")
    @expected_failures_as_values
    async def edit_knowledge_entry(self, info: Info, id: strawberry.ID, base_version: int,
                                   input: KnowledgeEntryInput, note: str) -> KnowledgeEntryResult:
        principal, actor = await _signer(info)
        return KnowledgeEntry.of(await rules.edit(principal, actor, _id(id), base_version, input.draft(), note))

    @strawberry.mutation(description="发布 a draft or a withdrawn entry: the seat finds it while valid.")
    @expected_failures_as_values
    async def publish_knowledge_entry(self, info: Info, id: strawberry.ID, base_version: int) -> KnowledgeEntryResult:
        principal, actor = await _signer(info)
        return KnowledgeEntry.of(await rules.publish(principal, actor, _id(id), base_version))

    @strawberry.mutation(description="撤回: found by nobody; its history and the answers that cited it stay.")
    @expected_failures_as_values
    async def withdraw_knowledge_entry(self, info: Info, id: strawberry.ID, base_version: int,
                                       reason: str) -> KnowledgeEntryResult:
        principal, actor = await _signer(info)
        return KnowledgeEntry.of(await rules.withdraw(principal, actor, _id(id), base_version, reason))
