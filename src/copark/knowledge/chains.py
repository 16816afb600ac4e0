"""产业链图: the upstream/downstream tree of a product or industry, with the organizations at each node."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from copark.core.errors import CoparkError
from copark.knowledge.graph import ChainGraph, ChainStep
from copark.locale import t
from copark.parsing.regions import RegionTable, builtin_regions

MAX_DEPTH = 4
MAX_BRANCH = 12  # mined hubs have hundreds of inputs; a tree shows the surest few
MIN_ORG_MATCH = 0.6  # an organization sits at a node when one of its products names it this clearly
_INDUSTRY_CODE = re.compile(r"[A-Ta-t]?\d{2,4}")


@dataclass
class OrgAtNode:
    """An organization that makes (offers) the product of a chain node, and where it is."""

    id: int
    name: str
    region_code: str | None
    region_name: str
    via: str  # the product or offer text that put it here


@dataclass
class ChainNode:
    """One product in the tree: how it links to its parent, and the organizations that make it."""

    name: str
    direction: str  # root | upstream | downstream
    kind: str = ""
    confidence: float = 1.0
    organizations: list[OrgAtNode] = field(default_factory=list)
    upstream: list[ChainNode] = field(default_factory=list)
    downstream: list[ChainNode] = field(default_factory=list)
    more: dict[str, int] = field(default_factory=dict)  # direction → neighbours left out beyond MAX_BRANCH

    def by_region(self) -> dict[str, list[OrgAtNode]]:
        """Organizations grouped by region name, in first-seen order."""
        groups: dict[str, list[OrgAtNode]] = {}
        for org in self.organizations:
            groups.setdefault(org.region_name, []).append(org)
        return groups

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready data (for the web chain map and the chain-gap analysis)."""
        return {
            "name": self.name, "direction": self.direction, "kind": self.kind, "confidence": self.confidence,
            "organizations": [vars(o) for o in self.organizations], "more": self.more,
            "upstream": [c.to_dict() for c in self.upstream], "downstream": [c.to_dict() for c in self.downstream],
        }


@dataclass
class ChainTree:
    """The answer of `copark chain`: the query, the nodes it named, and their trees."""

    query: str
    roots: list[ChainNode]

    def to_dict(self) -> dict[str, object]:
        return {"query": self.query, "roots": [r.to_dict() for r in self.roots]}


@dataclass(frozen=True)
class OrgOffers:
    """What places an organization on chain nodes: its main products and listed offers."""

    id: int
    name: str
    region_code: str | None
    texts: tuple[str, ...]


def organization_index(orgs: Iterable[OrgOffers], *, graph: ChainGraph,
                       regions: RegionTable | None = None) -> dict[str, list[OrgAtNode]]:
    """Node name → organizations whose products or offers name that node clearly (MIN_ORG_MATCH)."""
    regions = regions or builtin_regions()
    index: dict[str, list[OrgAtNode]] = {}
    # Many organizations list the same texts (a product range, a common offer): each distinct text is placed once.
    named: dict[str, list[str]] = {}
    for org in orgs:
        region = regions.by_code.get(org.region_code or "")
        region_name = region.name if region else (org.region_code or t("chain.region_unknown"))
        placed: set[str] = set()
        for text in dict.fromkeys(org.texts):
            nodes = named.get(text)
            if nodes is None:
                nodes = named[text] = nodes_named(graph, text)
            for name in nodes:
                if name not in placed:
                    placed.add(name)
                    index.setdefault(name, []).append(OrgAtNode(org.id, org.name, org.region_code, region_name, text))
    return index


def nodes_named(graph: ChainGraph, text: str) -> list[str]:
    """The chain node a product or offer text names clearly enough (MIN_ORG_MATCH) to place its maker there."""
    return [m.name for m in graph.match_nodes(text, limit=1, fuzzy=False) if m.score >= MIN_ORG_MATCH]


def _roots(graph: ChainGraph, query: str) -> list[str]:
    text = query.strip()
    if _INDUSTRY_CODE.fullmatch(text):
        names = graph.nodes_in_industry(text)
        if names:
            return names[:MAX_BRANCH]
    return [m.name for m in graph.match_nodes(text, limit=3) if m.score >= 0.5][:1] or []


def _expand(graph: ChainGraph, node: ChainNode, direction: str, depth: int, seen: frozenset[str],
            index: dict[str, list[OrgAtNode]]) -> None:
    if depth <= 0:
        return
    steps: list[ChainStep] = (graph.upstream if direction == "upstream" else graph.downstream)(node.name, 1)
    steps = [s for s in steps if s.name not in seen]
    steps.sort(key=lambda s: (-s.confidence, s.name))
    if len(steps) > MAX_BRANCH:
        node.more[direction] = len(steps) - MAX_BRANCH
    children = getattr(node, direction)
    for step in steps[:MAX_BRANCH]:
        child = ChainNode(step.name, direction, step.kind, round(node.confidence * step.confidence, 4),
                          index.get(step.name, []))
        children.append(child)
        _expand(graph, child, direction, depth - 1, seen | {step.name}, index)


def build_chain(*, graph: ChainGraph, query: str, depth: int = 2, up: bool = True, down: bool = True,
                organizations: Callable[[], Mapping[str, list[OrgAtNode]]] | None = None) -> ChainTree:
    """The upstream/downstream tree of a product (or of an industry code's products) to `depth` levels.

    `organizations()` gives the organizations at each node (organization_index); it is called only once the query
    is known to name nodes."""
    if not 1 <= depth <= MAX_DEPTH:
        raise CoparkError(t("chain.bad_depth", depth=depth), t("chain.bad_depth.fix"))
    names = _roots(graph, query)
    if not names:
        raise CoparkError(t("chain.not_found", query=query), t("chain.not_found.fix"))
    index = organizations() if organizations is not None else {}
    roots = []
    for name in names:
        root = ChainNode(name, "root", organizations=index.get(name, []))
        if up:
            _expand(graph, root, "upstream", depth, frozenset({name}), index)
        if down:
            _expand(graph, root, "downstream", depth, frozenset({name}), index)
        roots.append(root)
    return ChainTree(query, roots)
