"""The SQLite engine of ``PORTAL_DATABASE_URL=sqlite:///...``: Tortoise's, with a transaction that begins in one
round trip to the connection's thread instead of two."""

from __future__ import annotations

import sqlite3

from tortoise.backends.base.client import TransactionContext
from tortoise.backends.sqlite.client import SqliteClient, SqliteTransactionContext, SqliteTransactionWrapper
from tortoise.exceptions import TransactionManagementError


class _Transaction(SqliteTransactionWrapper):
    async def begin(self) -> None:
        """Tortoise first commits whatever transaction is open, which costs a round trip on every transaction
        although the connection is in autocommit mode and none is open but one a failed COMMIT left behind.
        Asking SQLite whether one is open is free (no round trip); what is done with one is Tortoise's."""
        try:
            if self._connection.in_transaction:
                await self._connection.commit()
            await self._connection.execute("BEGIN")
        except sqlite3.OperationalError as exc:  # pragma: nocoverage
            raise TransactionManagementError(exc) from exc


class PortalSqliteClient(SqliteClient):
    def _in_transaction(self) -> TransactionContext:
        return SqliteTransactionContext(_Transaction(self), self._lock)


client_class = PortalSqliteClient
