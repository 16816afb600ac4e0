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

    #: Top organizations of each broad signal (computed for every organization the need may meet) that the trees
    #: score; the narrow signals (best offer, industry prior, dense, surface) are computed for these candidates only,
    #: which keeps a need at a million offers within tens of milliseconds. Counts from session 2 (the right firm
    #: among the candidates for ~80% of held-out products); maxsim, industry and dense stopped nominating in session 4.
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


@dataclass(frozen=True)
class ParkFit:
    """定位契合度 (services.parkfit.assess): how well a prospective enterprise fits a park, on 0–100.

        score = positioning_points × P
              + customer_points × min(local customers, max_links)
              + supplier_points × min(local suppliers, max_links)
              + partner_points  × [any supplier or customer in the partner region]
        P = 1 in the park's 主导产业, linked_share on a declared chain's supply line outside its industries
            (补链/延链: it supplies or buys from a local firm of a declared chain), 0 outside.
        band = 契合 at ≥ fit_at, 一般 at ≥ partial_at, else 不契合; outside the positioning (P = 0) at most 一般.

    Chosen, not fitted: the only outcomes on record are the demo's two failures (grain and bamboo firms that
    came in against the positioning, had no local suppliers or customers and failed, per the public reports on
    雨溆工业园), far too few to fit weights. The choices follow that lesson: positioning is the largest single
    term; a local customer weighs more than a local supplier (the failed firms lacked a market on the spot, while
    inputs travel); the partner region's firms count once (总部+基地 and the partner's market are the point of a
    co-built park, but 240 km away they are no local chain). tests/test_parkfit.py checks this formula.
    """

    #: "Local" is an organization registered in the park or whose county lies within this distance of the park's
    #: county (region centroids, parsing.regions): about 1.5 h by truck, the neighbouring counties. On the demo
    #: 溆浦–辰溪 41 km, 溆浦–怀化鹤城区 72 km are local; 溆浦–长沙雨花区 (the partner) 241 km is not.
    local_km: float = 100.0
    positioning_points: float = 40.0
    linked_share: float = 0.6
    customer_points: float = 15.0
    supplier_points: float = 10.0
    max_links: int = 2
    partner_points: float = 10.0
    fit_at: float = 60.0  # positioning and two local links, or positioning, a customer and the partner
    partial_at: float = 35.0  # positioning alone (40) is 一般; a linked firm needs a link of its own
    #: Chain inputs that make a supplier or a gap to fill: what a maker buys. Energy, services, technology and
    #: talent support every chain (a local power company supplies everyone) and are left out of both.
    input_kinds: tuple[str, ...] = ("material", "component", "equipment")
    #: Organizations that count as suppliers or customers: enterprises and trade platforms (a wholesale market
    #: buying goose products is a customer). Banks, schools and offices serve every chain, and a bank asking to
    #: lend to goose processors is no customer of one.
    link_kinds: tuple[str, ...] = ("enterprise", "trade_platform")
    #: A prospect known only by its industry code stands for at most this many of the code's chain nodes
    #: (knowledge.infer starts from the first 10 nodes of an industry too).
    industry_nodes: int = 10


@dataclass(frozen=True)
class ChainGaps:
    """补链 (services.parkfit.chain_gaps): candidates the matching engine ranks for each missing chain node."""

    #: Candidates shown per missing node from the partner region, then from other regions. Five is what a
    #: 招商 team can follow up per node; the export writes the same.
    partner_top: int = 5
    other_top: int = 5


RETRIEVAL = Retrieval()
LEARNING = Learning()
PARK_FIT = ParkFit()
CHAIN_GAPS = ChainGaps()
