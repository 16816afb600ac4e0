"""推介与外贸 (briefs and trade): industry briefs, the public product showcase, buyer inquiries and export orders."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from copark.locale import t
from copark.services.access import Actor, Forbidden
from copark.workspace import Workspace


def _require_park_reader(actor: Actor) -> None:
    if actor.is_org_user:
        raise Forbidden(t("brief.staff_only"), t("web.error.forbidden.fix"))


def brief(*, workspace: Workspace, actor: Actor | None = None, industry: str | None = None,
          chain: str | None = None, park: str | None = None, top: int = 10):  # noqa: ANN201 - services.brief.Brief
    """The 分行业推介 of one industry (GB/T 4754 code or name, any level) or one chain of the park (staff and
    viewers: it lists every park enterprise's offers and needs)."""
    from copark.services import brief as svc
    from copark.services.projects import resolve_park

    actor = actor or Actor.local()
    _require_park_reader(actor)
    with workspace.transaction() as session:
        target = resolve_park(session, actor, park)
        return svc.build_brief(session=session, park=target, regions=workspace.regions, industry=industry,
                               chain=chain, top=top)


def write_brief(*, workspace: Workspace, actor: Actor | None = None, path: Path, industry: str | None = None,
                chain: str | None = None, park: str | None = None, top: int = 10):  # noqa: ANN201 - Brief
    """The brief written to `path` as .pdf or .xlsx by its extension (checked before anything is computed)."""
    from copark.io.brief import check_suffix
    from copark.io.brief import write_brief as write

    check_suffix(Path(path))
    found = brief(workspace=workspace, actor=actor, industry=industry, chain=chain, park=park, top=top)
    write(found, Path(path))
    return found


def park_chains(*, workspace: Workspace, actor: Actor | None = None, park: str | None = None) -> list[str]:
    """The park's chains (园区定位 entries as written), for choosing a brief."""
    from copark.services.projects import resolve_park

    actor = actor or Actor.local()
    _require_park_reader(actor)
    with workspace.transaction() as session:
        return [str(e) for e in (resolve_park(session, actor, park).positioning or []) if str(e).strip()]



# --- the public showcase and its photos ---------------------------------------------------------------------------

PHOTOS = "photos"


def showcase(*, workspace: Workspace, park: str | None = None, industry: str | None = None):  # noqa: ANN201
    """(park name, its products) for the public showcase (no actor: it shows only what the public may see)."""
    from copark.services import showcase as svc

    with workspace.transaction() as session:
        target = svc.showcase_park(session, park)
        return target.name, svc.products(session=session, park=target, regions=workspace.regions,
                                         industry=industry)


def showcase_product(*, workspace: Workspace, item_id: int, park: str | None = None):  # noqa: ANN201
    """One product of the showcase (NotFound when the item is not on it)."""
    from copark.services import showcase as svc

    with workspace.transaction() as session:
        return svc.product(session=session, park=svc.showcase_park(session, park), regions=workspace.regions,
                           item_id=item_id)


def set_photo(*, workspace: Workspace, actor: Actor | None = None, item_id: int, data: bytes) -> int:
    """Store `data` (JPEG or PNG, at most showcase.PHOTO_MAX_BYTES) as the photo of a product offer the actor may
    edit, replacing any earlier one; returns the photo's id. The file is written before the row is committed and
    removed again if the transaction fails, so no row points at a missing file."""
    from copark.services import showcase as svc

    actor = actor or Actor.local()
    folder = workspace.files_dir / PHOTOS
    written: Path | None = None
    try:
        with workspace.transaction() as session:
            row, old = svc.set_photo(session=session, actor=actor, item_id=item_id, data=data)
            folder.mkdir(parents=True, exist_ok=True)
            written = folder / row.filename
            temp = written.with_suffix(".part")
            temp.write_bytes(data)
            temp.replace(written)
            photo_id = row.id
    except BaseException:
        if written is not None:
            written.unlink(missing_ok=True)
        raise
    if old:
        (folder / old).unlink(missing_ok=True)
    return photo_id


def photo_file(*, workspace: Workspace, photo_id: int) -> tuple[Path, str]:
    """(file, content type) of a photo the public may load (NotFound otherwise, a missing file included)."""
    from copark.services import showcase as svc
    from copark.services.access import NotFound

    with workspace.transaction() as session:
        row = svc.public_photo(session=session, photo_id=photo_id)
        path, content_type = workspace.files_dir / PHOTOS / row.filename, row.content_type
    if not path.is_file():
        raise NotFound(t("showcase.photo_not_found", id=photo_id), t("showcase.not_found.fix"))
    return path, content_type


# --- inquiries and export orders ------------------------------------------------------------------------------------

@dataclass
class InquiryPublic:
    id: int
    created_at: dt.datetime
    item_id: int | None
    product: str
    organization: str
    buyer_name: str
    company: str
    contact: str
    contact_masked: bool
    country: str
    quantity: str
    message: str
    status: str
    status_label: str
    can_update: bool


@dataclass
class OrderPublic:
    id: int
    enterprise: str
    product: str
    country: str
    amount: float
    ordered_on: dt.date
    inquiry_id: int | None


def submit_inquiry(*, workspace: Workspace, item_id: int, data, sender: str,  # noqa: ANN001 - InquiryInput
                   park: str | None = None) -> int:
    """A buyer's inquiry about a showcased product (public: no actor); `sender` is an opaque digest of where it
    came from, for the rate limit. Returns the inquiry's id; ValidationFailed lists every bad field."""
    from copark.services import inquiries, showcase

    with workspace.transaction() as session:
        target = showcase.showcase_park(session, park)
        found = showcase.product(session=session, park=target, regions=workspace.regions, item_id=item_id)
        return inquiries.submit(session=session, park=target, item_id=found.item_id, product=found.text,
                                organization_id=found.organization_id, data=data, sender=sender).id


def list_inquiries(*, workspace: Workspace, actor: Actor | None = None) -> list[InquiryPublic]:
    """The inquiries the actor may see, newest first, the buyer's contact masked unless the actor answers it."""
    from copark.services import inquiries
    from copark.services.access import mask_contact
    from copark.storage.tables import Organization

    actor = actor or Actor.local()
    with workspace.transaction() as session:
        out = []
        for row in inquiries.visible(session, actor):
            org = session.get(Organization, row.organization_id) if row.organization_id else None
            sees = inquiries.sees_buyer(session, actor, row)
            out.append(InquiryPublic(
                row.id, row.created_at, row.item_id, row.product, org.name if org else "", row.buyer_name,
                row.company, row.contact if sees else mask_contact(row.contact), not sees, row.country, row.quantity,
                row.message, row.status, t(f"inquiry.status.{row.status}"), sees))
        return out


def set_inquiry_status(*, workspace: Workspace, actor: Actor | None = None, inquiry_id: int, status: str) -> None:
    from copark.services import inquiries

    actor = actor or Actor.local()
    with workspace.transaction() as session:
        inquiries.set_status(session=session, actor=actor, inquiry_id=inquiry_id, status=status)


def add_export_order(*, workspace: Workspace, actor: Actor | None = None, park: str | None = None,
                     data) -> int:  # noqa: ANN001 - services.inquiries.OrderInput
    """Record an export order (park staff); returns its id. Its country counts in the KPI 出口国家和地区."""
    from copark.services import inquiries
    from copark.services.projects import resolve_park

    actor = actor or Actor.local()
    with workspace.transaction() as session:
        return inquiries.add_order(session=session, actor=actor, park=resolve_park(session, actor, park),
                                   data=data).id


def list_export_orders(*, workspace: Workspace, actor: Actor | None = None, park: str | None = None
                       ) -> list[OrderPublic]:
    from copark.services import inquiries
    from copark.services.projects import resolve_park

    actor = actor or Actor.local()
    with workspace.transaction() as session:
        rows = inquiries.orders(session=session, actor=actor, park=resolve_park(session, actor, park))
        return [OrderPublic(r.id, r.enterprise, r.product, r.country, r.amount, r.ordered_on, r.inquiry_id)
                for r in rows]
