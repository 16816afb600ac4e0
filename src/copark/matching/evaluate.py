"""Capability benchmark: for each case, where does the ranker put the organization that really makes the need?"""

from __future__ import annotations

import csv
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy import select

from copark.core.errors import CoparkError
from copark.knowledge.chainkg import COMPANY_PRODUCT_FILE, ChainKgData, load_chainkg
from copark.locale import t
from copark.matching.encoders import CachingEncoder, get_encoder
from copark.matching.ranker import SIGNALS, OrgProfile, OrgRanker
from copark.parsing.names import normalize_name
from copark.storage.tables import Organization
from copark.workspace import Workspace

ORG_FILE = "organizations.csv"
CASE_FILE = "cases.csv"
ORG_COLUMNS = ("org_id", "name", "region", "industry", "products", "description")
CASE_COLUMNS = ("case_id", "need_org_id", "need_text", "expected_org_ids")
SOURCE_PREFIX = "bench:"


@dataclass(frozen=True)
class BenchCase:
    """One benchmark case: a need (or an organization whose needs are inferred) and the organizations expected."""

    case_id: str
    need_org_id: str
    need_text: str
    expected: tuple[str, ...]


@dataclass
class Bench:
    """A validated benchmark directory."""

    orgs: list[OrgProfile]
    cases: list[BenchCase]


@dataclass
class EvaluationResult:
    """Metrics over all cases; ranks[i] is the best 1-based rank of an expected organization (None: not ranked)."""

    cases: int
    hits: dict[int, float]
    mrr: float
    seconds: float
    ranks: list[int | None] = field(default_factory=list)
    weights: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """The JSON form: cases, hits@1, hits@5, hits@10, mrr, seconds, weights."""
        data: dict[str, object] = {"cases": self.cases}
        data.update({f"hits@{k}": round(v, 4) for k, v in sorted(self.hits.items())})
        data.update({"mrr": round(self.mrr, 4), "seconds": round(self.seconds, 1), "weights": self.weights})
        return data


def _read_csv(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    if not path.is_file():
        raise CoparkError(t("evaluate.missing_file", file=path.name), t("evaluate.missing_file_fix"),
                          where=str(path.parent))
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                raise CoparkError(t("evaluate.missing_columns", columns="、".join(missing)),
                                  t("evaluate.missing_columns_fix", columns=",".join(columns)), where=path.name)
            return [(number, {k: (v or "").strip() for k, v in row.items() if k})
                    for number, row in enumerate(reader, start=2)]
    except UnicodeDecodeError:
        raise CoparkError(t("evaluate.not_utf8"), t("evaluate.not_utf8_fix"), where=path.name) from None


def load_bench(directory: str | Path) -> Bench:
    """Read and validate organizations.csv and cases.csv; the first problem raises CoparkError."""
    directory = Path(directory)
    if not directory.is_dir():
        raise CoparkError(t("evaluate.not_dir"), t("evaluate.missing_file_fix"), where=str(directory))
    orgs: list[OrgProfile] = []
    seen: dict[str, int] = {}
    for number, row in _read_csv(directory / ORG_FILE, ORG_COLUMNS):
        where = f"{ORG_FILE}:{number}"
        org_id = row["org_id"]
        if not org_id:
            raise CoparkError(t("evaluate.empty_org_id"), t("evaluate.fix_row"), where=where)
        if org_id in seen:
            raise CoparkError(t("evaluate.duplicate_org", org_id=org_id, line=seen[org_id]), t("evaluate.fix_row"),
                              where=where)
        seen[org_id] = number
        products = tuple(p.strip() for p in row["products"].split(";") if p.strip())
        orgs.append(OrgProfile(org_id, row["name"], row["region"], row["industry"], products, row["description"]))
    cases: list[BenchCase] = []
    for number, row in _read_csv(directory / CASE_FILE, CASE_COLUMNS):
        where = f"{CASE_FILE}:{number}"
        expected = tuple(e.strip() for e in row["expected_org_ids"].split(";") if e.strip())
        if not expected:
            raise CoparkError(t("evaluate.no_expected"), t("evaluate.fix_row"), where=where)
        unknown = [e for e in (*expected, row["need_org_id"]) if e and e not in seen]
        if unknown:
            raise CoparkError(t("evaluate.unknown_org", ids="、".join(unknown)), t("evaluate.fix_row"), where=where)
        if not row["need_text"] and not row["need_org_id"]:
            raise CoparkError(t("evaluate.no_need"), t("evaluate.fix_row"), where=where)
        cases.append(BenchCase(row["case_id"] or str(number), row["need_org_id"], row["need_text"], expected))
    if not orgs:
        raise CoparkError(t("evaluate.no_orgs"), t("evaluate.missing_file_fix"), where=ORG_FILE)
    if not cases:
        raise CoparkError(t("evaluate.no_cases"), t("evaluate.missing_file_fix"), where=CASE_FILE)
    return Bench(orgs, cases)


def store_and_reload(orgs: Sequence[OrgProfile], *, workspace: Workspace) -> list[OrgProfile]:
    """Write the organizations as Organization rows and read them back (the path real data takes)."""
    industries = {o.org_id: o.industry for o in orgs}  # Shenwan names have no GB/T code column to live in
    regions = {o.org_id: o.region for o in orgs}
    with workspace.transaction() as session:
        session.add_all(Organization(name=o.name or o.org_id, norm_name=normalize_name(o.name or o.org_id),
                                     products=list(o.products), description=o.description,
                                     source=SOURCE_PREFIX + o.org_id) for o in orgs)
    with workspace.transaction() as session:
        rows = session.scalars(select(Organization).where(Organization.source.startswith(SOURCE_PREFIX))
                               .order_by(Organization.id)).all()
        return [OrgProfile(org_id, r.name, regions[org_id], industries[org_id], tuple(r.products or ()),
                           r.description) for r in rows for org_id in [r.source[len(SOURCE_PREFIX):]]]


def load_knowledge(paths: Iterable[str | Path]) -> tuple[ChainKgData | None, list[str]]:
    """The chainkg data among --kb paths, and a note for each path that is not a chainkg directory."""
    kb: ChainKgData | None = None
    notes: list[str] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise CoparkError(t("evaluate.kb_missing"), t("evaluate.kb_missing_fix"), where=str(path))
        if path.is_dir() and (path / COMPANY_PRODUCT_FILE).is_file():
            kb = load_chainkg(path) if kb is None else kb
        else:
            notes.append(t("evaluate.kb_ignored", path=str(path)))
    return kb, notes


def inferred_needs(products: Sequence[str], kb: ChainKgData | None) -> list[str]:
    """Needs of an organization from its products: chain-graph upstream neighbours (curated graph, then chainkg)."""
    needs: list[str] = []
    try:
        from copark.knowledge.graph import load_graph
        graph = load_graph()
        for product in products:
            for match in graph.match_nodes(product, limit=1):
                needs.extend(step.name for step in graph.upstream(match.name))
    except ImportError:  # the graph module is optional here: chainkg alone can still infer
        pass
    if kb is not None:
        wanted = set(products)
        needs.extend(target for source, rel, target in kb.relations if rel == "上游材料" and source in wanted)
    own = set(products)
    return [n for n in dict.fromkeys(needs) if n not in own]


def evaluate_bench(*, bench_dir: str | Path, kb_paths: Iterable[str | Path] = (), top: int | None = None,
                   without: Iterable[str] = (), tune: bool = True, learn: bool = True,
                   encoder: str | None = None) -> EvaluationResult:
    """Fit the ranker on the benchmark's organizations (in a throw-away SQLite file) and rank every case.

    encoder names an optional dense encoder (see copark.matching.encoders.get_encoder) for the dense signal.
    """
    without = frozenset(without)
    unknown = sorted(without - set(SIGNALS))
    if unknown:
        raise CoparkError(t("evaluate.unknown_signal", names="、".join(unknown)),
                          t("evaluate.unknown_signal_fix", names="、".join(SIGNALS)))
    if top is not None and top < 1:
        raise CoparkError(t("evaluate.bad_top"), t("evaluate.bad_top_fix"))
    bench = load_bench(bench_dir)
    kb, notes = load_knowledge(kb_paths)
    dense = CachingEncoder(get_encoder(encoder)) if encoder else None
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="copark-evaluate-") as tmp:
        workspace = Workspace(f"sqlite:///{Path(tmp) / 'bench.sqlite'}")
        try:
            orgs = store_and_reload(bench.orgs, workspace=workspace)
        finally:
            workspace.close()
    ranker = OrgRanker(without=without, tune=tune, learn=learn, encoder=dense).fit(orgs, kb=kb)
    by_id = {o.org_id: o for o in orgs}
    queries: list[str] = []
    owners: list[int] = []  # query → case index; a case with inferred needs owns several queries
    for number, case in enumerate(bench.cases):
        texts = [case.need_text] if case.need_text else inferred_needs(by_id[case.need_org_id].products, kb)
        queries.extend(texts)
        owners.extend([number] * len(texts))
    ranks: list[int | None] = [None] * len(bench.cases)
    if queries:
        ids, scores = ranker.full_scores(queries)
        column = {org_id: i for i, org_id in enumerate(ids)}
        for row, number in enumerate(owners):
            case = bench.cases[number]
            values = scores[row]
            if case.need_org_id:
                values[column[case.need_org_id]] = -np.inf
            for expected in case.expected:
                rank = 1 + int((values > values[column[expected]]).sum())
                if top is None or rank <= top:
                    ranks[number] = rank if ranks[number] is None else min(ranks[number], rank)
    seconds = time.perf_counter() - start
    if dense is not None:
        notes.append(t("encoders.encoded", count=dense.encoded, seconds=dense.seconds, rate=dense.throughput))
    count = len(bench.cases)
    hits = {k: sum(1 for r in ranks if r is not None and r <= k) / count for k in (1, 5, 10)}
    mrr = sum(1.0 / r for r in ranks if r is not None) / count
    return EvaluationResult(count, hits, mrr, seconds, ranks, ranker.summary(), notes)
