"""Import of park-operation sheets (招商项目; 经营数据, 出口, 授信, 培训): the lists' readers and located messages,
all-or-nothing in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from copark.core.errors import CoparkError, Problem, ValidationFailed
from copark.io.industries import resolve_industry
from copark.io.oplayouts import PROJECT_LAYOUTS, RECORD_LAYOUTS, STAGE_DATES
from copark.io.periods import parse_period
from copark.io.readers import RawRow, RawSheet, read_file
from copark.io.records import cell_text
from copark.knowledge.industries import load_industries
from copark.locale import t
from copark.parsing.numbers import amount_unit, parse_amount, parse_date, parse_int
from copark.services import projects as svc
from copark.services.access import Actor
from copark.services.items import now
from copark.storage.tables import (
    CreditLine,
    EnterpriseFigure,
    ExportLine,
    InvestmentProject,
    Park,
    ProjectEvent,
    TrainingRecord,
)
from copark.workspace import Workspace

TEXT_LIMITS = {"name": 255, "enterprise": 255, "bank": 255, "team": 255, "product": 128, "country": 64,
               "course": 255, "provider": 255, "end_reason": 2000, "note": 2000, "park": 128}
STAGE_OF_DATE = dict(zip(STAGE_DATES, list(svc.ORDER) + [svc.ProjectStage.terminated], strict=True))


@dataclass
class OpsReport:
    """What an operations import wrote (or, checked only, would write)."""

    files: list[str] = field(default_factory=list)
    rows_read: int = 0
    created: dict[str, int] = field(default_factory=dict)  # layout key → rows created
    updated: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class _Row:
    """One row's cells read into values, each problem located at its cell (文件/工作表/第N行/列)."""

    def __init__(self, row: RawRow) -> None:
        self.row = row
        self.problems: list[Problem] = []

    def text(self, key: str, *, required: bool = False) -> str:
        value = cell_text(self.row.cell(key))
        column = self.row.sheet.header_of(key)
        if required and not value:
            self.problems.append(Problem(self.row.where(key), t("import.required", column=column),
                                         t("import.required.fix", column=column)))
        limit = TEXT_LIMITS.get(key)
        if limit and len(value) > limit:
            self.problems.append(Problem(self.row.where(key), t("import.bad_text", column=column,
                                                                length=len(value), limit=limit),
                                         t("import.bad_text.fix")))
        return value

    def parse(self, key: str, parser: Callable[[Any], Any], *, required: bool = False) -> Any:
        if required:
            self.text(key, required=True)
        value = self.row.cell(key)
        if value is None or not cell_text(value):
            return None
        try:
            return parser(value)
        except CoparkError as error:
            self.problems.append(Problem(self.row.where(key), error.problem.what, error.problem.fix))
            return None

    def amount(self, key: str, *, required: bool = False) -> float | None:
        """Money in 元, honouring the header's unit (授信金额（万元）: 500 is 500万元)."""
        unit = amount_unit(self.row.sheet.header_of(key)) or "元"
        value = self.parse(key, partial(parse_amount, unit=unit), required=required)
        if value is not None and not 0 <= value <= svc.MONEY_MAX:
            self.problems.append(Problem(self.row.where(key), t("project.bad_number", value=cell_text(
                self.row.cell(key))), t("project.bad_number.fix")))
            return None
        return value

    def count(self, key: str, *, required: bool = False) -> int | None:
        value = self.parse(key, parse_int, required=required)
        if value is not None and value < 0:
            self.problems.append(Problem(self.row.where(key), t("project.bad_number", value=value),
                                         t("project.bad_number.fix")))
            return None
        return value

    def number(self, key: str) -> float | None:
        def parse(value: object) -> float:
            try:
                return float(str(value).replace(",", "").strip())
            except ValueError:
                raise CoparkError(t("number.bad", value=value), t("number.fix")) from None
        value = self.parse(key, parse)
        if value is not None and value < 0:
            self.problems.append(Problem(self.row.where(key), t("project.bad_number", value=value),
                                         t("project.bad_number.fix")))
        return value

    def fail(self, key: str, what: str, fix: str) -> None:
        self.problems.append(Problem(self.row.where(key), what, fix))


class _Importer:
    """Validates every row first (collecting all problems), then writes; one instance per import."""

    def __init__(self, session: Session, workspace: Workspace, actor: Actor, park: str | None,
                 source: str | None) -> None:
        self.session, self.workspace, self.actor, self.source = session, workspace, actor, source
        self.default_park = park
        self.parks: dict[str, Park] = {}
        self.problems: list[Problem] = []
        self.report = OpsReport()
        self._industries = None
        self._seen: dict[tuple, RawRow] = {}

    # ---- shared ----------------------------------------------------------------------------------------------
    def park_of(self, r: _Row) -> Park | None:
        name = r.text("park") if "park" in r.row.sheet.detected.columns else ""
        key = name or ""
        if key not in self.parks:
            try:
                self.parks[key] = svc.resolve_park(self.session, self.actor, name or self.default_park)
            except CoparkError as error:
                r.fail("park", error.problem.what, error.problem.fix)
                return None
        return self.parks[key]

    def duplicate(self, r: _Row, key: tuple, column: str) -> bool:
        first = self._seen.get(key)
        if first is not None:
            r.fail(column, t("ops.duplicate_row", row=first.number), t("ops.duplicate_row.fix"))
            return True
        self._seen[key] = r.row
        return False

    def enterprise(self, r: _Row, park: Park | None, key: str = "enterprise") -> tuple[str, int | None, int | None]:
        """(name, project id, organization id) of the enterprise a record row names: a project of the park or an
        organization in the directory."""
        name = r.text(key, required=True)
        if not name or park is None:
            return name, None, None
        project = self.session.scalar(select(InvestmentProject).where(
            InvestmentProject.park_id == park.id, InvestmentProject.name == name))
        org = svc.org_by_name(self.session, name)
        if project is None and org is None:
            r.fail(key, t("ops.unknown_enterprise", name=name[:60]), t("ops.unknown_enterprise.fix"))
            return name, None, None
        org_id = org.id if org else (project.organization_id if project else None)
        return name, project.id if project else None, org_id

    def count(self, kind: str, created: bool) -> None:
        target = self.report.created if created else self.report.updated
        target[kind] = target.get(kind, 0) + 1

    def _source(self, row: RawRow) -> str:
        return self.source or row.sheet.path.name

    # ---- 招商项目 ---------------------------------------------------------------------------------------------
    def project_row(self, raw: RawRow) -> Callable[[], None] | None:
        r = _Row(raw)
        park = self.park_of(r)
        name = r.text("name", required=True)
        stage_text = r.text("stage", required=True)
        stage = None
        if stage_text:
            try:
                stage = svc.parse_stage(stage_text)
            except CoparkError as error:
                r.fail("stage", error.problem.what, error.problem.fix)
        region = r.parse("source_region", lambda v: self.workspace.regions.resolve(cell_text(v)).code)
        if self._industries is None:
            self._industries = load_industries(self.session)
        industry = r.parse("industry", lambda v: resolve_industry(self._industries, cell_text(v)))
        fields = {
            "team": r.text("team"), "end_reason": r.text("end_reason"), "note": r.text("note"),
            "planned_investment": r.amount("planned_investment"), "actual_investment": r.amount("actual_investment"),
            "land_mu": r.number("land"), "expected_revenue": r.amount("expected_revenue"),
            "actual_revenue": r.amount("actual_revenue"), "tax": r.amount("tax"), "jobs": r.count("jobs"),
        }
        dates: dict[svc.ProjectStage, dt.date] = {}
        for key in STAGE_DATES:
            on = r.parse(key, parse_date)
            if on is not None:
                if on > dt.date.today():
                    r.fail(key, t("project.future_date", date=on.isoformat()), t("project.future_date.fix"))
                dates[STAGE_OF_DATE[key]] = on
        if stage is not None:
            self._check_dates(r, stage, dates, fields["end_reason"])
        if name and park is not None:
            self.duplicate(r, ("project", park.id, name), "name")
        existing = None
        if name and park is not None and stage is not None and not r.problems:
            existing = self.session.scalar(select(InvestmentProject).where(
                InvestmentProject.park_id == park.id, InvestmentProject.name == name))
            if existing is not None:
                self._check_against_stored(r, existing, stage, dates)
        self.problems.extend(r.problems)
        if r.problems:
            return None
        assert park is not None and stage is not None
        return partial(self._write_project, raw, park, name, stage, dates, region, industry, fields, existing)

    @staticmethod
    def _check_dates(r: _Row, stage: svc.ProjectStage, dates: dict, reason: str) -> None:
        column = STAGE_DATES[list(svc.ProjectStage).index(stage)]
        if stage not in dates:
            r.fail(column, t("ops.stage_date_required", stage=svc.stage_label(stage.value)),
                   t("ops.stage_date_required.fix", column=r.row.sheet.header_of(column)))
        if stage == svc.ProjectStage.terminated and not reason:
            r.fail("end_reason", t("project.needs_reason"), t("project.needs_reason.fix"))
        last: tuple[svc.ProjectStage, dt.date] | None = None
        for s in svc.ORDER:
            if s not in dates:
                continue
            if stage != svc.ProjectStage.terminated and svc.ORDER.index(s) > svc.ORDER.index(stage):
                r.fail(STAGE_DATES[svc.ORDER.index(s)], t("ops.date_after_stage", stage=svc.stage_label(s.value),
                                                           current=svc.stage_label(stage.value)),
                       t("ops.date_after_stage.fix"))
            if last is not None and dates[s] < last[1]:
                r.fail(STAGE_DATES[svc.ORDER.index(s)], t("ops.dates_out_of_order", stage=svc.stage_label(s.value),
                                                           date=dates[s].isoformat(),
                                                           before=svc.stage_label(last[0].value),
                                                           before_date=last[1].isoformat()),
                       t("ops.dates_out_of_order.fix"))
            last = (s, dates[s])
        ended = dates.get(svc.ProjectStage.terminated)
        if ended is not None and stage != svc.ProjectStage.terminated:
            r.fail("terminated_on", t("ops.date_after_stage", stage=svc.stage_label("terminated"),
                                      current=svc.stage_label(stage.value)), t("ops.date_after_stage.fix"))
        if ended is not None and last is not None and ended < last[1]:
            r.fail("terminated_on", t("ops.dates_out_of_order", stage=svc.stage_label("terminated"),
                                      date=ended.isoformat(), before=svc.stage_label(last[0].value),
                                      before_date=last[1].isoformat()), t("ops.dates_out_of_order.fix"))

    def _check_against_stored(self, r: _Row, project: InvestmentProject, stage: svc.ProjectStage,
                              dates: dict) -> None:
        current = svc.ProjectStage(project.stage)
        if stage != current and not svc.can_move(current, stage):
            r.fail("stage", t("ops.stage_backwards", name=project.name, stored=svc.stage_label(current.value),
                              given=svc.stage_label(stage.value)), t("ops.stage_backwards.fix"))
        stored = svc.reached(session=self.session, project_ids=[project.id]).get(project.id, {})
        for s, on in dates.items():
            if s.value in stored and stored[s.value] != on:
                r.fail(STAGE_DATES[list(svc.ProjectStage).index(s)],
                       t("ops.stage_date_differs", stage=svc.stage_label(s.value), stored=stored[s.value].isoformat(),
                         given=on.isoformat()), t("ops.stage_date_differs.fix"))

    def _write_project(self, raw: RawRow, park: Park, name: str, stage: svc.ProjectStage, dates: dict,
                       region: str | None, industry: str | None, fields: dict, existing: InvestmentProject | None
                       ) -> None:
        stamp = now()
        values = {k: v for k, v in fields.items() if v not in (None, "")}
        if region:
            values["source_region_code"] = region
        if industry:
            values["industry_code"] = industry
        project = existing
        if project is None:
            org = svc.org_by_name(self.session, name)
            project = InvestmentProject(park_id=park.id, name=name, organization_id=org.id if org else None,
                                        team="", end_reason="", note="", source=self._source(raw),
                                        stage=stage.value, stage_on=dates[stage], created_at=stamp, updated_at=stamp)
            self.session.add(project)
            self.session.flush()
            known: dict[str, dt.date] = {}
        else:
            known = svc.reached(session=self.session, project_ids=[project.id]).get(project.id, {})
        for key, value in values.items():
            setattr(project, key, value)
        for s in [*svc.ORDER, svc.ProjectStage.terminated]:
            if s in dates and s.value not in known:
                self.session.add(ProjectEvent(project_id=project.id, stage=s.value, reached_on=dates[s],
                                              note=values.get("end_reason", "") if s == svc.ProjectStage.terminated
                                              else "", username=self.actor.username, recorded_at=stamp))
        changed = existing is None or project.stage != stage.value
        project.stage, project.stage_on = stage.value, dates[stage]
        if changed or values:
            project.updated_at = stamp
        self.count("projects", existing is None)

    # ---- 经营数据, 出口, 授信, 培训 ----------------------------------------------------------------------------
    def figure_row(self, raw: RawRow) -> Callable[[], None] | None:
        r = _Row(raw)
        park = self.park_of(r)
        name, project_id, org_id = self.enterprise(r, park)
        period = r.parse("period", parse_period, required=True)
        values = {"revenue": r.amount("revenue"), "tax": r.amount("tax"), "retained_tax": r.amount("retained_tax"),
                  "output": r.amount("output"), "employees": r.count("employees")}
        if values["tax"] is not None and values["retained_tax"] is not None and values["retained_tax"] > values["tax"]:
            r.fail("retained_tax", t("ops.retained_over_tax"), t("ops.retained_over_tax.fix"))
        if name and period and park is not None:
            self.duplicate(r, ("figure", park.id, name, period.label), "period")
        self.problems.extend(r.problems)
        if r.problems:
            return None

        def write() -> None:
            row = self.session.scalar(select(EnterpriseFigure).where(
                EnterpriseFigure.park_id == park.id, EnterpriseFigure.enterprise == name,
                EnterpriseFigure.period == period.label))
            if row is None:
                row = EnterpriseFigure(park_id=park.id, enterprise=name, period=period.label, source=self._source(raw))
                self.session.add(row)
            self.count("figures", row.id is None)
            row.project_id, row.organization_id = project_id, org_id
            row.period_start, row.period_end = period.start, period.end
            for key, value in values.items():
                setattr(row, key, value)
        return write

    def export_row(self, raw: RawRow) -> Callable[[], None] | None:
        r = _Row(raw)
        park = self.park_of(r)
        name, project_id, org_id = self.enterprise(r, park)
        period = r.parse("period", parse_period, required=True)
        country = r.text("country", required=True)
        amount = r.amount("amount")
        if name and period and country and park is not None:
            self.duplicate(r, ("export", park.id, name, period.label, country), "country")
        self.problems.extend(r.problems)
        if r.problems:
            return None

        def write() -> None:
            row = self.session.scalar(select(ExportLine).where(
                ExportLine.park_id == park.id, ExportLine.enterprise == name, ExportLine.period == period.label,
                ExportLine.country == country))
            if row is None:
                row = ExportLine(park_id=park.id, enterprise=name, period=period.label, country=country,
                                 source=self._source(raw))
                self.session.add(row)
            self.count("exports", row.id is None)
            row.project_id, row.organization_id = project_id, org_id
            row.period_start, row.period_end, row.amount = period.start, period.end, amount
        return write

    def credit_row(self, raw: RawRow) -> Callable[[], None] | None:
        r = _Row(raw)
        park = self.park_of(r)
        bank = r.text("bank", required=True)
        name, project_id, org_id = self.enterprise(r, park)
        product = r.text("product")
        granted = r.amount("granted", required=True)
        drawn = r.amount("drawn")
        granted_on, expires_on = r.parse("granted_on", parse_date), r.parse("expires_on", parse_date)
        if granted is not None and drawn is not None and drawn > granted:
            r.fail("drawn", t("ops.drawn_over_granted"), t("ops.drawn_over_granted.fix"))
        if granted_on and expires_on and expires_on < granted_on:
            r.fail("expires_on", t("ops.ends_before_start"), t("ops.ends_before_start.fix"))
        if bank and name and park is not None:
            self.duplicate(r, ("credit", park.id, bank, name, product, granted_on), "bank")
        self.problems.extend(r.problems)
        if r.problems:
            return None

        def write() -> None:
            row = self.session.scalar(select(CreditLine).where(
                CreditLine.park_id == park.id, CreditLine.bank == bank, CreditLine.enterprise == name,
                CreditLine.product == product,
                CreditLine.granted_on == granted_on if granted_on else CreditLine.granted_on.is_(None)))
            if row is None:
                row = CreditLine(park_id=park.id, bank=bank, enterprise=name, product=product,
                                 granted_on=granted_on, source=self._source(raw))
                self.session.add(row)
            self.count("credit", row.id is None)
            row.project_id, row.organization_id = project_id, org_id
            row.granted, row.drawn, row.expires_on = granted, drawn, expires_on
        return write

    def training_row(self, raw: RawRow) -> Callable[[], None] | None:
        r = _Row(raw)
        park = self.park_of(r)
        course, provider = r.text("course", required=True), r.text("provider", required=True)
        trainees, placed = r.count("trainees", required=True), r.count("placed")
        starts_on, ends_on = r.parse("starts_on", parse_date), r.parse("ends_on", parse_date)
        if trainees is not None and placed is not None and placed > trainees:
            r.fail("placed", t("ops.placed_over_trainees"), t("ops.placed_over_trainees.fix"))
        if starts_on and ends_on and ends_on < starts_on:
            r.fail("ends_on", t("ops.ends_before_start"), t("ops.ends_before_start.fix"))
        if course and provider and park is not None:
            self.duplicate(r, ("training", park.id, course, provider, starts_on), "course")
        self.problems.extend(r.problems)
        if r.problems:
            return None

        def write() -> None:
            row = self.session.scalar(select(TrainingRecord).where(
                TrainingRecord.park_id == park.id, TrainingRecord.course == course,
                TrainingRecord.provider == provider,
                TrainingRecord.starts_on == starts_on if starts_on else TrainingRecord.starts_on.is_(None)))
            if row is None:
                row = TrainingRecord(park_id=park.id, course=course, provider=provider, starts_on=starts_on,
                                     source=self._source(raw))
                self.session.add(row)
            self.count("training", row.id is None)
            row.trainees, row.placed, row.ends_on = trainees, placed, ends_on
        return write

    def run(self, sheets: list[RawSheet]) -> list[Callable[[], None]]:
        handlers = {"projects": self.project_row, "figures": self.figure_row, "exports": self.export_row,
                    "credit": self.credit_row, "training": self.training_row}
        writes = []
        for sheet in sheets:
            for row in sheet.rows:
                self.report.rows_read += 1
                write = handlers[sheet.layout_key](row)
                if write is not None:
                    writes.append(write)
        return writes


def import_operations(*, session: Session, workspace: Workspace, actor: Actor, paths: list[Path], kind: str,
                      park: str | None = None, source: str | None = None, write: bool = True) -> OpsReport:
    """Check (and, with `write`, import) project lists (`kind` "projects") or records ("records"): every problem
    is collected with its place, and any problem raises ValidationFailed before anything is written."""
    svc.require_staff(actor)
    layouts = PROJECT_LAYOUTS if kind == "projects" else RECORD_LAYOUTS
    fatal: list[Problem] = []
    sheets: list[RawSheet] = []
    warnings: list[str] = []
    for path in paths:
        sheets.extend(read_file(Path(path), fatal, warnings, None, layouts))
    if not fatal and not any(s.rows for s in sheets):
        fatal.append(Problem(", ".join(Path(p).name for p in paths), t("import.no_data"), t("ops.no_data.fix")))
    importer = _Importer(session, workspace, actor, park, source)
    importer.report.files = [Path(p).name for p in paths]
    importer.report.warnings = warnings
    writes: list[Callable[[], None]] = []
    if fatal:
        importer.report.problems = fatal
    else:
        writes = importer.run(sheets)
        importer.report.problems = importer.problems
    if importer.report.problems:
        if not write:
            return importer.report
        error = ValidationFailed(importer.report.problems, t("import.failed", count=len(importer.report.problems)))
        error.problem.fix = t("ops.failed.fix")
        raise error
    if write:
        for step in writes:
            step()
        session.flush()
    return importer.report
