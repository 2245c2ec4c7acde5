"""The error codes of policy packs. Codes several packages share are ``portal.problems.Code``."""

from __future__ import annotations

from enum import unique

from portal.problems import ErrorCode


@unique
class PackCode(ErrorCode):
    """The codes only policy packs raise."""

    PUBLISHERS_ONLY = "PUBLISHERS_ONLY"
    OUTSIDE_SCOPE = "OUTSIDE_SCOPE"
    UNKNOWN_REGION_CODE = "UNKNOWN_REGION_CODE"
    TOO_MANY_SECTIONS = "TOO_MANY_SECTIONS"
    TOO_MANY_LINKS = "TOO_MANY_LINKS"
    UNKNOWN_LINK = "UNKNOWN_LINK"
    BAD_URL = "BAD_URL"
    INDUSTRIES_OR_ALL = "INDUSTRIES_OR_ALL"
