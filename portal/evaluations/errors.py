"""The error codes of 好差评. Codes several packages share are ``portal.problems.Code``."""

from __future__ import annotations

from enum import unique

from portal.problems import ErrorCode


@unique
class EvaluationCode(ErrorCode):
    """The codes only evaluations raise."""

    BAD_TARGET = "BAD_TARGET"
    ALREADY_EVALUATED = "ALREADY_EVALUATED"
    NOT_FINISHED = "NOT_FINISHED"
    NOT_A_BAD_REVIEW = "NOT_A_BAD_REVIEW"
    ALREADY_RECORDED = "ALREADY_RECORDED"
