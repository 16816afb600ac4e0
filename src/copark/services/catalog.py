"""Listing organizations and showing one with its offers (资源) and needs (需求)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from copark.parsing.names import simplify
from copark.parsing.regions import RegionRecord
from copark.services.items import LISTED
from copark.services.organizations import find_organization
from copark.storage.tables import Item, Organization, Park


@dataclass(frozen=True)
class OrgSummary:
    id: int
    name: str
    kind: str
    region_code: str | None
    industry_code: str | None
    offers: int
    needs: int
    source: str = ""  # "demo" for the bundled illustrative dataset


@dataclass
class OrgDetail:
    organization: Organization
    park_name: str | None
    offers: list[Item]
    needs: list[Item]
    withdrawn: list[Item]  # no longer listed: history


def _region_prefix(region: RegionRecord) -> str:
    """Codes under a region share a prefix: province 43, city 4312, county 431224."""
    return region.code[: {0: 2, 1: 4}.get(region.level, 6)]


def list_organizations(
    *,
    session: Session,
    region: RegionRecord | None = None,
    kind: str | None = None,
    search: str | None = None,
    limit: int = 200,
) -> tuple[list[OrgSummary], int]:
    """Organizations matching every given filter (region includes sub-regions), and how many match in all."""
    query = select(Organization.id)
    if region is not None:
        query = query.where(Organization.region_code.like(_region_prefix(region) + "%"))
    if kind:
        query = query.where(Organization.kind == kind)
    ids: list[int] = list(session.scalars(query.order_by(Organization.id)))
    if search:
        # Case-insensitive on every backend (pcb finds PCB): ILIKE on PostgreSQL, lower() LIKE lower() on SQLite.
        word = simplify(search).strip()
        like = f"%{word}%"
        item_orgs = select(Item.organization_id).where(Item.text.ilike(like), LISTED)
        hits = set(session.scalars(select(Organization.id).where(or_(
            Organization.name.ilike(like), Organization.short_name.ilike(like),
            Organization.description.ilike(like), Organization.id.in_(item_orgs)))))
        # products is JSON (escaped non-ASCII on SQLite), so it is searched here rather than in SQL.
        folded = word.casefold()
        for org_id, products in session.execute(select(Organization.id, Organization.products)):
            if any(folded in str(p).casefold() for p in products or []):
                hits.add(org_id)
        ids = [i for i in ids if i in hits]
    total = len(ids)
    shown = ids[:limit]
    if not shown:
        return [], total
    counts: dict[tuple[int, str], int] = {
        (org_id, direction): n
        for org_id, direction, n in session.execute(
            select(Item.organization_id, Item.direction, func.count())
            .where(Item.organization_id.in_(shown), Item.origin == "declared", LISTED)
            .group_by(Item.organization_id, Item.direction)
        )
    }
    rows = session.execute(
        select(Organization.id, Organization.name, Organization.kind, Organization.region_code,
               Organization.industry_code, Organization.source).where(Organization.id.in_(shown))
        .order_by(Organization.id)
    )
    return [
        OrgSummary(i, name, k, region_code, industry, counts.get((i, "offer"), 0), counts.get((i, "need"), 0),
                   source or "")
        for i, name, k, region_code, industry, source in rows
    ], total


def organization_detail(*, session: Session, ref: str) -> OrgDetail:
    """One organization (by id, name or unique part of it) with its offers and needs, declared first."""
    org = find_organization(session=session, ref=ref)
    park_name = session.scalar(select(Park.name).where(Park.id == org.park_id)) if org.park_id else None
    items = sorted(org.items, key=lambda i: (i.origin != "declared", i.id))
    listed = [i for i in items if i.withdrawn_at is None]
    return OrgDetail(org, park_name, [i for i in listed if i.direction == "offer"],
                     [i for i in listed if i.direction == "need"], [i for i in items if i.withdrawn_at is not None])


def industry_codes(*, session: Session) -> dict[int, str]:
    """Organization id → its GB/T 4754 code ("" when not filled in)."""
    return {org_id: code or "" for org_id, code in session.execute(select(Organization.id, Organization.industry_code))}
