"""Finding organizations the way users name them: id, full name or a unique part of the name."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from copark.core.errors import CoparkError
from copark.locale import t
from copark.parsing.credit_code import normalize_credit_code
from copark.parsing.names import normalize_name, simplify
from copark.parsing.regions import builtin_regions
from copark.services.search import like_anywhere
from copark.storage.tables import Organization


def find_organization(*, session: Session, ref: str) -> Organization:
    """The one organization `ref` names (#id or id, full name as stored, credit code, the name in traditional or
    simplified characters, short name, or a unique part of its name)."""
    typed = ref.strip()
    # the name exactly as stored first (全角括号, 繁体 …), then as simplified
    for name in dict.fromkeys((typed, simplify(ref).strip())):
        exact = session.scalars(
            select(Organization).where(or_(Organization.name == name, Organization.short_name == name))
        ).all()
        if len(exact) == 1:
            return exact[0]
    ref = simplify(ref).strip()
    if not ref:
        raise CoparkError(t("org.empty_ref"), t("org.empty_ref.fix"))
    code = normalize_credit_code(ref)
    if len(code) == 18:
        found = session.scalars(select(Organization).where(Organization.credit_code == code)).first()
        if found is not None:
            return found
    # 繁体 or simplified, brackets or none: the key the importer matched it by, when only one has it
    by_norm = session.scalars(select(Organization).where(
        Organization.norm_name == normalize_name(ref, builtin_regions().words())).limit(2)).all()
    if len(by_norm) == 1 and len(ref) >= 4:
        return by_norm[0]
    number = ref[1:] if ref.startswith("#") else ref
    if number.isdigit():
        found = session.get(Organization, int(number))
        if found is not None:
            return found
    # Case-insensitive on both backends (ILIKE on PostgreSQL); % and _ typed are literal.
    like = like_anywhere(ref)
    if ref != typed:
        like_typed = like_anywhere(typed)
        partial = session.scalars(select(Organization).where(or_(
            Organization.name.ilike(like_typed, escape="!"), Organization.short_name.ilike(like_typed, escape="!"))
        ).limit(2)).all()
        if len(partial) == 1:
            return partial[0]
    partial = session.scalars(
        select(Organization)
        .where(or_(Organization.name.ilike(like, escape="!"), Organization.short_name.ilike(like, escape="!")))
        .order_by(Organization.name)
        .limit(21)
    ).all()
    if len(partial) == 1:
        return partial[0]
    if not partial:
        empty = session.scalar(select(Organization.id).limit(1)) is None
        hint = t("org.none_yet.fix") if empty else t("org.not_found.fix")
        raise CoparkError(t("org.not_found", ref=ref), hint)
    names = "、".join(f"{o.name}(#{o.id})" for o in partial[:20])
    more = "…" if len(partial) > 20 else ""
    raise CoparkError(t("org.ambiguous", ref=ref, names=names + more), t("org.ambiguous.fix"))
