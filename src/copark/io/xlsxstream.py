"""A streaming .xlsx row reader (stdlib XML + openpyxl's date helpers) for large workbooks.

openpyxl's read-only mode spends ~50 µs per cell (inline strings go through its descriptor objects) and
scans the whole sheet once more for its size; this reader walks each sheet once, returns the same Python
values openpyxl would (str, int, float, bool, datetime) and collects merged ranges in the same pass.
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from xml.etree.ElementTree import iterparse

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils import column_index_from_string, range_boundaries
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _text_of(element) -> str:  # noqa: ANN001
    """Concatenated <t> texts of a string item, skipping phonetic (<rPh>) runs."""
    parts = []
    for child in element.iter():
        name = _local(child.tag)
        if name == "t" and child.text:
            parts.append(child.text)
    if any(_local(c.tag) == "rPh" for c in element):
        phonetic = "".join(t.text or "" for c in element if _local(c.tag) == "rPh" for t in c.iter()
                           if _local(t.tag) == "t")
        joined = "".join(parts)
        return joined[: len(joined) - len(phonetic)] if phonetic and joined.endswith(phonetic) else joined
    return "".join(parts)


@dataclass
class StreamSheet:
    """One worksheet: its name, and (after rows() is exhausted) its merged ranges."""

    name: str
    path: str
    book: StreamBook
    merged: dict[tuple[int, int], str] = field(default_factory=dict)

    def rows(self) -> Iterator[tuple[int, tuple[object, ...]]]:
        """(1-based row number, values) for every row present in the sheet, in order."""
        book = self.book
        with book.archive.open(self.path) as source:
            next_row = 1
            row_tag = merge_tag = ""
            for _, element in iterparse(source, events=("end",)):
                tag = element.tag
                if not row_tag:  # tags carry the namespace; compare whole strings, it is the hot loop
                    ns = tag[: tag.index("}") + 1] if tag.startswith("{") else ""
                    row_tag, merge_tag = ns + "row", ns + "mergeCell"
                    book.set_namespace(ns)
                if tag == row_tag:
                    number = int(element.get("r") or next_row)
                    next_row = number + 1
                    yield number, book.row_values(element)
                    element.clear()
                elif tag == merge_tag:
                    self._add_merge(element.get("ref", ""))

    def _add_merge(self, ref: str) -> None:
        if ":" not in ref:
            return
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        for row in range(min_row, max_row + 1):
            for col in range(min_col, max_col + 1):
                if (row, col) != (min_row, min_col):
                    self.merged[(row, col)] = ref


class StreamBook:
    """An open .xlsx archive: sheet list, shared strings and which styles are dates."""

    def __init__(self, path: str) -> None:
        self.archive = zipfile.ZipFile(path)
        workbook_path = "xl/workbook.xml"
        rels = self._rels(workbook_path)
        self.epoch = CALENDAR_WINDOWS_1900
        self.sheets: list[StreamSheet] = []
        with self.archive.open(workbook_path) as source:
            for _, element in iterparse(source, events=("end",)):
                name = _local(element.tag)
                if name == "workbookPr" and element.get("date1904") in ("1", "true"):
                    self.epoch = CALENDAR_MAC_1904
                elif name == "sheet":
                    target = rels[element.get(f"{{{_REL_NS}}}id", "")]
                    self.sheets.append(StreamSheet(element.get("name", ""), target, self))
        self._columns: dict[str, int] = {}
        self.set_namespace("")
        self.shared = self._shared_strings(rels)
        self.date_styles = self._date_styles(rels)

    def close(self) -> None:
        self.archive.close()

    def _rels(self, part: str) -> dict[str, str]:
        folder, base = posixpath.split(part)
        rels_path = posixpath.join(folder, "_rels", base + ".rels")
        out: dict[str, str] = {}
        with self.archive.open(rels_path) as source:
            for _, element in iterparse(source, events=("end",)):
                if _local(element.tag) == "Relationship":
                    target = element.get("Target", "")
                    target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                        posixpath.join(folder, target))
                    out[element.get("Id", "")] = target
                    out[element.get("Type", "").rpartition("/")[2]] = target
        return out

    def _shared_strings(self, rels: dict[str, str]) -> list[str]:
        path = rels.get("sharedStrings")
        if not path or path not in self.archive.namelist():
            return []
        strings: list[str] = []
        with self.archive.open(path) as source:
            for _, element in iterparse(source, events=("end",)):
                if _local(element.tag) == "si":
                    strings.append(_text_of(element))
                    element.clear()
        return strings

    def _date_styles(self, rels: dict[str, str]) -> set[int]:
        path = rels.get("styles")
        if not path or path not in self.archive.namelist():
            return set()
        custom: dict[int, str] = {}
        formats: list[int] = []
        in_cell_xfs = False
        with self.archive.open(path) as source:
            for event, element in iterparse(source, events=("start", "end")):
                name = _local(element.tag)
                if name == "cellXfs":
                    in_cell_xfs = event == "start"
                elif event == "end" and name == "numFmt":
                    custom[int(element.get("numFmtId", "0"))] = element.get("formatCode", "")
                elif event == "end" and name == "xf" and in_cell_xfs:
                    formats.append(int(element.get("numFmtId", "0")))
        dates = set()
        for index, fmt_id in enumerate(formats):
            code = custom.get(fmt_id, BUILTIN_FORMATS.get(fmt_id, ""))
            if code and is_date_format(code):
                dates.add(index)
        return dates

    def set_namespace(self, ns: str) -> None:
        self._c, self._v, self._is, self._t = ns + "c", ns + "v", ns + "is", ns + "t"

    def row_values(self, row) -> tuple[object, ...]:  # noqa: ANN001
        values: list[object] = []
        columns = self._columns
        for cell in row:
            if cell.tag != self._c:
                continue
            ref = cell.get("r")
            if ref:
                letters = ref.rstrip("0123456789")
                column = columns.get(letters)
                if column is None:
                    column = columns[letters] = column_index_from_string(letters)
                if column > len(values) + 1:
                    values.extend([None] * (column - 1 - len(values)))
            values.append(self._value(cell))
        return tuple(values)

    def _value(self, cell) -> object:  # noqa: ANN001
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            # Fast path for the usual <is><t>text</t></is>; rich text goes the long way.
            inline = cell.find(self._is)
            if inline is not None and len(inline) == 1 and inline[0].tag == self._t:
                return inline[0].text or None
            return _text_of(cell) or None
        child = cell.find(self._v)
        raw = child.text if child is not None else None
        if raw is None:
            return None
        if kind == "s":
            return self.shared[int(raw)]
        if kind in ("str", "e"):
            return raw
        if kind == "b":
            return raw == "1"
        if kind == "d":
            return datetime.fromisoformat(raw)
        number: float | int = float(raw) if any(c in raw for c in ".eE") else int(raw)
        style = cell.get("s")
        if style is not None and int(style) in self.date_styles:
            return from_excel(number, self.epoch)
        return number
