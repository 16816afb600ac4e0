"""`copark backup` / `copark restore`: a consistent copy of the whole workspace, taken while others work.

SQLite: the online backup API copies a committed snapshot (a running import neither blocks it nor leaks into
it); restore replaces every table's rows from the copy in one transaction holding the import lock. PostgreSQL:
pg_dump (custom format) of the workspace's schema; pg_restore --clean in a single transaction, also under the
import lock.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from copark.core.errors import CoparkError
from copark.locale import t
from copark.storage import db
from copark.storage.tables import Base

LOCK = "import"  # restore excludes imports (and another restore) the way imports exclude each other


def backup(*, engine: Engine, path: Path, force: bool = False) -> Path:
    """Write a consistent copy of the workspace to `path` (refused if it exists, unless `force`)."""
    if path.exists() and not force:
        raise CoparkError(t("backup.exists", path=path), t("backup.exists.fix"))
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")  # a failed backup never leaves a file that looks whole
    try:
        if engine.dialect.name == "sqlite":
            _sqlite_backup(engine, partial)
        else:
            _pg_run(engine, ["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                             f"--schema={_schema(engine)}", f"--file={partial}"])
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def restore(*, engine: Engine, path: Path, wait: float) -> None:
    """Replace the workspace's contents with the backup at `path`, waiting up to `wait` s for a running import."""
    if not path.is_file():
        raise CoparkError(t("restore.missing", path=path), t("restore.missing.fix"))
    try:
        if engine.dialect.name == "sqlite":
            _sqlite_restore(engine, path, wait)
        else:
            _pg_restore(engine, path, wait)
    except db.LockTimeout:
        raise CoparkError(t("restore.busy", seconds=f"{wait:g}"), t("restore.busy.fix")) from None


# ---- SQLite ------------------------------------------------------------------------------------------
def _sqlite_file(engine: Engine) -> str:
    database = engine.url.database
    if not database or database == ":memory:":
        raise CoparkError(t("backup.memory"), t("backup.memory.fix"))
    return database


def _sqlite_backup(engine: Engine, target: Path) -> None:
    source = sqlite3.connect(_sqlite_file(engine))
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # one step: a snapshot of what is committed now
    finally:
        copy.close()
        source.close()


def _check_sqlite_backup(path: Path) -> None:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            version = conn.execute("select version_num from alembic_version").fetchone()
    except sqlite3.DatabaseError:
        version = None
    if version is None:
        raise CoparkError(t("restore.not_backup", path=path), t("restore.not_backup.fix"))


def _sqlite_restore(engine: Engine, path: Path, wait: float) -> None:
    _check_sqlite_backup(path)
    with tempfile.TemporaryDirectory() as folder:
        # An older copark's backup is brought to this schema on a copy first; the backup file stays as it was.
        copy = Path(folder) / "restore.sqlite"
        shutil.copyfile(path, copy)
        upgraded = db.make_engine(f"sqlite:///{copy}")
        db.upgrade(upgraded)
        upgraded.dispose()
        tables = Base.metadata.sorted_tables
        with engine.connect() as conn:
            conn.exec_driver_sql("ATTACH DATABASE ? AS backup", (str(copy),))  # not allowed inside a transaction
            try:
                db.hold_lock(conn, LOCK, wait=wait)
                conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
                for table in reversed(tables):
                    conn.exec_driver_sql(f'DELETE FROM main."{table.name}"')
                for table in tables:
                    columns = ", ".join(f'"{c.name}"' for c in table.columns)
                    conn.exec_driver_sql(f'INSERT INTO main."{table.name}" ({columns}) '
                                         f'SELECT {columns} FROM backup."{table.name}"')
                conn.commit()
            finally:
                conn.rollback()
                conn.exec_driver_sql("DETACH DATABASE backup")


# ---- PostgreSQL --------------------------------------------------------------------------------------
def _schema(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(conn.execute(text("select current_schema()")).scalar())


def _pg_run(engine: Engine, command: list[str]) -> None:
    """Run pg_dump/pg_restore against the workspace's database (password through the environment)."""
    if shutil.which(command[0]) is None:
        raise CoparkError(t("backup.no_tool", tool=command[0]), t("backup.no_tool.fix", tool=command[0]))
    url = make_url(engine.url.render_as_string(hide_password=False))
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    libpq = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    done = subprocess.run([*command, f"--dbname={libpq}"], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise CoparkError(t("backup.tool_failed", tool=command[0], error=done.stderr.strip()[-400:]),
                          t("backup.tool_failed.fix"))


def _pg_restore(engine: Engine, path: Path, wait: float) -> None:
    with engine.connect() as conn:
        db.hold_lock(conn, LOCK, wait=wait)  # held (in this transaction) while pg_restore replaces everything
        _pg_run(engine, ["pg_restore", "--clean", "--if-exists", "--single-transaction", "--no-owner",
                         "--no-privileges", str(path)])
        conn.rollback()
