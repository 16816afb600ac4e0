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

from copark.matching.config import LEARNING
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
    _best_bm25: dict[str, float] = field(default_factory=dict, repr=False)

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
        found = (lexical, *self.chain_pool(text))
        if len(self._by_text) >= 4:
            self._by_text.clear()
        self._by_text[text] = found
        self._remember_best(text, float(lexical.max(initial=0.0)))
        return found

    def chain_pool(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(offers the chain links to the need, each one's link strength); empty without a graph."""
        pools, strength = [], []
        if self.chain is not None and self.postings:
            nodes = self.postings.keys()
            for node in self.chain.nodes(text):
                for offer_node, link in self.chain.related(node, nodes).items():
                    pool = self.postings[offer_node]
                    pools.append(pool)
                    strength.append(np.full(len(pool), link_strength(link), dtype=np.float32))
        return (np.concatenate(pools) if pools else np.zeros(0, dtype=np.int64),
                np.concatenate(strength) if strength else np.zeros(0, dtype=np.float32))

    def _remember_best(self, text: str, best: float) -> None:
        if len(self._best_bm25) >= 100_000:
            self._best_bm25.clear()
        self._best_bm25[text] = best

    def bm25_in(self, text: str, starts: np.ndarray, stops: np.ndarray) -> tuple[list[np.ndarray], float]:
        """(BM25 of the offers of each range starts[r]…stops[r], the need's best BM25 over all offers): a few
        offers without a full pass when the need was retrieved recently (its best is remembered far longer than
        its score array)."""
        if text in self._by_text or text not in self._best_bm25:
            lexical = self.item_evidence(text)[0]
            return [lexical[a:b] for a, b in zip(starts.tolist(), stops.tolist(), strict=True)], self._best_bm25[text]
        return self.lexical.scores_in(text, starts, stops), self._best_bm25[text]

    def per_org_best(self, offers: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Each organization's best value over `offers` (ascending offer positions, their non-negative `values`);
        0 for organizations without one. Offers are grouped by organization, so the owners of ascending offers
        are ascending too: one maximum.reduceat over the segments, proportional to the offers given, not to all.
        """
        out = np.zeros(len(self.profiles), dtype=np.float32)
        if len(offers):
            owner = self.offer_org[offers]
            first = np.flatnonzero(np.concatenate(([True], owner[1:] != owner[:-1])))
            out[owner[first]] = np.maximum.reduceat(values, first)
        return out

    def candidates(self, needs: Sequence[str], *, enabled: frozenset[str] = frozenset(SIGNALS),
                   allowed: np.ndarray | None = None, merge: bool = True) -> Candidates:
        """The organizations worth scoring for each need, with every feature the learned ranker reads.

        Broad signals (doc, sector, name, bm25, chain) are computed for every organization; the top organizations
        of each (LEARNING.nominate, among `allowed`: needs × organizations, or one row for all) are the candidates.
        Narrow signals (maxsim, industry, dense, surface) are computed for the candidates only. Each ranked signal
        also enters scaled by the need's best (broad: among the allowed organizations; narrow: among its
        candidates) and as the log of its rank among the need's candidates.

        Needs asking the same text among the same allowed organizations get the same candidates and features, so
        with `merge` they are computed once: rows of the result are such groups, `group[i]` is need i's row (a
        batch of 100k needs over 1M offers held 51k distinct texts). Without `merge` every need is its own row.
        """
        # a need written as a sentence is asked by the phrases it names (采购菜籽油、茶油，散装，每月10吨 → 菜籽油 茶油)
        asked = [" ".join(phrases(text)) or text for text in needs]
        group, firsts = _merged(asked, allowed) if merge else (np.arange(len(asked)), list(range(len(asked))))
        texts = [asked[i] for i in firsts]
        if allowed is not None and len(allowed) > 1:
            allowed = allowed[firsts]
        # one region rule for the whole block, leaving few organizations: broad signals for those columns only
        scope = None
        if allowed is not None and len(allowed) == 1 and SCOPE_SHARE * int(allowed[0].sum()) < len(self.profiles):
            scope = np.flatnonzero(allowed[0])
        q = self.orgs.queries(texts)
        broad = switched(self.orgs.broad(q, enabled=enabled, scope=scope), enabled)
        broad.update(self._item_level(texts, enabled, scope))
        if scope is None:
            rows, cols = _nominate(broad, len(texts), len(self.profiles), allowed)
            best = {name: _best_allowed(values, allowed) for name, values in broad.items()}
        else:
            rows, at = _nominate(broad, len(texts), len(scope), None)
            best = {name: values.max(axis=1) for name, values in broad.items()}
            cols = scope[at]  # ascending: the pairs stay sorted by need, then organization
        features: dict[str, np.ndarray] = {}
        for name, values in broad.items():
            features[name] = values[rows, cols if scope is None else at]
            features[f"{name}_scaled"] = features[name] / np.maximum(best[name], 1e-6)[rows]
        for name, values in switched(self.orgs.narrow(q, rows, cols, enabled=enabled), enabled).items():
            features[name] = values
            if name in RANKED_NARROW:
                features[f"{name}_scaled"] = _within_need(values, rows, len(texts))[0]
        for name in [*broad, *(n for n in RANKED_NARROW if n in features)]:
            features[f"{name}_rank"] = np.log1p(_within_need(features[name], rows, len(texts))[1]).astype(np.float32)
        return Candidates(rows, cols, features, group)

    def _item_level(self, texts: Sequence[str], enabled: frozenset[str], scope: np.ndarray | None = None,
                    ) -> dict[str, np.ndarray]:
        """bm25: each organization's best BM25 offer; chain: its best chain link answering the need (for the
        organizations `scope`, or all)."""
        n = len(self.profiles)
        out: dict[str, np.ndarray] = {}
        if "bm25" in enabled:
            out["bm25"] = np.zeros((len(texts), n), dtype=np.float32)
        if "chain" in enabled:
            out["chain"] = np.zeros((len(texts), n), dtype=np.float32)
        for row, text in enumerate(texts):
            if "bm25" in enabled:
                offers, values = self.lexical.sparse_scores(text)  # at 1M offers a need touches a few thousand
                out["bm25"][row] = self.per_org_best(offers, values)
                self._remember_best(text, float(values.max(initial=0.0)))
            if "chain" in enabled:
                pool, strength = self.chain_pool(text)
                if len(pool):
                    np.maximum.at(out["chain"][row], self.offer_org[pool], strength)
        return out if scope is None else {name: values[:, scope] for name, values in out.items()}


#: A region rule letting a block meet fewer than 1/SCOPE_SHARE of the organizations restricts the broad signals to
#: them (their matrices' columns kept per rule): a park's partner region is a fifth of a province or less.
SCOPE_SHARE = 2

#: Narrow signals that also enter scaled and ranked (among the need's candidates).
RANKED_NARROW = frozenset({"maxsim", "industry", "dense"})


@dataclass(frozen=True)
class Candidates:
    """Organizations worth scoring for a block of needs: pair i is row rows[i] (a need, or needs asking the same)
    and organization cols[i] (engine order), sorted by row then organization; features[name][i] is that pair's
    value of a feature; need j's pairs are those of row group[j]."""

    rows: np.ndarray
    cols: np.ndarray
    features: dict[str, np.ndarray]
    group: np.ndarray  # need → its row (needs asking the same text among the same organizations share one)

    def matrix(self, names: Sequence[str]) -> np.ndarray:
        missing = [name for name in names if name not in self.features]
        if missing:
            raise ValueError(f"signals missing for the learned ranker: {missing}")
        if not names:
            return np.zeros((len(self.rows), 0), dtype=np.float32)
        return np.stack([self.features[name] for name in names], axis=1).astype(np.float32)


def _merged(texts: Sequence[str], allowed: np.ndarray | None) -> tuple[np.ndarray, list[int]]:
    """(need → group, first need of each group): needs with the same text and the same allowed organizations."""
    seen: dict[tuple[str, bytes], int] = {}
    group = np.empty(len(texts), dtype=np.int64)
    firsts: list[int] = []
    per_need = allowed is not None and len(allowed) > 1
    for i, text in enumerate(texts):
        key = (text, allowed[i].tobytes() if per_need else b"")
        if key not in seen:
            seen[key] = len(firsts)
            firsts.append(i)
        group[i] = seen[key]
    return group, firsts


def _best_allowed(values: np.ndarray, allowed: np.ndarray | None) -> np.ndarray:
    """Each need's best value among the organizations it may meet (`allowed`: one row for all, or one per need)."""
    if allowed is None:
        return values.max(axis=1)
    return np.where(allowed, values, 0.0).max(axis=1)


def _nominate(broad: dict[str, np.ndarray], n_needs: int, n_orgs: int, allowed: np.ndarray | None,
              ) -> tuple[np.ndarray, np.ndarray]:
    """(need rows, organization cols) of the candidates, sorted: the top organizations of each broad signal
    (LEARNING.nominate) among the allowed ones; a zero signal nominates nobody."""
    mask = np.zeros((n_needs, n_orgs), dtype=bool)
    signals = [(broad[name], count) for name, count in LEARNING.nominate.items() if name in broad]
    if not n_orgs or not signals:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    shared = np.flatnonzero(allowed[0]) if allowed is not None and len(allowed) == 1 else None
    for row in range(n_needs):
        # the allowed organizations of this need (a region rule may leave a fifth of them): partition only those
        cols = shared if allowed is None or len(allowed) == 1 else np.flatnonzero(allowed[row])
        for values, count in signals:
            mine = values[row] if cols is None else values[row, cols]
            k = min(count, len(mine))
            if not k:
                continue
            top = np.argpartition(-mine, k - 1)[:k]
            top = top[mine[top] > 0]
            mask[row, top if cols is None else cols[top]] = True
    return np.nonzero(mask)


def _within_need(values: np.ndarray, rows: np.ndarray, n_needs: int) -> tuple[np.ndarray, np.ndarray]:
    """(value ÷ the need's best, rank among the need's candidates; 0 = best, ties by organization order) of pairs
    sorted by need."""
    if not len(values):
        return values.astype(np.float32), np.zeros(0, dtype=np.int64)
    starts = np.searchsorted(rows, np.arange(n_needs))
    present = np.unique(rows)
    best = np.zeros(n_needs, dtype=np.float32)
    best[present] = np.maximum.reduceat(values, starts[present])
    order = np.lexsort((np.arange(len(values)), -values, rows))  # pairs are in organization order within a need
    rank = np.empty(len(values), dtype=np.int64)
    rank[order] = np.arange(len(values)) - starts[rows[order]]
    return (values / np.maximum(best[rows], 1e-6)).astype(np.float32), rank
