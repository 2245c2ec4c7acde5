"""The error codes of service halls: tickets, counters and appointments. Codes several packages share are
``portal.problems.Code``."""

from __future__ import annotations

from enum import unique

from portal.problems import ErrorCode


@unique
class HallCode(ErrorCode):
    """The codes only halls raise."""

    HALL_NOT_FOUND = "HALL_NOT_FOUND"
    BUSY = "BUSY"
    NOT_YOUR_HALL = "NOT_YOUR_HALL"
    WINDOW_CLERKS_ONLY = "WINDOW_CLERKS_ONLY"
    COUNTER_NOT_FOUND = "COUNTER_NOT_FOUND"
    HALLS_FOR_CLERKS_ONLY = "HALLS_FOR_CLERKS_ONLY"
    QUEUE_EMPTY = "QUEUE_EMPTY"
    TICKET_NOT_FOUND = "TICKET_NOT_FOUND"
    NOT_CALLED = "NOT_CALLED"
    STALE = "STALE"
    SLOT_IN_PAST = "SLOT_IN_PAST"
    SLOT_TOO_FAR = "SLOT_TOO_FAR"
    SLOT_NOT_ALIGNED = "SLOT_NOT_ALIGNED"
    NOT_A_WORKING_DAY = "NOT_A_WORKING_DAY"
    OUTSIDE_OPENING_HOURS = "OUTSIDE_OPENING_HOURS"
    ALREADY_BOOKED = "ALREADY_BOOKED"
    SLOT_FULL = "SLOT_FULL"
    APPOINTMENT_NOT_FOUND = "APPOINTMENT_NOT_FOUND"
    APPOINTMENT_CANCELLED = "APPOINTMENT_CANCELLED"
    CHECK_IN_TOO_EARLY = "CHECK_IN_TOO_EARLY"
    CHECK_IN_TOO_LATE = "CHECK_IN_TOO_LATE"
    CATEGORY_NOT_FOUND = "CATEGORY_NOT_FOUND"
