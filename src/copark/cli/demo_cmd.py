"""`copark demo`: load the illustrative 雨溆工业园 dataset and run the main job (matching)."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Annotated

import typer

from copark.cli.base import GuardedTyper, console, open_workspace
from copark.core.errors import CoparkError
from copark.locale import t

if TYPE_CHECKING:
    from copark.services.opportunities import OpportunityView

TOP_PER_INDUSTRY = 5


def register(app: GuardedTyper) -> None:
    """Add `copark demo` to the root app."""

    @app.command("demo", help=t("demo.help"))
    def demo(top: Annotated[int, typer.Option("--top", help=t("demo.opt.top"))] = TOP_PER_INDUSTRY) -> None:
        from copark.demo import DEMO_PASSWORD, create_demo_users, demo_park, load_demo, refuse_other_data
        from copark.services.catalog import industry_codes
        from copark.services.opportunities import park_opportunities

        if top < 1:
            raise CoparkError(t("option.not_positive", option="--top", value=top),
                              t("option.not_positive.fix", option="--top", example=TOP_PER_INDUSTRY))
        workspace = open_workspace()
        try:
            refuse_other_data(workspace=workspace)
            console.print(t("demo.notice"), style="bold yellow", markup=False, soft_wrap=True)
            with console.status(t("demo.loading")):
                report = load_demo(workspace=workspace)
            console.print(t("demo.loaded", orgs=report.orgs.created + report.orgs.updated + report.orgs.unchanged,
                            items=report.items.created + report.items.updated + report.items.unchanged,
                            url=workspace.url), soft_wrap=True)
            with console.status(t("demo.matching")), workspace.transaction() as session:  # noqa: SIM117
                park = demo_park(workspace=workspace)
                found = park_opportunities(session=session, park=park.name, top=10_000, regions=workspace.regions)
                industries = industry_codes(session=session)
            logins = create_demo_users(workspace=workspace)
        finally:
            workspace.close()
        _print_by_industry(found, industries, top)
        # the logins before the closing notice: the output ends saying the data is illustrative
        console.print(t("demo.logins"), markup=False)
        for role, username, note in logins:
            console.print(t("demo.login", role=role, username=username, password=DEMO_PASSWORD, note=note),
                          markup=False, soft_wrap=True)
        console.print(t("demo.notice.end"), style="bold yellow", markup=False, soft_wrap=True)


def _division_name(code: str) -> str:
    from copark.knowledge.industries import builtin_industries

    table = builtin_industries()
    division = table.at_level(code, 2) if code else None
    return f"{division.code} {division.name}" if division else t("demo.no_industry")


def _print_by_industry(found: list[OpportunityView], industries: dict[int, str], top: int) -> None:
    """Opportunities grouped by the need organization's industry division, best first, two lines each."""
    groups: dict[str, list[OpportunityView]] = defaultdict(list)
    for view in found:
        groups[_division_name(industries.get(view.need_org_id, ""))].append(view)
    console.print(t("demo.summary", count=len(found), industries=len(groups)), soft_wrap=True)
    for name in sorted(groups, key=lambda g: -max(v.score for v in groups[g])):
        console.rule(f"[bold]{name}", align="left")
        for view in sorted(groups[name], key=lambda v: -v.score)[:top]:
            console.print(t("demo.line", score=f"{view.score:.0f}", need_org=view.need_org, need=view.need_text,
                            offer_org=view.offer_org, offer=view.offer_text, mode=view.mode_label),
                          markup=False, soft_wrap=True)
            console.print(f"      [dim]{t('demo.why', why=view.why)}[/]", soft_wrap=True)
