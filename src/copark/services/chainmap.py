"""产业链图 for the web: a chain tree (knowledge.chains) flattened into nodes and links, each node coloured by where
the park's two paired regions have organizations making that product.

Presence of a node: `both` (organizations in the park's region and in the partner region), `park` (only the
park's region), `partner` (only the partner region), `none` (neither: possibly elsewhere, counted as `other`).
The park pairing is the `park` table's region_code / partner_region_code; "in a region" is
parsing.regions.within_region, so a city-level pairing covers its counties.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from copark.core.vocab import DEMO_SOURCE
from copark.knowledge.chains import ChainNode, OrgAtNode
from copark.locale import t
from copark.parsing.regions import RegionTable, within_region
from copark.services.access import Actor, NotFound, visible_org_ids
from copark.services.knowledge import chain_for
from copark.storage.tables import Organization, Park

PRESENCE = ("both", "park", "partner", "none")


@dataclass
class MapNode:
    id: int
    name: str
    direction: str  # root | upstream | downstream
    depth: int
    confidence: float
    presence: str  # both | park | partner | none
    presence_label: str
    park_orgs: int
    partner_orgs: int
    other_orgs: int
    organizations: list[str] = field(default_factory=list)  # names the actor may see
    hidden_orgs: int = 0  # organizations at the node the actor may not see by name


@dataclass
class MapLink:
    source: int  # supplier (upstream) → user (downstream)
    target: int
    confidence: float


@dataclass
class ParkChoice:
    id: int
    name: str


@dataclass
class ChainMap:
    query: str
    park_id: int | None
    park_name: str
    park_region: str
    partner_region: str
    nodes: list[MapNode] = field(default_factory=list)
    links: list[MapLink] = field(default_factory=list)
    parks: list[ParkChoice] = field(default_factory=list)
    demo: bool = False


def presence(orgs: list[OrgAtNode], park: Park | None) -> tuple[str, int, int, int]:
    """(presence, organizations in the park's region, in the partner region, elsewhere) of one node."""
    in_park = in_partner = other = 0
    for org in orgs:
        code = org.region_code or ""
        a = bool(park and code and park.region_code and within_region(code, park.region_code))
        b = bool(park and code and park.partner_region_code and within_region(code, park.partner_region_code))
        in_park += a
        in_partner += b
        other += not (a or b)
    kind = "both" if in_park and in_partner else "park" if in_park else "partner" if in_partner else "none"
    return kind, in_park, in_partner, other


def _park(session: Session, actor: Actor, park_id: int | None) -> Park | None:
    if park_id is not None:
        park = session.get(Park, park_id)
        if park is None:
            raise NotFound(t("web.error.park_not_found", id=park_id), t("web.error.not_found.fix"))
        return park
    if actor.park_id is not None:
        return session.get(Park, actor.park_id)
    return session.scalar(select(Park).order_by(Park.id).limit(1))


def chain_map(*, session: Session, actor: Actor, regions: RegionTable, query: str, depth: int = 2,
              park_id: int | None = None) -> ChainMap:
    """The chain of a product or industry code as a graph, coloured for the park (`park_id`, else the actor's
    park, else the first park). Organization names are given only where the actor may open them."""
    park = _park(session, actor, park_id)
    tree = chain_for(session=session, regions=regions, query=query, depth=depth)
    allowed = visible_org_ids(session, actor)

    def region_name(code: str | None) -> str:
        return regions.full_name(code) if code and code in regions.by_code else (code or "")

    out = ChainMap(tree.query, park.id if park else None, park.name if park else "",
                   region_name(park.region_code) if park else "", region_name(park.partner_region_code) if park else "",
                   parks=[ParkChoice(i, n) for i, n in session.execute(select(Park.id, Park.name).order_by(Park.id))])
    ids: dict[str, int] = {}
    seen_orgs: set[int] = set()

    def add(node: ChainNode, level: int) -> int:
        if node.name in ids:
            return ids[node.name]
        kind, a, b, other = presence(node.organizations, park)
        visible = [o for o in node.organizations if allowed is None or o.id in allowed]
        seen_orgs.update(o.id for o in node.organizations)
        ids[node.name] = len(out.nodes)
        out.nodes.append(MapNode(len(out.nodes), node.name, node.direction, level, node.confidence, kind,
                                 t(f"web.chain.presence.{kind}"), a, b, other, [o.name for o in visible],
                                 len(node.organizations) - len(visible)))
        return ids[node.name]

    def walk(node: ChainNode, level: int) -> None:
        here = add(node, level)
        for child in node.upstream:
            out.links.append(MapLink(add(child, level + 1), here, child.confidence))
            walk(child, level + 1)
        for child in node.downstream:
            out.links.append(MapLink(here, add(child, level + 1), child.confidence))
            walk(child, level + 1)

    for root in tree.roots:
        walk(root, 0)
    unique = {(link.source, link.target): link for link in out.links}
    out.links = list(unique.values())
    out.demo = bool(park and park.source == DEMO_SOURCE)  # the park's name and regions are shown too
    if seen_orgs and not out.demo:
        out.demo = session.scalar(select(Organization.id).where(
            Organization.id.in_(sorted(seen_orgs)), Organization.source == DEMO_SOURCE).limit(1)) is not None
    return out
