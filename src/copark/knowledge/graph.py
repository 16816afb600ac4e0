"""产业链图谱: the in-memory chain graph (curated CSVs plus imported kb_node/kb_relation rows)."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process

from copark.core.errors import CoparkError
from copark.knowledge import text as text_module
from copark.locale import t

DATA_DIR = Path(__file__).with_name("data")
CURATED = "curated"
RELS = ("upstream", "subcategory")
KINDS = ("material", "component", "equipment", "service", "energy", "technology", "talent")

# How much each kind of link is worth when ranking the ways an offer can serve a need.
LINK_FACTOR = {"same": 1.0, "subcategory": 0.9, "parent": 0.75, "sibling": 0.6, "upstream": 0.5, "downstream": 0.4}
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class NodeMatch:
    """A graph node a text names: how (exact/alias/head/fuzzy), how sure, and why."""

    name: str
    score: float
    how: str
    evidence: str


@dataclass(frozen=True)
class ChainStep:
    """A node reached by walking the chain: the path from the start, its confidence, the last edge's kind."""

    name: str
    path: list[str]
    confidence: float
    kind: str


@dataclass(frozen=True)
class ChainLink:
    """How an offer relates to a need: same, subcategory, parent, sibling, upstream or downstream."""

    kind: str
    path: list[str]
    distance: int
    confidence: float


@dataclass(frozen=True)
class Edge:
    """One directed relation as stored in an adjacency map (the other end is the map key)."""

    rel: str
    kind: str
    weight: float
    confidence: float
    source: str


@dataclass(frozen=True)
class NodeRecord:
    name: str
    industry_code: str | None = None
    aliases: tuple[str, ...] = ()
    source: str = CURATED


@dataclass(frozen=True)
class EdgeRecord:
    src: str
    rel: str
    dst: str
    kind: str = ""
    weight: float = 1.0
    confidence: float = 1.0
    source: str = CURATED


@lru_cache(maxsize=1 << 18)
def key(text: str) -> str:
    """The lookup key of a product name: normalized (knowledge.text, the one normaliser), no spaces, lower case."""
    return _SPACES.sub("", text_module.normalize(text or ""))


@dataclass
class ChainGraph:
    """Products and industries linked by upstream/subcategory relations, with fast neighbourhood lookups."""

    names: list[str] = field(default_factory=list)
    industry: list[str | None] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    _by_key: dict[str, int] = field(default_factory=dict)
    _by_name: dict[str, int] = field(default_factory=dict)
    _by_alias: dict[str, list[int]] = field(default_factory=dict)
    _up: list[dict[int, Edge]] = field(default_factory=list)  # node → its inputs
    _down: list[dict[int, Edge]] = field(default_factory=list)  # node → what it is an input of
    _children: list[dict[int, Edge]] = field(default_factory=list)  # node → its subcategories
    _parents: list[dict[int, Edge]] = field(default_factory=list)
    _keys: list[str] | None = None

    # ---- building -------------------------------------------------------------------------------

    def add_node(self, name: str, industry_code: str | None = None, aliases: Iterable[str] = (),
                 source: str = CURATED) -> int:
        """The node's index, created if new; industry code and aliases are merged in."""
        name = name.strip()
        index = self._by_name.get(name)
        if index is not None and not aliases and (self.industry[index] or not industry_code):
            return index  # the common case while adding edges: skip normalizing the name again
        k = key(name)
        index = self._by_key.get(k)
        if index is None and len(self._by_alias.get(k, ())) == 1:
            index = self._by_alias[k][0]  # an imported 氧气机 joins the curated 制氧机 that lists it as alias
            self._by_name[name] = index
        if index is None:
            index = len(self.names)
            self._by_key[k] = index
            self.names.append(name)
            self.industry.append(industry_code or None)
            self.sources.append(source)
            self._by_name[name] = index
            for adjacency in (self._up, self._down, self._children, self._parents):
                adjacency.append({})
            self._keys = None
        elif industry_code and not self.industry[index]:
            self.industry[index] = industry_code
        for alias in aliases:
            ak = key(alias)
            if ak and ak != k and index not in self._by_alias.setdefault(ak, []):
                self._by_alias[ak].append(index)
        return index

    def add_edge(self, edge: EdgeRecord) -> None:
        """Add `dst` as an input (upstream) or a subcategory of `src`; the surer duplicate wins."""
        a, b = self.add_node(edge.src), self.add_node(edge.dst)
        if a == b:
            return
        value = Edge(edge.rel, edge.kind, edge.weight, edge.confidence, edge.source)
        forward, backward = (self._up, self._down) if edge.rel == "upstream" else (self._children, self._parents)
        old = forward[a].get(b)
        if old is None or old.confidence < value.confidence:
            forward[a][b] = value
            backward[b][a] = value

    # ---- lookups --------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.names)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._find(name) is not None

    def edge_count(self) -> int:
        return sum(len(m) for m in self._up) + sum(len(m) for m in self._children)

    def industry_of(self, name: str) -> str | None:
        index = self._find(name)
        return None if index is None else self.industry[index]

    def nodes_in_industry(self, code: str) -> list[str]:
        """Nodes whose industry code is `code` or lies under it (3581 under 358 under 35)."""
        code = code.strip().upper().lstrip("ABCDEFGHIJKLMNOPQRST") if len(code) > 1 else code
        return [n for n, c in zip(self.names, self.industry, strict=True) if c and c.startswith(code)]

    def match_nodes(self, text: str, limit: int = 5, *, fuzzy: bool = True) -> list[NodeMatch]:
        """Nodes `text` names: exact name, alias, head noun (医用海绵 → 海绵), then fuzzy if nothing else."""
        k = key(text)
        if not k:
            return []
        found: dict[int, NodeMatch] = {}

        def offer(index: int, score: float, how: str, evidence: str) -> None:
            if index not in found or found[index].score < score:
                found[index] = NodeMatch(self.names[index], round(score, 3), how, evidence)

        if k in self._by_key:
            offer(self._by_key[k], 1.0, "exact", self.names[self._by_key[k]])
        for index in self._by_alias.get(k, ()):
            offer(index, 0.95, "alias", t("kb.evidence.alias", text=text, name=self.names[index]))
        for head, modifiers in ([] if found else self._heads(text, k)):
            for index in [self._by_key[head]] if head in self._by_key else self._by_alias.get(head, ()):
                score = 0.55 + 0.35 * len(head) / len(k)
                offer(index, score, "head", t("kb.evidence.head", text=text, name=self.names[index],
                                               modifiers="、".join(modifiers) or "-"))
        if not found and fuzzy and len(k) >= 2:
            if self._keys is None:
                self._keys = [key(n) for n in self.names]
            for _, ratio, index in process.extract(k, self._keys, scorer=fuzz.ratio, limit=limit, score_cutoff=60):
                offer(index, 0.6 * ratio / 100, "fuzzy", t("kb.evidence.fuzzy", text=text,
                                                              name=self.names[index], ratio=round(ratio)))
        return sorted(found.values(), key=lambda m: (-m.score, m.name))[:limit]

    def _heads(self, text: str, k: str) -> Iterator[tuple[str, list[str]]]:
        """Known proper suffixes of the text, longest first (Chinese compounds put the head noun last)."""
        head, modifiers = text_module.head_noun(text)
        hk = key(head)
        if hk and hk != k:
            yield hk, list(modifiers)
        for start in range(1, len(k) - 1):
            suffix = k[start:]
            if suffix in self._by_key or suffix in self._by_alias:
                yield suffix, [k[:start]]
                return

    def _find(self, name: str) -> int | None:
        """The node a name or unambiguous alias denotes."""
        k = key(name)
        index = self._by_key.get(k)
        if index is None and len(self._by_alias.get(k, ())) == 1:
            index = self._by_alias[k][0]
        return index

    def _index(self, name: str) -> int:
        index = self._find(name)
        if index is None:
            raise CoparkError(t("kb.unknown_node", name=name), t("kb.unknown_node.fix"))
        return index

    def _walk(self, name: str, adjacency: list[dict[int, Edge]], depth: int) -> list[ChainStep]:
        """Best-confidence paths from `name` along `adjacency`, up to `depth` edges."""
        start = self._index(name)
        best: dict[int, tuple[float, list[int], str]] = {start: (1.0, [start], "")}
        frontier = [start]
        for _ in range(max(depth, 0)):
            nxt: list[int] = []
            for node in frontier:
                confidence, path, _ = best[node]
                for other, edge in adjacency[node].items():
                    value = confidence * edge.confidence
                    if other not in best or best[other][0] < value:
                        if other not in best:
                            nxt.append(other)
                        best[other] = (value, [*path, other], edge.kind)
            frontier = nxt
        steps = [
            ChainStep(self.names[i], [self.names[p] for p in path], round(conf, 4), kind)
            for i, (conf, path, kind) in best.items() if i != start
        ]
        return sorted(steps, key=lambda s: (len(s.path), -s.confidence, s.name))

    def upstream(self, name: str, depth: int = 1) -> list[ChainStep]:
        """Inputs of `name` (materials, components, equipment …) up to `depth` steps up the chain."""
        return self._walk(name, self._up, depth)

    def downstream(self, name: str, depth: int = 1) -> list[ChainStep]:
        """Products `name` is an input of, up to `depth` steps down the chain."""
        return self._walk(name, self._down, depth)

    def subcategories(self, name: str, depth: int = 1) -> list[ChainStep]:
        return self._walk(name, self._children, depth)

    def parents(self, name: str, depth: int = 1) -> list[ChainStep]:
        return self._walk(name, self._parents, depth)

    def relation(self, need_text: str, offer_text: str, max_depth: int = 2) -> ChainLink | None:
        """How an offer relates to a need (same, subcategory, parent, sibling, upstream, downstream), or None."""
        need_key, offer_key = key(need_text), key(offer_text)
        if not need_key or not offer_key:
            return None
        if need_key == offer_key:
            return ChainLink("same", [offer_text], 0, 1.0)
        best: ChainLink | None = None
        for nm in self.match_nodes(need_text, limit=3):
            for om in self.match_nodes(offer_text, limit=3):
                link = self._node_link(nm.name, om.name, max_depth)
                if link is None:
                    continue
                scored = ChainLink(link.kind, link.path, link.distance,
                                   round(link.confidence * nm.score * om.score, 4))
                if best is None or scored.confidence > best.confidence:
                    best = scored
        if best is None:  # no node for either side: the head-noun rule still tells parent from child
            if need_key.endswith(offer_key) and len(offer_key) >= 2:
                best = ChainLink("parent", [need_text, offer_text], 1, round(0.5 * LINK_FACTOR["parent"], 4))
            elif offer_key.endswith(need_key) and len(need_key) >= 2:
                best = ChainLink("subcategory", [need_text, offer_text], 1, round(0.5 * LINK_FACTOR["subcategory"], 4))
        return best

    def _node_link(self, need: str, offer: str, max_depth: int) -> ChainLink | None:
        """The best link between two nodes, confidence including the kind's factor."""
        if need == offer:
            return ChainLink("same", [need], 0, 1.0)
        candidates: list[ChainLink] = []
        for kind, steps in (("subcategory", self.subcategories(need, max_depth)),
                            ("parent", self.parents(need, max_depth)),
                            ("upstream", self.upstream(need, max_depth)),
                            ("downstream", self.downstream(need, max_depth))):
            for step in steps:
                if step.name == offer:
                    candidates.append(ChainLink(kind, step.path, len(step.path) - 1,
                                                step.confidence * LINK_FACTOR[kind]))
        a, b = self._index(need), self._index(offer)
        for parent in self._parents[a].keys() & self._parents[b].keys():
            # A parent with hundreds of children (系统, 制品) says little about its children being alike.
            spread = min(1.0, 10 / max(len(self._children[parent]), 1))
            value = self._parents[a][parent].confidence * self._parents[b][parent].confidence * spread
            candidates.append(ChainLink("sibling", [need, self.names[parent], offer], 2,
                                        value * LINK_FACTOR["sibling"]))
        return max(candidates, key=lambda c: c.confidence, default=None)


# ---- loading ------------------------------------------------------------------------------------


def _float(value: str, default: float, where: str, column: str) -> float:
    if value is None or not value.strip():
        return default
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0.0 <= number <= 1.0:
        raise CoparkError(t("kb.csv.bad_number", column=column, value=value), t("kb.csv.fix"), where=where)
    return number


def read_curated(data_dir: Path = DATA_DIR) -> tuple[list[NodeRecord], list[EdgeRecord]]:
    """Nodes from products_*.csv and edges from relations_*.csv (contract B); a bad row names its file:line."""
    nodes: list[NodeRecord] = []
    edges: list[EdgeRecord] = []
    for path in sorted(data_dir.glob("products_*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for line, row in enumerate(csv.DictReader(handle), start=2):
                name = (row.get("name") or "").strip()
                if not name:
                    raise CoparkError(t("kb.csv.missing", column="name"), t("kb.csv.fix"), where=f"{path.name}:{line}")
                aliases = tuple(a.strip() for a in (row.get("aliases") or "").split(";") if a.strip())
                nodes.append(NodeRecord(name, (row.get("industry_code") or "").strip() or None, aliases))
    for path in sorted(data_dir.glob("relations_*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for line, row in enumerate(csv.DictReader(handle), start=2):
                where = f"{path.name}:{line}"
                src, rel, dst = ((row.get(c) or "").strip() for c in ("from", "rel", "to"))
                if not src or not dst:
                    raise CoparkError(t("kb.csv.missing", column="from/to"), t("kb.csv.fix"), where=where)
                if rel not in RELS:
                    raise CoparkError(t("kb.csv.bad_rel", value=rel), t("kb.csv.fix"), where=where)
                edges.append(EdgeRecord(
                    src, rel, dst, (row.get("kind") or "").strip(),
                    _float(row.get("weight", ""), 1.0, where, "weight"),
                    _float(row.get("confidence", ""), 1.0, where, "confidence"),
                ))
    return nodes, edges


@lru_cache(maxsize=4)
def _curated_cached(data_dir: Path) -> tuple[tuple[NodeRecord, ...], tuple[EdgeRecord, ...]]:
    nodes, edges = read_curated(data_dir)
    return tuple(nodes), tuple(edges)


def build_graph(nodes: Iterable[NodeRecord], edges: Iterable[EdgeRecord], *, min_confidence: float = 0.0,
                sources: Iterable[str] | None = None) -> ChainGraph:
    """A ChainGraph of the given records, keeping edges of `sources` with confidence ≥ min_confidence."""
    wanted = None if sources is None else set(sources)
    graph = ChainGraph()
    for node in nodes:
        if wanted is None or node.source in wanted:
            graph.add_node(node.name, node.industry_code, node.aliases, node.source)
    for edge in edges:
        if edge.confidence >= min_confidence and (wanted is None or edge.source in wanted):
            graph.add_edge(edge)
    return graph


@lru_cache(maxsize=8)
def _curated_graph(data_dir: Path, min_confidence: float) -> ChainGraph:
    nodes, edges = _curated_cached(data_dir)
    return build_graph(nodes, edges, min_confidence=min_confidence)


def load_graph(*, min_confidence: float = 0.0, data_dir: Path | None = None) -> ChainGraph:
    """The curated chain graph (copark's own CSVs). With a database, `knowledge.store.load_graph` adds the
    kb_node/kb_relation rows that `copark kb import` wrote."""
    return _curated_graph(data_dir or DATA_DIR, min_confidence)


def curated_records(data_dir: Path | None = None) -> tuple[list[NodeRecord], list[EdgeRecord]]:
    """The curated CSVs as node and edge records (read once per folder)."""
    return _curated_cached(data_dir or DATA_DIR)
