"""Region codes (GB/T 2260) and which region covers which, in one place.

A region code is exactly six ASCII digits: 370000 the province, 370100 a city, 370102 a county. A scope
covers itself and what lies within it: a province its cities and counties, a city its counties. Every
region code a client sends is checked here (``check_region_code``), every "is it within" decision is made
here (``covers`` in Python, ``within`` in SQL, ``covering`` for the alert streams of a region), so that a
supervisor of a county sees that county and nothing of its neighbours.
"""

from __future__ import annotations

import re

from tortoise.expressions import Q

from portal.problems import Code, InvalidField

REGION_CODE = re.compile(r"[0-9]{6}")
PROVINCE = "370000"


def is_region_code(value: object) -> bool:
    """Six ASCII digits, nothing more (``str.isdigit`` would accept full-width and other scripts' digits)."""
    return isinstance(value, str) and REGION_CODE.fullmatch(value) is not None


def check_region_code(field: str, value: object) -> str:
    """``value`` when it is a region code, else ``InvalidField`` naming ``field``: an 8-digit "37010000" is not
    Jinan, and read as a prefix it would be the whole province."""
    if not is_region_code(value):
        raise InvalidField(field, Code.BAD_REGION, "行政区划代码应为6位数字（GB/T 2260），例如济南市 370100")
    assert isinstance(value, str)
    return value


def _reach(scope: str) -> str:
    """What every region a scope covers starts with: a province's 2 digits, a city's 4, a county's 6."""
    if scope.endswith("0000"):
        return scope[:2]
    if scope.endswith("00"):
        return scope[:4]
    return scope


def covers(scope: str | None, region: str | None) -> bool:
    """A province code (370000) covers its cities and counties, a city (370100) its counties (3701xx)."""
    if not is_region_code(scope) or not is_region_code(region):
        return False
    assert scope is not None and region is not None
    return region.startswith(_reach(scope))


def within(scope: str, column: str = "region_code") -> Q:
    """The rows whose ``column`` holds a region ``scope`` covers, as ``covers`` decides it, in SQL.

    ``scope`` must have passed ``check_region_code``: anything else would read as a wider prefix."""
    if not is_region_code(scope):
        raise ValueError(f"not a region code: {scope!r}")
    reach = _reach(scope)
    if reach == scope:
        return Q(**{column: scope})
    # The prefix decides; the range it implies (37 <= code < 38) is what lets the database read an index of the
    # column instead of every row (the ORM casts the column for LIKE, which no index serves).
    beyond = reach[:-1] + chr(ord(reach[-1]) + 1)
    return Q(**{f"{column}__startswith": reach, f"{column}__gte": reach, f"{column}__lt": beyond})


def covering(region: str) -> list[str]:
    """The region and the regions that cover it, smallest first: 370102 -> 370102, 370100, 370000. Whoever
    supervises one of these hears of what happens in ``region``."""
    if not is_region_code(region):
        raise ValueError(f"not a region code: {region!r}")
    return list(dict.fromkeys((region, f"{region[:4]}00", f"{region[:2]}0000")))
