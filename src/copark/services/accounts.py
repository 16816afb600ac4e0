"""Users (web and REST accounts), their sessions and API tokens, and login rate limiting."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from enum import StrEnum

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from copark.core.errors import CoparkError
from copark.locale import t
from copark.services.items import now
from copark.storage.tables import ApiToken, AppSetting, LoginAttempt, Organization, Park, User, WebSession


class Role(StrEnum):
    """What a user may see and do (services.access holds the rules)."""

    admin = "admin"  # everything
    operator = "operator"  # park staff: the organizations of one park
    enterprise = "enterprise"  # one enterprise: its own lists and the opportunities pushed to it
    institution = "institution"  # a bank or a training school: like an enterprise, for its organization
    viewer = "viewer"  # reads everything, changes nothing, sees no personal information


#: Roles tied to one organization.
ORG_ROLES = (Role.enterprise, Role.institution)
USERNAME_MAX = 64
PASSWORD_MIN = 8
PASSWORD_MAX = 256
#: Failed sign-ins allowed per username, and per address, within LOGIN_WINDOW before sign-in answers 429.
#: Five is what NIST SP 800-63B calls a reasonable floor; the window is short enough not to lock people out for long.
LOGIN_LIMIT = 5
LOGIN_WINDOW = dt.timedelta(minutes=15)
SESSION_LIFETIME = dt.timedelta(hours=12)


def _hasher():  # noqa: ANN202 - argon2 loads only when a password is hashed or checked
    from argon2 import PasswordHasher

    return PasswordHasher()


def digest(token: str) -> str:
    """SHA-256 of a session or API token: what the database keeps instead of the token."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(*, session: Session, username: str, password: str, role: str, organization: str | None = None,
                park: str | None = None, display_name: str = "") -> User:
    """A new account; enterprise/institution users need their organization, operators their park."""
    from copark.services.organizations import find_organization

    username = (username or "").strip()
    if not username or len(username) > USERNAME_MAX or not username.replace("-", "").replace("_", "").replace(
            ".", "").isalnum() or not username.isascii():
        raise CoparkError(t("user.bad_username", value=username[:80]), t("user.bad_username.fix", max=USERNAME_MAX))
    if not PASSWORD_MIN <= len(password or "") <= PASSWORD_MAX:
        raise CoparkError(t("user.bad_password", min=PASSWORD_MIN), t("user.bad_password.fix", min=PASSWORD_MIN))
    try:
        role_value = Role(role)
    except ValueError:
        raise CoparkError(t("user.bad_role", value=role), t("user.bad_role.fix",
                                                              choices="、".join(r.value for r in Role))) from None
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise CoparkError(t("user.exists", username=username), t("user.exists.fix"))
    org_id = park_id = None
    if role_value in ORG_ROLES:
        if not organization:
            raise CoparkError(t("user.needs_org", role=role_value.value), t("user.needs_org.fix"))
        org_id = find_organization(session=session, ref=organization).id
    elif organization:
        raise CoparkError(t("user.org_not_allowed", role=role_value.value), t("user.org_not_allowed.fix"))
    if role_value == Role.operator:
        if not park:
            raise CoparkError(t("user.needs_park"), t("user.needs_park.fix"))
        park_id = session.scalar(select(Park.id).where(Park.name == park.strip()))
        if park_id is None:
            raise CoparkError(t("user.unknown_park", park=park), t("user.unknown_park.fix"))
    user = User(username=username, display_name=display_name.strip()[:128] or username,
                password_hash=_hasher().hash(password), role=role_value.value, organization_id=org_id,
                park_id=park_id, disabled=False)
    session.add(user)
    session.flush()
    return user


def set_password(*, session: Session, user: User, password: str) -> None:
    if not PASSWORD_MIN <= len(password or "") <= PASSWORD_MAX:
        raise CoparkError(t("user.bad_password", min=PASSWORD_MIN), t("user.bad_password.fix", min=PASSWORD_MIN))
    user.password_hash = _hasher().hash(password)


def get_user(*, session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == (username or "").strip()))
    if user is None:
        raise CoparkError(t("user.not_found", username=username), t("user.not_found.fix"))
    return user


def list_users(*, session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.id)))


class LoginThrottled(CoparkError):
    """Too many failed sign-ins: the web answers 429."""


def authenticate(*, session: Session, username: str, password: str, address: str) -> User:
    """The user whose password this is; CoparkError otherwise (the same message for a wrong name or password).

    Failed attempts are stored, and more than LOGIN_LIMIT within LOGIN_WINDOW for the name or the address stop
    further attempts (LoginThrottled) until the window passes: the correct password is refused too.
    """
    username = (username or "").strip()[:USERNAME_MAX]
    address = (address or "")[:64]
    since = now() - LOGIN_WINDOW
    failures = session.scalar(select(func.count()).select_from(LoginAttempt).where(
        LoginAttempt.at >= since, (LoginAttempt.username == username) | (LoginAttempt.address == address))) or 0
    if failures >= LOGIN_LIMIT:
        raise LoginThrottled(t("login.throttled", minutes=int(LOGIN_WINDOW.total_seconds() // 60)),
                             t("login.throttled.fix"))
    user = session.scalar(select(User).where(User.username == username))
    ok = False
    if user is not None and not user.disabled:
        from argon2.exceptions import VerificationError

        try:
            ok = _hasher().verify(user.password_hash, password or "")
        except VerificationError:
            ok = False
    else:
        _hasher().hash("timing-equaliser")  # a missing user costs as long as a wrong password
    if not ok:
        session.add(LoginAttempt(username=username, address=address, at=now()))
        session.flush()
        raise CoparkError(t("login.failed"), t("login.failed.fix"))
    session.execute(delete(LoginAttempt).where(LoginAttempt.username == username))
    return user


def start_session(*, session: Session, user: User) -> tuple[str, WebSession]:
    """A new browser session: the secret token (for the cookie) and its row (with the CSRF token)."""
    token = secrets.token_urlsafe(32)
    started = now()
    row = WebSession(user_id=user.id, token_hash=digest(token), csrf_token=secrets.token_urlsafe(32),
                     created_at=started, expires_at=started + SESSION_LIFETIME)
    session.add(row)
    session.flush()
    return token, row


def session_user(*, session: Session, token: str) -> tuple[User, WebSession] | None:
    """The user of a live session token (None when unknown, expired or logged out)."""
    row = session.scalar(select(WebSession).where(WebSession.token_hash == digest(token)))
    if row is None or row.revoked_at is not None or row.expires_at < now():
        return None
    user = session.get(User, row.user_id)
    if user is None or user.disabled:
        return None
    return user, row


def end_session(*, session: Session, token: str) -> None:
    """Logout: the session can never be used again, even if its cookie is replayed."""
    row = session.scalar(select(WebSession).where(WebSession.token_hash == digest(token)))
    if row is not None and row.revoked_at is None:
        row.revoked_at = now()


def create_token(*, session: Session, user: User, name: str = "") -> str:
    """A new API token for `user` (shown once; only its digest is stored)."""
    token = "cpk_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=digest(token), name=name[:64]))
    session.flush()
    return token


def token_user(*, session: Session, token: str) -> User | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(token), ApiToken.revoked_at.is_(None)))
    if row is None:
        return None
    user = session.get(User, row.user_id)
    return None if user is None or user.disabled else user


def secret_key(*, session: Session) -> str:
    """The workspace's cookie signing key, made on first use and kept in the database."""
    row = session.get(AppSetting, "secret_key")
    if row is None:
        row = AppSetting(key="secret_key", value=secrets.token_urlsafe(48))
        session.add(row)
        session.flush()
    return row.value


def organization_name(*, session: Session, user: User) -> str:
    if user.organization_id is None:
        return ""
    return session.scalar(select(Organization.name).where(Organization.id == user.organization_id)) or ""
