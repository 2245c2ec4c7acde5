"""The error codes of satisfaction surveys. Codes several packages share are ``portal.problems.Code``."""

from __future__ import annotations

from enum import unique

from portal.problems import ErrorCode


@unique
class SurveyCode(ErrorCode):
    """The codes only surveys raise."""

    QUESTION_COUNT = "QUESTION_COUNT"
    QUESTION_KEY_TAKEN = "QUESTION_KEY_TAKEN"
    OPTION_COUNT = "OPTION_COUNT"
    OPTION_REPEATED = "OPTION_REPEATED"
    OPTIONS_NOT_ALLOWED = "OPTIONS_NOT_ALLOWED"
    BAD_PERIOD = "BAD_PERIOD"
    PERIOD_TAKEN = "PERIOD_TAKEN"
    SURVEY_CLOSED = "SURVEY_CLOSED"
    SURVEY_NOT_OPEN = "SURVEY_NOT_OPEN"
    NO_ENTERPRISES = "NO_ENTERPRISES"
    UNKNOWN_QUESTION = "UNKNOWN_QUESTION"
    NOT_A_CHOICE = "NOT_A_CHOICE"
    ALREADY_ANSWERED = "ALREADY_ANSWERED"
