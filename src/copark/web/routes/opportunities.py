"""对接机会: ranked opportunities with filters and explanations; push, not relevant, start a docking record."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from copark import api
from copark.api.matching import SCORE_BANDS
from copark.core.vocab import ItemKind
from copark.locale import labels
from copark.web.deps import ActorDep, ApiActor, FormActor, PrincipalDep, WorkspaceDep, render

router = APIRouter()
Filter = Annotated[str, Query(max_length=100)]


def _modes() -> dict[str, str]:
    from copark.matching.modes import Mode, mode_label

    return {m.value: mode_label(m) for m in Mode}


@router.get("/opportunities", include_in_schema=False)
def opportunities_page(request: Request, workspace: WorkspaceDep, who: PrincipalDep, industry: Filter = "",
                       mode: Filter = "", region: Filter = "", score: Filter = "", kind: Filter = "") -> Response:
    found = api.list_opportunities(workspace=workspace, actor=who.actor, industry=industry, mode=mode,
                                   region=region, score=score, kind=kind)
    return render(request, "opportunities.html", who, found=found, industry=industry, mode=mode, region=region,
                  score=score, kind=kind, modes=_modes(), kinds=labels(ItemKind), bands=list(SCORE_BANDS),
                  demo=api.has_demo_data(workspace=workspace))


@router.post("/opportunities/{opportunity_id}/push", include_in_schema=False)
def push_form(workspace: WorkspaceDep, actor: FormActor, opportunity_id: int) -> Response:
    record_id = api.push_opportunity(workspace=workspace, actor=actor, opportunity_id=opportunity_id)
    return RedirectResponse(f"/docking/{record_id}", status_code=303)


@router.post("/opportunities/{opportunity_id}/start", include_in_schema=False)
def start_form(workspace: WorkspaceDep, actor: FormActor, opportunity_id: int) -> Response:
    record_id = api.start_docking(workspace=workspace, actor=actor, opportunity_id=opportunity_id)
    return RedirectResponse(f"/docking/{record_id}", status_code=303)


@router.post("/opportunities/{opportunity_id}/dismiss", include_in_schema=False)
def dismiss_form(workspace: WorkspaceDep, actor: FormActor, opportunity_id: int,
                 reason: Annotated[str, Form(max_length=5000)] = "") -> Response:
    api.dismiss_opportunity(workspace=workspace, actor=actor, opportunity_id=opportunity_id, reason=reason)
    return RedirectResponse("/opportunities", status_code=303)


# --- REST API -------------------------------------------------------------------------------------------------

class DismissBody(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class MatchBody(BaseModel):
    org: str | None = Field(default=None, max_length=200)
    industry: str | None = Field(default=None, max_length=20)
    park: str | None = Field(default=None, max_length=128)
    cross_region: bool = True
    top: int = Field(default=10, ge=1, le=200)


@router.get("/api/opportunities", tags=["opportunities"])
def list_opps(workspace: WorkspaceDep, actor: ActorDep, industry: Filter = "", mode: Filter = "", region: Filter = "",
              score: Filter = "", kind: Filter = "", limit: Annotated[int, Query(ge=1, le=1000)] = 200
              ) -> list[api.matching.OpportunityPublic]:
    """Opportunities the caller may see, best first; counterparts anonymised for organization users until both
    sides expressed interest."""
    return api.list_opportunities(workspace=workspace, actor=actor, industry=industry, mode=mode, region=region,
                                  score=score, kind=kind, limit=limit)


@router.get("/api/opportunities/{opportunity_id}", tags=["opportunities"])
def get_opp(workspace: WorkspaceDep, actor: ActorDep, opportunity_id: int) -> api.matching.OpportunityPublic:
    return api.get_opportunity(workspace=workspace, actor=actor, opportunity_id=opportunity_id)


@router.post("/api/opportunities/{opportunity_id}/push", tags=["opportunities"])
def push_opp(workspace: WorkspaceDep, actor: ApiActor, opportunity_id: int) -> dict:
    """推送 to both organizations; returns the docking record."""
    return {"record_id": api.push_opportunity(workspace=workspace, actor=actor, opportunity_id=opportunity_id)}


@router.post("/api/opportunities/{opportunity_id}/docking", tags=["opportunities"])
def start_opp(workspace: WorkspaceDep, actor: ApiActor, opportunity_id: int) -> dict:
    return {"record_id": api.start_docking(workspace=workspace, actor=actor, opportunity_id=opportunity_id)}


@router.post("/api/opportunities/{opportunity_id}/dismiss", tags=["opportunities"], status_code=204)
def dismiss_opp(workspace: WorkspaceDep, actor: ApiActor, opportunity_id: int, body: DismissBody) -> Response:
    api.dismiss_opportunity(workspace=workspace, actor=actor, opportunity_id=opportunity_id, reason=body.reason)
    return Response(status_code=204)


@router.post("/api/match", tags=["opportunities"])
def run_match(workspace: WorkspaceDep, actor: ApiActor, body: MatchBody) -> dict:
    """Recompute and store the opportunities in scope (staff)."""
    run = api.match(workspace=workspace, actor=actor, org=body.org, industry=body.industry, park=body.park,
                    cross_region=body.cross_region, top=body.top)
    return {"opportunities": len(run.opportunities), "needs": run.needs, "ranker": run.ranker}
