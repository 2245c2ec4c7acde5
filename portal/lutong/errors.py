"""The error codes of the 鲁通码: scans, scenes, kiosk sign-in, older code types. Codes several packages share are
``portal.problems.Code``."""

from __future__ import annotations

from enum import unique

from portal.problems import ErrorCode


@unique
class LuTongErrorCode(ErrorCode):
    """The codes only the 鲁通码 raises."""

    FORGED = "FORGED"
    EXPIRED = "EXPIRED"
    REPLAYED = "REPLAYED"
    WRONG_SCENE = "WRONG_SCENE"
    SCENE_NOT_ALLOWED = "SCENE_NOT_ALLOWED"
    KIOSK_ONLY = "KIOSK_ONLY"
    UNKNOWN_CODE_TYPE = "UNKNOWN_CODE_TYPE"
    NOT_A_HOLDER = "NOT_A_HOLDER"
