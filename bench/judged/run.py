"""Judged set: how well copark's match and a TF-IDF baseline find suppliers for realistic 需求清单 entries.

Usage:
    .venv/bin/python bench/judged/run.py                      # rank, grow the pool, score against grades.csv
    .venv/bin/python bench/judged/run.py --grading-sheet /tmp/sheet.csv --only-unjudged
    .venv/bin/python bench/judged/run.py --set listed         # the listed firms' product lists (listed/)

Three sets, each with its own needs, pool and grades:
- hunan (this folder): the 3,578 Hunan registrations in ../shared, imported through
  `copark.io.importer.import_files` as a 企业 CSV with 企业名称, 统一社会信用代码 and 经营范围 (offers read from the
  registered scope);
- listed (listed/): the 3,832 listed firms of ../shared/bench/capability with their product lists, imported as
  `copark evaluate` imports them (offers named by the firm, as in a park's 资源清单);
- capability (capability/): every third case of ../shared/bench/capability (100 of its needs, product names)
  against the same listed firms, every proposed firm graded, not only the one the benchmark keeps.
One buyer with the set's needs.csv as its 需求清单 is added, and `copark.services.opportunities.match` (what
`copark match --org … --any-region` calls) ranks suppliers. Only ids are stored here: the firms' texts are
rebuilt from ../shared when needed (the Hunan scopes are CC BY-NC-SA).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import platform
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
NEEDS = HERE / "needs.csv"
POOL = HERE / "pool.csv"
GRADES = HERE / "grades.csv"
README = HERE / "README.md"
SCOPES = ROOT.parent / "shared" / "data" / "hunan_enterprises" / "hunan_2018_2019_mfg_nopii.csv"
LISTED = ROOT.parent / "shared" / "bench" / "capability" / "organizations.csv"
CAPABILITY_CASES = LISTED.parent / "cases.csv"
BUYER = "判定集采购方"
TOP = 10
GAIN = {0: 0.0, 1: 1.0, 2: 3.0}  # nDCG gains of grades 0/1/2

Rankings = dict[str, dict[str, list[str]]]  # ranker → need_id → firm ids (uscc, org_id), best first


@dataclass(frozen=True)
class JudgedSet:
    """One judged set: its needs, pool and grades, and the firms they are matched against."""

    name: str
    folder: Path
    firm: str                    # the firms' id column in the registry, pool.csv and grades.csv
    registry: Path
    shown: tuple[str, ...]       # registry columns the grader reads beside the name
    marker: str                  # the README block its figures go to
    #: a capability cases.csv: needs.csv then holds case ids only (need_id = case_id) and the texts are read from
    #: it, so the benchmark's cases are never copied here
    cases: Path | None = None

    @property
    def needs(self) -> Path:
        return self.folder / "needs.csv"

    @property
    def pool(self) -> Path:
        return self.folder / "pool.csv"

    @property
    def grades(self) -> Path:
        return self.folder / "grades.csv"


SETS = {
    "hunan": JudgedSet("hunan", HERE, "uscc", SCOPES, ("business_scope",), "judged"),
    "listed": JudgedSet("listed", HERE / "listed", "org_id", LISTED, ("industry", "products"), "judged-listed"),
    "capability": JudgedSet("capability", HERE / "capability", "org_id", LISTED, ("industry", "products"),
                            "judged-capability", cases=CAPABILITY_CASES),
}


# ---- data -------------------------------------------------------------------------------------------
def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def read_needs(path: Path = NEEDS, cases: Path | None = None) -> list[dict[str, str]]:
    """needs.csv; with `cases` (a capability cases.csv), its case ids with the cases' need texts."""
    needs = read_csv(path)
    if cases is None:
        return needs
    texts = {row["case_id"]: row["need_text"] for row in read_registry(cases)}
    unknown = [n["need_id"] for n in needs if not texts.get(n["need_id"])]
    if unknown:
        sys.exit(f"judged: {path}: {', '.join(unknown[:5])} are no case with a need text in {cases}")
    return [{**n, "need_text": texts[n["need_id"]]} for n in needs]


def read_registry(path: Path = SCOPES) -> list[dict[str, str]]:
    """The firms of a set (Hunan: name, uscc, business_scope; listed: org_id, name, industry, products …); exits
    with a clear message without ../shared."""
    if not path.is_file():
        sys.exit(f"judged: {path} not found; this benchmark needs ../shared beside the project")
    return read_csv(path)


def read_pool(path: Path = POOL, firm: str = "uscc") -> set[tuple[str, str]]:
    return {(r["need_id"], r[firm]) for r in read_csv(path)} if path.is_file() else set()


def write_pool(path: Path, pairs: Iterable[tuple[str, str]], firm: str = "uscc") -> None:
    """One row per (need_id, firm id), sorted, nothing saying which ranker proposed it."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["need_id", firm])
        writer.writerows(sorted(set(pairs)))


def read_grades(path: Path = GRADES, firm: str = "uscc") -> dict[tuple[str, str], int]:
    if not path.is_file():
        return {}
    grades = {}
    for row in read_csv(path):
        grade = int(row["grade"])
        if grade not in GAIN:
            sys.exit(f"judged: {path}: grade {grade} for {row['need_id']},{row[firm]} is not 0, 1 or 2")
        grades[(row["need_id"], row[firm])] = grade
    return grades


# ---- ranking ----------------------------------------------------------------------------------------
def write_import_files(folder: Path, registry: Sequence[Mapping[str, str]], needs: Sequence[Mapping[str, str]]) -> list[Path]:
    """The Hunan registry as a user would load it (企业 with 经营范围) plus the buyer's needs as 清单明细 rows."""
    orgs, items = folder / "企业.csv", folder / "清单明细.csv"
    with orgs.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["企业名称", "统一社会信用代码", "经营范围"])
        writer.writerows([r["name"], r["uscc"], r["business_scope"]] for r in registry)
        writer.writerow([BUYER, "", ""])
    with items.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["企业名称", "资源/需求", "内容"])
        writer.writerows([BUYER, "需求", n["need_text"]] for n in needs)
    return [orgs, items]


def tfidf_top(needs: Sequence[Mapping[str, str]], offers: Mapping[str, str], top: int = TOP) -> dict[str, list[str]]:
    """Character 1–3-gram TF-IDF of each need against each organization's offer text; score > 0 only."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    ids = sorted(offers)
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True)
    matrix = vectorizer.fit_transform([offers[i] for i in ids])
    scores = (vectorizer.transform([n["need_text"] for n in needs]) @ matrix.T).toarray()
    out = {}
    for need, row in zip(needs, scores, strict=True):
        order = np.lexsort((np.arange(len(ids)), -row))[:top]  # ties: registry order (uscc), stable
        out[need["need_id"]] = [ids[i] for i in order if row[i] > 0]
    return out


def write_listed_files(folder: Path, registry: Sequence[Mapping[str, str]], needs: Sequence[Mapping[str, str]],
                       ) -> tuple[list[Path], str, dict[str, str]]:
    """The listed firms as `copark evaluate` imports them (products as offer items) and the needs as its buyer's:
    (files, buyer, imported name → org_id)."""
    from copark.matching.orgsignals import OrgProfile
    from copark.services.evaluation import Bench, BenchCase
    from copark.services.evaluation import write_import_files as write_bench_files

    orgs = [OrgProfile(r["org_id"], r["name"], r.get("region", ""), r.get("industry", ""),
                       tuple(p.strip() for p in r["products"].split(";") if p.strip()), r.get("description", ""))
            for r in registry]
    cases = [BenchCase(n["need_id"], "", n["need_text"], ()) for n in needs]
    files, names, buyer = write_bench_files(Bench(orgs, cases), folder)
    return files, buyer, {name: org_id for org_id, name in names.items()}


def rank(registry: Sequence[Mapping[str, str]], needs: Sequence[Mapping[str, str]], *, seed: int = 13,
         judged_set: JudgedSet = SETS["hunan"]) -> tuple[Rankings, dict[str, float]]:
    """Import through copark, match the buyer's needs as `copark match` does, and run the TF-IDF baseline.

    `seed` is `copark fit`'s (13 by default, what users get); other seeds show how much the figures owe to it."""
    from sqlalchemy import select

    from copark.io.importer import import_files
    from copark.services.opportunities import fit_ranker, match
    from copark.storage.tables import Item, Organization
    from copark.workspace import Workspace

    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="copark-judged-") as tmp:
        folder = Path(tmp)
        workspace = Workspace(f"sqlite:///{folder / 'judged.sqlite'}")
        try:
            started = time.perf_counter()
            by_name: dict[str, str] | None = None  # listed firms are told apart by name, Hunan ones by uscc
            if judged_set.firm == "uscc":
                files, buyer = write_import_files(folder, registry, needs), BUYER
            else:
                files, buyer, by_name = write_listed_files(folder, registry, needs)
            import_files(workspace=workspace, paths=files)
            timings["import"] = time.perf_counter() - started
            started = time.perf_counter()
            with workspace.transaction() as session:  # `copark fit`, as a user does after importing lists
                fitted = fit_ranker(session=session, regions=workspace.regions, seed=seed)
            timings["fit"] = time.perf_counter() - started
            timings["learned"] = float(fitted.fitted)
            started = time.perf_counter()
            with workspace.transaction() as session:
                run = match(session=session, org=buyer, cross_region=False, top=TOP, regions=workspace.regions)
                firm_of: dict[int, Any] = {
                    org_id: (uscc if by_name is None else by_name.get(name))
                    for org_id, name, uscc in session.execute(
                        select(Organization.id, Organization.name, Organization.credit_code)).tuples()}
                # the buyer's need items in file order: the importer may keep part of a text as the quantity
                # (钢结构厂房制作安装，约5000平方米 → 钢结构厂房制作安装, 5000 平方米), so needs are told apart by item
                need_items = session.execute(select(Item.id).join(Organization).where(
                    Organization.name == buyer, Item.direction == "need").order_by(Item.id)).scalars().all()
                offers: dict[str, list[str]] = {}
                for org_id, text in session.execute(select(Item.organization_id, Item.text).where(
                        Item.direction == "offer").order_by(Item.id)):
                    if firm_of.get(org_id):
                        offers.setdefault(firm_of[org_id], []).append(text)
            timings["match"] = time.perf_counter() - started
        finally:
            workspace.close()
    if len(need_items) != len(needs):
        raise SystemExit(f"the buyer holds {len(need_items)} needs after import, {len(needs)} were written")
    need_id = {item: n["need_id"] for item, n in zip(need_items, needs, strict=True)}
    engine: dict[str, list[str]] = {n["need_id"]: [] for n in needs}
    for view in run.opportunities:  # best first within each need
        found = engine[need_id[view.need_item_id]]
        firm = firm_of.get(view.offer_org_id)
        if firm and firm not in found and len(found) < TOP:
            found.append(firm)
    started = time.perf_counter()
    baseline = tfidf_top(needs, {u: "；".join(texts) for u, texts in offers.items()})
    timings["tfidf"] = time.perf_counter() - started
    return {"copark": engine, "tfidf": baseline}, timings


# ---- metrics ----------------------------------------------------------------------------------------
@dataclass
class Figures:
    """One ranker's scores over the judged needs."""

    needs: int
    p5: float
    strict_p5: float
    ndcg10: float
    no_result: int
    no_relevant: int
    unjudged: int

    @classmethod
    def mean(cls, runs: Sequence[Figures]) -> Figures:
        """Rates averaged over runs (e.g. fit seeds); counts are the worst run's."""
        n = len(runs)
        return cls(runs[0].needs, sum(f.p5 for f in runs) / n, sum(f.strict_p5 for f in runs) / n,
                   sum(f.ndcg10 for f in runs) / n, max(f.no_result for f in runs),
                   max(f.no_relevant for f in runs), max(f.unjudged for f in runs))

    def as_dict(self) -> dict[str, float | int]:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in self.__dict__.items()}


def ndcg(ranked: Sequence[str], need: str, grades: Mapping[tuple[str, str], int], judged: Sequence[int]) -> float:
    """nDCG@10, gains 0/1/3; the ideal ranks every judged pair of the need; 0 when none is relevant."""
    dcg = sum(GAIN[grades.get((need, u), 0)] / math.log2(i + 2) for i, u in enumerate(ranked[:TOP]))
    ideal = sum(GAIN[g] / math.log2(i + 2) for i, g in enumerate(sorted(judged, reverse=True)[:TOP]))
    return dcg / ideal if ideal else 0.0


def score(ranking: Mapping[str, Sequence[str]], grades: Mapping[tuple[str, str], int],
          need_ids: Sequence[str]) -> Figures:
    """P@5 (grade ≥ 1; strict: grade 2, both over 5 slots), nDCG@10, unanswered and unjudged counts.

    An unjudged pair counts as grade 0.
    """
    by_need: dict[str, list[int]] = {}
    for (need, _), grade in grades.items():
        by_need.setdefault(need, []).append(grade)
    p5 = strict = total_ndcg = 0.0
    no_result = no_relevant = unjudged = 0
    for need in need_ids:
        ranked = list(ranking.get(need, []))[:TOP]
        got = [grades.get((need, u)) for u in ranked]
        unjudged += sum(g is None for g in got)
        values = [g or 0 for g in got]
        p5 += sum(g >= 1 for g in values[:5]) / 5
        strict += sum(g == 2 for g in values[:5]) / 5
        total_ndcg += ndcg(ranked, need, grades, by_need.get(need, []))
        no_result += not ranked
        no_relevant += not any(g >= 1 for g in values)
    n = max(len(need_ids), 1)
    return Figures(len(need_ids), p5 / n, strict / n, total_ndcg / n, no_result, no_relevant, unjudged)


def report(rankings: Rankings, need_ids: Sequence[str], *, pool_path: Path = POOL, grades_path: Path = GRADES,
           allow_unjudged: bool = False, firm: str = "uscc") -> tuple[int, dict[str, Figures]]:
    """Score every ranker; exit code 1 (and no figures) when the pool still has unjudged pairs."""
    grades = read_grades(grades_path, firm)
    missing = sorted(read_pool(pool_path, firm) - set(grades))
    if missing and not allow_unjudged:
        print(f"judged: {len(missing)} pool pairs have no grade in {grades_path.name} "
              f"(first: {missing[0][0]},{missing[0][1]}). Write a grading sheet with "
              "`--grading-sheet FILE --only-unjudged`, grade it per GRADING.md, add the grades, "
              "or pass --allow-unjudged to score them as 0.", file=sys.stderr)
        return 1, {}
    return 0, {name: score(ranking, grades, need_ids) for name, ranking in rankings.items()}


# ---- grading sheet and README -----------------------------------------------------------------------
def write_grading_sheet(path: Path, pairs: Iterable[tuple[str, str]], needs: Sequence[Mapping[str, str]],
                        registry: Sequence[Mapping[str, str]], judged_set: JudgedSet = SETS["hunan"]) -> int:
    """A sheet for the grader: need, enterprise and what it offers (Hunan: its registered scope; listed: its industry
    and products), by need then firm id (nothing else)."""
    if path.resolve().is_relative_to(ROOT):
        sys.exit(f"judged: {path} is inside the repository; the sheet holds the firms' texts, write it elsewhere")
    texts = {n["need_id"]: n["need_text"] for n in needs}
    firms = {r[judged_set.firm]: r for r in registry}
    rows = sorted(pairs)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["need_id", "need_text", judged_set.firm, "name", *judged_set.shown, "grade"])
        for need, firm_id in rows:
            firm = firms.get(firm_id, {})
            writer.writerow([need, texts.get(need, ""), firm_id, firm.get("name", ""),
                             *(firm.get(column, "") for column in judged_set.shown), ""])
    return len(rows)


def engine_key(seed: int, seeds: Sequence[int]) -> str:
    """The rankings key of the engine fitted with `seed`: "copark" for the first (reported) seed."""
    return "copark" if seed == seeds[0] else f"copark seed {seed}"


def by_split(rankings: Rankings, needs: Sequence[Mapping[str, str]], seeds: Sequence[int], *,
             grades: Mapping[tuple[str, str], int] | None = None) -> dict[str, Figures]:
    """copark (and its mean over seeds) and tfidf on each split of needs.csv; {} when there is one split.

    dev needs were read while the engine was chosen (sessions 3–7); test needs were written later by a session
    that saw only the dev needs, and are never used to choose: the gap between the two is what choosing cost."""
    names = sorted({n.get("split") or "" for n in needs})
    if len(names) < 2:
        return {}
    grades = read_grades() if grades is None else grades
    out: dict[str, Figures] = {}
    for split in names:
        ids = [n["need_id"] for n in needs if (n.get("split") or "") == split]
        runs = [score(rankings[engine_key(seed, seeds)], grades, ids) for seed in seeds]
        out[f"copark, {split}"] = runs[0]
        if len(seeds) > 1:
            out[f"copark mean of {len(seeds)} seeds, {split}"] = Figures.mean(runs)
        out[f"tfidf, {split}"] = score(rankings["tfidf"], grades, ids)
    return out


def table(figures: Mapping[str, Figures]) -> str:
    lines = ["| ranker | needs | P@5 | strict P@5 | nDCG@10 | no result | no relevant in top 10 |",
             "|---|---|---|---|---|---|---|"]
    for name, f in figures.items():
        lines.append(f"| {name} | {f.needs} | {f.p5:.3f} | {f.strict_p5:.3f} | {f.ndcg10:.3f} | {f.no_result} "
                     f"| {f.no_relevant} |")
    return "\n".join(lines)


def update_readme(text: str, path: Path = README, marker: str = "judged") -> None:
    """Replace the README's block between <!-- marker:start --> and <!-- marker:end --> with `text`."""
    start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
    content = path.read_text(encoding="utf-8")
    if start not in content or end not in content:
        sys.exit(f"judged: {path} has no {start} … {end} block for the figures")
    head, _, rest = content.partition(start)
    _, _, tail = rest.partition(end)
    path.write_text(f"{head}{start}\n{text}\n{end}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grading-sheet", type=Path, help="write the pool (need, firm, scope) for grading here")
    parser.add_argument("--only-unjudged", action="store_true", help="the sheet holds only pairs without a grade")
    parser.add_argument("--allow-unjudged", action="store_true", help="score unjudged pairs as 0 instead of failing")
    parser.add_argument("--no-readme", action="store_true", help="do not write the figures into README.md")
    parser.add_argument("--seeds", default="13,14,15",
                        help="fit seeds, comma-separated; the first is the one reported as copark (default 13)")
    parser.add_argument("--set", dest="judged_set", choices=sorted(SETS), default="hunan",
                        help="hunan: registered scopes (this folder); listed: listed firms' product lists (listed/); "
                             "capability: every third capability case against the same firms (capability/)")
    parser.add_argument("--rankings-out", type=Path, help="also write every ranker's top 10 per need here (JSON)")
    args = parser.parse_args(argv)
    judged = SETS[args.judged_set]
    try:
        seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--seeds {args.seeds!r}: write whole numbers separated by commas, e.g. 13,14,15")
    if not seeds:
        parser.error("--seeds: give at least one seed, e.g. 13")
    started = time.perf_counter()
    needs, registry = read_needs(judged.needs, judged.cases), read_registry(judged.registry)
    rankings, timings = rank(registry, needs, seed=seeds[0], judged_set=judged)
    for seed in seeds[1:]:  # the same engine fitted with other seeds: how much the figures owe to the first
        rankings[engine_key(seed, seeds)] = rank(registry, needs, seed=seed, judged_set=judged)[0]["copark"]
    if args.rankings_out:
        args.rankings_out.write_text(json.dumps(rankings, ensure_ascii=False, indent=1), encoding="utf-8")
    pool = read_pool(judged.pool, judged.firm) | {
        (need, u) for ranking in rankings.values() for need, us in ranking.items() for u in us}
    write_pool(judged.pool, pool, judged.firm)
    grades = read_grades(judged.grades, judged.firm)
    if args.grading_sheet:
        pairs = [p for p in pool if not args.only_unjudged or p not in grades]
        count = write_grading_sheet(args.grading_sheet, pairs, needs, registry, judged)
        print(f"grading sheet: {count} pairs → {args.grading_sheet}")
        return 0
    code, figures = report(rankings, [n["need_id"] for n in needs], pool_path=judged.pool,
                           grades_path=judged.grades, allow_unjudged=args.allow_unjudged, firm=judged.firm)
    if code:
        return code
    if len(seeds) > 1:
        figures[f"copark mean of {len(seeds)} seeds"] = Figures.mean([figures[engine_key(s, seeds)] for s in seeds])
        figures = {k: figures[k] for k in sorted(figures, key=lambda k: k == "tfidf")}  # the baseline last
    splits = by_split(rankings, needs, seeds, grades=grades)
    seconds = time.perf_counter() - started
    print(table(figures))
    if splits:
        print(table(splits))
    print(f"pool {len(pool)} pairs, {len(grades)} graded; unjudged in top 10: "
          + ", ".join(f"{k} {f.unjudged}" for k, f in figures.items()))
    ranker = "learned ranker" if timings["learned"] else "hand-weighted fallback (too few products to learn)"
    print(f"engine: {ranker}; time: import {timings['import']:.1f} s, fit {timings['fit']:.1f} s, "
          f"match {timings['match']:.1f} s, tfidf {timings['tfidf']:.1f} s, "
          f"total {seconds:.1f} s ({platform.python_version()})")
    if not args.no_readme and not any(f.unjudged for f in figures.values()):
        per_split = (f"\n\nBy split (dev: read while choosing the engine; test and fresh: written later, see "
                     f"below):\n\n{table(splits)}") if splits else ""
        update_readme(f"{table(figures)}{per_split}\n\nEngine: {ranker}; copark is fitted with seed {seeds[0]} "
                      f"(`copark fit`'s default); each `copark seed N` row refits it with seed N, and the mean is over seeds "
                      f"{', '.join(map(str, seeds))}. "
                      f"Pool: {len(pool)} pairs, all graded. Runner: "
                      f"{seconds:.0f} s (import {timings['import']:.0f} s, fit {timings['fit']:.0f} s, "
                      f"match {timings['match']:.0f} s).", marker=judged.marker)
    print(json.dumps({"pool": len(pool), "seconds": round(seconds, 1),
                      **{k: f.as_dict() for k, f in figures.items()}}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
