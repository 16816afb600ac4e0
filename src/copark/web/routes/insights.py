"""首页 (dashboard charts) and 产业链 (the chain map): ECharts when its script is installed, tables always."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from copark import api
from copark.knowledge.chains import MAX_DEPTH
from copark.locale import t
from copark.services.chainmap import PRESENCE
from copark.web.deps import ActorDep, PrincipalDep, WorkspaceDep, render

router = APIRouter()
Year = Annotated[int | None, Query(ge=2000, le=2100)]
Depth = Annotated[int, Query(ge=1, le=MAX_DEPTH)]
ChainQuery = Annotated[str, Query(max_length=100)]


@router.get("/", include_in_schema=False)
def dashboard_page(request: Request, workspace: WorkspaceDep, who: PrincipalDep, year: Year = None) -> Response:
    figures = api.dashboard(workspace=workspace, actor=who.actor, year=year)
    return render(request, "dashboard.html", who, d=figures, demo=figures.demo)


@router.get("/chain", include_in_schema=False)
def chain_page(request: Request, workspace: WorkspaceDep, who: PrincipalDep, q: ChainQuery = "", depth: Depth = 2,
               park: int | None = None) -> Response:
    from copark.core.errors import CoparkError

    chain, error = None, None
    if q.strip():
        try:
            chain = api.chain_map(workspace=workspace, actor=who.actor, query=q, depth=depth, park_id=park)
        except CoparkError as failed:
            from copark.services.access import NotFound

            if isinstance(failed, NotFound):
                raise
            error = failed.problem  # a product the knowledge graph does not know: said on the page, with the form
    graph = None
    if chain is not None:  # what charts.js draws; the table below it shows the same
        from dataclasses import asdict

        graph = {"nodes": [asdict(n) for n in chain.nodes], "links": [asdict(link) for link in chain.links],
                 "legend": {p: t(f"web.chain.presence.{p}") for p in PRESENCE}}
    return render(request, "chain.html", who, status_code=400 if error else 200, chain=chain, error=error, q=q,
                  depth=depth, park=park, max_depth=MAX_DEPTH, presences=PRESENCE, graph=graph,
                  demo=bool(chain and chain.demo))


@router.get("/api/dashboard", tags=["insights"])
def get_dashboard(workspace: WorkspaceDep, actor: ActorDep, year: Year = None) -> api.insights.Dashboard:
    """首页 figures: enterprises by region and by industry division, open opportunities by stage, value signed in
    the year (default: this year), within what the caller may see."""
    return api.dashboard(workspace=workspace, actor=actor, year=year)


@router.get("/api/chain", tags=["insights"])
def get_chain(workspace: WorkspaceDep, actor: ActorDep, q: ChainQuery, depth: Depth = 2,
              park: int | None = None) -> api.insights.ChainMap:
    """产业链: the chain of a product or GB/T 4754 code as nodes and links; each node's presence says whether the
    park's region, the partner region, both or neither have organizations making it."""
    return api.chain_map(workspace=workspace, actor=actor, query=q, depth=depth, park_id=park)
