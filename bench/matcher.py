"""Similar-appeal matcher against the labelled pairs in bench/data/appeal_pairs.jsonl.

    PYTHONPATH=. /work/main/.venv/bin/python bench/matcher.py

Scores every pair with the portal's matcher (``portal.appeals.similarity``) and, for comparison, with the matcher
it replaced (Jaccard of raw character bigrams over title + content, offered at 0.35). Prints, per split (dev: where
the weights and threshold were chosen; test: held out) and for all pairs, precision, recall, F1 and the confusion
counts at each matcher's configured threshold, then a threshold sweep of both on each split, then how long the
coordinator's query takes to score 500 candidates.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal.appeals.similarity import THRESHOLD, profile, similarity  # noqa: E402

PAIRS = Path(__file__).resolve().parent / "data" / "appeal_pairs.jsonl"
OLD_THRESHOLD = 0.35
SWEEP = [round(0.05 * i, 2) for i in range(1, 13)]
SPLITS = ("dev", "test", "all")

Pair = dict[str, Any]


def load(path: Path = PAIRS) -> list[Pair]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def old_similarity(pair: Pair) -> float:
    """The matcher before issue 18: Jaccard of the character bigrams of title + content, blanks removed."""
    def grams(text: str) -> set[str]:
        compact = re.sub(r"\s+", "", text)
        return {compact[i:i + 2] for i in range(len(compact) - 1)}
    first, second = grams(pair["a"]["title"] + pair["a"]["content"]), grams(pair["b"]["title"] + pair["b"]["content"])
    return len(first & second) / len(first | second) if first and second else 0.0


def new_similarity(pair: Pair) -> float:
    a, b = pair["a"], pair["b"]
    return similarity(profile(a["title"], a["content"]), profile(b["title"], b["content"]))


@dataclass(frozen=True)
class Counts:
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def counts(scored: Sequence[tuple[float, bool]], threshold: float) -> Counts:
    tp = sum(1 for s, dup in scored if dup and s >= threshold)
    fp = sum(1 for s, dup in scored if not dup and s >= threshold)
    fn = sum(1 for s, dup in scored if dup and s < threshold)
    return Counts(tp, fp, fn, len(scored) - tp - fp - fn)


def in_split(pairs: Sequence[Pair], split: str) -> list[Pair]:
    return list(pairs) if split == "all" else [p for p in pairs if p["split"] == split]


def scored(pairs: Sequence[Pair], matcher: Callable[[Pair], float]) -> list[tuple[float, bool]]:
    return [(matcher(p), p["duplicate"]) for p in pairs]


def metrics(pairs: Sequence[Pair], split: str, new: bool = True) -> Counts:
    """The matcher's counts on one split at its configured threshold (used by the tests too)."""
    matcher, threshold = (new_similarity, THRESHOLD) if new else (old_similarity, OLD_THRESHOLD)
    return counts(scored(in_split(pairs, split), matcher), threshold)


def row(label: str, c: Counts) -> str:
    return (f"{label:<28} precision {c.precision:.3f}  recall {c.recall:.3f}  F1 {c.f1:.3f}  "
            f"TP {c.tp:>3} FP {c.fp:>3} FN {c.fn:>3} TN {c.tn:>3}")


def timing(pairs: Sequence[Pair], candidates: int = 500) -> float:
    """Milliseconds to profile one appeal and score it against ``candidates`` appeals (each profiled too)."""
    texts = [(p[s]["title"], p[s]["content"]) for p in pairs for s in "ab"]
    pool = (texts * (candidates // len(texts) + 1))[:candidates]
    started = time.perf_counter()
    mine = profile(*texts[0])
    for title, content in pool:
        similarity(mine, profile(title, content))
    return (time.perf_counter() - started) * 1000


def main() -> None:
    pairs = load()
    duplicates = sum(p["duplicate"] for p in pairs)
    print(f"{len(pairs)} pairs, {duplicates} duplicates; "
          + ", ".join(f"{s} {len(in_split(pairs, s))}" for s in SPLITS[:2]))
    print()
    for split in SPLITS:
        print(row(f"{split:<4} old (Jaccard) @ {OLD_THRESHOLD:.2f}", metrics(pairs, split, new=False)))
        print(row(f"{split:<4} new @ {THRESHOLD:.2f}", metrics(pairs, split)))
    for split in SPLITS[:2]:
        print(f"\nThreshold sweep, {split} split ({'chosen here' if split == 'dev' else 'held out'})")
        print(f"{'threshold':>9}  {'old P':>6} {'old R':>6} {'old F1':>6}   {'new P':>6} {'new R':>6} {'new F1':>6}")
        old, new = scored(in_split(pairs, split), old_similarity), scored(in_split(pairs, split), new_similarity)
        for threshold in sorted({*SWEEP, THRESHOLD}):
            o, n = counts(old, threshold), counts(new, threshold)
            mark = "  <- configured" if threshold == THRESHOLD else ""
            print(f"{threshold:>9.2f}  {o.precision:>6.3f} {o.recall:>6.3f} {o.f1:>6.3f}   "
                  f"{n.precision:>6.3f} {n.recall:>6.3f} {n.f1:>6.3f}{mark}")
    dev = scored(in_split(pairs, "dev"), new_similarity)
    best = max((counts(dev, t / 100).f1, -t) for t in range(1, 100))
    print(f"\nBest F1 on dev at threshold {-best[1] / 100:.2f} (F1 {best[0]:.3f}); configured {THRESHOLD:.2f}")
    print(f"Scoring one appeal against 500 candidates: {timing(pairs):.1f} ms")


if __name__ == "__main__":
    main()
