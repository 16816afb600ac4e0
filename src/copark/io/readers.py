"""Reading .xlsx (streamed, see xlsxstream) and .csv (UTF-8 or GB18030) into raw rows of a detected layout."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import ParseError

from openpyxl.utils import range_boundaries

from copark.core.errors import CoparkError, Problem
from copark.io.layouts import (
    AMOUNT_COLUMNS,
    LAYOUTS,
    Detected,
    Layout,
    detect_layout,
    expected_headers,
    normalize_header,
)
from copark.io.xlsxstream import StreamBook
from copark.locale import t
from copark.parsing.numbers import amount_unit, header_note

# A title row or two ("雨溆工业园企业需求清单") may sit above the header row.
HEADER_SEARCH_ROWS = 5


@dataclass(eq=False)
class RawRow:
    """One data row exactly as read: its 1-based row number and every cell value."""

    sheet: RawSheet
    number: int
    values: tuple[object, ...]

    def cell(self, key: str) -> object:
        index = self.sheet.detected.columns.get(key)
        if index is None:
            return None
        more = self.sheet.detected.more.get(key)
        if more:  # 联系人 张经理 + 联系电话 0731-… → one contact “张经理 0731-…”
            parts = [_shown(self.values[i]) for i in (index, *more) if i < len(self.values)]
            return " ".join(p for p in parts if p) or None
        return self.values[index] if index < len(self.values) else None

    def where(self, key: str | None = None) -> str:
        """文件/工作表/第N行/列名, the place a problem points at."""
        parts = [self.sheet.label, t("import.row", row=self.number)]
        if key is not None:
            parts.append(self.sheet.header_of(key))
        return "/".join(parts)

    def merged_range(self, key: str) -> str | None:
        """The merged range (e.g. A2:A4) that blanks this cell, if any."""
        index = self.sheet.detected.columns.get(key)
        if index is None:
            return None
        return self.sheet.merged.get((self.number, index + 1))


@dataclass(eq=False)
class RawSheet:
    """A sheet (or CSV file) whose header row matched a layout."""

    path: Path
    name: str | None  # None for CSV
    detected: Detected
    headers: list[object]
    header_row: int
    rows: list[RawRow] = field(default_factory=list)
    merged: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) hidden by a merge → range

    @property
    def label(self) -> str:
        return f"{self.path.name}/{self.name}" if self.name else self.path.name

    @property
    def layout_key(self) -> str:
        return self.detected.layout.key

    def header_of(self, key: str) -> str:
        index = self.detected.columns.get(key)
        if index is None:
            return self.detected.layout.by_key[key].header
        return str(self.headers[index]).strip()


def _shown(value: object) -> str:
    """A cell as text for joining: 13800000000 not 13800000000.0."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _trim(row: tuple[object, ...]) -> tuple[object, ...]:
    end = len(row)
    while end and _blank(row[end - 1]):
        end -= 1
    return tuple(row[:end])


Tick = Callable[[str, int, int | None], None]  # (what is being read, rows so far, expected rows)


def read_file(path: Path, problems: list[Problem], warnings: list[str], tick: Tick | None = None,
              layouts: tuple[Layout, ...] = LAYOUTS) -> list[RawSheet]:
    """Every sheet of `path` in one of `layouts` (the lists' by default; park operations bring theirs); unmatched
    sheets become problems (the 说明 sheet is skipped)."""
    if path.is_dir():
        raise CoparkError(t("import.is_directory", path=path), t("import.is_directory.fix"))
    if not path.is_file():
        raise CoparkError(t("import.file_missing", path=path), t("import.file_missing.fix"))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return list(_read_xlsx(path, problems, warnings, tick, layouts))
    if suffix in (".csv", ".txt"):
        rows = _csv_rows(path)
        sheet = _read_table(path, None, iter(rows), problems, warnings, tick, len(rows), layouts)
        return [sheet] if sheet else []
    raise CoparkError(t("import.bad_suffix", suffix=suffix or path.name), t("import.bad_suffix.fix"), str(path))


def _decode(path: Path, data: bytes) -> str:
    """CSV text: UTF-8 (with or without BOM), UTF-16 (Excel's “Unicode 文本”), else GB18030 (GBK)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings: tuple[str, ...] = ("utf-16",)
    elif b"\x00" in data:  # UTF-16 without its byte-order mark: the ASCII tabs and line breaks carry a zero byte
        odd = data[1::2].count(b"\x00")
        encodings = ("utf-16-le",) if odd >= data[::2].count(b"\x00") else ("utf-16-be",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise CoparkError(t("import.csv_encoding"), t("import.bad_csv.fix"), path.name)


def _delimiter(text: str) -> str:
    """Comma, or tab when the first line is tab-separated (Excel's “文本文件（制表符分隔）”)."""
    first = text.split("\n", 1)[0]
    return "\t" if first.count("\t") > first.count(",") else ","


def _csv_rows(path: Path) -> list[tuple[object, ...]]:
    """Rows of a CSV file; a quote left open (which would swallow the rows after it) is refused with its line."""
    text = _decode(path, path.read_bytes())
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    rows: list[tuple[object, ...]] = []
    width = 0
    start = 1
    try:
        for row in reader:
            width = width or len(row)
            if any(_swallowed_rows(cell, delimiter, width) for cell in row):
                raise csv.Error("swallowed")
            rows.append(tuple(cell if cell.strip() else None for cell in row))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise CoparkError(t("import.csv_quote", line=start), t("import.csv_quote.fix"),
                          f"{path.name}/{t('import.line', line=start)}") from exc
    return rows


def _swallowed_rows(cell: str, delimiter: str, width: int) -> bool:
    """A quoted cell holding whole lines of the file: its opening quote was never meant to be closed there."""
    if "\n" not in cell or width < 3:
        return False
    return any(line.count(delimiter) >= max(1, (width - 1) // 2) for line in cell.splitlines()[1:])


_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls, .doc and encrypted .xlsx are OLE2 compound files


def _check_workbook(path: Path) -> None:
    """Say in words what a file named .xlsx really is when it is not a workbook."""
    with open(path, "rb") as handle:
        head = handle.read(8)
    if not head:
        raise CoparkError(t("import.xlsx_empty"), t("import.xlsx_resave.fix"), path.name)
    if head.startswith(_OLE_MAGIC):
        raise CoparkError(t("import.xlsx_is_ole"), t("import.xlsx_resave.fix"), path.name)
    if not head.startswith(_ZIP_MAGIC):
        raise CoparkError(t("import.xlsx_not_zip"), t("import.xlsx_resave.fix"), path.name)
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise CoparkError(t("import.xlsx_broken"), t("import.xlsx_resave.fix"), path.name) from exc
    if "xl/workbook.xml" not in names:
        kind = "word" if "word/document.xml" in names else "ppt" if "ppt/presentation.xml" in names else "other"
        raise CoparkError(t(f"import.xlsx_is_{kind}"), t("import.xlsx_resave.fix"), path.name)


def _read_xlsx(path: Path, problems: list[Problem], warnings: list[str], tick: Tick | None,
               layouts: tuple[Layout, ...] = LAYOUTS) -> Iterator[RawSheet]:
    _check_workbook(path)
    try:
        book = StreamBook(str(path))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, ParseError) as exc:
        raise CoparkError(t("import.bad_workbook", error=exc), t("import.bad_workbook.fix"), path.name) from exc
    try:
        help_name = normalize_header(t("import.sheet.help"))
        for stream in book.sheets:
            if normalize_header(stream.name) == help_name:
                continue
            rows = _numbered(stream.rows())
            try:
                sheet = _read_table(path, stream.name, rows, problems, warnings, tick, layouts=layouts)
                for _ in rows:  # the merged ranges come after the cells
                    pass
            except (KeyError, ValueError, ParseError) as exc:
                raise CoparkError(t("import.bad_workbook", error=exc), t("import.bad_workbook.fix"),
                                  f"{path.name}/{stream.name}") from exc
            if sheet is not None:
                sheet.merged = stream.merged
                _fill_merged(sheet)
                yield sheet
    finally:
        book.close()


def _fill_merged(sheet: RawSheet) -> None:
    """A merged data cell (企业名称 merged over the three rows of one enterprise's items) fills every row it covers."""
    by_number = {row.number: row for row in sheet.rows}
    for (number, column), ref in sheet.merged.items():
        row = by_number.get(number)
        min_col, min_row, _, _ = range_boundaries(ref)
        anchor = by_number.get(min_row)
        # only downward: a cell merged across columns (需求清单 over 备注) belongs to its first column alone
        if row is None or anchor is None or min_col != column or min_col > len(anchor.values):
            continue
        values = list(row.values) + [None] * max(0, column - len(row.values))
        if _blank(values[column - 1]):
            values[column - 1] = anchor.values[min_col - 1]
            row.values = tuple(values)


def _numbered(rows: Iterator[tuple[int, tuple[object, ...]]]) -> Iterator[tuple[object, ...]]:
    """Rows as a gap-free sequence (missing rows are empty), so row numbers stay those Excel shows."""
    expected = 1
    for number, values in rows:
        while expected < number:
            yield ()
            expected += 1
        yield values
        expected += 1


def _read_table(
    path: Path,
    sheet_name: str | None,
    rows: Iterator[tuple[object, ...]],
    problems: list[Problem],
    warnings: list[str],
    tick: Tick | None = None,
    expected: int | None = None,
    layouts: tuple[Layout, ...] = LAYOUTS,
) -> RawSheet | None:
    """Find the header row among the first rows, then collect the non-empty data rows."""
    label = f"{path.name}/{sheet_name}" if sheet_name else path.name
    seen: list[tuple[object, ...]] = []
    sheet: RawSheet | None = None
    number = 0
    for number, row in enumerate(rows, start=1):
        if sheet is None:
            trimmed = _trim(row)
            if not trimmed:
                if number > HEADER_SEARCH_ROWS:
                    break
                continue
            seen.append(trimmed)
            detected = detect_layout(list(trimmed), sheet_name or path.stem, layouts)
            if detected is not None:
                sheet = RawSheet(path, sheet_name, detected, list(trimmed), number)
                _check_headers(sheet, problems, warnings)
            elif len(seen) >= HEADER_SEARCH_ROWS:
                break
            continue
        trimmed = _trim(row)
        if trimmed:
            sheet.rows.append(RawRow(sheet, number, trimmed))
        if tick and number % 2000 == 0:
            tick(label, number, expected)
    if tick:
        tick(label, number, number)
    if sheet is None and seen:
        found = "、".join(str(v).strip() for v in seen[0] if not _blank(v)) or "-"
        problems.append(Problem(label, t("import.no_layout", found=found),
                                t("import.no_layout.fix", expected=expected_headers(layouts))))
    return sheet


def _check_headers(sheet: RawSheet, problems: list[Problem], warnings: list[str]) -> None:
    where = f"{sheet.label}/{t('import.row', row=sheet.header_row)}"
    for header, first, second in sheet.detected.duplicates:
        problems.append(Problem(where, t("import.duplicate_header", column=header, first=first + 1, second=second + 1),
                                t("import.duplicate_header.fix")))
    for header in sheet.detected.unknown:
        warnings.append(f"{where}: {t('import.unknown_column', column=header)}")
    for key in AMOUNT_COLUMNS.get(sheet.layout_key, sheet.detected.layout.amounts):
        header = sheet.header_of(key)
        note = header_note(header)
        if key in sheet.detected.columns and note and amount_unit(header) is None:
            problems.append(Problem(f"{where}/{header}", t("import.bad_amount_unit", column=header, unit=note),
                                    t("import.bad_amount_unit.fix")))
