"""Organizations (企业/机构): the directory and one organization with its lists, as the actor may see them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from copark.core.errors import CoparkError
from copark.core.vocab import Direction, InferredStatus, ItemKind, OrgKind, Origin
from copark.locale import label, labels, parse_label, t
from copark.services import audit
from copark.services.access import Actor, check_org, mask_contact, org_scope, sees_contacts, size_band
from copark.workspace import Workspace

SEARCH_MAX = 100
CONTACT_MAX = 255
DESCRIPTION_MAX = 2000


def _label(enum_type: type, value: str | None) -> str:
    try:
        return label(enum_type(value))
    except ValueError:
        return value or ""


@dataclass
class ItemPublic:
    id: int
    direction: str
    kind: str
    kind_label: str
    text: str
    quantity: float | None
    unit: str
    annual_value_text: str
    note: str
    origin: str
    status: str | None = None
    status_label: str = ""
    confidence: float | None = None

    @classmethod
    def of(cls, item: Any) -> ItemPublic:
        return cls(item.id, item.direction, item.kind, _label(ItemKind, item.kind), item.text, item.quantity,
                   item.unit or "", item.annual_value_text or ("" if item.annual_value is None else f"{item.annual_value:g}"),
                   item.note or "", item.origin, item.status,
                   _label(InferredStatus, item.status) if item.status else "", item.confidence)


@dataclass
class OrgRow:
    id: int
    name: str
    kind: str
    kind_label: str
    region: str
    industry_code: str
    offers: int
    needs: int
    demo: bool


@dataclass
class OrgPage:
    rows: list[OrgRow]
    total: int
    next_after: int | None = None  # the `after` of the next page, None on the last
    total_capped: bool = False  # a search counts up to services.search.COUNT_CAP: more match than `total`


@dataclass
class OrgPublic:
    """One organization as the actor may see it: contacts masked unless the actor needs them."""

    id: int
    name: str
    short_name: str
    kind: str
    kind_label: str
    region: str
    park: str
    industry_code: str
    industry: str
    products: list[str]
    description: str
    contact: str
    contact_masked: bool
    size_band: str
    demo: bool
    can_edit: bool
    offers: list[ItemPublic] = field(default_factory=list)
    needs: list[ItemPublic] = field(default_factory=list)
    inferred_needs: list[ItemPublic] = field(default_factory=list)
    withdrawn: list[ItemPublic] = field(default_factory=list)


def _kind_value(kind: str | None) -> str | None:
    if not kind or not kind.strip():
        return None
    parsed = parse_label(OrgKind, kind)
    if parsed is None:
        raise CoparkError(t("orgs.bad_kind", value=kind[:40]),
                          t("import.bad_kind.fix", choices="、".join(labels(OrgKind).values())))
    return parsed.value


def list_organizations(*, workspace: Workspace, actor: Actor | None = None, search: str | None = None,
                       region: str | None = None, industry: str | None = None, kind: str | None = None,
                       limit: int = 200, after: int | None = None) -> OrgPage:
    """The directory: every filter given must hold; an organization user sees only its own organization. Pages
    follow ids: `after` is the last id of the page before (keyset pagination)."""
    from copark.services.directory import search as find

    actor = actor or Actor.local()
    for value in (search, region, industry):
        if value and len(value) > SEARCH_MAX:
            raise CoparkError(t("web.error.too_long", max=SEARCH_MAX), t("web.error.too_long.fix"))
    if limit < 1:
        raise CoparkError(t("option.not_positive", option="limit", value=limit),
                          t("option.not_positive.fix", option="limit", example=50))
    kind_value = _kind_value(kind)
    regions = workspace.regions
    region_record = regions.resolve(region) if region and region.strip() else None
    with workspace.transaction() as session:
        found = find(session=session, scope=org_scope(session, actor), text=search, region=region_record,
                     industry=industry, kind=kind_value, limit=limit, after=after)
    rows = found.rows
    return OrgPage([OrgRow(r.id, r.name, r.kind, _label(OrgKind, r.kind),
                           regions.full_name(r.region_code) if r.region_code in regions.by_code else (r.region_code or ""),
                           r.industry_code or "", r.offers, r.needs, r.source == "demo") for r in rows], found.total,
                   rows[-1].id if len(rows) == limit else None, found.capped)


def get_organization(*, workspace: Workspace, actor: Actor | None = None, org_id: int) -> OrgPublic:
    """One organization with its offers, needs, inferred needs and withdrawn items (NotFound / Forbidden)."""
    from copark.knowledge.industries import builtin_industries
    from copark.services.catalog import organization_detail

    actor = actor or Actor.local()
    regions = workspace.regions
    with workspace.transaction() as session:
        org = check_org(session, actor, org_id)
        detail = organization_detail(session=session, ref=str(org.id))
        contacts = sees_contacts(session, actor, org.id)
        can_edit = actor.role != "viewer" and (actor.role in ("admin", "operator") or actor.organization_id == org.id)
        industry = builtin_industries().get(org.industry_code) if org.industry_code else None
        listed = [i for i in detail.needs if i.origin != Origin.inferred]
        return OrgPublic(
            id=org.id, name=org.name, short_name=org.short_name or "", kind=org.kind,
            kind_label=_label(OrgKind, org.kind),
            region=regions.full_name(org.region_code) if org.region_code in regions.by_code else (org.region_code or ""),
            park=detail.park_name or "", industry_code=org.industry_code or "",
            industry=industry.name if industry else (org.industry_text or ""),
            products=[str(p) for p in org.products or []], description=org.description or "",
            contact=(org.contact or "") if contacts else mask_contact(org.contact), contact_masked=not contacts,
            size_band=size_band(org.employees), demo=org.source == "demo", can_edit=can_edit,
            offers=[ItemPublic.of(i) for i in detail.offers if i.origin != Origin.inferred],
            needs=[ItemPublic.of(i) for i in listed],
            inferred_needs=[ItemPublic.of(i) for i in detail.needs
                            if i.origin == Origin.inferred and i.direction == Direction.need],
            withdrawn=[ItemPublic.of(i) for i in detail.withdrawn],
        )


def update_organization(*, workspace: Workspace, actor: Actor | None = None, org_id: int,
                        contact: str | None = None, description: str | None = None) -> None:
    """Change an organization's contact or description (what its own users keep current)."""
    actor = actor or Actor.local()
    for value, most, name in ((contact, CONTACT_MAX, "contact"), (description, DESCRIPTION_MAX, "description")):
        if value is not None and len(value) > most:
            raise CoparkError(t("web.error.too_long", max=most), t("web.error.too_long.fix"),
                              where=t(f"web.field.{name}"))
    with workspace.transaction() as session:
        org = check_org(session, actor, org_id, edit=True)
        if actor.role not in ("admin", "operator") and actor.organization_id != org.id:
            raise CoparkError(t("web.error.forbidden_org", id=org_id), t("web.error.forbidden.fix"))
        changed = {}
        if contact is not None and contact.strip() != (org.contact or ""):
            org.contact = contact.strip()
            changed["contact"] = True  # the value itself is personal information: not copied to the log
        if description is not None and description.strip() != (org.description or ""):
            org.description = description.strip()
            changed["description"] = True
        if changed:
            audit.record(session, actor, "organization.update", "organization", org.id, **changed)


def has_demo_data(*, workspace: Workspace) -> bool:
    """Whether the database holds the bundled illustrative data (pages then say 示意性数据)."""
    from sqlalchemy import select

    from copark.core.vocab import DEMO_SOURCE
    from copark.storage.tables import Organization

    with workspace.transaction() as session:
        return session.scalar(select(Organization.id).where(Organization.source == DEMO_SOURCE).limit(1)) is not None
