"""Leases: which server runs a periodic job now (the deadline sweep), one holder per deployment.

A lease is taken with a conditional update (free, expired, or already ours) and kept by renewing it; a server
that dies loses it when it expires, and another takes over. No GraphQL, no domain rules here.
"""

from __future__ import annotations

from datetime import datetime

from tortoise import fields
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.models import Model


class SweepLease(Model):
    """Who runs the deadline sweep now: one holder per deployment, taken with a conditional update."""

    name = fields.CharField(max_length=30, primary_key=True)
    holder = fields.CharField(max_length=60)
    until = fields.DatetimeField()

    class Meta:
        table = "sweep_lease"


async def take(name: str, holder: str, now: datetime, until: datetime) -> bool:
    """Hold ``name`` until ``until``: renew our own lease or take an expired one; False if another holds it."""
    if await SweepLease.filter(Q(until__lt=now) | Q(holder=holder), name=name).update(holder=holder, until=until):
        return True
    try:
        await SweepLease.create(name=name, holder=holder, until=until)
    except IntegrityError:
        return False
    return True


async def release(name: str, holder: str) -> None:
    """Hand ``name`` on at once (a server that stops)."""
    await SweepLease.filter(name=name, holder=holder).delete()
