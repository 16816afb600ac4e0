"""The domain's controlled vocabularies, with their Chinese labels from copark.locale."""

from __future__ import annotations

from enum import StrEnum


class OrgKind(StrEnum):
    """机构类型: what kind of organization."""

    enterprise = "enterprise"
    bank = "bank"
    training = "training"
    trade_platform = "trade_platform"
    government = "government"
    other = "other"


class Direction(StrEnum):
    """资源 (offer) or 需求 (need)."""

    offer = "offer"
    need = "need"


class ItemKind(StrEnum):
    """类别 of an item in a 资源清单/需求清单."""

    product = "product"
    material = "material"
    processing = "processing"
    technology = "technology"
    talent = "talent"
    finance = "finance"
    channel = "channel"
    facility = "facility"
    service = "service"


class Origin(StrEnum):
    """Declared by the organization, read from its registered 经营范围 (business scope), or inferred by copark."""

    declared = "declared"
    scope = "scope"
    inferred = "inferred"


class InferredStatus(StrEnum):
    """Review state of an inferred item."""

    proposed = "proposed"
    accepted = "accepted"
    dismissed = "dismissed"


#: Organization.source of the bundled illustrative demo data (示意性数据).
DEMO_SOURCE = "demo"
