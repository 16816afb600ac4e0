"""园区指标 (park KPIs): headline figures and time series computed from the records, never typed in."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from copark.services.projects import OPERATING, SIGNED_OR_LATER, ProjectStage, reached
from copark.storage.tables import (
    CreditLine,
    EnterpriseFigure,
    ExportLine,
    ExportOrder,
    InvestmentProject,
    Organization,
    Park,
    TrainingRecord,
)


@dataclass
class Headline:
    """The figures of a park report. Projects signed: projects that reached 签约 (whatever became of them since);
    operating: projects now at 投产 or 达产; money sums in 元 over the records' periods."""

    park: str
    projects_signed: int = 0
    projects_operating: int = 0
    projects_total: int = 0
    revenue: float = 0.0
    tax: float = 0.0
    output: float = 0.0
    credit_granted: float = 0.0
    credit_drawn: float = 0.0
    banks: int = 0
    trainees: int = 0
    trainees_placed: int = 0
    countries: int = 0
    country_names: list[str] = field(default_factory=list)
    first_period: str = ""
    last_period: str = ""


def _in_range(column_start, column_end, start: dt.date | None, end: dt.date | None) -> list:  # noqa: ANN001
    where = []
    if start is not None:
        where.append(column_start >= start)
    if end is not None:
        where.append(column_end <= end)
    return where


def headline(*, session: Session, park: Park, start: dt.date | None = None, end: dt.date | None = None) -> Headline:
    """The headline figures of `park` from its records (periods wholly inside [start, end] when given); countries
    exported to come from the export ledger (出口, by period) and the export orders (出口订单, by date) together."""
    out = Headline(park=park.name)
    projects = list(session.scalars(select(InvestmentProject).where(InvestmentProject.park_id == park.id)))
    out.projects_total = len(projects)
    history = reached(session=session, project_ids=[p.id for p in projects])
    for project in projects:
        stages = history.get(project.id, {})
        signed_on = min((stages[s.value] for s in SIGNED_OR_LATER if s.value in stages), default=None)
        if signed_on is not None and (end is None or signed_on <= end) and (start is None or signed_on >= start):
            out.projects_signed += 1
        if ProjectStage(project.stage) in OPERATING:
            out.projects_operating += 1
    fig = EnterpriseFigure
    row = session.execute(select(func.coalesce(func.sum(fig.revenue), 0), func.coalesce(func.sum(fig.tax), 0),
                                 func.coalesce(func.sum(fig.output), 0), func.min(fig.period_start),
                                 func.max(fig.period_end))
                          .where(fig.park_id == park.id, *_in_range(fig.period_start, fig.period_end, start, end))
                          ).one()
    out.revenue, out.tax, out.output = float(row[0]), float(row[1]), float(row[2])
    periods = session.execute(select(fig.period).where(fig.park_id == park.id, *_in_range(
        fig.period_start, fig.period_end, start, end)).order_by(fig.period_start, fig.period_end)).scalars().all()
    if periods:
        out.first_period, out.last_period = periods[0], periods[-1]
    credit = session.execute(select(func.coalesce(func.sum(CreditLine.granted), 0),
                                    func.coalesce(func.sum(CreditLine.drawn), 0),
                                    func.count(func.distinct(CreditLine.bank)))
                             .where(CreditLine.park_id == park.id, *_in_range(
                                 CreditLine.granted_on, CreditLine.granted_on, start, end))).one()
    out.credit_granted, out.credit_drawn, out.banks = float(credit[0]), float(credit[1]), int(credit[2])
    training = session.execute(select(func.coalesce(func.sum(TrainingRecord.trainees), 0),
                                      func.coalesce(func.sum(TrainingRecord.placed), 0))
                               .where(TrainingRecord.park_id == park.id, *_in_range(
                                   TrainingRecord.starts_on, TrainingRecord.starts_on, start, end))).one()
    out.trainees, out.trainees_placed = int(training[0]), int(training[1])
    ledger = set(session.scalars(select(ExportLine.country).distinct().where(
        ExportLine.park_id == park.id, func.coalesce(ExportLine.amount, 1) > 0,
        *_in_range(ExportLine.period_start, ExportLine.period_end, start, end))))
    ordered = set(session.scalars(select(ExportOrder.country).distinct().where(
        ExportOrder.park_id == park.id, ExportOrder.amount > 0,
        *_in_range(ExportOrder.ordered_on, ExportOrder.ordered_on, start, end))))
    # Both ledgers name countries as typed: one country entered in the period ledger and as an order counts once.
    out.country_names = sorted(ledger | ordered)
    out.countries = len(out.country_names)
    return out


@dataclass
class SeriesRow:
    """One period's sums for one group (an industry division or an origin region)."""

    period: str
    group: str
    enterprises: int
    revenue: float
    tax: float
    output: float


def series(*, session: Session, park: Park, by: str) -> list[SeriesRow]:
    """Figures per period and per industry division (`by="industry"`, 2-digit GB/T 4754 code) or per origin
    region (`by="region"`: the project's source region, else the organization's region), in period order."""
    figures = list(session.scalars(select(EnterpriseFigure).where(EnterpriseFigure.park_id == park.id)))
    projects = {p.id: p for p in session.scalars(select(InvestmentProject).where(InvestmentProject.park_id == park.id))}
    org_ids = {f.organization_id for f in figures if f.organization_id} | {
        p.organization_id for p in projects.values() if p.organization_id}
    orgs = {o.id: o for o in session.scalars(select(Organization).where(Organization.id.in_(sorted(org_ids) or [-1])))}
    sums: dict[tuple[str, dt.date, str], list] = defaultdict(lambda: [set(), 0.0, 0.0, 0.0])
    for f in figures:
        project = projects.get(f.project_id) if f.project_id else None
        org = orgs.get(f.organization_id or (project.organization_id if project else None) or -1)
        if by == "industry":
            code = (project.industry_code if project and project.industry_code else org.industry_code if org else None)
            group = code[:2] if code and code[:2].isdigit() else ""
        else:
            group = (project.source_region_code if project and project.source_region_code
                     else org.region_code if org else None) or ""
        entry = sums[(f.period, f.period_start, group)]
        entry[0].add(f.enterprise)
        entry[1] += f.revenue or 0.0
        entry[2] += f.tax or 0.0
        entry[3] += f.output or 0.0
    return [SeriesRow(period, group, len(v[0]), v[1], v[2], v[3])
            for (period, _, group), v in sorted(sums.items(), key=lambda kv: (kv[0][1], kv[0][0], kv[0][2]))]
