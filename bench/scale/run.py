"""Scale benchmark of the matching engine on synthetic-but-realistic offers (one command, sizes via args).

    .venv/bin/python bench/scale/run.py                      # 10k and 100k offers
    .venv/bin/python bench/scale/run.py --sizes 1000000      # 1M on demand (minutes, several GB)
    .venv/bin/python bench/scale/run.py --sizes 1000000 --needs 100000 --workers 2   # the 100k × 1M batch

Offers are product names and aliases from copark's knowledge CSVs with modifiers (医用/高效/精密 …) and
suffixes, held by organizations spread over Hunan's counties; needs come from 雨花区 firms. Measures index
build time, single-need latency p50/p95, batch throughput (match_batch over --workers forked processes),
peak RSS, brute-force (exact) time per need, and recall@10 of the index against exact scoring of every
allowed offer. Prints one JSON object per size.
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import random
import resource
import statistics
import sys
import time
from importlib import resources
from pathlib import Path

from copark.matching.batch import match_batch
from copark.matching.engine import Match, MatchEngine, PairRule
from copark.matching.features import ItemDoc, OrgDoc
from copark.matching.ranker import LearnedRanker
from copark.parsing.regions import builtin_regions

MODIFIERS = ["医用", "高效", "工业级", "精密", "环保", "耐高温", "食品级", "微型", "定制", "汽车用", "高纯", "柔性",
             "一次性", "防水", "家用", "出口级", "低阻", "超薄", "大功率", "高强度", ""]
SUFFIXES = ["", "", "", "（可定制）", "及配件", "批量供应", "OEM"]
KINDS = ["product", "product", "material", "material", "processing"]
NEED_REGION = "430111"  # 雨花区
PARTNER = "431224"  # 溆浦县


def knowledge_products() -> list[tuple[str, str]]:
    """(name, industry code) of every product and alias in the knowledge CSVs."""
    folder = resources.files("copark.knowledge") / "data"
    out = []
    for entry in folder.iterdir():
        if entry.name.startswith("products_") and entry.name.endswith(".csv"):
            with entry.open(encoding="utf-8") as handle:
                for row in csv.DictReader(handle):
                    code = (row.get("industry_code") or "").strip()
                    out.append((row["name"].strip(), code))
                    out += [(a.strip(), code) for a in (row.get("aliases") or "").split(";") if a.strip()]
    return out


def synthesize(n_offers: int, n_needs: int, seed: int = 20250101) -> tuple[list[ItemDoc], dict[int, OrgDoc], list[ItemDoc]]:
    rng = random.Random(seed)
    products = knowledge_products()
    regions = [r for r in builtin_regions().by_code.values() if r.level == 2 and r.code.startswith("43")]
    n_orgs = max(50, n_offers // 8)
    orgs: dict[int, OrgDoc] = {}
    for oid in range(1, n_orgs + 1):
        # a fifth of the suppliers sit in the paired county, as in a co-built park
        region = rng.choice(regions) if rng.random() > 0.2 else builtin_regions().by_code[PARTNER]
        if oid <= 200:
            region = builtin_regions().by_code[NEED_REGION]
        code = rng.choice(products)[1]
        orgs[oid] = OrgDoc(id=oid, name=f"企业{oid}", region_code=region.code, industry_code=code,
                           lonlat=(region.longitude, region.latitude) if region.longitude else None)
    offers = []
    for i in range(n_offers):
        name, _ = rng.choice(products)
        text = rng.choice(MODIFIERS) + name + rng.choice(SUFFIXES)
        offers.append(ItemDoc(id=i, org_id=rng.randint(201, n_orgs), direction="offer", kind=rng.choice(KINDS),
                              text=text, annual_value=rng.choice([None, rng.uniform(1e6, 1e8)])))
    needs = []
    for j in range(n_needs):
        name, _ = rng.choice(products)
        needs.append(ItemDoc(id=10_000_000 + j, org_id=rng.randint(1, 200), direction="need",
                             kind=rng.choice(["material", "product"]), text=rng.choice(MODIFIERS) + name,
                             annual_value=rng.choice([None, rng.uniform(1e6, 5e7)])))
    return offers, orgs, needs


def peak_rss_mb() -> float:
    """Peak RSS of this process and of the largest finished worker (forked workers share pages with us)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return max(own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024.0


def compact(match: Match) -> tuple[int, int, float, str]:
    """What a worker sends back per match in the bench: need id, offer id, score, mode."""
    return match.need.id, match.offer.id, match.score, match.mode.value


def bench_model(directory: Path, graph: object) -> LearnedRanker:
    """The learned ranker `copark fit` gives on a benchmark's organizations (e.g. ../shared/bench/capability),
    or one saved before (a .json file of `LearnedRanker.to_json`, e.g. written by --save-model)."""
    from copark.matching.signals import SIGNALS
    from copark.services.evaluation import load_bench

    if directory.is_file():
        return LearnedRanker.from_json(directory.read_text(encoding="utf-8"))
    bench = load_bench(directory)
    orgs = {i: OrgDoc(id=i, name=p.name, industry_text=p.industry) for i, p in enumerate(bench.orgs, start=1)}
    offers = [ItemDoc(id=None, org_id=i, direction="offer", kind="product", text=text)
              for i, p in enumerate(bench.orgs, start=1) for text in p.products]
    ranker = MatchEngine(offers=offers, orgs=orgs, graph=graph).fit_ranker(enabled=frozenset(SIGNALS) - {"dense"})
    assert ranker is not None
    return ranker


def run_size(n_offers: int, *, n_needs: int, n_queries: int, n_exact: int, use_graph: bool,
             workers: int = 1, explained: bool = True, learned: bool = False, model_from: Path | None = None,
             save_model: Path | None = None,
             ) -> dict:
    offers, orgs, needs = synthesize(n_offers, max(n_needs, n_queries, n_exact))
    graph = None
    if use_graph:
        from copark.knowledge.graph import load_graph

        graph = load_graph()
    rule = PairRule(cross_region=True, pairings=((PARTNER, NEED_REGION),))
    started = time.perf_counter()
    engine = MatchEngine(offers=offers, orgs=orgs, graph=graph, workers=workers)
    build_s = time.perf_counter() - started
    fit_s, fitted = None, {}
    if model_from is not None:  # a model that learned something (synthetic lists teach nothing): real tree count
        engine.ranker = bench_model(model_from, graph)
        if save_model is not None:
            save_model.write_text(engine.ranker.to_json(), encoding="utf-8")
        fitted = {"from": str(model_from), **engine.ranker.figures}
        started = time.perf_counter()
        engine.signals.orgs  # noqa: B018 - the organisation-level index, built on first use, is part of the build
        build_s += time.perf_counter() - started
    elif learned:  # what `copark fit` does: the learned ranker fitted on these offer lists, then used by match
        from copark.matching.signals import SIGNALS

        started = time.perf_counter()
        engine.ranker = engine.fit_ranker(enabled=frozenset(SIGNALS) - {"dense"}, seed=13)
        fit_s = time.perf_counter() - started
        fitted = engine.ranker.figures if engine.ranker else {"fitted": False}
        started = time.perf_counter()
        engine.signals.orgs  # noqa: B018 - the organisation-level index, built on first use, is part of the build
        build_s += time.perf_counter() - started

    latencies = []
    for need in needs[:n_queries]:
        t0 = time.perf_counter()
        engine.match_need(need, top=10, rule=rule)
        latencies.append((time.perf_counter() - t0) * 1000)
    latencies.sort()
    print(json.dumps({"offers": n_offers, "build_s": round(build_s, 1), "fit_s": None if fit_s is None else
                      round(fit_s, 1), "fit": fitted, "latency_ms_p50": round(statistics.median(latencies), 1),
                      "latency_ms_p95": round(latencies[int(0.95 * (len(latencies) - 1))], 1),
                      "stage": "single needs done, batch next"}, ensure_ascii=False), file=sys.stderr, flush=True)

    batch = needs[:n_needs]
    t0 = time.perf_counter()
    matched = match_batch(engine, batch, top=10, rule=rule, workers=workers, reduce=compact, explained=explained)
    batch_s = time.perf_counter() - t0

    recalls, exact_ms, index_ms = [], [], []
    for need in needs[:0 if engine.ranker is not None else n_exact]:  # exact search is of the hand-weighted score
        t0 = time.perf_counter()
        exact = engine.exact(need, top=10, rule=rule)
        exact_ms.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        fast = engine.match_need(need, top=10, rule=rule)
        index_ms.append((time.perf_counter() - t0) * 1000)
        want = {(m.offer.org_id, m.score) for m in exact}
        if want:
            recalls.append(len(want & {(m.offer.org_id, m.score) for m in fast}) / len(want))
    return {
        "offers": n_offers,
        "orgs": len(orgs),
        "graph": use_graph,
        "distinct_offer_texts": len({o.text for o in offers}),
        "chain_tagged_offers": sum(1 for n in engine.offer_node if n),
        "workers": workers,
        "build_s": round(build_s, 1),
        "learned": learned or model_from is not None,
        "fit_s": None if fit_s is None else round(fit_s, 1),
        "fit": fitted,
        "latency_ms_p50": round(statistics.median(latencies), 1),
        "latency_ms_p95": round(latencies[int(0.95 * (len(latencies) - 1))], 1),
        "batch_needs": len(batch),
        "batch_explained": explained,
        "batch_distinct_texts": len({n.text for n in batch}),
        "batch_matches": len(matched),
        "batch_s": round(batch_s, 1),
        "batch_needs_per_s": round(len(batch) / batch_s, 1),
        "exact_ms_per_need": round(statistics.mean(exact_ms), 1) if exact_ms else None,
        "speedup_vs_exact": round(statistics.mean(exact_ms) / statistics.mean(index_ms), 1) if exact_ms else None,
        "recall_at_10_vs_exact": round(statistics.mean(recalls), 3) if recalls else None,
        "exact_sample": len(recalls),
        "peak_rss_mb": round(peak_rss_mb()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--needs", type=int, default=1000, help="needs in the batch-throughput run")
    parser.add_argument("--queries", type=int, default=200, help="single-need queries timed for p50/p95")
    parser.add_argument("--exact", type=int, default=20, help="needs scored by brute force for recall/ratio")
    parser.add_argument("--workers", type=int, default=1, help="processes for the build and the batch (fork)")
    parser.add_argument("--no-explain", action="store_true", help="batch without building explanations")
    parser.add_argument("--no-graph", action="store_true", help="lexical retrieval only")
    parser.add_argument("--learned", action="store_true", help="fit the learned ranker first (copark fit)")
    parser.add_argument("--model-from", type=Path, help="use the learned ranker fitted on this benchmark's "
                        "organizations (a model with real trees) instead of fitting on the synthetic offers; "
                        "or a model saved with --save-model")
    parser.add_argument("--save-model", type=Path, help="write the model --model-from fitted to this .json file")
    parser.add_argument("--output", type=Path, help="append results as JSON lines here")
    args = parser.parse_args()
    print(json.dumps({"machine": f"{platform.processor() or platform.machine()}, {platform.python_version()}"}))
    for size in args.sizes:
        result = run_size(size, n_needs=args.needs, n_queries=args.queries, n_exact=args.exact,
                          use_graph=not args.no_graph, workers=args.workers,
                          explained=not args.no_explain, learned=args.learned, model_from=args.model_from,
                          save_model=args.save_model)
        line = json.dumps(result, ensure_ascii=False)
        print(line, flush=True)
        if args.output:
            with args.output.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")


if __name__ == "__main__":
    main()
