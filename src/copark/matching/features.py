"""Per (need, offer) features: what the score is made of, each a value in [0, 1] or [-1, 1] plus detail."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from copark.knowledge.industries import builtin_industries, parse_code
from copark.knowledge.text import fold


@dataclass(frozen=True)
class OrgDoc:
    """What matching needs to know about an organization (no database objects: picklable, read-only)."""

    id: int
    name: str
    kind: str = "enterprise"
    region_code: str | None = None
    industry_code: str | None = None
    lonlat: tuple[float, float] | None = None
    park_id: int | None = None
    positioning: tuple[str, ...] = ()  # 主导产业 of its park (codes or chain names)
    text: str = ""  # name, products and description, for positioning and certification checks
    description: str = ""  # 企业简介 as written (organisation-level signals read it)
    industry_text: str = ""  # 行业 as written when it is no GB/T 4754 code (电子信息, 汽车零部件)
    offer_keys: frozenset[str] = frozenset()  # head words / chain nodes of its offers (reciprocity)
    need_keys: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ItemDoc:
    """One offer or need as matching sees it; `id` is None for an organization's 主营产品 used as an offer."""

    id: int | None
    org_id: int
    direction: str
    kind: str
    text: str
    quantity: float | None = None
    unit: str = ""
    annual_value: float | None = None
    certifications: str = ""
    origin: str = "declared"


@dataclass
class Features:
    """Feature values (the scoring inputs) and the details an explanation shows."""

    values: dict[str, float] = field(default_factory=dict)
    detail: dict[str, Any] = field(default_factory=dict)


def clean_industry(code: str | None) -> str:
    """'C3581' → '3581'; a bare section letter stays ('C'); empty for None or a non-code."""
    return parse_code(code) or ""


def section_of(code: str | None) -> str | None:
    """The 门类 letter of an industry code ('3581' → 'C'), None when the code is not GB/T 4754."""
    code = clean_industry(code)
    if len(code) == 1:
        return code if "A" <= code <= "T" else None
    # The division decides the section, so a class the built-in table does not list still has one.
    division = builtin_industries().get(code[:2]) if len(code) >= 2 else None
    return division.section if division else None


def industry_relation(need_code: str | None, offer_code: str | None, chain_linked: bool) -> tuple[str, float]:
    """How the two organizations' GB/T 4754 codes relate: (relation name, compatibility 0–1)."""
    a, b = clean_industry(need_code), clean_industry(offer_code)
    if not a or not b:
        return ("chain", 0.7) if chain_linked else ("unknown", 0.5)
    digits = 0
    for x, y in zip(a, b, strict=False):
        if x != y or not x.isdigit():
            break
        digits += 1
    if digits >= 4:
        return "same_class", 1.0
    if digits == 3:
        return "same_group", 0.85
    if digits == 2:
        return "same_division", 0.7
    if chain_linked:  # supply chains cross divisions: filtration media feed medical devices
        return "chain", 0.7
    if section_of(a) is not None and section_of(a) == section_of(b):
        return "same_section", 0.4
    return "different", 0.1


# need kind → offer kind → compatibility. Unlisted pairs are incompatible (0).
KIND_COMPAT: dict[str, dict[str, float]] = {
    "product": {"product": 1.0, "material": 0.85, "processing": 0.7, "service": 0.3},
    "material": {"material": 1.0, "product": 0.9, "processing": 0.6},
    "processing": {"processing": 1.0, "facility": 0.7, "product": 0.4, "material": 0.3},
    "technology": {"technology": 1.0, "service": 0.5, "talent": 0.4},
    "talent": {"talent": 1.0, "service": 0.4},
    "finance": {"finance": 1.0},
    "channel": {"channel": 1.0, "service": 0.5},
    "facility": {"facility": 1.0, "processing": 0.6},
    "service": {"service": 1.0, "technology": 0.5, "channel": 0.5, "processing": 0.5},
}


def answers(need: ItemDoc, offer: ItemDoc, need_org: OrgDoc, offer_org: OrgDoc) -> bool:
    """Hard rules outside any score: an offer of a kind that cannot serve the need's kind never answers it
    (a product does not answer a channel need), and a manufacturer's sales channel carries its own division's
    goods (a fashion maker's shops do not sell braised goose). Traders and platforms carry anything."""
    if kind_compatibility(need.kind, offer.kind) <= 0.0:
        return False
    if offer.kind == "channel" and section_of(offer_org.industry_code) == "C":
        relation, _ = industry_relation(need_org.industry_code, offer_org.industry_code, False)
        return relation in ("same_class", "same_group", "same_division", "unknown")
    return True


def kind_compatibility(need_kind: str, offer_kind: str) -> float:
    """How well an offer of `offer_kind` can answer a need of `need_kind` (0–1)."""
    return KIND_COMPAT.get(need_kind, {}).get(offer_kind, 0.0)


def quantity_fit(need: ItemDoc, offer: ItemDoc, offer_org_revenue: float | None = None) -> tuple[float, str]:
    """Capacity vs demand: value/quantity ratio capped at 1; 0.5 (neutral) when either side is unknown."""
    if need.quantity and offer.quantity and need.unit and fold(need.unit) == fold(offer.unit):
        return min(1.0, offer.quantity / need.quantity), "quantity"
    if need.annual_value and offer.annual_value:
        return min(1.0, offer.annual_value / need.annual_value), "value"
    if need.annual_value and offer_org_revenue:
        # a supplier rarely gives more than ~30% of its revenue to one buyer
        return min(1.0, 0.3 * offer_org_revenue / need.annual_value), "revenue"
    return 0.5, "unknown"


_CERT_SPLIT = re.compile(r"[、，,；;\n]+|以及|及|和")
_CERT_ALTERNATIVES = re.compile(r"或|/|／")


def _cert_key(text: str) -> str:
    return re.sub(r"[\s\-_:：]", "", fold(text)).replace("认证", "").replace("体系", "")


def certification_fit(required: str, offer: ItemDoc, offer_org: OrgDoc) -> tuple[float, list[str], list[str]]:
    """Share of the need's 认证要求 the offer (item or organization text) shows: (value, met, missing).

    Requirements are separated by 、；, and 和/及; "IATF 16949或ISO 9001" is met by either alternative.
    """
    groups = [[k for k in (_cert_key(a) for a in _CERT_ALTERNATIVES.split(part)) if k]
              for part in _CERT_SPLIT.split(required or "")]
    groups = [g for g in groups if g]
    if not groups:
        return 1.0, [], []
    haystack = _cert_key(" ".join((offer.certifications, offer.text, offer_org.text)))
    met, missing = [], []
    for group in groups:
        hit = next((k for k in group if k in haystack), None)
        (met if hit else missing).append(hit or "/".join(group))
    return len(met) / len(groups), met, missing


def haversine_km(a: tuple[float, float] | None, b: tuple[float, float] | None) -> float | None:
    """Great-circle distance in km between two (longitude, latitude) points."""
    if a is None or b is None:
        return None
    lon1, lat1, lon2, lat2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, h)))


def distance_value(km: float | None) -> float:
    """1 next door, 0.67 at 250 km (雨花–溆浦), 0.33 at 1000 km; 0.5 when a location is unknown."""
    return 0.5 if km is None else 1.0 / (1.0 + km / 500.0)


def reciprocity(need_org: OrgDoc, offer_org: OrgDoc) -> tuple[float, list[str]]:
    """1 when the offer's organization also needs something the need's organization offers."""
    shared = sorted(offer_org.need_keys & need_org.offer_keys, key=lambda k: (-len(k), k))
    return (1.0 if shared else 0.0), shared[:5]


def _code_like(entry: str) -> bool:
    return bool(re.fullmatch(r"[A-Ta-t]?\d{2,4}|[A-Ta-t]", entry.strip()))


#: Offer kinds that make the offering organization part of an industry chain; finance, talent,
#: channels, land and services support every chain, so positioning does not apply to them.
INDUSTRIAL_KINDS = frozenset({"product", "material", "processing", "technology"})


def positioning_fit(park_positioning: tuple[str, ...], offer_org: OrgDoc, need_org: OrgDoc,
                    chain_linked: bool, offer_kind: str = "product") -> tuple[float, str]:
    """+1 when the offer's organization fits the park's 主导产业, -1 when outside, 0 when not applicable.

    Fits when its industry code falls under a listed code, a listed chain name appears in its own text,
    or it supplies (chain-linked) a need organization that itself fits: 补链 counts as positioning.
    Applies to enterprises' industrial offers only (see INDUSTRIAL_KINDS), and only under a positioning.
    """
    if not park_positioning or offer_kind not in INDUSTRIAL_KINDS or offer_org.kind != "enterprise":
        return 0.0, "none"
    hit = positioning_entry(park_positioning, offer_org.industry_code, offer_org.text)
    if hit:
        return 1.0, hit
    if chain_linked:
        hit = positioning_entry(park_positioning, need_org.industry_code, need_org.text)
        if hit:
            return 1.0, hit
    return -1.0, ""


def positioning_entry(park_positioning: tuple[str, ...] | list[str], industry_code: str | None,
                      text: str = "") -> str | None:
    """The 主导产业 entry an organization falls under, or None: its industry code lies under a listed code, or a
    listed chain name appears in its own text (name, products, description)."""
    code = clean_industry(industry_code)
    folded = fold(text)
    for entry in park_positioning:
        entry = str(entry).strip()
        if not entry:
            continue
        if _code_like(entry):
            want = clean_industry(entry)
            if code and (code.startswith(want) or (len(want) == 1 and section_of(code) == want)):
                return entry
        elif fold(entry) in folded:
            return entry
    return None


def industry_label(code: str | None) -> str:
    """The GB/T 4754 division name of an organization's industry code ('3581' → '专用设备制造业'), '' if unknown.

    Organisation-level signals group organizations by it, and its words join the offer list's text.
    """
    digits = clean_industry(code)
    division = builtin_industries().get(digits[:2]) if len(digits) >= 2 else None
    return division.name if division else ""
