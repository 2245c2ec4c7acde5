"""The hash-chained audit trail: what is recorded, tampering found, concurrent appends, the access log."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from tortoise.transactions import in_transaction

from portal.audit import rules
from portal.audit.models import AuditEntry
from portal.audit.rules import GENESIS, Actor, record, verify
from portal.db import insert
from tests.helpers import new_id_number
from tests.identity.test_accounts import LOGIN, PASSWORD, register

CLERK = Actor(7, "staff:7", "10.9.9.9", "WINDOW")
ACCESS_LOG = "{ me { accessLog(first: 10) { totalCount edges { node { action actor target terminal } } } } }"


async def test_registration_and_sign_ins_are_recorded(gql: Any) -> None:
    citizen = await register(gql)
    account_id = int(citizen["account"]["id"])
    await gql(LOGIN, {"username": citizen["idNumber"], "password": "Wrong-password-1"})
    await gql(LOGIN, {"username": citizen["idNumber"], "password": PASSWORD})
    entries = await AuditEntry.filter(subject_account_id=account_id).order_by("id")
    assert [(e.action, e.actor) for e in entries] == [
        ("account.registered", f"citizen:{account_id}"), ("auth.login", f"citizen:{account_id}"),
        ("auth.login_failed", "anonymous"), ("auth.login", f"citizen:{account_id}")]
    assert entries[2].detail == {"username": citizen["idNumber"]}
    assert all(e.address.startswith("10.") for e in entries)


async def test_an_untouched_chain_verifies(empty_database: str) -> None:
    first = await record("test.one", CLERK, subject_account_id=1, detail={"n": 1})
    second = await record("test.two", CLERK, subject_account_id=1, detail={"名称": "中文"})
    assert first.prev_hash == GENESIS and second.prev_hash == first.hash
    assert await verify() == type(await verify())(checked=2)
    assert (await verify()).ok


async def test_a_changed_entry_is_reported(empty_database: str) -> None:
    entries = [await record("test.step", CLERK, detail={"n": n}) for n in range(5)]
    await AuditEntry.filter(id=entries[2].id).update(detail={"n": 99})
    result = await verify()
    assert (result.ok, result.broken_at, result.checked) == (False, entries[2].id, 2)
    assert "content does not match its hash" in result.reason


async def test_a_removed_entry_is_reported_at_its_successor(empty_database: str) -> None:
    entries = [await record("test.step", CLERK, detail={"n": n}) for n in range(5)]
    await AuditEntry.filter(id=entries[1].id).delete()
    result = await verify()
    assert (result.broken_at, result.checked) == (entries[2].id, 1)
    assert "link does not match" in result.reason


async def test_a_rewritten_chain_link_is_reported(empty_database: str) -> None:
    entries = [await record("test.step", CLERK, detail={"n": n}) for n in range(3)]
    await AuditEntry.filter(id=entries[1].id).update(prev_hash="f" * 64)
    assert (await verify()).broken_at == entries[1].id


async def test_concurrent_appends_keep_a_single_chain(empty_database: str) -> None:
    await asyncio.gather(*(record("test.race", CLERK, detail={"n": n}) for n in range(25)))
    result = await verify()
    assert result.ok and result.checked == 25
    assert len(set(await AuditEntry.all().values_list("prev_hash", flat=True))) == 25


async def test_appends_inside_transactions_take_turns_instead_of_retrying(empty_database: str,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    inserts: list[AuditEntry] = []

    async def counted(entry: AuditEntry) -> AuditEntry:
        inserts.append(entry)
        return await insert(entry)

    monkeypatch.setattr(rules, "insert", counted)

    async def change(n: int) -> None:
        async with in_transaction():
            await record("test.turns", CLERK, detail={"n": n})
            await asyncio.sleep(0.01)  # the rest of the change, holding its place in the chain until commit

    await asyncio.gather(*(change(n) for n in range(10)))
    assert (await verify()).ok
    assert len(inserts) == 10  # each entry written at its first attempt: no lost race, no retry


async def test_access_log_lists_reads_by_others_newest_first(gql: Any) -> None:
    holder = await register(gql)
    other = await register(gql)
    holder_id, other_id = int(holder["account"]["id"]), int(other["account"]["id"])
    await record("data.read", CLERK, subject_account_id=holder_id, target="certificates", detail={})
    await record("lutong.scan", Actor(None, "hotel:济南舜耕山庄", "", "KIOSK"), subject_account_id=holder_id,
                 target="LODGING")
    await record("data.read", CLERK, subject_account_id=other_id, target="certificates")
    log = (await gql(ACCESS_LOG, token=holder["token"]))["data"]["me"]["accessLog"]
    assert log["totalCount"] == 2
    assert [e["node"] for e in log["edges"]] == [
        {"action": "lutong.scan", "actor": "hotel:济南舜耕山庄", "target": "LODGING", "terminal": "KIOSK"},
        {"action": "data.read", "actor": "staff:7", "target": "certificates", "terminal": "WINDOW"}]
    assert new_id_number() not in str(log)
