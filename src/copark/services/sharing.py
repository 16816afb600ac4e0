"""在地统计/利益分享 (benefit sharing): each region's share of retained tax and output, per period.

Rule: an enterprise the partner region introduced (its project's source region lies in the partner region) has its
figures split by the agreement in force, day by day, from the day its project reached the agreement's stage
(投产 by default); a per-enterprise override replaces the agreement's split. Every other day, and every other
enterprise, counts wholly where the park lies (the host region). A period's figure is spread evenly over its days,
so a split that changes mid-period is prorated by days. Amounts are rounded to the fen on the host side and the
partner gets the rest, so the two sides always add up to the figure.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from copark.core.errors import CoparkError
from copark.locale import t
from copark.parsing.regions import within_region
from copark.services.projects import ORDER, ProjectStage, parse_stage, reached, stage_label
from copark.storage.tables import EnterpriseFigure, InvestmentProject, Park, SharingAgreement, SharingOverride

MEASURES = ("retained_tax", "output")


def parse_split(text: str | float) -> float:
    """The host region's share from "7:3", "70%" or "0.7"; CoparkError otherwise."""
    raw = str(text).strip().replace("：", ":").replace("％", "%")
    try:
        if ":" in raw:
            host, partner = (float(x) for x in raw.split(":", 1))
            share = host / (host + partner)
        elif raw.endswith("%"):
            share = float(raw[:-1]) / 100
        else:
            share = float(raw)
    except (ValueError, ZeroDivisionError):
        share = -1.0
    if not 0 <= share <= 1 or not re.fullmatch(r"[\d.:%\s]+", raw):
        raise CoparkError(t("sharing.bad_split", value=raw[:20]), t("sharing.bad_split.fix"))
    return share


def add_agreement(*, session: Session, park: Park, name: str, host_share_tax: float, host_share_output: float,
                  starts_on: dt.date, ends_on: dt.date | None = None, from_stage: str = "operating",
                  note: str = "") -> SharingAgreement:
    """A new agreement; it may not overlap another of the same park (a changed split is a new agreement)."""
    name = (name or "").strip()
    if not name or len(name) > 128:
        raise CoparkError(t("sharing.bad_name"), t("sharing.bad_name.fix"))
    if not park.region_code or not park.partner_region_code:
        raise CoparkError(t("sharing.no_regions", park=park.name), t("sharing.no_regions.fix"))
    for share in (host_share_tax, host_share_output):
        if not 0 <= share <= 1:
            raise CoparkError(t("sharing.bad_split", value=share), t("sharing.bad_split.fix"))
    if ends_on is not None and ends_on < starts_on:
        raise CoparkError(t("ops.ends_before_start"), t("ops.ends_before_start.fix"))
    stage = parse_stage(from_stage)
    if stage == ProjectStage.terminated:
        raise CoparkError(t("sharing.bad_stage"), t("sharing.bad_stage.fix"))
    for other in session.scalars(select(SharingAgreement).where(SharingAgreement.park_id == park.id)):
        if starts_on <= (other.ends_on or dt.date.max) and other.starts_on <= (ends_on or dt.date.max):
            raise CoparkError(t("sharing.overlap", name=other.name, start=other.starts_on.isoformat(),
                                end=other.ends_on.isoformat() if other.ends_on else t("sharing.open_end")),
                              t("sharing.overlap.fix"))
    row = SharingAgreement(park_id=park.id, name=name, host_region_code=park.region_code,
                           partner_region_code=park.partner_region_code, host_share_tax=host_share_tax,
                           host_share_output=host_share_output, starts_on=starts_on, ends_on=ends_on,
                           from_stage=stage.value, note=note or "")
    session.add(row)
    session.flush()
    return row


def set_override(*, session: Session, agreement: SharingAgreement, project: InvestmentProject,
                 host_share_tax: float, host_share_output: float, note: str = "") -> SharingOverride:
    if project.park_id != agreement.park_id:
        raise CoparkError(t("sharing.other_park"), t("sharing.other_park.fix"))
    for share in (host_share_tax, host_share_output):
        if not 0 <= share <= 1:
            raise CoparkError(t("sharing.bad_split", value=share), t("sharing.bad_split.fix"))
    row = session.scalar(select(SharingOverride).where(SharingOverride.agreement_id == agreement.id,
                                                       SharingOverride.project_id == project.id))
    if row is None:
        row = SharingOverride(agreement_id=agreement.id, project_id=project.id, note="")
        session.add(row)
    row.host_share_tax, row.host_share_output, row.note = host_share_tax, host_share_output, note or ""
    session.flush()
    return row


@dataclass
class LedgerLine:
    """One enterprise, one period, one measure: the figure, each region's share and why."""

    period: str
    enterprise: str
    measure: str  # retained_tax | output
    base: float
    host_share: float  # the day-weighted share the host received
    host: float
    partner: float
    rule: str


def _stage_day(stages: dict[str, dt.date], from_stage: str) -> dt.date | None:
    """The first day the project stood at `from_stage` or later."""
    later = ORDER[ORDER.index(ProjectStage(from_stage)):]
    days = [stages[s.value] for s in later if s.value in stages]
    return min(days) if days else None


def ledger(*, session: Session, park: Park, start: dt.date | None = None, end: dt.date | None = None
           ) -> list[LedgerLine]:
    """The sharing ledger of every figure of the park (periods wholly inside [start, end] when given)."""
    query = select(EnterpriseFigure).where(EnterpriseFigure.park_id == park.id)
    if start:
        query = query.where(EnterpriseFigure.period_start >= start)
    if end:
        query = query.where(EnterpriseFigure.period_end <= end)
    figures = list(session.scalars(query.order_by(EnterpriseFigure.period_start, EnterpriseFigure.period_end,
                                                  EnterpriseFigure.enterprise)))
    agreements = list(session.scalars(select(SharingAgreement).where(SharingAgreement.park_id == park.id)
                                      .order_by(SharingAgreement.starts_on)))
    overrides = {(o.agreement_id, o.project_id): o for o in session.scalars(
        select(SharingOverride).where(SharingOverride.agreement_id.in_([a.id for a in agreements] or [-1])))}
    projects = {p.id: p for p in session.scalars(select(InvestmentProject).where(InvestmentProject.park_id == park.id))}
    history = reached(session=session, project_ids=list(projects))
    lines = []
    for f in figures:
        project = projects.get(f.project_id) if f.project_id else None
        from_partner = bool(project and project.source_region_code and park.partner_region_code
                            and within_region(project.source_region_code, park.partner_region_code))
        for measure in MEASURES:
            base = getattr(f, measure)
            if base is None:
                continue
            by_share: dict[float, int] = {}
            rules: list[str] = []
            day = f.period_start
            days = (f.period_end - f.period_start).days + 1
            while day <= f.period_end:
                share, rule = 1.0, "sharing.rule.not_partner" if not from_partner else "sharing.rule.no_agreement"
                if from_partner:
                    for a in agreements:
                        if a.starts_on <= day <= (a.ends_on or dt.date.max):
                            since = _stage_day(history.get(project.id, {}), a.from_stage)
                            if since is None or day < since:
                                rule = t("sharing.rule.before_stage", name=a.name,
                                         stage=stage_label(a.from_stage))
                                break
                            override = overrides.get((a.id, project.id))
                            value = a.host_share_tax if measure == "retained_tax" else a.host_share_output
                            if override is not None:
                                value = (override.host_share_tax if measure == "retained_tax"
                                         else override.host_share_output)
                                rule = t("sharing.rule.override", name=a.name, split=_split(value))
                            else:
                                rule = t("sharing.rule.agreement", name=a.name, split=_split(value))
                            share = value
                            break
                if rule.startswith("sharing.rule."):
                    rule = t(rule)
                by_share[share] = by_share.get(share, 0) + 1
                if rule not in rules:
                    rules.append(rule)
                day += dt.timedelta(days=1)
            host_share = sum(share * n for share, n in by_share.items()) / days
            host = round(base * host_share, 2)
            lines.append(LedgerLine(f.period, f.enterprise, measure, base, host_share, host, round(base - host, 2),
                                    "；".join(rules)))
    return lines


def _split(share: float) -> str:
    host = round(share * 100, 2)
    return f"{host:g}:{100 - host:g}"


def write_ledger(*, lines: list[LedgerLine], path, host: str, partner: str) -> None:  # noqa: ANN001
    """The ledger as .xlsx (明细 + 汇总 sheets) or .csv (明细), with the two regions named in the headers."""
    import csv
    from pathlib import Path

    path = Path(path)
    header = [t("sharing.col.period"), t("sharing.col.enterprise"), t("sharing.col.measure"), t("sharing.col.base"),
              t("sharing.col.host_share"), t("sharing.col.host", region=host),
              t("sharing.col.partner", region=partner), t("sharing.col.rule")]
    rows = [[ln.period, ln.enterprise, t(f"sharing.measure.{ln.measure}"), round(ln.base, 2),
             round(ln.host_share, 6), ln.host, ln.partner, ln.rule] for ln in lines]
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
        return
    if suffix != ".xlsx":
        raise CoparkError(t("sharing.bad_suffix", suffix=suffix or path.name), t("sharing.bad_suffix.fix"))
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = t("sharing.sheet.lines")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    totals = book.create_sheet(t("sharing.sheet.totals"))
    totals.append([t("sharing.col.period"), t("sharing.col.measure"), t("sharing.col.base"),
                   t("sharing.col.host", region=host), t("sharing.col.partner", region=partner)])
    sums: dict[tuple[str, str], list[float]] = {}
    for ln in lines:
        entry = sums.setdefault((ln.period, ln.measure), [0.0, 0.0, 0.0])
        entry[0] += ln.base
        entry[1] += ln.host
        entry[2] += ln.partner
    for (period, measure), (base, h, p) in sums.items():
        totals.append([period, t(f"sharing.measure.{measure}"), round(base, 2), round(h, 2), round(p, 2)])
    book.save(path)
