"""What the public may read of an appeal's title (the Open311 list): nothing that identifies an enterprise or a
person.

A number is found by what it *says*, not by how it is written: "+86 139-1234 5678", "１３９１２３４５６７８",
"370102 19900101 123x" and "9137 0102 MA3C 5QX1 XY" are the numbers they spell. Each character is read as the
digit or letter it stands for (full-width forms, other scripts' digits, circled and superscript digits), and
whatever stands between them that is neither a letter nor a digit (spaces of every width, hyphens and dashes,
dots, commas, plus signs, brackets, invisible format characters) is skipped. On that reading, runs of seven or
more digits (phone, ID, bank account numbers) and 18-character codes shaped like credit or ID numbers are
blanked out where they stand. Dates written in digits alone (2026-01-15) are blanked out too: on the public
list, hiding too much is the safe mistake.

The enterprise is found by its names: the registered name, and the short names people write — the name
without the region in front (山东, 济南市 …) or the legal form behind (有限公司, 股份有限公司 …), or both.
Names are matched on the same reading, so "齐 鲁 运 输" is 齐鲁运输 too.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from portal.text import FORBIDDEN

ANONYMOUS = "某企业"
HIDDEN = "***"
# Seven digits is the shortest phone number; a credit code (GB 32100) is 2 characters, a 6-digit region and 10
# more, which an ID number (17 digits and a check digit or X) also matches. Each is a lookahead, so that every
# place where one could start is found, overlapping or not.
_IDENTIFYING = (re.compile(r"(?=([0-9]{7,}))"), re.compile(r"(?=([0-9A-Z]{2}[0-9]{6}[0-9A-Z]{10}))"))
# Legal forms and other endings of enterprise names, longest first so that 有限公司 goes before 公司.
LEGAL_FORMS = ("股份有限公司", "有限责任公司", "集团有限公司", "个人独资企业", "专业合作社", "合伙企业", "有限公司", "股份公司",
               "集团公司", "有限合伙", "普通合伙", "分公司", "合作社", "经营部", "工作室", "公司", "集团", "商行", "厂", "店")
_REGION_ENDINGS = ("省", "市", "区", "县")
MIN_ALIAS_LENGTH = 2


def _reading(ch: str) -> str | None:
    """What one character says: a digit of any script as the ASCII digit, a letter (Latin, Chinese …) in its
    NFKC form, upper-case; None for anything else (a separator)."""
    if unicodedata.category(ch)[0] not in "LN":
        return None
    digit = unicodedata.digit(ch, None)
    return str(digit) if digit is not None else unicodedata.normalize("NFKC", ch).upper()


def read(text: str) -> tuple[str, list[int]]:
    """``text`` as it reads (``_reading`` of each character, separators left out), and for each character of
    the reading the index in ``text`` it came from."""
    reading, origin = [], []
    for index, ch in enumerate(text):
        for said in _reading(ch) or "":
            reading.append(said)
            origin.append(index)
    return "".join(reading), origin


def _blank(text: str, spans: Iterable[tuple[int, int]], replacement: str) -> str:
    """``text`` with each span (start, end of the reading) replaced, overlapping spans as one."""
    _, origin = read(text)
    merged: list[list[int]] = []
    for start, end in sorted((origin[s], origin[e - 1] + 1) for s, e in spans if e > s):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    for start, end in reversed(merged):
        text = text[:start] + replacement + text[end:]
    return text


def _occurrences(reading: str, wanted: str) -> list[tuple[int, int]]:
    spans, start = [], reading.find(wanted)
    while start >= 0:
        spans.append((start, start + len(wanted)))
        start = reading.find(wanted, start + 1)
    return spans


def aliases(name: str, region_names: Iterable[str]) -> list[str]:
    """The names an enterprise goes by, longest first: the registered name, without the regions in front
    (山东省, 济南 …, as ``region_names`` lists them, with or without 省/市/区/县), without the legal form behind
    (有限公司 …), and without both. Names shorter than two characters are left out: they would blank out
    ordinary words."""
    prefixes = sorted({p for r in region_names for p in (r, r.rstrip("".join(_REGION_ENDINGS))) if p},
                      key=lambda p: (-len(p), p))
    found = {name}
    bare = name
    while (prefix := next((p for p in prefixes if bare.startswith(p) and len(bare) > len(p)), None)) is not None:
        bare = bare[len(prefix):]
        found.add(bare)
    for start in list(found):
        core = start
        while (form := next((f for f in LEGAL_FORMS if core.endswith(f) and len(core) > len(f)), None)) is not None:
            core = core[:-len(form)]
            found.add(core)
    return sorted((a for a in found if len(a) >= MIN_ALIAS_LENGTH), key=lambda a: (-len(a), a))


def public_title(title: str, secrets: Iterable[str]) -> str:
    """The title as the public may read it: control and direction characters removed, every ``secrets`` entry
    (the enterprise's names and credit code) replaced by 某企业 and every identifying number by ***, however
    they are spelled."""
    text = FORBIDDEN.sub("", title)
    reading, _ = read(text)
    named = [span for secret in secrets if (wanted := read(secret)[0]) for span in _occurrences(reading, wanted)]
    text = _blank(text, named, ANONYMOUS)
    reading, _ = read(text)
    numbers = [(m.start(), m.end(1)) for pattern in _IDENTIFYING for m in pattern.finditer(reading)]
    return _blank(text, numbers, HIDDEN)
