"""Masked personal data for responses: the account-level use of the mask functions in ``numbers``."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from portal.identity import numbers
from portal.identity.models import Account, AccountKind


def id_number(value: str | None) -> str | None:
    return numbers.mask_id_number(value) if value else None


def phone(value: str | None) -> str | None:
    return numbers.mask_phone(value) if value else None


def credit_code(value: str | None) -> str | None:
    return numbers.mask_credit_code(value) if value else None


def name(value: str) -> str:
    return numbers.mask_name(value)


def display_name(account: Account, *, masked: bool) -> str:
    """A person's name is masked on TV and kiosk screens; an enterprise's registered name is public."""
    if masked and account.kind is AccountKind.CITIZEN:
        return numbers.mask_name(account.name)
    return account.name


def licence_number(value: str) -> str:
    """A licence number shown to its holder: enough to recognise it, not to copy it."""
    return value[:4] + "*" * max(0, len(value) - 8) + value[-4:] if len(value) > 8 else "*" * len(value)


PLAIN = "plain"
# How a form value a scene operator reads back is shown (scenes.yaml `form`): as entered, or masked by what it is.
FORM_MASKS: Mapping[str, Callable[[str], str]] = {
    "name": numbers.mask_name, "idNumber": numbers.mask_id_number, "phone": numbers.mask_phone,
    "creditCode": numbers.mask_credit_code,
}


def form_value(mask: str, value: object) -> object:
    """A form value shown ``plain`` or masked as a ``name`` (张*), ``idNumber`` (370102********1234), ``phone`` or
    ``creditCode``."""
    return value if mask == PLAIN else FORM_MASKS[mask](str(value))


def address(value: str) -> str:
    """A sign-in address shown in the list of sessions: the network, not the machine (192.168.*.*, 2001:db8:*)."""
    if not value:
        return ""
    if ":" in value:
        return ":".join(value.split(":")[:2]) + ":*"
    parts = value.split(".")
    return ".".join(parts[:2] + ["*"] * (len(parts) - 2)) if len(parts) == 4 else "*"
