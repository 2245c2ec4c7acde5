"""Identity DataLoaders: accounts by id, one query per batch (who read a holder's data, named)."""

from __future__ import annotations

from portal.identity.models import Account
from portal.loaders import by_key


class IdentityLoaders:
    def __init__(self) -> None:
        self.account = by_key(Account, "id")
