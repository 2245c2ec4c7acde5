"""The demo service halls (``data/halls.yaml``): validated, then upserted by code in one transaction.

Seeding twice gives the same halls with the same ids. Categories and counters of a seeded hall that left the
file are removed; halls the file does not name are left alone (their tickets are history).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from tortoise.transactions import in_transaction

from portal.halls.models import Counter, Hall, HallCategory

HALLS_FILE = Path(__file__).with_name("data") / "halls.yaml"
CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,29}$")
LETTER = re.compile(r"^[A-Z]{1,2}$")
REGION = re.compile(r"^\d{6}$")


class HallSourceError(ValueError):
    """Every problem of a halls file, at once, each naming the hall."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class CategorySource:
    code: str
    name: str
    letter: str
    service_minutes: int
    slot_minutes: int
    slot_capacity: int


@dataclass(frozen=True)
class CounterSource:
    code: str
    categories: tuple[str, ...]


@dataclass(frozen=True)
class HallSource:
    code: str
    name: str
    region: str
    address: str
    categories: tuple[CategorySource, ...]
    counters: tuple[CounterSource, ...]
    kiosk_elder_mode: bool = True


def _positive(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def parse_halls(data: Any) -> list[HallSource]:
    """The halls of a decoded file, or ``HallSourceError`` listing every problem."""
    problems: list[str] = []
    if not isinstance(data, dict) or not isinstance(data.get("halls"), list):
        raise HallSourceError(["halls.yaml: a mapping with a list 'halls' is expected"])
    halls: list[HallSource] = []
    hall_codes: set[str] = set()
    counter_codes: set[str] = set()
    for index, raw in enumerate(data["halls"]):
        if not isinstance(raw, dict):
            problems.append(f"halls[{index}]: a mapping is expected")
            continue
        code = str(raw.get("code") or "")
        where = f"hall {code or f'#{index}'}"
        if not CODE.match(code):
            problems.append(f"{where}: bad code")
        elif code in hall_codes:
            problems.append(f"{where}: duplicate hall code")
        hall_codes.add(code)
        for key in ("name", "address"):
            if not isinstance(raw.get(key), str) or not raw[key].strip():
                problems.append(f"{where}: '{key}' is required")
        kiosk_elder_mode = raw.get("kiosk_elder_mode", True)
        if not isinstance(kiosk_elder_mode, bool):
            problems.append(f"{where}: kiosk_elder_mode must be true or false")
        region = str(raw.get("region") or "")
        if not REGION.match(region):
            problems.append(f"{where}: region must be a 6-digit code")
        categories: list[CategorySource] = []
        letters: set[str] = set()
        for c in raw.get("categories") or []:
            c = c if isinstance(c, dict) else {}
            ccode = str(c.get("code") or "")
            if not CODE.match(ccode):
                problems.append(f"{where}: bad category code {ccode!r}")
                continue
            if any(x.code == ccode for x in categories):
                problems.append(f"{where}: duplicate category {ccode}")
            letter = str(c.get("letter") or "")
            if not LETTER.match(letter) or letter in letters:
                problems.append(f"{where}: category {ccode}: letter must be unique capital letters")
            letters.add(letter)
            if not isinstance(c.get("name"), str) or not c["name"].strip():
                problems.append(f"{where}: category {ccode}: 'name' is required")
            numbers = [c.get(k) for k in ("service_minutes", "slot_minutes", "slot_capacity")]
            if not all(_positive(n) for n in numbers):
                problems.append(f"{where}: category {ccode}: service_minutes, slot_minutes and slot_capacity "
                                "must be positive integers")
                continue
            if 60 % c["slot_minutes"] and c["slot_minutes"] % 60:
                problems.append(f"{where}: category {ccode}: slot_minutes must divide an hour")
            categories.append(CategorySource(ccode, str(c.get("name", "")).strip(), letter, *numbers))
        if not categories:
            problems.append(f"{where}: at least one category is required")
        known = {c.code for c in categories}
        counters: list[CounterSource] = []
        for k in raw.get("counters") or []:
            k = k if isinstance(k, dict) else {}
            kcode = str(k.get("code") or "")
            if not CODE.match(kcode):
                problems.append(f"{where}: bad counter code {kcode!r}")
                continue
            if kcode in counter_codes:
                problems.append(f"{where}: counter {kcode} is not unique across halls")
            counter_codes.add(kcode)
            served = [str(s) for s in (k.get("categories") or [])]
            if not served:
                problems.append(f"{where}: counter {kcode} serves no category")
            for unknown in [s for s in served if s not in known]:
                problems.append(f"{where}: counter {kcode} serves unknown category {unknown}")
            counters.append(CounterSource(kcode, tuple(dict.fromkeys(served))))
        if not counters:
            problems.append(f"{where}: at least one counter is required")
        unserved = known - {s for k in counters for s in k.categories}
        for orphan in sorted(unserved):
            problems.append(f"{where}: no counter serves category {orphan}")
        halls.append(HallSource(code, str(raw.get("name", "")).strip(), region, str(raw.get("address", "")).strip(),
                                tuple(categories), tuple(counters), kiosk_elder_mode is not False))
    if problems:
        raise HallSourceError(problems)
    return halls


def read_halls(path: Path = HALLS_FILE) -> list[HallSource]:
    return parse_halls(yaml.safe_load(Path(path).read_text(encoding="utf-8")))


async def seed_halls(path: Path | list[HallSource] = HALLS_FILE) -> list[HallSource]:
    """Validate the file (before writing anything), then upsert its halls by code; returns them."""
    halls = path if isinstance(path, list) else read_halls(path)
    async with in_transaction():
        for sort, h in enumerate(halls):
            values = {"name": h.name, "region_code": h.region, "address": h.address, "sort": sort,
                      "kiosk_elder_mode": h.kiosk_elder_mode}
            hall = await Hall.get_or_none(code=h.code)
            if hall is None:
                await Hall.create(code=h.code, **values)
            elif any(getattr(hall, k) != v for k, v in values.items()):
                await Hall.filter(code=h.code).update(**values)

            existing = {c.code: c for c in await HallCategory.filter(hall_id=h.code)}
            wanted = {c.code for c in h.categories}
            stale = [code for code in existing if code not in wanted]
            if stale:
                await HallCategory.filter(hall_id=h.code, code__in=stale).delete()
            for i, c in enumerate(h.categories):
                values = {"name": c.name, "letter": c.letter, "service_minutes": c.service_minutes,
                          "slot_minutes": c.slot_minutes, "slot_capacity": c.slot_capacity, "sort": i}
                row = existing.get(c.code)
                if row is None:
                    await HallCategory.create(hall_id=h.code, code=c.code, **values)
                elif any(getattr(row, k) != v for k, v in values.items()):
                    await HallCategory.filter(id=row.id).update(**values)

            counters = {k.code: k for k in await Counter.filter(hall_id=h.code)}
            wanted = {k.code for k in h.counters}
            stale = [code for code in counters if code not in wanted]
            if stale:
                await Counter.filter(code__in=stale).delete()
            for k in h.counters:
                row = counters.get(k.code)
                if row is None:
                    moved = await Counter.get_or_none(code=k.code)  # a counter may move between halls
                    if moved is not None:
                        await Counter.filter(id=moved.id).update(hall_id=h.code, categories=list(k.categories))
                    else:
                        await Counter.create(code=k.code, hall_id=h.code, categories=list(k.categories))
                elif list(row.categories) != list(k.categories):
                    await Counter.filter(id=row.id).update(categories=list(k.categories))
    return halls
