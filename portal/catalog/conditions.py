"""The catalog's condition language: what an item's instant-approval rule (秒批) and its offers (免申即享) ask of
an applicant, as data (``items.yaml``), decided here without a person.

A condition is one of ``{holds: CERT_TYPE}``, ``{ageAtLeast: N}``, ``{ageBelow: N}``, ``{residentOf: REGION}``,
``{field: KEY, equals: V}``, ``{field: KEY, atMost: N}``, ``{field: KEY, atLeast: N}``, ``{field: KEY, oneOf:
[...]}``. ``evaluate`` checks them in order against the ``Facts`` and says which facts it used: the audit trail
records them with the decision, so anyone can see why a task was decided by a rule (or why it was not).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from portal.regions import covers


@dataclass(frozen=True)
class Facts:
    """What is known of an applicant when a rule decides: age (from the ID number), the region of the ID number,
    the e-licence types held, and the application's form values."""

    age: int | None = None
    region: str | None = None
    held: frozenset[str] = frozenset()
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """Whether every condition held; ``used`` names each checked condition with the fact it read (in order, up
    to and including the first that failed), ``failed`` the first that failed."""

    passed: bool
    used: tuple[dict[str, Any], ...]
    failed: dict[str, Any] | None = None


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _check(condition: Mapping[str, Any], facts: Facts) -> tuple[bool, Any]:
    """One condition: whether it holds and the fact it read."""
    given = {k: v for k, v in condition.items() if v is not None}
    if "holds" in given:
        return given["holds"] in facts.held, given["holds"] in facts.held
    if "ageAtLeast" in given:
        return facts.age is not None and facts.age >= given["ageAtLeast"], facts.age
    if "ageBelow" in given:
        return facts.age is not None and facts.age < given["ageBelow"], facts.age
    if "residentOf" in given:
        return facts.region is not None and covers(given["residentOf"], facts.region), facts.region
    if "field" in given:
        value = facts.values.get(given["field"])
        if "equals" in given:
            return value == given["equals"], value
        if "oneOf" in given:
            return value in given["oneOf"], value
        number, bound = _number(value), _number(given.get("atMost", given.get("atLeast")))
        if number is None or bound is None:
            return False, value
        return (number <= bound if "atMost" in given else number >= bound), value
    raise ValueError(f"not a condition: {dict(condition)!r}")


def evaluate(conditions: Sequence[Mapping[str, Any]], facts: Facts) -> Outcome:
    """Every condition in order; the first that fails decides (no rule without conditions passes)."""
    used: list[dict[str, Any]] = []
    for condition in conditions:
        holds, fact = _check(condition, facts)
        used.append({"condition": {k: v for k, v in condition.items() if v is not None}, "fact": fact,
                     "holds": holds})
        if not holds:
            return Outcome(False, tuple(used), used[-1])
    return Outcome(bool(conditions), tuple(used))
