"""Explanations: why a pair scored what it did, stored as JSON with the opportunity and rendered in Chinese."""

from __future__ import annotations

from typing import Any

from copark.locale import t
from copark.matching.scoring import neutral_points

EXPLANATION_VERSION = 1


def matched_terms(shared: list[str], need_words: tuple[str, ...] | list[str] = (), limit: int = 6) -> list[str]:
    """Shared tokens worth showing: the need's own words when any are shared (else bigrams), longest first,
    without terms already inside a longer shown one."""
    whole = [s for s in shared if s in set(need_words)]
    kept: list[str] = []
    for term in sorted(dict.fromkeys(whole or shared), key=len, reverse=True):
        if not any(term in longer for longer in kept):
            kept.append(term)
    return kept[:limit]


def link_dict(link: Any) -> dict[str, Any] | None:
    """A ChainLink as plain JSON data."""
    if link is None:
        return None
    return {
        "kind": str(getattr(link, "kind", "")),
        "path": [str(p) for p in (getattr(link, "path", None) or [])],
        "distance": int(getattr(link, "distance", 0) or 0),
        "confidence": round(float(getattr(link, "confidence", 0.0) or 0.0), 3),
    }


def build(*, features: dict[str, float], detail: dict[str, Any], contributions: dict[str, float],
          mode: str, retrieved_by: list[str]) -> dict[str, Any]:
    """The explanation stored in Opportunity.explanation (JSON-safe, language-neutral)."""
    raised = [k for k, v in contributions.items() if v > neutral_points(k) + 0.5]
    lowered = [k for k, v in contributions.items() if v < neutral_points(k) - 0.5]
    return {
        "version": EXPLANATION_VERSION,
        "mode": mode,
        "retrieved_by": retrieved_by,
        "features": {k: round(float(v), 3) for k, v in features.items()},
        "contributions": {k: round(float(v), 2) for k, v in contributions.items()},
        "raised": sorted(raised, key=lambda k: -(contributions[k] - neutral_points(k))),
        "lowered": sorted(lowered, key=lambda k: contributions[k] - neutral_points(k)),
        **detail,
    }


def render_why(explanation: dict[str, Any], *, short: bool = True) -> str:
    """One line in Chinese: chain path, shared terms, industry relation, distance, what moved the score."""
    parts: list[str] = []
    chain = explanation.get("chain")
    if chain and chain.get("path"):
        kind = t(f"match.link.{chain['kind']}")
        parts.append(t("match.why.chain", path=" → ".join(chain["path"]), kind=kind))
    terms = explanation.get("matched_terms") or []
    if terms:
        parts.append(t("match.why.terms", terms="、".join(terms[:4])))
    industry = (explanation.get("industry") or {}).get("relation")
    if industry and industry not in ("unknown", "different", "not_applicable"):
        parts.append(t(f"match.industry.{industry}"))
    km = explanation.get("distance_km")
    if km is not None and not short:
        parts.append(t("match.why.distance", km=round(km)))
    if explanation.get("reciprocity"):
        parts.append(t("match.why.reciprocal", terms="、".join(explanation["reciprocity"][:3])))
    missing = (explanation.get("certification") or {}).get("missing") or []
    if missing:
        parts.append(t("match.why.cert_missing", certs="、".join(missing)))
    positioning = explanation.get("positioning") or {}
    if positioning.get("value", 0) < 0:
        parts.append(t("match.why.off_positioning"))
    if not short:
        raised = [t(f"match.feature.{k}") for k in explanation.get("raised", [])]
        lowered = [t(f"match.feature.{k}") for k in explanation.get("lowered", [])]
        if raised:
            parts.append(t("match.why.raised", features="、".join(raised)))
        if lowered:
            parts.append(t("match.why.lowered", features="、".join(lowered)))
    return "；".join(parts) if parts else t("match.why.none")


def contribution_rows(explanation: dict[str, Any]) -> list[tuple[str, float, float]]:
    """(feature label, contribution points, change against neutral) for a detailed view. A learned score shows
    the model's per-reason contributions (model units; positive raised the score) instead of the formula's."""
    model = explanation.get("model")
    if model:
        return [(t(f"match.feature.{key}"), float(value), float(value))
                for key, value in sorted(model.get("reasons", {}).items(), key=lambda kv: -abs(kv[1]))]
    rows = []
    for key, points in explanation.get("contributions", {}).items():
        rows.append((t(f"match.feature.{key}"), float(points), round(float(points) - neutral_points(key), 2)))
    return rows
