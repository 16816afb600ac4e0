"""The rejects file of `import --skip-bad-rows`: rejected rows untouched, plus a last column 错误原因."""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import Workbook

from copark.core.errors import CoparkError, Problem
from copark.io.readers import RawRow, RawSheet
from copark.locale import t


def default_rejects_path(first_input: Path) -> Path:
    """<stem>_rejects.xlsx beside the first input (.csv when that input is a CSV)."""
    suffix = ".csv" if first_input.suffix.lower() in (".csv", ".txt") else ".xlsx"
    return first_input.with_name(f"{first_input.stem}_rejects{suffix}")


def reason(row: RawRow, problems: list[Problem]) -> str:
    """The row's problems without the file/row prefix every one of them shares: `列: what → fix`."""
    prefix = row.where() + "/"
    parts = []
    for problem in problems:
        column = problem.where[len(prefix):] if problem.where.startswith(prefix) else ""
        text = f"{problem.what} → {problem.fix}" if problem.fix else problem.what
        parts.append(f"{column}: {text}" if column else text)
    return "；".join(dict.fromkeys(parts))


def write_rejects(path: Path, bad_rows: dict[RawRow, list[Problem]]) -> list[Path]:
    """Write rejected rows grouped by their sheet, in input order; returns the files written."""
    by_sheet: dict[RawSheet, list[RawRow]] = {}
    for row in bad_rows:
        by_sheet.setdefault(row.sheet, []).append(row)
    tables = []
    for sheet, rows in by_sheet.items():
        rows.sort(key=lambda r: r.number)
        width = max([len(sheet.headers), *(len(r.values) for r in rows)])
        header = [*sheet.headers, *([None] * (width - len(sheet.headers))), t("import.col.reason")]
        body = [[*r.values, *([None] * (width - len(r.values))), reason(r, bad_rows[r])] for r in rows]
        title = sheet.name or sheet.detected.layout.sheet_name
        tables.append((title, header, body))
    try:
        if path.suffix.lower() in (".csv", ".txt"):
            return _write_csv(path, tables)
        return [_write_xlsx(path, tables)]
    except OSError as exc:
        raise CoparkError(t("import.rejects_unwritable", path=path, error=exc.strerror or exc),
                          t("import.rejects_unwritable.fix")) from exc


def _write_xlsx(path: Path, tables: list[tuple[str, list, list]]) -> Path:
    workbook = Workbook(write_only=True)
    used: set[str] = set()
    for title, header, body in tables:
        name, n = title[:31], 2
        while name in used:  # two input files may both have a sheet named 企业
            name, n = f"{title[:28]}_{n}", n + 1
        used.add(name)
        sheet = workbook.create_sheet(name)
        sheet.append(header)
        for row in body:
            sheet.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def _write_csv(path: Path, tables: list[tuple[str, list, list]]) -> list[Path]:
    written = []
    for index, (_, header, body) in enumerate(tables):
        target = path if index == 0 else path.with_name(f"{path.stem}_{index + 1}{path.suffix}")
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["" if v is None else v for v in header])
            writer.writerows(["" if v is None else v for v in row] for row in body)
        written.append(target)
    return written
