"""The FastAPI application factory: `create_app(workspace)` (no engine or app is made at import time)."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException

from copark.core.errors import CoparkError, ValidationFailed
from copark.locale import t
from copark.workspace import Workspace

HERE = Path(__file__).parent
#: Where `make install` puts the npm packages (package.json): the repository's node_modules.
DEFAULT_VENDOR = HERE.parents[2] / "node_modules"


def _status(error: CoparkError) -> int:
    from copark.services.access import Forbidden, NotFound
    from copark.services.accounts import LoginThrottled
    from copark.services.inquiries import InquiryThrottled
    from copark.web.deps import CsrfFailed, NotLoggedIn

    for kind, status in ((NotLoggedIn, 401), (CsrfFailed, 403), (Forbidden, 403), (NotFound, 404),
                         (LoginThrottled, 429), (InquiryThrottled, 429), (ValidationFailed, 422)):
        if isinstance(error, kind):
            return status
    return 400


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/api"


def _error_body(error: CoparkError) -> dict:
    body = {"what": error.problem.what, "where": error.problem.where, "fix": error.problem.fix}
    if isinstance(error, ValidationFailed):
        body["problems"] = [{"where": p.where, "what": p.what, "fix": p.fix} for p in error.problems]
    return {"error": body}


def _error_page(request: Request, error: CoparkError, status: int) -> Response:
    from copark.web.deps import _from_cookie, render

    try:
        who = _from_cookie(request, request.app.state.workspace)
    except Exception:  # noqa: BLE001 - the error page must render even when the session lookup fails
        who = None
    problems = error.problems if isinstance(error, ValidationFailed) else []
    return render(request, "error.html", who, status_code=status, error=error.problem, problems=problems)


def worker_app() -> FastAPI:
    """The app of one `copark serve --workers N` process (uvicorn imports it by name in each worker): the workspace
    of COPARK_DATABASE_URL, which serve sets to its own before starting them.

    What several processes share lives in the database: the cookie signing key (made before the workers start),
    sessions and their CSRF tokens, API tokens, failed sign-ins (login rate limiting) and inquiries (their rate
    limit). What each process keeps in memory is derived and checked against the database's counters before use:
    the chain graph (kb tables' version) and the organizations on chain nodes (lists_version), so a worker never
    serves another's stale copy; each builds its own, once."""
    app = create_app(Workspace.open())
    warm_up(app)
    return app


def warm_up(app: FastAPI) -> None:
    """Do before the first request what the first request of each page would otherwise pay: import the matching
    modules the 对接机会 pages name (~4 s: they load scikit-learn) and compile every template. A server process
    accepts connections only after this, so no user (and no benchmark client) waits on a cold process.

    Then everything loaded so far (~220k objects, mostly modules) is moved out of the garbage collector's sight
    (gc.freeze): they live as long as the process, and each full collection walked them all, a ~140 ms pause every
    ten or so 对接机会 requests at the bench/web scale, ~20 ms after the freeze."""
    import gc

    import copark.services.opportunities  # noqa: F401 - imported for its side effect: loaded once, here
    from copark.knowledge.industries import builtin_industries
    from copark.parsing.regions import builtin_regions

    builtin_industries()
    builtin_regions()
    env = app.state.templates.env
    for name in env.list_templates(extensions=["html"]):
        env.get_template(name)
    gc.collect()
    gc.freeze()


def create_app(workspace: Workspace, *, vendor_dir: Path | None = None, secure_cookies: bool = False) -> FastAPI:
    """The web workspace and REST API on `workspace`'s database."""
    from copark.services import accounts
    from copark.web.routes import (
        auth,
        docking,
        imports,
        insights,
        operations,
        opportunities,
        organizations,
        parkfit,
        trade,
    )

    app = FastAPI(title=t("web.title"), version="1", openapi_url="/openapi.json", docs_url=None, redoc_url=None)
    app.state.workspace = workspace
    with workspace.transaction() as session:
        app.state.secret_key = accounts.secret_key(session=session)
    app.state.secure_cookies = secure_cookies
    app.state.templates = Jinja2Templates(directory=str(HERE / "templates"))
    app.mount("/static/app", StaticFiles(directory=str(HERE / "static")), name="static")
    vendor = vendor_dir or DEFAULT_VENDOR
    app.state.has_htmx = (vendor / "htmx.org" / "dist" / "htmx.min.js").is_file()
    if app.state.has_htmx:  # without it the pages work as plain forms and links
        app.mount("/static/vendor/htmx", StaticFiles(directory=str(vendor / "htmx.org" / "dist")), name="htmx")
    app.state.has_echarts = (vendor / "echarts" / "dist" / "echarts.min.js").is_file()
    if app.state.has_echarts:  # without it the 首页 and 产业链 pages show their tables only
        app.mount("/static/vendor/echarts", StaticFiles(directory=str(vendor / "echarts" / "dist")), name="echarts")

    @app.exception_handler(CoparkError)
    async def copark_error(request: Request, error: CoparkError) -> Response:
        from copark.web.deps import NotLoggedIn

        status = _status(error)
        if _wants_json(request):
            return JSONResponse(_error_body(error), status_code=status)
        if isinstance(error, NotLoggedIn):
            return RedirectResponse("/login", status_code=303)
        return _error_page(request, error, status)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, error: RequestValidationError) -> Response:
        parts = []
        for e in error.errors()[:5]:
            where = ".".join(str(x) for x in e.get("loc", ()) if x not in ("body", "query", "path"))
            parts.append(f"{where}: {e.get('msg', '')}")
        wrapped = CoparkError(t("web.error.bad_request", detail="；".join(parts)), t("web.error.bad_request.fix"))
        if _wants_json(request):
            return JSONResponse(_error_body(wrapped), status_code=422)
        return _error_page(request, wrapped, 422)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        if error.status_code == 404:
            wrapped = CoparkError(t("web.error.page_not_found", path=request.url.path), t("web.error.not_found.fix"))
        else:
            wrapped = CoparkError(str(error.detail), "")
        if _wants_json(request):
            return JSONResponse(_error_body(wrapped), status_code=error.status_code)
        return _error_page(request, wrapped, error.status_code)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):  # noqa: ANN001, ANN202
        started = time.perf_counter()
        response = await call_next(request)
        # Server time of the request, for browsers' dev tools and bench/web (which reports its p50/p95).
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy",
                                    "default-src 'self'; style-src 'self'; script-src 'self'; img-src 'self' data:")
        return response

    for module in (auth, insights, organizations, imports, opportunities, docking, operations, parkfit, trade):
        app.include_router(module.router)
    return app
