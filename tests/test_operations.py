"""Park operations on SQLite and PostgreSQL: projects and their stage history, imports with located messages and
nothing half-written, role rules, KPIs computed from records (the demo's hand-checked against its own rows), and
the benefit-sharing ledger on hand-worked examples."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from copark import api
from copark.api.operations import ProjectInput
from copark.cli.main import app
from copark.core.errors import CoparkError, ValidationFailed
from copark.demo import INVENTED_MARK, demo_paths, is_real_name, load_demo
from copark.services.access import Actor, Forbidden
from copark.storage.tables import EnterpriseFigure, InvestmentProject, ProjectEvent, User
from copark.workspace import Workspace
from web_seed import seed

ops = api.operations
runner = CliRunner()


def _actor(workspace: Workspace, username: str) -> Actor:
    with workspace.transaction() as s:
        return Actor.of(s.scalar(select(User).where(User.username == username)))


def _book(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def _count(workspace: Workspace, table: type) -> int:
    with workspace.transaction() as s:
        return s.scalar(select(func.count()).select_from(table)) or 0


# ---- the demo reproduces the reported figures, from its records ----------------------------------------------

def _csv(name: str) -> list[dict[str, str]]:
    with open(demo_paths((name,))[0], encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_demo_records_hand_checked_give_the_reported_figures(workspace: Workspace) -> None:
    projects, figures = _csv("projects.csv"), _csv("figures.csv")
    credit, exports, training = _csv("credit.csv"), _csv("exports.csv"), _csv("training.csv")
    # invented firms, banks and schools only: no figure is attached to a real named company
    names = ([p["企业名称"] for p in projects] + [f["企业名称"] for f in figures] + [c["银行"] for c in credit]
             + [c["企业名称"] for c in credit] + [e["企业名称"] for e in exports] + [x["培训机构"] for x in training])
    assert all(n.endswith(INVENTED_MARK) and not is_real_name(n) for n in names)
    # the figures, computed here from the rows (amount columns are in 万元, as their headers say)
    signed = sum(1 for p in projects if p["签约日期"])
    operating = sum(1 for p in projects if p["阶段"] in ("投产", "达产"))
    revenue = sum(float(f["主营收入（万元）"]) for f in figures) * 1e4
    tax = sum(float(f["税收（万元）"]) for f in figures) * 1e4
    granted = sum(float(c["授信金额（万元）"]) for c in credit) * 1e4
    countries = {e["出口国家/地区"] for e in exports}
    assert (signed, operating, revenue, tax, granted, len(countries)) == (33, 18, 42.95e8, 2.42e8, 3.5e8, 32)
    assert len({c["银行"] for c in credit}) == 5

    load_demo(workspace=workspace)
    h = ops.headline(workspace=workspace)
    assert (h.projects_signed, h.projects_operating, h.countries, h.banks) == (signed, operating, 32, 5)
    assert h.revenue == pytest.approx(revenue) and h.tax == pytest.approx(tax)
    assert h.credit_granted == pytest.approx(granted)
    assert h.trainees == sum(int(x["培训人数"]) for x in training)
    assert [ops.format_money(v) for v in (h.revenue, h.tax, h.credit_granted)] == ["42.95亿元", "2.42亿元", "3.5亿元"]
    # the failed grain and bamboo firms are on record as terminated, with the lesson as the reason
    ended = ops.list_projects(workspace=workspace, stage="终止")
    assert {p.name for p in ended} == {"溆浦县禾丰粮油有限公司（虚构）", "溆浦县青竹制品有限公司（虚构）"}
    assert all("不符合园区定位" in p.end_reason for p in ended)


def test_cli_kpi_prints_the_demo_headline(sqlite_url: str) -> None:
    ws = Workspace(sqlite_url)
    load_demo(workspace=ws)
    ws.close()
    result = runner.invoke(app, ["-d", sqlite_url, "kpi"])
    assert result.exit_code == 0, result.output
    for text in ("签约项目：33个", "投产项目：18个", "主营收入：42.95亿元", "税收：2.42亿元", "银行授信：3.5亿元",
                 "出口国家和地区：32个", "示意性数据"):
        assert text in result.output


# ---- a small hand-made workspace ----------------------------------------------------------------------------

def test_small_workspace_kpis_projects_and_records(workspace: Workspace, tmp_path: Path) -> None:
    seed(workspace)
    add = ops.add_project
    p1 = add(workspace=workspace, data=ProjectInput(name="甲项目", stage="签约", stage_on=dt.date(2024, 1, 5)),
             source_region="长沙市雨花区")
    add(workspace=workspace, data=ProjectInput(name="乙项目", stage="洽谈", stage_on=dt.date(2024, 2, 1)))
    p3 = add(workspace=workspace, data=ProjectInput(name="丙项目", stage="签约", stage_on=dt.date(2023, 12, 1)))
    ops.move_project(workspace=workspace, project_id=p1.id, stage="投产", on=dt.date(2024, 3, 1))
    ops.move_project(workspace=workspace, project_id=p3.id, stage="终止", on=dt.date(2024, 4, 1), reason="资金未到位")
    history = ops.get_project(workspace=workspace, project_id=p1.id).history
    assert [(e.stage_label, e.reached_on) for e in history] == [("签约", dt.date(2024, 1, 5)),
                                                                 ("投产", dt.date(2024, 3, 1))]
    book = _book(tmp_path / "台账.xlsx", {
        "经营数据": [["企业名称", "期间", "主营收入（万元）", "税收（万元）"], ["甲项目", "2024-03", 100, 5],
                     ["甲项目", "2024年4月", 250.5, 7]],
        "出口": [["企业名称", "期间", "国家", "出口额"], ["甲项目", "2024Q2", "越南", "30万元"],
                 ["甲项目", "2024Q2", "泰国", 1000]],
        "授信": [["银行", "企业名称", "授信金额（亿元）", "已用金额"], ["某银行", "甲项目", 0.5, "2000万"]],
        "培训": [["课程", "培训机构", "培训人数", "园区企业录用人数"], ["缝纫工", "某学校", 40, 25]],
    })
    report = ops.import_operations(workspace=workspace, paths=[book], kind="records")
    assert report.created == {"figures": 2, "exports": 2, "credit": 1, "training": 1}
    h = ops.headline(workspace=workspace)
    assert (h.projects_signed, h.projects_operating, h.projects_total) == (2, 1, 3)
    assert (h.revenue, h.tax, h.credit_granted, h.credit_drawn) == (3_505_000.0, 120_000.0, 5e7, 2e7)
    assert (h.trainees, h.trainees_placed, h.countries) == (40, 25, 2)
    assert ops.headline(workspace=workspace, start=dt.date(2024, 4, 1)).revenue == 2_505_000.0
    # re-importing the same workbook updates, never doubles
    again = ops.import_operations(workspace=workspace, paths=[book], kind="records")
    assert again.created == {} and again.updated["figures"] == 2
    assert ops.headline(workspace=workspace).revenue == 3_505_000.0
    by_region = ops.series(workspace=workspace, by="region")
    assert [(r.period, r.group, r.revenue) for r in by_region] == [("2024-03", "430111", 1e6),
                                                                   ("2024-04", "430111", 2_505_000.0)]


def test_bad_moves_and_input_change_nothing(workspace: Workspace) -> None:
    seed(workspace)
    p = ops.add_project(workspace=workspace, data=ProjectInput(name="甲项目", stage="在建",
                                                               stage_on=dt.date(2024, 5, 1)))
    cases = [dict(stage="洽谈"), dict(stage="投产", on=dt.date(2024, 4, 1)), dict(stage="终止"),
             dict(stage="投产", on=dt.date.today() + dt.timedelta(days=3)), dict(stage="量产")]
    for case in cases:
        with pytest.raises(CoparkError) as caught:
            ops.move_project(workspace=workspace, project_id=p.id, **case)
        assert caught.value.problem.fix
    assert ops.get_project(workspace=workspace, project_id=p.id).stage == "construction"
    assert _count(workspace, ProjectEvent) == 1
    with pytest.raises(CoparkError, match="已有招商项目"):
        ops.add_project(workspace=workspace, data=ProjectInput(name="甲项目"))
    with pytest.raises(CoparkError, match="终止原因"):
        ops.add_project(workspace=workspace, data=ProjectInput(name="乙项目", stage="终止"))
    assert _count(workspace, InvestmentProject) == 1


# ---- imports: located Chinese messages, all or nothing -------------------------------------------------------

PROJECT_HEADER = ["企业名称", "来源地区", "阶段", "计划投资（万元）", "签约日期", "投产日期", "终止日期", "终止原因"]


def test_project_import_reads_units_and_dates(workspace: Workspace, tmp_path: Path) -> None:
    seed(workspace)
    book = _book(tmp_path / "项目.xlsx", {"招商项目": [
        PROJECT_HEADER, ["甲项目", "长沙市雨花区", "投产", 5000, "2023-05-01", "2024-01-10", None, None],
        ["乙项目", "溆浦县", "终止", "1.2亿", "2023-06-01", None, "2023-12-01", "不符合园区定位"],
    ]})
    report = ops.import_operations(workspace=workspace, paths=[book], kind="projects")
    assert report.created == {"projects": 2}
    rows = {p.name: p for p in ops.list_projects(workspace=workspace)}
    assert rows["甲项目"].planned_investment == 5e7 and rows["甲项目"].source_region == "雨花区"
    assert rows["乙项目"].planned_investment == 1.2e8 and rows["乙项目"].stage == "terminated"
    assert [e.stage for e in ops.get_project(workspace=workspace, project_id=rows["甲项目"].id).history] == [
        "signed", "operating"]


def test_project_import_with_errors_names_each_cell_and_writes_nothing(workspace: Workspace, tmp_path: Path) -> None:
    seed(workspace)
    book = _book(tmp_path / "项目.xlsx", {"招商项目": [
        PROJECT_HEADER,
        ["甲项目", "长沙市雨花区", "投产", 5000, "2023-05-01", "2024-01-10", None, None],  # fine
        ["乙项目", "不存在的地区", "量产", "很多", None, None, None, None],
        ["丙项目", None, "投产", None, "2024-05-01", "2024-01-01", None, None],  # dates out of order
        ["丁项目", None, "终止", None, "2023-05-01", None, "2023-06-01", None],  # no reason
        ["甲项目", None, "签约", None, "2023-05-01", None, None, None],  # duplicate
    ]})
    with pytest.raises(ValidationFailed) as caught:
        ops.import_operations(workspace=workspace, paths=[book], kind="projects")
    where = [p.where for p in caught.value.problems]
    assert "项目.xlsx/招商项目/第3行/来源地区" in where
    assert "项目.xlsx/招商项目/第3行/阶段" in where
    assert "项目.xlsx/招商项目/第3行/计划投资（万元）" in where
    assert "项目.xlsx/招商项目/第4行/投产日期" in where
    assert "项目.xlsx/招商项目/第5行/终止原因" in where
    assert "项目.xlsx/招商项目/第6行/企业名称" in where
    assert all(p.fix for p in caught.value.problems)
    assert "未写入任何数据" in str(caught.value)
    assert _count(workspace, InvestmentProject) == 0
    check = ops.import_operations(workspace=workspace, paths=[book], kind="projects", check_only=True)
    assert len(check.problems) == len(caught.value.problems)


def test_record_import_with_errors_writes_nothing(workspace: Workspace, tmp_path: Path) -> None:
    seed(workspace)
    ops.add_project(workspace=workspace, data=ProjectInput(name="甲项目", stage="投产", stage_on=dt.date(2024, 1, 1)))
    book = _book(tmp_path / "台账.xlsx", {"经营数据": [
        ["企业名称", "期间", "主营收入（万元）", "税收（万元）", "地方留成税收（万元）"],
        ["甲项目", "2024-03", 100, 5, 2],
        ["无此企业", "2024-13", -5, 1, 3],
    ]})
    with pytest.raises(ValidationFailed) as caught:
        ops.import_operations(workspace=workspace, paths=[book], kind="records")
    found = {p.where: p.what for p in caught.value.problems}
    assert "找不到企业“无此企业”" in found["台账.xlsx/经营数据/第3行/企业名称"]
    assert "期间" in found["台账.xlsx/经营数据/第3行/期间"]
    assert "台账.xlsx/经营数据/第3行/主营收入（万元）" in found
    assert "大于税收" in found["台账.xlsx/经营数据/第3行/地方留成税收（万元）"]
    assert _count(workspace, EnterpriseFigure) == 0


# ---- who sees and changes what ------------------------------------------------------------------------------

def test_roles_operators_see_their_park_enterprises_only_their_own(workspace: Workspace) -> None:
    s = seed(workspace)
    mine = ops.add_project(workspace=workspace, data=ProjectInput(name="甲医疗器械有限公司", stage="签约",
                                                                  stage_on=dt.date(2024, 1, 1)))
    other = ops.add_project(workspace=workspace, data=ProjectInput(name="外地项目"))
    assert mine.organization_id == s.a and other.organization_id is None
    ent_a, ent_b = _actor(workspace, "ent-a"), _actor(workspace, "ent-b")
    assert [p.id for p in ops.list_projects(workspace=workspace, actor=ent_a)] == [mine.id]
    assert ops.list_projects(workspace=workspace, actor=ent_b) == []
    with pytest.raises(Forbidden):
        ops.get_project(workspace=workspace, actor=ent_b, project_id=mine.id)
    for actor in (ent_a, _actor(workspace, "viewer")):
        with pytest.raises(Forbidden):
            ops.move_project(workspace=workspace, actor=actor, project_id=mine.id, stage="在建")
        with pytest.raises(Forbidden):
            ops.add_project(workspace=workspace, actor=actor, data=ProjectInput(name="新项目"))
    with pytest.raises(Forbidden):
        ops.headline(workspace=workspace, actor=ent_a)
    operator = _actor(workspace, "operator")
    assert len(ops.list_projects(workspace=workspace, actor=operator)) == 2
    ops.move_project(workspace=workspace, actor=operator, project_id=mine.id, stage="在建", on=dt.date(2024, 2, 1))
    assert ops.headline(workspace=workspace, actor=operator).projects_signed == 1


# ---- benefit sharing, hand-worked ----------------------------------------------------------------------------

def _figures(workspace: Workspace, tmp_path: Path, rows: list[list[object]]) -> None:
    book = _book(tmp_path / "经营.xlsx", {"经营数据": [["企业名称", "期间", "地方留成税收", "产值"], *rows]})
    ops.import_operations(workspace=workspace, paths=[book], kind="records")


def _ledger(workspace: Workspace, measure: str = "retained_tax") -> dict[tuple[str, str], tuple[float, float]]:
    return {(ln.enterprise, ln.period): (ln.host, ln.partner)
            for ln in ops.sharing_ledger(workspace=workspace) if ln.measure == measure}


def test_sharing_split_that_changes_mid_year(workspace: Workspace, tmp_path: Path) -> None:
    seed(workspace)  # the park lies in 溆浦县 (host), paired with 雨花区 (partner)
    ops.add_project(workspace=workspace, data=ProjectInput(name="甲项目", stage="投产", stage_on=dt.date(2023, 1, 1)),
                    source_region="长沙市雨花区")
    ops.add_project(workspace=workspace, data=ProjectInput(name="本地项目", stage="投产",
                                                           stage_on=dt.date(2023, 1, 1)), source_region="溆浦县")
    ops.add_sharing_agreement(workspace=workspace, name="首期", split_tax="7:3", split_output="8:2",
                              starts_on=dt.date(2024, 1, 1), ends_on=dt.date(2024, 6, 30))
    ops.add_sharing_agreement(workspace=workspace, name="二期", split_tax="6:4", starts_on=dt.date(2024, 7, 1))
    with pytest.raises(CoparkError, match="重叠"):
        ops.add_sharing_agreement(workspace=workspace, name="重叠", split_tax="5:5", starts_on=dt.date(2024, 3, 1))
    _figures(workspace, tmp_path, [["甲项目", "2024Q2", 100_000, 1_000_000], ["甲项目", "2024Q3", 100_000, None],
                                   ["甲项目", "2024-06", 30_000, None], ["本地项目", "2024Q2", 50_000, None],
                                   ["甲项目", "2023Q4", 10_000, None]])
    tax = _ledger(workspace)
    assert tax[("甲项目", "2024Q2")] == (70_000, 30_000)  # 首期 7:3
    assert tax[("甲项目", "2024Q3")] == (60_000, 40_000)  # 二期 6:4
    assert tax[("本地项目", "2024Q2")] == (50_000, 0)  # introduced by the host region itself
    assert tax[("甲项目", "2023Q4")] == (10_000, 0)  # before any agreement
    assert _ledger(workspace, "output")[("甲项目", "2024Q2")] == (800_000, 200_000)  # its own output split


def test_sharing_split_changing_inside_a_quarter_is_prorated_by_days(workspace: Workspace, tmp_path: Path) -> None:
    seed(workspace)
    ops.add_project(workspace=workspace, data=ProjectInput(name="甲项目", stage="投产", stage_on=dt.date(2023, 1, 1)),
                    source_region="430111")
    ops.add_sharing_agreement(workspace=workspace, name="首期", split_tax="7:3", starts_on=dt.date(2024, 1, 1),
                              ends_on=dt.date(2024, 5, 31))
    ops.add_sharing_agreement(workspace=workspace, name="二期", split_tax="5:5", starts_on=dt.date(2024, 6, 1))
    _figures(workspace, tmp_path, [["甲项目", "2024Q2", 91_000, None]])
    # 2024Q2 has 91 days: 61 (April, May) at 70 % and 30 (June) at 50 % → 61 × 700 + 30 × 500 = 57,700
    assert _ledger(workspace)[("甲项目", "2024Q2")] == (57_700, 33_300)


def test_sharing_enterprise_that_moves_stage_and_an_override(workspace: Workspace, tmp_path: Path) -> None:
    seed(workspace)
    building = ops.add_project(workspace=workspace, data=ProjectInput(name="乙项目", stage="在建",
                                                                      stage_on=dt.date(2024, 1, 1)),
                               source_region="长沙市雨花区")
    special = ops.add_project(workspace=workspace, data=ProjectInput(name="丙项目", stage="投产",
                                                                     stage_on=dt.date(2024, 1, 1)),
                              source_region="长沙市雨花区")
    agreement = ops.add_sharing_agreement(workspace=workspace, name="协议", split_tax="7:3",
                                          starts_on=dt.date(2024, 1, 1))
    ops.move_project(workspace=workspace, project_id=building.id, stage="投产", on=dt.date(2024, 3, 1))
    ops.set_sharing_override(workspace=workspace, agreement_id=agreement, project_id=special.id, split_tax="1:1")
    _figures(workspace, tmp_path, [["乙项目", "2024-02", 10_000, None], ["乙项目", "2024-03", 10_000, None],
                                   ["丙项目", "2024-03", 10_000, None]])
    tax = _ledger(workspace)
    assert tax[("乙项目", "2024-02")] == (10_000, 0)  # still 在建: all where it is located
    assert tax[("乙项目", "2024-03")] == (7_000, 3_000)  # 投产 from 1 March
    assert tax[("丙项目", "2024-03")] == (5_000, 5_000)  # its own split
    rules = {ln.enterprise + ln.period: ln.rule for ln in ops.sharing_ledger(workspace=workspace)}
    assert "尚未投产" in rules["乙项目2024-02"] and "单独约定" in rules["丙项目2024-03"]


def test_sharing_ledger_exports_both_formats(sqlite_workspace: Workspace, tmp_path: Path) -> None:
    ws = sqlite_workspace
    seed(ws)
    ops.add_project(workspace=ws, data=ProjectInput(name="甲项目", stage="投产", stage_on=dt.date(2023, 1, 1)),
                    source_region="长沙市雨花区")
    ops.add_sharing_agreement(workspace=ws, name="协议", split_tax="7:3", starts_on=dt.date(2024, 1, 1))
    _figures(ws, tmp_path, [["甲项目", "2024-01", 1000, 2000]])
    ops.sharing_ledger(workspace=ws, path=tmp_path / "台账.xlsx")
    ops.sharing_ledger(workspace=ws, path=tmp_path / "台账.csv")
    lines = list(load_workbook(tmp_path / "台账.xlsx")["分享明细"].values)
    assert lines[0][5] == "溆浦县（所在地，元）" and lines[0][6] == "雨花区（合作地，元）"
    assert [row[5:7] for row in lines[1:]] == [(700, 300), (1400, 600)]
    with open(tmp_path / "台账.csv", encoding="utf-8-sig") as handle:
        assert list(csv.reader(handle))[1][:3] == ["2024-01", "甲项目", "地方留成税收"]
    result = runner.invoke(app, ["-d", ws.url, "share", "ledger", "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code == 1 and ".xlsx" in result.output


def test_cli_project_commands(sqlite_url: str, tmp_path: Path) -> None:
    ws = Workspace(sqlite_url)
    seed(ws)
    ws.close()
    ok = runner.invoke(app, ["-d", sqlite_url, "project", "add", "甲项目", "--stage", "签约", "--on", "2024-01-02",
                             "--from", "长沙市雨花区", "--investment", "5000万元"])
    assert ok.exit_code == 0 and "#1" in ok.output, ok.output
    assert runner.invoke(app, ["-d", sqlite_url, "project", "move", "1", "投产", "--on", "2024-03-01"]).exit_code == 0
    listed = runner.invoke(app, ["-d", sqlite_url, "project", "list"])
    assert "投产" in listed.output and "5,000万元" in listed.output
    back = runner.invoke(app, ["-d", sqlite_url, "project", "move", "1", "线索"])
    assert back.exit_code == 1 and "不能从“投产”改为“线索”" in back.output
    bad = _book(tmp_path / "坏.xlsx", {"招商项目": [PROJECT_HEADER, ["乙项目", None, "量产"]]})
    imported = runner.invoke(app, ["-d", sqlite_url, "project", "import", str(bad)])
    assert imported.exit_code == 1 and "坏.xlsx/招商项目/第2行/阶段" in imported.output
