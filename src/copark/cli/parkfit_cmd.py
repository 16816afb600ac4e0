"""`copark assess` (定位契合度 of a prospective enterprise) and `copark gaps` (补链: missing chain nodes and the
engine's candidates for them). (`copark fit` is taken: it fits the learned ranker.)"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from copark.cli.base import GuardedTyper, console, open_workspace
from copark.locale import t

if TYPE_CHECKING:
    from copark.services.chaingaps import Candidate, GapReport
    from copark.services.parkfit import FitReport, LinkView

Park = Annotated[str | None, typer.Option("--park", help=t("cli.opt.park"))]
Json = Annotated[bool, typer.Option("--json", help=t("cli.fit.opt.json"))]


def _say(text: str, style: str | None = None) -> None:
    console.print(text, style=style, markup=False, soft_wrap=True, highlight=False)


def _links(title: str, links: list[LinkView]) -> None:
    if not links:
        _say(f"{title}：{t('cli.fit.none')}")
        return
    _say(f"{title}：")
    for link in links:
        _say(f"  · {link.name}（{link.region}，{link.place}）：{'；'.join(link.evidence)}")


def print_fit(report: FitReport) -> None:
    _say(f"{report.name} · {report.park}", style="bold")
    _say(t("cli.fit.band", band=report.band_label, score=f"{report.score:g}"),
         style={"fit": "green", "partial": "yellow"}.get(report.band, "red"))
    _say(t("cli.fit.positioning", text=report.positioning_text))
    if report.nodes:
        _say(t(f"cli.fit.nodes.{report.nodes_from}", nodes="、".join(report.nodes[:8])))
    _links(t("cli.fit.suppliers"), report.suppliers)
    _links(t("cli.fit.customers"), report.customers)
    _links(t("cli.fit.partner"), report.partner)
    _links(t("cli.fit.peers"), report.peers)
    if report.flags:
        _say(t("cli.fit.risks"))
        for flag in report.flags:
            _say(f"  ✗ {flag.label}：{flag.detail}", style="red")
    _say(t("cli.fit.points", **{k: f"{v:g}" for k, v in report.points.items()}), style="dim")
    if report.demo:
        _say(t("fit.demo_notice"), style="yellow")


def _candidate(c: Candidate) -> str:
    low = t("cli.gaps.low") if c.low_confidence else ""
    return f"{c.rank}) {c.name}（{c.region}）{c.offer_text} · {c.score:g}{low} · {c.mode_label} · {c.why}"


def print_gaps(report: GapReport) -> None:
    _say(t("cli.gaps.title", park=report.park, region=report.park_region, partner=report.partner_region or "-",
           km=round(report.local_km)), style="bold")
    for chain in report.chains:
        _say(f"== {chain.label} ==", style="bold")
        if not chain.anchored:
            _say(t("cli.gaps.unanchored"), style="yellow")
        covered = "、".join(f"{n.name}（{'、'.join(n.makers)}）" for n in chain.covered)
        _say(t("cli.gaps.covered", count=len(chain.covered), nodes=covered or t("cli.fit.none")))
        _say(t("cli.gaps.missing", count=len(chain.missing)))
        for number, node in enumerate(chain.missing, start=1):
            via = t("cli.gaps.linked", nodes="、".join(node.linked_to)) if node.linked_to else ""
            _say(f"  {number}. {node.name}［{node.role_label}{'·' + node.kind_label if node.kind_label else ''}"
                 f"{via}］", style="bold")
            for title, found in ((t("gaps.side.partner"), node.partner), (t("gaps.side.other"), node.others)):
                if not found:
                    _say(f"     {title}：{t('cli.gaps.no_candidate')}", style="dim")
                    continue
                _say(f"     {title}：")
                for c in found:
                    _say(f"       {_candidate(c)}")
    _say(t(f"cli.gaps.ranker.{report.ranker}"), style="dim")
    if report.demo:
        _say(t("fit.demo_notice"), style="yellow")


def register(app: GuardedTyper) -> None:
    """Add `copark assess` and `copark gaps` to the root app."""

    @app.command("assess", help=t("cli.fit.help"))
    def assess_command(
        project: Annotated[int | None, typer.Option("--project", help=t("cli.fit.opt.project"))] = None,
        org: Annotated[str | None, typer.Option("--org", help=t("cli.fit.opt.org"))] = None,
        park: Park = None,
        as_json: Json = False,
    ) -> None:
        from copark import api

        workspace = open_workspace()
        try:
            report = api.parkfit.assess(workspace=workspace, project_id=project, org=org, park=park)
        finally:
            workspace.close()
        if as_json:
            typer.echo(json.dumps(asdict(report), ensure_ascii=False, indent=1))
        else:
            print_fit(report)

    @app.command("gaps", help=t("cli.gaps.help"))
    def gaps_command(
        park: Park = None,
        chain: Annotated[str | None, typer.Option("--chain", help=t("cli.gaps.opt.chain"))] = None,
        top: Annotated[int | None, typer.Option("--top", help=t("cli.gaps.opt.top"))] = None,
        output: Annotated[Path | None, typer.Option("--output", "-o", help=t("cli.gaps.opt.output"))] = None,
        as_json: Json = False,
    ) -> None:
        from copark import api

        workspace = open_workspace()
        try:
            report = api.parkfit.chain_gaps(workspace=workspace, park=park, chain=chain, partner_top=top,
                                            other_top=top, path=output)
        finally:
            workspace.close()
        if as_json:
            typer.echo(json.dumps(asdict(report), ensure_ascii=False, indent=1))
        else:
            print_gaps(report)
        if output is not None:
            _say(t("cli.gaps.written", path=output,
                   rows=sum(max(1, len(n.partner) + len(n.others)) for c in report.chains for n in c.missing)))
