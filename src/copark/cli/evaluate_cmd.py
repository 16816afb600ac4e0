"""CLI command `copark evaluate`: run the capability benchmark against the ranker."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from copark.cli.base import GuardedTyper, console, err_console
from copark.locale import t


def _evaluate_command(
    bench_dir: Annotated[Path, typer.Argument(help=t("evaluate.arg_dir"), show_default=False)],
    kb: Annotated[list[Path] | None, typer.Option("--kb", help=t("evaluate.opt_kb"))] = None,
    top: Annotated[int | None, typer.Option("--top", help=t("evaluate.opt_top"))] = None,
    as_json: Annotated[bool, typer.Option("--json", help=t("evaluate.opt_json"))] = False,
    without: Annotated[list[str] | None, typer.Option("--without", help=t("evaluate.opt_without"))] = None,
    no_tune: Annotated[bool, typer.Option("--no-tune", help=t("evaluate.opt_no_tune"))] = False,
    linear: Annotated[bool, typer.Option("--linear", help=t("evaluate.opt_linear"))] = False,
    encoder: Annotated[str | None, typer.Option("--encoder", help=t("encoders.opt_encoder"))] = None,
) -> None:
    """在能力评测集上评估匹配排序。"""
    from copark.matching.evaluate import evaluate_bench

    result = evaluate_bench(bench_dir=bench_dir, kb_paths=kb or [], top=top, without=without or [],
                            tune=not no_tune, learn=not linear, encoder=encoder)
    for note in result.notes:
        err_console.print(note, markup=False)
    table = Table(title=t("evaluate.title"))
    table.add_column(t("evaluate.col_cases"), justify="right")
    for k in sorted(result.hits):
        table.add_column(f"hits@{k}", justify="right")
    table.add_column("MRR", justify="right")
    table.add_column(t("evaluate.col_seconds"), justify="right")
    table.add_row(str(result.cases), *(f"{v:.3f}" for _, v in sorted(result.hits.items())), f"{result.mrr:.3f}",
                  f"{result.seconds:.1f}")
    console.print(table)
    weights = "，".join(f"{name}={value:g}" for name, value in result.weights.items())
    console.print(t("evaluate.weights", weights=weights), markup=False)
    if as_json:
        # Plain print: one line, never wrapped, always last, so scripts can read it with `tail -1`.
        print(json.dumps(result.as_dict(), ensure_ascii=False))


def register(app: GuardedTyper) -> None:
    """Add `copark evaluate` to the root command."""
    app.command("evaluate", help=t("evaluate.help"))(_evaluate_command)
