"""OrgRanker: rank organizations by how likely they make a needed product (capability search)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from copark.knowledge.chainkg import ChainKgData
from copark.matching.encoders import CachingEncoder, Encoder
from copark.matching.ranker_learned import LearnedRanker, TrainingRound, train
from copark.matching.ranker_selfsup import hold_out, hold_out_rounds
from copark.matching.ranker_signals import OrgProfile, TextIndex

__all__ = ["SIGNALS", "OrgProfile", "OrgRanker", "RankedOrg"]

# doc: TF-IDF of the whole product list; maxsim: best single product; industry: P(industry | need) from the
# industries of similar products; colisting: organizations resembling those that make similar products;
# kg: organizations listing chain neighbours of the need (needs --kb); dense: embedding similarity of the need to
# the organization's closest product (needs an encoder); surface: name similarity, bigram coverage, head-bigram
# match, need length and genericity (read by the learned ranker only).
SIGNALS = ("doc", "maxsim", "industry", "colisting", "kg", "dense", "surface")
LINEAR = ("doc", "maxsim", "industry", "colisting", "kg", "dense")
# Outputs of TextIndex.signals that a switch above turns on or off besides its own name; size is always on.
SWITCHED_BY = {"sector": "industry", "name": "surface", "cover": "surface", "head": "surface",
               "generic": "surface", "length": "surface"}
DEFAULT_WEIGHTS = {"doc": 1.0, "maxsim": 0.1, "industry": 0.1, "colisting": 0.05, "kg": 0.1, "dense": 0.7}
GRID = (0.0, 0.03, 0.06, 0.1, 0.2, 0.4)
# dense can be as strong as doc on its own, so its search must reach past doc's weight of 1.
GRIDS = {"dense": (0.0, 0.1, 0.2, 0.4, 0.7, 1.0, 1.5)}
MIN_TUNING_CASES = 50   # fewer self-supervised cases than this: weights would be noise, keep the defaults
TUNING_CASES = 1200     # enough to separate weights by ~1 point of hits@10, small enough for CI
MIN_GAIN = 0.01         # smaller gains on 1,200 cases were noise: they did not carry over to a second split
LEARNING_ROUNDS = 3     # rounds of distinct held-out products: two to train on, one to stop early on
LEARNING_CASES = 2500   # held-out products per round
MIN_LEARNING_CASES = 300


@dataclass(frozen=True)
class RankedOrg:
    """One ranked organization with its fused score and the signal values behind it."""

    org_id: str
    score: float
    features: dict[str, float]


def _hits_mrr(scores: np.ndarray, truth: np.ndarray) -> float:
    """Selection objective: hits@10 + MRR over self-supervised cases (ties count against the truth)."""
    target = scores[np.arange(len(truth)), truth]
    rank = (scores >= target[:, None]).sum(axis=1)
    return float((rank <= 10).mean() + (1.0 / rank).mean())


@dataclass
class OrgRanker:
    """Ranks organizations for a need from the enabled signals, fitted on the organizations' own product lists.

    With learn=True (and tune=True) a LambdaRank model (`ranker_learned`) is trained on three rounds of held-out
    products; otherwise, or when too few products can be held out, the signals are fused linearly with weights
    chosen on one round (tune=True) or fixed defaults (tune=False).
    """

    without: frozenset[str] = frozenset()
    tune: bool = True
    learn: bool = True
    seed: int = 13
    weights: dict[str, float] = field(default_factory=dict)
    tuning_cases: int = 0
    encoder: Encoder | None = None
    model: LearnedRanker | None = None
    _index: TextIndex | None = None
    _enabled: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        unknown = set(self.without) - set(SIGNALS)
        if unknown:
            raise ValueError(f"unknown signal(s): {sorted(unknown)}")
        self.without = frozenset(self.without)

    @property
    def enabled(self) -> frozenset[str]:
        return frozenset(SIGNALS) - self.without

    def fit(self, orgs: Sequence[OrgProfile], *, kb: ChainKgData | None = None) -> OrgRanker:
        """Index the organizations; with tune=True first pick weights on self-supervised held-out products."""
        enabled = self.enabled if kb is not None else self.enabled - {"kg"}
        if self.encoder is not None and not isinstance(self.encoder, CachingEncoder):
            # Tuning and final index share most products: encode each distinct text once per fit.
            self.encoder = CachingEncoder(self.encoder)
        encoder = self.encoder if "dense" in enabled else None
        if encoder is None:
            enabled -= {"dense"}
        self._enabled = enabled
        self.weights = {name: DEFAULT_WEIGHTS[name] for name in LINEAR if name in enabled}
        self.model = None
        if self.tune and self.learn:
            self.model = self._learn(orgs, kb=kb, encoder=encoder)
        if self.tune and self.model is None:
            reduced, cases = hold_out(orgs, seed=self.seed, limit=TUNING_CASES)
            self.tuning_cases = len(cases)
            if len(cases) >= MIN_TUNING_CASES:
                index = TextIndex.build(reduced, kb=kb, encoder=encoder)
                signals = _normalized(index.signals([c.need for c in cases], enabled=enabled))
                self.weights = _coordinate_search(signals, np.asarray([c.org_index for c in cases]), self.weights)
        self._index = TextIndex.build(orgs, kb=kb, encoder=encoder)
        return self

    def _learn(self, orgs: Sequence[OrgProfile], *, kb: ChainKgData | None,
               encoder: Encoder | None) -> LearnedRanker | None:
        rounds = hold_out_rounds(orgs, rounds=LEARNING_ROUNDS, seed=self.seed, limit=LEARNING_CASES)
        total = sum(len(cases) for _, cases in rounds)
        if total < MIN_LEARNING_CASES:
            return None
        training = []
        for reduced, cases in rounds:
            index = TextIndex.build(reduced, kb=kb, encoder=encoder)
            signals = self._switched(index.signals([c.need for c in cases], enabled=self._enabled))
            training.append(TrainingRound(signals, np.asarray([c.org_index for c in cases], dtype=np.int64)))
        model = train(training, seed=self.seed)
        if model is not None:
            self.tuning_cases = total
        return model

    def _switched(self, signals: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Only the signals whose switch is on (TextIndex computes doc and maxsim in any case)."""
        return {name: values for name, values in signals.items()
                if name == "size" or SWITCHED_BY.get(name, name) in self._enabled}

    def summary(self) -> dict[str, float]:
        """What ranks: the learned model's size and training cases, or the linear weights."""
        if self.model is not None:
            return {"learned_trees": float(self.model.trees), "learned_cases": float(self.model.cases)}
        return dict(self.weights)

    def _scores(self, needs: Sequence[str]) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """(signals scaled per need for display, needs × organizations scores)."""
        assert self._index is not None
        if self.model is not None:
            raw = self._switched(self._index.signals(list(needs), enabled=self._enabled))
            return _normalized(raw), self.model.scores(raw)
        signals = _normalized(self._index.signals(list(needs), enabled=frozenset(self.weights)))
        fused = sum(weight * signals[name] for name, weight in self.weights.items() if name in signals)
        return signals, np.asarray(fused, dtype=np.float64) + 1e-9 * signals["doc"]  # doc breaks exact ties

    def rank(self, need_text: str, *, exclude: Iterable[str] = (), top: int = 10) -> list[RankedOrg]:
        """The `top` organizations for one need, best first."""
        return self.rank_many([need_text], exclude=[set(exclude)], top=top)[0]

    def rank_many(self, needs: Sequence[str], *, exclude: Sequence[Iterable[str]] | None = None,
                  top: int = 10) -> list[list[RankedOrg]]:
        """Rank for many needs at once (vectorized); exclude[i] lists org ids never returned for needs[i]."""
        if self._index is None:
            raise RuntimeError("OrgRanker.fit() must be called before rank()")
        index = self._index
        if not needs:
            return []
        signals, fused = self._scores(needs)
        position = {org.org_id: i for i, org in enumerate(index.orgs)}
        results = []
        for row in range(len(needs)):
            scores = fused[row].copy()
            for org_id in (exclude[row] if exclude is not None else ()):
                if org_id in position:
                    scores[position[org_id]] = -np.inf
            k = min(top, len(scores))
            order = np.argsort(-scores, kind="stable")[:k]
            results.append([
                RankedOrg(index.orgs[i].org_id, float(scores[i]),
                          {name: float(values[row, i]) for name, values in signals.items()})
                for i in order if np.isfinite(scores[i])
            ])
        return results

    def full_scores(self, needs: Sequence[str]) -> tuple[list[str], np.ndarray]:
        """(org ids, needs × organizations fused scores): what batch evaluation ranks over."""
        if self._index is None:
            raise RuntimeError("OrgRanker.fit() must be called before full_scores()")
        return [org.org_id for org in self._index.orgs], self._scores(needs)[1]


def _normalized(signals: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Scale each signal per query to [0, 1] by its maximum so weights are comparable across signals."""
    return {name: values / np.maximum(values.max(axis=1, keepdims=True), 1e-6) for name, values in signals.items()}


def _coordinate_search(signals: dict[str, np.ndarray], truth: np.ndarray,
                       start: dict[str, float]) -> dict[str, float]:
    """Two passes of per-signal grid search (doc fixed at 1 when enabled) maximizing hits@10 + MRR."""
    weights = {name: 0.0 for name in start}
    anchor = "doc" if "doc" in weights else next(iter(weights), None)
    if anchor is None:
        return weights
    weights[anchor] = 1.0

    def objective(w: dict[str, float]) -> float:
        fused = sum(value * signals[name] for name, value in w.items() if value and name in signals)
        return _hits_mrr(np.asarray(fused, dtype=np.float64) + 1e-9 * signals[anchor], truth)

    best = objective(weights)
    for _ in range(2):
        for name in weights:
            if name == anchor:
                continue
            for value in GRIDS.get(name, GRID):
                trial = {**weights, name: value}
                score = objective(trial)
                if score > best + MIN_GAIN:
                    best, weights = score, trial
    return weights
