"""对接记录 (docking records): the board, one record with its history, moving stages, expressing interest."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from copark.locale import t
from copark.services.access import Actor
from copark.workspace import Workspace

from .parties import Party, party


@dataclass
class EventPublic:
    at: dt.datetime
    username: str
    action: str
    stage: str
    stage_label: str
    note: str


@dataclass
class RecordPublic:
    id: int
    stage: str
    stage_label: str
    need: Party
    offer: Party
    need_text: str
    offer_text: str
    score: float
    mode: str
    why: str
    need_interest: bool
    offer_interest: bool
    revealed: bool
    contract_value: float | None
    contract_note: str
    close_reason: str
    updated_at: dt.datetime
    can_move: bool
    can_express_interest: bool
    history: list[EventPublic] = field(default_factory=list)


def _public(session, actor: Actor, record, regions, *, with_history: bool = False) -> RecordPublic:  # noqa: ANN001
    from copark.services import docking
    from copark.storage.tables import Organization

    reveal = docking.revealed(record)
    hidden = actor.is_org_user and not reveal
    mine = actor.organization_id in (record.need_org_id, record.offer_org_id)
    own_flag = (record.need_interest_at if actor.organization_id == record.need_org_id else record.offer_interest_at)
    out = RecordPublic(
        id=record.id, stage=record.stage, stage_label=t(f"stage.{record.stage}"),
        need=party(session, actor, session.get(Organization, record.need_org_id), regions, reveal=reveal),
        offer=party(session, actor, session.get(Organization, record.offer_org_id), regions, reveal=reveal),
        need_text=record.need_text, offer_text=record.offer_text, score=round(record.score, 1), mode=record.mode,
        why=t("web.why_hidden") if hidden else record.why, need_interest=record.need_interest_at is not None,
        offer_interest=record.offer_interest_at is not None, revealed=reveal, contract_value=record.contract_value,
        contract_note=record.contract_note or "", close_reason=record.close_reason or "",
        updated_at=record.updated_at, can_move=actor.can_review and record.stage != docking.Stage.closed,
        can_express_interest=actor.is_org_user and mine and own_flag is None
        and record.stage in (docking.Stage.pushed, docking.Stage.interest),
    )
    if with_history:
        out.history = [EventPublic(e.at, e.username, e.action, e.stage, t(f"stage.{e.stage}"), e.note)
                       for e in docking.history(session=session, record=record)]
    return out


def docking_board(*, workspace: Workspace, actor: Actor | None = None, stage: str | None = None
                  ) -> list[RecordPublic]:
    """The records the actor may see, most recently changed first."""
    from copark.services import docking

    actor = actor or Actor.local()
    with workspace.transaction() as session:
        return [_public(session, actor, r, workspace.regions)
                for r in docking.list_records(session=session, actor=actor, stage=stage)]


def docking_record(*, workspace: Workspace, actor: Actor | None = None, record_id: int) -> RecordPublic:
    """One record with its history (NotFound, Forbidden)."""
    from copark.services import docking

    actor = actor or Actor.local()
    with workspace.transaction() as session:
        record = docking.get_record(session=session, actor=actor, record_id=record_id)
        return _public(session, actor, record, workspace.regions, with_history=True)


def move_docking_record(*, workspace: Workspace, actor: Actor | None = None, record_id: int, stage: str,
                        contract_value: float | None = None, contract_note: str = "", reason: str = "") -> None:
    """One stage on (签约 needs the contract's annual value, 关闭 a reason)."""
    from copark.services import docking

    actor = actor or Actor.local()
    with workspace.transaction() as session:
        docking.move(session=session, actor=actor, record_id=record_id, stage=stage, contract_value=contract_value,
                     contract_note=contract_note, reason=reason)


def express_interest(*, workspace: Workspace, actor: Actor, record_id: int) -> None:
    """The actor's organization is interested; both sides interested reveals names and contacts."""
    from copark.services import docking

    with workspace.transaction() as session:
        docking.express_interest(session=session, actor=actor, record_id=record_id)
