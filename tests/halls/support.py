"""Shared steps of the hall tests: a hall of one's own (so that figures are exact) and window clerks."""

from __future__ import annotations

import itertools
from datetime import date

from portal.audit.rules import Actor
from portal.halls.models import Counter, Hall, HallCategory
from portal.identity.models import Role
from portal.identity.passwords import Passwords
from portal.identity.principal import Principal
from portal.halls.rules import create_staff_in_halls
from portal.identity.rules import authenticate, login

_halls = itertools.count(1)
CLERK_PASSWORD = "Window-Clerk-2115"


async def make_hall(counters: dict[str, list[str]] | None = None, capacity: int = 2) -> str:
    """A new hall with categories A (企业开办, 20 min), B (不动产登记, 30 min), C (综合受理, 5 min)."""
    code = f"T{next(_halls):03d}X{id(counters) % 10000}"
    await Hall.create(code=code, name=f"测试大厅{code}", region_code="370102", address="济南市历下区测试路1号")
    for sort, (category, name, letter, minutes) in enumerate(
            (("QYKB", "企业开办", "A", 20), ("BDCDJ", "不动产登记", "B", 30), ("ZHSL", "综合受理", "C", 5))):
        await HallCategory.create(hall_id=code, code=category, name=name, letter=letter, service_minutes=minutes,
                                  slot_minutes=30, slot_capacity=capacity, sort=sort)
    for counter, served in (counters or {"01": ["QYKB"], "02": ["QYKB", "BDCDJ"], "03": ["ZHSL"]}).items():
        await Counter.create(code=f"{code}-{counter}", hall_id=code, categories=served)
    return code


_clerks = itertools.count(1)


async def clerk_token(*halls: str) -> str:
    """A signed-in window clerk serving in ``halls`` (in none without them)."""
    username = f"window-{next(_clerks)}-{id(halls) % 10000}"
    await create_staff_in_halls(Passwords("test"), username=username, password=CLERK_PASSWORD,
                                role=Role.WINDOW_CLERK, department_code="370100-XZSPJ", region_code="370100",
                                name="窗口人员", halls=halls)
    signed_in = await login(Passwords("test"), Actor(None, "test", f"10.252.{next(_clerks) % 250}.1"),
                            username=username, password=CLERK_PASSWORD)
    return signed_in.token


async def clerk(*halls: str) -> Principal:
    principal = await authenticate(await clerk_token(*halls))
    assert principal is not None
    return principal


TODAY = date(2026, 3, 2)
KIOSK = Actor(None, "anonymous", "10.253.0.1", "KIOSK")


def person(account_id: int) -> Actor:
    """A signed-in person taking tickets from their phone."""
    return Actor(account_id, f"citizen:{account_id}", f"10.253.1.{account_id % 250}", "MOBILE")
