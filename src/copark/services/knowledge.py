"""Inferring and reviewing an organization's items, and chain trees, in the caller's session (copark.api wraps them)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from copark.core.vocab import Direction, InferredStatus, Origin
from copark.knowledge.chains import ChainTree, OrgAtNode, OrgOffers, build_chain, organization_index
from copark.knowledge.graph import ChainGraph
from copark.knowledge.store import load_graph
from copark.parsing.regions import RegionTable
from copark.services import inference as infer
from copark.services.organizations import find_organization
from copark.storage.tables import Item, ListsVersion, Organization

# Mined relations below this are mostly recipe ingredients and text fragments (see knowledge.importers).
GRAPH_MIN_CONFIDENCE = 0.35


@dataclass(frozen=True)
class InferredRow:
    id: int
    text: str
    kind: str
    confidence: float
    status: str
    path: list[str]


@dataclass
class InferView:
    """An organization's inferred items of one direction, after inferring or reviewing."""

    organization: str
    direction: Direction
    rows: list[InferredRow] = field(default_factory=list)
    inferred_now: int = 0
    reviewed: dict[str, int] = field(default_factory=dict)

    def count(self, status: InferredStatus) -> int:
        return sum(1 for r in self.rows if r.status == status)


def infer_for(*, session: Session, ref: str, offers: bool = False, accept: Sequence[int] = (),
              dismiss: Sequence[int] = ()) -> InferView:
    """Review (--accept/--dismiss) or re-infer an organization's needs (or offers), then list them."""
    direction = Direction.offer if offers else Direction.need
    org = find_organization(session=session, ref=ref)
    view = InferView(org.name, direction)
    if accept or dismiss:
        if accept:
            view.reviewed["accepted"] = len(infer.review(session=session, organization=org, item_ids=accept,
                                                         status=InferredStatus.accepted))
        if dismiss:
            view.reviewed["dismissed"] = len(infer.review(session=session, organization=org, item_ids=dismiss,
                                                          status=InferredStatus.dismissed))
    else:
        graph = load_graph(session, min_confidence=GRAPH_MIN_CONFIDENCE)
        run = infer.infer_offers if offers else infer.infer_needs
        view.inferred_now = len(run(session=session, organization=org, graph=graph))
    for item in infer.inferred_items(session=session, organization=org, direction=direction):
        view.rows.append(InferredRow(item.id, item.text, item.kind, item.confidence or 0.0, item.status or "",
                                     list((item.evidence or {}).get("path", []))))
    return view


def org_offers(*, session: Session) -> list[OrgOffers]:
    """Every organization with what places it on chain nodes: its main products and its listed offers (declared,
    registered, or inferred and accepted; withdrawn ones left out): listed_texts's rule, read as plain columns in
    two queries, since loading 100k organizations and their items as objects took most of a minute."""
    offers: dict[int, list[str]] = {}
    listed = (select(Item.organization_id, Item.text)
              .where(Item.direction == Direction.offer.value, Item.withdrawn_at.is_(None),
                     or_(Item.origin.is_(None), Item.origin != Origin.inferred.value,
                         Item.status == InferredStatus.accepted.value))
              .order_by(Item.organization_id, Item.id))
    for org_id, text in session.execute(listed):
        offers.setdefault(org_id, []).append(text)
    orgs = select(Organization.id, Organization.name, Organization.region_code, Organization.products)
    return [OrgOffers(org_id, name, region_code, tuple([*(str(p) for p in products or []), *offers.get(org_id, ())]))
            for org_id, name, region_code, products in session.execute(orgs.order_by(Organization.id))]


def listed_texts(org: Organization, direction: Direction) -> list[str]:
    """What an organization makes (its main products, then its offers) or asks for (its needs), as listed:
    declared, registered, or inferred and accepted; withdrawn items and unreviewed guesses left out."""
    texts = [str(p) for p in (org.products or [])] if direction == Direction.offer else []
    texts += [i.text for i in org.items if i.direction == direction and i.withdrawn_at is None
              and (i.origin != Origin.inferred or i.status == InferredStatus.accepted)]
    return texts


_ORG_INDEXES: dict[tuple[object, ...], tuple[ChainGraph, RegionTable, dict[str, list[OrgAtNode]]]] = {}


def _organization_index(session: Session, graph: ChainGraph, regions: RegionTable) -> dict[str, list[OrgAtNode]]:
    """organization_index of every organization, reused while the lists (lists_version, raised by triggers), the
    graph and the regions are unchanged: placing 100k organizations' offers on nodes takes minutes, and the 产业链
    page asks on every request."""
    changes = session.scalar(select(ListsVersion.n))
    orgs = tuple(session.execute(select(func.count(), func.max(Organization.id))).one())  # a restored counter
    key = (str(session.get_bind().url), id(graph), id(regions), changes, orgs)
    cached = _ORG_INDEXES.get(key)
    if cached is not None and cached[0] is graph and cached[1] is regions:
        return cached[2]
    index = organization_index(org_offers(session=session), graph=graph, regions=regions)
    if len(_ORG_INDEXES) >= 2:
        _ORG_INDEXES.pop(next(iter(_ORG_INDEXES)))
    _ORG_INDEXES[key] = (graph, regions, index)
    return index


def chain_for(*, session: Session, regions: RegionTable, query: str, depth: int = 2, up: bool = True,
              down: bool = True) -> ChainTree:
    """The chain tree of a product or industry code, with the database's organizations at each node."""
    graph = load_graph(session, min_confidence=GRAPH_MIN_CONFIDENCE)
    return build_chain(graph=graph, query=query, depth=depth, up=up, down=down,
                       organizations=lambda: _organization_index(session, graph, regions))
