"""对接机会 (opportunities): compute, list with filters, review (push, not relevant, start a docking record)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from copark.core.errors import CoparkError
from copark.locale import t
from copark.services.access import Actor, Forbidden, contacts_seen, org_scope
from copark.workspace import Workspace

from .parties import Party, party

#: Score bands of the 对接机会 filter: name → [low, high).
SCORE_BANDS = {"high": (70.0, 1e9), "medium": (40.0, 70.0), "low": (-1e9, 40.0)}
FILTER_MAX = 100


@dataclass
class OpportunityPublic:
    id: int
    score: float
    mode: str
    mode_label: str
    need: Party
    need_text: str
    need_kind: str
    offer: Party
    offer_text: str
    offer_kind: str
    why: str
    low_confidence: bool
    need_origin: str
    record_id: int | None = None
    stage: str | None = None
    explanation: dict[str, Any] = field(default_factory=dict)


def match(*, workspace: Workspace, actor: Actor | None = None, org: str | None = None, industry: str | None = None,
          park: str | None = None, cross_region: bool = True, top: int = 10):  # noqa: ANN201 - MatchRun
    """Compute and store the opportunities of the needs in scope (services.opportunities.match)."""
    from copark.services.opportunities import match as run

    actor = actor or Actor.local()
    if not actor.can_review:
        raise Forbidden(t("web.error.reviewers_only"), t("web.error.forbidden.fix"))
    with workspace.transaction() as session:
        return run(session=session, org=org, industry=industry, park=park, cross_region=cross_region, top=top,
                   regions=workspace.regions)


def fit(*, workspace: Workspace, without: list[str] | None = None, seed: int = 13,
        knowledge: bool = False):  # noqa: ANN201 - FitResult
    from copark.services.opportunities import fit_ranker

    with workspace.transaction() as session:
        return fit_ranker(session=session, regions=workspace.regions, without=without or [], seed=seed,
                          knowledge=knowledge)


def _band(value: str | None) -> tuple[float, float] | None:
    if not value:
        return None
    if value not in SCORE_BANDS:
        raise CoparkError(t("web.error.bad_choice", value=value[:40]),
                          t("web.error.bad_choice.fix", choices="、".join(SCORE_BANDS)), where=t("web.filter.score"))
    return SCORE_BANDS[value]


def list_opportunities(*, workspace: Workspace, actor: Actor | None = None, org: str | None = None,
                       industry: str | None = None, mode: str | None = None, region: str | None = None,
                       score: str | None = None, kind: str | None = None, limit: int = 200,
                       opportunity_id: int | None = None) -> list[OpportunityPublic]:
    """Stored opportunities, best first, that the actor may see and the filters select (not-relevant ones left
    out). Park staff see those touching their park; an organization user only those pushed to it, with the
    counterpart anonymised until both sides expressed interest."""
    from copark.services import docking
    from copark.services.directory import _industry_codes
    from copark.services.opportunities import find_opportunities
    from copark.services.organizations import find_organization

    actor = actor or Actor.local()
    for value in (industry, mode, region, kind):
        if value and len(value) > FILTER_MAX:
            raise CoparkError(t("web.error.too_long", max=FILTER_MAX), t("web.error.too_long.fix"))
    band = _band(score)
    regions = workspace.regions
    area = regions.resolve(region).code if region and region.strip() else None
    with workspace.transaction() as session:
        org_id = find_organization(session=session, ref=org).id if org is not None else None
        prefixes = _industry_codes(session, industry) if industry and industry.strip() else None
        found = find_opportunities(session=session, regions=regions, need_org_id=org_id,
                                   visible=org_scope(session, actor), pushed_only=actor.is_org_user,
                                   mode=mode or None, kind=kind or None, score=band, industry=prefixes, area=area,
                                   opportunity_id=opportunity_id, limit=limit)
        seen = contacts_seen(session, actor, {o for v, *_ in found for o in (v.need_org_id, v.offer_org_id)})
        out: list[OpportunityPublic] = []
        for v, record, need_org, offer_org in found:
            reveal = record is not None and docking.revealed(record)
            hidden = actor.is_org_user and not reveal
            out.append(OpportunityPublic(
                id=v.id or 0, score=round(v.score, 1), mode=v.mode, mode_label=v.mode_label,
                need=party(session, actor, need_org, regions, reveal=reveal, contacts=v.need_org_id in seen),
                need_text=v.need_text, need_kind=v.need_kind,
                offer=party(session, actor, offer_org, regions, reveal=reveal, contacts=v.offer_org_id in seen),
                offer_text=v.offer_text, offer_kind=v.offer_kind,
                # the explanation names both organizations: an anonymised reader gets the summary only
                why=t("web.why_hidden") if hidden else v.why, low_confidence=v.low_confidence,
                need_origin=v.need_origin, record_id=record.id if record else None,
                stage=record.stage if record else None, explanation={} if hidden else v.explanation))
        return out


def get_opportunity(*, workspace: Workspace, actor: Actor | None = None, opportunity_id: int) -> OpportunityPublic:
    """One opportunity the actor may see (NotFound, Forbidden)."""
    from copark.services import docking

    actor = actor or Actor.local()
    with workspace.transaction() as session:
        docking.get_opportunity(session, opportunity_id)  # NotFound first: an unknown id is not a forbidden one
    for found in list_opportunities(workspace=workspace, actor=actor, opportunity_id=opportunity_id, limit=1):
        return found
    raise Forbidden(t("web.error.forbidden_opportunity", id=opportunity_id), t("web.error.forbidden.fix"))


def _texts(workspace: Workspace, actor: Actor, opportunity_id: int) -> tuple[str, str, str]:
    found = get_opportunity(workspace=workspace, actor=actor, opportunity_id=opportunity_id)
    return found.need_text, found.offer_text, found.why


def push_opportunity(*, workspace: Workspace, actor: Actor | None = None, opportunity_id: int) -> int:
    """推送 to both enterprises; returns the docking record's id."""
    from copark.services import docking

    actor = actor or Actor.local()
    texts = _texts(workspace, actor, opportunity_id)
    with workspace.transaction() as session:
        return docking.push(session=session, actor=actor, opportunity_id=opportunity_id, texts=texts).id


def start_docking(*, workspace: Workspace, actor: Actor | None = None, opportunity_id: int) -> int:
    """Start a docking record (推荐) for the opportunity; returns its id."""
    from copark.services import docking

    actor = actor or Actor.local()
    texts = _texts(workspace, actor, opportunity_id)
    with workspace.transaction() as session:
        return docking.start(session=session, actor=actor, opportunity_id=opportunity_id, texts=texts).id


def dismiss_opportunity(*, workspace: Workspace, actor: Actor | None = None, opportunity_id: int,
                        reason: str) -> None:
    """Mark not relevant, with the reason (stored; the ranker can learn from it later)."""
    from copark.services import docking

    actor = actor or Actor.local()
    with workspace.transaction() as session:
        docking.dismiss(session=session, actor=actor, opportunity_id=opportunity_id, reason=reason)
