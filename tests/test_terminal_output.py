"""What people read at a terminal: at 80 columns help is whole, names are whole and each opportunity takes two
lines; `match` says how many it cut, marks inferred needs, and files carry item ids and need origins."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from copark.cli.main import app
from test_import import ORG_HEADERS, book, org_row

SUPPLIER = "溆浦县华兴化纤纺织材料有限责任公司"
MAKER = "湖南舒小福新材料科技有限公司"


def copark(url: str, *args: str, columns: int = 80) -> str:
    """The real CLI in a process whose terminal is `columns` wide."""
    code = "import sys; from copark.cli.main import app; sys.argv[0] = 'copark'; app()"
    env = {**os.environ, "COLUMNS": str(columns)}
    done = subprocess.run([sys.executable, "-c", code, "--database", url, *args], env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=900, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture
def lists(sqlite_url: str, tmp_path: Path) -> str:
    """A maker in 雨花区 whose inferred needs (涤纶短纤 …) a supplier in the partner county offers."""
    path = book(tmp_path / "lists.xlsx", {
        "园区": [["园区名称", "所在地区", "合作地区"], ["雨溆工业园", "溆浦县", "雨花区"]],
        "企业": [ORG_HEADERS,
                org_row(MAKER, region="长沙市雨花区", park="雨溆工业园", products="过滤棉、无尘布",
                        needs="技改贷款；包装纸箱"),
                org_row(SUPPLIER, region="溆浦县", offers="涤纶短纤；涤纶长丝；瓦楞纸箱"),
                org_row("溆浦县农村商业银行", kind="银行", region="431224", offers="小微企业贷款；技改贷款")],
    })
    runner = CliRunner()
    for args in (("import", str(path)), ("infer", "舒小福")):
        result = runner.invoke(app, ["--database", sqlite_url, *args], env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
    return sqlite_url


@pytest.mark.parametrize("command", [(), ("import",), ("infer",), ("match",), ("item",), ("item", "withdraw"),
                                     ("kb",), ("restore",), ("demo",)])
def test_help_is_never_cut_at_80_columns(sqlite_url: str, command: tuple[str, ...]) -> None:
    shown = copark(sqlite_url, *command, "--help")
    assert "…" not in shown, shown


def test_match_at_80_columns_prints_two_whole_lines_per_opportunity(lists: str) -> None:
    found = json.loads(copark(lists, "match", "--org", "舒小福", "--format", "json"))
    assert len(found) > 3
    shown = copark(lists, "match", "--org", "舒小福", "--top", "3")
    assert f"共 {len(found)} 条，显示前 3 条" in shown  # says what it cut
    lines = [line for line in shown.splitlines() if line.startswith("#")]
    assert len(lines) == 3 and len([x for x in shown.splitlines() if x.strip().startswith("理由：")]) == 3
    for line, opportunity in zip(lines, found, strict=False):
        assert f"{opportunity['need_org']}「" in line and f"← {opportunity['offer_org']}「" in line  # whole names
    assert "┃" not in shown  # no squeezed table
    wide = copark(lists, "match", "--org", "舒小福", "--top", "3", columns=200)
    assert "┃" in wide and "理由" in wide


def test_orgs_and_show_keep_names_and_texts_whole_at_80_columns(lists: str) -> None:
    shown = copark(lists, "orgs")
    assert MAKER in shown and SUPPLIER in shown and "…" not in shown
    assert "…" not in copark(lists, "show", "华兴化纤")


def test_inferred_needs_are_marked_and_files_carry_ids_and_origins(lists: str, tmp_path: Path) -> None:
    found = json.loads(copark(lists, "match", "--org", "舒小福", "--format", "json"))
    inferred = [d for d in found if d["need_origin"] == "inferred"]
    assert inferred and all(d["need_item_id"] for d in found)
    table = copark(lists, "match", "--org", "舒小福", "--top", str(len(found)), columns=200)
    assert f"{inferred[0]['need_text']}（推断需求）" in table
    narrow = copark(lists, "match", "--org", "舒小福", "--top", str(len(found)))
    assert f"「{inferred[0]['need_text']}（推断需求）」" in narrow
    out = tmp_path / "机会.csv"
    copark(lists, "match", "--org", "舒小福", "--top", "1", "-o", str(out))
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert len(rows) == len(found)  # every opportunity of the run, not the first --top
    assert {r["需求来源"] for r in rows} == {"填报", "推断"}
    assert all(r["需求条目编号"].isdigit() for r in rows)
