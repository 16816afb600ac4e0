"""What every command shares: error reporting, the workspace, the console.

Only light modules load here: `copark --help` imports every command module, so the database, file formats and
matching load inside the commands that use them (STYLE.md habit 14; tests/test_cli_startup.py checks it).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperCommand, TyperGroup

from copark.core.errors import CoparkError, ValidationFailed
from copark.locale import t

if TYPE_CHECKING:
    from copark.workspace import Workspace

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

F = TypeVar("F", bound=Callable[..., Any])


class State:
    """Global CLI options (set by the root callback)."""

    debug: bool = False
    database_url: str | None = None


state = State()
MAX_PROBLEMS_SHOWN = 50


def report(error: CoparkError) -> None:
    """Print a user error as one line plus a hint (and each problem of a failed validation)."""
    if isinstance(error, ValidationFailed):
        for problem in error.problems[:MAX_PROBLEMS_SHOWN]:
            err_console.print(f"  {problem}", markup=False)
        if len(error.problems) > MAX_PROBLEMS_SHOWN:
            err_console.print(f"  … (+{len(error.problems) - MAX_PROBLEMS_SHOWN})", markup=False)
    # The message is the user's or the locale's text, never markup: "copark[pdf]" must print as written.
    where = escape(error.problem.where + ": ") if error.problem.where else ""
    err_console.print(f"[bold red]{t('error.prefix')}：[/]{where}{escape(error.problem.what)}", soft_wrap=True)
    if error.hint:
        err_console.print(f"[yellow]{t('error.hint')}：[/]{escape(error.hint)}", soft_wrap=True)


def guarded(func: F) -> F:
    """Turn CoparkError (and any crash) into one clear line and exit code 1, unless --debug."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except CoparkError as error:
            if state.debug:
                raise
            report(error)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            raise typer.Exit(130) from None
        except Exception as error:  # noqa: BLE001 - last line of defence: never a bare traceback
            if state.debug:
                raise
            # Only a failing command pays for this import (and sqlalchemy is loaded already if it raised).
            from sqlalchemy.exc import OperationalError

            if isinstance(error, OperationalError) and "database is locked" in str(error.orig):
                report(CoparkError(t("db.locked", error=str(error.orig)[:200]), t("db.locked.fix")))
                raise typer.Exit(1) from None
            if isinstance(error, OperationalError):
                report(CoparkError(t("db.unreachable", error=str(error.orig)[:200]), t("db.unreachable.fix")))
                raise typer.Exit(1) from None
            report(CoparkError(t("error.unexpected", error=f"{type(error).__name__}: {error}"),
                               t("error.unexpected.fix")))
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


def _fold_help_text() -> None:
    """Help wraps Chinese text instead of cutting it with "…".

    Typer puts help in Rich table cells, whose overflow is "ellipsis": a run of Chinese has no space to wrap at,
    so at 80 columns a sentence was cut in the middle. Text that says overflow="fold" wraps at the cell's edge.
    Patched when help is shown, so that `copark CMD` never pays for importing typer.rich_utils.
    """
    from rich.text import Text
    from typer import rich_utils

    make = rich_utils._make_rich_text
    if getattr(make, "folds", False):
        return

    def folding(**kwargs: Any) -> Any:
        text = make(**kwargs)
        if isinstance(text, Text):
            text.overflow = "fold"
        return text

    folding.folds = True  # type: ignore[attr-defined]
    rich_utils._make_rich_text = folding


class _FoldingCommand(TyperCommand):
    def format_help(self, ctx: Any, formatter: Any) -> None:
        _fold_help_text()
        super().format_help(ctx, formatter)


class _FoldingGroup(TyperGroup):
    def format_help(self, ctx: Any, formatter: Any) -> None:
        _fold_help_text()
        super().format_help(ctx, formatter)


class GuardedTyper(typer.Typer):
    """A Typer whose commands are all wrapped by `guarded`, and whose help wraps Chinese text at any width."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("pretty_exceptions_enable", False)
        kwargs.setdefault("no_args_is_help", True)
        kwargs.setdefault("rich_markup_mode", "rich")
        kwargs.setdefault("cls", _FoldingGroup)
        super().__init__(**kwargs)

    def command(self, *args: Any, **kwargs: Any) -> Callable[[F], F]:
        kwargs.setdefault("cls", _FoldingCommand)
        register = super().command(*args, **kwargs)

        def decorator(func: F) -> F:
            register(guarded(func))
            return func

        return decorator


def open_workspace() -> Workspace:
    """The workspace for COPARK_DATABASE_URL (or --database), schema upgraded."""
    from copark.workspace import Workspace

    return Workspace.open(state.database_url)


def is_tty() -> bool:
    return sys.stderr.isatty()
