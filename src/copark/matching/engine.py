"""The matching engine: a read-only index over offers, and pure functions that match needs against it.

One pipeline for `copark match`, `copark evaluate`, the batch and the scale benchmark: candidates (item-level
BM25, chain links that answer the need, organisation-level signals) → features → the learned ranker, or the
hand-weighted score where it has not learned → opportunities with explanations.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from copark.knowledge.text import fold
from copark.matching import explain
from copark.matching.config import RETRIEVAL
from copark.matching.encoders import Encoder
from copark.matching.features import (
    INDUSTRIAL_KINDS,
    ItemDoc,
    OrgDoc,
    answers,
    certification_fit,
    distance_value,
    haversine_km,
    industry_label,
    industry_relation,
    kind_compatibility,
    positioning_fit,
    quantity_fit,
    reciprocity,
)
from copark.matching.modes import Mode, classify_mode
from copark.matching.orgsignals import OrgProfile
from copark.matching.ranker import LearnedRanker
from copark.matching.retrieval import (
    core_text,
    head_word,
    link_strength,
    may_be_weak,
    phrases,
    top_k,
    without_weak_terms,
    words,
)
from copark.matching.scoring import POSITIONING_BONUS, WEIGHTS, combine
from copark.matching.signals import SignalIndex
from copark.parsing.regions import overlaps, within_region

#: Need kinds named by a product phrase whose head noun must appear in the offer for full text credit.
HEADED_KINDS = frozenset({"product", "material"})
HEAD_MISS_FACTOR = RETRIEVAL.head_miss_factor
#: Learned needs scored together: one LightGBM call and one sparse product per block (the batch's throughput).
LEARNED_BLOCK = 64


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
        if not mine or not theirs or overlaps(mine, theirs):
            return False
        partners = [b for a, b in self.pairings if within_region(mine, a)] + [a for a, b in self.pairings if within_region(mine, b)]
        return not partners or any(within_region(theirs, p) for p in partners)


@dataclass
class MatchEngine:
    """Offers indexed once (SignalIndex: organisation-level and item-level signals, chain tags), matched by one
    pipeline: candidates → features → the learned ranker (or the hand-weighted fallback) → explained matches."""

    offers: Sequence[ItemDoc]
    orgs: Mapping[int, OrgDoc]
    graph: Any = None
    encoder: Encoder | None = None
    ranker: LearnedRanker | None = None
    lexical_k: int = 100
    chain_k: int = 100
    workers: int = 1  # processes for tokenizing and tagging offers at build time (fork; large indexes only)
    signals: SignalIndex = field(init=False)

    def __post_init__(self) -> None:
        self._org_ids = np.array(sorted(self.orgs), dtype=np.int64)
        self._org_pos = {oid: i for i, oid in enumerate(self._org_ids.tolist())}
        # offers grouped by organization (stable): the signals reduce offers to organizations by segments
        order = sorted(range(len(self.offers)), key=lambda i: self._org_pos[self.offers[i].org_id])
        self.offers = [self.offers[i] for i in order]
        self.offer_org = np.array([self._org_pos[o.org_id] for o in self.offers], dtype=np.int32)
        positions = np.arange(len(self._org_ids))
        self._offer_start = np.searchsorted(self.offer_org, positions, side="left")  # organization → its offers
        self._offer_stop = np.searchsorted(self.offer_org, positions, side="right")
        profiles = [self.orgs[int(oid)] for oid in self._org_ids]
        texts: list[list[str]] = [[] for _ in profiles]
        for offer, pos in zip(self.offers, self.offer_org.tolist(), strict=True):
            texts[pos].append(offer.text)
        self.signals = SignalIndex.build(
            [OrgProfile(str(o.id), o.name, o.region_code or "", industry_label(o.industry_code) or o.industry_text,
                        tuple(t), o.description) for o, t in zip(profiles, texts, strict=True)],
            graph=self.graph, encoder=self.encoder, workers=self.workers)
        self.index = self.signals.lexical
        self.chain = self.signals.chain
        self.offer_node = self.signals.offer_node
        self.postings = self.signals.postings
        self._regions = sorted({self.orgs[int(oid)].region_code or "" for oid in self._org_ids})
        region_pos = {r: i for i, r in enumerate(self._regions)}
        self._org_region = np.array([region_pos[self.orgs[int(oid)].region_code or ""] for oid in self._org_ids],
                                    dtype=np.int32)
        self._has_offers = np.zeros(len(self._org_ids), dtype=bool)
        self._has_offers[self.signals.has_offers] = True  # an organization without offers answers nothing
        self._masks: dict[tuple[str | None, PairRule], np.ndarray] = {}
        self._km: dict[tuple[int, int], float | None] = {}

    def fit_ranker(self, *, enabled: frozenset[str], seed: int = 13,
                   extra: Sequence[OrgProfile] = ()) -> LearnedRanker | None:
        """A learned ranker fitted on products held out of these offer lists (None: too few to hold out).

        `extra` organizations (imported company–product lists) join the training rounds only, after the engine's
        own: they lend their lists to learn from and are never matched. The model's figures count them."""
        from copark.matching import ranker

        def index_for(reduced: list[OrgProfile]) -> SignalIndex:
            return SignalIndex.build(reduced, graph=self.graph, encoder=self.encoder, workers=self.workers)

        model = ranker.fit(index_for, [*self.signals.profiles, *extra], enabled=enabled, seed=seed)
        if model is not None:
            model.figures["knowledge_organizations"] = len(extra)
        return model

    # -- retrieval ---------------------------------------------------------------------------------

    def org_mask(self, need_org: OrgDoc, rule: PairRule) -> np.ndarray:
        """Boolean mask over organizations (engine order) that `rule` allows for `need_org` (never itself)."""
        key = (need_org.region_code, rule)
        if key not in self._masks:  # the rule depends on regions only: one mask per (region, rule)
            region_ok = np.array([rule.regions_allowed(need_org.region_code, r) for r in self._regions], dtype=bool)
            self._masks[key] = region_ok[self._org_region] & self._has_offers
        mask = self._masks[key]
        own = self._org_pos.get(need_org.id)
        if own is not None and mask[own]:
            mask = mask.copy()
            mask[own] = False
        return mask

    def offer_mask(self, need_org: OrgDoc, rule: PairRule) -> np.ndarray:
        """Boolean mask over offers whose organization `rule` allows for `need_org` (never its own)."""
        return self.org_mask(need_org, rule)[self.offer_org]

    def candidates(self, need: ItemDoc, mask: np.ndarray | None) -> dict[int, list[str]]:
        """Offer positions worth scoring for `need` → how each was found (lexical, chain)."""
        found: dict[int, list[str]] = {}
        lexical, pool, strength = self.signals.item_evidence(need.text)
        for i in top_k(lexical, self.lexical_k, mask).tolist():
            found.setdefault(i, []).append("lexical")
        if len(pool):
            prio = strength * 10.0 + lexical[pool]  # within a link strength, the closest wording first
            if mask is not None:
                keep = mask[pool]
                pool, prio = pool[keep], prio[keep]
            for i in pool[top_k(prio + 1e-6, self.chain_k)].tolist():
                found.setdefault(i, []).append("chain")
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
        named = need.text
        # 过滤棉（制氧机、雾化器用…）: the bracket explains, the phrase names; a sentence names its phrases
        for part in dict.fromkeys((core_text(need.text), *phrases(need.text))):
            if part != need.text:
                part_coverage, part_shared = self.index.coverage(part, position)
                if part_coverage > coverage:
                    coverage, shared, named = part_coverage, part_shared, part
        text = coverage
        if need.kind in HEADED_KINDS:  # 医用级过滤棉 wants 过滤棉: sharing only modifiers (医用级口罩) is weak
            head = head_word(named)
            text *= 1.0 if head and head in fold(offer.text) else HEAD_MISS_FACTOR
        link = (self.chain.best_link(need.text, self.offer_node[position], self.postings.keys())
                if self.chain is not None else None)
        if (link is None and need.kind in INDUSTRIAL_KINDS and may_be_weak(shared)
                and not self.index.coverage(without_weak_terms(need.text), position)[0]):
            text *= HEAD_MISS_FACTOR  # only 设备 / 代工 / 技术 … in common: 实训设备 vs 工业除尘设备
        return text, link_strength(link), link, shared

    def weak_overlap(self, need: ItemDoc, position: int, link: Any, shared: list[str]) -> bool:
        """Whether the pair shares words, all of them deal or generic words (运输, 渠道, 检测, 设备 …), and no
        chain link. (Sharing no word at all is not this: the learned ranker may know the firm by its other offers.)"""
        if link is not None or not shared:
            return False
        return may_be_weak(shared) and not self.index.coverage(without_weak_terms(need.text), position)[0]

    def score_pair(self, need: ItemDoc, position: int, retrieved_by: list[str] | None = None, *,
                   explained: bool = True, relevance: tuple[float, float, Any, list[str]] | None = None,
                   keep_irrelevant: bool = False) -> Match | None:
        """Every feature of (need, offer at `position`), combined; None when the pair is irrelevant (unless
        `keep_irrelevant`: the learned ranker chose the organization and this is its closest offer).

        `explained=False` skips building the explanation (ranking many candidates; winners are re-explained);
        `relevance` passes what relevance() already computed for this pair. A pair sharing only deal or generic
        words is capped below the low-confidence line: such words cannot carry a pair alone.
        """
        offer = self.offers[position]
        need_org, offer_org = self.orgs[need.org_id], self.orgs[offer.org_id]
        if not answers(need, offer, need_org, offer_org):
            return None
        text, chain, link, shared = relevance or self.relevance(need, position)
        if max(text, chain) < RETRIEVAL.min_relevance and not keep_irrelevant:
            return None
        weak = self.weak_overlap(need, position, link, shared)
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
        if weak:
            score = min(score, RETRIEVAL.low_confidence - 1.0)
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
            "weak_overlap": weak,
            "low_confidence": score < RETRIEVAL.low_confidence,
        }
        explanation = explain.build(features=values, detail=detail, contributions=contributions,
                                    mode=mode.value, retrieved_by=retrieved_by or ["exact"])
        return Match(need=need, offer=offer, score=round(score, 2), mode=mode, explanation=explanation,
                     position=position, retrieved_by=tuple(retrieved_by or ()))

    # -- matching ----------------------------------------------------------------------------------

    def match_need(self, need: ItemDoc, *, top: int = 10, rule: PairRule = PairRule(),
                   explained: bool = True) -> list[Match]:
        """The `top` best offers for one need, at most one per offering organization.

        Industrial needs (products, materials, processing, technology: "who makes this?") are ranked by the learned
        ranker when the engine has one; other needs, or every need without a ranker, by the hand-weighted score.
        `explained=False` leaves each Match's explanation empty (a bulk run can explain what it shows later).
        """
        return self.match_many([need], top=top, rule=rule, explained=explained)[0]

    def match_many(self, needs: Sequence[ItemDoc], *, top: int = 10, rule: PairRule = PairRule(),
                   explained: bool = True) -> list[list[Match]]:
        """match_need for each need, in order; learned needs are scored in blocks (one model call per block)."""
        out: list[list[Match]] = [[] for _ in needs]
        learned = [i for i, need in enumerate(needs) if self.ranker is not None and need.kind in INDUSTRIAL_KINDS]
        for begin in range(0, len(learned), LEARNED_BLOCK):
            block = learned[begin:begin + LEARNED_BLOCK]
            for i, matches in zip(block, self._learned([needs[i] for i in block], top=top, rule=rule,
                                                       explained=explained), strict=True):
                out[i] = matches
        chosen = set(learned)
        for i, need in enumerate(needs):
            if i not in chosen:
                mask = self.offer_mask(self.orgs[need.org_id], rule)
                ranked = self._ranked(need, self.candidates(need, mask).items(), top)
                out[i] = [self._explained(m) for m in ranked] if explained else ranked
        return out

    def _learned(self, needs: Sequence[ItemDoc], *, top: int, rule: PairRule, explained: bool,
                 ) -> list[list[Match]]:
        """Organizations ranked by the learned model; each shown with its offer closest to the need."""
        assert self.ranker is not None
        masks = [self.org_mask(self.orgs[need.org_id], rule) for need in needs]
        # one mask per (region, rule) unless a need's own organization had to be taken out: then one row per need
        allowed = masks[0][None, :] if all(m is masks[0] for m in masks) else np.stack(masks)
        found = self.signals.candidates([need.text for need in needs], enabled=frozenset(self.ranker.enabled),
                                        allowed=allowed)
        scored = self.ranker.score(found)
        # per row (needs asking the same share one): best raw score first, ties to the lower organization id
        groups = int(found.group.max()) + 1 if len(needs) else 0
        order = np.lexsort((self._org_ids[scored.cols], -scored.raw, scored.rows))
        starts = np.searchsorted(scored.rows[order], np.arange(groups + 1))
        shown = [order[starts[g]:min(starts[g] + top, starts[g + 1])] for g in range(groups)]
        picked = np.concatenate(shown) if shown else np.zeros(0, dtype=np.int64)
        probability = self.ranker.probability(scored.raw[picked])
        reasons = self.ranker.reasons(scored.matrix[picked]) if explained else [{}] * len(picked)
        offset = np.concatenate(([0], np.cumsum([len(rows) for rows in shown])))
        results = []
        query = self.signals.orgs.queries([need.text for need in needs])  # one transform for the block
        wording: dict[tuple[int, str, str], tuple[list[np.ndarray], list[np.ndarray], float, dict]] = {}
        for row, need in enumerate(needs):
            g = int(found.group[row])
            chosen = [(int(scored.cols[k]), float(probability[offset[g] + j]), reasons[offset[g] + j])
                      for j, k in enumerate(shown[g])]
            key = (g, need.text, need.kind)
            if key not in wording:  # needs sharing a row, a text and a kind share their offers' closeness
                cols = np.array([org for org, _, _ in chosen], dtype=np.int64)
                lexical, best = self.signals.bm25_in(need.text, self._offer_start[cols], self._offer_stop[cols])
                wording[key] = (self.signals.orgs.product_similarity(query, row, cols), lexical, best, {})
            results.append(self._learned_matches(need, chosen, wording=wording[key], explained=explained))
        return results

    def _learned_matches(self, need: ItemDoc, chosen: list[tuple[int, float, dict[str, float]]], *,
                         wording: tuple[list[np.ndarray], list[np.ndarray], float, dict], explained: bool,
                         ) -> list[Match]:
        """Each chosen organization with its offer closest to the need (`wording`: per chosen organization its
        offers' character TF-IDF cosines and BM25 to the need, the need's best BM25 over all offers, and the
        relevance of offers already compared for this text and kind)."""
        out = []
        similarity, lexical, best_lexical, compared = wording
        for rank, ((org, p, why), sims, bm25) in enumerate(zip(chosen, similarity, lexical, strict=True)):
            best = self._best_offer(need, org, sims, bm25 / max(best_lexical, 1e-9), compared)
            if best is None:
                continue  # none of its offers may answer this need (kind rules)
            position, relevance = best
            match = self.score_pair(need, position, ["learned"], explained=explained, relevance=relevance,
                                    keep_irrelevant=True)
            assert match is not None
            score = round(100.0 * p, 1)
            if self.weak_overlap(need, position, relevance[2], relevance[3]):
                score = min(score, RETRIEVAL.low_confidence - 1.0)  # deal or generic words cannot carry a pair
            explanation = match.explanation
            if explained:
                explanation = {**explanation, "low_confidence": score < RETRIEVAL.low_confidence,
                               "model": {"probability": round(p, 4), "rank": rank + 1,
                                         "reasons": {name: round(v, 3) for name, v in why.items()}}}
            out.append(Match(need=need, offer=match.offer, score=score, mode=match.mode, explanation=explanation,
                             position=position, retrieved_by=("learned",)))
        # a weak pair's cap moves it down; equal calibrated scores keep the model's order
        ranked = sorted(enumerate(out), key=lambda pair: (-pair[1].score, pair[0]))
        return [m for _, m in ranked]

    def _best_offer(self, need: ItemDoc, org: int, sims: np.ndarray, lexical: np.ndarray,
                    compared: dict[int, tuple[float, float, Any, list[str]]],
                    ) -> tuple[int, tuple[float, float, Any, list[str]]] | None:
        """Organization `org`'s offer closest to the need, and its relevance: of the offers that may answer it,
        the three closest by wording (`lexical`: its offers' BM25 scaled by the need's best, plus `sims`: their
        character TF-IDF cosines) are compared on relevance (text or chain), then closeness, then order.
        `compared` remembers relevance by offer position for needs of the same text and kind."""
        start, stop = int(self._offer_start[org]), int(self._offer_stop[org])
        need_org, offer_org = self.orgs[need.org_id], self.orgs[int(self._org_ids[org])]
        allowed = np.array([answers(need, self.offers[i], need_org, offer_org) for i in range(start, stop)],
                           dtype=bool)
        if not allowed.any():
            return None
        closeness = lexical
        if len(sims) == stop - start:  # `sims` (its products' TF-IDF cosines) align unless an offer text is blank
            closeness = closeness + sims
        near = np.argsort(-np.where(allowed, closeness, -np.inf), kind="stable")[:3]
        near = near[allowed[near]]
        best: tuple[tuple[float, float, float, int], int, tuple[float, float, Any, list[str]]] | None = None
        for offset in near.tolist():
            position = start + offset
            if position not in compared:
                compared[position] = self.relevance(need, position)
            relevance = compared[position]
            key = (max(relevance[0], relevance[1]), relevance[0], float(closeness[offset]), -position)
            if best is None or key > best[0]:
                best = (key, position, relevance)
        return None if best is None else (best[1], best[2])

    def _ranked(self, need: ItemDoc, candidates: Iterable[tuple[int, list[str] | None]], top: int) -> list[Match]:
        """_best_per_org over the candidates, skipping those whose score bound cannot reach the top (exact)."""
        bounded = []
        for order, (position, how) in enumerate(candidates):
            rel = self.relevance(need, position)
            if max(rel[0], rel[1]) >= RETRIEVAL.min_relevance:
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
    for matches in engine.match_many(list(needs), top=top, rule=rule, explained=explained):
        out.extend(matches)
    return out
