"""The audit log: who changed or revealed what."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from copark.services.access import Actor
from copark.services.items import now
from copark.storage.tables import AuditEntry


def record(session: Session, actor: Actor, action: str, target: str, target_id: int | None,
           **detail: Any) -> None:
    """Add one entry to the audit log, in the caller's transaction (so it exists only if the change does)."""
    session.add(AuditEntry(at=now(), user_id=actor.user_id, username=actor.username, action=action, target=target,
                           target_id=target_id, detail=detail))


def entries(*, session: Session, limit: int = 200) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)))
