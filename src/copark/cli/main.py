"""`copark`: the root command; each area registers its commands from its own module."""

from __future__ import annotations

from typing import Annotated

import typer

from copark import __version__
from copark.cli import classify_cmd, demo_cmd, evaluate_cmd, imports, knowledge, matching
from copark.cli.base import GuardedTyper, state

app = GuardedTyper(
    help="copark：共建产业园区资源清单与需求清单对接工具（导入、产业链知识、智能匹配）。",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"copark {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    database: Annotated[
        str | None,
        typer.Option("--database", "-d", help="数据库地址（默认取 COPARK_DATABASE_URL，或当前目录的 copark.sqlite）"),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="出错时显示完整堆栈")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="显示版本")
    ] = False,
) -> None:
    """copark：共建产业园区资源清单与需求清单对接工具。"""
    state.debug = debug
    state.database_url = database


imports.register(app)
knowledge.register(app)
matching.register(app)
classify_cmd.register(app)
evaluate_cmd.register(app)
demo_cmd.register(app)
