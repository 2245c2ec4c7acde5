"""The error codes of the knowledge base (政策问答知识库). Codes several packages share are ``portal.problems.Code``."""

from __future__ import annotations

from enum import unique

from portal.problems import ErrorCode


@unique
class KnowledgeCode(ErrorCode):
    """The codes only the knowledge base raises."""

    EDITORS_ONLY = "EDITORS_ONLY"
    TOO_MANY_PHRASINGS = "TOO_MANY_PHRASINGS"
    ENDS_BEFORE_START = "ENDS_BEFORE_START"
    BAD_LINK = "BAD_LINK"
    NOT_CITABLE = "NOT_CITABLE"
    WITHDRAWN_ENTRY = "WITHDRAWN_ENTRY"
