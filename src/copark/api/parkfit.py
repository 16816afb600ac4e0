"""定位契合度 (positioning fit) and 补链 (chain gaps), as park staff and viewers may see them."""

from __future__ import annotations

from pathlib import Path

from copark.core.errors import CoparkError
from copark.locale import t
from copark.services.access import Actor
from copark.services.chaingaps import GapReport
from copark.services.parkfit import FitReport
from copark.workspace import Workspace

__all__ = ["FitReport", "GapReport", "assess", "assess_board", "chain_choices", "chain_gaps"]
REF_MAX = 128


def assess(*, workspace: Workspace, actor: Actor | None = None, project_id: int | None = None,
           org: str | None = None, park: str | None = None) -> FitReport:
    """定位契合度 of a project's enterprise (in its park) or of an organization (in `park`, the operator's park or
    the only one): score, band, positioning, local suppliers and customers with evidence, risks."""
    from copark.services import parkfit

    actor = actor or Actor.local()
    if (project_id is None) == (org is None or not org.strip()):
        raise CoparkError(t("fit.need_one"), t("fit.need_one.fix"))
    with workspace.transaction() as session:
        if project_id is not None:
            return parkfit.assess_project(session=session, actor=actor, regions=workspace.regions,
                                          project_id=project_id)
        if len(org or "") > REF_MAX or (park and len(park) > REF_MAX):
            raise CoparkError(t("web.error.too_long", max=REF_MAX), t("web.error.too_long.fix"))
        return parkfit.assess_org(session=session, actor=actor, regions=workspace.regions, ref=org or "",
                                  park=park)


def assess_board(*, workspace: Workspace, actor: Actor | None = None) -> dict[int, FitReport]:
    """定位契合度 of every project the actor may see (project id → report); empty for organization users."""
    from copark.services import parkfit
    from copark.services import projects as svc

    actor = actor or Actor.local()
    if actor.is_org_user:
        return {}
    with workspace.transaction() as session:
        listed = svc.list_projects(session=session, actor=actor)
        return parkfit.assess_board(session=session, actor=actor, regions=workspace.regions, projects=listed)


def chain_gaps(*, workspace: Workspace, actor: Actor | None = None, park: str | None = None,
               chain: str | None = None, partner_top: int | None = None, other_top: int | None = None,
               path: Path | None = None) -> GapReport:
    """补链 of a park: each declared chain's covered and missing nodes, and for each missing node the candidates
    the matching engine ranks from the partner region, then from other regions; with `path` also written as
    .xlsx or .csv (the 招商 target list)."""
    from copark.matching.config import CHAIN_GAPS
    from copark.services import chaingaps

    actor = actor or Actor.local()
    for value in (park, chain):
        if value and len(value) > REF_MAX:
            raise CoparkError(t("web.error.too_long", max=REF_MAX), t("web.error.too_long.fix"))
    if path is not None and Path(path).suffix.lower() not in (".xlsx", ".csv"):
        raise CoparkError(t("gaps.bad_suffix", suffix=Path(path).suffix or Path(path).name), t("gaps.bad_suffix.fix"))
    with workspace.transaction() as session:
        report = chaingaps.chain_gaps(
            session=session, actor=actor, regions=workspace.regions, park=park, chain=chain,
            partner_top=CHAIN_GAPS.partner_top if partner_top is None else partner_top,
            other_top=CHAIN_GAPS.other_top if other_top is None else other_top)
    if path is not None:
        chaingaps.write_gaps(report, path)
    return report


def chain_choices(*, workspace: Workspace, actor: Actor | None = None, park: str | None = None) -> list[tuple[str, str]]:
    """The declared chains of a park (named, the operator's, or the only one) as (entry, label), in its order."""
    from copark.knowledge.industries import load_industries
    from copark.knowledge.parkchain import declared_chains
    from copark.services import projects
    from copark.services.parkfit import require_reader

    actor = actor or Actor.local()
    require_reader(actor)
    with workspace.transaction() as session:
        target = projects.resolve_park(session, actor, park)
        return [(c.entry, c.label) for c in declared_chains(target.positioning or [], load_industries(session))]
