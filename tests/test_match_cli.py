"""`copark match`: output formats and clear one-line errors for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from copark.cli.main import app
from copark.workspace import Workspace
from test_matching import build_dataset

runner = CliRunner()


@pytest.fixture
def db(sqlite_url: str) -> str:
    ws = Workspace(sqlite_url)
    with ws.transaction() as session:
        build_dataset(session)
    ws.close()
    return sqlite_url


def run(url: str, *args: str):
    return runner.invoke(app, ["--database", url, "match", *args], env={"COLUMNS": "240"})


def test_table_output_shows_modes_and_reasons(db: str) -> None:
    result = run(db, "--org", "可孚医疗", "--top", "5", "--detail")
    assert result.exit_code == 0, result.output
    assert "对接机会" in result.stdout and "上游+下游" in result.stdout
    assert "舒小福" in result.stdout and "理由" in result.stdout
    assert "内容相关度" in result.stdout  # --detail shows the contributions


def test_json_csv_and_xlsx(db: str, tmp_path: Path) -> None:
    result = run(db, "--org", "可孚医疗", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data and {"score", "mode", "why", "explanation"} <= set(data[0])
    assert data == sorted(data, key=lambda d: -d["score"])
    out = tmp_path / "机会.csv"
    assert run(db, "--all", "--format", "csv", "--output", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8-sig").splitlines()[0].startswith("序号,得分,合作模式")
    xlsx = tmp_path / "机会.xlsx"
    assert run(db, "--any-region", "--format", "xlsx", "-o", str(xlsx)).exit_code == 0
    sheet = load_workbook(xlsx).active
    assert sheet.cell(1, 3).value == "合作模式" and sheet.max_row > 1


def test_a_file_gets_every_opportunity_by_its_extension(db: str, tmp_path: Path) -> None:
    """-o names the format by its extension and receives every opportunity of the run, with item ids, the need's
    origin and confidence; the table shows only the first --top."""
    table = run(db, "--all", "--top", "1")
    out = tmp_path / "全部.json"
    assert run(db, "--all", "--top", "1", "-o", str(out)).exit_code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert len(data) > 1 and f"共 {len(data)} 条" in table.stdout  # the table says how many it cut
    assert {"need_item_id", "offer_item_id", "need_origin", "low_confidence"} <= set(data[0])
    assert all(d["need_origin"] in ("declared", "inferred") for d in data)
    bad = run(db, "--all", "-o", str(tmp_path / "机会.txt"))
    assert bad.exit_code == 1 and ".xlsx" in bad.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--org", "不存在的公司"), "找不到机构"),
        (("--format", "pdf"), "不支持的输出格式"),
        (("--format", "xlsx"), "需要指定输出文件"),
        (("--industry", "XYZ"), "GB/T 4754-2017"),
        (("--industry", "99"), "GB/T 4754-2017"),
        (("--org", "可孚医疗", "--all"), "只能选一个"),
        (("--top", "0"), "--top"),
    ],
)
def test_bad_input_is_one_clear_line(db: str, args: tuple[str, ...], message: str) -> None:
    result = run(db, *args)
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_empty_database(sqlite_url: str) -> None:
    result = run(sqlite_url)
    assert result.exit_code == 1
    assert "还没有机构" in result.stderr and "copark import" in result.stderr
