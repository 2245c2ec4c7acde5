"""Service halls (政务服务大厅): categories, counters, tickets (取号/叫号) and appointments (预约)."""

from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.models import Model

from portal.identity.models import Account


class TicketStatus(str, Enum):
    WAITING = "WAITING"
    CALLED = "CALLED"
    DONE = "DONE"
    SKIPPED = "SKIPPED"  # a no-show passed over


class AppointmentStatus(str, Enum):
    BOOKED = "BOOKED"
    CHECKED_IN = "CHECKED_IN"
    CANCELLED = "CANCELLED"


class Hall(Model):
    code = fields.CharField(max_length=30, primary_key=True)
    name = fields.CharField(max_length=100)
    region_code = fields.CharField(max_length=6)
    address = fields.CharField(max_length=200)
    sort = fields.IntField(default=0)
    # The hall's kiosks start in elder mode (适老化: large type, simple wording); a person may switch it off.
    kiosk_elder_mode = fields.BooleanField(default=True)

    class Meta:
        table = "hall"


class HallClerk(Model):
    """A window clerk's hall (所属大厅): the clerk calls and handles tickets at this hall's counters only."""

    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField("portal.Account", related_name="halls",
                                                                         on_delete=fields.CASCADE)
    hall: fields.ForeignKeyRelation[Hall] = fields.ForeignKeyField("portal.Hall", related_name="clerks",
                                                                   on_delete=fields.CASCADE)

    class Meta:
        table = "hall_clerk"
        unique_together = (("account", "hall"),)


class HallCategory(Model):
    """A queue of the hall: its ticket letter, the minutes a service takes, and appointment slots."""

    id = fields.IntField(primary_key=True)
    hall: fields.ForeignKeyRelation[Hall] = fields.ForeignKeyField("portal.Hall", related_name="categories",
                                                                   on_delete=fields.CASCADE)
    code = fields.CharField(max_length=30)
    name = fields.CharField(max_length=100)
    letter = fields.CharField(max_length=2)
    service_minutes = fields.IntField()
    slot_minutes = fields.IntField()
    slot_capacity = fields.IntField()
    sort = fields.IntField(default=0)

    class Meta:
        table = "hall_category"
        unique_together = (("hall", "code"),)


class Counter(Model):
    id = fields.IntField(primary_key=True)
    hall: fields.ForeignKeyRelation[Hall] = fields.ForeignKeyField("portal.Hall", related_name="counters",
                                                                   on_delete=fields.CASCADE)
    code = fields.CharField(max_length=30, unique=True)
    categories = fields.JSONField(default=list)  # category codes this counter serves

    class Meta:
        table = "counter"


class Appointment(Model):
    id = fields.IntField(primary_key=True)
    hall: fields.ForeignKeyRelation[Hall] = fields.ForeignKeyField("portal.Hall", related_name="appointments",
                                                                   on_delete=fields.CASCADE)
    category_code = fields.CharField(max_length=30)
    slot_start = fields.DatetimeField(db_index=True)
    account_id = fields.IntField(db_index=True)
    status = fields.CharEnumField(AppointmentStatus, max_length=12)
    idempotency_key = fields.CharField(max_length=100)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "appointment"
        unique_together = (("account_id", "idempotency_key"),)


class Ticket(Model):
    """A queue ticket, numbered per category per day (A023). A ticket from an appointment has priority."""

    id = fields.IntField(primary_key=True)
    hall: fields.ForeignKeyRelation[Hall] = fields.ForeignKeyField("portal.Hall", related_name="tickets",
                                                                   on_delete=fields.CASCADE)
    category_code = fields.CharField(max_length=30)
    day = fields.DateField()
    seq = fields.IntField()
    number = fields.CharField(max_length=10)
    priority = fields.BooleanField(default=False)
    status = fields.CharEnumField(TicketStatus, max_length=10, db_index=True)
    version = fields.IntField(default=1)
    account_id = fields.IntField(null=True)
    appointment_id = fields.IntField(null=True, unique=True)
    counter_code = fields.CharField(max_length=30, null=True)
    called_at = fields.DatetimeField(null=True)
    calls = fields.IntField(default=0)
    idempotency_key = fields.CharField(max_length=100, null=True)
    taken_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "ticket"
        unique_together = (("hall", "category_code", "day", "seq"), ("account_id", "idempotency_key"))
