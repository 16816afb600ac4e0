"""Showing one organization with its offers (资源) and needs (需求); the directory lists them (services.directory)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from copark.parsing.regions import RegionRecord
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
