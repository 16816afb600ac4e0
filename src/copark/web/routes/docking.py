"""对接记录: the board, one record with its history, moving stages, expressing interest."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from copark import api
from copark.core.errors import CoparkError
from copark.locale import t
from copark.services.docking import Stage
from copark.web.deps import ActorDep, ApiActor, FormActor, PrincipalDep, WorkspaceDep, render

router = APIRouter()


@router.get("/docking", include_in_schema=False)
def board_page(request: Request, workspace: WorkspaceDep, who: PrincipalDep) -> Response:
    records = api.docking_board(workspace=workspace, actor=who.actor)
    columns = {s.value: [r for r in records if r.stage == s] for s in Stage}
    return render(request, "docking.html", who, columns=columns, demo=api.has_demo_data(workspace=workspace))


@router.get("/docking/{record_id}", include_in_schema=False)
def record_page(request: Request, workspace: WorkspaceDep, who: PrincipalDep, record_id: int) -> Response:
    record = api.docking_record(workspace=workspace, actor=who.actor, record_id=record_id)
    return render(request, "record.html", who, record=record, stages=[s.value for s in Stage],
                  demo=api.has_demo_data(workspace=workspace))


def _value(text: str) -> float | None:
    text = (text or "").strip().replace(",", "")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise CoparkError(t("docking.needs_value"), t("docking.needs_value.fix"),
                          where=t("docking.field.value")) from None


@router.post("/docking/{record_id}/move", include_in_schema=False)
def move_form(workspace: WorkspaceDep, actor: FormActor, record_id: int,
              stage: Annotated[str, Form(max_length=40)] = "", contract_value: Annotated[str, Form(max_length=40)] = "",
              contract_note: Annotated[str, Form(max_length=5000)] = "",
              reason: Annotated[str, Form(max_length=5000)] = "") -> Response:
    api.move_docking_record(workspace=workspace, actor=actor, record_id=record_id, stage=stage,
                            contract_value=_value(contract_value), contract_note=contract_note, reason=reason)
    return RedirectResponse(f"/docking/{record_id}", status_code=303)


@router.post("/docking/{record_id}/interest", include_in_schema=False)
def interest_form(workspace: WorkspaceDep, actor: FormActor, record_id: int) -> Response:
    api.express_interest(workspace=workspace, actor=actor, record_id=record_id)
    return RedirectResponse(f"/docking/{record_id}", status_code=303)


# --- REST API -------------------------------------------------------------------------------------------------

class StageBody(BaseModel):
    stage: str = Field(max_length=16)
    contract_value: float | None = Field(default=None, gt=0)
    contract_note: str = Field(default="", max_length=255)
    reason: str = Field(default="", max_length=500)


@router.get("/api/docking", tags=["docking"])
def list_records(workspace: WorkspaceDep, actor: ActorDep,
                 stage: Annotated[str, Query(max_length=16)] = "") -> list[api.docking.RecordPublic]:
    return api.docking_board(workspace=workspace, actor=actor, stage=stage or None)


@router.get("/api/docking/{record_id}", tags=["docking"])
def get_record(workspace: WorkspaceDep, actor: ActorDep, record_id: int) -> api.docking.RecordPublic:
    return api.docking_record(workspace=workspace, actor=actor, record_id=record_id)


@router.post("/api/docking/{record_id}/stage", tags=["docking"], status_code=204)
def move_record(workspace: WorkspaceDep, actor: ApiActor, record_id: int, body: StageBody) -> Response:
    api.move_docking_record(workspace=workspace, actor=actor, record_id=record_id, stage=body.stage,
                            contract_value=body.contract_value, contract_note=body.contract_note, reason=body.reason)
    return Response(status_code=204)


@router.post("/api/docking/{record_id}/interest", tags=["docking"], status_code=204)
def interest(workspace: WorkspaceDep, actor: ApiActor, record_id: int) -> Response:
    api.express_interest(workspace=workspace, actor=actor, record_id=record_id)
    return Response(status_code=204)
