"""How alike two appeals read: the score behind ``similar_appeals`` (duplicates offered to the coordinator to merge).

Character bigrams work on Chinese text without word segmentation. Before counting them the text is normalised
(NFKC folds full-width letters, digits and punctuation; every number, in Arabic or Chinese numerals and however
it is grouped, becomes one placeholder; punctuation ends a run of text, blanks are dropped) and the phrases every
appeal is written with (我公司…反映…希望有关部门尽快协调解决) are cut out, so two different problems told in the same
template do not look alike. The score then mixes three views of the shared bigrams:

- containment: shared / the smaller text, so a terse copy of a detailed appeal still matches;
- Jaccard: shared / all, so two long texts sharing a small part do not;
- the title: the larger share of either title found in the other appeal, a short title being the gist.

Weights and ``THRESHOLD`` were chosen on the dev split of bench/data/appeal_pairs.jsonl (bench/matcher.py prints
the sweep); the test split is reported apart. Pure functions, no database: ``profile`` once per appeal, then
``similarity`` per candidate (the coordinator's query scores up to 500).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

THRESHOLD = 0.14
CONTAINMENT_WEIGHT = 0.35
JACCARD_WEIGHT = 0.35
TITLE_WEIGHT = 0.3
NUMBER = "0"  # what every number becomes

# The template of an appeal: who writes, what is asked, the usual adverbs. Cut before bigrams are counted.
BOILERPLATE = sorted("""
我公司 本公司 本企业 我企业 我们 我厂 厂里 公司 企业 反映 希望 尽快 解决 有关部门 相关部门 主管部门 协调 影响
问题 请求 恳请 诉求 关于 多次 至今 一直 目前 已经 情况 办理 申请 处理 落实 帮助 支持 给予 能否 能不能 是否 麻烦
严重 按照 政策 要求 规定 部门 政府 位于 今年 去年 现在 到现在 还没 没有 仍未 迟迟 导致 造成 很大 十分 非常
高度重视 重视 正常 生产经营 得到 答复 予以 及时 切实 积极 向有 感谢
""".split(), key=len, reverse=True)
_BOILERPLATE = re.compile("|".join(map(re.escape, BOILERPLATE)))
_NUMERAL = "零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟"
_NUMBER = re.compile(rf"(?:\d+(?:[.,]\d+)*|[{_NUMERAL}])+")
# A single Chinese numeral is a number only before a measure word (三个月, 一次), not in 一直 or 统一.
_MEASURES = frozenset("个天年月日号万元次家人户名台辆亩吨项倍周笔条层度趟回遍期")
_BLANKS = re.compile(r"\s+")
_NOT_TEXT = re.compile(r"[\W_]+")  # punctuation and symbols: a run of text ends there


def _number(match: re.Match[str]) -> str:
    found, text = match.group(0), match.string
    if len(found) > 1 or found.isdigit() or text[match.end():match.end() + 1] in _MEASURES:
        return NUMBER
    return found


def normalise(text: str) -> str:
    """NFKC, lower case, numbers to one placeholder, blanks dropped, every other non-letter a space."""
    return _NOT_TEXT.sub(" ", _NUMBER.sub(_number, _BLANKS.sub("", unicodedata.normalize("NFKC", text).lower())))


def bigrams(text: str) -> frozenset[str]:
    """The character bigrams of the normalised text with the template phrases cut out."""
    runs = _BOILERPLATE.sub(" ", normalise(text)).split()
    return frozenset(run[i:i + 2] for run in runs for i in range(len(run) - 1))


@dataclass(frozen=True)
class Profile:
    """What the score needs of one appeal, computed once."""

    title: frozenset[str]
    text: frozenset[str]


def profile(title: str, content: str) -> Profile:
    return Profile(bigrams(title), bigrams(f"{title}\n{content}"))


def _share(part: frozenset[str], whole: frozenset[str]) -> float:
    return len(part & whole) / len(part) if part else 0.0


def similarity(a: Profile, b: Profile) -> float:
    """How alike two appeals read, 0–1; ``THRESHOLD`` and above: offered as a duplicate."""
    if not a.text or not b.text:
        return 0.0
    shared = len(a.text & b.text)
    containment = shared / min(len(a.text), len(b.text))
    jaccard = shared / len(a.text | b.text)
    title = max(_share(a.title, b.text), _share(b.title, a.text))
    return CONTAINMENT_WEIGHT * containment + JACCARD_WEIGHT * jaccard + TITLE_WEIGHT * title
