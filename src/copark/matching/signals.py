"""Every signal matching reads, for one set of offers: organisation level (OrgIndex) and item level (BM25, chain).

The engine and the ranker's training rounds build the same SignalIndex, so what the ranker learns from is what
it is later shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np

from copark.matching.orgsignals import OrgIndex, OrgProfile
from copark.matching.retrieval import ChainExpander, LexicalIndex, link_strength, phrases

#: Switches for ablation (`copark evaluate --without NAME`): doc: TF-IDF of the whole offer list; maxsim: best
#: single offer; industry: P(industry | need) and TF-IDF to the industry's products; dense: embeddings (needs an
#: encoder); surface: name similarity, bigram coverage, head bigram, need length and genericity; bm25: best
#: item-level BM25 offer; chain: best chain link that answers the need (same, sub/parent category, sibling).
SIGNALS = ("doc", "maxsim", "industry", "dense", "surface", "bm25", "chain")
SWITCHED_BY = {"sector": "industry", "name": "surface", "cover": "surface", "head": "surface",
               "generic": "surface", "length": "surface"}


def guessed_industry(profile: OrgProfile) -> str:
    """The GB/T 4754 division an organization without an industry code most likely belongs to, from its offers
    (copark classify); '' when nothing points anywhere. Only organisation-level signals group by it."""
    from copark.knowledge.classify import classify_organization

    guesses = classify_organization(profile.name, profile.products, profile.description, top=1)
    return guesses[0].name if guesses else ""


def switched(signals: dict[str, np.ndarray], enabled: frozenset[str]) -> dict[str, np.ndarray]:
    """Only the signals whose switch is on (size is always on)."""
    return {name: values for name, values in signals.items()
            if name == "size" or SWITCHED_BY.get(name, name) in enabled}


@dataclass
class SignalIndex:
    """Offers grouped by organization (offer i belongs to organization offer_org[i], ascending)."""

    profiles: list[OrgProfile]
    lexical: LexicalIndex
    offer_org: np.ndarray
    starts: np.ndarray                 # first offer of each organization in has_offers
    has_offers: np.ndarray
    chain: ChainExpander | None = None
    encoder: Any = None
    offer_node: list[str | None] = field(default_factory=list)
    postings: dict[str, np.ndarray] = field(default_factory=dict)
    _by_text: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, profiles: Sequence[OrgProfile], *, graph: Any = None, encoder: Any = None,
              workers: int = 1) -> SignalIndex:
        """Index the profiles' offer lists (each profile's products are its offers, in order)."""
        profiles = [p if p.industry else replace(p, industry=guessed_industry(p)) for p in profiles]
        texts = [text for p in profiles for text in p.products]
        offer_org = np.repeat(np.arange(len(profiles), dtype=np.int64), [len(p.products) for p in profiles])
        has_offers, starts = np.unique(offer_org, return_index=True)
        index = cls(profiles, LexicalIndex.build(texts, workers=workers), offer_org, starts, has_offers,
                    encoder=encoder)
        index.offer_node = [None] * len(texts)
        if graph is not None:
            index.chain = ChainExpander(graph)
            index.chain.tag(texts, workers=workers)
            grouped: dict[str, list[int]] = {}
            for i, text in enumerate(texts):
                nodes = index.chain.nodes(text)
                if nodes:
                    index.offer_node[i] = nodes[0]
                    grouped.setdefault(nodes[0], []).append(i)
            index.postings = {node: np.array(ix, dtype=np.int64) for node, ix in grouped.items()}
        return index

    @cached_property
    def orgs(self) -> OrgIndex:
        """Organisation-level signals, built on first use: the hand-weighted path never needs them."""
        return OrgIndex.build(self.profiles, encoder=self.encoder)

    def item_evidence(self, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(BM25 of every offer, offers the chain links to the need, each one's link strength), for a need's text.

        Remembered for the last few texts only (a score array is 8 bytes per offer): a batch sorted by text
        pays retrieval once per distinct text, whatever organizations share it.
        """
        if text in self._by_text:
            return self._by_text[text]
        lexical = self.lexical.scores(text)
        pools, strength = [], []
        if self.chain is not None and self.postings:
            nodes = self.postings.keys()
            for node in self.chain.nodes(text):
                for offer_node, link in self.chain.related(node, nodes).items():
                    pool = self.postings[offer_node]
                    pools.append(pool)
                    strength.append(np.full(len(pool), link_strength(link), dtype=np.float32))
        found = (lexical, np.concatenate(pools) if pools else np.zeros(0, dtype=np.int64),
                 np.concatenate(strength) if strength else np.zeros(0, dtype=np.float32))
        if len(self._by_text) >= 4:
            self._by_text.clear()
        self._by_text[text] = found
        return found

    def per_org_max(self, values: np.ndarray) -> np.ndarray:
        """An offer-level array reduced to each organization's best."""
        out = np.zeros(len(self.profiles), dtype=np.float32)
        if len(values):
            out[self.has_offers] = np.maximum.reduceat(values, self.starts)
        return out

    def signals(self, needs: Sequence[str], *, enabled: frozenset[str] = frozenset(SIGNALS),
                ) -> dict[str, np.ndarray]:
        """Every enabled signal: name → (needs × organizations) float32."""
        # a need written as a sentence is asked by the phrases it names (采购菜籽油、茶油，散装，每月10吨 → 菜籽油 茶油)
        needs = [" ".join(phrases(text)) or text for text in needs]
        out = switched(self.orgs.signals(needs, enabled=enabled), enabled)
        n = len(self.profiles)
        if "bm25" in enabled:
            out["bm25"] = np.zeros((len(needs), n), dtype=np.float32)
        if "chain" in enabled:
            out["chain"] = np.zeros((len(needs), n), dtype=np.float32)
        for row, text in enumerate(needs):
            lexical, pool, strength = self.item_evidence(text)
            if "bm25" in enabled:
                out["bm25"][row] = self.per_org_max(lexical)
            if "chain" in enabled and len(pool):
                links = np.zeros(len(lexical), dtype=np.float32)
                np.maximum.at(links, pool, strength)
                out["chain"][row] = self.per_org_max(links)
        return out
