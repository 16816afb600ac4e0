"""CLI commands of copark.matching: `copark match`."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from copark.cli.base import GuardedTyper, console, err_console, open_workspace
from copark.core.errors import CoparkError
from copark.locale import t

if TYPE_CHECKING:
    from copark.services import opportunities as service

FORMATS = ("table", "json", "csv", "xlsx")
COLUMNS = ("rank", "score", "mode", "need_org", "need_region", "need", "offer_org", "offer_region", "offer", "why",
           "confidence", "need_origin", "need_item_id", "offer_item_id")
#: Columns only files carry (a terminal has no room for them).
FILE_ONLY = ("need_region", "offer_region", "confidence", "need_origin", "need_item_id", "offer_item_id")


def _need_text(view: service.OpportunityView) -> str:
    return view.need_text + (t("match.inferred_mark") if view.need_origin == "inferred" else "")


def _rows(views: list[service.OpportunityView]) -> list[list[object]]:
    return [[i, v.score, v.mode_label, v.need_org, v.need_region, _need_text(v), v.offer_org, v.offer_region,
             v.offer_text, v.why, t("match.low_confidence") if v.low_confidence else "",
             t(f"match.origin.{v.need_origin}"), v.need_item_id or "", v.offer_item_id or ""]
            for i, v in enumerate(views, 1)]


def _headers() -> list[str]:
    return [t(f"match.col.{c}") for c in COLUMNS]


def _write_text(text: str, output: Path | None, encoding: str = "utf-8") -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding=encoding)
    except OSError as error:
        raise CoparkError(t("match.error.output_dir", path=output, error=error.strerror),
                          t("match.error.output_dir.fix")) from None
    err_console.print(t("match.written", path=output))


def _write_xlsx(views: list[service.OpportunityView], output: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = t("match.sheet")
    sheet.append(_headers())
    for row in _rows(views):
        sheet.append(row)
    try:
        book.save(output)
    except OSError as error:
        raise CoparkError(t("match.error.output_dir", path=output, error=error.strerror),
                          t("match.error.output_dir.fix")) from None
    err_console.print(t("match.written", path=output))


#: Below this terminal width the table would squeeze names into columns a few characters wide: each
#: opportunity is printed as two lines instead (as `copark demo` does), names and texts whole.
TABLE_MIN_WIDTH = 120


def _print_lines(views: list[service.OpportunityView]) -> None:
    for i, view in enumerate(views, 1):
        score = f"{view.score:.1f}" + (f" {t('match.low_confidence')}" if view.low_confidence else "")
        console.print(t("match.line", rank=i, score=score, need_org=view.need_org, need=_need_text(view),
                        offer_org=view.offer_org, offer=view.offer_text, mode=view.mode_label),
                      markup=False, soft_wrap=True)
        console.print(t("match.line.why", why=view.why), style="dim", markup=False, soft_wrap=True)


def _print_table(run: service.MatchRun, views: list[service.OpportunityView], scope: str, detail: bool) -> None:
    title = t("match.title", scope=scope, count=len(run.opportunities), shown=len(views))
    if console.width < TABLE_MIN_WIDTH:
        console.print(title, markup=False, soft_wrap=True)
        _print_lines(views)
    else:
        _print_wide_table(views, title)
    if detail:
        from copark.matching.explain import contribution_rows

        for i, view in enumerate(views, 1):
            parts = [f"{label} {points:+.1f}({delta:+.1f})" for label, points, delta in contribution_rows(view.explanation)]
            console.print(f"#{i} {view.need_org} ← {view.offer_org}: " + "，".join(parts), markup=False)


def _print_wide_table(views: list[service.OpportunityView], title: str) -> None:
    table = Table(title=title, show_lines=False)
    # regions stay in json/csv/xlsx: a terminal has no room for ten columns
    shown = [i for i, c in enumerate(COLUMNS) if c not in FILE_ONLY]
    headers = _headers()
    for i in shown:
        table.add_column(headers[i], overflow="fold", no_wrap=COLUMNS[i] in ("rank", "score", "mode"))
    for view, row in zip(views, _rows(views), strict=True):
        row[1] = f"{view.score:.1f}" + (f" {t('match.low_confidence')}" if view.low_confidence else "")
        table.add_row(*(str(row[i]) for i in shown))
    console.print(table)


def register(app: GuardedTyper) -> None:
    """Add this area's commands to the root app."""

    @app.command("fit", help=t("fit.help"))
    def fit_command(
        without: Annotated[list[str] | None, typer.Option("--without", help=t("fit.opt.without"))] = None,
        seed: Annotated[int, typer.Option("--seed", help=t("fit.opt.seed"))] = 13,
        with_knowledge: Annotated[bool, typer.Option("--with-knowledge", help=t("fit.opt.with_knowledge"))] = False,
    ) -> None:

        from copark import api

        workspace = open_workspace()
        try:
            result = api.fit(workspace=workspace, without=without or [], seed=seed, knowledge=with_knowledge)
        finally:
            workspace.close()
        if result.knowledge_organizations:
            console.print(t("fit.knowledge", count=result.knowledge_organizations))
        if not result.fitted:
            console.print(t("fit.too_few", organizations=result.organizations, offers=result.offers))
            if with_knowledge and not result.knowledge_organizations:
                console.print(t("fit.too_few.knowledge"))
            return
        f = result.figures
        console.print(t("fit.done", organizations=result.organizations, offers=result.offers, cases=f["cases"],
                        trees=f["trees"], hits=f["check_hits@10"], mrr=f["check_mrr"], seconds=f["seconds"]))

    @app.command("match", help=t("match.help"))
    def match_command(
        org: Annotated[str | None, typer.Option("--org", help=t("match.opt.org"))] = None,
        industry: Annotated[str | None, typer.Option("--industry", help=t("match.opt.industry"))] = None,
        all_orgs: Annotated[bool, typer.Option("--all", help=t("match.opt.all"))] = False,
        cross_region: Annotated[bool, typer.Option("--cross-region/--any-region", help=t("match.opt.cross_region"))] = True,
        top: Annotated[int, typer.Option("--top", help=t("match.opt.top"))] = 10,
        fmt: Annotated[str, typer.Option("--format", help=t("match.opt.format"))] = "table",
        output: Annotated[Path | None, typer.Option("--output", "-o", help=t("match.opt.output"))] = None,
        detail: Annotated[bool, typer.Option("--detail", help=t("match.opt.detail"))] = False,
    ) -> None:

        fmt = fmt.strip().lower()
        if output is not None and fmt == "table":  # -o 对接机会.xlsx: the file's extension names the format
            fmt = output.suffix.lower().lstrip(".")
            if fmt not in FORMATS or fmt == "table":
                raise CoparkError(t("match.error.bad_extension", path=output), t("match.error.bad_extension.fix"))
        if fmt not in FORMATS:
            raise CoparkError(t("match.error.bad_format", value=fmt), t("match.error.bad_format.fix"))
        if fmt == "xlsx" and output is None:
            raise CoparkError(t("match.error.xlsx_needs_output"), t("match.error.xlsx_needs_output.fix"))
        if all_orgs and (org is not None or industry is not None) or (org is not None and industry is not None):
            raise CoparkError(t("match.error.conflicting_scope"), t("match.error.conflicting_scope.fix"))
        if top < 1:
            raise CoparkError(t("match.error.bad_top", value=top), t("match.error.bad_top.fix"))
        from copark import api

        workspace = open_workspace()
        try:
            run = api.match(workspace=workspace, org=org, industry=industry, cross_region=cross_region, top=top)
        finally:
            workspace.close()
        # a file (or json/csv on stdout) gets every opportunity of the run; the table shows the first `top`
        views = run.opportunities[:top] if fmt == "table" else run.opportunities
        if run.orgs_without_region:
            err_console.print(t("match.skipped_regions", count=run.orgs_without_region))
        if fmt == "json":
            _write_text(json.dumps([v.as_dict() for v in views], ensure_ascii=False, indent=2) + "\n", output)
        elif fmt == "csv":
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            writer.writerow(_headers())
            writer.writerows(_rows(views))
            # utf-8-sig so that Excel opens a saved file as UTF-8
            _write_text(buffer.getvalue(), output, encoding="utf-8-sig")
        elif fmt == "xlsx":
            assert output is not None
            _write_xlsx(views, output)
        else:
            if not views:
                console.print(t("match.no_results"))
                console.print(t("match.no_results.fix"))
                return
            console.print(t(f"match.ranker.{run.ranker}", cases=run.ranker_cases), markup=False)
            if run.ranker_stale:
                err_console.print(t("match.ranker.stale"))
            scope = (t("match.scope.org", name=org) if org else
                     t("match.scope.industry", code=industry) if industry else t("match.scope.all"))
            _print_table(run, views, scope, detail)
            mode = t("match.summary.cross") if cross_region else t("match.summary.any")
            console.print(t("match.summary", needs=run.needs, count=len(run.opportunities), mode=mode))
