"""`copark evaluate`: metrics on a hand-checked bench, clear errors on broken bench dirs, the JSON last line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import SHARED, SHARED_DATA, requires_shared
from copark.cli.main import app
from copark.matching.evaluate import evaluate_bench, inferred_needs
from copark.matching.ranker import OrgProfile, OrgRanker

runner = CliRunner()

ORGS = """org_id,name,region,industry,products,description
A1,甲钢管厂,,钢铁,钢管;焊管,
B2,乙服装厂,,纺织,服装;面料,
C3,丙金属制品,,钢铁,钢丝;钢板,
"""
# c1: only A1 shares 钢管 → rank 1.  c2: C3 lists 钢丝 (rank 1), A1 shares 钢 (rank 2), B2 shares nothing.
# c3: the need's own organization C3 is excluded, so A1 is first.  → hits@1 2/3, hits@5 1, MRR (1+1/2+1)/3.
CASES = """case_id,need_org_id,need_text,expected_org_ids
c1,,无缝钢管,A1
c2,,钢丝绳,A1
c3,C3,钢丝,A1
"""


def _bench(tmp_path: Path, orgs: str = ORGS, cases: str = CASES) -> Path:
    (tmp_path / "organizations.csv").write_text(orgs, encoding="utf-8")
    (tmp_path / "cases.csv").write_text(cases, encoding="utf-8")
    return tmp_path


def test_hand_checked_metrics(tmp_path: Path) -> None:
    result = evaluate_bench(bench_dir=_bench(tmp_path))
    assert result.ranks == [1, 2, 1]
    assert result.hits == {1: pytest.approx(2 / 3), 5: 1.0, 10: 1.0}
    assert result.mrr == pytest.approx(2.5 / 3)


def test_top_cuts_ranks_beyond_k(tmp_path: Path) -> None:
    result = evaluate_bench(bench_dir=_bench(tmp_path), top=1)
    assert result.ranks == [1, None, 1]
    assert result.mrr == pytest.approx(2 / 3)


def test_json_is_the_last_line(tmp_path: Path) -> None:
    outcome = runner.invoke(app, ["evaluate", str(_bench(tmp_path)), "--json"])
    assert outcome.exit_code == 0, outcome.output
    assert "能力评测结果" in outcome.output
    data = json.loads(outcome.output.strip().splitlines()[-1])
    assert data["cases"] == 3 and data["hits@1"] == pytest.approx(0.6667) and data["hits@5"] == 1.0
    assert data["hits@10"] == 1.0 and data["mrr"] == pytest.approx(0.8333) and data["seconds"] >= 0


def test_without_a_signal_and_ignored_kb(tmp_path: Path) -> None:
    other = tmp_path / "notes.txt"
    other.write_text("x", encoding="utf-8")
    outcome = runner.invoke(app, ["evaluate", str(_bench(tmp_path)), "--without", "colisting", "--kb", str(other),
                                  "--json"])
    assert outcome.exit_code == 0, outcome.output
    assert "已忽略" in outcome.output
    assert "colisting" not in json.loads(outcome.output.strip().splitlines()[-1])["weights"]


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


@pytest.mark.parametrize("args", [["--without", "magic"], ["--kb", "/nonexistent/kb"], ["--top", "0"]])
def test_bad_options_exit_1(tmp_path: Path, args: list[str]) -> None:
    outcome = runner.invoke(app, ["evaluate", str(_bench(tmp_path)), *args])
    assert outcome.exit_code == 1, outcome.output


def test_missing_dir_exits_1(tmp_path: Path) -> None:
    outcome = runner.invoke(app, ["evaluate", str(tmp_path / "nowhere")])
    assert outcome.exit_code == 1 and "评测目录不存在" in outcome.output


def test_ranker_interface_excludes_and_explains() -> None:
    orgs = [OrgProfile("a", "甲", industry="钢铁", products=("钢管", "焊管")),
            OrgProfile("b", "乙", industry="纺织", products=("服装", "面料"))]
    ranker = OrgRanker(tune=False).fit(orgs)
    best = ranker.rank("不锈钢管", top=2)
    assert [r.org_id for r in best] == ["a", "b"] and best[0].features["doc"] == 1.0
    assert [r.org_id for r in ranker.rank("不锈钢管", exclude={"a"}, top=2)] == ["b"]


def test_inferred_needs_use_chain_upstream() -> None:
    from copark.knowledge.chainkg import ChainKgData
    kb = ChainKgData(relations=[("轮胎", "上游材料", "天然橡胶"), ("轮胎", "上游材料", "钢丝"), ("钢丝", "上游材料", "线材")])
    needs = inferred_needs(["轮胎", "钢丝"], kb)
    assert "天然橡胶" in needs and "线材" in needs and "钢丝" not in needs


@requires_shared
@pytest.mark.slow
def test_real_capability_benchmark_floor() -> None:
    bench = SHARED / "bench" / "capability"
    if not bench.is_dir():
        pytest.skip("../shared/bench/capability is absent")
    result = evaluate_bench(bench_dir=bench, kb_paths=[SHARED_DATA / "chainkg"])
    # Learned ranker, measured 2026-11-28: hits@10 0.39, MRR 0.24 (bench/capability/RESULTS.md); floor ≈ TF-IDF − 0.03.
    assert result.cases == 300
    assert result.hits[10] >= 0.35
    assert result.mrr >= 0.21
