"""What text the portal accepts from anybody, in one place: no control or direction characters, no lone
surrogates, and a length limit.

A title with U+202E (right-to-left override) reads backwards on every screen and in every export; a NUL or a
zero-width space makes two names that look equal compare unequal; a lone surrogate cannot be encoded as
UTF-8 at all (PostgreSQL refuses it, JSON encoders fail). Such characters are refused at the edge with a field
error, never stored, so nothing downstream (Open311, figures, the terminals) has to clean them.
"""

from __future__ import annotations

import re

from portal.problems import Code, InvalidField

# C0 controls except tab, line feed and carriage return; DEL and the C1 controls; zero-width and direction
# marks (U+200B-U+200F), line and paragraph separators, embeddings and overrides (U+202A-U+202E), word joiner
# and invisible operators (U+2060-U+2064), isolates (U+2066-U+2069), the byte-order mark, interlinear
# annotation characters (U+FFF9-U+FFFB), and every surrogate code point (only ever lone in a Python str).
FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069"
    "\ufeff\ufff9-\ufffb\ud800-\udfff]")
LINE_BREAKS = re.compile("[\t\n\r]")

# The longest free text anybody may send in one field (an appeal's content, a supplement's note).
MAX_FREE_TEXT = 5000


def text_problem(value: str, *, max_length: int = MAX_FREE_TEXT, multiline: bool = True) -> tuple[Code, str] | None:
    """Why ``value`` is refused, as (code, Chinese message), or None when it is acceptable."""
    if len(value) > max_length:
        return Code.TOO_LONG, f"内容过长：不能超过 {max_length} 个字符"
    if FORBIDDEN.search(value):
        return Code.FORBIDDEN_CHARACTER, "含有不可见的控制字符或方向字符，请删除后重新输入"
    if not multiline and LINE_BREAKS.search(value):
        return Code.FORBIDDEN_CHARACTER, "此处不能换行"
    return None


def check_text(field: str, value: str, *, max_length: int = MAX_FREE_TEXT, multiline: bool = True) -> str:
    """``value`` when acceptable, else ``InvalidField`` naming ``field``."""
    problem = text_problem(value, max_length=max_length, multiline=multiline)
    if problem is not None:
        raise InvalidField(field, *problem)
    return value


def bigrams(text: str) -> set[str]:
    """The pairs of adjacent characters of ``text`` without its blanks: how Chinese text is compared without word
    segmentation (similar appeals, the knowledge base's search)."""
    compact = re.sub(r"\s+", "", text)
    return {compact[i:i + 2] for i in range(len(compact) - 1)}


def preview(value: object, limit: int = 80) -> str:
    """A value as it may appear in a log line: at most ``limit`` characters, the length of the rest said."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"
