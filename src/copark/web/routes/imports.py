"""清单导入: upload a workbook, read the row-level report, confirm; the template and the export."""

from __future__ import annotations

import secrets
import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import FileResponse, Response
from starlette.background import BackgroundTask

from copark import api
from copark.core.errors import CoparkError
from copark.locale import t
from copark.web.deps import FormActor, PrincipalDep, WorkspaceDep, render
from copark.web.uploads import save_upload

router = APIRouter()


def _uploads(request: Request) -> dict[str, tuple[int | None, Path]]:
    """Checked uploads waiting for confirmation: token → (user id, file)."""
    state = request.app.state
    if not hasattr(state, "uploads"):
        state.uploads = {}
        state.upload_dir = Path(tempfile.mkdtemp(prefix="copark-uploads-"))
    return state.uploads


@router.get("/import", include_in_schema=False)
def import_page(request: Request, who: PrincipalDep) -> Response:
    return render(request, "import.html", who)


@router.post("/import", include_in_schema=False)
async def upload(request: Request, workspace: WorkspaceDep, who: PrincipalDep, actor: FormActor,
                 file: UploadFile | None = None) -> Response:
    uploads = _uploads(request)
    token = secrets.token_urlsafe(16)
    target = await save_upload(file, request.app.state.upload_dir / token)
    check = api.check_workbook(workspace=workspace, actor=actor, paths=[target])
    if check.ok:
        uploads[token] = (actor.user_id, target)
    else:
        shutil.rmtree(target.parent, ignore_errors=True)
    return render(request, "import.html", who, status_code=200 if check.ok else 422, check=check, file=target.name,
                  token=token if check.ok else "")


@router.post("/import/confirm", include_in_schema=False)
def confirm(request: Request, workspace: WorkspaceDep, who: PrincipalDep, actor: FormActor,
            token: Annotated[str, Form(max_length=64)] = "") -> Response:
    found = _uploads(request).get(token)
    if found is None or found[0] != actor.user_id or not found[1].is_file():
        raise CoparkError(t("web.error.upload_expired"), t("web.error.upload_expired.fix"))
    report = api.import_workbook(workspace=workspace, actor=actor, paths=[found[1]])
    _uploads(request).pop(token, None)
    shutil.rmtree(found[1].parent, ignore_errors=True)
    return render(request, "import.html", who, report=report)


@router.get("/import/template", include_in_schema=False)
def template(who: PrincipalDep) -> Response:
    folder = Path(tempfile.mkdtemp(prefix="copark-template-"))
    path = api.write_template(path=folder / t("cli.template.default_path"))
    return FileResponse(path, filename=path.name, background=BackgroundTask(shutil.rmtree, folder, True))


@router.get("/import/export", include_in_schema=False)
def export(workspace: WorkspaceDep, who: PrincipalDep) -> Response:
    folder = Path(tempfile.mkdtemp(prefix="copark-export-"))
    path = folder / t("cli.export.default_path")
    try:
        api.export_lists(workspace=workspace, actor=who.actor, path=path.with_suffix(".xlsx"))
    except Exception:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    path = path.with_suffix(".xlsx")
    return FileResponse(path, filename=path.name, background=BackgroundTask(shutil.rmtree, folder, True))
