"""The CLI end to end: template, import, export, orgs, show — exit codes and messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from copark.cli.main import app
from test_import import ORG_HEADERS, book, org_row, sample

runner = CliRunner()


@pytest.fixture
def cli(sqlite_url: str):  # noqa: ANN201
    def invoke(*args: str):  # noqa: ANN202
        return runner.invoke(app, ["--database", sqlite_url, *args], env={"COLUMNS": "200"})

    return invoke


def test_template_import_orgs_show_export(cli, tmp_path: Path) -> None:  # noqa: ANN001
    template = tmp_path / "模板.xlsx"
    result = cli("template", str(template))
    assert result.exit_code == 0 and template.is_file() and "已生成模板" in result.output
    assert cli("template", str(template)).exit_code == 1

    result = cli("import", str(sample(tmp_path / "a.xlsx")))
    assert result.exit_code == 0, result.output
    assert "导入结果" in result.output and "清单条目" in result.output and "6" in result.output

    result = cli("orgs")
    assert result.exit_code == 0 and "湖南舒小福新材料科技有限公司" in result.output and "溆浦县农村商业银行" in result.output
    result = cli("orgs", "--region", "溆浦县")
    assert "溆浦县农村商业银行" in result.output and "舒小福" not in result.output
    result = cli("orgs", "--region", "湖南省", "--kind", "企业")
    assert "舒小福" in result.output and "农村商业银行" not in result.output
    result = cli("orgs", "--search", "过滤棉")  # found through an item and the products
    assert "舒小福" in result.output and "农村商业银行" not in result.output
    assert "没有符合条件的机构" in cli("orgs", "--search", "航空发动机").output
    assert cli("orgs", "--kind", "外星人").exit_code == 1

    result = cli("show", "舒小福")
    assert result.exit_code == 0
    for text in ("91430111MA4L0A2B3M", "湖南省长沙市雨花区", "雨溆工业园", "资源清单（2）", "需求清单（3）", "2000万元"):
        assert text in result.output, text
    result = cli("show", "不存在")
    assert result.exit_code == 1 and "找不到机构" in result.output

    out = tmp_path / "导出.xlsx"
    result = cli("export", str(out))
    assert result.exit_code == 0 and out.is_file() and "2 个机构" in result.output


def test_import_problems_exit_1_and_write_nothing(cli, tmp_path: Path) -> None:  # noqa: ANN001
    bad = book(tmp_path / "bad.xlsx", {"企业": [ORG_HEADERS, org_row("好公司"), org_row("坏公司", employees="很多")]})
    result = cli("import", str(bad))
    assert result.exit_code == 1
    assert "bad.xlsx/企业/第3行/员工人数" in result.output and "未写入任何数据" in result.output
    assert "--skip-bad-rows" in result.output and "Traceback" not in result.output
    assert "没有符合条件的机构" in cli("orgs").output

    rejects = tmp_path / "错行.xlsx"
    result = cli("import", str(bad), "--skip-bad-rows", "--rejects", str(rejects))
    assert result.exit_code == 0 and rejects.is_file() and "有 1 行有误已跳过" in result.output
    assert "好公司" in cli("orgs").output


def test_import_of_missing_or_foreign_files(cli, tmp_path: Path) -> None:  # noqa: ANN001
    result = cli("import", str(tmp_path / "nope.xlsx"))
    assert result.exit_code == 1 and "找不到文件" in result.output
    other = book(tmp_path / "other.xlsx", {"Sheet": [["姓名", "年龄"], ["张三", 30]]})
    result = cli("import", str(other))
    assert result.exit_code == 1 and "无法识别表头" in result.output and "企业名称*" in result.output


@pytest.mark.parametrize("args", [("orgs", "--limit", "0"), ("orgs", "--limit", "-1"), ("demo", "--top", "0")])
def test_counts_must_be_positive(cli, args: tuple[str, ...]) -> None:  # noqa: ANN001
    result = cli(*args)
    assert result.exit_code == 1 and f"{args[1]} 应为正整数" in result.output, result.output


def test_an_organization_is_found_by_its_stored_name_and_id(cli, tmp_path: Path) -> None:  # noqa: ANN001
    """The exact name as stored (full-width brackets kept) and #id both find it; before, the bracket made it 找不到."""
    path = book(tmp_path / "n.xlsx", {"企业": [ORG_HEADERS, org_row("湖南仁和康（长沙）医用材料有限公司"),
                                           org_row("湖南仁和康医疗器械有限公司")]})
    assert cli("import", str(path)).exit_code == 0
    result = cli("show", "湖南仁和康（长沙）医用材料有限公司")
    assert result.exit_code == 0, result.output
    assert "湖南仁和康（长沙）医用材料有限公司" in result.output
    by_id = cli("show", "#1")
    assert by_id.exit_code == 0 and "（#1）" in by_id.output


def test_demo_refuses_a_database_holding_other_data(cli, tmp_path: Path) -> None:  # noqa: ANN001
    """The user's park is also called 雨溆工业园: the demo once overwrote it, added 66 fictional organizations
    and crashed. Now it refuses, names a fresh database to use, and changes nothing."""
    assert cli("import", str(sample(tmp_path / "a.xlsx"))).exit_code == 0
    before = (cli("orgs").output, cli("show", "舒小福").output)
    result = cli("demo", "--top", "1")
    assert result.exit_code == 1, result.output
    assert "已有非示例数据（1 个园区、2 个机构、6 条清单条目）" in result.output and "不会向其中写入" in result.output
    assert "copark --database sqlite:///copark-demo.sqlite demo" in result.output
    assert "Traceback" not in result.output and "AttributeError" not in result.output
    assert (cli("orgs").output, cli("show", "舒小福").output) == before
