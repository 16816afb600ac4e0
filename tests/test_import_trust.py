"""Issue 9, part A: what people wrote is read as they meant it (regions, units, amounts, identity, columns, files)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from copark.core.errors import CoparkError, ValidationFailed
from copark.io.importer import import_files
from copark.storage.tables import Organization
from copark.workspace import Workspace
from test_import import ORG_HEADERS, book, counts, org_row, problems_of


def _orgs(workspace: Workspace, *columns: object) -> list[tuple]:
    with workspace.transaction() as session:
        return [tuple(r) for r in session.execute(select(*columns).order_by(Organization.id))]


# ---- item 5: regions ---------------------------------------------------------------------------------------
def test_region_spellings_resolve_as_meant(tmp_path: Path, sqlite_workspace: Workspace) -> None:
    path = tmp_path / "regions.csv"
    path.write_text("企业名称,所在地区\n甲公司,长沙\n乙公司,溆浦县卢峰镇\n丙公司,长沙市雨花区同升街道\n"
                    "丁公司,湖南省怀化市溆浦县工业园区\n戊公司,431224.0\n", encoding="utf-8")
    import_files(workspace=sqlite_workspace, paths=[path])
    assert _orgs(sqlite_workspace, Organization.name, Organization.region_code) == [
        ("甲公司", "430100"), ("乙公司", "431224"), ("丙公司", "430111"), ("丁公司", "431224"), ("戊公司", "431224")]


def test_ambiguous_region_is_refused_with_candidates(tmp_path: Path, sqlite_workspace: Workspace) -> None:
    path = book(tmp_path / "a.xlsx", {"企业": [ORG_HEADERS, org_row("甲公司", region="朝阳区")]})
    with pytest.raises(ValidationFailed) as error:
        import_files(workspace=sqlite_workspace, paths=[path])
    (problem,) = problems_of(error)
    assert problem.startswith("a.xlsx/企业/第2行/所在地区") and "北京市朝阳区" in problem and "长春市朝阳区" in problem
    assert counts(sqlite_workspace) == (0, 0, 0)


# ---- items 3 and 4: units in headers, amounts inside list cells ----------------------------------------------
def test_header_units_apply_to_the_column(tmp_path: Path, sqlite_workspace: Workspace) -> None:
    from copark.storage.tables import Item

    path = book(tmp_path / "u.xlsx", {
        "企业": [["企业名称", "年营业收入（万元）"], ["甲公司", 3500], ["乙公司", "2.5亿"], ["丙公司", "120"]],
        "清单明细": [["企业名称", "资源/需求", "内容", "数量（吨）", "年金额(亿元)"], ["甲公司", "需求", "钢材", 50, 1.5]],
    })
    import_files(workspace=sqlite_workspace, paths=[path])
    assert _orgs(sqlite_workspace, Organization.name, Organization.annual_revenue, Organization.annual_revenue_text) == [
        ("甲公司", 3.5e7, "3500万元"), ("乙公司", 2.5e8, "2.5亿"), ("丙公司", 1.2e6, "120万元")]
    with sqlite_workspace.transaction() as session:
        item = session.scalars(select(Item)).one()
        assert (item.quantity, item.unit, item.annual_value, item.annual_value_text) == (50, "吨", 1.5e8, "1.5亿元")


def test_header_units_survive_export_and_reimport(tmp_path: Path, sqlite_workspace: Workspace) -> None:
    from copark.io.exporter import export_workspace

    path = book(tmp_path / "u.xlsx", {"企业": [["企业名称", "年营业收入（万元）"], ["甲公司", 3500]]})
    import_files(workspace=sqlite_workspace, paths=[path])
    out = tmp_path / "out.xlsx"
    export_workspace(workspace=sqlite_workspace, path=out)
    again = import_files(workspace=sqlite_workspace, paths=[out])
    assert (again.orgs.updated, again.orgs.unchanged) == (0, 1)
    assert _orgs(sqlite_workspace, Organization.annual_revenue) == [(3.5e7,)]


def test_a_foreign_currency_header_is_refused(tmp_path: Path, sqlite_workspace: Workspace) -> None:
    path = book(tmp_path / "f.xlsx", {"企业": [["企业名称", "年营业收入（万美元）"], ["甲公司", 3500]]})
    with pytest.raises(ValidationFailed) as error:
        import_files(workspace=sqlite_workspace, paths=[path])
    (problem,) = problems_of(error)
    assert problem.startswith("f.xlsx/企业/第1行/年营业收入（万美元）") and "万美元" in problem and "万元" in problem
    assert counts(sqlite_workspace) == (0, 0, 0)


def test_amounts_in_list_cells_leave_the_matched_text(tmp_path: Path, sqlite_workspace: Workspace) -> None:
    from copark.storage.tables import Item

    path = book(tmp_path / "a.xlsx", {
        "企业": [["企业名称", "需求清单"], ["甲公司", "注塑件（年采购约2000万元）；钢材，月用量50吨；医用口罩（N95）"]],
        "清单明细": [["企业名称", "资源/需求", "内容", "备注"], ["甲公司", "资源", "模具加工（年产能300套）", "可打样"]],
    })
    import_files(workspace=sqlite_workspace, paths=[path])
    with sqlite_workspace.transaction() as session:
        items = {i.text: i for i in session.scalars(select(Item))}
    assert set(items) == {"注塑件", "钢材", "医用口罩（N95）", "模具加工"}
    assert (items["注塑件"].annual_value, items["注塑件"].annual_value_text, items["注塑件"].note) == (
        2e7, "2000万元", "年采购约2000万元")
    assert (items["钢材"].quantity, items["钢材"].unit, items["钢材"].note) == (50, "吨", "月用量50吨")
    assert (items["模具加工"].quantity, items["模具加工"].unit, items["模具加工"].note) == (300, "套", "可打样；年产能300套")
    # re-importing the same cells changes nothing
    again = import_files(workspace=sqlite_workspace, paths=[path])
    assert (again.items.created, again.items.updated) == (0, 0)


def test_items_stored_with_amounts_in_their_text_are_updated_not_duplicated(
        tmp_path: Path, sqlite_workspace: Workspace) -> None:
    from copark.storage.tables import Item

    with sqlite_workspace.transaction() as session:  # as an import before issue 9 stored it
        org = Organization(name="甲公司", norm_name="甲公司", kind="enterprise")
        session.add(org)
        session.flush()
        session.add(Item(organization_id=org.id, direction="need", text="注塑件（年采购约2000万元）", annual_value=2e7))
    path = book(tmp_path / "a.xlsx", {"企业": [["企业名称", "需求清单"], ["甲公司", "注塑件（年采购约2000万元）"]]})
    report = import_files(workspace=sqlite_workspace, paths=[path])
    assert (report.items.created, report.items.updated) == (0, 1)
    with sqlite_workspace.transaction() as session:
        assert [(i.text, i.note) for i in session.scalars(select(Item))] == [("注塑件", "年采购约2000万元")]


# ---- item 7: files as they really come --------------------------------------------------------------------
def test_csv_with_an_unbalanced_quote_is_refused_with_its_line(tmp_path: Path, sqlite_workspace: Workspace) -> None:
    path = tmp_path / "q.csv"
    path.write_text('企业名称,所在地区,需求清单\n长沙引号一公司,"溆浦县,注塑模具\n长沙引号二公司,雨花区,钢材\n'
                    '长沙引号三公司,雨花区,铜线\n', encoding="utf-8")
    with pytest.raises(CoparkError) as error:
        import_files(workspace=sqlite_workspace, paths=[path])
    assert str(error.value).startswith("q.csv/第2行") and "引号" in str(error.value)
    assert counts(sqlite_workspace) == (0, 0, 0)
    # …also when a later quote closes it, so that it swallowed whole rows
    path.write_text('企业名称,所在地区,需求清单\n长沙引号一公司,"溆浦县,注塑模具\n长沙引号二公司,雨花区,钢材"\n',
                    encoding="utf-8")
    with pytest.raises(CoparkError, match="第2行有未配对的引号"):
        import_files(workspace=sqlite_workspace, paths=[path])


def test_quoted_multiline_cells_are_still_read(tmp_path: Path, sqlite_workspace: Workspace) -> None:
    path = tmp_path / "m.csv"
    path.write_text('企业名称,所在地区,需求清单\n甲公司,溆浦县,"钢材\n铜线"\n乙公司,雨花区,"注塑件，模具"\n', encoding="utf-8")
    report = import_files(workspace=sqlite_workspace, paths=[path])
    assert (report.orgs.created, report.items.created) == (2, 3)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_utf16_tab_separated_text_is_read(tmp_path: Path, sqlite_workspace: Workspace, encoding: str) -> None:
    path = tmp_path / "unicode.txt"
    path.write_bytes("企业名称\t所在地区\t需求清单\r\n甲公司\t溆浦县\t钢材；铜线\r\n".encode(encoding))
    report = import_files(workspace=sqlite_workspace, paths=[path])
    assert (report.orgs.created, report.items.created) == (1, 2)
    assert _orgs(sqlite_workspace, Organization.name, Organization.region_code) == [("甲公司", "431224")]


@pytest.mark.parametrize(("content", "message"), [
    (b"", "文件是空的"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "旧版 Excel（.xls）"),
    (b"not a zip at all", "不是 Excel 工作簿"),
    ("docx", "Word 文档"),
])
def test_files_that_are_no_workbook_are_named_in_chinese(tmp_path: Path, sqlite_workspace: Workspace,
                                                         content: bytes | str, message: str) -> None:
    import zipfile

    path = tmp_path / "清单.xlsx"
    if content == "docx":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("word/document.xml", "<document/>")
    else:
        path.write_bytes(content)  # type: ignore[arg-type]
    with pytest.raises(CoparkError) as error:
        import_files(workspace=sqlite_workspace, paths=[path])
    text = str(error.value)
    assert text.startswith("清单.xlsx") and message in text and "另存为" in text
    assert "zip" not in text.lower()


# ---- item 6: the whole GB/T 4754-2017 table, 主导产业 words --------------------------------------------------
def test_the_shipped_industry_table_is_the_whole_standard() -> None:
    from copark.knowledge.industries import builtin_industries

    table = builtin_industries()
    assert [len(table.level(level)) for level in (1, 2, 3, 4)] == [20, 97, 473, 1381]
    assert (table.name("0151"), table.name("0220"), table.name("6622")) == ("仁果类和核果类水果种植", "造林和更新",
                                                                            "政策性银行服务")


def test_codes_missing_from_the_old_table_are_accepted(tmp_path: Path, sqlite_workspace: Workspace) -> None:
    path = book(tmp_path / "c.xlsx", {"企业": [ORG_HEADERS, org_row("甲果业合作社", industry="0151"),
                                           org_row("乙林场", industry="A0220"), org_row("丙农信社", industry="6622")]})
    import_files(workspace=sqlite_workspace, paths=[path])
    assert _orgs(sqlite_workspace, Organization.industry_code) == [("0151",), ("0220",), ("6622",)]


def test_positioning_words_map_to_industries_and_the_rest_is_reported(
        tmp_path: Path, sqlite_workspace: Workspace) -> None:
    from copark.io.layouts import PARKS
    from copark.storage.tables import Park

    path = book(tmp_path / "p.xlsx", {"园区": [[c.header for c in PARKS.columns],
                                              ["雨溆工业园", "溆浦县", "雨花区", None, "电子信息、纺织服装产业；C35；智慧康养", None]]})
    report = import_files(workspace=sqlite_workspace, paths=[path])
    with sqlite_workspace.transaction() as session:
        positioning = session.scalars(select(Park.positioning)).one()
    assert positioning == ["电子信息", "纺织服装产业", "C35", "智慧康养", "39", "65", "17", "18"]
    (warning,) = [w for w in report.warnings if "主导产业" in w]
    assert warning.startswith("p.xlsx/园区/第2行/主导产业") and "“智慧康养”" in warning and "“电子信息" not in warning
    again = import_files(workspace=sqlite_workspace, paths=[path])
    assert again.parks.unchanged == 1


def test_every_positioning_word_names_known_codes() -> None:
    from copark.knowledge.industries import builtin_industries
    from copark.knowledge.positioning import positioning_words

    table = builtin_industries()
    unknown = [(word, code) for word, codes in positioning_words().items() for code in codes if table.get(code) is None]
    assert not unknown and len(positioning_words()) > 40


# ---- item 8: the columns people keep ------------------------------------------------------------------------
def test_contact_columns_combine_and_notes_are_stored(tmp_path: Path, sqlite_workspace: Workspace) -> None:
    path = book(tmp_path / "c.xlsx", {"企业": [
        ["企业名称", "联系人", "联系电话", "手机号码", "备注", "求购"],
        ["甲公司", "张经理", "0731-88888888", 13800000000, "周五下午可对接", "钢材；铜线"],
        ["乙公司", None, None, 13900000000, None, None]]})
    report = import_files(workspace=sqlite_workspace, paths=[path])
    assert not [w for w in report.warnings if "忽略" in w]
    assert _orgs(sqlite_workspace, Organization.name, Organization.contact, Organization.note) == [
        ("甲公司", "张经理 0731-88888888 13800000000", "周五下午可对接"), ("乙公司", "13900000000", "")]
    assert report.items.created == 2


def test_qiugou_is_a_need_in_the_items_sheet(tmp_path: Path, sqlite_workspace: Workspace) -> None:
    from copark.storage.tables import Item

    path = book(tmp_path / "q.xlsx", {"清单明细": [["企业名称", "资源/需求", "内容"], ["甲公司", "求购", "钢材"]],
                                      "企业": [["企业名称"], ["甲公司"]]})
    import_files(workspace=sqlite_workspace, paths=[path])
    with sqlite_workspace.transaction() as session:
        assert session.scalars(select(Item.direction)).one() == "need"


def test_a_duplicated_header_that_cannot_combine_is_still_refused(tmp_path: Path, sqlite_workspace: Workspace) -> None:
    path = book(tmp_path / "d.xlsx", {"企业": [["企业名称", "员工人数", "职工人数"], ["甲公司", 10, 12]]})
    with pytest.raises(ValidationFailed) as error:
        import_files(workspace=sqlite_workspace, paths=[path])
    assert ["出现了不止一次" in p for p in problems_of(error)] == [True]


def test_organization_kind_is_read_from_the_name_when_not_given(tmp_path: Path, sqlite_workspace: Workspace) -> None:
    path = book(tmp_path / "k.xlsx", {"企业": [["企业名称", "机构类型"], ["溆浦农商行", None], ["怀化市职业中专", None],
                                           ["溆浦县人民政府", None], ["甲科技有限公司", None], ["乙银行培训中心", "企业"]]})
    import_files(workspace=sqlite_workspace, paths=[path])
    assert [k for (k,) in _orgs(sqlite_workspace, Organization.kind)] == [
        "bank", "training", "government", "enterprise", "enterprise"]


def test_template_examples_use_the_dropdown_choices(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from copark.io.layouts import ITEMS, ORGS
    from copark.io.template import write_template
    from copark.locale import t

    workbook = load_workbook(write_template(tmp_path / "t.xlsx"))
    for layout in (ORGS, ITEMS):
        sheet = workbook[layout.sheet_name]
        choices = {sheet.cell(row=1, column=next(iter(v.sqref.ranges)).min_col).value.rstrip("*"):
                   v.formula1.strip('"').split(",") for v in sheet.data_validations.dataValidation}
        for n in (1, 2):
            example = dict(zip([c.template_header.rstrip("*") for c in layout.template_columns],
                               t(f"template.example.{layout.key}.{n}").split("|"), strict=True))
            for header, allowed in choices.items():
                assert not example[header] or example[header] in allowed, (layout.key, n, header, example[header])


# ---- items 1 and 2: identity and lookup ---------------------------------------------------------------------
CODE_B = "91431224MA4L0A2B3" + __import__("copark.parsing.credit_code", fromlist=["x"]).check_character(
    "91431224MA4L0A2B3")


def test_show_finds_by_credit_code_and_by_traditional_or_simplified_name(tmp_path: Path, sqlite_url: str) -> None:
    from typer.testing import CliRunner

    from copark.cli.main import app

    def cli(*args: str):  # noqa: ANN202
        return CliRunner().invoke(app, ["--database", sqlite_url, *args], env={"COLUMNS": "200"})

    path = book(tmp_path / "n.xlsx", {"企业": [ORG_HEADERS, org_row("湖南仁和康（长沙）醫用材料有限公司", credit_code=CODE_B),
                                           org_row("湖南仁和康医疗器械有限公司")]})
    assert cli("import", str(path)).exit_code == 0
    for ref in (CODE_B, CODE_B.lower(), "湖南仁和康（长沙）医用材料有限公司", "湖南仁和康（长沙）醫用材料有限公司"):
        result = cli("show", ref)
        assert result.exit_code == 0, (ref, result.output)
        assert "湖南仁和康（长沙）醫用材料有限公司" in result.output


def test_names_that_differ_by_county_are_two_organizations(tmp_path: Path, sqlite_workspace: Workspace) -> None:
    path = book(tmp_path / "c.xlsx", {
        "企业": [ORG_HEADERS, org_row("安化县祥泰种养专业合作社", needs="饲料"), org_row("嘉禾县祥泰种养专业合作社", needs="种苗")],
        "清单明细": [["企业名称", "资源/需求", "内容"], ["嘉禾县祥泰种养专业合作社", "资源", "生猪"]]})
    report = import_files(workspace=sqlite_workspace, paths=[path])
    assert (report.orgs.created, report.items.created) == (2, 3)
    # a later file naming one of them exactly finds that one
    more = book(tmp_path / "m.xlsx", {"清单明细": [["企业名称", "资源/需求", "内容"], ["安化县祥泰种养专业合作社", "资源", "鸡蛋"]]})
    assert import_files(workspace=sqlite_workspace, paths=[more]).items.created == 1
    # the same name with one credit code stays one organization
    same = book(tmp_path / "s.xlsx", {"企业": [ORG_HEADERS, org_row("溆浦县丙科技有限公司", credit_code=CODE_B),
                                              org_row("怀化市丙科技有限公司", credit_code=CODE_B)]})
    assert import_files(workspace=sqlite_workspace, paths=[same]).orgs.created == 1


def test_a_name_variant_finds_the_stored_organization_and_is_reported_not_renamed(
        tmp_path: Path, sqlite_workspace: Workspace) -> None:
    import_files(workspace=sqlite_workspace, paths=[book(tmp_path / "a.xlsx", {
        "企业": [ORG_HEADERS, org_row("湖南仁和康医用材料有限公司", needs="无纺布")]})])
    report = import_files(workspace=sqlite_workspace, paths=[book(tmp_path / "b.xlsx", {
        "企业": [ORG_HEADERS, org_row("湖南仁和康醫用材料有限公司", needs="無紡布；熔噴布")]})])
    assert (report.orgs.created, report.orgs.unchanged) == (0, 1)
    (warning,) = [w for w in report.warnings if "保留原名称" in w]
    assert warning.startswith("b.xlsx/企业/第2行/企业名称") and "湖南仁和康醫用材料有限公司" in warning
    assert _orgs(sqlite_workspace, Organization.name) == [("湖南仁和康医用材料有限公司",)]


def test_words_that_look_like_counts_stay_in_the_text() -> None:
    """一条龙 is no quantity: a trailing clause leaves the text only when it states an amount or a digit count."""
    from copark.io.listcells import split_facts

    assert split_facts("电池包的钣金箱体，折弯、焊接、喷粉一条龙") == ("电池包的钣金箱体，折弯、焊接、喷粉一条龙", "")
    assert split_facts("注塑件（年采购约两千万元）") == ("注塑件", "年采购约两千万元")
