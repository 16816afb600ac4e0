"""园区运营: the 招商项目 board with its move action, the 园区指标 figures page with the record import, and the
REST endpoints of projects, KPIs and the sharing ledger."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.background import BackgroundTask

from copark import api
from copark.core.errors import CoparkError, ValidationFailed
from copark.locale import t
from copark.services.projects import ProjectStage
from copark.web.deps import ActorDep, ApiActor, FormActor, PrincipalDep, WorkspaceDep, render
from copark.web.uploads import save_upload

router = APIRouter()
ops = api.operations


def _demo(workspace) -> bool:  # noqa: ANN001
    return api.has_demo_data(workspace=workspace)


def _board(request: Request, workspace, who, status_code: int = 200, **context) -> Response:  # noqa: ANN001
    projects = ops.list_projects(workspace=workspace, actor=who.actor)
    columns = {s.value: [p for p in projects if p.stage == s] for s in ProjectStage}
    fits = api.parkfit.assess_board(workspace=workspace, actor=who.actor)  # empty for organization users
    return render(request, "projects.html", who, status_code=status_code, columns=columns, fits=fits,
                  stages=[s.value for s in ProjectStage], today=dt.date.today().isoformat(),
                  demo=_demo(workspace) and bool(projects), **context)


@router.get("/projects", include_in_schema=False)
def board_page(request: Request, workspace: WorkspaceDep, who: PrincipalDep) -> Response:
    return _board(request, workspace, who)


@router.get("/projects/{project_id}", include_in_schema=False)
def project_page(request: Request, workspace: WorkspaceDep, who: PrincipalDep, project_id: int) -> Response:
    project = ops.get_project(workspace=workspace, actor=who.actor, project_id=project_id)
    fit = None if who.actor.is_org_user else api.parkfit.assess(workspace=workspace, actor=who.actor,
                                                                project_id=project_id)
    return render(request, "project.html", who, project=project, stages=[s.value for s in ProjectStage],
                  money=ops.format_money, fit=fit, today=dt.date.today().isoformat(), demo=_demo(workspace))


def _date(text: str, field: str = "project.field.stage_on") -> dt.date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CoparkError(t("date.bad", value=text[:20]), t("date.fix"), where=t(field)) from None


@router.post("/projects/{project_id}/move", include_in_schema=False)
def move_form(workspace: WorkspaceDep, actor: FormActor, project_id: int,
              stage: Annotated[str, Form(max_length=16)] = "", on: Annotated[str, Form(max_length=20)] = "",
              reason: Annotated[str, Form(max_length=2000)] = "") -> Response:
    ops.move_project(workspace=workspace, actor=actor, project_id=project_id, stage=stage, on=_date(on),
                     reason=reason)
    return RedirectResponse(f"/projects#project-{project_id}", status_code=303)


async def _import(workspace, actor, file: UploadFile | None, kind: str) -> tuple[object, list, str]:  # noqa: ANN001
    """(report or None, problems, file name): all-or-nothing, problems listed when any."""
    path = await save_upload(file, Path(tempfile.mkdtemp(prefix="copark-ops-")))
    try:
        report = ops.import_operations(workspace=workspace, actor=actor, paths=[path], kind=kind)
        return report, [], path.name
    except ValidationFailed as failed:
        return None, failed.problems, path.name
    finally:
        shutil.rmtree(path.parent, ignore_errors=True)


@router.post("/projects/import", include_in_schema=False)
async def import_projects(request: Request, workspace: WorkspaceDep, who: PrincipalDep, actor: FormActor,
                          file: UploadFile | None = None) -> Response:
    report, problems, name = await _import(workspace, actor, file, "projects")
    return _board(request, workspace, who, status_code=422 if problems else 200, report=report,
                  problems=problems, file=name)


def _kpi_page(request: Request, workspace, who, status_code: int = 200, **context) -> Response:  # noqa: ANN001
    headline = ops.headline(workspace=workspace, actor=who.actor)
    by_industry = ops.series(workspace=workspace, actor=who.actor, by="industry")
    by_region = ops.series(workspace=workspace, actor=who.actor, by="region")
    regions = workspace.regions.by_code
    return render(request, "kpi.html", who, status_code=status_code, h=headline, by_industry=by_industry,
                  by_region=by_region, money=ops.format_money,
                  region_name=lambda code: regions[code].name if code in regions else (code or t("web.kpi.unknown")),
                  demo=_demo(workspace) and bool(headline.projects_total), **context)


@router.get("/kpi", include_in_schema=False)
def kpi_page(request: Request, workspace: WorkspaceDep, who: PrincipalDep) -> Response:
    return _kpi_page(request, workspace, who)


@router.post("/kpi/import", include_in_schema=False)
async def import_records(request: Request, workspace: WorkspaceDep, who: PrincipalDep, actor: FormActor,
                         file: UploadFile | None = None) -> Response:
    report, problems, name = await _import(workspace, actor, file, "records")
    return _kpi_page(request, workspace, who, status_code=422 if problems else 200, report=report,
                     problems=problems, file=name)


# --- REST API -------------------------------------------------------------------------------------------------

class ProjectBody(BaseModel):
    name: str = Field(min_length=1, max_length=255)
    park: str = Field(default="", max_length=128)
    stage: str = Field(default="lead", max_length=16)
    stage_on: dt.date | None = None
    source_region: str = Field(default="", max_length=64)
    team: str = Field(default="", max_length=255)
    industry_code: str = Field(default="", max_length=5)
    end_reason: str = Field(default="", max_length=2000)
    planned_investment: float | None = Field(default=None, ge=0)
    expected_revenue: float | None = Field(default=None, ge=0)
    jobs: int | None = Field(default=None, ge=0)
    note: str = Field(default="", max_length=2000)


class MoveBody(BaseModel):
    stage: str = Field(max_length=16)
    on: dt.date | None = None
    reason: str = Field(default="", max_length=2000)


@router.get("/api/projects", tags=["projects"])
def list_projects(workspace: WorkspaceDep, actor: ActorDep,
                  stage: Annotated[str, Query(max_length=16)] = "") -> list[api.operations.ProjectPublic]:
    return ops.list_projects(workspace=workspace, actor=actor, stage=stage or None)


@router.get("/api/projects/{project_id}", tags=["projects"])
def get_project(workspace: WorkspaceDep, actor: ActorDep, project_id: int) -> api.operations.ProjectPublic:
    return ops.get_project(workspace=workspace, actor=actor, project_id=project_id)


@router.post("/api/projects", tags=["projects"], status_code=201)
def add_project(workspace: WorkspaceDep, actor: ApiActor, body: ProjectBody) -> api.operations.ProjectPublic:
    data = ops.ProjectInput(name=body.name, stage=body.stage, stage_on=body.stage_on, team=body.team,
                            industry_code=body.industry_code, end_reason=body.end_reason,
                            planned_investment=body.planned_investment, expected_revenue=body.expected_revenue,
                            jobs=body.jobs, note=body.note)
    return ops.add_project(workspace=workspace, actor=actor, data=data, park=body.park or None,
                           source_region=body.source_region)


@router.post("/api/projects/{project_id}/stage", tags=["projects"])
def move_project(workspace: WorkspaceDep, actor: ApiActor, project_id: int,
                 body: MoveBody) -> api.operations.ProjectPublic:
    return ops.move_project(workspace=workspace, actor=actor, project_id=project_id, stage=body.stage, on=body.on,
                            reason=body.reason)


@router.get("/api/kpi", tags=["kpi"])
def headline(workspace: WorkspaceDep, actor: ActorDep, park: Annotated[str, Query(max_length=128)] = ""
             ) -> dict:
    from dataclasses import asdict

    return asdict(ops.headline(workspace=workspace, actor=actor, park=park or None))


@router.get("/api/kpi/series", tags=["kpi"])
def series(workspace: WorkspaceDep, actor: ActorDep, by: Annotated[str, Query(max_length=16)] = "industry",
           park: Annotated[str, Query(max_length=128)] = "") -> list[dict]:
    from dataclasses import asdict

    return [asdict(r) for r in ops.series(workspace=workspace, actor=actor, park=park or None, by=by)]


@router.get("/api/sharing/ledger", tags=["sharing"])
def ledger(workspace: WorkspaceDep, actor: ActorDep, park: Annotated[str, Query(max_length=128)] = "") -> list[dict]:
    from dataclasses import asdict

    return [asdict(ln) for ln in ops.sharing_ledger(workspace=workspace, actor=actor, park=park or None)]


@router.get("/kpi/sharing.{suffix}", include_in_schema=False)
def ledger_file(workspace: WorkspaceDep, who: PrincipalDep, suffix: str) -> Response:
    if suffix not in ("xlsx", "csv"):
        raise CoparkError(t("sharing.bad_suffix", suffix=suffix[:10]), t("sharing.bad_suffix.fix"))
    folder = Path(tempfile.mkdtemp(prefix="copark-ledger-"))
    path = folder / f"{t('sharing.sheet.lines')}.{suffix}"
    try:
        ops.sharing_ledger(workspace=workspace, actor=who.actor, path=path)
    except Exception:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return FileResponse(path, filename=path.name, background=BackgroundTask(shutil.rmtree, folder, True))
