"""招商项目 (investment projects): stages with dated history, who may see and change them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from copark.core.errors import CoparkError
from copark.locale import t
from copark.services import audit
from copark.services.access import Actor, Forbidden, NotFound
from copark.services.accounts import Role
from copark.services.items import now
from copark.storage.tables import InvestmentProject, Organization, Park, ProjectEvent

NAME_MAX = 255
TEXT_MAX = 2000
MONEY_MAX = 1e13  # 10万亿元: anything above is a typing slip, not a project


class ProjectStage(StrEnum):
    """The stages of a project in order; terminated (终止) can follow any open stage."""

    lead = "lead"  # 线索
    negotiating = "negotiating"  # 洽谈
    signed = "signed"  # 签约
    construction = "construction"  # 在建
    operating = "operating"  # 投产
    capacity = "capacity"  # 达产
    terminated = "terminated"  # 终止


ORDER = [s for s in ProjectStage if s != ProjectStage.terminated]
#: Stages that count as 签约 in park figures (a project reached signing and went on).
SIGNED_OR_LATER = frozenset(ORDER[ORDER.index(ProjectStage.signed):])
#: Stages that count as 投产 (in operation) in park figures.
OPERATING = frozenset({ProjectStage.operating, ProjectStage.capacity})


def stage_label(stage: str) -> str:
    return t(f"project.stage.{stage}")


def parse_stage(value: str) -> ProjectStage:
    """A stage from its code (signed) or its Chinese label (签约); CoparkError listing the choices otherwise."""
    text = (value or "").strip()
    for stage in ProjectStage:
        if text in (stage.value, stage_label(stage.value)):
            return stage
    raise CoparkError(t("project.bad_stage", value=text[:40]),
                      t("project.bad_stage.fix", choices="、".join(stage_label(s.value) for s in ProjectStage)))


def can_move(current: ProjectStage, target: ProjectStage) -> bool:
    """Forward to any later stage (a list may skip one it never recorded), or to 终止 from an open stage."""
    if current == ProjectStage.terminated:
        return False
    if target == ProjectStage.terminated:
        return True
    return ORDER.index(target) > ORDER.index(current)


def require_staff(actor: Actor) -> None:
    if not actor.can_review:
        raise Forbidden(t("project.staff_only"), t("web.error.forbidden.fix"))


def resolve_park(session: Session, actor: Actor, park: str | int | None) -> Park:
    """The park named (or numbered); else the operator's own; else the only park. Operators reach only theirs."""
    if park is None or park == "":
        if actor.role == Role.operator and actor.park_id:
            found = session.get(Park, actor.park_id)
        else:
            parks = list(session.scalars(select(Park).order_by(Park.id).limit(2)))
            if len(parks) != 1:
                raise CoparkError(t("project.park_needed"), t("project.park_needed.fix"))
            found = parks[0]
    elif isinstance(park, int) or str(park).isdigit():
        found = session.get(Park, int(park))
    else:
        found = session.scalar(select(Park).where(Park.name == str(park).strip()))
    if found is None:
        raise NotFound(t("project.park_not_found", park=str(park)[:60]), t("project.park_needed.fix"))
    if actor.role == Role.operator and actor.park_id != found.id:
        raise Forbidden(t("project.other_park"), t("web.error.forbidden.fix"))
    return found


def visible(query: Select, actor: Actor, park_column, org_column) -> Select:  # noqa: ANN001
    """Restrict a query over park records to what the actor may see: operators their park, organization users
    their own organization's records, administrators and viewers everything."""
    if actor.role in (Role.admin, Role.viewer):
        return query
    if actor.role == Role.operator:
        return query.where(park_column == (actor.park_id or -1))
    return query.where(org_column == (actor.organization_id or -1))


def list_projects(*, session: Session, actor: Actor, park_id: int | None = None,
                  stage: str | None = None) -> list[InvestmentProject]:
    query = visible(select(InvestmentProject), actor, InvestmentProject.park_id, InvestmentProject.organization_id)
    if park_id is not None:
        query = query.where(InvestmentProject.park_id == park_id)
    if stage:
        query = query.where(InvestmentProject.stage == parse_stage(stage).value)
    return list(session.scalars(query.order_by(InvestmentProject.stage_on.desc(), InvestmentProject.id)))


def get_project(*, session: Session, actor: Actor, project_id: int) -> InvestmentProject:
    project = session.get(InvestmentProject, project_id)
    if project is None:
        raise NotFound(t("project.not_found", id=project_id), t("web.error.not_found.fix"))
    allowed = visible(select(InvestmentProject.id).where(InvestmentProject.id == project_id), actor,
                      InvestmentProject.park_id, InvestmentProject.organization_id)
    if session.scalar(allowed) is None:
        raise Forbidden(t("project.forbidden", id=project_id), t("web.error.forbidden.fix"))
    return project


def history(*, session: Session, project_id: int) -> list[ProjectEvent]:
    return list(session.scalars(select(ProjectEvent).where(ProjectEvent.project_id == project_id)
                                .order_by(ProjectEvent.reached_on, ProjectEvent.id)))


def reached(*, session: Session, project_ids: list[int] | None = None) -> dict[int, dict[str, dt.date]]:
    """project id → {stage: the date it was first reached}."""
    query = select(ProjectEvent.project_id, ProjectEvent.stage, ProjectEvent.reached_on)
    if project_ids is not None:
        query = query.where(ProjectEvent.project_id.in_(project_ids or [-1]))
    out: dict[int, dict[str, dt.date]] = {}
    for pid, stage, on in session.execute(query.order_by(ProjectEvent.reached_on, ProjectEvent.id)):
        out.setdefault(pid, {}).setdefault(stage, on)
    return out


@dataclass
class ProjectInput:
    """What a person types for a project; money in CNY (元)."""

    name: str
    stage: str = ProjectStage.lead.value
    stage_on: dt.date | None = None
    source_region: str = ""
    team: str = ""
    industry_code: str = ""
    end_reason: str = ""
    planned_investment: float | None = None
    actual_investment: float | None = None
    land_mu: float | None = None
    expected_revenue: float | None = None
    actual_revenue: float | None = None
    tax: float | None = None
    jobs: int | None = None
    note: str = ""


def _check_text(value: str, limit: int, field: str) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise CoparkError(t("web.error.too_long", max=limit), t("web.error.too_long.fix"), where=t(field))
    return value


def _check_number(value: float | int | None, field: str) -> None:
    if value is not None and not (0 <= value <= MONEY_MAX):
        raise CoparkError(t("project.bad_number", value=value), t("project.bad_number.fix"), where=t(field))


def check_date(on: dt.date | None, field: str = "project.field.stage_on") -> dt.date:
    """A stage date: today when not given, never in the future."""
    on = on or dt.date.today()
    if on > dt.date.today():
        raise CoparkError(t("project.future_date", date=on.isoformat()), t("project.future_date.fix"), where=t(field))
    return on


def org_by_name(session: Session, name: str) -> Organization | None:
    """The organization a project or record names, by exact name or short name (None if none or ambiguous)."""
    found = list(session.scalars(select(Organization).where(
        (Organization.name == name) | (Organization.short_name == name)).limit(2)))
    return found[0] if len(found) == 1 else None


def add_project(*, session: Session, actor: Actor, park: Park, data: ProjectInput, region_code: str | None,
                source: str = "") -> InvestmentProject:
    """A new project at its first stage (its history starts there); a name the park already has is refused."""
    require_staff(actor)
    name = _check_text(data.name, NAME_MAX, "project.field.name")
    if not name:
        raise CoparkError(t("project.name_required"), t("project.name_required.fix"), where=t("project.field.name"))
    if session.scalar(select(InvestmentProject.id).where(InvestmentProject.park_id == park.id,
                                                         InvestmentProject.name == name)):
        raise CoparkError(t("project.exists", name=name), t("project.exists.fix"), where=t("project.field.name"))
    stage = parse_stage(data.stage)
    on = check_date(data.stage_on)
    reason = _check_text(data.end_reason, TEXT_MAX, "project.field.end_reason")
    if stage == ProjectStage.terminated and not reason:
        raise CoparkError(t("project.needs_reason"), t("project.needs_reason.fix"), where=t("project.field.end_reason"))
    for key in ("planned_investment", "actual_investment", "land_mu", "expected_revenue", "actual_revenue", "tax",
                "jobs"):
        _check_number(getattr(data, key), f"project.field.{key}")
    stamp = now()
    org = org_by_name(session, name)
    project = InvestmentProject(
        park_id=park.id, name=name, organization_id=org.id if org else None, source_region_code=region_code,
        team=_check_text(data.team, 255, "project.field.team"), industry_code=(data.industry_code or None),
        stage=stage.value, stage_on=on, end_reason=reason, planned_investment=data.planned_investment,
        actual_investment=data.actual_investment, land_mu=data.land_mu, expected_revenue=data.expected_revenue,
        actual_revenue=data.actual_revenue, tax=data.tax, jobs=data.jobs,
        note=_check_text(data.note, TEXT_MAX, "project.field.note"), source=source, created_at=stamp,
        updated_at=stamp)
    session.add(project)
    session.flush()
    session.add(ProjectEvent(project_id=project.id, stage=stage.value, reached_on=on, note=reason,
                             username=actor.username, recorded_at=stamp))
    audit.record(session, actor, "project.add", "project", project.id, stage=stage.value)
    return project


def move(*, session: Session, actor: Actor, project_id: int, stage: str, on: dt.date | None = None,
         reason: str = "") -> InvestmentProject:
    """Move a project forward (or to 终止 with a reason) on a date no earlier than its current stage's."""
    project = get_project(session=session, actor=actor, project_id=project_id)
    require_staff(actor)
    target = parse_stage(stage)
    current = ProjectStage(project.stage)
    if not can_move(current, target):
        raise CoparkError(t("project.bad_move", current=stage_label(current.value), target=stage_label(target.value)),
                          t("project.bad_move.fix"), where=t("project.field.stage"))
    on = check_date(on)
    if on < project.stage_on:
        raise CoparkError(t("project.date_before", date=on.isoformat(), stage=stage_label(current.value),
                            before=project.stage_on.isoformat()), t("project.date_before.fix"),
                          where=t("project.field.stage_on"))
    reason = _check_text(reason, TEXT_MAX, "project.field.end_reason")
    if target == ProjectStage.terminated:
        if not reason:
            raise CoparkError(t("project.needs_reason"), t("project.needs_reason.fix"),
                              where=t("project.field.end_reason"))
        project.end_reason = reason
    project.stage, project.stage_on, project.updated_at = target.value, on, now()
    session.add(ProjectEvent(project_id=project.id, stage=target.value, reached_on=on, note=reason,
                             username=actor.username, recorded_at=project.updated_at))
    audit.record(session, actor, "project.stage", "project", project.id, stage=target.value, on=on.isoformat())
    session.flush()
    return project
