"""Measure ranking signals on self-supervised held-out cases (never on cases.csv): model selection happens here."""

from __future__ import annotations

import csv
import sys
import time
from pathlib import Path

import numpy as np

from copark.knowledge.chainkg import load_chainkg
from copark.matching.ranker_selfsup import hold_out
from copark.matching.ranker_signals import OrgProfile, TextIndex

SHARED = Path(__file__).resolve().parents[3] / "shared"
BENCH = SHARED / "bench" / "capability"


def metrics(scores: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    target = scores[np.arange(len(truth)), truth]
    rank = (scores > target[:, None]).sum(axis=1) + 1
    return float((rank <= 10).mean()), float((1.0 / rank).mean())


def main() -> None:
    with (BENCH / "organizations.csv").open(encoding="utf-8") as handle:
        orgs = [OrgProfile(r["org_id"], r["name"], r["region"], r["industry"],
                           tuple(p for p in r["products"].split(";") if p.strip())) for r in csv.DictReader(handle)]
    reduced, cases = hold_out(orgs, limit=1500)
    kb = load_chainkg(SHARED / "data" / "chainkg") if "--kb" in sys.argv else None
    start = time.time()
    index = TextIndex.build(reduced, kb=kb)
    print("build", round(time.time() - start, 1), "cases", len(cases))
    start = time.time()
    sig = index.signals([c.need for c in cases], enabled=frozenset({"industry", "colisting", "kg"}))
    print("signals", round(time.time() - start, 1))
    truth = np.asarray([c.org_index for c in cases])
    for name, values in sig.items():
        print(name, metrics(values + 1e-6 * sig["doc"], truth))


if __name__ == "__main__":
    main()
