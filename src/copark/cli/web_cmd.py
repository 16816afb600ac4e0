"""`copark serve` (the web workspace and REST API) and `copark user add|token|list`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from copark.cli.base import GuardedTyper, console, open_workspace, state
from copark.core.errors import CoparkError
from copark.locale import t

if TYPE_CHECKING:
    from copark.workspace import Workspace

user_app = GuardedTyper(help=t("user.help"))


@user_app.command("add", help=t("user.add.help"))
def user_add(
    username: Annotated[str, typer.Argument(help=t("user.opt.username"), show_default=False)],
    role: Annotated[str, typer.Option("--role", help=t("user.opt.role"))],
    org: Annotated[str | None, typer.Option("--org", help=t("user.opt.org"))] = None,
    park: Annotated[str | None, typer.Option("--park", help=t("user.opt.park"))] = None,
    name: Annotated[str, typer.Option("--name", help=t("user.opt.name"))] = "",
    password: Annotated[str | None, typer.Option("--password", help=t("user.opt.password"))] = None,
) -> None:
    from copark import api

    if password is None:
        password = typer.prompt(t("user.prompt.password"), hide_input=True, confirmation_prompt=True)
    workspace = open_workspace()
    try:
        api.add_user(workspace=workspace, username=username, password=password, role=role, organization=org,
                     park=park, display_name=name)
    finally:
        workspace.close()
    console.print(t("user.added", username=username, role=t(f"web.role.{role}")), markup=False)


@user_app.command("token", help=t("user.token.help"))
def user_token(username: Annotated[str, typer.Argument(help=t("user.opt.username"), show_default=False)]) -> None:
    from copark import api

    workspace = open_workspace()
    try:
        token = api.create_token(workspace=workspace, username=username, name="cli")
    finally:
        workspace.close()
    console.print(t("user.token", token=token), markup=False, soft_wrap=True)


@user_app.command("list", help=t("user.list.help"))
def user_list() -> None:
    from copark.services import accounts

    workspace = open_workspace()
    try:
        with workspace.transaction() as session:
            rows = [(u.id, u.username, u.role, accounts.organization_name(session=session, user=u))
                    for u in accounts.list_users(session=session)]
    finally:
        workspace.close()
    for user_id, username, role, org in rows:
        console.print(t("user.list.row", id=user_id, username=username, role=role, org=org), markup=False)


def register(app: GuardedTyper) -> None:
    """Add `copark serve` and `copark user …` to the root app."""
    app.add_typer(user_app, name="user")

    @app.command("serve", help=t("serve.help"))
    def serve(host: Annotated[str, typer.Option("--host", help=t("serve.opt.host"))] = "127.0.0.1",
              port: Annotated[int, typer.Option("--port", help=t("serve.opt.port"))] = 8000,
              workers: Annotated[int, typer.Option("--workers", help=t("serve.opt.workers"))] = 1) -> None:
        try:
            import uvicorn

            from copark.web.app import create_app, warm_up
        except ModuleNotFoundError as error:
            raise CoparkError(t("serve.missing", name=error.name), t("serve.missing.fix")) from None
        if not 0 < port < 65536:
            raise CoparkError(t("option.not_positive", option="--port", value=port),
                              t("option.not_positive.fix", option="--port", example=8000))
        if workers < 1:
            raise CoparkError(t("option.not_positive", option="--workers", value=workers),
                              t("option.not_positive.fix", option="--workers", example=2))
        workspace = open_workspace()
        log_level = "warning" if not state.debug else "info"
        try:
            if workers > 1 and not workspace.shared_between_processes:
                raise CoparkError(t("serve.workers_memory"), t("serve.workers_memory.fix"))
            console.print(t("serve.starting", host=host, port=port, url=workspace.url), markup=False, soft_wrap=True)
            if workers == 1:
                app = create_app(workspace)
                warm_up(app)
                uvicorn.run(app, host=host, port=port, log_level=log_level)
                return
            _prepare_workers(workspace)
            console.print(t("serve.workers", workers=workers), markup=False)
            uvicorn.run("copark.web.app:worker_app", factory=True, workers=workers, host=host, port=port,
                        log_level=log_level)
        finally:
            workspace.close()


def _prepare_workers(workspace: Workspace) -> None:
    """What every worker process must share is settled once, here, before they start: the schema is upgraded (by
    opening the workspace) and the cookie signing key exists in the database, so no two workers race to make one
    (each would sign cookies the other rejects). The workers open the same database through the environment."""
    import os

    from copark.services import accounts

    with workspace.transaction() as session:
        accounts.secret_key(session=session)
    os.environ["COPARK_DATABASE_URL"] = workspace.url
    if workspace.files_root is not None:
        os.environ["COPARK_FILES_DIR"] = str(workspace.files_root)
