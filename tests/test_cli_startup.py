"""`copark --help` stays fast: the CLI loads heavy libraries only inside the commands that use them (habit 14).

Structural, not timed: a fresh interpreter imports the CLI (and renders every command's help) and the heavy
modules must be absent from sys.modules. Timings are in the README's Benchmarks table.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from copark.cli.main import app

# The ones the brief names, plus numpy, sqlalchemy and cn2an: each costs 0.1–1.2 s at start-up (-X importtime).
HEAVY = ("lightgbm", "sklearn", "scipy", "jieba", "openpyxl", "pandas", "alembic", "numpy", "sqlalchemy", "cn2an",
         "weasyprint")


def _loaded_after(code: str) -> list[str]:
    """The HEAVY modules present in a fresh interpreter after running `code`."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_the_cli_loads_no_heavy_library() -> None:
    assert _loaded_after("import copark.cli.main") == []


def test_every_help_page_loads_no_heavy_library() -> None:
    code = """
import typer
from typer.testing import CliRunner
from copark.cli.main import app

def paths(command, prefix=()):
    yield prefix
    for name, sub in getattr(command, "commands", {}).items():
        yield from paths(sub, (*prefix, name))

runner = CliRunner()
for path in paths(typer.main.get_command(app)):
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output, (path, result.output)
"""
    assert _loaded_after(code) == []


def test_unreachable_database_is_one_line_and_exit_1(tmp_path: Path) -> None:
    # A directory is not a SQLite file: sqlalchemy raises OperationalError, which the CLI reports as a user error.
    result = CliRunner().invoke(app, ["--database", f"sqlite:///{tmp_path}", "orgs"])
    assert result.exit_code == 1, result.output
    assert "无法连接数据库" in result.output and "Traceback" not in result.output
