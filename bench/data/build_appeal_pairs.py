"""Build bench/data/appeal_pairs.jsonl from the hand-written problems in appeal_problems.yaml.

    PYTHONPATH=. /work/main/.venv/bin/python bench/data/build_appeal_pairs.py

Duplicates: every two versions of one problem. Non-duplicates: two versions (picked with a fixed seed) of every two
problems of the same category in the same split, the pairs the coordinator actually sees (``similar_appeals`` only
compares appeals of one category). Problems alternate dev/test within their category in file order, so both splits
hold every category and no problem's text is in both.
"""

from __future__ import annotations

import itertools
import json
import random
from collections import defaultdict
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
NEGATIVE_VERSIONS = 2  # version pairs drawn for each two problems


def build() -> list[dict[str, object]]:
    problems = yaml.safe_load((HERE / "appeal_problems.yaml").read_text(encoding="utf-8"))
    rng = random.Random(2115)
    by_category: dict[str, list[dict[str, object]]] = defaultdict(list)
    for problem in problems:
        by_category[problem["category"]].append(problem)
    pairs: list[dict[str, object]] = []

    def add(split: str, category: str, first: dict, second: dict, a: dict, b: dict, note: str) -> None:
        pairs.append({"id": len(pairs) + 1, "split": split, "category": category,
                      "a": {"title": a["title"], "content": a["content"]},
                      "b": {"title": b["title"], "content": b["content"]},
                      "duplicate": first is second, "problems": [first["id"], second["id"]], "note": note})

    for category, members in by_category.items():
        splits = {"dev": members[0::2], "test": members[1::2]}
        for split, group in splits.items():
            for problem in group:
                for a, b in itertools.combinations(problem["versions"], 2):
                    add(split, category, problem, problem, a, b,
                        f"同一问题（{problem['what']}）：{a['how']} / {b['how']}")
            for first, second in itertools.combinations(group, 2):
                combos = list(itertools.product(first["versions"], second["versions"]))
                for a, b in rng.sample(combos, NEGATIVE_VERSIONS):
                    add(split, category, first, second, a, b,
                        f"同类不同问题：{first['what']} / {second['what']}")
    return pairs


def main() -> None:
    pairs = build()
    with (HERE / "appeal_pairs.jsonl").open("w", encoding="utf-8") as out:
        for pair in pairs:
            out.write(json.dumps(pair, ensure_ascii=False) + "\n")
    duplicates = sum(p["duplicate"] for p in pairs)
    print(f"{len(pairs)} pairs, {duplicates} duplicates ({duplicates / len(pairs):.0%})")


if __name__ == "__main__":
    main()
