"""Cooperation modes (合作模式) of an opportunity, by ordered rules on the two items and organizations.

Rules, first match wins:
  1. 金融支持  finance on either side, or the offer comes from a bank.
  2. 人才培训  talent on either side, or the offer comes from a training institution.
  3. 研发+转化 technology on either side (one develops, the other industrialises).
  4. 市场渠道  channel/export on either side, or the offer comes from a trade platform.
  5. 总部+基地 a need for production capacity, a base or land/buildings (processing or facility kind) met in
              another region by processing or facility capacity: HQ/R&D here, production base there.
              A facility need met in the same region is 设施用地.
  6. 品牌+代工 processing/OEM capacity meeting a product or processing need (the need's side owns the brand).
  7. 上游+下游 everything else: products, materials, services supplied along the chain.
"""

from __future__ import annotations

import re
from enum import StrEnum

from copark.locale import t
from copark.matching.features import ItemDoc, OrgDoc
from copark.parsing.regions import overlaps


class Mode(StrEnum):
    """合作模式: how the two organizations would cooperate."""

    supply_chain = "supply_chain"  # 上游+下游
    hq_base = "hq_base"  # 总部+基地
    brand_oem = "brand_oem"  # 品牌+代工
    rnd_transfer = "rnd_transfer"  # 研发+转化
    finance = "finance"  # 金融支持
    talent = "talent"  # 人才培训
    channel = "channel"  # 市场渠道
    facility = "facility"  # 设施用地


# Words in a processing need that ask for a production base rather than an OEM supplier.
_BASE_WORDS = re.compile(r"基地|产能|扩产|生产线|车间|厂房|用地|土地|工厂|落地|转移")
_OEM_WORDS = re.compile(r"代工|贴牌|oem|odm|委托加工|来料加工", re.IGNORECASE)


def mode_label(mode: Mode | str) -> str:
    """The Chinese label of a mode (上游+下游 …)."""
    return t(f"match.mode.{Mode(mode).value}")


def classify_mode(need: ItemDoc, offer: ItemDoc, need_org: OrgDoc, offer_org: OrgDoc) -> Mode:
    """The cooperation mode of a need–offer pair (see the module docstring for the rules)."""
    kinds = {need.kind, offer.kind}
    if "finance" in kinds or offer_org.kind == "bank":
        return Mode.finance
    if "talent" in kinds or offer_org.kind == "training":
        return Mode.talent
    if "technology" in kinds:
        return Mode.rnd_transfer
    if "channel" in kinds or offer_org.kind == "trade_platform":
        return Mode.channel
    other_region = bool(need_org.region_code and offer_org.region_code
                        and not overlaps(need_org.region_code, offer_org.region_code))  # 430100 ⊃ 430111
    if need.kind == "facility":
        return Mode.hq_base if other_region and offer.kind in ("facility", "processing") else Mode.facility
    if need.kind == "processing" and offer.kind in ("processing", "facility"):
        if other_region and _BASE_WORDS.search(need.text) and not _OEM_WORDS.search(need.text):
            return Mode.hq_base
        return Mode.brand_oem
    if offer.kind == "facility":
        return Mode.hq_base if other_region else Mode.facility
    if offer.kind == "processing" and need.kind in ("product", "material"):
        return Mode.brand_oem
    return Mode.supply_chain
