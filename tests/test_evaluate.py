"""`copark evaluate`: the bench replayed through import → fit → match, hand-checked metrics, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import SHARED, requires_shared
from copark.cli.main import app
from copark.services.evaluation import evaluate_bench, load_bench

runner = CliRunner()

ORGS = """org_id,name,region,industry,products,description
A1,甲钢管厂,,钢铁,钢管;焊管;钢板,
B2,乙服装厂,,纺织,服装;面料,
C3,丙金属制品,,钢铁,钢丝;冷轧钢板,
"""
# Three organizations are too few to learn from: the hand-weighted score ranks (fallback).
# c1: only A1 lists 钢管 → rank 1.  c2: C3 lists 冷轧钢板 itself, A1 only 钢板 → A1 rank 2.
# c3: the need belongs to C3, which is excluded; A1 lists 焊管 → rank 1.  c4: nobody near 纯棉 but B2's 面料,
# and C3 (expected) offers nothing like it → not ranked.  hits@1 2/4, hits@5 3/4, MRR (1 + 1/2 + 1)/4.
CASES = """case_id,need_org_id,need_text,expected_org_ids
c1,,无缝钢管,A1
c2,,冷轧钢板,A1
c3,C3,焊管,A1
c4,,纯棉面料,C3
"""


def _bench(tmp_path: Path, orgs: str = ORGS, cases: str = CASES) -> Path:
    (tmp_path / "organizations.csv").write_text(orgs, encoding="utf-8")
    (tmp_path / "cases.csv").write_text(cases, encoding="utf-8")
    return tmp_path


def test_hand_checked_metrics(tmp_path: Path) -> None:
    result = evaluate_bench(bench_dir=_bench(tmp_path))
    assert result.ranks == [1, 2, 1, None]
    assert result.hits == {1: pytest.approx(2 / 4), 5: pytest.approx(3 / 4), 10: pytest.approx(3 / 4)}
    assert result.mrr == pytest.approx(2.5 / 4)
    assert result.ranker["kind"] == "fallback" and result.unanswered == []
    assert result.rankings[0][0] == "A1" and result.rankings[1][:2] == ["C3", "A1"]
    assert "C3" not in result.rankings[2]  # the need's own firm is never proposed


def test_top_cuts_ranks_beyond_k(tmp_path: Path) -> None:
    result = evaluate_bench(bench_dir=_bench(tmp_path), top=1)
    assert result.ranks == [1, None, 1, None]
    assert result.mrr == pytest.approx(2 / 4)


def test_json_is_the_last_line(tmp_path: Path) -> None:
    outcome = runner.invoke(app, ["evaluate", str(_bench(tmp_path)), "--json"])
    assert outcome.exit_code == 0, outcome.output
    assert "能力评测结果" in outcome.output
    data = json.loads(outcome.output.strip().splitlines()[-1])
    assert data["cases"] == 4 and data["hits@1"] == pytest.approx(0.5) and data["hits@5"] == pytest.approx(0.75)
    assert data["hits@10"] == pytest.approx(0.75) and data["mrr"] == pytest.approx(0.625)
    assert isinstance(data["seconds"], float)  # reported, never asserted on: speed is bench/'s business
    assert data["unanswered"] == 0 and data["ranker"]["kind"] == "fallback"


@pytest.mark.parametrize(("orgs", "cases", "message"), [
    (None, CASES, "缺少文件 organizations.csv"),
    (ORGS.replace("products,", "goods,"), CASES, "缺少列：products"),
    (ORGS + "A1,重复,,钢铁,钢管,\n", CASES, "org_id A1 重复"),
    (ORGS, CASES + "c4,,铜管,Z9\n", "没有这些机构：Z9"),
    (ORGS, CASES + "c4,,铜管,\n", "expected_org_ids 为空"),
    (ORGS, CASES + "c4,,,A1\n", "不能都为空"),
    (ORGS, "case_id,need_org_id,need_text,expected_org_ids\n", "没有任何评测用例"),
])
def test_malformed_bench_exits_1(tmp_path: Path, orgs: str | None, cases: str, message: str) -> None:
    _bench(tmp_path, orgs or ORGS, cases)
    if orgs is None:
        (tmp_path / "organizations.csv").unlink()
    outcome = runner.invoke(app, ["evaluate", str(tmp_path)])
    assert outcome.exit_code == 1
    assert message in outcome.output
    assert "Traceback" not in outcome.output


@pytest.mark.parametrize("args", [["--without", "magic"], ["--top", "0"]])
def test_bad_options_exit_1(tmp_path: Path, args: list[str]) -> None:
    outcome = runner.invoke(app, ["evaluate", str(_bench(tmp_path)), *args])
    assert outcome.exit_code == 1, outcome.output
    assert "Traceback" not in outcome.output


def test_missing_dir_exits_1(tmp_path: Path) -> None:
    outcome = runner.invoke(app, ["evaluate", str(tmp_path / "nowhere")])
    assert outcome.exit_code == 1 and "评测目录不存在" in outcome.output


@requires_shared
@pytest.mark.slow
def test_real_capability_benchmark_floor() -> None:
    bench = SHARED / "bench" / "capability"
    if not bench.is_dir():
        pytest.skip("../shared/bench/capability is absent")
    result = evaluate_bench(bench_dir=bench)
    # The engine `copark match` runs, measured 2026-12-02 over seeds 13–15: hits@10 0.373–0.400, MRR 0.228–0.240
    # (bench/capability/RESULTS.md); the hand-weighted engine gave 0.227 / 0.163. A regression guard below the
    # measured spread, not the target (0.40 / 0.25), which is not reached.
    assert result.cases == 300 and result.ranker["kind"] == "learned"
    assert result.hits[10] >= 0.35
    assert result.mrr >= 0.21
    assert len(result.unanswered) <= 6  # at most 2% of needs without any opportunity


def _small_real_bench(directory: Path, cases: int = 40, others: int = 500) -> Path:
    """The first `cases` capability cases with their firms and `others` further firms: enough to learn from."""
    import csv

    source = SHARED / "bench" / "capability"
    with (source / "cases.csv").open(encoding="utf-8") as handle:
        chosen = list(csv.DictReader(handle))[:cases]
    with (source / "organizations.csv").open(encoding="utf-8") as handle:
        orgs = list(csv.DictReader(handle))
    wanted = {e for case in chosen for e in case["expected_org_ids"].split(";")}
    kept = [o for o in orgs if o["org_id"] in wanted] + [o for o in orgs if o["org_id"] not in wanted][:others]
    for name, rows in (("organizations.csv", kept), ("cases.csv", chosen)):
        with (directory / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return directory


@requires_shared
@pytest.mark.slow
def test_evaluate_measures_what_copark_match_runs(tmp_path: Path) -> None:
    """A small real bench replayed by hand through `copark import` + `copark fit` + `copark match` gets the ranks
    `copark evaluate` reports: the benchmark measures the product."""
    from copark.services.evaluation import load_bench, write_import_files

    (tmp_path / "bench").mkdir()
    bench_dir = _small_real_bench(tmp_path / "bench")
    result = evaluate_bench(bench_dir=bench_dir)
    assert result.ranker["kind"] == "learned"  # 540 firms hold out enough products to learn

    bench = load_bench(bench_dir)
    files_dir = tmp_path / "files"
    files_dir.mkdir()
    files, names, buyer = write_import_files(bench, files_dir)
    database = ["--database", f"sqlite:///{tmp_path / 'user.sqlite'}"]
    for args in (["import", *map(str, files)], ["fit"]):
        outcome = runner.invoke(app, [*database, *args])
        assert outcome.exit_code == 0, outcome.output
    assert "已训练排序模型" in outcome.output
    out = tmp_path / "opportunities.json"
    outcome = runner.invoke(app, [*database, "match", "--org", buyer, "--any-region", "--top", "100",
                                  "--format", "json", "-o", str(out)])
    assert outcome.exit_code == 0, outcome.output
    views = json.loads(out.read_text(encoding="utf-8"))
    ranks = []
    for case in bench.cases:
        offered = [v["offer_org"] for v in views if v["need_text"] == case.need_text]
        found = [offered.index(names[e]) + 1 for e in case.expected if names[e] in offered]
        ranks.append(min(found) if found else None)
    assert ranks == result.ranks
    for case, rank, ranking in zip(bench.cases, result.ranks, result.rankings, strict=True):
        places = [ranking.index(e) + 1 for e in case.expected if e in ranking]
        assert (min(places) if places else None) == rank  # the rankings are the organizations ranked
    assert sum(r is not None and r <= 10 for r in ranks) >= 10  # and the ranks are not all misses


def test_listers_split_and_counted_figures(tmp_path: Path) -> None:
    """bench/capability/listers.py: a firm other than the expected one listing a product containing the need's words
    is a lister; counting it right changes the figures of the cases it lists, and only those."""
    import importlib.util
    import sys

    path = Path(__file__).resolve().parents[1] / "bench" / "capability" / "listers.py"
    spec = importlib.util.spec_from_file_location("capability_listers", path)
    assert spec and spec.loader
    listers = importlib.util.module_from_spec(spec)
    sys.modules["capability_listers"] = listers
    spec.loader.exec_module(listers)
    bench = load_bench(_bench(tmp_path))
    found = listers.listers(bench)
    # c2 冷轧钢板: C3 lists it, but C3 is not expected (A1 is) → C3 a lister; c3 焊管 is C3's own need → none
    assert found == [set(), {"C3"}, set(), set()]
    rankings = [["A1"], ["C3", "A1"], ["A1"], ["B2"]]
    expected = [set(case.expected) for case in bench.cases]
    counted = [e | extra for e, extra in zip(expected, found, strict=True)]
    assert listers.figures(rankings, expected, range(4)) == "0.500 / 0.750 / 0.625"
    assert listers.figures(rankings, counted, range(4)) == "0.750 / 0.750 / 0.750"
    assert listers.figures(rankings, counted, [1]) == "1.000 / 1.000 / 1.000"
