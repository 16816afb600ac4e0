"""国民经济行业分类 GB/T 4754-2017: industries by code, their parent chain, and search by name."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.orm import Session

from copark.knowledge.text import normalize
from copark.storage.tables import Industry

_CODE = re.compile(r"^([A-Ta-t])?\s*(\d{2}|\d{3}|\d{4})?$")


@dataclass(frozen=True)
class IndustryRecord:
    """One node of GB/T 4754: 门类 section (A–T), 大类 division (2), 中类 group (3), 小类 class (4 digits)."""

    code: str
    name: str
    level: int
    parent: str | None
    section: str
    description: str = ""


def parse_code(text: str | None) -> str | None:
    """The canonical code of "C3581", "3581", "c35", " C " → "3581", "35", "C"; None if not code-shaped."""
    if text is None:
        return None
    clean = normalize(str(text)).replace(" ", "").upper()
    if clean.endswith(".0"):  # Excel turns 3581 into 3581.0
        clean = clean[:-2]
    match = _CODE.match(clean)
    if not clean or not match:
        return None
    letter, digits = match.groups()
    return digits if digits else (letter.upper() if letter else None)


class IndustryTable:
    """GB/T 4754 nodes by code, with parent/child navigation and name search."""

    def __init__(self, records: Iterable[IndustryRecord]) -> None:
        self.by_code: dict[str, IndustryRecord] = {r.code: r for r in records}
        self._by_name: dict[str, list[IndustryRecord]] = {}
        for record in self.by_code.values():
            self._by_name.setdefault(normalize(record.name), []).append(record)

    def __len__(self) -> int:
        return len(self.by_code)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and self.get(code) is not None

    def get(self, code: str | None) -> IndustryRecord | None:
        """The node for a code written with or without its section letter (C3581 = 3581)."""
        canonical = parse_code(code)
        record = self.by_code.get(canonical) if canonical else None
        if record and code and code.strip()[:1].isalpha() and len(canonical or "") > 1:
            if code.strip()[0].upper() != record.section:  # "A3581": the letter contradicts the digits
                return None
        return record

    def by_exact_name(self, name: str) -> IndustryRecord | None:
        """The node whose official name is `name` (after normalization); a group named like its class wins."""
        found = self._by_name.get(normalize(name), [])
        return min(found, key=lambda r: r.level) if found else None

    def name(self, code: str | None) -> str:
        record = self.get(code)
        return record.name if record else ""

    def lineage(self, code: str) -> list[IndustryRecord]:
        """The node and its ancestors, most specific first: class → group → division → section."""
        chain: list[IndustryRecord] = []
        record = self.get(code)
        while record is not None and record not in chain:
            chain.append(record)
            record = self.by_code.get(record.parent) if record.parent else None
        return chain

    def at_level(self, code: str, level: int) -> IndustryRecord | None:
        """The ancestor (or self) at a level: at_level("3581", 2) is division 35."""
        return next((r for r in self.lineage(code) if r.level == level), None)

    def children(self, code: str) -> list[IndustryRecord]:
        canonical = parse_code(code)
        return sorted((r for r in self.by_code.values() if r.parent == canonical), key=lambda r: r.code)

    def level(self, level: int) -> list[IndustryRecord]:
        return sorted((r for r in self.by_code.values() if r.level == level), key=lambda r: r.code)

    def search(self, text: str, *, limit: int = 10, level: int | None = None) -> list[IndustryRecord]:
        """Nodes whose name equals, contains or resembles `text`, best first."""
        query = normalize(text)
        if not query:
            return []
        pool = [r for r in self.by_code.values() if level is None or r.level == level]
        exact = [r for r in self._by_name.get(query, []) if r in pool]
        contains = sorted((r for r in pool if query in normalize(r.name) and r not in exact),
                          key=lambda r: (len(r.name), r.code))
        found = exact + contains
        if len(found) < limit:
            names = {r.code: normalize(r.name) for r in pool if r not in found}
            for _, score, code in process.extract(query, names, scorer=fuzz.WRatio, limit=limit):
                if score >= 60:
                    found.append(self.by_code[code])
        return found[:limit]


def _record(code: str, name: str, parent: str | None, section: str,
            description: str | None) -> IndustryRecord | None:
    canonical = parse_code(code)
    if not canonical or not (name or "").strip():
        return None
    # The level follows from the code's shape; a level column that disagrees is a typo.
    lvl = 1 if canonical.isalpha() else len(canonical)
    parent_code = parse_code(parent) if parent else None
    if parent_code is None and lvl == 2:
        parent_code = (section or "").strip().upper() or None
    return IndustryRecord(canonical, name.strip(), lvl, parent_code, (section or "").strip().upper()[:1],
                          (description or "").strip())


@lru_cache(maxsize=1)
def builtin_industries() -> IndustryTable:
    """The table shipped in knowledge/data/industries.csv (empty if the file is not there)."""
    file = resources.files("copark.knowledge") / "data" / "industries.csv"
    records: list[IndustryRecord] = []
    if file.is_file():
        with file.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                record = _record(row.get("code") or "", row.get("name") or "", row.get("parent"), row.get("section") or "", row.get("description"))
                if record:
                    records.append(record)
    return IndustryTable(records)


def load_industries(session: Session | None = None) -> IndustryTable:
    """The built-in table, overlaid with rows of the Industry table (copark kb import --gbt) when given a session."""
    base = builtin_industries()
    if session is None:
        return base
    rows = session.scalars(select(Industry)).all()
    if not rows:
        return base
    records = dict(base.by_code)
    for row in rows:
        record = _record(row.code, row.name, row.parent, row.section, row.description)
        if record:
            records[record.code] = record
    return IndustryTable(records.values())
