"""CLI commands of copark.imports: template, import, export, orgs, show."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from copark.cli.base import GuardedTyper, console, err_console, is_tty, open_workspace
from copark.core.errors import CoparkError
from copark.core.vocab import DEMO_SOURCE, Direction, ItemKind, OrgKind, Origin
from copark.locale import label, labels, parse_label, t

if TYPE_CHECKING:
    from copark.io.importer import ImportReport
    from copark.storage.tables import Item

DEFAULT_TEMPLATE = Path(t("cli.template.default_path"))
DEFAULT_EXPORT = Path(t("cli.export.default_path"))


def _label(enum_type: type, value: str | None) -> str:
    try:
        return label(enum_type(value))
    except ValueError:
        return value or ""


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _print_summary(report: ImportReport) -> None:
    table = Table(title=t("import.summary.title"))
    for key in ("what", "created", "updated", "unchanged"):
        table.add_column(t(f"import.summary.{key}"), justify="left" if key == "what" else "right")
    for key, counts in (("parks", report.parks), ("orgs", report.orgs), ("items", report.items)):
        table.add_row(t(f"import.summary.{key}"), str(counts.created), str(counts.updated), str(counts.unchanged))
    console.print(table)
    console.print(t("import.summary.rows", rows=report.rows_read, files=len(report.files)))
    if report.withdrawn is not None:
        console.print(t("import.summary.withdrawn", count=report.withdrawn))
    for warning in report.warnings[:20]:
        err_console.print(t("import.summary.warning", warning=warning), markup=False)
    if report.rows_rejected:
        for problem in report.problems[:20]:
            err_console.print(f"  {problem}", markup=False)
        paths = "、".join(str(p) for p in report.rejects_paths)
        err_console.print(t("import.summary.rejected", count=report.rows_rejected, path=paths), markup=False)


def _import_command(
    files: Annotated[list[Path], typer.Argument(help=t("cli.import.files"), show_default=False)],
    skip_bad_rows: Annotated[bool, typer.Option("--skip-bad-rows", help=t("cli.import.skip"))] = False,
    rejects: Annotated[Path | None, typer.Option("--rejects", help=t("cli.import.rejects"))] = None,
    source: Annotated[str | None, typer.Option("--source", help=t("cli.import.source"))] = None,
    sync: Annotated[bool, typer.Option("--sync", help=t("cli.import.sync"))] = False,
) -> None:
    from copark import api
    from copark.core.config import get_settings

    workspace = open_workspace()
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=err_console, transient=True) if is_tty() else None
    tasks: dict[str, int] = {}

    def progress(stage: str, done: int, total: int | None) -> None:
        assert bar is not None
        if stage not in tasks:
            tasks[stage] = bar.add_task(stage, total=total)
        bar.update(tasks[stage], completed=done, total=total)

    def waiting() -> None:
        err_console.print(t("import.waiting", seconds=f"{get_settings().lock_wait:g}"), markup=False)

    report = None
    try:
        with bar or nullcontext():
            report = api.import_workbook(workspace=workspace, paths=files, skip_bad_rows=skip_bad_rows,
                                  rejects_path=rejects, source=source, progress=progress if bar else None,
                                  sync=sync, on_wait=waiting)
    except KeyboardInterrupt:
        if report is not None:  # already committed
            raise
        # the transaction was rolled back on the way out of import_files
        err_console.print(t("import.interrupted"), style="bold red", markup=False)
        raise typer.Exit(130) from None
    finally:
        workspace.close()
    _print_summary(report)


def _template_command(
    path: Annotated[Path, typer.Argument(help=t("cli.template.path"))] = DEFAULT_TEMPLATE,
    force: Annotated[bool, typer.Option("--force", help=t("cli.template.force"))] = False,
) -> None:
    from copark import api

    written = api.write_template(path=path, force=force)
    console.print(t("template.written", path=written), markup=False)


def _export_command(
    path: Annotated[Path, typer.Argument(help=t("cli.export.path"))] = DEFAULT_EXPORT,
    include_inferred: Annotated[bool, typer.Option("--include-inferred", help=t("cli.export.inferred"))] = False,
) -> None:
    from copark import api

    workspace = open_workspace()
    try:
        result = api.export_lists(workspace=workspace, path=path, include_inferred=include_inferred)
    finally:
        workspace.close()
    console.print(t("export.written", parks=result.parks, orgs=result.orgs, items=result.items,
                    path="、".join(str(p) for p in result.paths)), markup=False)
    if result.demo_orgs:
        _print_demo_notice(t("demo.notice.export", orgs=result.demo_orgs))


def _print_demo_notice(text: str | None = None) -> None:
    """示意性数据: say so whenever demo organizations are shown, so they never pass for real ones."""
    console.print(text or t("demo.notice"), style="bold yellow", markup=False, soft_wrap=True)


def _orgs_command(
    region: Annotated[str | None, typer.Option("--region", help=t("cli.orgs.region"))] = None,
    kind: Annotated[str | None, typer.Option("--kind", help=t("cli.orgs.kind"))] = None,
    search: Annotated[str | None, typer.Option("--search", help=t("cli.orgs.search"))] = None,
    limit: Annotated[int, typer.Option("--limit", help=t("cli.orgs.limit"))] = 200,
) -> None:
    from copark.services.directory import search as find

    if limit < 1:
        raise CoparkError(t("option.not_positive", option="--limit", value=limit),
                          t("option.not_positive.fix", option="--limit", example=50))
    kind_value = None
    if kind:
        parsed = parse_label(OrgKind, kind)
        if parsed is None:
            raise CoparkError(t("orgs.bad_kind", value=kind),
                              t("import.bad_kind.fix", choices="、".join(labels(OrgKind).values())))
        kind_value = parsed.value
    workspace = open_workspace()
    try:
        region_record = workspace.regions.resolve(region) if region else None
        with workspace.transaction() as session:
            found = find(session=session, region=region_record, kind=kind_value, text=search, limit=limit)
        rows, total = found.rows, found.total
        regions = workspace.regions
    finally:
        workspace.close()
    if not rows:
        console.print(t("orgs.none"))
        return
    if any(row.source == DEMO_SOURCE for row in rows):
        _print_demo_notice()
    table = Table(title=t("orgs.title", count=f"{total}+" if found.capped else total))
    for key in ("id", "name", "kind", "region", "industry", "offers", "needs"):
        # the name stays whole (it is what `copark show` takes); other cells wrap rather than lose their end
        table.add_column(t(f"orgs.col.{key}"), justify="right" if key in ("id", "offers", "needs") else "left",
                         no_wrap=key == "name", overflow="fold")
    for row in rows:
        region_name = regions.full_name(row.region_code) if row.region_code in regions.by_code else (
            row.region_code or "")
        table.add_row(str(row.id), row.name, _label(OrgKind, row.kind), region_name, row.industry_code or "",
                      str(row.offers), str(row.needs))
    console.print(table)
    if found.capped or total > len(rows):
        console.print(t("orgs.more", shown=len(rows)))


def _items_table(title: str, items: list[Item]) -> Table:
    table = Table(title=title, title_justify="left")
    for key in ("id", "kind", "text", "quantity", "value", "origin", "detail"):
        table.add_column(t(f"show.col.{key}"), justify="right" if key == "id" else "left", overflow="fold",
                         no_wrap=key == "id")
    for item in items:
        quantity = f"{_number(item.quantity)}{item.unit}" if item.quantity is not None else item.unit
        detail = "；".join(x for x in (item.certifications, item.valid_until.isoformat() if item.valid_until
                                       else "", item.note) if x)
        table.add_row(str(item.id), _label(ItemKind, item.kind), item.text, quantity,
                      item.annual_value_text or _number(item.annual_value), _label(Origin, item.origin), detail)
    return table


def _withdrawn_table(items: list[Item]) -> Table:
    """Items the organization no longer lists: history, out of matching."""
    table = Table(title=t("show.withdrawn", count=len(items)), title_justify="left", style="dim")
    for key in ("id", "direction", "text", "withdrawn_at"):
        table.add_column(t(f"show.col.{key}"), justify="right" if key == "id" else "left", overflow="fold")
    for item in items:
        when = item.withdrawn_at.isoformat(sep=" ") if item.withdrawn_at else ""
        table.add_row(str(item.id), _label(Direction, item.direction), item.text, when)
    return table


def _show_command(org: Annotated[str, typer.Argument(help=t("cli.show.org"), show_default=False)]) -> None:
    from copark.services.catalog import organization_detail

    workspace = open_workspace()
    try:
        with workspace.transaction() as session:
            detail = organization_detail(session=session, ref=org)
            o = detail.organization
            regions = workspace.regions
            region = regions.full_name(o.region_code) if o.region_code in regions.by_code else o.region_code
            facts = [
                ("short_name", o.short_name), ("kind", _label(OrgKind, o.kind)), ("credit_code", o.credit_code),
                ("region", region), ("park", detail.park_name), ("industry", o.industry_code or o.industry_text),
                ("products", "、".join(map(str, o.products or []))), ("description", o.description),
                ("contact", o.contact), ("employees", _number(o.employees)),
                ("revenue", o.annual_revenue_text or _number(o.annual_revenue)), ("source", o.source),
            ]
            if o.source == DEMO_SOURCE:
                _print_demo_notice()
            console.print(f"[bold]{o.name}[/]（#{o.id}）")
            for key, value in facts:
                if value:
                    console.print(f"  {t(f'show.{key}')}：{value}", markup=False)
            for direction, items in ((Direction.offer, detail.offers), (Direction.need, detail.needs)):
                title = t(f"show.{direction.value}s", count=len(items))
                if items:
                    console.print(_items_table(title, items))
                else:
                    console.print(f"{title} {t('show.none')}")
            if detail.withdrawn:
                console.print(_withdrawn_table(detail.withdrawn))
    finally:
        workspace.close()


def register(app: GuardedTyper) -> None:
    """Add this area's commands to the root app."""
    app.command("template", help=t("cli.template.help"))(_template_command)
    app.command("import", help=t("cli.import.help"))(_import_command)
    app.command("export", help=t("cli.export.help"))(_export_command)
    app.command("orgs", help=t("cli.orgs.help"))(_orgs_command)
    app.command("show", help=t("cli.show.help"))(_show_command)
