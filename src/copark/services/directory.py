"""The 企业 directory: search by name, product, industry, region and pinyin initials, within what one may see.

Every filter runs in SQL, and a page is one keyset query (`after`: the last id of the page before) plus a count,
so the directory stays fast at 100k organizations and 1M items (bench/web).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, false, func, or_, select, true
from sqlalchemy.orm import Session

from copark.parsing.regions import RegionRecord
from copark.services.access import OrgScope
from copark.services.catalog import OrgSummary, _region_prefix
from copark.services.items import LISTED
from copark.services.search import COUNT_CAP, first_ids, matches
from copark.storage.tables import Industry, Item, Organization

__all__ = ["Found", "search"]

_LETTERS = "ABCDEFGHIJKLMNOPQRST"


def _industry_codes(session: Session, industry: str) -> tuple[str, ...]:
    """Code prefixes an industry filter means: a GB/T code as typed, or every code whose name contains the word."""
    word = industry.strip()
    code = word.lstrip(_LETTERS) if word[:1].isalpha() and word[1:].isdigit() else word
    if code.isdigit():
        return (code,)
    names = session.execute(select(Industry.code).where(Industry.name.contains(word))).scalars().all()
    return tuple(c.lstrip(_LETTERS) for c in names if c) or ("\0",)


@dataclass
class Found:
    """One page of the directory and how many organizations match in all (a filtered list or a search counts up to
    search.COUNT_CAP: `capped` when there are more; the whole directory is counted exactly)."""

    rows: list[OrgSummary]
    total: int
    capped: bool = False


def search(*, session: Session, scope: OrgScope | None = None, text: str | None = None,
           region: RegionRecord | None = None, industry: str | None = None, kind: str | None = None,
           limit: int = 200, after: int | None = None) -> Found:
    """Organizations the filters select (text: services.search.matches), the first `limit` of them by id (after
    id `after`, for the next page) and how many match; `scope` (access.org_scope, None: all) bounds the result."""
    where: list[ColumnElement[bool]] = []
    if region is not None:
        where.append(Organization.region_code.like(_region_prefix(region) + "%"))
    if kind:
        where.append(Organization.kind == kind)
    if industry and industry.strip():
        prefixes = _industry_codes(session, industry)
        code = func.ltrim(func.coalesce(Organization.industry_code, ""), _LETTERS)
        where.append(false() if prefixes == ("\0",) else or_(*(code.like(p + "%") for p in prefixes)))
    if scope is not None:
        where.append(scope(Organization))
    condition = and_(true(), *where)
    columns = (Organization.id, Organization.name, Organization.kind, Organization.region_code,
               Organization.industry_code, Organization.source)
    if text and text.strip():
        # A search counts up to COUNT_CAP: the first COUNT_CAP + 1 matches give the count and the first page.
        match = matches(session, text)
        first = first_ids(session, match, condition, max(COUNT_CAP, limit) + 1)
        total, capped = min(len(first), COUNT_CAP), len(first) > COUNT_CAP
        shown = first[:limit] if after is None else first_ids(session, match, condition, limit, after)
        page = select(*columns).where(Organization.id.in_(shown))
    else:
        if where:  # a filtered list counts up to COUNT_CAP too: an exact count would read every match
            matched = select(Organization.id).where(condition).limit(COUNT_CAP + 1).subquery()
            n = session.scalar(select(func.count()).select_from(matched)) or 0
            total, capped = min(n, COUNT_CAP), n > COUNT_CAP
        else:
            total, capped = session.scalar(select(func.count()).select_from(Organization)) or 0, False
        page = select(*columns).where(condition)
        if after is not None:
            page = page.where(Organization.id > after)
    rows = session.execute(page.order_by(Organization.id).limit(limit)).all()
    if not rows:
        return Found([], total, capped)
    shown = [r[0] for r in rows]
    counts: dict[tuple[int, str], int] = {
        (org_id, direction): n
        for org_id, direction, n in session.execute(
            select(Item.organization_id, Item.direction, func.count())
            .where(Item.organization_id.in_(shown), Item.origin == "declared", LISTED)
            .group_by(Item.organization_id, Item.direction))
    }
    return Found([OrgSummary(i, name, k, region_code, code, counts.get((i, "offer"), 0),
                             counts.get((i, "need"), 0), source or "")
                  for i, name, k, region_code, code, source in rows], total, capped)
