"""`copark serve --workers N`: several processes over one database share what must be shared (the cookie signing
key, sessions, the login rate limit), and bad values of the option are refused with a clear message."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

import live_server
from copark import api
from copark.cli.main import app as cli
from copark.services.accounts import LOGIN_LIMIT
from copark.storage.tables import AppSetting
from copark.workspace import Workspace

COPARK = live_server.COPARK
PASSWORD = "serve-password-1"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        return None


def _request(base: str, path: str, *, data: dict | None = None, cookie: str = "") -> tuple[int, dict, str]:
    """One request on a new connection (so the kernel may hand it to either worker): status, headers, body."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(base + path, data=body, headers={"Cookie": cookie} if cookie else {})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def _children(pid: int) -> list[str]:
    """Command lines of a process's children (Linux /proc)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                found.append(Path(f"/proc/{child}/cmdline").read_text().replace("\0", " "))
            except OSError:
                pass
    return found


@pytest.fixture
def two_workers(sqlite_url: str) -> Iterator[tuple[str, str, subprocess.Popen[bytes]]]:
    workspace = Workspace(sqlite_url)
    try:
        api.add_user(workspace=workspace, username="admin", password=PASSWORD, role="admin")
    finally:
        workspace.close()
    process, base = live_server.start(sqlite_url, "--workers", "2")
    yield base, sqlite_url, process
    process.terminate()
    process.wait(timeout=30)


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="counts worker processes through Linux /proc")
def test_workers_share_the_signing_key_sessions_and_login_limit(two_workers) -> None:
    base, url, process = two_workers
    for _ in range(100):  # the workers start after the server first answers: wait for both, not for luck
        if sum("spawn_main" in c for c in _children(process.pid)) == 2:
            break
        time.sleep(0.1)
    assert sum("spawn_main" in c for c in _children(process.pid)) == 2

    status, headers, _ = _request(base, "/login", data={"username": "admin", "password": PASSWORD})
    assert status == 303
    cookie = headers["set-cookie"].split(";", 1)[0]
    # Each request on a new connection: whichever worker takes it accepts the cookie the other signed.
    for _ in range(12):
        status, _, body = _request(base, "/api/me", cookie=cookie)
        assert status == 200 and json.loads(body)["username"] == "admin"
    workspace = Workspace(url)
    try:
        with workspace.transaction() as s:  # one key, made before the workers started
            assert s.scalar(select(func.count()).select_from(AppSetting).where(AppSetting.key == "secret_key")) == 1
    finally:
        workspace.close()

    # Failed sign-ins are counted in the database, so the limit holds across workers: after LOGIN_LIMIT failures
    # (on whichever workers) even the right password is refused.
    for _ in range(LOGIN_LIMIT):
        status, _, _ = _request(base, "/login", data={"username": "admin", "password": "wrong"})
        assert status == 400
    status, _, body = _request(base, "/login", data={"username": "admin", "password": PASSWORD})
    assert status == 429


def test_bad_workers_values_are_refused_clearly(sqlite_url: str) -> None:
    result = CliRunner().invoke(cli, ["--database", sqlite_url, "serve", "--workers", "0"], env={"COLUMNS": "200"})
    assert result.exit_code != 0 and "--workers 应为正整数，实际为 0" in result.output
    result = CliRunner().invoke(cli, ["--database", "sqlite://", "serve", "--workers", "2"], env={"COLUMNS": "200"})
    assert result.exit_code != 0 and "内存数据库不能由多个工作进程共用" in result.output
