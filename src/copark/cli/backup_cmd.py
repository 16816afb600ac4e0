"""`copark backup FILE` and `copark restore FILE`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from copark.cli.base import GuardedTyper, console, open_workspace
from copark.locale import t


def register(app: GuardedTyper) -> None:
    """Add `copark backup` and `copark restore` to the root app."""

    @app.command("backup", help=t("backup.help"))
    def backup_command(
        path: Annotated[Path, typer.Argument(help=t("backup.path"), show_default=False)],
        force: Annotated[bool, typer.Option("--force", help=t("backup.opt.force"))] = False,
    ) -> None:
        from copark.storage import backup

        workspace = open_workspace()
        try:
            written = backup.backup(engine=workspace.engine, path=path, force=force)
        finally:
            workspace.close()
        console.print(t("backup.done", url=workspace.url, path=written), markup=False, soft_wrap=True)

    @app.command("restore", help=t("restore.help"))
    def restore_command(
        path: Annotated[Path, typer.Argument(help=t("restore.path"), show_default=False)],
    ) -> None:
        from copark.core.config import get_settings
        from copark.storage import backup

        workspace = open_workspace()
        try:
            backup.restore(engine=workspace.engine, path=path, wait=get_settings().lock_wait)
        finally:
            workspace.close()
        console.print(t("restore.done", url=workspace.url, path=path), markup=False, soft_wrap=True)
