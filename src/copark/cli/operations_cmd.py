"""`copark project …`, `copark kpi [import]`, `copark share …`: park operations at the command line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from copark.cli.base import GuardedTyper, console, open_workspace
from copark.core.errors import CoparkError
from copark.locale import t

project_app = GuardedTyper(help=t("cli.project.help"))
kpi_app = GuardedTyper(help=t("cli.kpi.help"), no_args_is_help=False, invoke_without_command=True)
share_app = GuardedTyper(help=t("cli.share.help"))
Park = Annotated[str | None, typer.Option("--park", help=t("cli.opt.park"))]


def _date(value: str | None, option: str) -> dt.date | None:
    if not value:
        return None
    from copark.parsing.numbers import parse_date

    try:
        return parse_date(value)
    except CoparkError as error:
        raise CoparkError(error.problem.what, error.problem.fix, where=option) from None


def _amount(value: str | None, option: str) -> float | None:
    if value is None or not value.strip():
        return None
    from copark.parsing.numbers import parse_amount

    try:
        return parse_amount(value)
    except CoparkError as error:
        raise CoparkError(error.problem.what, error.problem.fix, where=option) from None


@project_app.command("add", help=t("cli.project.add.help"))
def project_add(
    name: Annotated[str, typer.Argument(help=t("cli.project.opt.name"), show_default=False)],
    park: Park = None,
    stage: Annotated[str, typer.Option("--stage", help=t("cli.project.opt.stage"))] = "线索",
    on: Annotated[str | None, typer.Option("--on", help=t("cli.project.opt.on"))] = None,
    source_region: Annotated[str, typer.Option("--from", help=t("cli.project.opt.from"))] = "",
    team: Annotated[str, typer.Option("--team", help=t("cli.project.opt.team"))] = "",
    industry: Annotated[str, typer.Option("--industry", help=t("cli.project.opt.industry"))] = "",
    investment: Annotated[str | None, typer.Option("--investment", help=t("cli.project.opt.investment"))] = None,
    reason: Annotated[str, typer.Option("--reason", help=t("cli.project.opt.reason"))] = "",
) -> None:
    from copark import api
    from copark.api.operations import ProjectInput

    data = ProjectInput(name=name, stage=stage, stage_on=_date(on, "--on"), team=team, industry_code=industry,
                        end_reason=reason, planned_investment=_amount(investment, "--investment"))
    workspace = open_workspace()
    try:
        project = api.operations.add_project(workspace=workspace, data=data, park=park,
                                             source_region=source_region)
    finally:
        workspace.close()
    console.print(t("cli.project.added", id=project.id, name=project.name, stage=project.stage_label,
                    on=project.stage_on.isoformat()), markup=False, soft_wrap=True)


@project_app.command("list", help=t("cli.project.list.help"))
def project_list(park: Park = None,
                 stage: Annotated[str | None, typer.Option("--stage", help=t("cli.project.opt.stage"))] = None) -> None:
    from rich.table import Table

    from copark import api
    from copark.api.operations import format_money

    workspace = open_workspace()
    try:
        rows = api.operations.list_projects(workspace=workspace, park=park, stage=stage)
        demo = api.has_demo_data(workspace=workspace)
    finally:
        workspace.close()
    table = Table(*(t(f"cli.project.col.{c}") for c in ("id", "name", "stage", "on", "from", "investment")))
    for p in rows:
        table.add_row(str(p.id), p.name, p.stage_label, p.stage_on.isoformat(), p.source_region,
                      format_money(p.planned_investment))
    console.print(table)
    console.print(t("cli.project.count", count=len(rows)))
    if demo:
        console.print(t("kpi.demo_notice"), style="yellow", markup=False, soft_wrap=True)


@project_app.command("move", help=t("cli.project.move.help"))
def project_move(
    project_id: Annotated[int, typer.Argument(help=t("cli.project.opt.id"), show_default=False)],
    stage: Annotated[str, typer.Argument(help=t("cli.project.opt.stage"), show_default=False)],
    on: Annotated[str | None, typer.Option("--on", help=t("cli.project.opt.on"))] = None,
    reason: Annotated[str, typer.Option("--reason", help=t("cli.project.opt.reason"))] = "",
) -> None:
    from copark import api

    workspace = open_workspace()
    try:
        project = api.operations.move_project(workspace=workspace, project_id=project_id, stage=stage,
                                              on=_date(on, "--on"), reason=reason)
    finally:
        workspace.close()
    console.print(t("cli.project.moved", id=project.id, name=project.name, stage=project.stage_label,
                    on=project.stage_on.isoformat()), markup=False, soft_wrap=True)


def _import(kind: str, files: list[Path], park: str | None) -> None:
    from copark import api

    workspace = open_workspace()
    try:
        report = api.operations.import_operations(workspace=workspace, paths=files, kind=kind, park=park)
    finally:
        workspace.close()
    for warning in report.warnings:
        console.print(f"[yellow]{t('error.hint')}：[/]{warning}", soft_wrap=True)
    parts = "，".join(t("cli.ops.part", what=t(f"import.sheet.{k}"), created=report.created.get(k, 0),
                        updated=report.updated.get(k, 0))
                     for k in sorted(set(report.created) | set(report.updated)))
    console.print(t("cli.ops.imported", rows=report.rows_read, parts=parts or "-"), soft_wrap=True)


Files = Annotated[list[Path], typer.Argument(help=t("cli.ops.opt.files"), show_default=False)]


@project_app.command("import", help=t("cli.project.import.help"))
def project_import(files: Files, park: Park = None) -> None:
    _import("projects", files, park)


@kpi_app.callback()
def kpi(ctx: typer.Context, park: Park = None,
        start: Annotated[str | None, typer.Option("--from", help=t("cli.kpi.opt.from"))] = None,
        end: Annotated[str | None, typer.Option("--to", help=t("cli.kpi.opt.to"))] = None) -> None:
    if ctx.invoked_subcommand is not None:
        return
    from copark.cli.base import guarded

    guarded(_print_kpi)(park, start, end)


def _print_kpi(park: str | None, start: str | None, end: str | None) -> None:
    from copark import api
    from copark.api.operations import format_money

    workspace = open_workspace()
    try:
        h = api.operations.headline(workspace=workspace, park=park, start=_date(start, "--from"),
                                    end=_date(end, "--to"))
        demo = api.has_demo_data(workspace=workspace)
    finally:
        workspace.close()
    console.print(f"[bold]{h.park}[/]", soft_wrap=True)
    lines = [("kpi.projects_signed", t("kpi.unit.projects", value=h.projects_signed)),
             ("kpi.projects_operating", t("kpi.unit.projects", value=h.projects_operating)),
             ("kpi.revenue", format_money(h.revenue)), ("kpi.tax", format_money(h.tax)),
             ("kpi.credit", format_money(h.credit_granted) + "（" + t("kpi.unit.banks", value=h.banks) + "）"),
             ("kpi.trainees", t("kpi.unit.people", value=h.trainees) + "（" + t("kpi.placed") + " "
              + t("kpi.unit.people", value=h.trainees_placed) + "）"),
             ("kpi.countries", t("kpi.unit.countries", value=h.countries))]
    for key, value in lines:
        console.print(f"  {t(key)}：{value}", markup=False, soft_wrap=True)
    if h.first_period:
        console.print(t("kpi.periods", first=h.first_period, last=h.last_period), markup=False)
    console.print(t("kpi.computed"), style="dim", markup=False, soft_wrap=True)
    if demo:
        console.print(t("kpi.demo_notice"), style="yellow", markup=False, soft_wrap=True)


@kpi_app.command("import", help=t("cli.kpi.import.help"))
def kpi_import(files: Files, park: Park = None) -> None:
    _import("records", files, park)


@share_app.command("add", help=t("cli.share.add.help"))
def share_add(
    name: Annotated[str, typer.Argument(help=t("cli.share.opt.name"), show_default=False)],
    split: Annotated[str, typer.Option("--split", help=t("cli.share.opt.split"))],
    start: Annotated[str, typer.Option("--from", help=t("cli.share.opt.from"))],
    end: Annotated[str | None, typer.Option("--to", help=t("cli.share.opt.to"))] = None,
    output_split: Annotated[str | None, typer.Option("--output-split", help=t("cli.share.opt.output_split"))] = None,
    stage: Annotated[str, typer.Option("--stage", help=t("cli.share.opt.stage"))] = "投产",
    park: Park = None,
) -> None:
    from copark import api

    starts_on = _date(start, "--from")
    assert starts_on is not None
    workspace = open_workspace()
    try:
        agreement_id = api.operations.add_sharing_agreement(
            workspace=workspace, park=park, name=name, split_tax=split, split_output=output_split,
            starts_on=starts_on, ends_on=_date(end, "--to"), from_stage=stage)
    finally:
        workspace.close()
    console.print(t("cli.share.added", id=agreement_id, name=name), markup=False, soft_wrap=True)


@share_app.command("override", help=t("cli.share.override.help"))
def share_override(
    agreement_id: Annotated[int, typer.Argument(help=t("cli.share.opt.agreement"), show_default=False)],
    project_id: Annotated[int, typer.Argument(help=t("cli.project.opt.id"), show_default=False)],
    split: Annotated[str, typer.Option("--split", help=t("cli.share.opt.split"))],
    output_split: Annotated[str | None, typer.Option("--output-split", help=t("cli.share.opt.output_split"))] = None,
) -> None:
    from copark import api

    workspace = open_workspace()
    try:
        api.operations.set_sharing_override(workspace=workspace, agreement_id=agreement_id, project_id=project_id,
                                            split_tax=split, split_output=output_split)
    finally:
        workspace.close()
    console.print(t("cli.share.overridden", id=agreement_id, project=project_id), markup=False)


@share_app.command("ledger", help=t("cli.share.ledger.help"))
def share_ledger(
    output: Annotated[Path | None, typer.Option("--output", "-o", help=t("cli.share.opt.output"))] = None,
    park: Park = None,
    start: Annotated[str | None, typer.Option("--from", help=t("cli.kpi.opt.from"))] = None,
    end: Annotated[str | None, typer.Option("--to", help=t("cli.kpi.opt.to"))] = None,
) -> None:
    from copark import api
    from copark.api.operations import format_money

    if output is not None and output.suffix.lower() not in (".xlsx", ".csv"):
        raise CoparkError(t("sharing.bad_suffix", suffix=output.suffix or output.name), t("sharing.bad_suffix.fix"))
    workspace = open_workspace()
    try:
        lines = api.operations.sharing_ledger(workspace=workspace, park=park, start=_date(start, "--from"),
                                              end=_date(end, "--to"), path=output)
    finally:
        workspace.close()
    totals: dict[tuple[str, str], list[float]] = {}
    for ln in lines:
        entry = totals.setdefault((ln.period, ln.measure), [0.0, 0.0])
        entry[0] += ln.host
        entry[1] += ln.partner
    for (period, measure), (host, partner) in totals.items():
        console.print(t("cli.share.total", period=period, measure=t(f"sharing.measure.{measure}"),
                        host=format_money(host), partner=format_money(partner)), markup=False)
    if output is not None:
        console.print(t("cli.share.written", path=output, lines=len(lines)), markup=False, soft_wrap=True)


def register(app: GuardedTyper) -> None:
    """Add `copark project`, `copark kpi` and `copark share` to the root app."""
    app.add_typer(project_app, name="project")
    app.add_typer(kpi_app, name="kpi")
    app.add_typer(share_app, name="share")
