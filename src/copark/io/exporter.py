"""`copark export`: parks, organizations and listed items in the import template's layouts.

.xlsx writes the three sheets 园区/企业/清单明细 into one workbook; .csv writes one UTF-8 (BOM) file per
sheet, named <stem>_园区.csv, <stem>_企业.csv, <stem>_清单明细.csv. Items always go to 清单明细 (the 企业
sheet's list cells stay empty), except those read from a 经营范围, which go back to the 经营范围 cell; so every
field survives import → export → import. Each 清单明细 row carries its 条目来源 and 推断状态 (export-only columns the
importer reads back), so with --include-inferred a machine guess stays a guess and a dismissed one stays dismissed.
Withdrawn items are history, not lists: they are not exported.

When demo organizations are exported, the data says it is illustrative (示意性数据) in a way re-import ignores:
a first sheet 说明 in .xlsx (the importer skips that sheet, as in the template) and a title row above the
header in each .csv (the importer looks for the header below up to HEADER_SEARCH_ROWS title rows).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from copark.core.errors import CoparkError
from copark.core.vocab import DEMO_SOURCE, Direction, InferredStatus, ItemKind, OrgKind, Origin
from copark.io.layouts import ITEMS, ORGS, PARKS, Layout
from copark.locale import label, t
from copark.parsing.regions import RegionTable
from copark.services.items import LISTED
from copark.storage.tables import Item, Organization, Park
from copark.workspace import Workspace


@dataclass
class ExportResult:
    paths: list[Path] = field(default_factory=list)
    parks: int = 0
    orgs: int = 0
    items: int = 0
    demo_orgs: int = 0  # exported organizations from the bundled illustrative dataset


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _label(enum_type: type[Enum], value: str) -> str:
    try:
        return label(enum_type(value))
    except ValueError:  # a value written by a newer copark: keep it rather than lose it
        return value


def _region(regions: RegionTable, code: str | None) -> str | None:
    if not code:
        return None
    return regions.full_name(code) if code in regions.by_code else code


def _park_rows(session: Session, regions: RegionTable) -> Iterator[list[object]]:
    for park in session.scalars(select(Park).order_by(Park.id)):
        yield [park.name, _region(regions, park.region_code), _region(regions, park.partner_region_code),
               park.founded, "、".join(map(str, park.positioning or [])) or None, park.description or None]


def _scope_cells(session: Session) -> dict[int, str]:
    """Organization id → its 经营范围 items joined by "；": re-importing the cell gives the same items."""
    cells: dict[int, list[str]] = {}
    query = select(Item.organization_id, Item.text).where(Item.origin == "scope", LISTED).order_by(Item.id)
    for org_id, text in session.execute(query):
        cells.setdefault(org_id, []).append(text)
    return {org_id: "；".join(texts) for org_id, texts in cells.items()}


def _org_rows(session: Session, regions: RegionTable, parks: dict[int, str],
             contact: Callable[[Organization], str] | None = None) -> Iterator[list[object]]:
    scopes = _scope_cells(session)
    for org in session.scalars(select(Organization).order_by(Organization.id)):
        yield [org.name, org.short_name or None, _label(OrgKind, org.kind), org.credit_code,
               _region(regions, org.region_code), parks.get(org.park_id) if org.park_id else None,
               org.industry_code or org.industry_text or None, "、".join(map(str, org.products or [])) or None, org.description or None,
               (contact(org) if contact else org.contact) or None, org.employees,
               org.annual_revenue_text or _number(org.annual_revenue), None, None, scopes.get(org.id), org.note or None]


def _item_rows(session: Session, include_inferred: bool) -> Iterator[list[object]]:
    query = (select(Item, Organization.name).join(Organization, Item.organization_id == Organization.id)
             .order_by(Item.organization_id, Item.id))
    # Scope items travel in the 企业 sheet's 经营范围 cell, so that they stay marked as registered.
    query = query.where(Item.origin != "scope", LISTED)
    if not include_inferred:
        query = query.where(Item.origin == "declared")
    for item, org_name in session.execute(query):
        yield [org_name, _label(Direction, item.direction), _label(ItemKind, item.kind), item.text,
               _number(item.quantity), item.unit or None, item.annual_value_text or _number(item.annual_value),
               item.certifications or None, item.valid_until, item.note or None, _label(Origin, item.origin),
               _label(InferredStatus, item.status) if item.status else None]


def export_workspace(*, workspace: Workspace, path: Path, include_inferred: bool = False,
                     contact: Callable[[Organization], str] | None = None) -> ExportResult:
    """Write everything to `path` (.xlsx, or .csv = one file per sheet) in the import layouts; `contact` (when
    given) writes each organization's 联系方式 cell, e.g. masked for a reader who has no need to see it."""
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise CoparkError(t("export.bad_suffix", suffix=suffix or path.name), t("export.bad_suffix.fix"))
    result = ExportResult()
    regions = workspace.regions
    with workspace.transaction() as session:
        parks = dict(session.execute(select(Park.id, Park.name)).tuples().all())
        tables = [
            (PARKS, list(_park_rows(session, regions))),
            (ORGS, list(_org_rows(session, regions, parks, contact))),
            (ITEMS, list(_item_rows(session, include_inferred))),
        ]
        result.demo_orgs = session.scalar(
            select(func.count()).select_from(Organization).where(Organization.source == DEMO_SOURCE)) or 0
    result.parks, result.orgs, result.items = (len(rows) for _, rows in tables)
    notice = t("demo.notice.export", orgs=result.demo_orgs) if result.demo_orgs else None
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".xlsx":
        _write_xlsx(path, tables, notice)
        result.paths = [path]
    else:
        result.paths = _write_csv(path, tables, notice)
    return result


def _write_xlsx(path: Path, tables: list[tuple[Layout, list[list[object]]]], notice: str | None = None) -> None:
    workbook = Workbook(write_only=True)
    if notice:
        sheet = workbook.create_sheet(t("import.sheet.help"))
        sheet.column_dimensions["A"].width = 120
        sheet.append([notice])
    for layout, rows in tables:
        sheet = workbook.create_sheet(layout.sheet_name)
        for index, column in enumerate(layout.columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        sheet.freeze_panes = "A2"
        sheet.append([c.template_header for c in layout.columns])
        for row in rows:
            sheet.append(row)
    workbook.save(path)


def _write_csv(path: Path, tables: list[tuple[Layout, list[list[object]]]], notice: str | None = None) -> list[Path]:
    written = []
    for layout, rows in tables:
        if layout is PARKS and not rows:
            continue
        target = path.with_name(f"{path.stem}_{layout.sheet_name}.csv")
        with open(target, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            if notice:
                writer.writerow([notice])
            writer.writerow([c.template_header for c in layout.columns])
            writer.writerows(["" if v is None else v for v in row] for row in rows)
        written.append(target)
    return written
