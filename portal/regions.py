"""Region codes (GB/T 2260) and which region covers which, in one place.

A region code is exactly six ASCII digits: 370000 the province, 370100 a city, 370102 a county. A scope
covers itself and what lies within it: a province its cities and counties, a city its counties.
"""

from __future__ import annotations

import re

REGION_CODE = re.compile(r"[0-9]{6}")
PROVINCE = "370000"


def is_region_code(value: object) -> bool:
    """Six ASCII digits, nothing more (``str.isdigit`` would accept full-width and other scripts' digits)."""
    return isinstance(value, str) and REGION_CODE.fullmatch(value) is not None


def covers(scope: str | None, region: str | None) -> bool:
    """A province code (370000) covers its cities and counties, a city (370100) its counties (3701xx)."""
    if not is_region_code(scope) or not is_region_code(region):
        return False
    assert scope is not None and region is not None
    if scope.endswith("0000"):
        return region[:2] == scope[:2]
    if scope.endswith("00"):
        return region[:4] == scope[:4]
    return region == scope
