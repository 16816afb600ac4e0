"""对接记录 (docking records): an opportunity worked from 推荐 to 签约 and beyond, and dismissed opportunities."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from copark.core.errors import CoparkError
from copark.locale import t
from copark.services import audit
from copark.services.access import Actor, Forbidden, NotFound, may_open, org_scope, park_of, visible_orgs
from copark.services.items import now
from copark.storage.tables import (
    CreditLine,
    DockingEvent,
    DockingRecord,
    Item,
    Opportunity,
    OpportunityDismissal,
    Organization,
    Park,
)

REASON_MAX = 500
NOTE_MAX = 255


class Stage(StrEnum):
    """The stages of a docking record, in order (closed can follow any)."""

    recommended = "recommended"  # 推荐
    pushed = "pushed"  # 已推送
    interest = "interest"  # 意向
    negotiating = "negotiating"  # 洽谈
    signed = "signed"  # 签约
    delivering = "delivering"  # 履约
    closed = "closed"  # 关闭


ORDER = list(Stage)


def revealed(record: DockingRecord) -> bool:
    """Both sides expressed interest: names and contacts are shown to each other."""
    return record.need_interest_at is not None and record.offer_interest_at is not None


def _event(session: Session, record: DockingRecord, actor: Actor, action: str, note: str = "") -> None:
    session.add(DockingEvent(record_id=record.id, at=now(), user_id=actor.user_id, username=actor.username,
                             action=action, stage=record.stage, note=note))


def _require_reviewer(session: Session, actor: Actor, *org_ids: int) -> None:
    if not actor.can_review:
        raise Forbidden(t("web.error.reviewers_only"), t("web.error.forbidden.fix"))
    if not any(may_open(session, actor, o) for o in org_ids):
        raise Forbidden(t("web.error.forbidden_record"), t("web.error.forbidden.fix"))


def get_opportunity(session: Session, opportunity_id: int) -> Opportunity:
    row = session.get(Opportunity, opportunity_id)
    if row is None:
        raise NotFound(t("web.error.opportunity_not_found", id=opportunity_id), t("web.error.not_found.fix"))
    return row


def record_for(session: Session, opportunity: Opportunity) -> DockingRecord | None:
    """The open record of the opportunity's pair, if one was started."""
    return session.scalar(select(DockingRecord).where(
        DockingRecord.need_org_id == opportunity.need_org_id, DockingRecord.offer_org_id == opportunity.offer_org_id,
        DockingRecord.need_item_id == opportunity.need_item_id if opportunity.need_item_id is not None
        else DockingRecord.need_item_id.is_(None),
        DockingRecord.offer_item_id == opportunity.offer_item_id if opportunity.offer_item_id is not None
        else DockingRecord.offer_item_id.is_(None),
    ).order_by(DockingRecord.id.desc()).limit(1))


def start(*, session: Session, actor: Actor, opportunity_id: int, texts: tuple[str, str, str] = ("", "", "")
          ) -> DockingRecord:
    """Start a docking record (推荐) from an opportunity; the existing one when the pair has one already."""
    opp = get_opportunity(session, opportunity_id)
    _require_reviewer(session, actor, opp.need_org_id, opp.offer_org_id)
    existing = record_for(session, opp)
    if existing is not None:
        return existing
    need_text, offer_text, why = texts
    stamp = now()
    record = DockingRecord(opportunity_id=opp.id, need_item_id=opp.need_item_id, offer_item_id=opp.offer_item_id,
                           need_org_id=opp.need_org_id, offer_org_id=opp.offer_org_id, need_text=need_text,
                           offer_text=offer_text, score=opp.score, mode=opp.mode, why=why,
                           stage=Stage.recommended.value, contract_note="", close_reason="",
                           created_at=stamp, updated_at=stamp)
    session.add(record)
    session.flush()
    _event(session, record, actor, "stage")
    audit.record(session, actor, "docking.start", "docking", record.id, opportunity=opp.id)
    return record


def get_record(*, session: Session, actor: Actor, record_id: int) -> DockingRecord:
    """A record the actor may see: staff of either side's park, or a user of either organization once pushed."""
    record = session.get(DockingRecord, record_id)
    if record is None:
        raise NotFound(t("web.error.record_not_found", id=record_id), t("web.error.not_found.fix"))
    if visible_orgs(session, actor) is None:
        return record
    if not (may_open(session, actor, record.need_org_id) or may_open(session, actor, record.offer_org_id)):
        raise Forbidden(t("web.error.forbidden_record"), t("web.error.forbidden.fix"))
    if actor.is_org_user and record.stage == Stage.recommended:
        raise Forbidden(t("web.error.forbidden_record"), t("web.error.forbidden.fix"))
    return record


def list_records(*, session: Session, actor: Actor, stage: str | None = None) -> list[DockingRecord]:
    query = select(DockingRecord).order_by(DockingRecord.updated_at.desc(), DockingRecord.id.desc())
    if stage:
        query = query.where(DockingRecord.stage == parse_stage(stage).value)
    scope = org_scope(session, actor)
    if scope is not None:
        # Each side checked on its own row (no set of the park's ids built, once per side, first).
        need_org, offer_org = aliased(Organization), aliased(Organization)
        query = (query.outerjoin(need_org, need_org.id == DockingRecord.need_org_id)
                 .outerjoin(offer_org, offer_org.id == DockingRecord.offer_org_id)
                 .where(or_(scope(need_org), scope(offer_org))))
        if actor.is_org_user:
            query = query.where(DockingRecord.stage != Stage.recommended.value)
    return list(session.scalars(query))


def history(*, session: Session, record: DockingRecord) -> list[DockingEvent]:
    return list(session.scalars(select(DockingEvent).where(DockingEvent.record_id == record.id)
                                .order_by(DockingEvent.id)))


def parse_stage(value: str) -> Stage:
    try:
        return Stage((value or "").strip())
    except ValueError:
        raise CoparkError(t("docking.bad_stage", value=(value or "")[:40]),
                          t("docking.bad_stage.fix", choices="、".join(s.value for s in Stage))) from None


def move(*, session: Session, actor: Actor, record_id: int, stage: str, contract_value: float | None = None,
         contract_note: str = "", reason: str = "") -> DockingRecord:
    """Move a record one stage on (or to 关闭 from any open stage); 签约 needs the contract's annual value,
    关闭 a reason. Anything wrong changes nothing."""
    record = get_record(session=session, actor=actor, record_id=record_id)
    _require_reviewer(session, actor, record.need_org_id, record.offer_org_id)
    target = parse_stage(stage)
    current = Stage(record.stage)
    if current == Stage.closed:
        raise CoparkError(t("docking.closed"), t("docking.closed.fix"))
    if target != Stage.closed and ORDER.index(target) != ORDER.index(current) + 1:
        raise CoparkError(t("docking.bad_move", current=t(f"stage.{current.value}"),
                            target=t(f"stage.{target.value}")),
                          t("docking.bad_move.fix", next=t(f"stage.{ORDER[ORDER.index(current) + 1].value}")))
    note = ""
    if target == Stage.signed:
        if contract_value is None or not contract_value > 0 or contract_value > 1e13:
            raise CoparkError(t("docking.needs_value"), t("docking.needs_value.fix"), where=t("docking.field.value"))
        if len(contract_note or "") > NOTE_MAX:
            raise CoparkError(t("web.error.too_long", max=NOTE_MAX), t("web.error.too_long.fix"),
                              where=t("docking.field.contract_note"))
        record.contract_value = float(contract_value)
        record.contract_note = (contract_note or "").strip()
        note = record.contract_note
    if target == Stage.closed:
        reason = (reason or "").strip()
        if not reason or len(reason) > REASON_MAX:
            raise CoparkError(t("docking.needs_reason", max=REASON_MAX), t("docking.needs_reason.fix"),
                              where=t("docking.field.reason"))
        record.close_reason = reason
        note = reason
    record.stage = target.value
    record.updated_at = now()
    if target == Stage.signed:
        _credit_line(session, record)
    _event(session, record, actor, "stage", note)
    audit.record(session, actor, "docking.stage", "docking", record.id, stage=target.value,
                 value=record.contract_value if target == Stage.signed else None)
    session.flush()
    return record


def push(*, session: Session, actor: Actor, opportunity_id: int, texts: tuple[str, str, str] = ("", "", "")
         ) -> DockingRecord:
    """推送: send the opportunity to both enterprises (starting its record when needed)."""
    record = start(session=session, actor=actor, opportunity_id=opportunity_id, texts=texts)
    if record.stage == Stage.recommended:
        move(session=session, actor=actor, record_id=record.id, stage=Stage.pushed.value)
    return record


def express_interest(*, session: Session, actor: Actor, record_id: int) -> DockingRecord:
    """An enterprise says it is interested; when both sides have, the record reaches 意向 and names are revealed."""
    record = get_record(session=session, actor=actor, record_id=record_id)
    if not actor.is_org_user:
        raise Forbidden(t("web.error.org_users_only"), t("web.error.forbidden.fix"))
    if record.stage not in (Stage.pushed, Stage.interest):
        raise CoparkError(t("docking.interest_stage"), t("docking.interest_stage.fix"))
    stamp = now()
    if actor.organization_id == record.need_org_id and record.need_interest_at is None:
        record.need_interest_at = stamp
    elif actor.organization_id == record.offer_org_id and record.offer_interest_at is None:
        record.offer_interest_at = stamp
    else:
        return record
    _event(session, record, actor, "interest")
    audit.record(session, actor, "docking.interest", "docking", record.id)
    if revealed(record) and record.stage == Stage.pushed:
        record.stage = Stage.interest.value
        _event(session, record, actor, "stage")
        audit.record(session, actor, "docking.reveal", "docking", record.id, need_org=record.need_org_id,
                     offer_org=record.offer_org_id)
    record.updated_at = stamp
    session.flush()
    return record


def dismiss(*, session: Session, actor: Actor, opportunity_id: int, reason: str) -> OpportunityDismissal:
    """Mark an opportunity not relevant, with the reason (kept for the ranker to learn from)."""
    opp = get_opportunity(session, opportunity_id)
    _require_reviewer(session, actor, opp.need_org_id, opp.offer_org_id)
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_MAX:
        raise CoparkError(t("docking.needs_reason", max=REASON_MAX), t("docking.dismiss_reason.fix"),
                          where=t("docking.field.reason"))
    row = OpportunityDismissal(need_item_id=opp.need_item_id, offer_item_id=opp.offer_item_id,
                               need_org_id=opp.need_org_id, offer_org_id=opp.offer_org_id, reason=reason,
                               user_id=actor.user_id, at=now())
    session.add(row)
    session.flush()
    audit.record(session, actor, "opportunity.dismiss", "opportunity", opp.id, reason=reason)
    return row


def dismissed_pairs(session: Session) -> set[tuple[int | None, int | None, int]]:
    """(need item, offer item, offer org) of every opportunity marked not relevant."""
    return {(d.need_item_id, d.offer_item_id, d.offer_org_id) for d in session.scalars(select(OpportunityDismissal))}


def _credit_line(session: Session, record: DockingRecord) -> CreditLine | None:
    """A bank's financing offer signed with an enterprise becomes a line of the park's 授信台账 (granted = the
    contract's annual value, dated today, its source naming this record), so credit granted through matching is
    counted in the KPIs without being typed in again. Other offers, or an enterprise outside any park, add nothing."""
    bank, enterprise = session.get(Organization, record.offer_org_id), session.get(Organization, record.need_org_id)
    offer = session.get(Item, record.offer_item_id) if record.offer_item_id else None
    if bank is None or enterprise is None or bank.kind != "bank" or (offer is not None and offer.kind != "finance"):
        return None
    park = park_of(enterprise, list(session.scalars(select(Park).order_by(Park.id))))
    if park is None:
        return None
    line = CreditLine(park_id=park.id, bank=bank.name, enterprise=enterprise.name, organization_id=enterprise.id,
                      product=(record.offer_text or "")[:128], granted=float(record.contract_value or 0.0),
                      granted_on=dt.date.today(), source=t("docking.credit_source", id=record.id))
    session.add(line)
    return line
