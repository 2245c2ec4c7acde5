"""Password hashing with argon2id (argon2-cffi), off the event loop."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# RFC 9106's second recommendation (64 MiB, 3 passes): ~0.1 s a hash on the 2-core machine.
# "test" is for the test suite only; the settings refuse it in production. Every hash records its own
# parameters, so hashes made under one profile verify under another.
PROFILES = {"rfc9106": profiles.RFC_9106_LOW_MEMORY, "test": profiles.CHEAPEST}


class Passwords:
    def __init__(self, profile: str = "rfc9106") -> None:
        self._hasher = PasswordHasher.from_parameters(PROFILES[profile])
        self._dummy = self._hasher.hash("a password no account has")

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """True if ``password`` matches; with no hash (unknown account) it spends the same time and fails."""
        def check() -> bool:
            try:
                return self._hasher.verify(password_hash or self._dummy, password) and password_hash is not None
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                return False

        return await asyncio.to_thread(check)
