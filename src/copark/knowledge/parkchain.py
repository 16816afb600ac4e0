"""定位契合度与补链 (positioning fit and chain gaps), pure: a park's declared chains (主导产业) as trees of the chain
graph, the nodes its local organizations cover and those missing, and how a prospective enterprise links to the
local chain (its suppliers, customers and peers there). Reading the database is services.parkfit's job.

Where organizations sit on nodes is knowledge.chains.nodes_named, the rule the 产业链 page uses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from copark.knowledge.chains import nodes_named
from copark.knowledge.graph import ChainGraph
from copark.knowledge.industries import IndustryTable, parse_code
from copark.knowledge.positioning import positioning_codes
from copark.knowledge.text import product_phrases
from copark.matching.config import PARK_FIT, ParkFit
from copark.matching.features import positioning_entry

#: Where an organization lies as the park sees it: registered in the park, local (within ParkFit.local_km of the
#: park's county), in the partner region, or elsewhere.
SIDES = ("park", "local", "partner", "other")
LOCAL_SIDES = frozenset({"park", "local"})


@dataclass(frozen=True)
class DeclaredChain:
    """One 主导产业 entry as the park wrote it (29, 电子信息) and the GB/T 4754 codes it stands for."""

    entry: str
    codes: tuple[str, ...]
    label: str  # 29 橡胶和塑料制品业 · 电子信息（39、65）

    def holds(self, industry_code: str | None) -> bool:
        """Whether an industry code lies under this chain's codes."""
        return bool(industry_code) and positioning_entry(self.codes, industry_code) is not None


def declared_chains(positioning: Iterable[object], industries: IndustryTable) -> list[DeclaredChain]:
    """The park's declared chains, in its order. Codes stored beside the word they came from (the importer keeps
    电子信息 and adds 39, 65) belong to that word's chain, not to chains of their own."""
    entries = list(dict.fromkeys(str(e).strip() for e in positioning if str(e).strip()))
    resolved = [(entry, positioning_codes(entry, industries)) for entry in entries]
    from_words = {c for entry, codes in resolved if parse_code(entry) is None for c in codes or ()}
    out = []
    for entry, codes in resolved:
        code = parse_code(entry)
        if code is not None and code in from_words:
            continue
        if code is not None:
            out.append(DeclaredChain(entry, (code,), f"{code} {industries.name(code)}".strip()))
        else:
            out.append(DeclaredChain(entry, tuple(codes or ()), f"{entry}（{'、'.join(codes)}）" if codes else entry))
    return out


def chain_of(chains: Sequence[DeclaredChain], entry: str | None, industry_code: str | None = None
             ) -> DeclaredChain | None:
    """The declared chain a positioning entry (or, failing that, an industry code) belongs to."""
    for chain in chains:
        if entry is not None and (entry == chain.entry or parse_code(entry) in chain.codes):
            return chain
    return next((c for c in chains if c.holds(industry_code)), None)


@dataclass(frozen=True)
class Neighbour:
    """An organization as a park sees it: where it lies, what it makes and what it asks for."""

    id: int
    name: str
    region_code: str | None
    region_name: str
    industry_code: str | None
    side: str  # SIDES
    km: float | None  # from the park's county (region centroids)
    offers: tuple[str, ...] = ()  # main products and listed offers
    needs: tuple[str, ...] = ()  # listed needs
    kind: str = "enterprise"  # organization kind (core.vocab.OrgKind)

    @property
    def local(self) -> bool:
        return self.side in LOCAL_SIDES


def node_index(graph: ChainGraph, neighbours: Iterable[Neighbour]) -> dict[str, list[tuple[Neighbour, str]]]:
    """Node → (organization, its product text that names the node), each organization once per node."""
    index: dict[str, list[tuple[Neighbour, str]]] = {}
    for org in neighbours:
        placed: set[str] = set()
        for text in dict.fromkeys(org.offers):
            for name in nodes_named(graph, text):
                if name not in placed:
                    placed.add(name)
                    index.setdefault(name, []).append((org, text))
    return index


def need_index(graph: ChainGraph, neighbours: Iterable[Neighbour]) -> dict[str, list[tuple[Neighbour, str]]]:
    """Node → (organization, its need text that names the node): a need written as a sentence is read by the
    product phrases it names (knowledge.text.product_phrases)."""
    index: dict[str, list[tuple[Neighbour, str]]] = {}
    for org in neighbours:
        placed: set[str] = set()
        for text in dict.fromkeys(org.needs):
            for name in needed_nodes(graph, text):
                if name not in placed:
                    placed.add(name)
                    index.setdefault(name, []).append((org, text))
    return index


def needed_nodes(graph: ChainGraph, text: str) -> list[str]:
    """The chain nodes a need text asks for: the node it names, else those its product phrases name."""
    found = nodes_named(graph, text)
    if not found:
        found = [n for phrase in product_phrases(text) for n in nodes_named(graph, phrase)]
    return list(dict.fromkeys(found))


# ---- the park's declared chains: covered and missing nodes ---------------------------------------------------------


@dataclass
class GapNode:
    """One node of a declared chain's tree: the local organizations making it, or none (a gap to fill)."""

    name: str
    role: str  # core (in the chain's industries, made locally) | input (bought by a core node) | output (延链)
    kind: str = ""  # an input's kind (material, component, equipment); empty for core and output nodes
    industry_code: str | None = None
    makers: list[tuple[Neighbour, str]] = field(default_factory=list)  # local organizations and their product text
    linked_to: list[str] = field(default_factory=list)  # the core nodes that buy it (input) or feed it (output)
    weight: float = 0.0  # sum of the confidences of its links to core nodes: how much of the chain hangs on it

    @property
    def covered(self) -> bool:
        return bool(self.makers)


@dataclass
class ChainGapTree:
    """A declared chain around what the park makes: core nodes, their inputs and in-chain outputs."""

    chain: DeclaredChain
    nodes: list[GapNode]
    anchored: bool  # False: no local organization makes anything of this chain; its first nodes are listed

    @property
    def covered(self) -> list[GapNode]:
        return [n for n in self.nodes if n.covered]

    @property
    def missing(self) -> list[GapNode]:
        """Missing nodes, those more of the local chain hangs on first (name breaks ties)."""
        return sorted((n for n in self.nodes if not n.covered), key=lambda n: (-n.weight, n.name))


def chain_tree(graph: ChainGraph, chain: DeclaredChain, local: Mapping[str, list[tuple[Neighbour, str]]], *,
               config: ParkFit = PARK_FIT) -> ChainGapTree:
    """The chain's nodes made locally (core), the inputs they buy (kinds in config.input_kinds) and the products
    of the chain's industries they feed (延链), each marked covered (with its local makers) or missing.

    A chain nothing local makes lists its industries' first config.industry_nodes nodes, all missing."""
    in_chain = [n for code in chain.codes for n in graph.nodes_in_industry(code)]
    in_chain = list(dict.fromkeys(in_chain))
    nodes: dict[str, GapNode] = {}

    def node(name: str, role: str, kind: str = "") -> GapNode:
        if name not in nodes:
            nodes[name] = GapNode(name, role, kind, graph.industry_of(name), list(local.get(name, [])))
        return nodes[name]

    core = [n for n in in_chain if local.get(n)]
    for name in core:
        node(name, "core")
    for name in core:
        for step in graph.upstream(name, 1):
            if step.kind in config.input_kinds:
                found = node(step.name, "input", step.kind)
                found.linked_to.append(name)
                found.weight += step.confidence
        for step in graph.downstream(name, 1):
            if chain.holds(graph.industry_of(step.name)):
                found = node(step.name, "output")
                found.linked_to.append(name)
                found.weight += step.confidence
    if not core:
        for name in in_chain[:config.industry_nodes]:
            node(name, "core")
    return ChainGapTree(chain, list(nodes.values()), anchored=bool(core))
