"""`copark brief --industry CODE | --chain NAME -o FILE`: the 分行业推介 as .pdf or .xlsx."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from copark.cli.base import GuardedTyper, console, open_workspace
from copark.locale import t


def register(app: GuardedTyper) -> None:
    """Add `copark brief` to the root app."""

    @app.command("brief", help=t("cli.brief.help"))
    def brief(
        output: Annotated[Path, typer.Option("--output", "-o", help=t("cli.brief.opt.output"), show_default=False)],
        industry: Annotated[str | None, typer.Option("--industry", help=t("cli.brief.opt.industry"))] = None,
        chain: Annotated[str | None, typer.Option("--chain", help=t("cli.brief.opt.chain"))] = None,
        park: Annotated[str | None, typer.Option("--park", help=t("cli.opt.park"))] = None,
        top: Annotated[int, typer.Option("--top", help=t("cli.brief.opt.top"))] = 10,
    ) -> None:
        from copark.api import trade

        workspace = open_workspace()
        try:
            done = trade.write_brief(workspace=workspace, path=output, industry=industry, chain=chain, park=park,
                                     top=top)
        finally:
            workspace.close()
        console.print(t("cli.brief.written", path=str(output), offers=len(done.offers), needs=len(done.needs),
                        opportunities=len(done.opportunities)), markup=False, soft_wrap=True)
        if done.illustrative:
            console.print(t("brief.illustrative"), style="yellow", markup=False, soft_wrap=True)
