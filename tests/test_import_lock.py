"""One import writes at a time: a second waits, then says another import is running; Ctrl-C says nothing was
written. The lock is held by a real second connection (a thread) and the import runs in the real CLI; the tests
wait on messages, never on the clock."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from copark.cli.main import app
from copark.storage import db
from copark.storage.tables import Organization
from copark.workspace import Workspace
from test_import import sample

WAITING = "另一个导入正在进行，等待其完成"
PATIENCE = 900  # seconds a test waits for a message before failing (never reached when things work; a CI
# machine busy with other jobs once took more than 120 s to start an import)


class Holder(threading.Thread):
    """Another import, as far as the lock can tell: holds the import lock until released."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.holding = threading.Event()
        self.release = threading.Event()

    def run(self) -> None:
        ws = Workspace(self.url)
        try:
            with ws.transaction() as session:
                db.hold_lock(session, "import", wait=PATIENCE)
                self.holding.set()
                self.release.wait(PATIENCE)
        finally:
            ws.close()

    def __enter__(self) -> Holder:
        self.start()
        assert self.holding.wait(PATIENCE)
        return self

    def __exit__(self, *_: object) -> None:
        self.release.set()
        self.join(PATIENCE)


def organizations(url: str) -> int:
    ws = Workspace(url)
    try:
        with ws.transaction() as session:
            return session.scalar(select(func.count()).select_from(Organization)) or 0
    finally:
        ws.close()


def test_second_import_waits_then_says_another_is_running(db_url: str, tmp_path: Path) -> None:
    path = sample(tmp_path / "a.xlsx")
    organizations(db_url)  # schema in place before the holder takes the lock
    with Holder(db_url):
        result = CliRunner().invoke(app, ["--database", db_url, "import", str(path)],
                                    env={"COLUMNS": "200", "COPARK_LOCK_WAIT": "1"})
    assert result.exit_code == 1, result.output
    assert WAITING in result.output
    assert "另一个导入正在写入此数据库（已等待 1 秒），本次导入未写入任何数据" in result.output
    assert "请等另一个导入完成后再运行本命令" in result.output
    assert "数据库服务是否已启动" not in result.output and "Traceback" not in result.output
    assert organizations(db_url) == 0
    again = CliRunner().invoke(app, ["--database", db_url, "import", str(path)], env={"COLUMNS": "200"})
    assert again.exit_code == 0 and WAITING not in again.output and organizations(db_url) == 2


def _default_sigint() -> None:
    """Ctrl-C as at a terminal: a test run started in the background (`make test &`, some CI runners) ignores
    SIGINT, and a child inherits that, so `copark import` would never see the signal."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start_import(url: str, path: Path) -> tuple[subprocess.Popen[str], queue.Queue[str], threading.Thread]:
    """`copark import` in a real process; its stderr lines arrive in the queue."""
    code = "import sys; from copark.cli.main import app; sys.argv[0] = 'copark'; app()"
    env = {**os.environ, "COPARK_LOCK_WAIT": str(PATIENCE), "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
    process = subprocess.Popen([sys.executable, "-c", code, "--database", url, "import", str(path)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
                               preexec_fn=_default_sigint)
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.put(line)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    return process, lines, reader


def _wait_for(lines: queue.Queue[str], text: str) -> list[str]:
    seen: list[str] = []
    while not any(text in line for line in seen):
        try:
            seen.append(lines.get(timeout=PATIENCE))
        except queue.Empty:
            pytest.fail(f"no “{text}” within {PATIENCE} s; stderr so far: {''.join(seen)}")
    return seen


def test_waiting_import_goes_ahead_when_the_other_finishes(db_url: str, tmp_path: Path) -> None:
    path = sample(tmp_path / "a.xlsx")
    organizations(db_url)
    with Holder(db_url):
        process, lines, reader = _start_import(db_url, path)
        _wait_for(lines, WAITING)
    assert process.stdout is not None
    out = process.stdout.read()
    process.wait(PATIENCE)
    reader.join(PATIENCE)
    assert process.returncode == 0 and "导入结果" in out
    assert organizations(db_url) == 2


def test_ctrl_c_says_it_stopped_and_wrote_nothing(db_url: str, tmp_path: Path) -> None:
    path = sample(tmp_path / "a.xlsx")
    organizations(db_url)
    with Holder(db_url):
        process, lines, reader = _start_import(db_url, path)
        _wait_for(lines, WAITING)
        process.send_signal(signal.SIGINT)
        process.wait(PATIENCE)
        reader.join(PATIENCE)  # every line of stderr read
    seen = []
    while not lines.empty():
        seen.append(lines.get())
    stderr = "".join(seen)
    assert process.returncode == 130, stderr
    assert "导入已中止（Ctrl-C），未写入任何数据" in stderr and "Traceback" not in stderr
    assert organizations(db_url) == 0
