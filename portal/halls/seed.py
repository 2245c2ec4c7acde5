"""The demo service halls (``data/halls.yaml``): declared as models (``portal.sources``), then upserted by code in
one transaction.

Seeding twice gives the same halls with the same ids. Categories and counters of a seeded hall that left the
file are removed; halls the file does not name are left alone (their tickets are history).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, Field, model_validator
from tortoise.transactions import in_transaction

from portal.halls.models import Counter, Hall, HallCategory
from portal.sources import Flag, Pattern, Positive, Record, RegionCode, Text, problem, read_yaml, unique, validate

HALLS_FILE = Path(__file__).with_name("data") / "halls.yaml"

Code = Pattern(r"[A-Z0-9][A-Z0-9_-]{0,29}", "a code of capital letters, digits, - and _ (at most 30)")
Letter = Pattern(r"[A-Z]{1,2}", "one or two capital letters")


def _divides_an_hour(minutes: int) -> int:
    if 60 % minutes and minutes % 60:
        raise problem("must divide an hour (or be whole hours)")
    return minutes


class CategorySource(Record):
    code: Code
    name: Text
    letter: Letter
    service_minutes: Positive
    slot_minutes: Annotated[Positive, AfterValidator(_divides_an_hour)]
    slot_capacity: Positive


class CounterSource(Record):
    code: Code
    categories: Annotated[tuple[Code, ...], Field(min_length=1), AfterValidator(lambda v: tuple(dict.fromkeys(v)))]


class HallSource(Record):
    code: Code
    name: Text
    region: RegionCode
    address: Text
    categories: Annotated[tuple[CategorySource, ...], Field(min_length=1)]
    counters: Annotated[tuple[CounterSource, ...], Field(min_length=1)]
    kiosk_elder_mode: Flag = True

    @model_validator(mode="after")
    def _counters_serve_its_categories(self) -> HallSource:
        found = unique([c.code for c in self.categories], "category", ("categories",))
        found.found += unique([c.letter for c in self.categories], "letter", ("categories",)).found
        known = {c.code for c in self.categories}
        for i, counter in enumerate(self.counters):
            for j, served in enumerate(counter.categories):
                if served not in known:
                    found.add(("counters", i, "categories", j), f"unknown category {served}", served)
        served = {s for k in self.counters for s in k.categories}
        for i, category in enumerate(self.categories):
            if category.code not in served:
                found.add(("categories", i), f"no counter serves category {category.code}")
        found.check()
        return self


class HallsFile(Record):
    halls: tuple[HallSource, ...]

    @model_validator(mode="after")
    def _distinct(self) -> HallsFile:
        found = unique([h.code for h in self.halls], "hall code", ("halls",))
        seen: set[str] = set()
        for i, hall in enumerate(self.halls):
            for j, counter in enumerate(hall.counters):
                if counter.code in seen:
                    found.add(("halls", i, "counters", j), f"counter {counter.code} is not unique across halls")
                seen.add(counter.code)
        found.check()
        return self


def parse_halls(data: Any, source: str = "halls.yaml") -> list[HallSource]:
    """The halls of a decoded file, or ``SourceError`` listing every problem."""
    return list(validate(source, HallsFile, data).halls)


def read_halls(path: Path = HALLS_FILE) -> list[HallSource]:
    return parse_halls(read_yaml(path), Path(path).name)


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
