"""The similar-appeal matcher (portal/appeals/similarity.py) and its labelled pairs (bench/data/appeal_pairs.jsonl)."""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest

from portal.appeals.similarity import THRESHOLD, bigrams, normalise, profile, similarity

ROOT = Path(__file__).resolve().parents[2]

# Reported for issue 18: the same metering complaint from a second call, scored 0.27 by the old matcher (Jaccard
# of raw bigrams, offered at 0.35) and so never offered to the coordinator.
DETAILED = ("电费突然翻倍，怀疑计量有误",
            "我公司位于济南高新区舜华路，生产规模和用电设备没有变化，但今年5月的电费比上月高出一倍多，达到12.6万元，"
            "怀疑电能表计量有误，已向供电公司反映，希望尽快上门校验电表并退还多收电费。")
SECOND_CALL = ("舜华路企业5月电费翻了一倍，请校验电表",
               "我司在高新区舜华路，５月份用电费用１２.６万元，比上个月多了一倍多，设备和产量都没变，怀疑电能表计量有误，"
               "请供电公司上门校表，多收电费请退还。")
TEMPLATE = "我公司多次向有关部门反映，{}，至今一直没有得到解决，严重影响企业正常生产经营，希望有关部门高度重视，尽快协调解决。"


@cache
def bench() -> ModuleType:
    """bench/matcher.py (bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location("bench_matcher", ROOT / "bench" / "matcher.py")
    assert spec and spec.loader
    module = sys.modules[spec.name] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def score(a: tuple[str, str], b: tuple[str, str]) -> float:
    return similarity(profile(*a), profile(*b))


def test_the_reported_duplicate_is_now_offered() -> None:
    old = bench().old_similarity({"a": dict(zip(("title", "content"), DETAILED)),
                                  "b": dict(zip(("title", "content"), SECOND_CALL))})
    assert old < 0.35
    assert score(DETAILED, SECOND_CALL) >= THRESHOLD


def test_a_different_problem_told_in_the_same_template_is_not_offered() -> None:
    sewer = ("关于企业反映问题的诉求", TEMPLATE.format("园区污水管网堵塞，生产废水排不出去"))
    subsidy = ("关于企业反映问题的诉求", TEMPLATE.format("申报的技改补助资金半年未拨付"))
    assert score(sewer, subsidy) < THRESHOLD


def test_a_terse_copy_of_a_detailed_appeal_matches() -> None:
    terse = ("电表有问题", "舜华路，5月电费12.6万元，翻了一倍，请校验电能表。")
    assert score(DETAILED, terse) >= THRESHOLD
    assert score(DETAILED, DETAILED) == pytest.approx(1.0)


@pytest.mark.parametrize(("one", "other"), [
    ("用电费用１２６，０００元（５月）", "用电费用126,000元(5月)"),  # full-width digits and punctuation
    ("拖欠三个月", "拖欠3个月"),  # a Chinese numeral before a measure word
    ("贷款800万元", "贷款八百万元"),
    ("2025年3月申请", "2025 年 3 月申请"),  # blanks
    ("ＡＢＣ公司", "abc公司"),
])
def test_normalisation(one: str, other: str) -> None:
    assert normalise(one) == normalise(other)


def test_words_with_a_numeral_keep_it() -> None:
    assert normalise("一直统一") == "一直统一"
    assert normalise("贷款到期。银行") == "贷款到期 银行"


def test_template_phrases_and_punctuation_make_no_bigrams() -> None:
    assert bigrams("我公司希望有关部门尽快协调解决！") == frozenset()
    assert bigrams("电费，太高") == {"电费", "太高"}


def test_empty_text_scores_zero() -> None:
    assert score(("", ""), DETAILED) == 0.0


def test_the_labelled_set_and_the_floor_the_matcher_keeps() -> None:
    """The floor: precision and recall 0.88 on the held-out test split. The matcher reaches 0.922 and 0.908 there
    (one or two more mistakes still pass); the old matcher's recall, 0.169, fails it, as does any matcher that
    offers every pair of a category (precision 0.50)."""
    matcher = bench()
    pairs = matcher.load()
    assert len(pairs) >= 200
    assert 0.35 <= sum(p["duplicate"] for p in pairs) / len(pairs) <= 0.5
    assert {p["split"] for p in pairs} == {"dev", "test"}
    for split in ("dev", "test"):
        new = matcher.metrics(pairs, split)
        assert new.precision >= 0.88 and new.recall >= 0.88, (split, new)
    old = matcher.metrics(pairs, "test", new=False)
    assert not (old.precision >= 0.88 and old.recall >= 0.88), old
