"""The demo park with and without the listed firms' product lists in training (`copark fit --with-knowledge`).

Usage:
    .venv/bin/python bench/knowledge_fit.py [--chainkg ../shared/data/chainkg]

The demo (66 organizations) is too small to learn from, so `copark match` ranks it with the hand-weighted
fallback. `kb import --chainkg` stores the ChainKG listed firms' product lists, and `copark fit --with-knowledge`
adds them to the training rounds. This script loads the demo into a throw-away SQLite workspace and matches it
both ways. For each way it reports how many opportunities and needs come out and whether each demo regression
(tests/test_demo_regressions.py: nonsense pairs kept out, the article's pairs kept in) holds. It also prints
the needs whose top 3 changed, for reading.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHAINKG = ROOT.parent / "shared" / "data" / "chainkg"


def top(opportunities: Sequence, k: int = 3) -> dict[tuple[str, str], list[str]]:
    """need (organization, text) → its first k opportunities as "offer organization：offer text（score）"."""
    out: dict[tuple[str, str], list[str]] = {}
    for view in opportunities:  # best first within each need
        shown = out.setdefault((view.need_org, view.need_text), [])
        if len(shown) < k:
            shown.append(f"{view.offer_org}：{view.offer_text}（{view.score}）")
    return out


def regressions(runs: dict[str, Sequence]) -> list[tuple[str, dict[str, bool]]]:
    """Each regression test of the demo, applied to each run's opportunities: (name, run → holds)."""
    sys.path.insert(0, str(ROOT / "tests"))
    module = importlib.import_module("test_demo_regressions")
    results = []
    for name in sorted(n for n in dir(module) if n.startswith("test_") and "tempt" not in n):
        held = {}
        for label, found in runs.items():
            try:
                getattr(module, name)(found)
                held[label] = True
            except (AssertionError, StopIteration, TypeError, KeyError):
                held[label] = False
        results.append((name, held))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chainkg", type=Path, default=CHAINKG, help="the ChainKG directory (company_product.jsonl …)")
    args = parser.parse_args(argv)
    if not (args.chainkg / "company_product.jsonl").is_file():
        sys.exit(f"knowledge_fit: {args.chainkg}/company_product.jsonl not found; pass --chainkg DIR")
    from copark import demo
    from copark.knowledge.importers import import_knowledge
    from copark.services.opportunities import fit_ranker, match
    from copark.workspace import Workspace

    with tempfile.TemporaryDirectory(prefix="copark-kbfit-") as tmp:
        workspace = Workspace(f"sqlite:///{Path(tmp) / 'demo.sqlite'}")
        try:
            demo.load_demo(workspace=workspace)
            with workspace.transaction() as session:
                fallback = match(session=session, regions=workspace.regions)
            started = time.perf_counter()
            report = import_knowledge(workspace=workspace, chainkg=args.chainkg)
            with workspace.transaction() as session:
                fitted = fit_ranker(session=session, regions=workspace.regions, knowledge=True)
            seconds = time.perf_counter() - started
            with workspace.transaction() as session:
                learned = match(session=session, regions=workspace.regions)
        finally:
            workspace.close()
    figures = fitted.figures
    print(f"kb import: {report.companies} companies; fit with them: {'learned' if fitted.fitted else 'too few'}, "
          f"{fitted.knowledge_organizations} joined, {figures.get('cases')} held-out cases, "
          f"{figures.get('trees')} trees, check hits@10 {figures.get('check_hits@10')} / MRR "
          f"{figures.get('check_mrr')}; import + fit {seconds:.0f} s")
    runs = {"fallback": fallback.opportunities, "with knowledge": learned.opportunities}
    for label, found in runs.items():
        print(f"{label}: {len(found)} opportunities for {len(top(found))} needs")
    print("| demo regression | " + " | ".join(runs) + " |")
    print("|---|" + "---|" * len(runs))
    for name, held in regressions(runs):
        print(f"| {name} | " + " | ".join("holds" if held[label] else "FAILS" for label in runs) + " |")
    before, after = top(fallback.opportunities), top(learned.opportunities)
    changed = [k for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)]
    print(f"needs whose top 3 changed: {len(changed)}")
    for need in changed:
        print(f"\n{need[0]}｜{need[1]}\n  fallback:       {before.get(need)}\n  with knowledge: {after.get(need)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
