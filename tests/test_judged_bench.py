"""bench/judged: the metrics on a hand-made pool, and the runner refusing a pool with unjudged pairs."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("judged_run", ROOT / "bench" / "judged" / "run.py")
assert _spec and _spec.loader
judged = importlib.util.module_from_spec(_spec)
sys.modules["judged_run"] = judged  # dataclasses look their module up while the class is built
_spec.loader.exec_module(judged)

GRADES = {("N1", "a"): 2, ("N1", "b"): 0, ("N1", "c"): 1, ("N1", "d"): 2, ("N2", "x"): 0}


def test_p5_and_ndcg_by_hand() -> None:
    ranking = {"N1": ["b", "a", "c"], "N2": []}
    figures = judged.score(ranking, GRADES, ["N1", "N2"])
    # N1: top 5 holds a (2) and c (1) → P@5 2/5, strict 1/5; N2 has no result → 0.
    assert figures.p5 == pytest.approx((2 / 5 + 0) / 2)
    assert figures.strict_p5 == pytest.approx((1 / 5) / 2)
    # N1: DCG = 0/log2(2) + 3/log2(3) + 1/log2(4); ideal from all judged pairs: 3, 3, 1, 0.
    dcg = 3 / math.log2(3) + 1 / 2
    ideal = 3 + 3 / math.log2(3) + 1 / 2
    assert figures.ndcg10 == pytest.approx((dcg / ideal + 0) / 2)
    assert (figures.no_result, figures.no_relevant, figures.unjudged) == (1, 1, 0)


def test_unjudged_pairs_count_as_zero() -> None:
    figures = judged.score({"N1": ["z", "a"]}, GRADES, ["N1"])
    assert figures.unjudged == 1 and figures.p5 == pytest.approx(1 / 5)


def _files(tmp_path: Path, grades: dict[tuple[str, str], int]) -> tuple[Path, Path]:
    pool, graded = tmp_path / "pool.csv", tmp_path / "grades.csv"
    judged.write_pool(pool, [("N1", "a"), ("N1", "b"), ("N1", "e")])
    graded.write_text("need_id,uscc,grade\n" + "".join(f"{n},{u},{g}\n" for (n, u), g in grades.items()),
                      encoding="utf-8")
    return pool, graded


def test_runner_refuses_unjudged_pool(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pool, graded = _files(tmp_path, GRADES)  # ("N1", "e") has no grade
    code, figures = judged.report({"copark": {"N1": ["a"]}}, ["N1"], pool_path=pool, grades_path=graded)
    assert code == 1 and figures == {}
    assert "1 pool pairs have no grade" in capsys.readouterr().err
    code, figures = judged.report({"copark": {"N1": ["a"]}}, ["N1"], pool_path=pool, grades_path=graded,
                                  allow_unjudged=True)
    assert code == 0 and figures["copark"].p5 == pytest.approx(1 / 5)


def test_pool_is_sorted_and_blind(tmp_path: Path) -> None:
    pool, _ = _files(tmp_path, GRADES)
    assert pool.read_text(encoding="utf-8").splitlines() == ["need_id,uscc", "N1,a", "N1,b", "N1,e"]


def test_committed_pool_is_fully_graded() -> None:
    pool, grades = judged.read_pool(), judged.read_grades()
    assert pool and not pool - set(grades)


def test_mean_of_seeds_averages_rates_and_keeps_worst_counts() -> None:
    one = judged.score({"N1": ["a", "b"], "N2": []}, GRADES, ["N1", "N2"])
    two = judged.score({"N1": ["c"], "N2": ["x"]}, GRADES, ["N1", "N2"])
    mean = judged.Figures.mean([one, two])
    assert mean.p5 == pytest.approx((one.p5 + two.p5) / 2)
    assert mean.ndcg10 == pytest.approx((one.ndcg10 + two.ndcg10) / 2)
    assert (mean.no_result, mean.no_relevant) == (1, 1)  # one: N2 has no result; each: one need without relevant


def test_bad_seeds_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        judged.main(["--seeds", "13,x"])
    assert stop.value.code == 2 and "whole numbers" in capsys.readouterr().err


def test_splits_are_scored_apart() -> None:
    needs = [{"need_id": "N1", "split": "dev"}, {"need_id": "N2", "split": "test"}]
    rankings = {"copark": {"N1": ["a"], "N2": ["x"]}, "tfidf": {"N1": ["b"], "N2": []}}
    figures = judged.by_split(rankings, needs, [13], grades=GRADES)
    assert figures["copark, dev"].p5 == pytest.approx(1 / 5) and figures["copark, test"].p5 == 0
    assert figures["tfidf, test"].no_result == 1 and figures["copark, dev"].needs == 1
    assert judged.by_split(rankings, [{"need_id": "N1", "split": "dev"}], [13], grades=GRADES) == {}


def test_splits_average_the_seeds() -> None:
    needs = [{"need_id": "N1", "split": "dev"}, {"need_id": "N2", "split": "test"}]
    rankings = {"copark": {"N1": ["a"], "N2": []}, "copark seed 14": {"N1": ["a", "d"], "N2": []},
                "tfidf": {"N1": [], "N2": []}}
    figures = judged.by_split(rankings, needs, [13, 14], grades=GRADES)
    assert figures["copark, dev"].p5 == pytest.approx(1 / 5)
    assert figures["copark mean of 2 seeds, dev"].p5 == pytest.approx((1 / 5 + 2 / 5) / 2)


_LISTED = [
    {"org_id": "600001", "name": "甲传动股份", "industry": "汽车零部件", "products": "商用车齿轮;齿轮箱;同步器"},
    {"org_id": "600002", "name": "乙管业", "industry": "钢管", "products": "无缝钢管;焊接钢管"},
    {"org_id": "000003", "name": "丙电子", "industry": "电子元件", "products": "石英晶体谐振器;振荡器"},
]


def test_listed_set_ranks_firms_by_org_id_through_the_importer() -> None:
    needs = [{"need_id": "L1", "need_text": "想找做汽车齿轮的厂家"}, {"need_id": "L2", "need_text": "晶振"}]
    rankings, timings = judged.rank(_LISTED, needs, judged_set=judged.SETS["listed"])
    assert rankings["copark"]["L1"][0] == "600001"  # the ids of the listed file, not database ids or names
    assert rankings["tfidf"]["L1"][0] == "600001"
    assert set(rankings["copark"]) == {"L1", "L2"} and timings["import"] > 0


def test_listed_grading_sheet_shows_products(tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.csv"
    needs = [{"need_id": "L1", "need_text": "汽车齿轮"}]
    judged.write_grading_sheet(sheet, [("L1", "600001")], needs, _LISTED, judged.SETS["listed"])
    header, row = sheet.read_text(encoding="utf-8-sig").splitlines()
    assert header == "need_id,need_text,org_id,name,industry,products,grade"
    assert row == "L1,汽车齿轮,600001,甲传动股份,汽车零部件,商用车齿轮;齿轮箱;同步器,"


@pytest.mark.parametrize("name", ["listed", "capability"])
def test_committed_listed_pools_are_fully_graded(name: str) -> None:
    listed = judged.SETS[name]
    pool = judged.read_pool(listed.pool, listed.firm)
    assert pool and not pool - set(judged.read_grades(listed.grades, listed.firm))


def test_capability_needs_are_case_ids_read_from_the_cases(tmp_path: Path) -> None:
    """The capability set keeps case ids only; the texts come from the benchmark's cases.csv, and an id that is no
    case with a text is refused by name."""
    cases = tmp_path / "cases.csv"
    cases.write_text("case_id,need_org_id,need_text,expected_org_ids\nc1,,汽车齿轮,600001\nc2,600002,,600001\n",
                     encoding="utf-8")
    needs = tmp_path / "needs.csv"
    needs.write_text("need_id\nc1\n", encoding="utf-8")
    assert judged.read_needs(needs, cases) == [{"need_id": "c1", "need_text": "汽车齿轮"}]
    needs.write_text("need_id\nc1\nc2\nc9\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="c2, c9 are no case"):
        judged.read_needs(needs, cases)
    committed = judged.SETS["capability"]
    assert len(judged.read_csv(committed.needs)) == 100 and set(judged.read_csv(committed.needs)[0]) == {"need_id"}
