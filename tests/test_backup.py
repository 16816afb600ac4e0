"""`copark backup` / `copark restore`: a round trip taken while an import is running (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from copark.cli.main import app
from copark.storage import db
from copark.storage.tables import Organization
from copark.workspace import Workspace
from test_import import sample
from test_import_lock import PATIENCE, Holder, organizations

IN_FLIGHT = "进行中导入的机构"


class RunningImport(Holder):
    """An import that has written an organization and not committed yet (commits when released)."""

    def run(self) -> None:
        ws = Workspace(self.url)
        try:
            with ws.transaction() as session:
                db.hold_lock(session, "import", wait=PATIENCE)
                session.add(Organization(name=IN_FLIGHT, norm_name=IN_FLIGHT))
                session.flush()
                self.holding.set()
                self.release.wait(PATIENCE)
        finally:
            ws.close()


def names(url: str) -> list[str]:
    ws = Workspace(url)
    try:
        with ws.transaction() as session:
            return sorted(session.scalars(select(Organization.name)))
    finally:
        ws.close()


def test_backup_and_restore_round_trip_under_a_running_import(db_url: str, tmp_path: Path) -> None:
    def cli(*args: str, wait: str = "5"):  # noqa: ANN202
        return CliRunner().invoke(app, ["--database", db_url, *args], env={"COLUMNS": "200", "COPARK_LOCK_WAIT": wait})

    assert cli("import", str(sample(tmp_path / "a.xlsx"))).exit_code == 0
    before = cli("show", "舒小福").output
    copy = tmp_path / "备份.copark"
    with RunningImport(db_url):
        result = cli("backup", str(copy))  # online: it does not wait for the import, nor copies its rows
        assert result.exit_code == 0, result.output
        assert "已备份数据库" in result.output and copy.is_file()
        busy = cli("restore", str(copy), wait="1")  # a restore waits for the import, then says so
        assert busy.exit_code == 1 and "另一个导入正在写入此数据库（已等待 1 秒），未恢复任何数据" in busy.output
    assert IN_FLIGHT in names(db_url)  # the import committed after the backup was taken
    assert cli("item", "delete", "1").exit_code == 0

    result = cli("restore", str(copy))
    assert result.exit_code == 0, result.output
    assert names(db_url) == ["湖南舒小福新材料科技有限公司", "溆浦县农村商业银行"]
    assert cli("show", "舒小福").output == before

    again = cli("backup", str(copy))
    assert again.exit_code == 1 and "已存在" in again.output and "--force" in again.output
    assert cli("backup", str(copy), "--force").exit_code == 0


def test_restore_refuses_a_file_that_is_not_a_backup(sqlite_url: str, tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite"
    junk.write_text("not a database")
    Workspace(sqlite_url).close()
    result = CliRunner().invoke(app, ["--database", sqlite_url, "restore", str(junk)])
    assert result.exit_code == 1 and "不是 copark 的 SQLite 备份文件" in result.output
    missing = CliRunner().invoke(app, ["--database", sqlite_url, "restore", str(tmp_path / "nope")])
    assert missing.exit_code == 1 and "找不到备份文件" in missing.output
    assert organizations(sqlite_url) == 0
