"""分行业推介 over the demo: the service's choice of offers, needs and opportunities, `copark brief` writing .pdf
(text read back with pypdf: the Chinese is real text in an embedded Noto CJK font) and .xlsx, and clear errors that
leave no file behind."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from copark.api import trade
from copark.cli.main import app
from copark.core.errors import CoparkError
from copark.demo import DEMO_PARK, load_demo
from copark.services.access import Actor, Forbidden
from copark.services.accounts import Role
from copark.workspace import Workspace

SHUXIAOFU = "湖南舒小福新材料科技有限公司"
FILTER_SPONGE = "医用过滤海绵（呼吸机、制氧机配套）"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """The demo with its cross-region opportunities computed and stored, as `copark demo` leaves it."""
    from copark.services.opportunities import park_opportunities

    ws = Workspace(f"sqlite:///{tmp_path_factory.mktemp('brief') / 'demo.sqlite'}")
    load_demo(workspace=ws)
    with ws.transaction() as session:
        park_opportunities(session=session, park=DEMO_PARK, top=5, regions=ws.regions)
    yield ws
    ws.close()


def _text(path: Path) -> str:
    from pypdf import PdfReader

    return "".join("".join(page.extract_text().split()) for page in PdfReader(path).pages)


def test_brief_lists_the_parks_offers_needs_and_cross_region_opportunities(demo: Workspace) -> None:
    brief = trade.brief(workspace=demo, industry="29")
    assert brief.park == DEMO_PARK and brief.kind == "industry" and brief.subject == "29 橡胶和塑料制品业"
    assert (brief.host_region, brief.partner_region) == ("溆浦县", "雨花区")
    assert brief.illustrative
    assert any(o.organization == SHUXIAOFU and o.text == FILTER_SPONGE for o in brief.offers)
    # only the park's own enterprises (溆浦县), in the industry: the partner's are the brief's readers
    assert {o.region for o in brief.offers + brief.needs} == {"溆浦县"}
    assert all(o.industry.startswith("29") for o in brief.offers + brief.needs)
    assert brief.enterprises == len({o.organization for o in brief.offers + brief.needs})
    found = brief.opportunities
    assert found and len(found) <= 10 and brief.opportunities_total >= len(found)
    assert [o.rank for o in found] == list(range(1, len(found) + 1))
    assert [o.score for o in found] == sorted((o.score for o in found), reverse=True)
    assert {o.partner_region for o in found} == {"雨花区"} and all(o.why for o in found)
    assert brief.countries == 32 and brief.projects_signed == 33


def test_any_industry_level_and_the_parks_chains(demo: Workspace) -> None:
    section = trade.brief(workspace=demo, industry="C", top=3)
    assert section.subject.startswith("C ") and len(section.opportunities) == 3
    assert len(section.offers) > len(trade.brief(workspace=demo, industry="2924").offers) > 0
    chain = trade.brief(workspace=demo, chain="电子信息")
    assert chain.kind == "chain" and chain.industries[0].startswith("39")
    assert trade.park_chains(workspace=demo)[:3] == ["29", "30", "39"]
    with pytest.raises(CoparkError, match="不是雨溆工业园的产业链") as error:
        trade.brief(workspace=demo, chain="白酒")
    assert "29（橡胶和塑料制品业）" in error.value.problem.fix
    with pytest.raises(CoparkError, match="二选一"):
        trade.brief(workspace=demo, industry="29", chain="29")


def test_enterprise_users_get_no_brief(demo: Workspace) -> None:
    with pytest.raises(Forbidden):
        trade.brief(workspace=demo, actor=Actor(1, "ent", Role.enterprise, organization_id=1), industry="29")


def test_cli_writes_a_pdf_with_chinese_text(demo: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "推介-29.pdf"
    result = CliRunner().invoke(app, ["-d", demo.url, "brief", "--industry", "29", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "已写入" in result.output and "示意性数据" in result.output
    assert out.read_bytes()[:5] == b"%PDF-"
    text = _text(out)
    for wanted in (DEMO_PARK, "分行业推介", "29橡胶和塑料制品业", FILTER_SPONGE, SHUXIAOFU, "重点对接机会", "示意性数据"):
        assert wanted in text, wanted
    assert [p for p in tmp_path.iterdir()] == [out]  # no temporary file left beside it


def test_cli_writes_an_xlsx_with_one_sheet_per_part(demo: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "推介.xlsx"
    result = CliRunner().invoke(app, ["-d", demo.url, "brief", "--chain", "29", "-o", str(out)])
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    assert book.sheetnames == ["概览", "园区企业可供资源", "园区企业需求", "重点对接机会"]
    cover = [[c for c in row if c is not None] for row in book["概览"].iter_rows(values_only=True)]
    assert cover[0] == [f"{DEMO_PARK} · 29 分行业推介"] and cover[1][0].startswith("示意性数据")
    assert ["园区", DEMO_PARK] in cover and ["产业链", "29"] in cover
    offers = book["园区企业可供资源"]
    assert offers["A1"].value.startswith("示意性数据")  # the notice on every sheet
    assert [c.value for c in offers[2]][:5] == ["企业", "所在地区", "行业", "类别", "内容"]
    assert [SHUXIAOFU, FILTER_SPONGE] in [[r[0], r[4]] for r in offers.iter_rows(min_row=3, values_only=True)]
    assert offers.column_dimensions["E"].width > 20  # readable widths, not Excel's default 8.43
    opportunities = list(book["重点对接机会"].iter_rows(min_row=3, values_only=True))
    assert opportunities and opportunities[0][0] == 1 and all(r[9] for r in opportunities)


@pytest.mark.parametrize(("args", "message"), [
    (["--industry", "29", "-o", "{dir}/推介.docx"], "不支持的推介文件类型"),
    (["--industry", "9999", "-o", "{dir}/推介.pdf"], "不在 GB/T 4754-2017 中"),
    (["--chain", "白酒", "-o", "{dir}/推介.pdf"], "不是雨溆工业园的产业链"),
    (["-o", "{dir}/推介.pdf"], "二选一"),
    (["--industry", "29", "-o", "{dir}/no/such/推介.pdf"], "输出文件夹不存在"),
])
def test_cli_errors_are_clear_and_write_nothing(demo: Workspace, tmp_path: Path, args: list[str],
                                               message: str) -> None:
    result = CliRunner().invoke(app, ["-d", demo.url, "brief", *(a.format(dir=tmp_path) for a in args)])
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_failed_brief_keeps_the_earlier_file(demo: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "推介.pdf"
    out.write_bytes(b"earlier")
    result = CliRunner().invoke(app, ["-d", demo.url, "brief", "--industry", "9999", "-o", str(out)])
    assert result.exit_code == 1 and out.read_bytes() == b"earlier"


def test_without_weasyprint_the_pdf_says_what_to_install(demo: Workspace, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import weasyprint now raises ImportError
    result = CliRunner().invoke(app, ["-d", demo.url, "brief", "--industry", "29", "-o", str(tmp_path / "b.pdf")])
    assert result.exit_code == 1 and "copark[pdf]" in result.output and "fonts-noto-cjk" in result.output
    assert list(tmp_path.iterdir()) == []
