"""受理编号: well-formed, checked, unique and gapless per kind, region and day, shown and searchable."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest
from tortoise.backends.base.client import NestedTransactionContext
from tortoise.transactions import in_transaction

from portal.references import ReferenceKind, allocate, compose, mod11_2, normalise
from tests.applications.support import handler, submit_newborn
from tests.appeals.test_appeals import file
from tests.identity.test_accounts import register
from tests.identity.test_delegation import enterprise

FIND_APPLICATION = "query($n: String) { application(number: $n) { id number } }"
FIND_APPEAL = "query($n: String) { appeal(number: $n) { id number } }"


def test_the_check_character_is_the_identity_cards_and_catches_typing_errors() -> None:
    assert mod11_2("11010519491231002") == "X"  # GB 11643's published example
    number = compose(ReferenceKind.APPLICATION, "370100", "20261129", 123)
    assert number.startswith("B37010020261129000123") and len(number) == 22
    body = number[1:21]
    for i in range(20):  # every single wrong digit
        for d in "0123456789":
            if d != body[i]:
                assert normalise(f"B{body[:i]}{d}{body[i + 1:]}{number[-1]}") is None
    for i in range(19):  # every swap of two different neighbours
        if body[i] != body[i + 1]:
            swapped = body[:i] + body[i + 1] + body[i] + body[i + 2:]
            assert normalise(f"B{swapped}{number[-1]}") is None


@pytest.mark.parametrize("typed", ["{n}", "{l}", " {n} ", "{h}", "{w}"])
def test_a_number_is_found_however_a_person_types_it(typed: str) -> None:
    number = compose(ReferenceKind.APPEAL, "370102", "20270104", 7)
    spaced = f"{number[:7]}-{number[7:15]}-{number[15:]}"
    wide = number.translate({ord(str(d)): chr(0xFF10 + d) for d in range(10)})
    assert normalise(typed.format(n=number, l=number.lower(), h=spaced, w=wide)) == number


@pytest.mark.parametrize("bad", ["", "B", "X37010020261129000123X", "B3701002026112900012", "1" * 10_000, "B" + "٣" * 21])
def test_anything_else_is_no_number(bad: str) -> None:
    assert normalise(bad) is None


async def test_numbers_run_per_kind_region_and_shanghai_day(client: httpx.AsyncClient) -> None:
    late = datetime(2031, 3, 1, 16, 30, tzinfo=timezone.utc)  # 00:30 on 2 March in Shanghai
    first = await allocate(ReferenceKind.APPLICATION, "379901", late)
    assert first[7:15] == "20310302"
    following = await asyncio.gather(*(allocate(ReferenceKind.APPLICATION, "379901", late) for _ in range(20)))
    assert sorted(int(n[15:21]) for n in [first, *following]) == list(range(int(first[15:21]),
                                                                            int(first[15:21]) + 21))
    assert (await allocate(ReferenceKind.APPEAL, "379901", late))[15:21] == "000001"
    assert (await allocate(ReferenceKind.APPLICATION, "379902", late))[15:21] == "000001"


async def test_an_application_has_a_number_its_people_can_find_it_by(gql: Any, client: httpx.AsyncClient) -> None:
    citizen, stranger = await register(gql), await register(gql)
    application = await submit_newborn(gql, client, citizen["token"])
    shown = (await gql("query($id: ID!) { application(id: $id) { number } }", {"id": application["id"]},
                       token=citizen["token"]))["data"]["application"]["number"]
    assert normalise(shown) == shown and shown.startswith("B370100")  # 济南市卫健委 accepts the first item
    typed = f"{shown[:7].lower()} {shown[7:15]} {shown[15:]}"
    for token in (citizen["token"], await handler("370100-WJW")):
        found = (await gql(FIND_APPLICATION, {"n": typed}, token=token))["data"]["application"]
        assert found == {"id": application["id"], "number": shown}
    for token in (stranger["token"], await handler("370100-SCJGJ"), None):
        assert (await gql(FIND_APPLICATION, {"n": shown}, token=token))["data"]["application"] is None
    wrong = shown[:-1] + ("0" if shown[-1] != "0" else "1")
    assert (await gql(FIND_APPLICATION, {"n": wrong}, token=citizen["token"]))["data"]["application"] is None


@pytest.mark.parametrize("arguments", ["", '(id: "1", number: "B")'])
async def test_an_application_is_asked_for_by_id_or_by_number(gql: Any, arguments: str) -> None:
    body = await gql(f"{{ application{arguments} {{ id }} }}")
    assert body["errors"][0]["extensions"]["code"] == "INVALID_ARGUMENT"


async def test_an_appeal_has_a_number_the_enterprise_finds_it_by(gql: Any) -> None:
    company, other = await enterprise(gql), await enterprise(gql)
    appeal = await file(gql, company["token"], idempotencyKey=str(uuid.uuid4()))
    number = (await gql("query($id: ID!) { appeal(id: $id) { number } }", {"id": appeal["id"]},
                        token=company["token"]))["data"]["appeal"]["number"]
    assert normalise(number) == number and number.startswith("S370100")
    assert (await gql(FIND_APPEAL, {"n": number}, token=company["token"]))["data"]["appeal"]["id"] == appeal["id"]
    assert (await gql(FIND_APPEAL, {"n": number}, token=other["token"]))["data"]["appeal"] is None


async def test_a_number_is_taken_in_the_callers_transaction_without_a_savepoint(
        client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """The counter's one statement is atomic by itself: a savepoint around it was two more round trips on every
    submission. Undone with the caller's transaction, like the row it numbers."""
    nested: list[object] = []
    opened = NestedTransactionContext.__aenter__

    async def counted(self: NestedTransactionContext) -> object:
        nested.append(self)
        return await opened(self)

    monkeypatch.setattr(NestedTransactionContext, "__aenter__", counted)
    at = datetime(2031, 4, 1, 3, tzinfo=timezone.utc)
    first = await allocate(ReferenceKind.APPLICATION, "379903", at)
    with pytest.raises(ZeroDivisionError):
        async with in_transaction():
            assert await allocate(ReferenceKind.APPLICATION, "379903", at) == compose(
                ReferenceKind.APPLICATION, "379903", "20310401", int(first[15:21]) + 1)
            1 / 0
    assert nested == []
    assert await allocate(ReferenceKind.APPLICATION, "379903", at) == compose(
        ReferenceKind.APPLICATION, "379903", "20310401", int(first[15:21]) + 1)
