"""`copark`: the root command; each area registers its commands from its own module."""

from __future__ import annotations

from typing import Annotated

import typer

from copark import __version__
from copark.cli import (
    backup_cmd,
    brief_cmd,
    classify_cmd,
    demo_cmd,
    evaluate_cmd,
    imports,
    items_cmd,
    knowledge,
    matching,
    operations_cmd,
    parkfit_cmd,
    web_cmd,
)
from copark.cli.base import GuardedTyper, state
from copark.locale import t

app = GuardedTyper(
    help=t("cli.help"),
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"copark {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    database: Annotated[
        str | None,
        typer.Option("--database", "-d", help=t("cli.opt.database")),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help=t("cli.opt.debug"))] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help=t("cli.opt.version"))
    ] = False,
) -> None:
    """Set the global options every command reads (cli.base.state)."""
    state.debug = debug
    state.database_url = database


imports.register(app)
items_cmd.register(app)
knowledge.register(app)
matching.register(app)
classify_cmd.register(app)
evaluate_cmd.register(app)
demo_cmd.register(app)
backup_cmd.register(app)
web_cmd.register(app)
operations_cmd.register(app)
parkfit_cmd.register(app)
brief_cmd.register(app)
