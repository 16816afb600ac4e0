"""`copark template`: the blank import workbook (说明, 园区, 企业, 清单明细) with drop-downs and examples."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from copark.core.errors import CoparkError
from copark.core.vocab import Direction, ItemKind, OrgKind
from copark.io.layouts import ITEMS, LAYOUTS, ORGS, Layout
from copark.locale import labels, t

VALIDATED_ROWS = 5000  # drop-downs cover this many data rows
_HEADER_FONT = Font(bold=True)
_REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
_OPTIONAL_FILL = PatternFill("solid", fgColor="DDEBF7")
HELP_LINES = 9


def write_template(path: Path, *, force: bool = False) -> Path:
    """Write the template to `path` (.xlsx); refuses to overwrite unless force."""
    if path.suffix.lower() != ".xlsx":
        raise CoparkError(t("template.bad_suffix", path=path), t("template.bad_suffix.fix"))
    if path.exists() and not force:
        raise CoparkError(t("template.exists", path=path), t("template.exists.fix"))
    workbook = Workbook()
    help_sheet = workbook.active
    assert help_sheet is not None
    help_sheet.title = t("import.sheet.help")
    _write_help(help_sheet)
    for layout in LAYOUTS:
        sheet = workbook.create_sheet(layout.sheet_name)
        write_header(sheet, layout)
        _add_dropdowns(sheet, layout)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def write_header(sheet: Worksheet, layout: Layout, *, mark_required: bool = True) -> None:
    """Header row of a layout: bold, coloured by required/optional, frozen, with column widths."""
    for index, column in enumerate(layout.template_columns, start=1):
        cell = sheet.cell(row=1, column=index, value=column.template_header if mark_required else column.header)
        cell.font = _HEADER_FONT
        cell.fill = _REQUIRED_FILL if column.required else _OPTIONAL_FILL
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"


def _dropdown(sheet: Worksheet, layout: Layout, key: str, choices: list[str]) -> None:
    index = [c.key for c in layout.template_columns].index(key) + 1
    letter = get_column_letter(index)
    # errorStyle=warning: the list guides, but synonyms (公司, 贷款 …) may still be typed.
    validation = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                                errorStyle="warning", showErrorMessage=True)
    validation.add(f"{letter}2:{letter}{VALIDATED_ROWS + 1}")
    sheet.add_data_validation(validation)


def _add_dropdowns(sheet: Worksheet, layout: Layout) -> None:
    if layout is ORGS:
        _dropdown(sheet, layout, "kind", list(labels(OrgKind).values()))
    if layout is ITEMS:
        _dropdown(sheet, layout, "direction", list(labels(Direction).values()))
        _dropdown(sheet, layout, "kind", list(labels(ItemKind).values()))


def _write_help(sheet: Worksheet) -> None:
    sheet.column_dimensions["A"].width = 120
    sheet.append([t("template.help.title")])
    sheet["A1"].font = Font(bold=True, size=14)
    for n in range(1, HELP_LINES + 1):
        sheet.append([t(f"template.help.{n}")])
    sheet.append([])
    sheet.append([t("template.help.examples")])
    sheet.cell(row=sheet.max_row, column=1).font = _HEADER_FONT
    for layout in LAYOUTS:
        sheet.append([])
        sheet.append([f"【{layout.sheet_name}】"])
        sheet.append([c.template_header for c in layout.template_columns])
        for cell in sheet[sheet.max_row]:
            cell.font = _HEADER_FONT
        for n in (1, 2):
            sheet.append(t(f"template.example.{layout.key}.{n}").split("|"))
    for row in sheet.iter_rows(min_row=2, max_row=HELP_LINES + 1):
        row[0].alignment = Alignment(wrap_text=True)
