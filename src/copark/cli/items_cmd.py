"""`copark item withdraw|restore|delete ID`: one 清单条目 at a time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer

from copark.cli.base import GuardedTyper, console, open_workspace
from copark.locale import t

item_app = GuardedTyper(help=t("item.help"))
ItemId = Annotated[int, typer.Argument(help=t("item.opt.id"), show_default=False)]


def _apply(action: str, item_id: int) -> None:
    from copark import api

    change: Callable = {"withdraw": api.withdraw_item, "restore": api.restore_item, "delete": api.delete_item}[action]
    workspace = open_workspace()
    try:
        item = change(workspace=workspace, item_id=item_id)
        org = item.organization.name
    finally:
        workspace.close()
    message = {"withdraw": "item.withdrawn", "restore": "item.restored", "delete": "item.deleted"}[action]
    console.print(t(message, id=item_id, text=item.text, org=org), markup=False, soft_wrap=True)


@item_app.command("withdraw", help=t("item.withdraw.help"))
def withdraw(item_id: ItemId) -> None:
    _apply("withdraw", item_id)


@item_app.command("restore", help=t("item.restore.help"))
def restore(item_id: ItemId) -> None:
    _apply("restore", item_id)


@item_app.command("delete", help=t("item.delete.help"))
def delete(item_id: ItemId) -> None:
    _apply("delete", item_id)


def register(app: GuardedTyper) -> None:
    """Add `copark item …` to the root app."""
    app.add_typer(item_app, name="item")
