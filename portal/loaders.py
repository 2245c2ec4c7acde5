"""DataLoader builders every domain uses: each batch is one query, so a list costs the same number of queries at
any length. A domain's loaders are a class of its own ``loaders.py``; ``Context.loaders(kind)`` makes one per
request."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader
from tortoise.models import Model

M = TypeVar("M", bound=Model)


def by_key(model: type[M], key: str) -> DataLoader[Hashable, M | None]:
    """Rows of ``model`` looked up by a unique column."""

    async def load(keys: Sequence[Hashable]) -> list[M | None]:
        rows = {getattr(r, key): r for r in await model.filter(**{f"{key}__in": list(keys)})}
        return [rows.get(k) for k in keys]

    return DataLoader(load_fn=load)


def children(model: type[M], parent: str, order: str = "sort", **related: Any) -> DataLoader[int, list[M]]:
    """Rows of ``model`` grouped by their parent's id, in ``order``."""

    async def load(keys: Sequence[int]) -> list[list[M]]:
        query = model.filter(**{f"{parent}__in": list(keys)}).order_by(parent, order)
        if related.get("select_related"):
            query = query.select_related(*related["select_related"])
        groups: dict[int, list[M]] = defaultdict(list)
        for row in await query:
            groups[getattr(row, parent)].append(row)
        return [groups[k] for k in keys]

    return DataLoader(load_fn=load)
