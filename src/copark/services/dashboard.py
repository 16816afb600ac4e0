"""首页 figures: enterprises by region and by industry, open opportunities by stage, value signed in a year.

Everything is counted within what the actor may see (services.access): all for administrators and viewers, the
park's organizations for an operator, the own organization for an organization user (who, as on the opportunity
pages, sees only what was pushed to it).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from copark.core.vocab import DEMO_SOURCE, OrgKind
from copark.locale import t
from copark.parsing.regions import RegionTable
from copark.services.access import Actor, visible_org_ids
from copark.services.docking import Stage, dismissed_pairs
from copark.storage.tables import DockingEvent, DockingRecord, Opportunity, Organization

#: Stages an opportunity can be open in (关闭 is not open), in board order.
OPEN_STAGES = [s for s in Stage if s != Stage.closed]


@dataclass
class Figure:
    """One bar or slice: a key (region code, industry division, stage, month), its label and its value."""

    key: str
    label: str
    value: float


@dataclass
class Dashboard:
    year: int
    enterprises: int
    by_region: list[Figure] = field(default_factory=list)
    by_industry: list[Figure] = field(default_factory=list)
    open_total: int = 0
    open_by_stage: list[Figure] = field(default_factory=list)
    signed_count: int = 0
    signed_value: float = 0.0
    signed_by_month: list[Figure] = field(default_factory=list)
    demo: bool = False


def _in(allowed: set[int] | None, *org_ids: int) -> bool:
    return allowed is None or any(o in allowed for o in org_ids)


def _enterprises(session: Session, allowed: set[int] | None, regions: RegionTable
                 ) -> tuple[int, list[Figure], list[Figure]]:
    from copark.knowledge.industries import builtin_industries

    query = (select(Organization.region_code, Organization.industry_code, func.count())
             .where(Organization.kind == OrgKind.enterprise.value)
             .group_by(Organization.region_code, Organization.industry_code))
    if allowed is not None:
        query = query.where(Organization.id.in_(sorted(allowed)))
    by_region: Counter[str] = Counter()
    by_industry: Counter[str] = Counter()
    total = 0
    for region_code, industry_code, n in session.execute(query):
        total += n
        by_region[region_code or ""] += n
        division = ""
        if industry_code:
            found = builtin_industries().at_level(industry_code, 2)
            division = found.code if found else industry_code
        by_industry[division] += n

    def region_label(code: str) -> str:
        if not code:
            return t("web.dash.no_region")
        return regions.full_name(code) if code in regions.by_code else code

    def industry_label(code: str) -> str:
        if not code:
            return t("web.unknown_industry")
        name = builtin_industries().name(code)
        return f"{code} {name}" if name else code

    def figures(counts: Counter[str], label) -> list[Figure]:  # noqa: ANN001
        return [Figure(k, label(k), float(v)) for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]

    return total, figures(by_region, region_label), figures(by_industry, industry_label)


def _open_by_stage(session: Session, actor: Actor, allowed: set[int] | None) -> Counter[str]:
    """An opportunity is open at its docking record's stage (the newest record of its pair) unless that record is
    closed; one without a record is open at 推荐 unless marked not relevant. Records whose opportunity a later
    match replaced are still open work and count too."""
    stages: Counter[str] = Counter()
    latest: dict[tuple, tuple[int, str]] = {}
    for rid, need_org, offer_org, need_item, offer_item, stage in session.execute(select(
            DockingRecord.id, DockingRecord.need_org_id, DockingRecord.offer_org_id, DockingRecord.need_item_id,
            DockingRecord.offer_item_id, DockingRecord.stage)):
        if not _in(allowed, need_org, offer_org):
            continue
        key = (need_org, offer_org, need_item, offer_item)
        if key not in latest or latest[key][0] < rid:
            latest[key] = (rid, stage)
    for _, stage in latest.values():
        if stage == Stage.closed or (actor.is_org_user and stage == Stage.recommended):
            continue
        stages[stage] += 1
    if actor.is_org_user:  # an organization user sees an opportunity only once it was pushed
        return stages
    dismissed = dismissed_pairs(session)
    for need_org, offer_org, need_item, offer_item in session.execute(select(
            Opportunity.need_org_id, Opportunity.offer_org_id, Opportunity.need_item_id, Opportunity.offer_item_id)):
        if not _in(allowed, need_org, offer_org) or (need_org, offer_org, need_item, offer_item) in latest:
            continue
        if (need_item, offer_item, offer_org) in dismissed:
            continue
        stages[Stage.recommended.value] += 1
    return stages


def _signed(session: Session, allowed: set[int] | None, year: int) -> tuple[int, float, list[float]]:
    """Records whose 签约 step happened in `year` (whatever they moved on to since), with their contract value,
    by the month of signing."""
    import datetime as dt

    start, end = dt.datetime(year, 1, 1), dt.datetime(year + 1, 1, 1)
    first = (select(DockingEvent.record_id, func.min(DockingEvent.at).label("at"))
             .where(DockingEvent.action == "stage", DockingEvent.stage == Stage.signed.value)
             .group_by(DockingEvent.record_id).subquery())
    rows = session.execute(
        select(first.c.at, DockingRecord.need_org_id, DockingRecord.offer_org_id, DockingRecord.contract_value)
        .join(DockingRecord, DockingRecord.id == first.c.record_id)
        .where(first.c.at >= start, first.c.at < end))
    months = [0.0] * 12
    count = 0
    for at, need_org, offer_org, value in rows:
        if not _in(allowed, need_org, offer_org):
            continue
        count += 1
        months[at.month - 1] += value or 0.0
    return count, sum(months), months


def dashboard(*, session: Session, actor: Actor, regions: RegionTable, year: int) -> Dashboard:
    """The 首页 figures for `actor` (see the module docstring for the scope) in `year`."""
    allowed = visible_org_ids(session, actor)
    total, by_region, by_industry = _enterprises(session, allowed, regions)
    stages = _open_by_stage(session, actor, allowed)
    signed_count, signed_value, months = _signed(session, allowed, year)
    demo_query = select(Organization.id).where(Organization.source == DEMO_SOURCE)
    if allowed is not None:
        demo_query = demo_query.where(Organization.id.in_(sorted(allowed)))
    return Dashboard(
        year=year, enterprises=total, by_region=by_region, by_industry=by_industry,
        open_total=sum(stages.values()),
        open_by_stage=[Figure(s.value, t(f"stage.{s.value}"), float(stages.get(s.value, 0))) for s in OPEN_STAGES],
        signed_count=signed_count, signed_value=signed_value,
        signed_by_month=[Figure(f"{year}-{m:02d}", t("web.dash.month", month=m), v)
                         for m, v in enumerate(months, start=1)],
        demo=session.scalar(demo_query.limit(1)) is not None,
    )
