"""Audit rules: append an entry to the hash chain, verify the chain, list who read a holder's data."""

from __future__ import annotations

import asyncio
import hashlib
import random
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import orjson
from tortoise.backends.base.client import TransactionalDBClient
from tortoise.exceptions import IntegrityError
from tortoise.queryset import QuerySet

from portal.audit.models import AuditEntry
from portal.db import Lookup, insert, insert_all, retry_scope

GENESIS = "0" * 64
_HEAD = Lookup(AuditEntry, order_by="-id", limit=1)
APPEND_ATTEMPTS = 100
HEAD_LOCK = 0x61756469  # the advisory lock key of the audit chain's head ("audi")
# Actions in which someone other than the holder reads the holder's data (me.accessLog).
ACCESS_ACTIONS = ("data.read", "lutong.scan")


@dataclass(frozen=True)
class Actor:
    """Who did it: an account (with a readable label) or the system / the command line."""

    account_id: int | None
    label: str
    address: str = ""
    terminal: str = ""


SYSTEM = Actor(None, "system")


def entry_hash(prev_hash: str, at: datetime, action: str, actor_account_id: int | None, actor: str,
               subject_account_id: int | None, target: str, detail: dict[str, Any], address: str,
               terminal: str) -> str:
    """The SHA-256 of an entry's content and its predecessor's hash (canonical JSON, sorted keys)."""
    content = orjson.dumps({
        "prev": prev_hash, "at": at.astimezone(timezone.utc).isoformat(timespec="microseconds"),
        "action": action, "actorId": actor_account_id, "actor": actor, "subject": subject_account_id,
        "target": target, "detail": detail, "address": address, "terminal": terminal,
    }, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(content).hexdigest()


@dataclass(frozen=True)
class Entry:
    """An entry to append: what happened, by whom, to whose data."""

    action: str
    actor: Actor
    subject_account_id: int | None = None
    target: str = ""
    detail: dict[str, Any] | None = None


async def record(action: str, actor: Actor, *, subject_account_id: int | None = None, target: str = "",
                 detail: dict[str, Any] | None = None) -> AuditEntry:
    """Append an entry (audit trail: every sign-in, every state change, every read of another's data).

    Call it inside the transaction that makes the change, so the change and its entry commit together.
    """
    return (await record_all([Entry(action, actor, subject_account_id, target, detail)]))[0]


async def record_all(entries: list[Entry]) -> list[AuditEntry]:
    """Append several entries in order, in one statement (a worklist's reads of other people's data)."""
    if not entries:
        return []
    # No lock of this process's own around the head: on SQLite a query outside a transaction waits for the
    # connection that a transaction holds, and that transaction could be waiting for such a lock. The unique
    # ``prev_hash`` settles every race; batching a request's reads (``record_all``) keeps them few.
    await _queue_for_the_head()
    for attempt in range(APPEND_ATTEMPTS):
        if attempt:
            # Lost a race for the head: wait a little, longer each time, so that the writers spread out.
            await asyncio.sleep(random.uniform(0, min(0.05, 0.001 * attempt)))
        last = await _HEAD.first()
        rows = _chained(last.hash if last else GENESIS, entries)
        try:
            async with retry_scope(AuditEntry):
                if len(rows) == 1:
                    await insert(rows[0])
                else:
                    await insert_all(rows, by="hash")
                return rows
        except IntegrityError:
            continue  # another writer appended to the same predecessor first: re-read the head
    raise RuntimeError("could not append to the audit trail: too much contention")


def _chained(prev: str, entries: list[Entry]) -> list[AuditEntry]:
    """The entries as rows, each linked to the one before it, the first to ``prev``."""
    rows = []
    for entry in entries:
        at, detail, actor = datetime.now(timezone.utc), entry.detail or {}, entry.actor
        digest = entry_hash(prev, at, entry.action, actor.account_id, actor.label, entry.subject_account_id,
                            entry.target, detail, actor.address, actor.terminal)
        rows.append(AuditEntry(at=at, action=entry.action, actor_account_id=actor.account_id, actor=actor.label,
                               subject_account_id=entry.subject_account_id, target=entry.target, detail=detail,
                               address=actor.address, terminal=actor.terminal, prev_hash=prev, hash=digest))
        prev = digest
    return rows


async def record_read(actor: Actor, *, subject_account_id: int, target: str, department: str | None = None,
                      scene: str | None = None, detail: dict[str, Any] | None = None) -> AuditEntry:
    """Someone read another person's data (data.read): the entry the holder finds in their access log, naming
    the department or the 鲁通码 scene the reader read it for."""
    return (await record_all([read_entry(actor, subject_account_id=subject_account_id, target=target,
                                         department=department, scene=scene, detail=detail)]))[0]


def read_entry(actor: Actor, *, subject_account_id: int, target: str, department: str | None = None,
               scene: str | None = None, detail: dict[str, Any] | None = None) -> Entry:
    """The ``data.read`` entry of ``record_read``, for appending several at once (``record_all``)."""
    through = {"department": department} if department else {"scene": scene} if scene else {}
    return Entry("data.read", actor, subject_account_id, target, {**(detail or {}), **through})


async def _queue_for_the_head() -> None:
    """On PostgreSQL, writers inside a transaction take turns at the head (a transaction-scoped advisory lock,
    released at commit or rollback) instead of racing for it: a lost race waits for the winner's commit, then
    fails and retries, and under load the retries made the slowest requests several times slower. SQLite
    already lets one writer at a time in."""
    connection = AuditEntry._choose_db(for_write=True)
    if isinstance(connection, TransactionalDBClient) and connection.capabilities.dialect == "postgres":
        await connection.execute_query(f"SELECT pg_advisory_xact_lock({HEAD_LOCK})")


@dataclass(frozen=True)
class Verification:
    checked: int
    broken_at: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


async def verify(batch: int = 1000) -> Verification:
    """Walk the chain in order; report the first entry whose link or content does not check out."""
    expected_prev, checked, after = GENESIS, 0, 0
    while True:
        rows = await AuditEntry.filter(id__gt=after).order_by("id").limit(batch)
        if not rows:
            return Verification(checked)
        for row in rows:
            if row.prev_hash != expected_prev:
                return Verification(checked, row.id, "its link does not match the entry before it: "
                                                     "an earlier entry was changed, removed or inserted")
            digest = entry_hash(row.prev_hash, row.at, row.action, row.actor_account_id, row.actor,
                                row.subject_account_id, row.target, row.detail, row.address, row.terminal)
            if digest != row.hash:
                return Verification(checked, row.id, "its content does not match its hash: the entry was changed")
            expected_prev, checked, after = row.hash, checked + 1, row.id


def access_log(account_id: int) -> QuerySet[AuditEntry]:
    """Who read this holder's data, newest first (me.accessLog)."""
    return AuditEntry.filter(subject_account_id=account_id, action__in=ACCESS_ACTIONS).order_by("-id")
