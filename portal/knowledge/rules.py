"""The knowledge base of policy answers (政策问答知识库): write, version, publish, withdraw, search. No GraphQL here.

Who: the 96178 seat (诉求专席) and administrators keep it (``may_edit_knowledge``); supervisors read it too.

Versions: an entry changes only by a new version row (``KnowledgeVersion``), written on the version the editor
read (``base_version``): of two editors at once, one wins and the other is told STALE_VERSION; nothing is lost,
every version stays readable (``history``), a withdrawal too. An answer the seat gives cites the version it read.

Search: the seat types the caller's question as it was asked. Chinese is compared without word segmentation, by
character bigrams (``portal.text.bigrams``): each bigram of the question found in an entry's title or phrasings (问法)
counts three times what one found only in its answer does, and each is weighted by how rare it is among the
answers in force (a bigram every entry has, 企业, tells nothing). Only answers in force are found: published,
valid today, for the caller's region (``citations.in_force``).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from tortoise.exceptions import IntegrityError
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from portal import events
from portal.appeals.models import AppealCategory
from portal.appeals.rules import written  # the appeals' way of checking text people write
from portal.audit.rules import Actor, record
from portal.catalog.models import Department, Region
from portal.identity.models import Role
from portal.identity.policy import has_role
from portal.identity.principal import Principal
from portal.idempotency import check_key, request_hash
from portal.knowledge.citations import current_versions, in_force, today
from portal.knowledge.errors import KnowledgeCode
from portal.knowledge.models import KnowledgeEntry, KnowledgeStatus, KnowledgeVersion
from portal.knowledge.payloads import KnowledgeChanged
from portal.problems import Code, Conflicting, Forbidden, FormProblems, InvalidField, Missing, attempt, check_day
from portal.regions import check_region_code, covering
from portal.sources import DEPARTMENT_CODE
from portal.text import bigrams

EDITORS = (Role.APPEALS_COORDINATOR, Role.ADMIN)
READERS = (*EDITORS, Role.SUPERVISOR)
MAX_PHRASINGS = 20
MAX_HITS = 20
# A bigram of the question found in the title or a phrasing counts this many times one found only in the answer.
ASKED_WEIGHT = 3
ANSWERED_WEIGHT = 1
CHARACTER_WEIGHT = 0.3  # of a single character, against a bigram's 1
MIN_SCORE = 0.12  # below it a hit shares only a few common characters with the question
SNIPPET_LENGTH = 80
# Bigrams of how a question is asked, not of what it asks about.
ASKING = frozenset({"请问", "问一", "一下", "怎么", "如何", "什么", "哪些", "哪里", "是否", "能否", "可以", "需要",
                    "我们", "我司", "公司", "企业", "的话", "办理", "要办", "办哪", "多少", "多长", "长时", "时间",
                    *"请问怎么如何什么哪些里是否能可以需要我们的吗呢啊吧了有没要想"})
SENTENCE_END = re.compile(r"(?<=[。；！？\n])")
NOT_A_WORD = re.compile(r"[\W_]+")
STATUS_NAMES = {KnowledgeStatus.DRAFT: "草稿", KnowledgeStatus.PUBLISHED: "已发布", KnowledgeStatus.WITHDRAWN: "已撤回"}


def may_edit_knowledge(principal: Principal | None) -> bool:
    """The 96178 seat and administrators write, publish and withdraw answers."""
    return has_role(principal, *EDITORS)


def may_read_knowledge(principal: Principal | None) -> bool:
    """Who keeps the knowledge base, and supervisors, read it (drafts and history included)."""
    return has_role(principal, *READERS)


def _editor(principal: Principal) -> None:
    if not may_edit_knowledge(principal):
        raise Forbidden(KnowledgeCode.EDITORS_ONLY, "只有诉求专席和管理员可以维护政策问答知识库")


def _reader(principal: Principal | None) -> None:
    if not may_read_knowledge(principal):
        raise Forbidden(KnowledgeCode.EDITORS_ONLY, "只有诉求专席、督办和管理员可以查阅政策问答知识库")


@dataclass(frozen=True)
class Draft:
    """An answer as an editor writes it (creating or editing an entry)."""

    title: str
    phrasings: Sequence[str]
    answer: str
    basis_title: str
    basis_department_code: str
    category: AppealCategory
    region_code: str
    valid_from: date
    basis_url: str | None = None
    valid_until: date | None = None


def _phrasings(values: Sequence[str]) -> list[str]:
    """How callers ask it: one line each, 2 to 100 characters, at most 20, repeats dropped."""
    lines = list(dict.fromkeys(v.strip() for v in values if v.strip()))
    if len(lines) > MAX_PHRASINGS:
        raise InvalidField("phrasings", KnowledgeCode.TOO_MANY_PHRASINGS, f"问法最多{MAX_PHRASINGS}条")
    for number, line in enumerate(lines, 1):
        try:
            written(line, "phrasings", "每条问法", 2, 100, multiline=False)
        except InvalidField as problem:
            raise InvalidField("phrasings", problem.code, f"第{number}条问法：{problem.message}") from None
    return lines


def _link(value: str | None) -> str:
    """An optional web address of the policy document: http(s), a host, no blanks, at most 500 characters."""
    text = (value or "").strip()
    if not text:
        return ""
    parts = urlsplit(text)
    if len(text) > 500 or parts.scheme not in ("http", "https") or not parts.netloc or re.search(r"\s", text):
        raise InvalidField("basisUrl", KnowledgeCode.BAD_LINK, "政策文件链接应为 http:// 或 https:// 开头的网址")
    return text


def _validity(valid_from: date, valid_until: date | None) -> tuple[date, date | None]:
    check_day("validFrom", valid_from)
    if valid_until is not None:
        check_day("validUntil", valid_until)
        if valid_until < valid_from:
            raise InvalidField("validUntil", KnowledgeCode.ENDS_BEFORE_START, "有效期截止日期不能早于起始日期")
    return valid_from, valid_until


async def _checked(draft: Draft, problems: list[InvalidField]) -> dict[str, Any]:
    """The columns of a version from ``draft``; each refused field added to ``problems``."""
    columns = {
        "title": attempt(lambda: written(draft.title, "title", "标题", 4, 100, multiline=False), problems),
        "phrasings": attempt(lambda: _phrasings(draft.phrasings), problems),
        "answer": attempt(lambda: written(draft.answer, "answer", "答复内容", 10, 5000), problems),
        "basis_title": attempt(lambda: written(draft.basis_title, "basisTitle", "政策依据", 2, 200,
                                                multiline=False), problems),
        "basis_url": attempt(lambda: _link(draft.basis_url), problems),
        "category": draft.category,
    }
    code = draft.basis_department_code
    if not (isinstance(code, str) and DEPARTMENT_CODE.fullmatch(code) and await Department.exists(code=code)):
        problems.append(InvalidField("basisDepartmentCode", Code.UNKNOWN_DEPARTMENT, "没有这个发文部门"))
    columns["basis_department_code"] = code
    region = attempt(lambda: check_region_code("regionCode", draft.region_code), problems)
    if region is not None and not await Region.exists(code=region):
        problems.append(InvalidField("regionCode", Code.BAD_REGION, "没有这个行政区划"))
    columns["region_code"] = region
    validity = attempt(lambda: _validity(draft.valid_from, draft.valid_until), problems)
    columns["valid_from"], columns["valid_until"] = validity or (None, None)
    return columns


def _digest(columns: dict[str, Any]) -> str:
    return request_hash({key: value.isoformat() if isinstance(value, date) else
                         value.value if isinstance(value, AppealCategory) else value
                         for key, value in columns.items()})


def stream_of(entry_id: int) -> str:
    return f"knowledge:{entry_id}"


async def _write(entry: KnowledgeEntry, number: int, columns: dict[str, Any], status: KnowledgeStatus, action: str,
                 note: str, principal: Principal, actor: Actor) -> events.Event:
    """Version ``number`` of ``entry`` with its audit entry and event (call inside the transaction that made the
    entry stand at ``number``)."""
    version = await KnowledgeVersion.create(entry_id=entry.id, number=number, status=status, action=action, note=note,
                                            author_id=principal.account_id, author=principal.name,
                                            at=datetime.now(timezone.utc), **columns)
    await KnowledgeEntry.filter(id=entry.id).update(current_version_id=version.id)
    await record(f"knowledge.{action}", actor, target=f"knowledge:{entry.id}",
                 detail={"version": number, **({"note": note[:200]} if note else {})})
    return await events.append(stream_of(entry.id), number, f"knowledge.{action}",
                               KnowledgeChanged(entry.id, number, status))


async def create(principal: Principal, actor: Actor, draft: Draft, idempotency_key: str) -> KnowledgeVersion:
    """A new entry, as a draft (version 1); the same key from the same editor gives the same entry again."""
    _editor(principal)
    problems: list[InvalidField] = []
    key = attempt(lambda: check_key(idempotency_key), problems)
    columns = await _checked(draft, problems)
    if problems:
        raise FormProblems(problems)
    digest = _digest(columns)
    existing = await KnowledgeEntry.get_or_none(created_by_id=principal.account_id, idempotency_key=key)
    if existing is not None:
        return await _same_request(existing, digest)
    try:
        async with in_transaction():
            entry = await KnowledgeEntry.create(version=1, created_by_id=principal.account_id, idempotency_key=key,
                                                request_hash=digest)
            event = await _write(entry, 1, columns, KnowledgeStatus.DRAFT, "created", "新建", principal, actor)
    except IntegrityError:
        existing = await KnowledgeEntry.get_or_none(created_by_id=principal.account_id, idempotency_key=key)
        if existing is None:
            raise
        return await _same_request(existing, digest)
    await events.publish([event])
    return await current(entry.id)


async def _same_request(entry: KnowledgeEntry, digest: str) -> KnowledgeVersion:
    if entry.request_hash != digest:
        raise Conflicting(Code.IDEMPOTENCY_KEY_REUSED, "该请求标识已用于另一条目")
    return await current(entry.id)


async def current(entry_id: int) -> KnowledgeVersion:
    return await current_versions().get(entry_id=entry_id)


async def _entry(entry_id: int) -> tuple[KnowledgeEntry, KnowledgeVersion]:
    entry = await KnowledgeEntry.get_or_none(id=entry_id)
    if entry is None or entry.current_version_id is None:
        raise Missing(Code.NOT_FOUND, "未找到该知识条目")
    return entry, await KnowledgeVersion.get(id=entry.current_version_id)


def _base(value: int, problems: list[InvalidField]) -> int | None:
    if isinstance(value, int) and value >= 1:
        return value
    problems.append(InvalidField("baseVersion", Code.OUT_OF_RANGE, "请提供所依据的版本号（从1开始）"))
    return None


async def _change(entry: KnowledgeEntry, base: int, columns: dict[str, Any], status: KnowledgeStatus, action: str,
                  note: str, principal: Principal, actor: Actor) -> KnowledgeVersion:
    """The next version of ``entry``, written only if it still stands at ``base`` (a conditional update: of two
    editors at once, one wins, the other gets STALE_VERSION and reads the winner's version)."""
    async with in_transaction():
        updated = await KnowledgeEntry.filter(id=entry.id, version=base).update(version=base + 1)
        if not updated:
            latest = await KnowledgeEntry.get(id=entry.id)
            raise Conflicting(Code.STALE_VERSION, f"该条目已被他人修改为第{latest.version}版，请查看最新版本后再修改")
        event = await _write(entry, base + 1, columns, status, action, note, principal, actor)
    await events.publish([event])
    return await current(entry.id)


def _columns_of(version: KnowledgeVersion) -> dict[str, Any]:
    return {name: getattr(version, name) for name in (
        "title", "phrasings", "answer", "basis_title", "basis_department_code", "basis_url", "category", "region_code",
        "valid_from", "valid_until")}


async def edit(principal: Principal, actor: Actor, entry_id: int, base_version: int, draft: Draft,
               note: str) -> KnowledgeVersion:
    """An edit: a new version on the one the editor read, saying what changed; a published entry stays published
    (the seat finds the new answer at once). A withdrawn entry is published again before it is edited."""
    _editor(principal)
    entry, version = await _entry(entry_id)
    problems: list[InvalidField] = []
    base = _base(base_version, problems)
    columns = await _checked(draft, problems)
    text = attempt(lambda: written(note, "note", "修改说明", 2, 200, multiline=False), problems)
    if problems:
        raise FormProblems(problems)
    assert base is not None and text is not None
    if base != entry.version:
        raise Conflicting(Code.STALE_VERSION, f"该条目已被他人修改为第{entry.version}版，请查看最新版本后再修改")
    if version.status is KnowledgeStatus.WITHDRAWN:
        raise Conflicting(KnowledgeCode.WITHDRAWN_ENTRY, "已撤回的条目不能修改，请先重新发布")
    return await _change(entry, base, columns, version.status, "edited", text, principal, actor)


async def publish(principal: Principal, actor: Actor, entry_id: int, base_version: int) -> KnowledgeVersion:
    """发布: a draft (or a withdrawn entry) is offered to the seat's search while valid."""
    return await _move(principal, actor, entry_id, base_version, (KnowledgeStatus.DRAFT, KnowledgeStatus.WITHDRAWN),
                       KnowledgeStatus.PUBLISHED, "published", "发布")


async def withdraw(principal: Principal, actor: Actor, entry_id: int, base_version: int,
                   reason: str) -> KnowledgeVersion:
    """撤回: nobody finds it any more; its versions stay readable, and answers that cited it keep their citation."""
    problems: list[InvalidField] = []
    text = attempt(lambda: written(reason, "reason", "撤回理由", 2, 200, multiline=False), problems)
    return await _move(principal, actor, entry_id, base_version, (KnowledgeStatus.DRAFT, KnowledgeStatus.PUBLISHED),
                       KnowledgeStatus.WITHDRAWN, "withdrawn", text or "", problems)


async def _move(principal: Principal, actor: Actor, entry_id: int, base_version: int,
                allowed: Sequence[KnowledgeStatus], target: KnowledgeStatus, action: str, note: str,
                problems: list[InvalidField] | None = None) -> KnowledgeVersion:
    _editor(principal)
    entry, version = await _entry(entry_id)
    problems = problems or []
    base = _base(base_version, problems)
    if problems:
        raise FormProblems(problems)
    if base != entry.version:
        raise Conflicting(Code.STALE_VERSION, f"该条目已被他人修改为第{entry.version}版，请查看最新版本后再操作")
    if version.status not in allowed:
        raise Conflicting(Code.INVALID_TRANSITION, f"该条目当前为“{STATUS_NAMES[version.status]}”，不能执行此操作")
    return await _change(entry, entry.version, _columns_of(version), target, action, note, principal, actor)


async def readable(principal: Principal | None, entry_id: int) -> KnowledgeVersion:
    """An entry as it stands now, for who may read the knowledge base."""
    _reader(principal)
    return (await _entry(entry_id))[1]


async def history(principal: Principal | None, entry_id: int) -> list[KnowledgeVersion]:
    """Every version of an entry, newest first."""
    _reader(principal)
    return await KnowledgeVersion.filter(entry_id=entry_id).order_by("-number")


def listed(principal: Principal | None, status: KnowledgeStatus | None = None) -> QuerySet[KnowledgeVersion]:
    """The entries as they stand now (optionally of one status), the latest changed first."""
    _reader(principal)
    query = current_versions()
    return (query.filter(status=status) if status else query).order_by("-at", "-id")


# --- search ----------------------------------------------------------------------------------------------------


def terms(text: str) -> set[str]:
    """What a text is searched by: its bigrams and its single characters (a paraphrase often shares only a
    character of a word: 饭馆 and 饭店), full-width forms folded (NFKC), Latin letters in lower case, punctuation
    and blanks splitting the text (no bigram spans them), and the bigrams and characters of how a question is
    asked (``ASKING``) dropped."""
    runs = [run for run in NOT_A_WORD.split(unicodedata.normalize("NFKC", text).lower()) if run]
    return ({pair for run in runs for pair in bigrams(run)} | {c for run in runs for c in run}) - ASKING


def _weight(term: str) -> float:
    """A bigram says more than a single character."""
    return 1.0 if len(term) > 1 else CHARACTER_WEIGHT


@dataclass(frozen=True)
class Hit:
    version: KnowledgeVersion
    score: float
    snippet: str


def snippet(answer: str, wanted: set[str]) -> str:
    """The sentence of the answer that shares the most bigrams with the question (the first of equals), cut to
    ``SNIPPET_LENGTH`` characters."""
    sentences = [s.strip() for s in SENTENCE_END.split(answer) if s.strip()] or [answer]
    best = max(sentences, key=lambda s: len(terms(s) & wanted))
    return best if len(best) <= SNIPPET_LENGTH else best[:SNIPPET_LENGTH - 1] + "…"


def rank(question: str, candidates: Sequence[KnowledgeVersion], first: int) -> list[Hit]:
    """The candidates that answer ``question``, best first (score, then the older entry), at most ``first``.

    score = Σ rarity(b)·weight(b) / Σ rarity(b)·ASKED_WEIGHT over the question's bigrams b, where weight is
    ASKED_WEIGHT when b is in the title or a phrasing, ANSWERED_WEIGHT when only in the answer, else 0, and
    rarity(b) = ln(1 + N / df(b)) over the N candidates (a bigram none has counts as the rarest): 1 means every
    bigram of the question is in the title or phrasings."""
    wanted = terms(question)
    if not wanted or not candidates:
        return []
    documents = [(v, terms(v.title + "\n" + "\n".join(v.phrasings)), terms(v.answer)) for v in candidates]
    found = Counter(b for _, asked, answered in documents for b in (asked | answered) & wanted)
    rarity = {b: _weight(b) * math.log(1 + len(documents) / (found[b] or 1)) for b in wanted}
    # A term no candidate has cannot tell them apart: it counts, but as little as one found only in an answer.
    whole = sum(rarity[b] * (ASKED_WEIGHT if found[b] else ANSWERED_WEIGHT) for b in wanted)
    hits = []
    for version, asked, answered in documents:
        points = sum(rarity[b] * (ASKED_WEIGHT if b in asked else ANSWERED_WEIGHT if b in answered else 0)
                     for b in wanted)
        score = round(points / whole, 4)
        if score >= MIN_SCORE:
            hits.append(Hit(version, score, snippet(version.answer, wanted)))
    hits.sort(key=lambda hit: (-hit.score, hit.version.entry_id))
    return hits[:first]


async def search(principal: Principal | None, query: str, *, category: AppealCategory | None = None,
                 region_code: str | None = None, first: int = 5, day: date | None = None) -> list[Hit]:
    """The seat's search: the answers in force (published, valid ``day``, today by default), of the category if
    one is named, for the caller's region if one is named (the province's answers and the region's own), that
    best answer the question as the caller put it."""
    _reader(principal)
    problems: list[InvalidField] = []
    question = attempt(lambda: written(query, "query", "问题", 2, 200, multiline=False), problems)
    region = attempt(lambda: check_region_code("regionCode", region_code), problems) if region_code else None
    if not (isinstance(first, int) and 1 <= first <= MAX_HITS):
        problems.append(InvalidField("first", Code.OUT_OF_RANGE, f"返回条数须在1到{MAX_HITS}之间"))
    if problems:
        raise FormProblems(problems)
    assert question is not None
    candidates = in_force(day or today())
    if category is not None:
        candidates = candidates.filter(category=category)
    if region is not None:
        candidates = candidates.filter(region_code__in=covering(region))
    return rank(question, await candidates, first)
