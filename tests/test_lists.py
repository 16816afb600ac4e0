"""Lists change: `import --sync` withdraws what a file no longer lists, `copark item` withdraws one item;
withdrawn items stay in the history and never produce opportunities again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from copark.cli.main import app
from test_import import ITEM_HEADERS, ORG_HEADERS, book, item_row, org_row, sample

runner = CliRunner()
CODE_A = "91430111MA4L0A2B3M"


@pytest.fixture
def cli(db_url: str):  # noqa: ANN201
    def invoke(*args: str):  # noqa: ANN202
        return runner.invoke(app, ["--database", db_url, *args], env={"COLUMNS": "200"})

    return invoke


def needs_matched(cli) -> dict[str, int]:  # noqa: ANN001
    """Need text → need item id of every opportunity `copark match --org 舒小福` finds."""
    result = cli("match", "--org", "舒小福", "--format", "json")
    assert result.exit_code == 0, result.output
    return {d["need_text"]: d["need_item_id"] for d in json.loads(result.stdout)}


def without_loan(path: Path) -> Path:
    """舒小福's lists as sample() has them, less the need 技改贷款; the bank is not in this file."""
    return book(path, {
        "企业": [ORG_HEADERS, org_row("湖南舒小福新材料科技有限公司", credit_code=CODE_A,
                                     offers="医用过滤棉代工；无尘布", needs="医用级过滤棉（年采购约2000万元）")],
        "清单明细": [ITEM_HEADERS, item_row("舒小福新材料科技", "需求", "无纺布", kind="原材料", quantity=500,
                                          unit="吨", annual_value="300万元", valid_until="2026-12-31")],
    })


def test_sync_withdraws_what_the_file_no_longer_lists(cli, tmp_path: Path) -> None:  # noqa: ANN001
    assert cli("import", str(sample(tmp_path / "a.xlsx"))).exit_code == 0
    loan = needs_matched(cli)["技改贷款"]

    result = cli("import", str(without_loan(tmp_path / "b.xlsx")), "--sync")
    assert result.exit_code == 0, result.output
    assert "已撤回 1 条不再列出的清单条目" in result.output
    assert "技改贷款" not in needs_matched(cli)  # a withdrawn need produces no opportunity

    shown = cli("show", "舒小福").output
    assert "需求清单（2）" in shown and "已撤回（1" in shown and "技改贷款" in shown  # kept in the history
    assert "小微企业贷款" in cli("show", "农村商业银行").output  # an organization not in the file is untouched
    row = next(line for line in cli("orgs").output.splitlines() if "舒小福" in line)
    assert [c.strip() for c in row.split("│")][-3:-1] == ["2", "2"]  # offers, needs counted: listed ones only

    # Listing it again (no --sync needed) brings it back, with the same id.
    result = cli("import", str(sample(tmp_path / "a.xlsx")))
    assert result.exit_code == 0, result.output
    assert needs_matched(cli)["技改贷款"] == loan
    assert "已撤回" not in cli("show", "舒小福").output


def test_plain_import_withdraws_nothing(cli, tmp_path: Path) -> None:  # noqa: ANN001
    assert cli("import", str(sample(tmp_path / "a.xlsx"))).exit_code == 0
    result = cli("import", str(without_loan(tmp_path / "b.xlsx")))
    assert result.exit_code == 0 and "已撤回" not in result.output
    assert "技改贷款" in needs_matched(cli)


def test_sync_refuses_skip_bad_rows(cli, tmp_path: Path) -> None:  # noqa: ANN001
    assert cli("import", str(sample(tmp_path / "a.xlsx"))).exit_code == 0
    result = cli("import", str(without_loan(tmp_path / "b.xlsx")), "--sync", "--skip-bad-rows")
    assert result.exit_code == 1 and "--sync 不能与 --skip-bad-rows 同时使用" in result.output
    assert "技改贷款" in needs_matched(cli)


def test_item_withdraw_restore_delete(cli, tmp_path: Path) -> None:  # noqa: ANN001
    assert cli("import", str(sample(tmp_path / "a.xlsx"))).exit_code == 0
    loan = needs_matched(cli)["技改贷款"]

    result = cli("item", "withdraw", str(loan))
    assert result.exit_code == 0 and f"已撤回条目 #{loan}「技改贷款」" in result.output
    assert "技改贷款" not in needs_matched(cli)
    again = cli("item", "withdraw", str(loan))
    assert again.exit_code == 1 and "已经撤回" in again.output and f"copark item restore {loan}" in again.output

    assert cli("item", "restore", str(loan)).exit_code == 0
    assert needs_matched(cli)["技改贷款"] == loan

    result = cli("item", "delete", str(loan))
    assert result.exit_code == 0 and "已删除条目" in result.output
    assert "技改贷款" not in needs_matched(cli) and "技改贷款" not in cli("show", "舒小福").output

    missing = cli("item", "withdraw", "99999")
    assert missing.exit_code == 1 and "找不到编号为 99999 的清单条目" in missing.output and "copark show" in missing.output


@pytest.mark.parametrize("word", ["pcb", "PCB", "Pcb"])
def test_orgs_search_ignores_case_on_every_backend(cli, tmp_path: Path, word: str) -> None:  # noqa: ANN001
    """`orgs --search pcb` finds PCB in a name, an item, a description and a product on SQLite and PostgreSQL."""
    path = book(tmp_path / "pcb.xlsx", {
        "企业": [ORG_HEADERS, org_row("长沙PCB电路有限公司"), org_row("湖南线路板厂", needs="多层PCB板"),
                 org_row("溆浦电子厂", description="专做pcb贴片"), org_row("怀化精密厂", products="Pcb治具"),
                 org_row("雨花五金厂", offers="冲压件")],
    })
    assert cli("import", str(path)).exit_code == 0
    result = cli("orgs", "--search", word)
    assert result.exit_code == 0, result.output
    for name in ("长沙PCB电路有限公司", "湖南线路板厂", "溆浦电子厂", "怀化精密厂"):
        assert name in result.output, (name, result.output)
    assert "雨花五金厂" not in result.output
