"""行业 cells: GB/T 4754-2017 codes (3581, C3581, C) or, when the built-in table exists, exact names."""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from importlib import resources

from copark.core.errors import CoparkError
from copark.locale import t
from copark.parsing.names import simplify

_CODE = re.compile(r"^([A-Ta-t])?(\d{2,4})?$")


class IndustryTable:
    """Codes and names of GB/T 4754-2017 (empty when industries.csv is not installed)."""

    def __init__(self, rows: list[dict[str, str]]) -> None:
        self.section_of = {r["code"]: (r.get("section") or r["code"][:1]) for r in rows}
        self.by_name: dict[str, str] = {}
        for r in rows:
            self.by_name.setdefault(simplify(r["name"]).strip(), r["code"])

    @property
    def known(self) -> bool:
        return bool(self.section_of)

    def resolve(self, value: str) -> str:
        """The stored code (digits, or the section letter alone) for a cell; CoparkError if invalid."""
        text = simplify(value).replace(" ", "").strip()
        match = _CODE.match(text)
        if not text or match is None or not any(match.groups()):
            if self.known and text in self.by_name:
                return self.by_name[text]
            names = t("import.bad_industry.names") if self.known else ""
            raise CoparkError(t("import.bad_industry", value=value), t("import.bad_industry.fix", names=names))
        letter, digits = match.groups()
        code = digits or letter.upper()
        if self.known:
            if code not in self.section_of:
                raise CoparkError(t("import.unknown_industry", value=value), t("import.unknown_industry.fix"))
            section = self.section_of[code]
            if letter and digits and section and letter.upper() != section:
                raise CoparkError(t("import.industry_section", value=value, section=section),
                                  t("import.unknown_industry.fix"))
        return code


@lru_cache(maxsize=1)
def builtin_industries() -> IndustryTable:
    """The table from copark/knowledge/data/industries.csv, or an empty one (format checks only)."""
    path = resources.files("copark.knowledge") / "data" / "industries.csv"
    if not path.is_file():
        return IndustryTable([])
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return IndustryTable([row for row in csv.DictReader(handle) if row.get("code")])
