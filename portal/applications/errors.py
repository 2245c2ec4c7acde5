"""The error codes of applications: form fields, materials, submission and 补正. Codes several packages share are
``portal.problems.Code``."""

from __future__ import annotations

from enum import unique

from portal.problems import ErrorCode


@unique
class ApplicationCode(ErrorCode):
    """The codes only applications raise."""

    NOT_AN_OBJECT = "NOT_AN_OBJECT"
    UNKNOWN_FIELD = "UNKNOWN_FIELD"
    TOO_MANY_PROBLEMS = "TOO_MANY_PROBLEMS"
    BAD_DATE = "BAD_DATE"
    DATE_IN_FUTURE = "DATE_IN_FUTURE"
    DATE_IN_PAST = "DATE_IN_PAST"
    BAD_NUMBER = "BAD_NUMBER"
    TOO_SMALL = "TOO_SMALL"
    TOO_LARGE = "TOO_LARGE"
    UNKNOWN_OPTION = "UNKNOWN_OPTION"
    NOT_A_BOOLEAN = "NOT_A_BOOLEAN"
    AUDIENCE_MISMATCH = "AUDIENCE_MISMATCH"
    NO_SUCH_APPLICANT = "NO_SUCH_APPLICANT"
    UNKNOWN_MATERIAL = "UNKNOWN_MATERIAL"
    DUPLICATE_MATERIAL = "DUPLICATE_MATERIAL"
    MATERIAL_REQUIRED = "MATERIAL_REQUIRED"
    DEVICE_CHANNEL = "DEVICE_CHANNEL"
    CHANNEL_NOT_OFFERED = "CHANNEL_NOT_OFFERED"
    NOTHING_TO_SUPPLEMENT = "NOTHING_TO_SUPPLEMENT"
    NOT_REQUESTED = "NOT_REQUESTED"
    UNKNOWN_ITEM = "UNKNOWN_ITEM"
    LIKELY_DUPLICATE = "LIKELY_DUPLICATE"
    OFFER_ANSWERED = "OFFER_ANSWERED"
