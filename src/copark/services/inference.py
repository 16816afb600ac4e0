"""Inferred items (推断需求/资源) in the database: store the candidates `knowledge.infer` proposes, list and review them."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from copark.core.errors import CoparkError
from copark.core.vocab import Direction, InferredStatus, ItemKind, Origin
from copark.knowledge.graph import ChainGraph, key
from copark.knowledge.infer import (
    ITEM_KIND,
    SOURCE,
    Candidate,
    declared,
    need_candidates,
    offer_candidates,
    own_nodes,
    product_texts,
)
from copark.locale import t
from copark.storage.tables import Item, Organization


def _replace(*, session: Session, org: Organization, direction: Direction, candidates: list[Candidate],
             exclude: set[str], limit: int, min_confidence: float) -> list[Item]:
    """Make the org's proposed inferences of `direction` the candidates; reviewed ones stay as they are.

    A proposal inferred again keeps its item (and id), so ids shown by one `copark infer` stay valid for
    `--accept`/`--dismiss`, and opportunities found for it survive a re-run.
    """
    reviewed: set[str] = set()
    proposed: dict[str, Item] = {}
    stale: list[int] = []
    for item in org.items:
        if item.direction != direction or item.origin != Origin.inferred:
            continue
        if item.status != InferredStatus.proposed:
            reviewed.add(key(item.text))
        elif key(item.text) in proposed:
            stale.append(item.id)
        else:
            proposed[key(item.text)] = item
    skip = exclude | reviewed
    kept = [c for c in candidates if key(c.name) not in skip and c.confidence >= min_confidence]
    kept.sort(key=lambda c: (-c.confidence, len(c.path), c.name))
    items = []
    for c in kept[:limit]:
        kind = ITEM_KIND.get(c.kind, ItemKind.material) if direction == Direction.need else ItemKind.product
        values = {"kind": kind.value, "confidence": round(c.confidence, 3), "source": SOURCE,
                  "evidence": {"path": c.path, "from_product": c.from_product, "edge_kind": c.kind}}
        item = proposed.pop(key(c.name), None)
        if item is None:
            item = Item(organization_id=org.id, direction=direction.value, text=c.name, origin=Origin.inferred.value,
                        status=InferredStatus.proposed.value, **values)
            session.add(item)
        else:
            for column, value in values.items():
                setattr(item, column, value)
        items.append(item)
    stale += [i.id for i in proposed.values()]
    if stale:
        session.execute(delete(Item).where(Item.id.in_(stale)))
    session.flush()
    session.expire(org, ["items"])
    return items


def infer_needs(*, session: Session, organization: Organization, graph: ChainGraph, limit: int = 80,
                min_confidence: float = 0.15) -> list[Item]:
    """Upstream needs of the organization's products (or industry), stored as proposed inferred need items."""
    own = product_texts(organization)
    exclude = own_nodes(graph, own + [i.text for i in declared(organization, Direction.need)])
    return _replace(session=session, org=organization, direction=Direction.need,
                    candidates=need_candidates(graph, organization), exclude=exclude, limit=limit,
                    min_confidence=min_confidence)


def infer_offers(*, session: Session, organization: Organization, graph: ChainGraph, limit: int = 20,
                 min_confidence: float = 0.15) -> list[Item]:
    """Products the organization likely makes (from its industry and description), as proposed inferred offers."""
    exclude = own_nodes(graph, product_texts(organization))
    return _replace(session=session, org=organization, direction=Direction.offer,
                    candidates=offer_candidates(graph, organization), exclude=exclude, limit=limit,
                    min_confidence=min_confidence)


def inferred_items(*, session: Session, organization: Organization, direction: Direction | str) -> list[Item]:
    """The organization's inferred items of one direction, proposed first, surest first."""
    items = session.scalars(select(Item).where(
        Item.organization_id == organization.id, Item.direction == Direction(direction).value,
        Item.origin == Origin.inferred.value,
    )).all()
    order = {InferredStatus.proposed: 0, InferredStatus.accepted: 1, InferredStatus.dismissed: 2}
    return sorted(items, key=lambda i: (order.get(i.status, 3), -(i.confidence or 0), i.id))


def review(*, session: Session, organization: Organization, item_ids: Iterable[int],
           status: InferredStatus) -> list[Item]:
    """Mark inferred items of the organization accepted or dismissed; any bad id fails the whole call."""
    items = []
    for item_id in item_ids:
        item = session.get(Item, item_id)
        if item is None:
            raise CoparkError(t("infer.item_not_found", id=item_id), t("infer.item.fix"))
        if item.organization_id != organization.id:
            raise CoparkError(t("infer.item_other_org", id=item_id, text=item.text, org=organization.name),
                              t("infer.item.fix"))
        if item.origin != Origin.inferred:
            raise CoparkError(t("infer.item_not_inferred", id=item_id, text=item.text), t("infer.item.fix"))
        items.append(item)
    for item in items:
        item.status = status.value
    session.flush()
    return items
