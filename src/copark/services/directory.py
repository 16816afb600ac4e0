"""The 企业 directory: search by name, product, industry, region and pinyin initials, within what one may see."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from copark.parsing.regions import RegionRecord
from copark.services.catalog import OrgSummary, list_organizations
from copark.storage.tables import Industry, Organization

_ALL = 10**9


@lru_cache(maxsize=200_000)
def initials(name: str) -> str:
    """Pinyin initials of a name, lower case (可孚医疗 → kfyl); letters and digits kept as they are."""
    from pypinyin import Style, lazy_pinyin

    return "".join(p[:1] for p in lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default")).lower()


def _industry_codes(session: Session, industry: str) -> tuple[str, ...]:
    """Code prefixes an industry filter means: a GB/T code as typed, or every code whose name contains the word."""
    word = industry.strip()
    code = word.lstrip("ABCDEFGHIJKLMNOPQRST") if word[:1].isalpha() and word[1:].isdigit() else word
    if code.isdigit():
        return (code,)
    names = session.execute(select(Industry.code).where(Industry.name.contains(word))).scalars().all()
    return tuple(c.lstrip("ABCDEFGHIJKLMNOPQRST") for c in names if c) or ("\0",)


def search(*, session: Session, visible: set[int] | None, text: str | None = None, region: RegionRecord | None = None,
           industry: str | None = None, kind: str | None = None, limit: int = 200) -> tuple[list[OrgSummary], int]:
    """Organizations the filters select (text: name, product, description, items or pinyin initials), first `limit`
    of them and how many in all; `visible` (None: all) bounds the result."""
    rows, _ = list_organizations(session=session, region=region, kind=kind, limit=_ALL)
    if text and text.strip():
        found, _ = list_organizations(session=session, region=region, kind=kind, search=text, limit=_ALL)
        hits = {r.id for r in found}
        folded = text.strip().lower()
        if folded.isascii() and folded.isalpha():
            names = dict(session.execute(select(Organization.id, Organization.name)).tuples().all())
            hits |= {r.id for r in rows if folded in initials(names.get(r.id, ""))}
        rows = [r for r in rows if r.id in hits]
    if industry and industry.strip():
        prefixes = _industry_codes(session, industry)
        rows = [r for r in rows if (r.industry_code or "").lstrip("ABCDEFGHIJKLMNOPQRST").startswith(prefixes)]
    if visible is not None:
        rows = [r for r in rows if r.id in visible]
    return rows[:limit], len(rows)
