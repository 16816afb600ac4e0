"""Importing workbooks and CSVs: layouts, validation problems, all-or-nothing, rejects, idempotence."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from copark.core.errors import CoparkError, ValidationFailed
from copark.io.importer import import_files
from copark.io.layouts import ITEMS, ORGS, PARKS
from copark.io.template import write_template
from copark.storage.tables import Item, Organization, Park
from copark.workspace import Workspace

ORG_HEADERS = [c.header for c in ORGS.columns]
ITEM_HEADERS = [c.header for c in ITEMS.columns]
CODE_A = "91430111MA4L0A2B3M"


def org_row(name: str, **cells: object) -> list[object]:
    row: list[object] = [None] * len(ORG_HEADERS)
    row[0] = name
    for key, value in cells.items():
        row[[c.key for c in ORGS.columns].index(key)] = value
    return row


def item_row(org: str, direction: str, text: str, **cells: object) -> list[object]:
    row: list[object] = [org, direction, None, text] + [None] * (len(ITEM_HEADERS) - 4)
    for key, value in cells.items():
        row[[c.key for c in ITEMS.columns].index(key)] = value
    return row


def book(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    """A workbook with the given sheets (first row = headers), saved to path."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def sample(path: Path) -> Path:
    return book(path, {
        "园区": [[c.header for c in PARKS.columns], ["雨溆工业园", "溆浦县", "雨花区", "2021-06-18", "医疗器械、C35", None]],
        "企业": [ORG_HEADERS,
                org_row("湖南舒小福新材料科技有限公司", credit_code=CODE_A, region="长沙市雨花区", park="雨溆工业园",
                        industry="C3581", employees=120, revenue="3.5亿", products="过滤棉、无尘布",
                        offers="医用过滤棉代工；无尘布", needs="医用级过滤棉（年采购约2000万元）\n技改贷款"),
                org_row("溆浦县农村商业银行", kind="银行", region="431224", offers="小微企业贷款")],
        "清单明细": [ITEM_HEADERS,
                 item_row("舒小福新材料科技", "需求", "无纺布", kind="原材料", quantity=500, unit="吨",
                          annual_value="300万元", valid_until="2026-12-31")],
    })


def counts(workspace: Workspace) -> tuple[int, int, int]:
    with workspace.transaction() as session:
        return (session.scalar(select(func.count()).select_from(Organization)),
                session.scalar(select(func.count()).select_from(Item)),
                session.scalar(select(func.count()).select_from(Park)))


def problems_of(error: pytest.ExceptionInfo[ValidationFailed]) -> list[str]:
    return [str(p) for p in error.value.problems]


def test_template_has_every_layout_and_dropdowns(tmp_path: Path) -> None:
    path = write_template(tmp_path / "清单模板.xlsx")
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["说明", "园区", "企业", "清单明细"]
    orgs = workbook["企业"]
    assert orgs["A1"].value == "企业名称*" and orgs.freeze_panes == "A2"
    assert any("银行" in (v.formula1 or "") for v in orgs.data_validations.dataValidation)
    items = workbook["清单明细"]
    formulas = " ".join(v.formula1 for v in items.data_validations.dataValidation)
    assert "资源" in formulas and "需求" in formulas and "金融/信贷" in formulas
    assert "示例" in " ".join(str(c.value) for row in workbook["说明"].iter_rows() for c in row if c.value)
    with pytest.raises(CoparkError):
        write_template(path)
    # The blank template itself is not an error to import, just empty.
    with pytest.raises(ValidationFailed, match="问题"):
        import_files(workspace=Workspace(f"sqlite:///{tmp_path / 'x.sqlite'}"), paths=[path])


def test_import_parks_orgs_and_items(workspace: Workspace, tmp_path: Path) -> None:
    report = import_files(workspace=workspace, paths=[sample(tmp_path / "a.xlsx")])
    assert (report.parks.created, report.orgs.created) == (1, 2)
    assert report.items.created == 6  # 2 offers + 2 needs + 1 bank offer + 1 detail row
    with workspace.transaction() as session:
        org = session.scalars(select(Organization).where(Organization.credit_code == CODE_A)).one()
        assert (org.region_code, org.industry_code, org.employees, org.annual_revenue) == ("430111", "3581", 120, 3.5e8)
        assert org.park is not None and org.park.name == "雨溆工业园" and org.park.region_code == "431224"
        assert org.products == ["过滤棉", "无尘布"]
        by_text = {i.text: i for i in org.items}
        # the amount goes to the item's fields and note, out of the text that is matched (issue 9, item 4)
        felt_need = by_text["医用级过滤棉"]
        assert (felt_need.annual_value, felt_need.note) == (2e7, "年采购约2000万元")
        assert by_text["技改贷款"].kind == "finance" and by_text["医用过滤棉代工"].kind == "processing"
        felt = by_text["无纺布"]
        assert (felt.direction, felt.kind, felt.quantity, felt.unit, felt.annual_value) == (
            "need", "material", 500, "吨", 3e6)
        assert str(felt.valid_until) == "2026-12-31"
        bank = session.scalars(select(Organization).where(Organization.kind == "bank")).one()
        assert bank.region_code == "431224" and [i.text for i in bank.items] == ["小微企业贷款"]


def test_reimport_creates_no_duplicates_and_updates(workspace: Workspace, tmp_path: Path) -> None:
    path = sample(tmp_path / "a.xlsx")
    import_files(workspace=workspace, paths=[path])
    before = counts(workspace)
    again = import_files(workspace=workspace, paths=[path])
    assert counts(workspace) == before
    assert (again.orgs.created, again.orgs.updated, again.items.created, again.items.updated) == (0, 0, 0, 0)
    workbook = load_workbook(path)
    workbook["企业"]["K2"] = 150  # 员工人数
    workbook["清单明细"]["G2"] = "400万元"
    workbook.save(path)
    updated = import_files(workspace=workspace, paths=[path])
    assert (updated.orgs.updated, updated.items.updated, updated.items.created) == (1, 1, 0)
    assert counts(workspace) == before
    with workspace.transaction() as session:
        assert session.scalar(select(Organization.employees).where(Organization.credit_code == CODE_A)) == 150
        assert session.scalar(select(Item.annual_value).where(Item.text == "无纺布")) == 4e6


def test_headers_with_spaces_full_width_stars_and_synonyms(tmp_path: Path, sqlite_workspace: Workspace) -> None:
    path = book(tmp_path / "b.xlsx", {"Sheet1": [
        ["序号", " 公司名称＊", "统一社会信用代码 *", "所在地区", "需求清单", "年营业收入（元）"],
        [1, "湖南甲科技有限公司", CODE_A, "雨花区", "电路板", 1000],
    ]})
    report = import_files(workspace=sqlite_workspace, paths=[path])
    assert (report.orgs.created, report.items.created, report.warnings) == (1, 1, [])


def test_missing_headers_list_the_expected_ones(tmp_path: Path, sqlite_workspace: Workspace) -> None:
    path = book(tmp_path / "c.xlsx", {"Sheet1": [["名字", "地址"], ["甲", "乙"]]})
    with pytest.raises(ValidationFailed) as error:
        import_files(workspace=sqlite_workspace, paths=[path])
    (problem,) = problems_of(error)
    assert "c.xlsx/Sheet1" in problem and "名字" in problem and "企业名称*" in problem and "清单明细" in problem


def test_merged_cell_fills_every_row_it_covers(tmp_path: Path, sqlite_workspace: Workspace) -> None:
    """A2:A3 merged over one enterprise's two items names it on both rows (issue 9, item 8); before, row 3 was
    refused as having no 企业名称."""
    path = book(tmp_path / "m.xlsx", {"企业": [ORG_HEADERS], "清单明细": [
        ITEM_HEADERS, item_row("溆浦甲厂", "需求", "电机"), item_row(None, "需求", "铝型材")]})
    workbook = load_workbook(path)
    workbook["清单明细"].merge_cells("A2:A3")
    workbook["企业"].append(org_row("溆浦甲厂"))
    workbook.save(path)
    report = import_files(workspace=sqlite_workspace, paths=[path])
    assert (report.orgs.created, report.items.created) == (1, 2)
    with sqlite_workspace.transaction() as session:
        assert sorted(session.scalars(select(Item.text))) == ["电机", "铝型材"]


def test_empty_rows_are_skipped_and_rows_keep_excel_numbers(tmp_path: Path, sqlite_workspace: Workspace) -> None:
    path = book(tmp_path / "e.xlsx", {"企业": [
        ORG_HEADERS, org_row("甲公司"), [None] * 3, [], org_row("乙公司", employees="很多")]})
    with pytest.raises(ValidationFailed) as error:
        import_files(workspace=sqlite_workspace, paths=[path])
    assert problems_of(error) == ["e.xlsx/企业/第5行/员工人数: “很多”不是有效数字 → 请填写数字，如 120"]


def test_wrong_types_and_bad_credit_code_name_row_and_column(tmp_path: Path, sqlite_workspace: Workspace) -> None:
    path = book(tmp_path / "w.xlsx", {"企业": [
        ORG_HEADERS,
        org_row("甲公司", credit_code="91430111MA4L0A2B3X", revenue="很多钱", kind="工会", region="火星",
                industry="X12345"),
    ], "清单明细": [ITEM_HEADERS, item_row("甲公司", "供需", "电机", quantity="若干", valid_until="明年")]})
    with pytest.raises(ValidationFailed) as error:
        import_files(workspace=sqlite_workspace, paths=[path])
    found = problems_of(error)
    expected_places = ["企业/第2行/统一社会信用代码: 统一社会信用代码“91430111MA4L0A2B3X”校验位错误",
                       "企业/第2行/年营业收入", "企业/第2行/机构类型", "企业/第2行/所在地区", "企业/第2行/行业",
                       "清单明细/第2行/资源/需求", "清单明细/第2行/数量", "清单明细/第2行/有效期",
                       "清单明细/第2行/企业名称: 企业“甲公司”所在的行有错误"]
    for place in expected_places:
        assert any(place in p for p in found), place
    assert len(found) == len(expected_places)


def test_duplicate_enterprises_merge_or_conflict(tmp_path: Path, sqlite_workspace: Workspace) -> None:
    code_b = "91431224MA4L0A2B3" + "X"
    from copark.parsing.credit_code import check_character
    code_b = code_b[:17] + check_character(code_b[:17])
    same = book(tmp_path / "d1.xlsx", {"企业": [
        ORG_HEADERS, org_row("湖南甲科技有限公司", credit_code=CODE_A, offers="电机"),
        org_row("甲科技有限公司", employees=50, needs="铜线", products="电机")]})
    report = import_files(workspace=sqlite_workspace, paths=[same])
    assert (report.orgs.created, report.items.created) == (1, 2)
    conflict = book(tmp_path / "d2.xlsx", {"企业": [
        ORG_HEADERS, org_row("湖南乙科技有限公司", credit_code=CODE_A),
        org_row("乙科技有限公司", credit_code=code_b)]})
    with pytest.raises(ValidationFailed) as error:
        import_files(workspace=sqlite_workspace, paths=[conflict])
    (problem,) = problems_of(error)
    assert "第3行/统一社会信用代码" in problem and "第2行" in problem and "不一致" in problem


def test_item_naming_unknown_org_is_a_problem(tmp_path: Path, sqlite_workspace: Workspace) -> None:
    path = book(tmp_path / "u.xlsx", {"清单明细": [ITEM_HEADERS, item_row("不存在的公司", "需求", "电机")]})
    with pytest.raises(ValidationFailed) as error:
        import_files(workspace=sqlite_workspace, paths=[path])
    assert "找不到企业“不存在的公司”" in problems_of(error)[0]


def test_items_file_may_name_organizations_already_stored(workspace: Workspace, tmp_path: Path) -> None:
    import_files(workspace=workspace, paths=[book(tmp_path / "o.xlsx", {"企业": [ORG_HEADERS, org_row("湖南丙材料有限公司")]})])
    report = import_files(workspace=workspace, paths=[
        book(tmp_path / "i.xlsx", {"清单明细": [ITEM_HEADERS, item_row("丙材料有限公司", "资源", "注塑加工")]})])
    assert (report.orgs.created, report.items.created) == (0, 1)


def test_all_or_nothing_leaves_database_unchanged(workspace: Workspace, tmp_path: Path) -> None:
    import_files(workspace=workspace, paths=[sample(tmp_path / "a.xlsx")])
    before = counts(workspace)
    bad = book(tmp_path / "bad.xlsx", {"企业": [ORG_HEADERS, org_row("新公司一", needs="电机"),
                                             org_row("新公司二", employees="abc")]})
    with pytest.raises(ValidationFailed):
        import_files(workspace=workspace, paths=[bad])
    assert counts(workspace) == before


def test_skip_bad_rows_writes_exactly_the_rejected_rows(workspace: Workspace, tmp_path: Path) -> None:
    path = book(tmp_path / "s.xlsx", {
        "企业": [ORG_HEADERS, org_row("好公司", needs="电机"), org_row("坏公司", employees="abc", offers="模具"),
                 org_row("另一好公司", credit_code=CODE_A)],
        "清单明细": [ITEM_HEADERS, item_row("好公司", "需求", "铜线", annual_value="20万"),
                     item_row("坏公司", "资源", "注塑"), item_row("好公司", "需求", "钢材", annual_value="很多")],
    })
    report = import_files(workspace=workspace, paths=[path], skip_bad_rows=True)
    assert (report.orgs.created, report.items.created, report.rows_rejected) == (2, 2, 3)
    assert report.rejects_paths == [tmp_path / "s_rejects.xlsx"]
    rejects = load_workbook(report.rejects_paths[0])
    orgs = list(rejects["企业"].values)
    assert orgs[0] == (*ORG_HEADERS, "错误原因")
    assert [r[:-1] for r in orgs[1:]] == [tuple(org_row("坏公司", employees="abc", offers="模具"))]
    assert "员工人数" in orgs[1][-1]
    items = list(rejects["清单明细"].values)
    assert [r[3] for r in items[1:]] == ["注塑", "钢材"]
    assert "坏公司" in items[1][-1] and "年金额" in items[2][-1]
    assert counts(workspace)[:2] == (2, 2)


def test_gbk_and_bom_csv(tmp_path: Path, sqlite_workspace: Workspace) -> None:
    for encoding, name in (("gbk", "甲制造有限公司"), ("utf-8-sig", "乙制造有限公司")):
        path = tmp_path / f"{encoding}.csv"
        with open(path, "w", encoding=encoding, newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["企业名称", "所在地区", "需求清单"])
            writer.writerow([name, "溆浦县", "竹材；电机"])
        report = import_files(workspace=sqlite_workspace, paths=[path])
        assert (report.orgs.created, report.items.created) == (1, 2)
    with sqlite_workspace.transaction() as session:
        assert set(session.scalars(select(Organization.name))) == {"甲制造有限公司", "乙制造有限公司"}


def test_csv_rejects_are_csv(tmp_path: Path, sqlite_workspace: Workspace) -> None:
    path = tmp_path / "list.csv"
    path.write_text("企业名称,员工人数\n甲公司,10\n乙公司,很多\n", encoding="gb18030")
    report = import_files(workspace=sqlite_workspace, paths=[path], skip_bad_rows=True)
    assert report.rejects_paths == [tmp_path / "list_rejects.csv"]
    rows = list(csv.reader(open(report.rejects_paths[0], encoding="utf-8-sig")))
    assert rows[0] == ["企业名称", "员工人数", "错误原因"] and rows[1][:2] == ["乙公司", "很多"] and len(rows) == 2


def test_unreadable_files_are_clear_errors(tmp_path: Path, sqlite_workspace: Workspace) -> None:
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (tmp_path / "fake.xlsx").write_text("not a zip")
    (tmp_path / "folder").mkdir()
    for name, message in (("old.xls", "不支持的文件类型"), ("fake.xlsx", "不是 Excel 工作簿"), ("none.xlsx", "找不到文件"),
                          ("folder", "是一个文件夹")):
        with pytest.raises(CoparkError, match=message):
            import_files(workspace=sqlite_workspace, paths=[tmp_path / name])


@pytest.mark.slow
def test_ten_thousand_rows(tmp_path: Path, sqlite_workspace: Workspace) -> None:
    orgs = [org_row(f"湖南测试{n:03d}号有限公司", region="雨花区") for n in range(200)]
    items = [item_row(f"湖南测试{n % 200:03d}号有限公司", "需求" if n % 2 else "资源", f"产品{n}",
                      quantity=n, unit="件", annual_value=f"{n}万元") for n in range(10_000)]
    path = book(tmp_path / "big.xlsx", {"企业": [ORG_HEADERS, *orgs], "清单明细": [ITEM_HEADERS, *items]})
    report = import_files(workspace=sqlite_workspace, paths=[path])
    assert (report.orgs.created, report.items.created, report.rows_read) == (200, 10_000, 10_200)
    again = import_files(workspace=sqlite_workspace, paths=[path])
    assert (again.items.created, again.items.unchanged) == (0, 10_000)


def test_industry_codes_and_names(tmp_path: Path, sqlite_workspace: Workspace) -> None:
    from copark.knowledge.industries import builtin_industries

    name = builtin_industries().name("3581")
    assert name
    good = book(tmp_path / "g.xlsx", {"企业": [ORG_HEADERS, org_row("甲材料科技公司", industry=name),
                                            org_row("乙材料科技公司", industry="c35")]})
    import_files(workspace=sqlite_workspace, paths=[good])
    with sqlite_workspace.transaction() as session:
        assert sorted(session.scalars(select(Organization.industry_code))) == ["35", "3581"]
    bad = book(tmp_path / "b.xlsx", {"企业": [ORG_HEADERS, org_row("丙材料科技公司", industry="9999"),
                                           org_row("丁材料科技公司", industry="A3581")]})
    with pytest.raises(ValidationFailed) as error:
        import_files(workspace=sqlite_workspace, paths=[bad])
    assert ["不在 GB/T 4754-2017 中" in p or "门类字母应为“C”" in p for p in problems_of(error)] == [True, True]


def test_industry_words_are_kept_as_written(tmp_path: Path, sqlite_workspace: Workspace) -> None:
    """行业 written as words that are no GB/T 4754 code or name (汽车零部件, 电子信息) is kept, not refused, and
    survives export → import; the code column stays empty for it."""
    from copark.io.exporter import export_workspace

    path = book(tmp_path / "w.xlsx", {"企业": [ORG_HEADERS, org_row("甲汽配科技公司", industry="汽车零部件"),
                                           org_row("乙材料科技公司", industry="3581")]})
    import_files(workspace=sqlite_workspace, paths=[path])
    with sqlite_workspace.transaction() as session:
        rows = session.execute(select(Organization.name, Organization.industry_code, Organization.industry_text)
                               .order_by(Organization.name)).all()
    assert [tuple(r) for r in rows] == [("乙材料科技公司", "3581", ""), ("甲汽配科技公司", None, "汽车零部件")]
    out = tmp_path / "out.xlsx"
    export_workspace(workspace=sqlite_workspace, path=out)
    again = import_files(workspace=sqlite_workspace, paths=[out])
    assert again.orgs.updated == 0 and again.orgs.unchanged == 2


def test_every_gbt_class_is_known_without_kb_import(tmp_path: Path, sqlite_workspace: Workspace) -> None:
    """8411 综合医院 is GB/T 4754-2017: the shipped table is complete, so no `copark kb import --gbt` is needed."""
    path = book(tmp_path / "h.xlsx", {"企业": [ORG_HEADERS, org_row("溆浦县人民医院", industry="8411")]})
    import_files(workspace=sqlite_workspace, paths=[path])
    with sqlite_workspace.transaction() as session:
        assert session.scalar(select(Organization.industry_code)) == "8411"
