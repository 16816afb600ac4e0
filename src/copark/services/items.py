"""清单条目 (items) over their life: listed, withdrawn (kept as history, out of matching), deleted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session, joinedload

from copark.core.errors import CoparkError
from copark.core.vocab import Origin
from copark.locale import t
from copark.storage.tables import Item, Opportunity

#: The items an organization lists today: the only ones matching, counts and exports see.
LISTED = Item.withdrawn_at.is_(None)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def withdraw(*, session: Session, item_ids: Collection[int], when: dt.datetime | None = None) -> int:
    """Mark listed items withdrawn and drop the opportunities they were part of; returns how many were withdrawn."""
    ids = sorted(set(item_ids))
    done = 0
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        done += session.execute(update(Item).where(Item.id.in_(chunk), LISTED)
                                .values(withdrawn_at=when or now())).rowcount or 0
        session.execute(delete(Opportunity).where(or_(Opportunity.need_item_id.in_(chunk),
                                                      Opportunity.offer_item_id.in_(chunk))))
    return done


def unlisted(*, session: Session, org_ids: Collection[int], listed_ids: Collection[int]) -> list[int]:
    """Declared items of these organizations that are listed in the database but not in `listed_ids`."""
    keep = set(listed_ids)
    found: list[int] = []
    ids = sorted(set(org_ids))
    for start in range(0, len(ids), 900):
        query = select(Item.id).where(Item.organization_id.in_(ids[start:start + 900]), LISTED,
                                      Item.origin == Origin.declared.value)
        found += [i for i in session.scalars(query) if i not in keep]
    return sorted(found)


def get_item(*, session: Session, item_id: int) -> Item:
    item = session.get(Item, item_id, options=[joinedload(Item.organization)])  # named after a delete too
    if item is None:
        raise CoparkError(t("item.not_found", id=item_id), t("item.not_found.fix"))
    return item


def withdraw_item(*, session: Session, item_id: int) -> Item:
    """Withdraw one declared item (inferred ones are dismissed with `copark infer --dismiss` instead)."""
    item = get_item(session=session, item_id=item_id)
    if item.origin == Origin.inferred:
        raise CoparkError(t("item.inferred", id=item_id, text=item.text), t("item.inferred.fix", id=item_id))
    if item.withdrawn_at is not None:
        raise CoparkError(t("item.already_withdrawn", id=item_id, text=item.text), t("item.already_withdrawn.fix", id=item_id))
    withdraw(session=session, item_ids=[item.id])
    session.refresh(item)
    return item


def restore_item(*, session: Session, item_id: int) -> Item:
    """List a withdrawn item again (its opportunities come back with the next `copark match`)."""
    item = get_item(session=session, item_id=item_id)
    if item.withdrawn_at is None:
        raise CoparkError(t("item.not_withdrawn", id=item_id, text=item.text), t("item.not_withdrawn.fix"))
    item.withdrawn_at = None
    session.flush()
    return item


def delete_item(*, session: Session, item_id: int) -> Item:
    """Delete one item and its opportunities for good (no history is kept)."""
    item = get_item(session=session, item_id=item_id)
    session.execute(delete(Opportunity).where(or_(Opportunity.need_item_id == item.id,
                                                  Opportunity.offer_item_id == item.id)))
    session.delete(item)
    session.flush()
    return item
