"""补链 (the chain-gap page, its download and JSON) and 定位契合度 (JSON of a project or an organization; the project
page shows the same in its own section)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, Response
from starlette.background import BackgroundTask

from copark import api
from copark.locale import t
from copark.web.deps import ActorDep, PrincipalDep, WorkspaceDep, render

router = APIRouter()
Ref = Annotated[str, Query(max_length=128)]
Top = Annotated[int | None, Query(ge=0, le=50)]


@router.get("/gaps", include_in_schema=False)
def gaps_page(request: Request, workspace: WorkspaceDep, who: PrincipalDep, park: Ref = "",
              chain: Ref = "") -> Response:
    choices = api.parkfit.chain_choices(workspace=workspace, actor=who.actor, park=park or None)
    chosen = chain or (choices[0][0] if choices else "")  # one chain per page: each missing node is matched
    report = api.parkfit.chain_gaps(workspace=workspace, actor=who.actor, park=park or None, chain=chosen or None)
    return render(request, "gaps.html", who, report=report, choices=choices, chain=chosen, park=park,
                  demo=report.demo)


@router.get("/gaps.xlsx", include_in_schema=False)
def gaps_file(workspace: WorkspaceDep, who: PrincipalDep, park: Ref = "", chain: Ref = "") -> Response:
    folder = Path(tempfile.mkdtemp(prefix="copark-gaps-"))
    path = folder / f"{t('gaps.sheet.missing')}.xlsx"
    try:
        api.parkfit.chain_gaps(workspace=workspace, actor=who.actor, park=park or None, chain=chain or None, path=path)
    except Exception:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return FileResponse(path, filename=path.name, background=BackgroundTask(shutil.rmtree, folder, True))


@router.get("/api/gaps", tags=["insights"])
def get_gaps(workspace: WorkspaceDep, actor: ActorDep, park: Ref = "", chain: Ref = "",
             top: Top = None) -> api.parkfit.GapReport:
    """补链: each declared chain's covered and missing nodes; each missing node's candidates from the partner region,
    then from other regions, ranked and explained by the matching engine (the 招商 target list)."""
    return api.parkfit.chain_gaps(workspace=workspace, actor=actor, park=park or None, chain=chain or None,
                                  partner_top=top, other_top=top)


@router.get("/api/projects/{project_id}/fit", tags=["projects"])
def project_fit(workspace: WorkspaceDep, actor: ActorDep, project_id: int) -> api.parkfit.FitReport:
    """定位契合度 of a project's enterprise in its park: score, band, positioning, local suppliers and customers
    with evidence, risks."""
    return api.parkfit.assess(workspace=workspace, actor=actor, project_id=project_id)


@router.get("/api/fit", tags=["insights"])
def org_fit(workspace: WorkspaceDep, actor: ActorDep, org: Ref, park: Ref = "") -> api.parkfit.FitReport:
    """定位契合度 of an organization in the database as a prospect for a park."""
    return api.parkfit.assess(workspace=workspace, actor=actor, org=org, park=park or None)
