"""Who may see and change what: the role rules, personal-information masking and counterpart anonymisation."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, false, or_, select
from sqlalchemy.orm import Session

from copark.core.errors import CoparkError
from copark.locale import t
from copark.parsing.regions import within_region
from copark.services.accounts import ORG_ROLES, Role
from copark.storage.tables import Organization, Park, User


class Forbidden(CoparkError):
    """The actor may not see or change this: the web answers 403."""


class NotFound(CoparkError):
    """No such object: the web answers 404."""


@dataclass(frozen=True)
class Actor:
    """The signed-in user as the rules see it; `Actor.local()` is the person at the CLI (full rights)."""

    user_id: int | None
    username: str
    role: Role
    organization_id: int | None = None
    park_id: int | None = None

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user.id, user.username, Role(user.role), user.organization_id, user.park_id)

    @classmethod
    def local(cls) -> Actor:
        return cls(None, "cli", Role.admin)

    @property
    def is_org_user(self) -> bool:
        return self.role in ORG_ROLES

    @property
    def can_review(self) -> bool:
        """Review opportunities, push them, move docking records: park staff."""
        return self.role in (Role.admin, Role.operator)


def org_in_park(org: Organization, park: Park) -> bool:
    """An organization belongs to a park when it is registered there or lies in either of its regions."""
    if org.park_id == park.id:
        return True
    return bool(org.region_code) and any(
        area and within_region(org.region_code, area) for area in (park.region_code, park.partner_region_code))


def park_of(org: Organization, parks: list[Park]) -> Park | None:
    """The park an organization is registered in, else the first of `parks` whose (partner) region holds it."""
    if org.park is not None:
        return org.park
    return next((park for park in parks if org_in_park(org, park)), None)


def within(code, area: str) -> ColumnElement[bool]:  # noqa: ANN001 - a column
    """SQL form of parsing.regions.within_region: 6-digit codes are hierarchical (43 province, 4301 city)."""
    if area.endswith("0000"):
        return code.like(area[:2] + "%")
    if area.endswith("00"):
        return code.like(area[:4] + "%")
    return code == area


def park_condition(park: Park, org: Any = Organization) -> ColumnElement[bool]:
    """org_in_park as a condition on the organization table (or an alias of it, `org`), so a park's organizations
    are selected in SQL."""
    clauses = [org.park_id == park.id]
    clauses += [within(org.region_code, area) for area in (park.region_code, park.partner_region_code) if area]
    return or_(*clauses)


#: Which organizations an actor may open, as a condition on an organization table or alias passed to it.
OrgScope = Callable[[Any], ColumnElement[bool]]


def org_scope(session: Session, actor: Actor) -> OrgScope | None:
    """The organizations the actor may open as a condition checked on the organization rows a query reads (None:
    all). Unlike an `IN (SELECT id …)` of visible_orgs, no query first builds the set of a park's ids (~20k at
    the bench/web scale, ~35 ms each time a query names it); the park is looked up once."""
    if actor.role in (Role.admin, Role.viewer):
        return None
    if actor.role == Role.operator:
        park = session.get(Park, actor.park_id) if actor.park_id else None
        if park is None:
            return lambda org: false()
        return lambda org: park_condition(park, org)
    if not actor.organization_id:
        return lambda org: false()
    return lambda org: org.id == actor.organization_id


def visible_orgs(session: Session, actor: Actor) -> Select[tuple[int]] | None:
    """The ids of the organizations the actor may open as a subquery to filter with (None: all)."""
    scope = org_scope(session, actor)
    return None if scope is None else select(Organization.id).where(scope(Organization))


def visible_org_ids(session: Session, actor: Actor) -> set[int] | None:
    """Organizations the actor may open (None: all)."""
    query = visible_orgs(session, actor)
    return None if query is None else set(session.scalars(query))


def may_open(session: Session, actor: Actor, org_id: int) -> bool:
    """Whether the actor may open this one organization (without listing every organization it may open)."""
    query = visible_orgs(session, actor)
    return query is None or session.scalar(query.where(Organization.id == org_id)) is not None


def check_org(session: Session, actor: Actor, org_id: int, *, edit: bool = False) -> Organization:
    """The organization, if the actor may see it (and edit it when `edit`); NotFound or Forbidden otherwise."""
    org = session.get(Organization, org_id)
    if org is None:
        raise NotFound(t("web.error.org_not_found", id=org_id), t("web.error.not_found.fix"))
    if edit and actor.role == Role.viewer:
        raise Forbidden(t("web.error.read_only"), t("web.error.forbidden.fix"))
    if not may_open(session, actor, org.id):
        raise Forbidden(t("web.error.forbidden_org", id=org_id), t("web.error.forbidden.fix"))
    return org


def sees_contacts(session: Session, actor: Actor, org_id: int) -> bool:
    """Whether the actor needs this organization's contacts: admins, its park's staff, its own users."""
    if actor.role == Role.admin:
        return True
    if actor.role == Role.operator:
        return actor.park_id is not None and may_open(session, actor, org_id)
    return actor.is_org_user and actor.organization_id == org_id


def contacts_seen(session: Session, actor: Actor, org_ids: set[int]) -> set[int]:
    """Which of `org_ids` the actor sees the contacts of (sees_contacts for many organizations, in one query)."""
    if actor.role == Role.admin:
        return set(org_ids)
    if actor.role == Role.operator:
        query = visible_orgs(session, actor) if actor.park_id is not None else None
        return set(session.scalars(query.where(Organization.id.in_(sorted(org_ids))))) if query is not None else set()
    return {actor.organization_id} & org_ids if actor.is_org_user else set()


_PHONE = re.compile(r"(?<!\d)(\d{3})[\d\- ]{4,}?(\d{4})(?!\d)")
_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*(@[A-Za-z0-9.-]+)")
# What _PHONE leaves: numbers written in groups (+49 30 1234 5678, (0731) 8456 1234), as foreign buyers write them.
_GROUPED = re.compile(r"\+?\(?\d[\d\s\-()]{5,}\d")


def _mask_grouped(match: re.Match[str]) -> str:
    run = match.group(0)
    digits = [i for i, ch in enumerate(run) if ch.isdigit()]
    if len(digits) < 7:
        return run
    keep = set(digits[:3] + digits[-2:])
    return "".join(ch if not ch.isdigit() or i in keep else "*" for i, ch in enumerate(run))


def mask_contact(text: str | None) -> str:
    """Phone numbers as 138****1234 (grouped ones as +49 3* **** **78) and e-mails as a***@example.com; other
    words kept."""
    if not text:
        return ""
    masked = _EMAIL.sub(lambda m: f"{m.group(1)}***{m.group(2)}", text)
    masked = _PHONE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", masked)
    return _GROUPED.sub(_mask_grouped, masked)


#: Size bands by staff numbers, after the 工业 thresholds of 统上大中小微型企业划分办法(2017): <20 micro,
#: <300 small, <1000 medium, else large.
SIZE_BANDS = ((20, "micro"), (300, "small"), (1000, "medium"))


def size_band(employees: int | None) -> str:
    if employees is None:
        return t("web.size.unknown")
    for limit, name in SIZE_BANDS:
        if employees < limit:
            return t(f"web.size.{name}")
    return t("web.size.large")
