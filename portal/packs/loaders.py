"""Policy pack DataLoaders: the figures of a list of packs, and who read a list of deliveries, one query a batch."""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from portal.identity.models import Account
from portal.packs.rules import Reach, figures


class PackLoaders:
    def __init__(self) -> None:
        self.figures = DataLoader(load_fn=self._figures)
        self.reader = DataLoader(load_fn=self._readers)

    @staticmethod
    async def _figures(pack_ids: Sequence[int]) -> list[list[Reach]]:
        found = await figures(pack_ids)
        return [found[pack_id] for pack_id in pack_ids]

    @staticmethod
    async def _readers(account_ids: Sequence[int]) -> list[Account | None]:
        accounts = {a.id: a for a in await Account.filter(id__in=list(account_ids))}
        return [accounts.get(account_id) for account_id in account_ids]
