"""What the streams of policy packs say: an enterprise's inbox stream (``packs:account:<id>``: a pack pushed to it,
a pack read on another device) and a pack's own stream (``pack:<id>``: published, read by an enterprise)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PackChanged:
    """A pack and, for a push or a read, the delivery it concerns."""

    pack_id: int
    delivery_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"pack": {"id": self.pack_id}, "delivery": {"id": self.delivery_id} if self.delivery_id else None}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PackChanged:
        delivery = data.get("delivery")
        return cls(data["pack"]["id"], delivery["id"] if delivery else None)
