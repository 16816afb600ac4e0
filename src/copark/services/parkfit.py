"""定位契合度 (positioning fit) of a prospective enterprise and 补链 (chain gaps) of a park, in the caller's
session: the park's organizations placed on the chain graph (knowledge.parkchain, knowledge.prospect), missing
nodes' candidates ranked by the matching engine (services.opportunities.build_engine, the one pipeline).

Park staff and viewers only: organization users get Forbidden. Organization names appear where the actor may
open them (services.access.visible_org_ids), as the 产业链 page does; others are described by industry and region.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from copark.core.vocab import DEMO_SOURCE, Direction
from copark.knowledge.infer import product_texts
from copark.knowledge.parkchain import DeclaredChain, Neighbour, declared_chains, need_index, node_index
from copark.knowledge.prospect import Fit, Link, Prospect, assess
from copark.locale import t
from copark.matching.config import PARK_FIT
from copark.matching.features import haversine_km
from copark.parsing.regions import RegionTable, within_region
from copark.services.access import Actor, Forbidden, visible_org_ids
from copark.services.knowledge import GRAPH_MIN_CONFIDENCE, listed_texts
from copark.storage.tables import InvestmentProject, Organization, Park


def require_reader(actor: Actor) -> None:
    """Fit and gaps are park staff's and viewers' (they name the park's organizations and targets)."""
    if actor.is_org_user:
        raise Forbidden(t("fit.staff_only"), t("web.error.forbidden.fix"))


def region_name(regions: RegionTable, code: str | None) -> str:
    return regions.by_code[code].name if code and code in regions.by_code else (code or t("fit.region_unknown"))


def neighbours(session: Session, park: Park, regions: RegionTable) -> list[Neighbour]:
    """Every organization with where it lies as `park` sees it (parkchain.SIDES) and what it lists."""
    from copark.services.opportunities import region_lonlat

    home = region_lonlat(regions, park.region_code) if park.region_code else None
    out = []
    for org in session.scalars(select(Organization).options(selectinload(Organization.items))
                               .order_by(Organization.id)):
        km = haversine_km(home, region_lonlat(regions, org.region_code)) if org.region_code else None
        if org.park_id == park.id:
            side = "park"
        elif km is not None and km <= PARK_FIT.local_km:
            side = "local"
        elif org.region_code and park.partner_region_code and within_region(org.region_code,
                                                                             park.partner_region_code):
            side = "partner"
        else:
            side = "other"
        out.append(Neighbour(org.id, org.name, org.region_code, region_name(regions, org.region_code),
                             org.industry_code, side, None if km is None else round(km, 1),
                             tuple(listed_texts(org, Direction.offer)), tuple(listed_texts(org, Direction.need)),
                             org.kind))
    return out


@dataclass
class Context:
    """What every assessment in a park reads once: its chains, the graph and its organizations on it."""

    park: Park
    chains: list[DeclaredChain]
    graph: Any
    neighbours: list[Neighbour]
    makers: dict[str, list[tuple[Neighbour, str]]]
    askers: dict[str, list[tuple[Neighbour, str]]]
    allowed: set[int] | None
    regions: RegionTable


def context(session: Session, actor: Actor, park: Park, regions: RegionTable) -> Context:
    from copark.knowledge.industries import load_industries
    from copark.knowledge.store import load_graph

    graph = load_graph(session, min_confidence=GRAPH_MIN_CONFIDENCE)
    found = neighbours(session, park, regions)
    near = [n for n in found if n.side != "other"]  # fit reads local and partner organizations only
    return Context(park, declared_chains(park.positioning or [], load_industries(session)), graph, found,
                   node_index(graph, near), need_index(graph, near), visible_org_ids(session, actor), regions)


# ---- 定位契合度 -------------------------------------------------------------------------------------------------


@dataclass
class LinkView:
    """One linked organization as shown: named where the actor may open it, with each piece of evidence."""

    org_id: int | None
    name: str
    region: str
    place: str  # 园区内 / 42公里 / 合作地区
    role: str
    evidence: list[str] = field(default_factory=list)


@dataclass
class FlagView:
    code: str
    label: str
    detail: str


@dataclass
class FitReport:
    """定位契合度 of one prospective enterprise in one park, with the evidence."""

    park: str
    name: str
    project_id: int | None
    organization_id: int | None
    score: float
    band: str
    band_label: str
    positioning: str
    positioning_text: str
    nodes: list[str]
    nodes_from: str
    suppliers: list[LinkView]
    customers: list[LinkView]
    partner: list[LinkView]
    peers: list[LinkView]
    flags: list[FlagView]
    points: dict[str, float]
    demo: bool = False


def _name(ctx: Context, org: Neighbour) -> tuple[int | None, str]:
    if ctx.allowed is None or org.id in ctx.allowed:
        return org.id, org.name
    return None, t("fit.anon", region=org.region_name)


def _evidence_text(link: Link) -> list[str]:
    lines: dict[str, None] = {}
    for e in link.evidence:
        if e.basis == "their_need":
            line = t("fit.evidence.their_need", text=e.via)
        elif e.basis == "own_need":
            line = t("fit.evidence.own_need", text=e.via, node=e.node)
        elif link.role == "peer":
            line = t("fit.evidence.peer", node=e.node, text=e.via)
        else:
            line = t(f"fit.evidence.{link.role}", path=" → ".join(e.path), text=e.via)
        lines[line] = None
    return list(lines)[:4]


def _link_view(ctx: Context, link: Link) -> LinkView:
    org_id, name = _name(ctx, link.org)
    if link.org.side == "park":
        place = t("fit.place.park")
    elif link.org.side == "partner":
        place = t("fit.place.partner")
    else:
        place = t("fit.place.km", km=round(link.org.km or 0))
    return LinkView(org_id, name, link.org.region_name, place, link.role, _evidence_text(link))


def _flag_view(code: str, detail: tuple[str, ...]) -> FlagView:
    shown = "、".join(detail[:8]) + ("…" if len(detail) > 8 else "")
    key = f"fit.flag.{code}.detail" if detail else f"fit.flag.{code}.none"
    return FlagView(code, t(f"fit.flag.{code}"), t(key, items=shown, km=round(PARK_FIT.local_km)))


def _positioning_text(ctx: Context, fit: Fit) -> str:
    if fit.positioning == "in":
        nodes = "、".join(fit.chain_nodes[:6]) or t("fit.by_industry")
        return t("fit.positioning.in", chain=fit.chain.label if fit.chain else "", nodes=nodes)
    if fit.positioning == "linked" and fit.linked_by is not None:
        _, name = _name(ctx, fit.linked_by.org)
        way = "fill" if fit.linked_by.role == "customer" else "extend"
        return t(f"fit.positioning.linked.{way}", chain=fit.chain.label if fit.chain else "", org=name,
                 node=fit.linked_by.evidence[0].node)
    if fit.positioning == "none":
        return t("fit.positioning.none")
    return t("fit.positioning.out", chains="、".join(c.label for c in ctx.chains))


def report(ctx: Context, fit: Fit, prospect: Prospect, project_id: int | None) -> FitReport:
    return FitReport(
        park=ctx.park.name, name=prospect.name, project_id=project_id, organization_id=prospect.org_id,
        score=fit.score, band=fit.band, band_label=t(f"fit.band.{fit.band}"), positioning=fit.positioning,
        positioning_text=_positioning_text(ctx, fit), nodes=fit.nodes, nodes_from=fit.nodes_from,
        suppliers=[_link_view(ctx, k) for k in fit.suppliers], customers=[_link_view(ctx, k) for k in fit.customers],
        partner=[_link_view(ctx, k) for k in fit.partner], peers=[_link_view(ctx, k) for k in fit.peers],
        flags=[_flag_view(f.code, f.detail) for f in fit.flags], points=fit.points,
        demo=ctx.park.source == DEMO_SOURCE)


def prospect_of_org(org: Organization, name: str | None = None, industry_code: str | None = None) -> Prospect:
    products = tuple(product_texts(org))
    return Prospect(name or org.name, org.id, org.industry_code or industry_code,
                    " ".join([org.name, org.short_name or "", *products, org.description or ""]), products,
                    tuple(listed_texts(org, Direction.need)))


def prospect_of_project(session: Session, project: InvestmentProject) -> Prospect:
    """A project's enterprise: its organization's lists when the project names one, else its industry code."""
    org = session.get(Organization, project.organization_id) if project.organization_id else None
    if org is not None:
        return prospect_of_org(org, project.name, project.industry_code)
    return Prospect(project.name, None, project.industry_code, project.name)


def assess_project(*, session: Session, actor: Actor, regions: RegionTable, project_id: int) -> FitReport:
    """定位契合度 of a project's enterprise in the project's park (NotFound, Forbidden)."""
    from copark.services import projects

    require_reader(actor)
    project = projects.get_project(session=session, actor=actor, project_id=project_id)
    ctx = context(session, actor, session.get(Park, project.park_id), regions)
    prospect = prospect_of_project(session, project)
    return report(ctx, _assess(ctx, prospect), prospect, project.id)


def assess_org(*, session: Session, actor: Actor, regions: RegionTable, ref: str,
               park: str | None = None) -> FitReport:
    """定位契合度 of an organization in the database as a prospect for a park (the actor's, or the only one)."""
    from copark.services import projects
    from copark.services.access import check_org
    from copark.services.organizations import find_organization

    require_reader(actor)
    target = projects.resolve_park(session, actor, park)
    org = check_org(session, actor, find_organization(session=session, ref=ref).id)
    ctx = context(session, actor, target, regions)
    prospect = prospect_of_org(org)
    return report(ctx, _assess(ctx, prospect), prospect, None)


def assess_board(*, session: Session, actor: Actor, regions: RegionTable,
                 projects: list[InvestmentProject]) -> dict[int, FitReport]:
    """定位契合度 of each listed project (the 招商项目 board), reading each park once."""
    require_reader(actor)
    contexts: dict[int, Context] = {}
    out = {}
    for project in projects:
        if project.park_id not in contexts:
            contexts[project.park_id] = context(session, actor, session.get(Park, project.park_id), regions)
        ctx = contexts[project.park_id]
        prospect = prospect_of_project(session, project)
        out[project.id] = report(ctx, _assess(ctx, prospect), prospect, project.id)
    return out


def _assess(ctx: Context, prospect: Prospect) -> Fit:
    return assess(ctx.graph, prospect, positioning=[str(p) for p in (ctx.park.positioning or [])],
                  chains=ctx.chains, makers=ctx.makers, askers=ctx.askers)

