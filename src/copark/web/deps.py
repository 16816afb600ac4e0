"""What routes share: the workspace, the signed-in user (cookie or API token), CSRF checks, page rendering."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Form, Header, Request
from fastapi.responses import HTMLResponse

from copark import api
from copark.core.errors import CoparkError
from copark.locale import t
from copark.services.access import Actor
from copark.workspace import Workspace

SESSION_COOKIE = "copark_session"


class NotLoggedIn(CoparkError):
    """No live session or token: pages redirect to the login page, the API answers 401."""


class CsrfFailed(CoparkError):
    """A form or cookie-authenticated API call without the session's CSRF token: 403, nothing changed."""


@dataclass
class Principal:
    """Who is calling and how: a browser session (with its CSRF token) or an API token."""

    actor: Actor
    display_name: str
    organization: str
    csrf_token: str | None  # None: authenticated by an API token (no cookie, so no CSRF risk)
    session_token: str | None = None


def get_workspace(request: Request) -> Workspace:
    return request.app.state.workspace


WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]


def _from_cookie(request: Request, workspace: Workspace) -> Principal | None:
    from itsdangerous import BadSignature, URLSafeSerializer

    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    try:
        token = URLSafeSerializer(request.app.state.secret_key, salt="session").loads(raw)
    except BadSignature:
        return None
    signed = api.user_for_session(workspace=workspace, token=str(token))
    if signed is None:
        return None
    return Principal(signed.actor, signed.display_name, signed.organization, signed.csrf_token, signed.token)


def optional_principal(request: Request, workspace: WorkspaceDep) -> Principal | None:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        actor = api.user_for_token(workspace=workspace, token=auth[7:].strip())
        if actor is None:
            raise NotLoggedIn(t("web.error.not_logged_in"), t("web.error.not_logged_in.fix"))
        return Principal(actor, actor.username, "", None)
    return _from_cookie(request, workspace)


def principal(found: Annotated[Principal | None, Depends(optional_principal)]) -> Principal:
    if found is None:
        raise NotLoggedIn(t("web.error.not_logged_in"), t("web.error.not_logged_in.fix"))
    return found


PrincipalDep = Annotated[Principal, Depends(principal)]


def current_actor(who: PrincipalDep) -> Actor:
    return who.actor


ActorDep = Annotated[Actor, Depends(current_actor)]


def _check(expected: str | None, given: str | None) -> None:
    if expected is None:  # API token: no cookie was sent, so a forged cross-site request cannot carry it
        return
    if not given or not hmac.compare_digest(expected, given):
        raise CsrfFailed(t("web.error.csrf"), t("web.error.csrf.fix"))


def form_actor(who: PrincipalDep, csrf_token: Annotated[str, Form()] = "") -> Actor:
    """The actor of a submitted form, whose csrf_token field must be the session's."""
    _check(who.csrf_token, csrf_token)
    return who.actor


def api_actor(who: PrincipalDep, x_csrf_token: Annotated[str | None, Header()] = None) -> Actor:
    """The actor of a changing API call: a token, or a session cookie plus the X-CSRF-Token header."""
    _check(who.csrf_token, x_csrf_token)
    return who.actor


FormActor = Annotated[Actor, Depends(form_actor)]
ApiActor = Annotated[Actor, Depends(api_actor)]


def render(request: Request, template: str, who: Principal | None, status_code: int = 200,
           **context: Any) -> HTMLResponse:
    """A page: the template with the locale's `t`, the user and the CSRF token every form carries."""
    templates = request.app.state.templates
    return templates.TemplateResponse(request, template, {
        "t": t, "who": who, "csrf_token": who.csrf_token if who else "", "htmx": request.app.state.has_htmx,
        "echarts": request.app.state.has_echarts,
        "demo": context.pop("demo", False), **context}, status_code=status_code)


# --- public forms (the showcase inquiry): no session, so the CSRF token is bound to a visitor cookie instead ----------

VISITOR_COOKIE = "copark_visitor"
#: How long a public form stays valid after the page was loaded: long enough to write an inquiry, short enough
#: that a harvested token soon expires.
PUBLIC_FORM_MAX_AGE = 2 * 3600


def _public_serializer(request: Request):  # noqa: ANN202
    from itsdangerous import URLSafeTimedSerializer

    return URLSafeTimedSerializer(request.app.state.secret_key, salt="public-form")


def public_form_token(request: Request) -> tuple[str, str | None]:
    """(the token a public form carries, a new visitor cookie value to set, or None when the visitor has one)."""
    import secrets

    nonce = request.cookies.get(VISITOR_COOKIE, "")
    fresh = None
    if not (16 <= len(nonce) <= 64):
        nonce = fresh = secrets.token_urlsafe(24)
    return _public_serializer(request).dumps(nonce), fresh


def set_visitor_cookie(request: Request, response: Any, value: str | None) -> None:
    if value:
        response.set_cookie(VISITOR_COOKIE, value, httponly=True, samesite="lax",
                            secure=request.app.state.secure_cookies, path="/")


def check_public_form(request: Request, token: str) -> None:
    """The form's token must be this app's, recent, and made for the visitor cookie the browser sends back (a
    page on another site can neither read the cookie nor make the token); CsrfFailed otherwise."""
    from itsdangerous import BadData

    nonce = request.cookies.get(VISITOR_COOKIE, "")
    try:
        value = _public_serializer(request).loads(token or "", max_age=PUBLIC_FORM_MAX_AGE)
    except BadData:
        raise CsrfFailed(t("web.error.csrf"), t("web.error.csrf.fix")) from None
    if not nonce or not hmac.compare_digest(str(value), nonce):
        raise CsrfFailed(t("web.error.csrf"), t("web.error.csrf.fix"))


def sender_digest(request: Request) -> str:
    """An opaque, keyed digest of the caller's address: enough to rate-limit, not to recover the address."""
    import hashlib

    address = request.client.host if request.client else ""
    return hmac.new(request.app.state.secret_key.encode(), address.encode(), hashlib.sha256).hexdigest()
