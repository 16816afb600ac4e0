"""行业 cells: a GB/T 4754-2017 code (3581, C3581, C) or an exact industry name, checked against the table."""

from __future__ import annotations

from copark.core.errors import CoparkError
from copark.knowledge.industries import IndustryTable, parse_code
from copark.locale import t


def resolve_industry(table: IndustryTable, value: str) -> str:
    """The stored code (digits, or the section letter alone) for a cell; CoparkError naming what is wrong."""
    code = parse_code(value)
    if code is None:
        record = table.by_exact_name(value)
        if record is None:
            raise CoparkError(t("import.bad_industry", value=value),
                              t("import.bad_industry.fix", names=t("import.bad_industry.names")))
        return record.code
    record = table.get(value)
    if record is None:
        known = table.by_code.get(code)
        if known is not None:  # the digits exist, so the section letter contradicts them ("A3581")
            raise CoparkError(t("import.industry_section", value=value, section=known.section),
                              t("import.unknown_industry.fix"))
        division = table.by_code.get(code[:2]) if code.isdigit() else None
        if division is not None and not table.children(division.code):  # the table stops at this division
            raise CoparkError(t("import.industry_not_loaded", value=value, division=f"{division.code} {division.name}"),
                              t("import.industry_not_loaded.fix"))
        raise CoparkError(t("import.unknown_industry", value=value), t("import.unknown_industry.fix"))
    return record.code
