"""Accounts: add users, API tokens, sign in and out, who a session or token belongs to; the audit log."""

from __future__ import annotations

from dataclasses import dataclass

from copark.core.errors import CoparkError
from copark.locale import t
from copark.services.access import Actor, Forbidden
from copark.workspace import Workspace


@dataclass
class SignedIn:
    """A live browser session: who, the cookie's secret token, the CSRF token its forms carry."""

    actor: Actor
    display_name: str
    organization: str
    token: str
    csrf_token: str


def add_user(*, workspace: Workspace, actor: Actor | None = None, username: str, password: str, role: str,
             organization: str | None = None, park: str | None = None, display_name: str = "") -> int:
    """A new account (administrators only); returns its id."""
    from copark.services import accounts, audit

    actor = actor or Actor.local()
    if actor.role != "admin":
        raise Forbidden(t("web.error.admins_only"), t("web.error.forbidden.fix"))
    with workspace.transaction() as session:
        user = accounts.create_user(session=session, username=username, password=password, role=role,
                                    organization=organization, park=park, display_name=display_name)
        audit.record(session, actor, "user.add", "user", user.id, role=user.role)
        return user.id


def create_token(*, workspace: Workspace, actor: Actor | None = None, username: str, name: str = "") -> str:
    """A new REST API token for `username` (an administrator, or the user for itself); shown once."""
    from copark.services import accounts, audit

    actor = actor or Actor.local()
    with workspace.transaction() as session:
        user = accounts.get_user(session=session, username=username)
        if actor.role != "admin" and actor.user_id != user.id:
            raise Forbidden(t("web.error.admins_only"), t("web.error.forbidden.fix"))
        token = accounts.create_token(session=session, user=user, name=name)
        audit.record(session, actor, "token.create", "user", user.id)
        return token


def login(*, workspace: Workspace, username: str, password: str, address: str) -> SignedIn:
    """Check the password (rate limited) and start a session; CoparkError (or LoginThrottled) otherwise."""
    from copark.services import accounts

    # the failed attempt must be stored even though the sign-in fails: its own transaction
    try:
        with workspace.transaction() as session:
            user = accounts.authenticate(session=session, username=username, password=password, address=address)
            token, row = accounts.start_session(session=session, user=user)
            return SignedIn(Actor.of(user), user.display_name, accounts.organization_name(session=session, user=user),
                            token, row.csrf_token)
    except accounts.LoginThrottled:
        raise
    except CoparkError:
        _store_failure(workspace, username, address)
        raise


def _store_failure(workspace: Workspace, username: str, address: str) -> None:
    from copark.services.items import now
    from copark.storage.tables import LoginAttempt

    with workspace.transaction() as session:
        session.add(LoginAttempt(username=(username or "").strip()[:64], address=(address or "")[:64], at=now()))


def logout(*, workspace: Workspace, token: str) -> None:
    from copark.services import accounts

    with workspace.transaction() as session:
        accounts.end_session(session=session, token=token)


def user_for_session(*, workspace: Workspace, token: str) -> SignedIn | None:
    from copark.services import accounts

    with workspace.transaction() as session:
        found = accounts.session_user(session=session, token=token)
        if found is None:
            return None
        user, row = found
        return SignedIn(Actor.of(user), user.display_name, accounts.organization_name(session=session, user=user),
                        token, row.csrf_token)


def user_for_token(*, workspace: Workspace, token: str) -> Actor | None:
    from copark.services import accounts

    with workspace.transaction() as session:
        user = accounts.token_user(session=session, token=token)
        return Actor.of(user) if user else None


def audit_log(*, workspace: Workspace, actor: Actor | None = None, limit: int = 200) -> list[dict]:
    """The newest audit entries (administrators only)."""
    from copark.services import audit

    actor = actor or Actor.local()
    if actor.role != "admin":
        raise Forbidden(t("web.error.admins_only"), t("web.error.forbidden.fix"))
    with workspace.transaction() as session:
        return [{"at": e.at.isoformat(), "username": e.username, "action": e.action, "target": e.target,
                 "target_id": e.target_id, "detail": e.detail} for e in audit.entries(session=session, limit=limit)]
