"""The error codes of the catalog. Codes several packages share are ``portal.problems.Code``."""

from __future__ import annotations

from enum import unique

from portal.problems import ErrorCode


@unique
class CatalogCode(ErrorCode):
    """The codes only the catalog raises."""

    SEARCH_TOO_LONG = "SEARCH_TOO_LONG"
