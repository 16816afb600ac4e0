"""推断需求/资源: what an organization likely needs (its products' inputs) and makes, from the chain graph.

Pure: it reads an organization and the graph and proposes candidates; storing them as inferred items and
reviewing them is `copark.services.inference`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from copark.core.vocab import Direction, ItemKind, Origin
from copark.knowledge.graph import CURATED, ChainGraph, key
from copark.locale import t
from copark.storage.tables import Item, Organization

SOURCE = "copark infer"
MIN_MATCH = 0.5  # a product must name a node at least this clearly (a fuzzy match tops out at 0.6)
SECOND_STEP = 0.6  # an input's input is a weaker need than a direct input
SECOND_STEP_KINDS = ("component", "material")
INHERITED = 0.8  # inputs of the general product (制氧机) apply to a specific one (高原制氧机), a bit less surely
FROM_INDUSTRY = 0.5  # starting from the industry code alone, without a named product

# The kind of chain input (relations_*.csv `kind`) → the 类别 of the inferred need.
ITEM_KIND = {
    "material": ItemKind.material, "component": ItemKind.material, "energy": ItemKind.material,
    "equipment": ItemKind.product, "service": ItemKind.service, "technology": ItemKind.technology,
    "talent": ItemKind.talent,
}


@dataclass
class Candidate:
    name: str
    confidence: float
    path: list[str]
    from_product: str
    kind: str


def declared(org: Organization, direction: Direction) -> list[Item]:
    return [i for i in org.items if i.direction == direction and i.origin != Origin.inferred
            and i.withdrawn_at is None]


def product_texts(org: Organization) -> list[str]:
    """What the organization makes: its 主营产品 and declared product-like offers, in order, once each."""
    texts = [str(p) for p in (org.products or []) if str(p).strip()]
    texts += [i.text for i in declared(org, Direction.offer)
              if i.kind in (ItemKind.product, ItemKind.material, ItemKind.processing)]
    return list(dict.fromkeys(texts))


def own_nodes(graph: ChainGraph, texts: Iterable[str]) -> set[str]:
    """Keys of the texts and of the nodes they name exactly, by alias or by head noun."""
    keys: set[str] = set()
    for text in texts:
        keys.add(key(text))
        keys.update(key(m.name) for m in graph.match_nodes(text, limit=2, fuzzy=False) if m.how != "head")
    return keys


def need_candidates(graph: ChainGraph, org: Organization) -> list[Candidate]:
    starts: list[tuple[str, str, float, str]] = []  # (node, from_product, match score, label)
    for text in product_texts(org):
        for match in graph.match_nodes(text, limit=2):
            if match.score >= MIN_MATCH:
                starts.append((match.name, text, match.score, text))
    if not starts and org.industry_code:
        label = t("infer.from_industry", code=org.industry_code)
        starts = [(name, label, FROM_INDUSTRY, label) for name in graph.nodes_in_industry(org.industry_code)[:10]]
    found: dict[str, Candidate] = {}
    for node, from_product, score, label in starts:
        head = [label, node] if key(label) != key(node) else [node]
        direct = {step.name: step.kind for step in graph.upstream(node, depth=1)}
        # One step further only through bought components, for their parts and materials (make-or-buy):
        # a maker of 血糖仪 may source the crystal of its PCBA, not the iron ore of its steel tubes.
        walks = [(step, 1.0, head) for step in graph.upstream(node, depth=2)
                 if len(step.path) == 2 or (direct.get(step.path[1]) == "component"
                                            and step.kind in SECOND_STEP_KINDS)]
        for parent in graph.parents(node, depth=1):
            walks += [(step, INHERITED, [*head, *step.path[:1]]) for step in graph.upstream(parent.name, depth=1)]
        for step, factor, prefix in walks:
            depth = len(step.path) - 1
            confidence = score * step.confidence * factor * (SECOND_STEP if depth > 1 else 1.0)
            path = [*prefix, *step.path[1:]] if prefix[-1] == step.path[0] else [*prefix, *step.path]
            old = found.get(step.name)
            if old is None or old.confidence < confidence:
                found[step.name] = Candidate(step.name, confidence, path, from_product, step.kind)
    return list(found.values())


def offer_candidates(graph: ChainGraph, org: Organization) -> list[Candidate]:
    found: dict[str, Candidate] = {}
    if org.industry_code:
        label = t("infer.from_industry", code=org.industry_code)
        for name in graph.nodes_in_industry(org.industry_code):
            found[name] = Candidate(name, FROM_INDUSTRY, [label, name], label, "product")
    text = key(org.description or "")
    if text:
        # Curated products by name; long mined names only, since short ones (系统, 制品) are everywhere.
        hits = [i for i, name in enumerate(graph.names)
                if (graph.sources[i] == CURATED and len(name) >= 2 or len(name) >= 4) and key(name) in text]
        names = [graph.names[i] for i in hits]
        for i in hits:
            name = graph.names[i]
            if any(name != other and name in other for other in names):
                continue  # 海绵 inside 医用海绵: keep the longer, more specific name
            confidence = 0.6 if graph.sources[i] == CURATED else 0.4
            if name in found:
                confidence = min(0.8, confidence + 0.2)  # the industry code agrees
            found[name] = Candidate(name, confidence, [t("infer.from_text", name=name), name],
                                    t("infer.from_text", name=name), "product")
    return list(found.values())
