"""Accounts, sessions, delegations (企业经办人, 家属代办) and rate-limit counters."""

from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.models import Model

from portal.terminals import Terminal


class AccountKind(str, Enum):
    CITIZEN = "CITIZEN"
    ENTERPRISE = "ENTERPRISE"
    STAFF = "STAFF"


class Role(str, Enum):
    """Staff roles (窗口人员, 部门经办人, 诉求专席, 督办, 管理员)."""

    WINDOW_CLERK = "WINDOW_CLERK"
    DEPARTMENT_HANDLER = "DEPARTMENT_HANDLER"
    APPEALS_COORDINATOR = "APPEALS_COORDINATOR"
    SUPERVISOR = "SUPERVISOR"
    ADMIN = "ADMIN"
    SCENE_OPERATOR = "SCENE_OPERATOR"  # a hotel desk, a hospital, a transport gate: scans the 鲁通码 of its scene


class Account(Model):
    """A real-name account: a citizen (ID number), an enterprise (credit code) or a staff member (username)."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharEnumField(AccountKind, max_length=10)
    name = fields.CharField(max_length=100)
    id_number = fields.CharField(max_length=18, null=True, unique=True)
    credit_code = fields.CharField(max_length=18, null=True, unique=True)
    legal_representative_id_number = fields.CharField(max_length=18, null=True)
    username = fields.CharField(max_length=40, null=True, unique=True)
    phone = fields.CharField(max_length=11, null=True)
    role = fields.CharEnumField(Role, max_length=20, null=True)
    department_code = fields.CharField(max_length=20, null=True)
    region_code = fields.CharField(max_length=6, null=True)
    scene = fields.CharField(max_length=20, null=True)  # a scene operator's 鲁通码 scene
    # An enterprise's GB/T 4754-2017 section (``identity.industries``); null until it names one.
    industry = fields.CharField(max_length=1, null=True)
    password_hash = fields.CharField(max_length=200)
    password_changed_at = fields.DatetimeField()
    created_at = fields.DatetimeField(auto_now_add=True)
    disabled = fields.BooleanField(default=False)

    class Meta:
        table = "account"
        # A phone signs in one citizen; an enterprise's contact phone may be its representative's.
        unique_together = (("kind", "phone"),)


class Session(Model):
    """A bearer token, stored as its SHA-256 digest.

    A device session (``terminal`` set) is limited to one shared or public terminal, a TV or a hall's
    self-service kiosk: it is used only from that terminal, applies only on that channel, always sees
    personal data masked, and cannot change the account (password, delegations) or approve other devices.
    ``device`` names the device as its owner reads it in their list of sessions."""

    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "portal.Account", related_name="sessions", on_delete=fields.CASCADE
    )
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)
    address = fields.CharField(max_length=64, default="")
    terminal = fields.CharEnumField(Terminal, max_length=10, null=True)
    device = fields.CharField(max_length=100, default="")

    class Meta:
        table = "session"


class EnterpriseAgent(Model):
    """An employee's citizen account authorised to act for an enterprise (经办人)."""

    id = fields.IntField(primary_key=True)
    enterprise: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "portal.Account", related_name="agents", on_delete=fields.CASCADE
    )
    agent: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "portal.Account", related_name="agent_of", on_delete=fields.CASCADE
    )
    granted_at = fields.DatetimeField(auto_now_add=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "enterprise_agent"


class FamilyAuthorisation(Model):
    """A citizen's authorisation of a family member to apply for one named bundle on their behalf (代办)."""

    id = fields.IntField(primary_key=True)
    grantor: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "portal.Account", related_name="family_grants", on_delete=fields.CASCADE
    )
    grantee: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "portal.Account", related_name="family_received", on_delete=fields.CASCADE
    )
    bundle_code = fields.CharField(max_length=60)
    relationship = fields.CharField(max_length=20)
    granted_at = fields.DatetimeField(auto_now_add=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "family_authorisation"


class WindowAuthorisation(Model):
    """窗口代办: a person's consent, given by showing their 鲁通码 to a window clerk (scene GOVERNMENT_SERVICE), for
    that clerk to apply on their behalf at the window until ``expires_at`` (30 minutes after the scan). The scan is
    named by its code's nonce and time; the hall and counter are the clerk's when known."""

    id = fields.IntField(primary_key=True)
    holder: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "portal.Account", related_name="window_grants", on_delete=fields.CASCADE
    )
    clerk: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "portal.Account", related_name="window_received", on_delete=fields.CASCADE
    )
    scan_nonce = fields.CharField(max_length=40, unique=True)
    scanned_at = fields.DatetimeField()
    hall_code = fields.CharField(max_length=30, null=True)
    counter_code = fields.CharField(max_length=30, null=True)
    expires_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "window_authorisation"

    def place(self) -> dict[str, str]:
        """The hall and counter of the scan, as audit entries (and so the holder's access log) name them."""
        return {k: v for k, v in (("hall", self.hall_code), ("counter", self.counter_code)) if v}


class RateCounter(Model):
    """Failed attempts of one kind from one key (an account or an address) in the current window."""

    key = fields.CharField(max_length=200, primary_key=True)
    failures = fields.IntField(default=0)
    window_started_at = fields.DatetimeField()
    blocked_until = fields.DatetimeField(null=True)

    class Meta:
        table = "rate_counter"


class ApiKey(Model):
    """An Open311 client key, stored as its SHA-256. It acts as the account it belongs to."""

    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation = fields.ForeignKeyField("portal.Account", related_name="api_keys",
                                                                on_delete=fields.CASCADE)
    key_hash = fields.CharField(max_length=64, unique=True)
    label = fields.CharField(max_length=100)
    created_at = fields.DatetimeField(auto_now_add=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_key"


class DeviceSignInStatus(str, Enum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    DENIED = "DENIED"
    REDEEMED = "REDEEMED"  # the device received its session: the codes are spent


class DeviceSignIn(Model):
    """A TV or a kiosk asking to be signed in by a phone (RFC 8628 device authorisation).

    The device code is the device's secret (stored as its SHA-256 digest only); the user code is what the person
    reads on the screen and confirms on the phone, stored normalised (8 consonants, no hyphen). The request lasts
    ``expires_at``; the device is handed its session once (``REDEEMED``)."""

    id = fields.IntField(primary_key=True)
    device_code_hash = fields.CharField(max_length=64, unique=True)
    user_code = fields.CharField(max_length=8, db_index=True)
    terminal = fields.CharEnumField(Terminal, max_length=10)
    address = fields.CharField(max_length=64, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    interval = fields.IntField()
    last_polled_at = fields.DatetimeField(null=True)
    status = fields.CharEnumField(DeviceSignInStatus, max_length=10, default=DeviceSignInStatus.PENDING)
    account: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "portal.Account", related_name="device_sign_ins", null=True, on_delete=fields.CASCADE)
    decided_at = fields.DatetimeField(null=True)

    class Meta:
        table = "device_sign_in"
