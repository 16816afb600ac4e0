"""Signing in and out, the current user, API tokens, the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from copark import api
from copark.core.errors import CoparkError
from copark.web.deps import (
    SESSION_COOKIE,
    ActorDep,
    ApiActor,
    FormActor,
    Principal,
    PrincipalDep,
    WorkspaceDep,
    optional_principal,
    render,
)

router = APIRouter()


@router.get("/login", include_in_schema=False)
def login_page(request: Request, workspace: WorkspaceDep) -> Response:
    return render(request, "login.html", optional_principal(request, workspace), username="")


@router.post("/login", include_in_schema=False)
def login(request: Request, workspace: WorkspaceDep, username: Annotated[str, Form(max_length=200)] = "",
          password: Annotated[str, Form(max_length=1000)] = "") -> Response:
    from itsdangerous import URLSafeSerializer

    from copark.web.app import _status

    address = request.client.host if request.client else ""
    try:
        signed = api.login(workspace=workspace, username=username, password=password, address=address)
    except CoparkError as error:
        return render(request, "login.html", None, status_code=_status(error), error=error.problem,
                      username=username)
    response = RedirectResponse("/", status_code=303)
    cookie = URLSafeSerializer(request.app.state.secret_key, salt="session").dumps(signed.token)
    response.set_cookie(SESSION_COOKIE, cookie, httponly=True, samesite="lax", secure=request.app.state.secure_cookies,
                        path="/")
    return response


@router.post("/logout", include_in_schema=False)
def logout(workspace: WorkspaceDep, who: PrincipalDep, actor: FormActor) -> Response:
    if who.session_token:
        api.logout(workspace=workspace, token=who.session_token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/api/me", tags=["users"])
def me(who: PrincipalDep) -> dict:
    """The caller: username, role, organization and park."""
    a = who.actor
    return {"username": a.username, "role": a.role.value, "organization_id": a.organization_id,
            "park_id": a.park_id, "csrf_token": who.csrf_token}


@router.post("/api/tokens", tags=["users"], status_code=201)
def new_token(workspace: WorkspaceDep, actor: ApiActor) -> dict:
    """A new API token for the caller (shown once)."""
    return {"token": api.create_token(workspace=workspace, actor=actor, username=actor.username)}


@router.get("/api/audit", tags=["users"])
def audit(workspace: WorkspaceDep, actor: ActorDep, limit: int = 200) -> list[dict]:
    """The newest audit log entries (administrators)."""
    return api.audit_log(workspace=workspace, actor=actor, limit=max(1, min(limit, 1000)))


__all__ = ["Principal", "router"]
