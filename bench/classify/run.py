"""Industry classification benchmark: top-1/top-3 accuracy of classify_industry on labelled.csv.

Usage: .venv/bin/python bench/classify/run.py [--errors N]
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
LABELLED = HERE / "labelled.csv"


@dataclass
class Scores:
    """Accuracy at division level (all rows) and class level (rows labelled with a class)."""

    rows: int = 0
    div_top1: int = 0
    div_top3: int = 0
    class_rows: int = 0
    class_top1: int = 0
    class_top3: int = 0
    by_source: dict[str, list[int]] = field(default_factory=dict)  # source → [rows, top1, top3]
    misses: list[tuple[str, str, list[str]]] = field(default_factory=list)
    seconds: float = 0.0
    load_seconds: float = 0.0

    def rate(self, hits: int, total: int) -> float:
        return hits / total if total else 0.0


SCOPES = HERE.parents[2] / "shared" / "data" / "hunan_enterprises" / "hunan_2018_2019_mfg_nopii.csv"


def scope_excerpt(scope: str, clauses: int) -> str:
    """The first `clauses` clauses of a business scope, at most 60 characters (how scope rows were labelled)."""
    parts = [c for c in re.split(r"[；;。]", scope) if c.strip()]
    return "；".join(parts[:clauses])[:60]


def read_labelled(path: Path = LABELLED, scopes: Path = SCOPES) -> list[dict[str, str]]:
    """Labelled rows; scope rows hold only a reference (uscc#clauses) resolved from ../shared, never the text.

    The Hunan registrations are CC BY-NC-SA and stay outside the repository: without ../shared those rows
    are left out.
    """
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    wanted = {r["ref"].split("#")[0] for r in rows if r.get("ref")}
    found: dict[str, str] = {}
    if wanted and scopes.is_file():
        with scopes.open(encoding="utf-8", newline="") as handle:
            found = {r["uscc"]: r["business_scope"] for r in csv.DictReader(handle) if r["uscc"] in wanted}
    resolved = []
    for row in rows:
        if row.get("ref"):
            uscc, clauses = row["ref"].split("#")
            if uscc not in found:
                continue
            row = {**row, "text": scope_excerpt(found[uscc], int(clauses))}
        resolved.append(row)
    return resolved


def evaluate(rows: list[dict[str, str]] | None = None) -> Scores:
    """Classify every labelled text and count hits (a class hit: the guessed code starts with the class)."""
    from copark.knowledge.classify import classify_industry

    rows = rows if rows is not None else read_labelled()
    scores = Scores()
    started = time.perf_counter()
    classify_industry("医用护理垫")  # loads dictionaries and models once, timed apart from classifying
    scores.load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for row in rows:
        guesses = classify_industry(row["text"], top=3)
        divisions = [g.code[:2] for g in guesses]
        gold = row["division"].strip().zfill(2)
        scores.rows += 1
        top1 = divisions[:1] == [gold]
        top3 = gold in divisions
        scores.div_top1 += top1
        scores.div_top3 += top3
        source = scores.by_source.setdefault(row.get("source", ""), [0, 0, 0])
        source[0] += 1
        source[1] += top1
        source[2] += top3
        if not top3:
            scores.misses.append((row["text"], gold, [g.code for g in guesses]))
        gold_class = (row.get("class") or "").strip()
        if gold_class:
            codes = [g.code for g in guesses]
            scores.class_rows += 1
            scores.class_top1 += bool(codes) and codes[0] == gold_class
            scores.class_top3 += gold_class in codes
    scores.seconds = time.perf_counter() - started
    return scores


def machine() -> str:
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", type=int, default=0, help="print this many misses (gold not in top 3)")
    args = parser.parse_args(argv)
    s = evaluate()
    print(f"rows: {s.rows} ({', '.join(f'{k}: {v[0]}' for k, v in sorted(s.by_source.items()))})")
    print(f"division top-1: {s.rate(s.div_top1, s.rows):.3f}  top-3: {s.rate(s.div_top3, s.rows):.3f}")
    for source, (n, t1, t3) in sorted(s.by_source.items()):
        print(f"  {source}: top-1 {t1 / n:.3f}  top-3 {t3 / n:.3f}")
    print(f"class ({s.class_rows} rows labelled with a class) top-1: {s.rate(s.class_top1, s.class_rows):.3f}"
          f"  top-3: {s.rate(s.class_top3, s.class_rows):.3f}")
    print(f"time: loading {s.load_seconds:.2f} s, then {1000 * s.seconds / max(s.rows, 1):.1f} ms/text")
    print(f"machine: {machine()}")
    for text, gold, got in s.misses[: args.errors]:
        print(f"  MISS {gold} ← {text[:50]}  got {got}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
