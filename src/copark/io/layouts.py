"""The three import layouts of contract A (园区, 企业, 清单明细): columns, header matching, detection."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from copark.locale import t
from copark.parsing.numbers import to_half_width


@dataclass(frozen=True)
class Column:
    """One column of a layout; its header and synonyms come from the locale."""

    layout: str
    key: str
    required: bool = False
    width: int = 14
    export_only: bool = False  # written by `copark export` and read back by import, not offered in the template

    @property
    def header(self) -> str:
        return t(f"import.col.{self.layout}.{self.key}")

    @property
    def template_header(self) -> str:
        return self.header + ("*" if self.required else "")

    @property
    def synonyms(self) -> tuple[str, ...]:
        return tuple(s for s in t(f"import.syn.{self.layout}.{self.key}").split("|") if s)


@dataclass(frozen=True)
class Layout:
    """A sheet format: which columns it has and which are required."""

    key: str  # parks | orgs | items (park operations add theirs: io.oplayouts)
    columns: tuple[Column, ...]
    amounts: tuple[str, ...] = ()  # money columns whose header unit (（万元）) applies to plain numbers

    @property
    def sheet_name(self) -> str:
        return t(f"import.sheet.{self.key}")

    @property
    def template_columns(self) -> tuple[Column, ...]:
        """The columns a person fills in (the template's); export adds the export-only ones."""
        return tuple(c for c in self.columns if not c.export_only)

    @cached_property
    def by_key(self) -> dict[str, Column]:
        return {c.key: c for c in self.columns}

    @cached_property
    def _lookup(self) -> dict[str, str]:
        """Normalized header word → column key; canonical headers win over synonyms."""
        table: dict[str, str] = {}
        for column in self.columns:
            for word in column.synonyms:
                table.setdefault(normalize_header(word), column.key)
        for column in self.columns:
            table[normalize_header(column.header)] = column.key
        return table

    def column_for(self, header: str) -> str | None:
        """The column key a header names, or None."""
        return self._lookup.get(normalize_header(header))

    def describe(self) -> str:
        """“企业: 企业名称*、简称、…” for error messages."""
        return f"{self.sheet_name}（{'、'.join(c.template_header for c in self.template_columns)}）"


def _cols(layout: str, spec: str) -> tuple[Column, ...]:
    """Columns from "key:width*" words; a trailing * marks a required column, a trailing ~ an export-only one."""
    out = []
    for word in spec.split():
        name, _, width = word.rstrip("*~").partition(":")
        out.append(Column(layout, name, required=word.endswith("*"), width=int(width or 14),
                          export_only=word.endswith("~")))
    return tuple(out)


PARKS = Layout("parks", _cols("parks", "name:24* region:16 partner_region:16 founded:12 positioning:28 description:40"))
ORGS = Layout("orgs", _cols(
    "orgs",
    "name:32* short_name:12 kind:12 credit_code:22 region:16 park:18 industry:10 products:28 description:36 "
    "contact:20 employees:10 revenue:12 offers:40 needs:40 scope:40 note:30",
))
ITEMS = Layout("items", _cols(
    "items",
    "org:32* direction:10* kind:12 text:36* quantity:10 unit:8 annual_value:12 certifications:16 "
    "valid_until:12 note:30 origin:10~ status:10~",
))
LAYOUTS: tuple[Layout, ...] = (PARKS, ORGS, ITEMS)
# Money columns: a unit in their header (年营业收入（万元）) applies to every plain number below it.
AMOUNT_COLUMNS = {"parks": (), "orgs": ("revenue",), "items": ("annual_value",)}

# Columns people keep apart but copark stores in one field: 联系人 + 联系电话 (+ 手机号码) are the contact.
COMBINED = {"contact"}
# Columns people add for their own bookkeeping; ignoring them loses nothing.
_IGNORABLE = {"序号", "编号", "no", "no.", "#", "行号"}
_SPACES = re.compile(r"\s+")
_TRAILING_NOTE = re.compile(r"[(（][^)）]*[)）]$")


def normalize_header(text: object) -> str:
    """Header as compared: half-width, no spaces, no trailing * or bracketed note (年金额（元）)."""
    word = _SPACES.sub("", to_half_width(str(text or "")))
    word = word.rstrip("*").rstrip("＊")
    if _TRAILING_NOTE.search(word) and not _TRAILING_NOTE.fullmatch(word):
        word = _TRAILING_NOTE.sub("", word)
    return word.rstrip("*").lower()


def is_ignorable(header: object) -> bool:
    return normalize_header(header) in _IGNORABLE or not normalize_header(header)


@dataclass
class Detected:
    """A header row matched to a layout: column key → 0-based index, plus unmatched headers."""

    layout: Layout
    columns: dict[str, int]
    unknown: list[str]
    duplicates: list[tuple[str, int, int]]  # (header, first index, second index)
    more: dict[str, list[int]] = field(default_factory=dict)  # further columns of a COMBINED key


def match_headers(layout: Layout, headers: list[object]) -> Detected:
    columns: dict[str, int] = {}
    unknown: list[str] = []
    duplicates: list[tuple[str, int, int]] = []
    more: dict[str, list[int]] = {}
    for index, header in enumerate(headers):
        if is_ignorable(header):
            continue
        key = layout.column_for(str(header))
        if key is None:
            unknown.append(str(header).strip())
        elif key in columns and key in COMBINED and normalize_header(header) != normalize_header(headers[columns[key]]):
            more.setdefault(key, []).append(index)
        elif key in columns:
            duplicates.append((str(header).strip(), columns[key], index))
        else:
            columns[key] = index
    return Detected(layout, columns, unknown, duplicates, more)


def detect_layout(headers: list[object], sheet_name: str = "",
                  layouts: tuple[Layout, ...] = LAYOUTS) -> Detected | None:
    """The layout whose required headers all appear, preferring the most matched columns."""
    best: tuple[tuple[int, int], Detected] | None = None
    for layout in layouts:
        found = match_headers(layout, headers)
        if not all(c.key in found.columns for c in layout.columns if c.required):
            continue
        # Ties (企业 and 清单明细 share 企业名称) go to the layout the sheet is named after.
        score = (len(found.columns), int(normalize_header(sheet_name) == normalize_header(layout.sheet_name)))
        if best is None or score > best[0]:
            best = (score, found)
    return best[1] if best else None


def expected_headers(layouts: tuple[Layout, ...] = LAYOUTS) -> str:
    return "；".join(layout.describe() for layout in layouts)
