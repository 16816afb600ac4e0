"""The matching engine: a read-only index over offers, and pure functions that match needs against it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from copark.matching import explain
from copark.matching.features import (
    INDUSTRIAL_KINDS,
    ItemDoc,
    OrgDoc,
    certification_fit,
    distance_value,
    haversine_km,
    industry_relation,
    kind_compatibility,
    positioning_fit,
    quantity_fit,
    reciprocity,
)
from copark.matching.modes import Mode, classify_mode
from copark.matching.retrieval import (
    ChainExpander,
    DenseIndex,
    Encoder,
    LexicalIndex,
    core_text,
    head_word,
    link_strength,
    may_be_weak,
    normalize,
    top_k,
    without_weak_terms,
    words,
)
from copark.matching.scoring import POSITIONING_BONUS, WEIGHTS, combine

#: Need kinds named by a product phrase whose head noun must appear in the offer for full text credit.
HEADED_KINDS = frozenset({"product", "material"})
HEAD_MISS_FACTOR = 0.6
#: Below this relevance (max of text and chain) a pair is not an opportunity, whatever else fits.
MIN_RELEVANCE = 0.2


@dataclass(frozen=True)
class Match:
    """One scored need–offer pair with its mode and explanation."""

    need: ItemDoc
    offer: ItemDoc
    score: float
    mode: Mode
    explanation: dict[str, Any]
    position: int = -1  # the offer's position in the engine
    retrieved_by: tuple[str, ...] = ()


def within_region(code: str, area: str) -> bool:
    """Whether region `code` lies in `area` (6-digit codes are hierarchical: 43 province, 4312 city)."""
    if area.endswith("0000"):
        return code[:2] == area[:2]
    if area.endswith("00"):
        return code[:4] == area[:4]
    return code == area


def _overlap(a: str, b: str) -> bool:
    return within_region(a, b) or within_region(b, a)


@dataclass(frozen=True)
class PairRule:
    """Which organizations may meet: never itself; cross-region means another region, the paired one if a park pairs them."""

    cross_region: bool = True
    pairings: tuple[tuple[str, str], ...] = ()  # (park region, partner region) of every park

    def allowed(self, need_org: OrgDoc, offer_org: OrgDoc) -> bool:
        return need_org.id != offer_org.id and self.regions_allowed(need_org.region_code, offer_org.region_code)

    def regions_allowed(self, mine: str | None, theirs: str | None) -> bool:
        """Whether an organization in region `mine` may be matched with one in `theirs`."""
        if not self.cross_region:
            return True
        if not mine or not theirs or _overlap(mine, theirs):
            return False
        partners = [b for a, b in self.pairings if within_region(mine, a)] + [a for a, b in self.pairings if within_region(mine, b)]
        return not partners or any(within_region(theirs, p) for p in partners)


@dataclass
class MatchEngine:
    """Offers indexed for retrieval (BM25 + chain + optional dense) and scored with every feature."""

    offers: Sequence[ItemDoc]
    orgs: Mapping[int, OrgDoc]
    graph: Any = None
    encoder: Encoder | None = None
    lexical_k: int = 100
    chain_k: int = 100
    dense_k: int = 50
    workers: int = 1  # processes for tokenizing and tagging offers at build time (fork; large indexes only)
    index: LexicalIndex = field(init=False)
    chain: ChainExpander | None = field(init=False, default=None)
    dense: DenseIndex | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.offers = list(self.offers)
        texts = [o.text for o in self.offers]
        self.index = LexicalIndex.build(texts, workers=self.workers)
        self._org_ids = np.array(sorted(self.orgs), dtype=np.int64)
        self._org_pos = {oid: i for i, oid in enumerate(self._org_ids.tolist())}
        self.offer_org = np.array([self._org_pos[o.org_id] for o in self.offers], dtype=np.int32)
        self._regions = sorted({self.orgs[int(oid)].region_code or "" for oid in self._org_ids})
        region_pos = {r: i for i, r in enumerate(self._regions)}
        self._org_region = np.array([region_pos[self.orgs[int(oid)].region_code or ""] for oid in self._org_ids],
                                    dtype=np.int32)
        self.offer_node: list[str | None] = [None] * len(self.offers)
        self.postings: dict[str, np.ndarray] = {}
        if self.graph is not None:
            self.chain = ChainExpander(self.graph)
            self.chain.tag(texts, workers=self.workers)
            grouped: dict[str, list[int]] = {}
            for i, text in enumerate(texts):
                nodes = self.chain.nodes(text)
                if nodes:
                    self.offer_node[i] = nodes[0]
                    grouped.setdefault(nodes[0], []).append(i)
            self.postings = {node: np.array(ix, dtype=np.int64) for node, ix in grouped.items()}
        if self.encoder is not None:
            self.dense = DenseIndex.build(self.encoder, texts)
        self._masks: dict[tuple[str | None, PairRule], np.ndarray] = {}
        self._km: dict[tuple[int, int], float | None] = {}
        self._by_text: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    # -- retrieval ---------------------------------------------------------------------------------

    def offer_mask(self, need_org: OrgDoc, rule: PairRule) -> np.ndarray:
        """Boolean mask over offers whose organization `rule` allows for `need_org` (never its own)."""
        key = (need_org.region_code, rule)
        if key not in self._masks:  # the rule depends on regions only: one mask per (region, rule)
            region_ok = np.array([rule.regions_allowed(need_org.region_code, r) for r in self._regions], dtype=bool)
            self._masks[key] = region_ok[self._org_region][self.offer_org]
        mask = self._masks[key]
        own = self._org_pos.get(need_org.id)
        # own offers sit in the need's own region: a rule refusing that region has masked them already
        if own is not None and rule.regions_allowed(need_org.region_code, need_org.region_code) and mask.any():
            mask = mask & (self.offer_org != own)
        return mask

    def candidates(self, need: ItemDoc, mask: np.ndarray | None) -> dict[int, list[str]]:
        """Offer positions worth scoring for `need` → how each was found (lexical, chain, dense)."""
        found: dict[int, list[str]] = {}
        lexical, pool, prio = self._text_candidates(need.text)
        for i in top_k(lexical, self.lexical_k, mask).tolist():
            found.setdefault(i, []).append("lexical")
        if len(pool):
            if mask is not None:
                keep = mask[pool]
                pool, prio = pool[keep], prio[keep]
            for i in pool[top_k(prio + 1e-6, self.chain_k)].tolist():
                found.setdefault(i, []).append("chain")
        if self.dense is not None:
            dense = np.clip(self.dense.scores(need.text), 0.0, None)
            for i in top_k(dense, self.dense_k, mask).tolist():
                found.setdefault(i, []).append("dense")
        return found

    def _text_candidates(self, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """What retrieval knows from a need's text alone (BM25 scores, chain pool and its priorities).

        Remembered for the last few texts only (a score array is 4 bytes per offer): a batch sorted by
        text then pays retrieval once per distinct text, whatever organizations share it.
        """
        if text in self._by_text:
            return self._by_text[text]
        lexical = self.index.scores(text)
        pools, priority = [], []
        if self.chain is not None and self.postings:
            nodes = self.postings.keys()
            for node in self.chain.nodes(text):
                for offer_node, link in self.chain.related(node, nodes).items():
                    pool = self.postings[offer_node]
                    pools.append(pool)
                    # rank inside a node by lexical score so the closest wording comes first
                    priority.append(link_strength(link) * 10.0 + lexical[pool])
        found = (lexical, np.concatenate(pools) if pools else np.zeros(0, dtype=np.int64),
                 np.concatenate(priority) if priority else np.zeros(0, dtype=np.float32))
        if len(self._by_text) >= 4:
            self._by_text.clear()
        self._by_text[text] = found
        return found

    # -- scoring -----------------------------------------------------------------------------------

    def _distance(self, a: OrgDoc, b: OrgDoc) -> float | None:
        key = (a.id, b.id)
        if key not in self._km:
            self._km[key] = haversine_km(a.lonlat, b.lonlat)
        return self._km[key]

    def relevance(self, need: ItemDoc, position: int) -> tuple[float, float, Any, list[str]]:
        """(text, chain, ChainLink or None, shared tokens) of a need and the offer at `position`."""
        offer = self.offers[position]
        coverage, shared = self.index.coverage(need.text, position)
        core = core_text(need.text)
        if core != need.text:  # 过滤棉（制氧机、雾化器用空气过滤材料）: the bracket explains, the phrase names
            core_coverage, core_shared = self.index.coverage(core, position)
            if core_coverage > coverage:
                coverage, shared = core_coverage, core_shared
        text = coverage
        if need.kind in HEADED_KINDS:  # 医用级过滤棉 wants 过滤棉: sharing only modifiers (医用级口罩) is weak
            head = head_word(need.text)
            text *= 1.0 if head and head in normalize(offer.text) else HEAD_MISS_FACTOR
        link = (self.chain.best_link(need.text, self.offer_node[position], self.postings.keys())
                if self.chain is not None else None)
        if (link is None and need.kind in INDUSTRIAL_KINDS and may_be_weak(shared)
                and not self.index.coverage(without_weak_terms(need.text), position)[0]):
            text *= HEAD_MISS_FACTOR  # only 设备 / 代工 / 技术 … in common: 实训设备 vs 工业除尘设备
        return text, link_strength(link), link, shared

    def score_pair(self, need: ItemDoc, position: int, retrieved_by: list[str] | None = None, *,
                   explained: bool = True, relevance: tuple[float, float, Any, list[str]] | None = None,
                   ) -> Match | None:
        """Every feature of (need, offer at `position`), combined; None when the pair is irrelevant.

        `explained=False` skips building the explanation (ranking many candidates; winners are re-explained);
        `relevance` passes what relevance() already computed for this pair.
        """
        offer = self.offers[position]
        need_org, offer_org = self.orgs[need.org_id], self.orgs[offer.org_id]
        text, chain, link, shared = relevance or self.relevance(need, position)
        if max(text, chain) < MIN_RELEVANCE:
            return None
        if offer.kind in INDUSTRIAL_KINDS:
            relation, industry = industry_relation(need_org.industry_code, offer_org.industry_code, link is not None)
        else:  # a bank's loan or a school's training serves any industry
            relation, industry = "not_applicable", 0.5
        quantity, basis = quantity_fit(need, offer)
        cert, met, missing = certification_fit(need.certifications, offer, offer_org)
        km = self._distance(need_org, offer_org)
        recip, recip_terms = reciprocity(need_org, offer_org)
        positioning, entry = positioning_fit(need_org.positioning or offer_org.positioning, offer_org, need_org,
                                             link is not None, offer.kind)
        values = {
            "text": text, "chain": chain, "industry": industry, "kind": kind_compatibility(need.kind, offer.kind),
            "quantity": quantity, "certification": cert, "distance": distance_value(km),
            "reciprocity": recip, "positioning": positioning,
        }
        score, contributions = combine(values)
        mode = classify_mode(need, offer, need_org, offer_org)
        if not explained:
            return Match(need=need, offer=offer, score=round(score, 2), mode=mode, explanation={},
                         position=position, retrieved_by=tuple(retrieved_by or ()))
        detail = {
            "matched_terms": explain.matched_terms(shared, words(need.text)),
            "chain": explain.link_dict(link),
            "industry": {"relation": relation, "need_code": need_org.industry_code,
                         "offer_code": offer_org.industry_code},
            "distance_km": None if km is None else round(km, 1),
            "kind": {"need": need.kind, "offer": offer.kind},
            "quantity": {"basis": basis},
            "certification": {"met": met, "missing": missing},
            "reciprocity": recip_terms,
            "positioning": {"value": positioning, "entry": entry},
        }
        explanation = explain.build(features=values, detail=detail, contributions=contributions,
                                    mode=mode.value, retrieved_by=retrieved_by or ["exact"])
        return Match(need=need, offer=offer, score=round(score, 2), mode=mode, explanation=explanation,
                     position=position, retrieved_by=tuple(retrieved_by or ()))

    # -- matching ----------------------------------------------------------------------------------

    def match_need(self, need: ItemDoc, *, top: int = 10, rule: PairRule = PairRule(),
                   explained: bool = True) -> list[Match]:
        """The `top` best offers for one need through the index, at most one per offering organization.

        `explained=False` leaves each Match's explanation empty (a bulk run can explain what it shows later).
        """
        mask = self.offer_mask(self.orgs[need.org_id], rule)
        ranked = self._ranked(need, self.candidates(need, mask).items(), top)
        return [self._explained(m) for m in ranked] if explained else ranked

    def _ranked(self, need: ItemDoc, candidates: Iterable[tuple[int, list[str] | None]], top: int) -> list[Match]:
        """_best_per_org over the candidates, skipping those whose score bound cannot reach the top (exact)."""
        bounded = []
        for order, (position, how) in enumerate(candidates):
            rel = self.relevance(need, position)
            if max(rel[0], rel[1]) >= MIN_RELEVANCE:
                bounded.append((score_bound(rel[0], rel[1]), order, position, how, rel))
        bounded.sort(key=lambda b: -b[0])
        best: dict[int, tuple[Match, int]] = {}
        floor = -1.0  # the top-th best organization's score so far
        for bound, order, position, how, rel in bounded:
            if round(bound, 2) < floor:
                break  # sorted by bound: no later candidate can enter the top or raise an organization's best
            match = self.score_pair(need, position, how, explained=False, relevance=rel)
            if match is None:
                continue
            current = best.get(match.offer.org_id)
            # equal scores: the earlier candidate wins, as when every candidate is scored in order
            if current is None or (match.score, -order) > (current[0].score, -current[1]):
                best[match.offer.org_id] = (match, order)
                if len(best) >= top:
                    floor = sorted((m.score for m, _ in best.values()), reverse=True)[top - 1]
        return _best_per_org((m for m, _ in best.values()), top)

    def exact(self, need: ItemDoc, *, top: int = 10, rule: PairRule = PairRule()) -> list[Match]:
        """The same ranking by brute force over every allowed offer (reference for recall and speed)."""
        mask = self.offer_mask(self.orgs[need.org_id], rule)
        scored = (self.score_pair(need, i, explained=False) for i in np.flatnonzero(mask).tolist())
        return [self._explained(m) for m in _best_per_org(scored, top)]

    def _explained(self, match: Match) -> Match:
        full = self.score_pair(match.need, match.position, list(match.retrieved_by) or None)
        assert full is not None  # the same pair scored just before
        return full


def score_bound(text: float, chain: float) -> float:
    """The highest score a pair with this text and chain relevance can get (every other feature perfect)."""
    rest = sum(WEIGHTS.values()) - WEIGHTS["relevance"] - WEIGHTS["agreement"] + POSITIONING_BONUS
    return max(0.0, min(100.0, 100.0 * (WEIGHTS["relevance"] * max(text, chain)
                                        + WEIGHTS["agreement"] * min(text, chain) + rest)))


def _best_per_org(scored: Iterable[Match | None], top: int) -> list[Match]:
    best: dict[int, Match] = {}
    for match in scored:
        if match is None:
            continue
        current = best.get(match.offer.org_id)
        if current is None or match.score > current.score:
            best[match.offer.org_id] = match
    ranked = sorted(best.values(), key=lambda m: (-m.score, m.offer.org_id, m.offer.text))
    return ranked[:top]


def match_partition(engine: MatchEngine, needs: Iterable[ItemDoc], *, top: int = 10,
                    rule: PairRule = PairRule(), explained: bool = True) -> list[Match]:
    """Match a partition of needs against a read-only engine: pure, so it can run on any worker."""
    out: list[Match] = []
    for need in needs:
        out.extend(engine.match_need(need, top=top, rule=rule, explained=explained))
    return out
