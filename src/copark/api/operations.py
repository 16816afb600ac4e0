"""园区运营 (park operations): investment projects, records and KPIs, benefit sharing, as the actor may see them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from copark.locale import t
from copark.services.access import Actor, Forbidden
from copark.services.projects import ProjectInput
from copark.workspace import Workspace

__all__ = ["ProjectInput", "format_money"]


def format_money(value: float | None) -> str:
    """元 as people read park figures: 42.95亿元, 3500万元, 800元."""
    if value is None:
        return ""
    if abs(value) >= 1e8:
        return t("money.yi", value=f"{value / 1e8:,.2f}".rstrip("0").rstrip("."))
    if abs(value) >= 1e4:
        return t("money.wan", value=f"{value / 1e4:,.2f}".rstrip("0").rstrip("."))
    return t("money.yuan", value=f"{value:,.2f}".rstrip("0").rstrip("."))


@dataclass
class EventPublic:
    stage: str
    stage_label: str
    reached_on: dt.date
    note: str
    username: str


@dataclass
class ProjectPublic:
    id: int
    park: str
    name: str
    organization_id: int | None
    source_region: str
    team: str
    industry_code: str
    stage: str
    stage_label: str
    stage_on: dt.date
    end_reason: str
    planned_investment: float | None
    actual_investment: float | None
    land_mu: float | None
    expected_revenue: float | None
    actual_revenue: float | None
    tax: float | None
    jobs: int | None
    note: str
    can_move: bool
    history: list[EventPublic] = field(default_factory=list)


def _public(session, actor: Actor, project, regions, *, with_history: bool = False) -> ProjectPublic:  # noqa: ANN001
    from copark.services import projects as svc
    from copark.storage.tables import Park

    region = ""
    if project.source_region_code:
        found = regions.by_code.get(project.source_region_code)
        region = found.name if found else project.source_region_code
    out = ProjectPublic(
        id=project.id, park=session.get(Park, project.park_id).name, name=project.name,
        organization_id=project.organization_id, source_region=region, team=project.team or "",
        industry_code=project.industry_code or "", stage=project.stage, stage_label=svc.stage_label(project.stage),
        stage_on=project.stage_on, end_reason=project.end_reason or "", planned_investment=project.planned_investment,
        actual_investment=project.actual_investment, land_mu=project.land_mu,
        expected_revenue=project.expected_revenue, actual_revenue=project.actual_revenue, tax=project.tax,
        jobs=project.jobs, note=project.note or "",
        can_move=actor.can_review and project.stage != svc.ProjectStage.terminated)
    if with_history:
        out.history = [EventPublic(e.stage, svc.stage_label(e.stage), e.reached_on, e.note or "", e.username)
                       for e in svc.history(session=session, project_id=project.id)]
    return out


def list_projects(*, workspace: Workspace, actor: Actor | None = None, park: str | None = None,
                  stage: str | None = None) -> list[ProjectPublic]:
    """The projects the actor may see (operators: their park; organization users: their own organization's)."""
    from copark.services import projects as svc

    actor = actor or Actor.local()
    with workspace.transaction() as session:
        park_id = svc.resolve_park(session, actor, park).id if park else None
        return [_public(session, actor, p, workspace.regions)
                for p in svc.list_projects(session=session, actor=actor, park_id=park_id, stage=stage)]


def get_project(*, workspace: Workspace, actor: Actor | None = None, project_id: int) -> ProjectPublic:
    """One project with its stage history (NotFound, Forbidden)."""
    from copark.services import projects as svc

    actor = actor or Actor.local()
    with workspace.transaction() as session:
        project = svc.get_project(session=session, actor=actor, project_id=project_id)
        return _public(session, actor, project, workspace.regions, with_history=True)


def add_project(*, workspace: Workspace, actor: Actor | None = None, data: ProjectInput, park: str | None = None,
                source_region: str = "") -> ProjectPublic:
    """A new project (park staff); the source region is a name or code copark resolves (溆浦县, 430111)."""
    from copark.core.errors import CoparkError
    from copark.services import projects as svc

    actor = actor or Actor.local()
    svc.require_staff(actor)
    region = None
    if (source_region or "").strip():
        try:
            region = workspace.regions.resolve(source_region.strip()).code
        except CoparkError as error:
            raise CoparkError(error.problem.what, error.problem.fix, where=t("project.field.source_region")) from None
    with workspace.transaction() as session:
        target = svc.resolve_park(session, actor, park)
        project = svc.add_project(session=session, actor=actor, park=target, data=data, region_code=region)
        return _public(session, actor, project, workspace.regions, with_history=True)


def move_project(*, workspace: Workspace, actor: Actor | None = None, project_id: int, stage: str,
                 on: dt.date | None = None, reason: str = "") -> ProjectPublic:
    """Move a project to a later stage on a date (today by default), or to 终止 with a reason."""
    from copark.services import projects as svc

    actor = actor or Actor.local()
    with workspace.transaction() as session:
        project = svc.move(session=session, actor=actor, project_id=project_id, stage=stage, on=on, reason=reason)
        return _public(session, actor, project, workspace.regions, with_history=True)


def import_operations(*, workspace: Workspace, actor: Actor | None = None, paths: Sequence[Path], kind: str,
                      park: str | None = None, check_only: bool = False, source: str | None = None):  # noqa: ANN201
    """Import project lists (`kind="projects"`) or records (`kind="records"`: 经营数据, 出口, 授信, 培训) from
    .xlsx/.csv, all-or-nothing; `check_only` returns the row-level report and writes nothing."""
    from copark.io.opimport import import_operations as run
    from copark.services import audit

    actor = actor or Actor.local()
    with workspace.transaction() as session:
        report = run(session=session, workspace=workspace, actor=actor, paths=[Path(p) for p in paths], kind=kind,
                     park=park, source=source, write=not check_only)
        if not check_only and actor.user_id is not None:
            audit.record(session, actor, f"import.{kind}", "park", None, files=report.files,
                         created=report.created, updated=report.updated)
    return report


def _require_park_reader(actor: Actor) -> None:
    if actor.is_org_user:
        raise Forbidden(t("kpi.staff_only"), t("web.error.forbidden.fix"))


def headline(*, workspace: Workspace, actor: Actor | None = None, park: str | None = None,
             start: dt.date | None = None, end: dt.date | None = None):  # noqa: ANN201 - services.kpi.Headline
    """The park's headline figures computed from its records (staff and viewers)."""
    from copark.services import kpi
    from copark.services import projects as svc

    actor = actor or Actor.local()
    _require_park_reader(actor)
    with workspace.transaction() as session:
        return kpi.headline(session=session, park=svc.resolve_park(session, actor, park), start=start, end=end)


def series(*, workspace: Workspace, actor: Actor | None = None, park: str | None = None, by: str = "industry"):  # noqa: ANN201
    """Figures per period and per industry division or origin region (list of services.kpi.SeriesRow)."""
    from copark.core.errors import CoparkError
    from copark.services import kpi
    from copark.services import projects as svc

    actor = actor or Actor.local()
    _require_park_reader(actor)
    if by not in ("industry", "region"):
        raise CoparkError(t("kpi.bad_by", value=str(by)[:20]), t("kpi.bad_by.fix"))
    with workspace.transaction() as session:
        return kpi.series(session=session, park=svc.resolve_park(session, actor, park), by=by)


def add_sharing_agreement(*, workspace: Workspace, actor: Actor | None = None, park: str | None = None, name: str,
                          split_tax: str, split_output: str | None = None, starts_on: dt.date,
                          ends_on: dt.date | None = None, from_stage: str = "operating", note: str = "") -> int:
    """A benefit-sharing agreement (host:partner split such as "7:3"); returns its id."""
    from copark.services import projects as svc
    from copark.services import sharing

    actor = actor or Actor.local()
    svc.require_staff(actor)
    tax = sharing.parse_split(split_tax)
    output = sharing.parse_split(split_output) if split_output else tax
    with workspace.transaction() as session:
        row = sharing.add_agreement(session=session, park=svc.resolve_park(session, actor, park), name=name,
                                    host_share_tax=tax, host_share_output=output, starts_on=starts_on,
                                    ends_on=ends_on, from_stage=from_stage, note=note)
        return row.id


def set_sharing_override(*, workspace: Workspace, actor: Actor | None = None, agreement_id: int, project_id: int,
                         split_tax: str, split_output: str | None = None, note: str = "") -> None:
    """A per-enterprise split replacing the agreement's for one project."""
    from copark.core.errors import CoparkError
    from copark.services import projects as svc
    from copark.services import sharing
    from copark.storage.tables import SharingAgreement

    actor = actor or Actor.local()
    svc.require_staff(actor)
    tax = sharing.parse_split(split_tax)
    output = sharing.parse_split(split_output) if split_output else tax
    with workspace.transaction() as session:
        agreement = session.get(SharingAgreement, agreement_id)
        if agreement is None:
            raise CoparkError(t("sharing.not_found", id=agreement_id), t("sharing.not_found.fix"))
        svc.resolve_park(session, actor, agreement.park_id)
        project = svc.get_project(session=session, actor=actor, project_id=project_id)
        sharing.set_override(session=session, agreement=agreement, project=project, host_share_tax=tax,
                             host_share_output=output, note=note)


def sharing_ledger(*, workspace: Workspace, actor: Actor | None = None, park: str | None = None,
                   start: dt.date | None = None, end: dt.date | None = None, path: Path | None = None):  # noqa: ANN201
    """The sharing ledger lines (services.sharing.LedgerLine); with `path` also written as .xlsx or .csv."""
    from copark.services import projects as svc
    from copark.services import sharing

    actor = actor or Actor.local()
    _require_park_reader(actor)
    with workspace.transaction() as session:
        target = svc.resolve_park(session, actor, park)
        lines = sharing.ledger(session=session, park=target, start=start, end=end)
        host = workspace.regions.by_code.get(target.region_code or "")
        partner = workspace.regions.by_code.get(target.partner_region_code or "")
    if path is not None:
        sharing.write_ledger(lines=lines, path=path, host=host.name if host else "",
                             partner=partner.name if partner else "")
    return lines
