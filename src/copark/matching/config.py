"""Every tuning constant of matching in one place, with where its value came from.

Figures quoted here were measured on `../shared/bench/capability` self-supervised splits (never on its cases)
or on the demo, as noted; bench/capability/RESULTS.md has the tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Retrieval:
    """Item-level relevance rules (engine.relevance)."""

    #: Product needs whose head noun the offer lacks keep this share of their text relevance (实训设备 is not
    #: 工业除尘设备); the same factor for industrial pairs sharing only deal words. Chosen on the demo.
    head_miss_factor: float = 0.6
    #: Below this relevance (max of text and chain) the hand-weighted path drops a pair: sharing only a modifier
    #: (医用级过滤棉 / 医用级口罩, ≈0.15) is no opportunity. Pairs above it but scoring under the low-confidence line
    #: are shown marked 低置信度. Chosen on the demo; the learned path shows its candidates regardless.
    min_relevance: float = 0.2
    #: Scores below this are shown marked 低置信度 (low confidence) instead of being hidden.
    low_confidence: float = 30.0


@dataclass(frozen=True)
class Learning:
    """The learned ranker (ranker.fit) and its candidates."""

    #: Top organizations of each broad signal (computed for every organization) that the trees score; the narrow
    #: signals (best offer, industry prior, dense, surface) are computed for these candidates only, which keeps a
    #: need at a million offers within tens of milliseconds. Counts from session 2 (the right firm among the
    #: candidates for ~80% of held-out products); maxsim, industry and dense stopped nominating in session 4.
    nominate: dict[str, int] = field(default_factory=lambda: {
        "doc": 300, "sector": 100, "name": 30, "bm25": 100, "chain": 100})
    rounds: int = 3               # two rounds train, the last stops early and calibrates
    cases_per_round: int = 2500   # more gave +0.006 hits@10 for twice the time (session 2)
    min_cases: int = 300          # fewer held-out products: the hand-weighted fallback ranks instead
    block: int = 256              # held-out needs whose signals are held at once while fitting (memory)
    negative_share: float = 0.25  # share of non-matching candidates kept for training: 4× faster, same quality
    max_trees: int = 300
    patience: int = 30
    params: dict[str, Any] = field(default_factory=lambda: {
        "objective": "lambdarank", "metric": "map", "eval_at": [10], "learning_rate": 0.1, "num_leaves": 31,
        "min_data_in_leaf": 100, "feature_fraction": 0.8, "bagging_fraction": 0.8, "bagging_freq": 1,
        "lambdarank_truncation_level": 30, "verbose": -1, "num_threads": 2, "deterministic": True,
        "force_row_wise": True,
    })


RETRIEVAL = Retrieval()
LEARNING = Learning()
