"""Typed records an import produces (parks, organizations, items) and cell-to-value helpers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import String

from copark.io.readers import RawRow
from copark.storage.tables import Item, Organization, Park


def cell_text(value: object) -> str:
    """A cell as the text the user sees: 431224 not 431224.0, dates as 2025-12-31."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def item_key(text: str) -> str:
    """How item texts are compared for identity: half-width, no spaces, lower case."""
    return "".join(text.translate(_HALF_WIDTH).split()).lower()


def _lengths(table: type) -> dict[str, int]:
    return {c.name: c.type.length for c in table.__table__.columns  # type: ignore[attr-defined]
            if isinstance(c.type, String) and c.type.length}


# PostgreSQL enforces VARCHAR lengths, so they are checked up front with a clear message.
MAX_LENGTH = {"parks": _lengths(Park), "orgs": _lengths(Organization), "items": _lengths(Item)}


@dataclass(eq=False)
class ParkRecord:
    """园区 from a parks row (or only named by an organization's 所属园区)."""

    name: str
    fields: dict[str, object] = field(default_factory=dict)
    row: RawRow | None = None


@dataclass(eq=False)
class OrgRecord:
    """One organization, merged from every consistent row that names it; fields hold non-empty values."""

    name: str
    norm_name: str
    credit_code: str | None
    fields: dict[str, object] = field(default_factory=dict)
    rows: list[RawRow] = field(default_factory=list)
    db_id: int | None = None


@dataclass(eq=False)
class ItemRecord:
    """One declared offer or need; fields hold non-empty values; a guessed kind never overrides a given one."""

    org: OrgRecord | int  # a record of this import, or the id of an organization already stored
    direction: str
    text: str
    fields: dict[str, object] = field(default_factory=dict)
    kind_guessed: bool = False
    row: RawRow | None = None
    origin: str = "declared"  # or "scope": read from the organization's 经营范围; "inferred": exported guess
    status: str | None = None  # an inferred item's review state (proposed, accepted, dismissed)

    @property
    def org_identity(self) -> tuple[str, int]:
        if isinstance(self.org, int):
            return ("db", self.org)
        if self.org.db_id is not None:
            return ("db", self.org.db_id)
        return ("new", id(self.org))

    @property
    def key(self) -> tuple[tuple[str, int], str, str]:
        return (self.org_identity, self.direction, item_key(self.text))
