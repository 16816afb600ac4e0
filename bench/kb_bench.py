"""Knowledge-base benchmark: chainkg import, graph load, neighbourhood lookups, demo inference recall.

Usage: .venv/bin/python bench/kb_bench.py [--chainkg ../shared/data/chainkg] [--gbt FILE] [--skip-import]
Targets: the 110k-relation import under 30 s and ~1 GB RSS on SQLite; a neighbourhood lookup well under 1 ms.
The demo recall removes each demo enterprise's declared needs, infers needs from its products, and counts the
declared needs an inferred one meets (same / subcategory / parent / sibling, via ChainGraph.relation).
"""

from __future__ import annotations

import argparse
import platform
import resource
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from copark.knowledge.importers import import_knowledge
from copark.knowledge.store import load_graph
from copark.services.inference import infer_needs
from copark.storage.tables import Organization
from copark.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def per_call_us(func, repeat: int = 2000) -> float:  # noqa: ANN001
    func()  # warm-up
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(repeat):
            func()
        samples.append((time.perf_counter() - start) / repeat * 1e6)
    return statistics.median(samples)


def demo_recall(workspace: Workspace, tmp: Path) -> None:
    from copark.demo import demo_paths
    from copark.io.importer import import_files

    import_files(workspace=workspace, paths=demo_paths(), skip_bad_rows=True, rejects_path=tmp / "rejects.csv",
                 source="demo")
    met = total = orgs = 0
    with workspace.transaction() as session:
        graph = load_graph(session, min_confidence=0.35)
        for org in session.scalars(select(Organization)).all():
            declared = [i.text for i in org.items if i.direction == "need" and i.origin == "declared"]
            if not declared or not (org.products or any(i.direction == "offer" for i in org.items)):
                continue
            for item in [i for i in org.items if i.direction == "need"]:
                org.items.remove(item)
            session.flush()
            inferred = [i.text for i in infer_needs(session=session, organization=org, graph=graph)]
            orgs += 1
            for need in declared:
                total += 1
                links = (graph.relation(need, offer) for offer in inferred)
                if any(link and link.kind in {"same", "subcategory", "parent", "sibling"} for link in links):
                    met += 1
        session.rollback()
    print(f"demo recall: {met}/{total} declared needs met by an inferred need ({met / max(total, 1):.0%}),"
          f" {orgs} enterprises with products and needs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chainkg", type=Path, default=SHARED / "chainkg")
    parser.add_argument("--gbt", type=Path, default=SHARED / "gbt4754_2017" / "gbt4754_2017.csv")
    parser.add_argument("--min-confidence", type=float, default=0.0)
    parser.add_argument("--skip-import", action="store_true")
    args = parser.parse_args()
    print(f"machine: {platform.platform()}, python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        workspace = Workspace(f"sqlite:///{tmp / 'kb.sqlite'}")
        if not args.skip_import and args.chainkg.is_dir():
            start = time.perf_counter()
            report = import_knowledge(workspace=workspace, gbt=args.gbt if args.gbt.is_file() else None,
                                      chainkg=args.chainkg, min_confidence=args.min_confidence)
            r = report.relations
            assert r is not None
            print(f"import: {r.relations} relations, {r.nodes} nodes, {report.industries_created} industries "
                  f"in {time.perf_counter() - start:.1f} s; peak RSS {rss_mb():.0f} MB")
        with workspace.transaction() as session:
            start = time.perf_counter()
            graph = load_graph(session, min_confidence=0.35)
            print(f"graph load (curated + imported, min_confidence 0.35): {len(graph)} nodes, "
                  f"{graph.edge_count()} edges in {time.perf_counter() - start:.2f} s; peak RSS {rss_mb():.0f} MB")
        probe = next((n for n in ("海绵", "制氧机", "印制电路板", "无纺布") if n in graph), graph.names[0])
        print(f"upstream({probe}, 1): {per_call_us(lambda: graph.upstream(probe, 1)):.1f} µs; "
              f"upstream({probe}, 2): {per_call_us(lambda: graph.upstream(probe, 2)):.1f} µs; "
              f"downstream({probe}, 2): {per_call_us(lambda: graph.downstream(probe, 2)):.1f} µs")
        print(f"match_nodes exact: {per_call_us(lambda: graph.match_nodes(probe), 500):.1f} µs; "
              f"head (医用{probe}): {per_call_us(lambda: graph.match_nodes('医用' + probe), 200):.1f} µs; "
              f"fuzzy (石英晶振片): {per_call_us(lambda: graph.match_nodes('石英晶振片x'), 20):.0f} µs")
        print(f"relation(过滤棉, 空气过滤材料): "
              f"{per_call_us(lambda: graph.relation('过滤棉', '空气过滤材料'), 200):.0f} µs")
        demo_recall(Workspace(f"sqlite:///{tmp / 'demo.sqlite'}"), tmp)
        workspace.close()


if __name__ == "__main__":
    main()
