"""分行业推介 (industry brief): one park's offers, needs and best opportunities in one industry or chain, assembled
for the partner region's enterprises. Rendering (.xlsx, .pdf, the print page) is io.brief's job."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from copark.core.errors import CoparkError
from copark.core.vocab import DEMO_SOURCE, ItemKind, Origin
from copark.knowledge.industries import IndustryTable, load_industries
from copark.knowledge.positioning import positioning_codes
from copark.locale import label, t
from copark.matching.features import clean_industry, section_of
from copark.parsing.regions import RegionTable, within_region
from copark.services.items import LISTED
from copark.storage.tables import Item, Opportunity, Organization, Park

#: Opportunities a brief lists by default: a page of the PDF; the partner's enterprises read the best ones first.
TOP_OPPORTUNITIES = 10


@dataclass
class BriefItem:
    """One offer or need of a park enterprise."""

    organization: str
    region: str
    industry: str
    kind: str
    text: str
    quantity: str
    note: str


@dataclass
class BriefOpportunity:
    """One stored opportunity between a park enterprise and a partner-region one, seen from the park's side."""

    rank: int
    score: float
    mode: str
    park_org: str
    park_role: str  # 供应 (the park enterprise offers) or 需求 (it needs)
    park_text: str
    partner_org: str
    partner_region: str
    partner_text: str
    why: str


@dataclass
class Brief:
    """What a brief says; `illustrative` when any of it comes from the bundled demo (示意性数据)."""

    park: str
    host_region: str
    partner_region: str
    kind: str  # industry | chain
    subject: str  # what was asked for: "3581 医疗仪器设备及器械制造" or the chain's name
    industries: list[str]  # "35 专用设备制造业", the codes the brief covers
    generated_on: dt.date
    enterprises: int = 0
    offers: list[BriefItem] = field(default_factory=list)
    needs: list[BriefItem] = field(default_factory=list)
    opportunities: list[BriefOpportunity] = field(default_factory=list)
    opportunities_total: int = 0
    projects_signed: int = 0
    projects_operating: int = 0
    countries: int = 0
    illustrative: bool = False

    @property
    def title(self) -> str:
        return t("brief.title", park=self.park, subject=self.subject)


def in_codes(org_code: str | None, codes: tuple[str, ...]) -> bool:
    """Whether an organization's GB/T 4754 code lies under any of `codes` (a section letter or a digit prefix)."""
    mine = clean_industry(org_code)
    if not mine:
        return False
    for code in codes:
        if len(code) == 1 and code.isalpha():
            if section_of(mine) == code:
                return True
        elif mine.startswith(code):
            return True
    return False


def park_side(org: Organization, park: Park) -> bool:
    """The park's own enterprises: registered in the park or located in its host region (not the partner's)."""
    if org.park_id == park.id:
        return True
    return bool(org.region_code and park.region_code and within_region(org.region_code, park.region_code))


def _partner_side(org: Organization, park: Park) -> bool:
    return bool(org.region_code and park.partner_region_code
                and within_region(org.region_code, park.partner_region_code))


def _region(regions: RegionTable, code: str | None) -> str:
    return regions.by_code[code].name if code and code in regions.by_code else (code or "")


def _industry_label(table: IndustryTable, code: str) -> str:
    name = table.name(code)
    return f"{code} {name}" if name else code


def resolve_subject(session: Session, park: Park, *, industry: str | None, chain: str | None
                    ) -> tuple[str, str, tuple[str, ...]]:
    """(kind, subject, codes) for an industry code/name of any level or one of the park's chains (园区定位)."""
    from copark.io.industries import resolve_industry

    table = load_industries(session)
    if bool(industry and industry.strip()) == bool(chain and chain.strip()):
        raise CoparkError(t("brief.subject_needed"), t("brief.subject_needed.fix"))
    if industry and industry.strip():
        code = resolve_industry(table, industry.strip())
        return "industry", _industry_label(table, code), (code,)
    name = (chain or "").strip()
    entries = [str(e).strip() for e in (park.positioning or []) if str(e).strip()]
    own = {e: positioning_codes(e, table) or () for e in entries}
    codes = own.get(name) or positioning_codes(name, table) or ()
    park_codes = tuple(c for found in own.values() for c in found)
    if not codes or not any(in_codes(c, park_codes) or in_codes(p, codes) for c in codes for p in park_codes):
        choices = "、".join(f"{e}（{table.name(e)}）" if table.name(e) else e for e in entries) or t("brief.no_chains")
        raise CoparkError(t("brief.unknown_chain", name=name[:40], park=park.name),
                          t("brief.unknown_chain.fix", choices=choices), where="--chain")
    return "chain", name, tuple(codes)


def _item(org: Organization, regions: RegionTable, table: IndustryTable, *, kind: str, text: str,
          quantity: str = "", note: str = "") -> BriefItem:
    code = clean_industry(org.industry_code)
    return BriefItem(org.name, _region(regions, org.region_code), _industry_label(table, code) if code else "", kind, text, quantity, note)


def _quantity(item: Item) -> str:
    if item.quantity is None:
        return item.annual_value_text or ""
    amount = f"{item.quantity:g}{item.unit or ''}"
    return f"{amount}；{item.annual_value_text}" if item.annual_value_text else amount


def _opportunities(session: Session, park: Park, regions: RegionTable, ours: dict[int, Organization],
                   orgs: dict[int, Organization], dismissed: set) -> list[BriefOpportunity]:
    """Stored opportunities between a park enterprise of the brief and a partner-region one, best first (those
    marked not relevant left out). Read directly rather than through services.opportunities, which would load the
    whole matching stack (seconds) to show rows already computed."""
    from copark.matching.explain import render_why
    from copark.matching.modes import mode_label

    ids = sorted(ours) or [-1]
    rows = session.scalars(select(Opportunity).where(
        (Opportunity.need_org_id.in_(ids)) | (Opportunity.offer_org_id.in_(ids)))
        .order_by(Opportunity.score.desc(), Opportunity.id)).all()
    wanted = {i for r in rows for i in (r.need_item_id, r.offer_item_id) if i}
    texts = dict(session.execute(select(Item.id, Item.text).where(Item.id.in_(sorted(wanted) or [-1]))).all())
    found: list[BriefOpportunity] = []
    for row in rows:
        if (row.need_item_id, row.offer_item_id, row.offer_org_id) in dismissed:
            continue
        need_org, offer_org = orgs.get(row.need_org_id), orgs.get(row.offer_org_id)
        if need_org is None or offer_org is None:
            continue
        need_text = texts.get(row.need_item_id, "")
        offer_text = texts.get(row.offer_item_id) or t("match.offer_from_products")
        common = (round(row.score, 1), mode_label(row.mode))
        why = render_why(row.explanation or {})
        if row.offer_org_id in ours and _partner_side(need_org, park):
            found.append(BriefOpportunity(0, *common, offer_org.name, t("brief.role.offer"), offer_text,
                                          need_org.name, _region(regions, need_org.region_code), need_text, why))
        elif row.need_org_id in ours and _partner_side(offer_org, park):
            found.append(BriefOpportunity(0, *common, need_org.name, t("brief.role.need"), need_text,
                                          offer_org.name, _region(regions, offer_org.region_code), offer_text, why))
    return found


def build_brief(*, session: Session, park: Park, regions: RegionTable, industry: str | None = None,
                chain: str | None = None, top: int = TOP_OPPORTUNITIES, today: dt.date | None = None) -> Brief:
    """The brief of `park` for one industry (GB/T 4754 code or name, any level) or one of its chains."""
    from copark.services import docking, kpi

    if top < 1:
        raise CoparkError(t("option.not_positive", option="--top", value=top),
                          t("option.not_positive.fix", option="--top", example=TOP_OPPORTUNITIES))
    kind, subject, codes = resolve_subject(session, park, industry=industry, chain=chain)
    table = load_industries(session)
    brief = Brief(park=park.name, host_region=_region(regions, park.region_code),
                  partner_region=_region(regions, park.partner_region_code),
                  kind=kind, subject=subject, industries=[_industry_label(table, c) for c in codes],
                  generated_on=today or dt.date.today())
    orgs = {o.id: o for o in session.scalars(select(Organization).order_by(Organization.name, Organization.id))}
    ours = {i: o for i, o in orgs.items() if park_side(o, park) and in_codes(o.industry_code, codes)}
    brief.enterprises = len(ours)
    items = session.scalars(select(Item).where(Item.organization_id.in_(sorted(ours) or [-1]), LISTED)
                            .order_by(Item.organization_id, Item.id)).all()
    by_org: dict[int, list[Item]] = {}
    for item in items:
        if item.origin == Origin.inferred and item.status != "accepted":
            continue  # proposed or dismissed inferences are copark's guesses, not the enterprise's word
        by_org.setdefault(item.organization_id, []).append(item)
    product = label(ItemKind.product)
    for org_id, org in ours.items():
        mine = by_org.get(org_id, [])
        for item in mine:
            entry = _item(org, regions, table, kind=label(ItemKind(item.kind)), text=item.text,
                          quantity=_quantity(item), note=item.certifications or item.note or "")
            (brief.offers if item.direction == "offer" else brief.needs).append(entry)
        listed = {i.text.strip() for i in mine if i.direction == "offer"}
        for main in (str(p).strip() for p in (org.products or [])):
            if main and main not in listed:  # 主营产品 are offers too (as in matching)
                brief.offers.append(_item(org, regions, table, kind=product, text=main, note=t("brief.main_product")))
    found = _opportunities(session, park, regions, ours, orgs, docking.dismissed_pairs(session))
    brief.opportunities_total = len(found)
    brief.opportunities = found[:top]
    for rank, opportunity in enumerate(brief.opportunities, start=1):
        opportunity.rank = rank
    figures = kpi.headline(session=session, park=park)
    brief.projects_signed, brief.projects_operating = figures.projects_signed, figures.projects_operating
    brief.countries = figures.countries
    brief.illustrative = park.source == DEMO_SOURCE or any(o.source == DEMO_SOURCE for o in ours.values())
    return brief
