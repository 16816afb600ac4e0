"""`copark evaluate`: a benchmark directory replayed the way users work: import → fit → match.

The benchmark's organizations are imported through the real importer (products as offer items, case needs as
need items of one buyer, or, for a case with only need_org_id, that organization's needs inferred by the
`copark infer` logic), the ranker is fitted on the imported lists (`copark fit`), and `copark match` runs with
the region rule off. Organizations are ranked by their best opportunity; the rank of the best expected one counts.
"""

from __future__ import annotations

import csv
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from copark.core.errors import CoparkError
from copark.locale import t
from copark.matching.orgsignals import OrgProfile
from copark.parsing.names import normalize_name
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
    #: per case, the organizations (bench org_ids) in the engine's order, best first (not in the JSON line)
    rankings: list[list[str]] = field(default_factory=list)
    ranker: dict[str, object] = field(default_factory=dict)
    unanswered: list[str] = field(default_factory=list)  # case ids whose need got no opportunity at all
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """The JSON form: cases, hits@1, hits@5, hits@10, mrr, seconds, unanswered, ranker."""
        data: dict[str, object] = {"cases": self.cases}
        data.update({f"hits@{k}": round(v, 4) for k, v in sorted(self.hits.items())})
        data.update({"mrr": round(self.mrr, 4), "seconds": round(self.seconds, 1),
                     "unanswered": len(self.unanswered), "ranker": self.ranker})
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


def _unique_names(bench: Bench) -> dict[str, str]:
    """org_id → the name to import: the benchmark's name, followed by its id where two names would be taken for one
    organization (山东路桥 and 山西路桥 both read as 路桥 without their province)."""
    from copark.parsing.regions import builtin_regions

    words = builtin_regions().words()  # the importer's identity key: 桂东电力 and 上海电力 both read as 电力
    keys = {o.org_id: normalize_name(o.name or o.org_id, words) for o in bench.orgs}
    seen: dict[str, int] = {}
    for key in keys.values():
        seen[key] = seen.get(key, 0) + 1
    return {o.org_id: (o.name or o.org_id) if seen[keys[o.org_id]] == 1 else f"{o.name}{o.org_id}"
            for o in bench.orgs}


def write_import_files(bench: Bench, directory: Path) -> tuple[list[Path], dict[str, str], str]:
    """The benchmark as two import CSVs (企业, 清单明细) as a user would write them: (files, org_id → name, buyer)."""
    names = _unique_names(bench)
    buyer = t("evaluate.buyer")
    orgs_file, items_file = directory / "企业.csv", directory / "清单明细.csv"
    with orgs_file.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([t(f"import.col.orgs.{key}") for key in ("name", "industry", "description")])
        # a benchmark industry that is no GB/T 4754 code (汽车零部件Ⅲ) is kept as written, as a user's would be
        writer.writerows([names[o.org_id], o.industry, o.description] for o in bench.orgs)
        if any(case.need_text and not case.need_org_id for case in bench.cases):
            writer.writerow([buyer, "", t("evaluate.buyer_description")])
    offer, need, product = t("evaluate.offer_word"), t("evaluate.need_word"), t("evaluate.product_word")
    with items_file.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([t(f"import.col.items.{key}") for key in ("org", "direction", "kind", "text")])
        for org in bench.orgs:
            writer.writerows([names[org.org_id], offer, product, p] for p in dict.fromkeys(org.products))
        # a case's text is its need organization's need, or the buyer's when the case names none
        for owner, text in dict.fromkeys(_need_of(case, names, buyer) for case in bench.cases if case.need_text):
            writer.writerow([owner, need, product, text])
    return [orgs_file, items_file], names, buyer


def _need_of(case: BenchCase, names: dict[str, str], buyer: str) -> tuple[str, str]:
    """(organization name, need text) of a case with a need text."""
    return (names[case.need_org_id] if case.need_org_id else buyer), case.need_text


def evaluate_bench(*, bench_dir: str | Path, top: int = 100, without: Iterable[str] = (), learn: bool = True,
                   encoder: str | None = None, seed: int = 13) -> EvaluationResult:
    """Import the benchmark into a throw-away SQLite workspace, fit, match, and rank every case."""
    from copark.io.importer import import_files
    from copark.matching.encoders import CachingEncoder, get_encoder
    from copark.services.knowledge import infer_for
    from copark.services.opportunities import fit_ranker, match

    if top < 1:
        raise CoparkError(t("evaluate.bad_top"), t("evaluate.bad_top_fix"))
    bench = load_bench(bench_dir)
    dense = CachingEncoder(get_encoder(encoder)) if encoder else None
    notes: list[str] = []
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="copark-evaluate-") as tmp:
        files, names, buyer = write_import_files(bench, Path(tmp))
        workspace = Workspace(f"sqlite:///{Path(tmp) / 'bench.sqlite'}")
        try:
            import_files(workspace=workspace, paths=files, source="bench")
            for org_id in dict.fromkeys(c.need_org_id for c in bench.cases if not c.need_text):
                with workspace.transaction() as session:
                    infer_for(session=session, ref=names[org_id])
            with workspace.transaction() as session:
                # the workspace's lists only: the benchmark's firms are chainkg's listed firms themselves
                fitted = (fit_ranker(session=session, without=without, encoder=dense, seed=seed, knowledge=False)
                          if learn else None)
                run = match(session=session, cross_region=False, top=top, learned=learn, encoder=dense)
        finally:
            workspace.close()
    by_need: dict[tuple[str, str], list[str]] = {}
    for view in run.opportunities:  # best first within each need (the service's order)
        by_need.setdefault((view.need_org, view.need_text), []).append(view.offer_org)
    ranks: list[int | None] = []
    rankings: list[list[str]] = []
    unanswered: list[str] = []
    org_of = {name: org_id for org_id, name in names.items()}
    for case in bench.cases:
        if case.need_text:
            lists = [by_need.get(_need_of(case, names, buyer), [])]
        else:
            lists = [offered for (org, _), offered in by_need.items() if org == names[case.need_org_id]]
        if not any(lists):
            unanswered.append(case.case_id)
        wanted = {names[e] for e in case.expected}
        found = [1 + offered.index(name) for offered in lists for name in wanted if name in offered]
        ranks.append(min(found) if found else None)
        best: dict[str, int] = {}  # an organization's best place over the case's lists (one list for a text)
        for offered in lists:
            for place, name in enumerate(dict.fromkeys(offered)):
                best[name] = min(best.get(name, place), place)
        rankings.append([org_of[name] for name in sorted(best, key=lambda name: (best[name], name))
                         if name in org_of])
    seconds = time.perf_counter() - start
    if dense is not None:
        notes.append(t("encoders.encoded", count=dense.encoded, seconds=dense.seconds, rate=dense.throughput))
    count = len(bench.cases)
    hits = {k: sum(1 for r in ranks if r is not None and r <= k) / count for k in (1, 5, 10)}
    mrr = sum(1.0 / r for r in ranks if r is not None) / count
    ranker: dict[str, object] = {"kind": run.ranker, "top": top}
    if fitted is not None:
        ranker.update(fitted.figures)
    return EvaluationResult(count, hits, mrr, seconds, ranks, rankings, ranker, unanswered, notes)
