"""The demo tells the truth: needs are not offers restated, real firms carry no invented figures, invented
firms say so in their names, and every place that shows or exports demo data says it is illustrative."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from copark.cli.main import app
from copark.demo import INVENTED_MARK, REAL_NAMES, demo_paths, is_real_name
from copark.io.exporter import export_workspace
from copark.io.importer import import_files
from copark.locale import t
from copark.workspace import Workspace
from test_export import snapshot

MAX_RESTATED_SHARE = 0.15
NOTICE = "示意性数据"
#: The one figure the public reports give for a named pair: 舒小福 supplies 可孚医疗 about 2000万元 a year.
ARTICLE_AMOUNTS = {("可孚医疗", "约2000万元")}
#: Facts the reports state about a real organization, allowed in its item text although they hold digits.
REPORTED_TEXTS = {"溆浦展厅（400平方米，展示30多家企业300多种产品）"}

runner = CliRunner()


def _rows(name: str) -> list[dict[str, str]]:
    path = next(p for p in demo_paths() if p.name == name)
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _cells(text: str) -> list[str]:
    return [x.strip() for x in re.split(r"[、；;\n]", text or "") if x.strip()]


def _key(text: str) -> str:
    """Compare texts without whitespace and punctuation."""
    return re.sub(r"[\W_]+", "", text)


def restated_needs() -> tuple[list[str], list[str]]:
    """(needs that equal, contain or sit inside an offer's text or a 主营产品, all needs) of the demo CSVs."""
    orgs, items = _rows("organizations.csv"), _rows("items.csv")
    needs = [i["内容"] for i in items if i["资源/需求"] == "需求"]
    offers = [i["内容"] for i in items if i["资源/需求"] == "资源"]
    for org in orgs:
        needs += _cells(org["需求清单"])
        offers += _cells(org["资源清单"]) + _cells(org["主营产品"])
    keys = {_key(o) for o in offers} - {""}
    restated = [n for n in needs if any(k == _key(n) or k in _key(n) or _key(n) in k for k in keys)]
    return restated, needs


def test_needs_rarely_restate_an_offer() -> None:
    restated, needs = restated_needs()
    assert len(needs) > 150
    assert len(restated) / len(needs) <= MAX_RESTATED_SHARE, restated


def test_real_names_carry_no_invented_figures() -> None:
    orgs = _rows("organizations.csv")
    real = [o for o in orgs if is_real_name(o["企业名称"])]
    assert {r for r in REAL_NAMES if any(r in o["企业名称"] for o in real)} == set(REAL_NAMES)
    for org in real:
        for column in ("员工人数", "年营业收入", "联系方式", "资源清单", "需求清单"):
            assert org[column] == "", (org["企业名称"], column)
    for item in _rows("items.csv"):
        name = item["企业名称"]
        if not is_real_name(name):
            continue
        for column in ("数量", "单位", "认证要求", "有效期"):
            assert item[column] == "", (name, item["内容"], column)
        if item["年金额"]:
            assert any(r in name and item["年金额"] == a for r, a in ARTICLE_AMOUNTS), (name, item["内容"])
            assert item["备注"].startswith("公开报道")
        assert item["内容"] in REPORTED_TEXTS or not re.search(r"\d", item["内容"]), (name, item["内容"])


def test_readme_lists_the_real_names_and_the_mark() -> None:
    readme = (demo_paths()[0].parent / "README.md").read_text(encoding="utf-8")
    for name in REAL_NAMES:
        assert name in readme, name
    assert INVENTED_MARK in readme


def test_every_invented_organization_is_marked_in_its_name() -> None:
    orgs = _rows("organizations.csv")
    invented = [o["企业名称"] for o in orgs if not is_real_name(o["企业名称"])]
    assert len(invented) >= 40
    assert [n for n in invented if not n.endswith(INVENTED_MARK)] == []
    assert [o["企业名称"] for o in orgs if is_real_name(o["企业名称"]) and INVENTED_MARK in o["企业名称"]] == []
    banks = [o["企业名称"] for o in orgs if o["机构类型"] == "银行"]
    assert banks and all(n.endswith(INVENTED_MARK) for n in banks)  # the branch names are fictional
    named = {i["企业名称"] for i in _rows("items.csv")}
    assert named <= {o["企业名称"] for o in orgs}


def test_the_article_pairings_are_in_the_data() -> None:
    items = _rows("items.csv")

    def texts(org: str, direction: str) -> list[str]:
        return [i["内容"] for i in items if org in i["企业名称"] and i["资源/需求"] == direction]

    assert any(x.startswith("医用过滤海绵") for x in texts("舒小福", "资源"))
    assert not any("医用过滤海绵" in x for o in ("恒通海绵", "华泰") for x in texts(o, "资源"))
    sponge = next(i for i in items if "可孚医疗" in i["企业名称"] and "过滤海绵" in i["内容"])
    assert sponge["资源/需求"] == "需求" and sponge["年金额"] == "约2000万元" and "舒小福" in sponge["备注"]
    assert {"石英晶体谐振器", "石英晶体振荡器"} <= set(texts("晶科晶体", "资源"))
    assert any("晶振" in x for x in texts("可孚医疗", "需求"))
    assert any("晶振" in x for x in texts("众华电子", "需求"))


# -- every place that shows demo data says it is illustrative -------------------------------------------


@pytest.fixture
def cli(sqlite_url: str):  # noqa: ANN201
    def invoke(*args: str):  # noqa: ANN202
        result = runner.invoke(app, ["--database", sqlite_url, *args], env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        return result.output

    return invoke


def test_demo_output_says_illustrative_first_and_last(cli) -> None:  # noqa: ANN001
    lines = [line for line in cli("demo", "--top", "1").splitlines() if line.strip()]
    assert NOTICE in lines[0]
    assert "示意性" in lines[-1]


def test_show_and_orgs_say_illustrative_for_demo_orgs(cli, tmp_path: Path) -> None:  # noqa: ANN001
    cli("demo", "--top", "1")
    shown = cli("show", "舒小福")
    assert NOTICE in shown.splitlines()[0] and "舒小福" in shown
    assert NOTICE in cli("show", "瑞康耗材")
    assert NOTICE in cli("orgs")


def test_show_and_orgs_of_imported_data_carry_no_notice(cli, tmp_path: Path) -> None:  # noqa: ANN001
    from test_import import sample

    cli("import", str(sample(tmp_path / "a.xlsx")))
    assert NOTICE not in cli("show", "舒小福")
    assert NOTICE not in cli("orgs")


def test_export_of_demo_data_says_illustrative(cli, tmp_path: Path) -> None:  # noqa: ANN001
    cli("demo", "--top", "1")
    out = tmp_path / "导出.xlsx"
    assert NOTICE in cli("export", str(out))
    book = load_workbook(out)
    assert book.sheetnames[0] == t("import.sheet.help")
    assert NOTICE in str(book[t("import.sheet.help")]["A1"].value)
    csv_out = tmp_path / "导出.csv"
    assert NOTICE in cli("export", str(csv_out))
    for path in tmp_path.glob("导出_*.csv"):
        first = path.read_text(encoding="utf-8-sig").splitlines()[0]
        assert NOTICE in first, path


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_export_of_demo_data_round_trips(sqlite_workspace: Workspace, tmp_path: Path, suffix: str) -> None:
    """The notice (说明 sheet, CSV title row) never reaches the data: export → import changes nothing."""
    from copark.demo import load_demo

    load_demo(workspace=sqlite_workspace)
    original = snapshot(sqlite_workspace)
    result = export_workspace(workspace=sqlite_workspace, path=tmp_path / f"out{suffix}")
    assert result.demo_orgs == result.orgs > 60
    fresh = Workspace(f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    try:
        report = import_files(workspace=fresh, paths=result.paths)
        assert not report.problems and not report.warnings
        assert snapshot(fresh) == original
    finally:
        fresh.close()
    again = import_files(workspace=sqlite_workspace, paths=result.paths, source="demo")
    assert (again.orgs.created, again.orgs.updated, again.items.created, again.items.updated) == (0, 0, 0, 0)


def test_export_without_demo_data_has_no_notice(sqlite_workspace: Workspace, tmp_path: Path) -> None:
    from test_import import sample

    import_files(workspace=sqlite_workspace, paths=[sample(tmp_path / "a.xlsx")])
    result = export_workspace(workspace=sqlite_workspace, path=tmp_path / "plain.xlsx")
    assert result.demo_orgs == 0
    assert t("import.sheet.help") not in load_workbook(result.paths[0]).sheetnames
