"""Version counters of public data (catalog, calendar).

Any process that changes public data bumps its counter in the same transaction; servers compare the
counters to drop cached public responses and reload the calendar, also when another process (the
``portal`` command) made the change.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.expressions import F
from tortoise.models import Model

CATALOG = "catalog"
CALENDAR = "calendar"


class PublicVersion(Model):
    name = fields.CharField(max_length=30, primary_key=True)
    version = fields.BigIntField(default=0)

    class Meta:
        table = "public_version"


async def bump(name: str) -> None:
    """Mark ``name`` changed; call inside the transaction that changes it."""
    updated = await PublicVersion.filter(name=name).update(version=F("version") + 1)
    if not updated:
        await PublicVersion.create(name=name, version=1)


async def current() -> tuple[tuple[str, int], ...]:
    """All counters, as one comparable value."""
    rows = await PublicVersion.all().order_by("name").values_list("name", "version")
    return tuple((name, version) for name, version in rows)
