"""The ORM helpers of the hot paths: ``db.Lookup`` (reads with their SQL built once) and ``db.insert``."""

from __future__ import annotations

import secrets
from datetime import datetime, timezone

import aiosqlite
import pytest
from tortoise.transactions import in_transaction

from portal import db
from portal.events import Event

BY_SEQ = db.Lookup(Event, "stream", "seq__in")
NEWEST = db.Lookup(Event, "stream", order_by="-seq", limit=1)
IN_ORDER = db.Lookup(Event, "stream", order_by="seq")


def fields(event: Event) -> tuple[object, ...]:
    return event.id, event.stream, event.seq, event.kind, event.at, event.payload, event.published_at


async def write(stream: str, *seqs: int) -> list[Event]:
    return [await db.insert(Event(stream=stream, seq=seq, kind="test.written", at=datetime.now(timezone.utc),
                                  payload={"seq": seq, "名称": "测试"})) for seq in seqs]


async def test_insert_takes_the_generated_key_and_the_row_reads_back_the_same(database_url: str) -> None:
    stream = f"test:{secrets.token_hex(4)}"
    first, second = await write(stream, 1, 2)
    assert isinstance(first.id, int) and second.id > first.id
    assert first._saved_in_db
    assert fields(await Event.get(id=first.id)) == fields(first)


async def test_insert_all_gives_each_row_its_own_key(database_url: str) -> None:
    stream = f"test:{secrets.token_hex(4)}"
    events = [Event(stream=stream, seq=seq, kind="test.written", at=datetime.now(timezone.utc), payload={"seq": seq})
              for seq in (3, 1, 2)]
    await db.insert_all(events, by="seq")
    assert all(e._saved_in_db for e in events) and len({e.id for e in events}) == 3
    for event in events:
        assert fields(await Event.get(id=event.id)) == fields(event)


async def test_lookup_answers_as_the_orm_does(database_url: str) -> None:
    stream = f"test:{secrets.token_hex(4)}"
    await write(stream, 1, 2, 3)
    assert [fields(e) for e in await IN_ORDER.all(stream)] == [
        fields(e) for e in await Event.filter(stream=stream).order_by("seq")]


async def test_lookup_by_equal_columns_and_lists_of_any_length(database_url: str) -> None:
    stream = f"test:{secrets.token_hex(4)}"
    await write(stream, 1, 2, 3)
    assert sorted(e.seq for e in await BY_SEQ.all(stream, [1, 3])) == [1, 3]
    assert [e.seq for e in await BY_SEQ.all(stream, [2])] == [2]
    assert sorted(e.seq for e in await BY_SEQ.all(stream, {3, 2, 1})) == [1, 2, 3]
    assert await BY_SEQ.all(stream, []) == []
    assert await BY_SEQ.first(stream, [9]) is None
    assert await BY_SEQ.all("test:no-such-stream", [1]) == []


async def test_lookup_orders_and_limits(database_url: str) -> None:
    stream = f"test:{secrets.token_hex(4)}"
    await write(stream, 2, 3, 1)
    newest = await NEWEST.all(stream)
    assert [e.seq for e in newest] == [3]
    assert [e.seq for e in await IN_ORDER.all(stream)] == [1, 2, 3]


async def test_lookup_and_insert_run_in_the_callers_transaction(database_url: str) -> None:
    stream = f"test:{secrets.token_hex(4)}"
    with pytest.raises(ZeroDivisionError):
        async with in_transaction():
            await write(stream, 1)
            assert [e.seq for e in await IN_ORDER.all(stream)] == [1]
            1 / 0
    assert await IN_ORDER.all(stream) == []


async def test_lookup_checks_the_number_of_values(database_url: str) -> None:
    with pytest.raises(TypeError, match="2 values expected, 1 given"):
        await BY_SEQ.all("test:x")


async def test_lookup_sends_each_value_to_its_own_placeholder_in_any_order_of_filters(database_url: str) -> None:
    """Two lists of different lengths, filters in either order, with a limit: each answer is the ORM's."""
    streams = [f"test:{secrets.token_hex(4)}" for _ in range(3)]
    for stream in streams:
        await write(stream, 1, 2, 3, 4)
    by_seq_first = db.Lookup(Event, "seq__in", "stream__in", order_by="-id", limit=3)
    by_stream_first = db.Lookup(Event, "stream__in", "seq__in", order_by="-id", limit=3)
    for seqs, chosen in (([4, 1], streams[:1]), ([2], streams[1:]), ([1, 2, 3], streams)):
        expected = [fields(e) for e in await Event.filter(seq__in=seqs, stream__in=chosen).order_by("-id").limit(3)]
        assert [fields(e) for e in await by_seq_first.all(seqs, chosen)] == expected
        assert [fields(e) for e in await by_stream_first.all(chosen, seqs)] == expected


async def test_lookup_values_are_the_orms_values_of_those_columns(database_url: str) -> None:
    """Only the named columns, converted as the ORM converts them (a JSON column comes back decoded)."""
    stream = f"test:{secrets.token_hex(4)}"
    await write(stream, 2, 1)
    payloads = db.Lookup(Event, "stream", order_by="seq", columns=("seq", "payload"))
    assert await payloads.values(stream) == [
        tuple(row) for row in await Event.filter(stream=stream).order_by("seq").values_list("seq", "payload")]
    assert await payloads.values(stream) == [(1, {"seq": 1, "名称": "测试"}), (2, {"seq": 2, "名称": "测试"})]
    assert await db.Lookup(Event, "seq__in", columns=("id",)).values([]) == []


async def test_a_sqlite_transaction_commits_once(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """BEGIN and COMMIT: Tortoise's own SQLite transaction also committed before its BEGIN, one more round trip
    to the connection's thread on every transaction (portal/sqlite_engine.py)."""
    if not db.is_sqlite(database_url):
        pytest.skip("SQLite's transactions")
    commits: list[object] = []
    commit = aiosqlite.Connection.commit

    async def counted(self: aiosqlite.Connection) -> None:
        commits.append(self)
        await commit(self)

    monkeypatch.setattr(aiosqlite.Connection, "commit", counted)
    stream = f"test:{secrets.token_hex(4)}"
    async with in_transaction():
        await write(stream, 1)
    assert len(commits) == 1
    assert [e.seq for e in await IN_ORDER.all(stream)] == [1]
