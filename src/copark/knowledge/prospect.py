"""定位契合度 (positioning fit), pure: how a prospective enterprise fits a park — whether it sits on a declared
chain (主导产业), its suppliers and customers among the park's local organizations, and the risks that shows — as
a documented score (matching.config.ParkFit) with its evidence. services.parkfit reads the database for it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from copark.knowledge.chains import nodes_named
from copark.knowledge.graph import ChainGraph
from copark.knowledge.parkchain import DeclaredChain, Neighbour, chain_of, needed_nodes
from copark.matching.config import PARK_FIT, ParkFit
from copark.matching.features import positioning_entry

BANDS = ("fit", "partial", "poor", "unknown")  # 契合 / 一般 / 不契合 / 信息不足


@dataclass(frozen=True)
class Prospect:
    """A prospective enterprise: an organization in the database, or a project known by its name and industry."""

    name: str
    org_id: int | None
    industry_code: str | None
    text: str = ""  # name, products and description (a 主导产业 word may appear in it)
    products: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Evidence:
    """Why two organizations are linked: the chain node between them and the text that names it."""

    node: str  # the node the other organization makes (supplier, peer) or asks for (customer)
    via: str  # its product or need text, or the prospect's need text (basis "own_need")
    basis: str  # chain (a graph relation) | their_need (the other's listed need) | own_need (the prospect's)
    path: tuple[str, ...]  # from supplier to user: input → product
    confidence: float


@dataclass
class Link:
    """One organization linked to the prospect, in one role, with every piece of evidence found."""

    org: Neighbour
    role: str  # supplier | customer | peer
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def confidence(self) -> float:
        return max((e.confidence for e in self.evidence), default=0.0)


@dataclass(frozen=True)
class Flag:
    """A risk the data shows, with what it rests on."""

    code: str  # off_positioning | no_positioning | no_local_supplier | no_local_customer | unknown_products
    detail: tuple[str, ...] = ()  # the node names (inputs, outputs) or entries the flag rests on


@dataclass
class Fit:
    """The answer: score, band, positioning and links with their evidence, risks."""

    score: float
    band: str  # BANDS
    positioning: str  # in | linked | out | none (the park declares no chain)
    chain: DeclaredChain | None  # in: the chain it is on; linked: the chain its local partner is on
    chain_nodes: list[str]  # in: its nodes in the chain's industries
    linked_by: Link | None  # linked: the local organization of a declared chain it supplies or buys from
    nodes: list[str]  # where it sits in the chain graph
    nodes_from: str  # products | industry | none
    inputs: list[str]
    outputs: list[str]
    suppliers: list[Link]  # local
    customers: list[Link]  # local
    partner: list[Link]  # suppliers and customers in the partner region
    peers: list[Link]  # local makers of the same products (the cluster it would join)
    flags: list[Flag]
    points: dict[str, float]


def prospect_nodes(graph: ChainGraph, prospect: Prospect, *, config: ParkFit = PARK_FIT) -> tuple[list[str], str]:
    """(nodes, how found): the nodes its products name, else its industry code's first nodes, else none."""
    named = [n for text in prospect.products for n in nodes_named(graph, text)]
    if named:
        return list(dict.fromkeys(named)), "products"
    if prospect.industry_code:
        found = graph.nodes_in_industry(prospect.industry_code)[:config.industry_nodes]
        if found:
            return found, "industry"
    return [], "none"


def _add(links: dict[tuple[int, str], Link], org: Neighbour, role: str, evidence: Evidence) -> None:
    link = links.setdefault((org.id, role), Link(org, role))
    if evidence not in link.evidence:
        link.evidence.append(evidence)


def assess(graph: ChainGraph, prospect: Prospect, *, positioning: Sequence[str], chains: Sequence[DeclaredChain],
           makers: Mapping[str, list[tuple[Neighbour, str]]], askers: Mapping[str, list[tuple[Neighbour, str]]],
           config: ParkFit = PARK_FIT) -> Fit:
    """The prospect against the park: `makers` and `askers` index the park's local and partner-region
    organizations by the nodes they make and ask for (parkchain.node_index, need_index)."""
    nodes, nodes_from = prospect_nodes(graph, prospect, config=config)
    links: dict[tuple[int, str], Link] = {}

    def others(index: Mapping[str, list[tuple[Neighbour, str]]], name: str) -> list[tuple[Neighbour, str]]:
        return [(o, text) for o, text in index.get(name, [])
                if o.id != prospect.org_id and o.side != "other" and o.kind in config.link_kinds]

    inputs: dict[str, None] = {}
    outputs: dict[str, None] = {}
    for node in nodes:
        for step in graph.upstream(node, 1):
            if step.kind not in config.input_kinds:
                continue
            inputs[step.name] = None
            for org, text in others(makers, step.name):
                _add(links, org, "supplier", Evidence(step.name, text, "chain", (step.name, node), step.confidence))
        for step in graph.downstream(node, 1):
            outputs[step.name] = None
            for org, text in others(makers, step.name):
                _add(links, org, "customer", Evidence(step.name, text, "chain", (node, step.name), step.confidence))
        # a need for the node or its general product (海绵 for 医用海绵) is a customer asking for it
        for name, confidence in [(node, 1.0), *((p.name, p.confidence) for p in graph.parents(node, 1))]:
            for org, text in others(askers, name):
                _add(links, org, "customer", Evidence(name, text, "their_need", (node, name), confidence))
        for org, text in others(makers, node):
            _add(links, org, "peer", Evidence(node, text, "chain", (node,), 1.0))
    for need in prospect.needs:
        for name in needed_nodes(graph, need):
            for org, _text in others(makers, name):
                _add(links, org, "supplier", Evidence(name, need, "own_need", (name,), 1.0))

    def ranked(role: str, local: bool) -> list[Link]:
        found = [k for k in links.values() if k.role == role and k.org.local == local and
                 (local or k.org.side == "partner")]
        return sorted(found, key=lambda k: (-k.confidence, k.org.side != "park", k.org.name, k.org.id))

    suppliers, customers, peers = ranked("supplier", True), ranked("customer", True), ranked("peer", True)
    peer_ids = {k.org.id for k in peers}
    # an organization making what the prospect makes is a peer, not its customer, even if it also uses it
    customers = [k for k in customers if k.org.id not in peer_ids or any(e.basis == "their_need" for e in k.evidence)]
    partner = ranked("supplier", False) + ranked("customer", False)

    entry = positioning_entry(tuple(positioning), prospect.industry_code, prospect.text)
    chain_nodes: list[str] = []
    linked_by: Link | None = None
    if not chains:
        status, chain = "none", None
    elif entry is not None or any(c.holds(graph.industry_of(n)) for c in chains for n in nodes):
        status = "in"
        chain = chain_of(chains, entry, prospect.industry_code) or next(
            c for c in chains for n in nodes if c.holds(graph.industry_of(n)))
        chain_nodes = [n for n in nodes if chain.holds(graph.industry_of(n))]
    else:
        # 补链/延链: it supplies a local firm of a declared chain, or buys from one (the surest link first)
        on_chain = [k for k in sorted(customers + suppliers, key=lambda k: -k.confidence)
                    if chain_of(chains, None, k.org.industry_code) is not None]
        linked_by = on_chain[0] if on_chain else None
        status = "linked" if linked_by else "out"
        chain = chain_of(chains, None, linked_by.org.industry_code) if linked_by else None

    share = {"in": 1.0, "linked": config.linked_share}.get(status, 0.0)
    points = {
        "positioning": config.positioning_points * share,
        "customers": config.customer_points * min(len(customers), config.max_links),
        "suppliers": config.supplier_points * min(len(suppliers), config.max_links),
        "partner": config.partner_points if partner else 0.0,
    }
    score = round(sum(points.values()), 1)
    flags: list[Flag] = []
    if status == "out":
        flags.append(Flag("off_positioning", tuple(c.label for c in chains)))
    elif status == "none":
        flags.append(Flag("no_positioning"))
    if not nodes:
        flags.append(Flag("unknown_products"))
    if not suppliers:
        flags.append(Flag("no_local_supplier", tuple(inputs)))
    if not customers:
        flags.append(Flag("no_local_customer", tuple(outputs)))
    if status != "in" and not nodes and not prospect.industry_code:
        band = "unknown"
    elif score >= config.fit_at and share > 0:
        band = "fit"
    elif score >= config.partial_at:
        band = "partial"  # outside the positioning at best 一般, whatever its links
    else:
        band = "poor"
    return Fit(score=score, band=band, positioning=status, chain=chain, chain_nodes=chain_nodes, linked_by=linked_by,
               nodes=nodes, nodes_from=nodes_from, inputs=list(inputs), outputs=list(outputs), suppliers=suppliers,
               customers=customers, partner=partner, peers=peers, flags=flags, points=points)
