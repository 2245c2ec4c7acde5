"""The error codes of oversight (常务会议, 通报 / 约谈). Codes several packages share are ``portal.problems.Code``."""

from __future__ import annotations

from enum import unique

from portal.problems import ErrorCode


@unique
class OversightCode(ErrorCode):
    """The codes only oversight raises."""

    TOPIC_NOT_SCHEDULED = "TOPIC_NOT_SCHEDULED"
    TOPIC_DECIDED = "TOPIC_DECIDED"
    TOPIC_NOT_DECIDED = "TOPIC_NOT_DECIDED"
    OUTSIDE_REGION = "OUTSIDE_REGION"
    NO_ENTERPRISE_ACCOUNT = "NO_ENTERPRISE_ACCOUNT"
    REPORT_SUBMITTED = "REPORT_SUBMITTED"
