"""产品展厅 (showcase): the park enterprises' products, public, with photos uploaded to their offer items."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from copark.core.errors import CoparkError
from copark.core.vocab import DEMO_SOURCE, Origin
from copark.knowledge.industries import builtin_industries
from copark.locale import t
from copark.parsing.regions import RegionTable
from copark.services.access import Actor, NotFound, check_org
from copark.services.brief import in_codes, park_side
from copark.services.items import LISTED
from copark.storage.tables import Item, OfferPhoto, Organization, Park

#: A product photo's largest size: a phone photo saved for the web is well under it, a raw camera file is not.
PHOTO_MAX_BYTES = 5 << 20
#: The image types a photo may be, told by the file's first bytes (its name and declared type are not trusted).
PHOTO_TYPES = (
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)
SHOWCASE_KIND = "product"


@dataclass
class ShowcaseProduct:
    """One product as the public sees it: no contact, no figures beyond what the enterprise listed."""

    item_id: int
    text: str
    organization_id: int
    organization: str
    region: str
    industry_code: str
    industry: str
    capacity: str
    certifications: str
    note: str
    photo_id: int | None
    illustrative: bool


def showcase_park(session: Session, park: str | int | None) -> Park:
    """The park named or numbered, else the only one (NotFound/CoparkError otherwise)."""
    if park is None or str(park).strip() == "":
        parks = list(session.scalars(select(Park).order_by(Park.id).limit(2)))
        if len(parks) != 1:
            raise CoparkError(t("showcase.park_needed"), t("showcase.park_needed.fix"))
        return parks[0]
    found = (session.get(Park, int(park)) if str(park).isdigit()
             else session.scalar(select(Park).where(Park.name == str(park).strip())))
    if found is None:
        raise NotFound(t("showcase.park_not_found", park=str(park)[:60]), t("showcase.park_needed.fix"))
    return found


def _showcased(session: Session, park: Park) -> tuple[dict[int, Organization], list[Item]]:
    orgs = {o.id: o for o in session.scalars(select(Organization).where(Organization.kind == "enterprise"))
            if park_side(o, park)}
    items = session.scalars(select(Item).where(
        Item.organization_id.in_(sorted(orgs) or [-1]), Item.direction == "offer", Item.kind == SHOWCASE_KIND,
        Item.origin == Origin.declared.value, LISTED).order_by(Item.organization_id, Item.id)).all()
    return orgs, list(items)


def _product(item: Item, org: Organization, regions: RegionTable, photo: int | None) -> ShowcaseProduct:
    table = builtin_industries()
    code = (org.industry_code or "").lstrip("ABCDEFGHIJKLMNOPQRST") or (org.industry_code or "")
    capacity = f"{item.quantity:g}{item.unit or ''}" if item.quantity is not None else ""
    region = regions.by_code[org.region_code].name if org.region_code in regions.by_code else ""
    return ShowcaseProduct(item.id, item.text, org.id, org.name, region, code, table.name(code) if code else "", capacity,
                           item.certifications or "", item.note or "", photo,
                           org.source == DEMO_SOURCE or item.source == DEMO_SOURCE)


def products(*, session: Session, park: Park, regions: RegionTable, industry: str | None = None
             ) -> list[ShowcaseProduct]:
    """The park enterprises' listed, declared product offers (of one industry: a GB/T code prefix or section)."""
    orgs, items = _showcased(session, park)
    codes = None
    if industry and industry.strip():
        from copark.io.industries import resolve_industry
        from copark.knowledge.industries import load_industries

        codes = (resolve_industry(load_industries(session), industry.strip()),)
    photos = dict(session.execute(select(OfferPhoto.item_id, OfferPhoto.id).where(
        OfferPhoto.item_id.in_([i.id for i in items] or [-1]))).all())
    return [_product(i, orgs[i.organization_id], regions, photos.get(i.id)) for i in items
            if codes is None or in_codes(orgs[i.organization_id].industry_code, codes)]


def product(*, session: Session, park: Park, regions: RegionTable, item_id: int) -> ShowcaseProduct:
    """One showcased product (NotFound for anything not on the showcase: a need, a withdrawn item, another park's)."""
    item = session.get(Item, item_id)
    org = session.get(Organization, item.organization_id) if item else None
    if (item is None or org is None or org.kind != "enterprise" or not park_side(org, park)
            or item.direction != "offer" or item.kind != SHOWCASE_KIND or item.origin != Origin.declared
            or item.withdrawn_at is not None):
        raise NotFound(t("showcase.not_found", id=item_id), t("showcase.not_found.fix"))
    photo = session.scalar(select(OfferPhoto.id).where(OfferPhoto.item_id == item.id))
    return _product(item, org, regions, photo)


def photo_type(data: bytes) -> tuple[str, str]:
    """(content type, suffix) of an image by its first bytes; CoparkError for anything else or too large."""
    if not data:
        raise CoparkError(t("showcase.photo_missing"), t("showcase.photo_type.fix"))
    if len(data) > PHOTO_MAX_BYTES:
        raise CoparkError(t("showcase.photo_too_big", mb=PHOTO_MAX_BYTES >> 20), t("showcase.photo_too_big.fix"))
    for magic, content_type, suffix in PHOTO_TYPES:
        if data.startswith(magic):
            return content_type, suffix
    raise CoparkError(t("showcase.photo_type"), t("showcase.photo_type.fix"))


def set_photo(*, session: Session, actor: Actor, item_id: int, data: bytes) -> tuple[OfferPhoto, str | None]:
    """Record a new photo of a product offer the actor may edit; returns the row (whose `filename` the caller
    writes `data` to) and the replaced photo's file name, to delete once the transaction is committed."""
    item = session.get(Item, item_id)
    if item is None:
        raise NotFound(t("item.not_found", id=item_id), t("item.not_found.fix"))
    check_org(session, actor, item.organization_id, edit=True)
    if item.direction != "offer" or item.kind != SHOWCASE_KIND or item.withdrawn_at is not None:
        raise CoparkError(t("showcase.photo_not_product", id=item_id), t("showcase.photo_not_product.fix"))
    content_type, suffix = photo_type(data)
    row = session.scalar(select(OfferPhoto).where(OfferPhoto.item_id == item.id))
    old = row.filename if row else None
    if row is None:
        row = OfferPhoto(item_id=item.id)
        session.add(row)
    row.filename = secrets.token_hex(16) + suffix
    row.content_type, row.size, row.username = content_type, len(data), actor.username
    row.uploaded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    session.flush()
    return row, old


def public_photo(*, session: Session, photo_id: int) -> OfferPhoto:
    """A photo the public may load: its item is still a listed product offer (NotFound otherwise)."""
    row = session.get(OfferPhoto, photo_id)
    item = session.get(Item, row.item_id) if row else None
    if row is None or item is None or item.withdrawn_at is not None or item.direction != "offer":
        raise NotFound(t("showcase.photo_not_found", id=photo_id), t("showcase.not_found.fix"))
    return row
