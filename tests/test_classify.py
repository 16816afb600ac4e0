"""copark.knowledge.classify and industries: GB/T 4754 guesses, their evidence, and `copark classify`."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from copark.cli.main import app
from copark.knowledge.classify import (
    classify_industry,
    classify_organization,
    industry_keywords,
    match_products,
)
from copark.knowledge.industries import (
    IndustryRecord,
    IndustryTable,
    builtin_industries,
    load_industries,
    parse_code,
)
from copark.storage.tables import Industry

ROOT = Path(__file__).resolve().parents[1]


def divisions(text: str, top: int = 3) -> list[str]:
    return [g.division for g in classify_industry(text, top=top)]


@pytest.mark.parametrize(
    ("text", "division"),
    [("石英晶体谐振器", "39"), ("校服", "18"), ("羽毛球", "24"), ("水泥", "30"), ("锂离子电池电芯", "38"),
     ("流动资金贷款", "66"), ("职业技能培训", "83"), ("大米加工及销售", "13")],
)
def test_clear_cases_top1(text: str, division: str) -> None:
    assert divisions(text)[0] == division


def test_medical_pad_is_a_medical_consumable() -> None:
    # 医用护理垫 is a 卫生材料 (2770, division 27); medical devices (35) would be the second reading.
    assert divisions("医用护理垫")[0] in {"27", "35"}
    assert "27" in divisions("医用护理垫")


def test_guess_carries_code_name_score_and_evidence() -> None:
    guesses = classify_industry("石英晶体谐振器", top=3)
    best = guesses[0]
    assert best.code.startswith("39") and best.name
    assert 0 < best.score <= 1
    assert sum(g.score for g in guesses) <= 1.0001
    assert any(e.source in {"keyword", "product"} and e.term in "石英晶体谐振器" for e in best.evidence)


def test_quantities_and_traditional_script_do_not_change_the_guess() -> None:
    assert divisions("醫用護理墊 年採購約2000萬元")[0] == divisions("医用护理垫")[0]


def test_scope_prefers_what_is_made_over_what_is_sold() -> None:
    scope = "润滑油、防冻液生产制造；建筑材料、汽车配件及电子产品销售；企业管理咨询"
    assert divisions(scope)[0] == "25"


def test_pure_trading_scope_points_to_wholesale() -> None:
    assert "51" in divisions("建材、五金交电、日用百货批发；化工产品销售")


def test_unknown_or_empty_text() -> None:
    assert classify_industry("") == []
    assert classify_industry("   约500吨 ") == []


def test_top_limits_the_number_of_guesses() -> None:
    assert len(classify_industry("建材、五金、电子产品、服装、食品销售", top=2)) <= 2


def test_classify_organization_uses_products_then_name() -> None:
    by_products = classify_organization("湖南某某科技有限公司", products=["医用纱布", "医用棉签"])
    assert by_products[0].division == "27"
    by_name = classify_organization("溆浦县某某水泥有限公司")
    assert by_name[0].division == "30"


def test_keywords_point_at_real_codes() -> None:
    table = builtin_industries()
    assert len(table) > 1000
    unknown = {code for code in industry_keywords().values() if code[:2] not in table}
    assert not unknown


def test_match_products_reports_how() -> None:
    matches = match_products("采购贴片电容与电阻")
    assert matches
    assert {m.how for m in matches} <= {"exact", "alias", "mention", "head"}


# --- industries ------------------------------------------------------------------------------------


def _table() -> IndustryTable:
    return IndustryTable([
        IndustryRecord("C", "制造业", 1, None, "C"),
        IndustryRecord("35", "专用设备制造业", 2, "C", "C"),
        IndustryRecord("358", "医疗仪器设备及器械制造", 3, "35", "C"),
        IndustryRecord("3581", "医疗诊断、监护及治疗设备制造", 4, "358", "C"),
        IndustryRecord("3584", "医疗、外科及兽医用器械制造", 4, "358", "C"),
    ])


def test_parse_code() -> None:
    assert parse_code("C3581") == "3581"
    assert parse_code(" c35 ") == "35"
    assert parse_code("3581.0") == "3581"
    assert parse_code("Ｃ３５８１") == "3581"
    assert parse_code("C") == "C"
    assert parse_code("35811") is None
    assert parse_code("医疗") is None


def test_lookup_lineage_children_search() -> None:
    table = _table()
    assert table.get("C3581").name == "医疗诊断、监护及治疗设备制造"
    assert table.get("A3581") is None  # the letter contradicts the digits
    assert [r.code for r in table.lineage("3581")] == ["3581", "358", "35", "C"]
    assert table.at_level("3581", 2).code == "35"
    assert [r.code for r in table.children("358")] == ["3581", "3584"]
    assert table.search("医疗器械")[0].code in {"358", "3584"}
    assert table.search("专用设备制造业")[0].code == "35"
    assert table.search("") == []


def test_load_industries_overlays_the_database(workspace) -> None:  # noqa: ANN001 - fixture
    with workspace.transaction() as session:
        session.add(Industry(code="3589", name="其他医疗设备及器械制造（测试）", level=4, parent="358", section="C"))
    with workspace.transaction() as session:
        table = load_industries(session)
    assert table.name("3589") == "其他医疗设备及器械制造（测试）"
    assert len(table) >= len(builtin_industries())


# --- CLI -------------------------------------------------------------------------------------------

runner = CliRunner()


def test_cli_classify_table() -> None:
    result = runner.invoke(app, ["classify", "石英晶体谐振器"])
    assert result.exit_code == 0, result.output
    assert "39" in result.output
    assert "行业代码" in result.output


def test_cli_classify_json() -> None:
    result = runner.invoke(app, ["classify", "医用护理垫", "--json", "--top", "2"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["text"] == "医用护理垫"
    assert 1 <= len(payload["guesses"]) <= 2
    assert {"code", "name", "score", "evidence"} <= set(payload["guesses"][0])
    assert isinstance(payload["nodes"], list)


@pytest.mark.parametrize("args", [["classify", ""], ["classify", "   "], ["classify"]])
def test_cli_classify_empty_text_is_a_clear_error(args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert "没有给出要分类的文字" in result.output
    assert "Traceback" not in result.output


def test_cli_classify_bad_top() -> None:
    result = runner.invoke(app, ["classify", "水泥", "--top", "0"])
    assert result.exit_code == 1
    assert "--top" in result.output


# --- benchmark floor -------------------------------------------------------------------------------


def test_benchmark_top3_floor() -> None:
    spec = importlib.util.spec_from_file_location("bench_classify_run", ROOT / "bench" / "classify" / "run.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    scores = module.evaluate()
    assert scores.rows >= 300
    assert scores.div_top3 / scores.rows >= 0.80
