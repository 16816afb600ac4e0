"""分行业推介 files: a services.brief.Brief as .xlsx (openpyxl, one sheet per part) or .pdf (WeasyPrint).

The PDF is the print page itself: web/templates/brief.html rendered with the print layout and web/static/brief.css
(its @media print rules), so the page at /brief and the file cannot drift apart. Chinese text is set in Noto CJK,
found through fontconfig (Debian's fonts-noto-cjk; the fonts are not part of copark). Either file is written to a
temporary name beside the target and renamed when complete: a failure leaves no half-written file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from copark.core.errors import CoparkError
from copark.locale import t

if TYPE_CHECKING:
    from copark.services.brief import Brief

WEB = Path(__file__).resolve().parents[1] / "web"
TEMPLATES = WEB / "templates"
STATIC = WEB / "static"
SUFFIXES = (".pdf", ".xlsx")
#: Column widths in characters (a CJK character counts as two): wide enough for a product name or a one-line
#: explanation without wrapping most rows, narrow enough that a sheet fits a landscape page.
WIDTH_MIN, WIDTH_MAX = 6, 60


def check_suffix(path: Path) -> str:
    """The output format of `path` (pdf or xlsx); CoparkError for any other extension."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise CoparkError(t("brief.bad_suffix", suffix=suffix or path.name), t("brief.bad_suffix.fix"),
                          where=str(path))
    return suffix[1:]


def render_html(brief: Brief, *, layout: str = "brief_print.html", **context: object) -> str:
    """The brief as one HTML page (the print layout by default, as the PDF uses it)."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))
    return env.get_template("brief.html").render(t=t, brief=brief, layout=layout, css_href="brief.css",
                                                 summary=summary_rows(brief), who=None, demo=False, **context)


def write_brief(brief: Brief, path: Path) -> Path:
    """Write the brief to `path` as .pdf or .xlsx by its extension; returns the path."""
    path = Path(path)
    kind = check_suffix(path)
    if not path.parent.is_dir():
        raise CoparkError(t("brief.no_folder", folder=str(path.parent)), t("brief.no_folder.fix"), where=str(path))
    writer: Callable[[Brief, Path], None] = _write_pdf if kind == "pdf" else _write_xlsx
    handle, temp = tempfile.mkstemp(prefix=".copark-brief-", suffix=path.suffix, dir=path.parent)
    os.close(handle)
    try:
        writer(brief, Path(temp))
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
    return path


def pdf_bytes(brief: Brief) -> bytes:
    """The brief as PDF bytes (WeasyPrint loads only here)."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as error:  # OSError: the Python package is there but Pango is not
        raise CoparkError(t("brief.no_pdf", error=str(error)[:200]), t("brief.no_pdf.fix")) from None
    return HTML(string=render_html(brief), base_url=str(STATIC) + os.sep).write_pdf()


def _write_pdf(brief: Brief, path: Path) -> None:
    path.write_bytes(pdf_bytes(brief))


def _width(value: object) -> int:
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _sheet(book, title: str, header: list[str], rows: list[list[object]], notice: str) -> None:  # noqa: ANN001
    from openpyxl.styles import Alignment, Font

    sheet = book.create_sheet(title)
    start = 1
    if notice:  # the illustrative notice above the header, on every sheet
        sheet.append([notice])
        sheet.cell(1, 1).font = Font(bold=True, color="9C5700")
        start = 2
    sheet.append(header)
    for cell in sheet[start]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for index, name in enumerate(header, start=1):
        values = [name, *(r[index - 1] for r in rows)]
        width = min(max(max(_width(v) for v in values) + 2, WIDTH_MIN), WIDTH_MAX)
        sheet.column_dimensions[sheet.cell(start, index).column_letter].width = width
    for row in sheet.iter_rows(min_row=start + 1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = sheet.cell(start + 1, 1)


def _write_xlsx(brief: Brief, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    notice = t("brief.illustrative") if brief.illustrative else ""
    book = Workbook()
    cover = book.active
    cover.title = t("brief.sheet.summary")
    cover.append([brief.title])
    cover.cell(1, 1).font = Font(bold=True, size=14)
    if notice:
        cover.append([notice])
        cover.cell(2, 1).font = Font(bold=True, color="9C5700")
    for key, value in summary_rows(brief):
        cover.append([key, value])
    cover.column_dimensions["A"].width = 22
    cover.column_dimensions["B"].width = WIDTH_MAX
    items_header = [t("brief.col.org"), t("brief.col.region"), t("brief.col.industry"), t("brief.col.kind"),
                    t("brief.col.text"), t("brief.col.quantity"), t("brief.col.note")]
    for title, items in ((t("brief.sheet.offers"), brief.offers), (t("brief.sheet.needs"), brief.needs)):
        _sheet(book, title, items_header, [[i.organization, i.region, i.industry, i.kind, i.text, i.quantity, i.note]
                                           for i in items], notice)
    _sheet(book, t("brief.sheet.opportunities"),
           [t("brief.col.rank"), t("brief.col.park_org"), t("brief.col.role"), t("brief.col.park_text"),
            t("brief.col.partner_org"), t("brief.col.partner_region"), t("brief.col.partner_text"),
            t("brief.col.mode"), t("brief.col.score"), t("brief.col.why")],
           [[o.rank, o.park_org, o.park_role, o.park_text, o.partner_org, o.partner_region, o.partner_text, o.mode,
             o.score, o.why] for o in brief.opportunities], notice)
    book.save(path)


def summary_rows(brief: Brief) -> list[tuple[str, object]]:
    """The figures header, as (label, value) pairs; the .xlsx cover and the page show the same."""
    covered = [(t("brief.fig.industries"), "；".join(brief.industries))] if brief.kind == "chain" else []
    return [
        (t("brief.fig.park"), brief.park),
        (t("brief.fig.regions"), t("brief.regions", host=brief.host_region, partner=brief.partner_region)),
        (t(f"brief.fig.subject.{brief.kind}"), brief.subject),
        *covered,
        (t("brief.fig.enterprises"), brief.enterprises),
        (t("brief.fig.offers"), len(brief.offers)),
        (t("brief.fig.needs"), len(brief.needs)),
        (t("brief.fig.opportunities"), brief.opportunities_total),
        (t("brief.fig.projects"), t("brief.projects", signed=brief.projects_signed,
                                    operating=brief.projects_operating)),
        (t("brief.fig.countries"), brief.countries),
        (t("brief.fig.generated"), brief.generated_on.isoformat()),
    ]
