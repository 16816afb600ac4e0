"""CLI command `copark evaluate`: replay a benchmark through import → fit → match and score the ranks."""

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
    top: Annotated[int, typer.Option("--top", help=t("evaluate.opt_top"))] = 100,
    as_json: Annotated[bool, typer.Option("--json", help=t("evaluate.opt_json"))] = False,
    without: Annotated[list[str] | None, typer.Option("--without", help=t("evaluate.opt_without"))] = None,
    no_learn: Annotated[bool, typer.Option("--no-learn", help=t("evaluate.opt_no_learn"))] = False,
    encoder: Annotated[str | None, typer.Option("--encoder", help=t("encoders.opt_encoder"))] = None,
) -> None:
    """在能力评测集上评估匹配排序。"""
    from copark.services.evaluation import evaluate_bench

    result = evaluate_bench(bench_dir=bench_dir, top=top, without=without or [], learn=not no_learn,
                            encoder=encoder)
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
    figures = "，".join(f"{name}={value}" for name, value in result.ranker.items() if name != "kind")
    console.print(t("evaluate.ranker", kind=t(f"evaluate.ranker.{result.ranker['kind']}"), figures=figures),
                  markup=False)
    if result.unanswered:
        err_console.print(t("evaluate.unanswered", count=len(result.unanswered),
                            ids="、".join(result.unanswered[:20])), markup=False)
    if as_json:
        # Plain print: one line, never wrapped, always last, so scripts can read it with `tail -1`.
        print(json.dumps(result.as_dict(), ensure_ascii=False))


def register(app: GuardedTyper) -> None:
    """Add `copark evaluate` to the root command."""
    app.command("evaluate", help=t("evaluate.help"))(_evaluate_command)
