"""The error codes of appeals (企业诉求) and their Open311 keys. Codes several packages share are
``portal.problems.Code``."""

from __future__ import annotations

from enum import unique

from portal.problems import ErrorCode


@unique
class AppealCode(ErrorCode):
    """The codes only appeals raise."""

    TOO_MANY = "TOO_MANY"
    BAD_CHANNEL = "BAD_CHANNEL"
    COORDINATORS_ONLY = "COORDINATORS_ONLY"
    RETURN_WINDOW_CLOSED = "RETURN_WINDOW_CLOSED"
    NOT_OPEN = "NOT_OPEN"
    TARGET_MERGED = "TARGET_MERGED"
    ONE_HOLDER = "ONE_HOLDER"
    NO_ACCOUNT = "NO_ACCOUNT"
    NOT_A_KEY_HOLDER = "NOT_A_KEY_HOLDER"
    NO_KEY = "NO_KEY"
    NOT_A_CONSULTATION = "NOT_A_CONSULTATION"
    NOT_BY_PHONE = "NOT_BY_PHONE"
    CONSENT_REQUIRED = "CONSENT_REQUIRED"
