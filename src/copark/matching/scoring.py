"""The score: a documented weighted sum of features on 0–100, with each feature's contribution kept.

    relevance   = max(text, chain)                      (the offer is what the need asks for)
    score = 100 × clip( 0.45·relevance + 0.10·min(text, chain)
                      + 0.10·industry + 0.10·kind + 0.05·quantity + 0.05·certification
                      + 0.05·distance + 0.05·reciprocity + positioning_term, 0, 1)
    positioning_term = +0.05 when the offer's organization fits the park's 主导产业,
                       -0.10 when it does not (拉郎配: a match outside the park's chains is discouraged),
                        0    when no park positioning applies.

Every input is in [0, 1] (unknown data sits at a neutral 0.5, see features.py), so the positive weights
sum to 1.0 and a perfect, in-positioning pair scores 100. `text` is the IDF-weighted share of the need's
words and bigrams found in the offer, plus 0.2 for its head noun; `chain` is ChainLink strength × confidence.
"""

from __future__ import annotations

WEIGHTS: dict[str, float] = {
    "relevance": 0.45,
    "agreement": 0.10,
    "industry": 0.10,
    "kind": 0.10,
    "quantity": 0.05,
    "certification": 0.05,
    "distance": 0.05,
    "reciprocity": 0.05,
}
POSITIONING_BONUS = 0.05
POSITIONING_PENALTY = 0.10


def combine(values: dict[str, float]) -> tuple[float, dict[str, float]]:
    """(score 0–100, contribution in points of each term) from feature values."""
    text, chain = values.get("text", 0.0), values.get("chain", 0.0)
    terms = {
        "relevance": max(text, chain),
        "agreement": min(text, chain),
        **{name: values.get(name, 0.0) for name in WEIGHTS if name not in ("relevance", "agreement")},
    }
    contributions = {name: 100.0 * WEIGHTS[name] * value for name, value in terms.items()}
    positioning = values.get("positioning", 0.0)
    if positioning > 0:
        contributions["positioning"] = 100.0 * POSITIONING_BONUS * positioning
    elif positioning < 0:
        contributions["positioning"] = 100.0 * POSITIONING_PENALTY * positioning
    total = sum(contributions.values())
    return max(0.0, min(100.0, total)), contributions


# Neutral value of each feature: the contribution an unknown would give. An explanation calls a feature
# "raised" the score when it contributes more than this, "lowered" when less.
NEUTRAL: dict[str, float] = {
    "relevance": 0.5, "agreement": 0.5, "industry": 0.5, "kind": 0.5, "quantity": 0.5,
    "certification": 1.0, "distance": 0.5, "reciprocity": 0.0, "positioning": 0.0,
}


def neutral_points(name: str) -> float:
    """The contribution (points) of term `name` at its neutral value."""
    if name == "positioning":
        return 0.0
    return 100.0 * WEIGHTS.get(name, 0.0) * NEUTRAL.get(name, 0.0)
