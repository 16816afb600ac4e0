"""The two sides of an opportunity or docking record, named or anonymised for the actor."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from copark.locale import t
from copark.parsing.regions import RegionTable
from copark.services.access import Actor, mask_contact, sees_contacts, size_band
from copark.storage.tables import Organization

if TYPE_CHECKING:  # services.opportunities loads the matching engine
    from copark.services.opportunities import Side


@dataclass
class Party:
    """One side: named, or (for an organization user before both sides expressed interest) described only by
    industry, region, size band and product, so the counterpart cannot be identified."""

    org_id: int | None
    name: str
    region: str
    industry: str
    size_band: str
    contact: str
    anonymous: bool


@lru_cache(maxsize=4096)  # a page of 200 opportunities names 400 sides, from a few dozen industries
def _industry_name(code: str | None) -> str:
    from copark.knowledge.industries import builtin_industries

    if not code:
        return t("web.unknown_industry")
    table = builtin_industries()
    division = table.at_level(code, 2)
    return division.name if division else (table.name(code) or code)


def party(session, actor: Actor, org: Organization | Side | None, regions: RegionTable, *,  # noqa: ANN001
          reveal: bool, contacts: bool | None = None) -> Party:
    """How `actor` sees `org` as a side: its own organization and revealed counterparts are named. `contacts`:
    whether the actor sees its contacts (access.sees_contacts, asked when None)."""
    if org is None:
        return Party(None, "", "", "", "", "", True)
    region = regions.full_name(org.region_code) if org.region_code in regions.by_code else (org.region_code or "")
    industry = _industry_name(org.industry_code)
    own = actor.organization_id == org.id
    if actor.is_org_user and not own and not reveal:
        return Party(None, t("web.anon", industry=industry, region=region, size=size_band(org.employees)),
                     region, industry, size_band(org.employees), "", True)
    contact = org.contact or ""
    if contacts is None:
        contacts = sees_contacts(session, actor, org.id)
    if not (contacts or (actor.is_org_user and reveal)):
        contact = mask_contact(contact)
    return Party(org.id, org.name, region, industry, size_band(org.employees), contact, False)
