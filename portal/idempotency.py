"""Idempotency keys: every creating mutation takes one, and the same key from the same account returns the first
result again. The key's shape and the digest of a request are the same rule everywhere."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import orjson

from portal.problems import Code, InvalidField
from portal.text import text_problem

MAX_KEY_LENGTH = 100


def check_key(key: object, *, field: str = "idempotencyKey") -> str:
    """A key of 1 to 100 characters (surrounding spaces ignored), without control characters (portal.text)."""
    text = key.strip() if isinstance(key, str) else ""
    if not text or text_problem(text, max_length=MAX_KEY_LENGTH, multiline=False) is not None:
        raise InvalidField(field, Code.BAD_IDEMPOTENCY_KEY, f"请求标识须为1到{MAX_KEY_LENGTH}个字符，不含控制字符")
    return text


def request_hash(payload: Mapping[str, Any]) -> str:
    """The digest of what was asked, to tell a retry (same data) from a reused key (other data)."""
    return hashlib.sha256(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)).hexdigest()
