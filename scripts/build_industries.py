"""Complete knowledge/data/industries.csv with every code of GB/T 4754-2017 (codes and names).

The built-in table was written for the park's chains: all sections and divisions, the groups and classes of
the divisions those chains touch (with descriptions written for copark). A code users write (0151, 0220, 6622)
must be known without `copark kb import`, and the codes and names of a public national standard are facts, so
every missing group and class is added with its official name and no description. The reference read is
../shared/data/gbt4754_2017/gbt4754_2017.csv ("built from a public table; the standard itself is public");
its 说明 texts are not copied.

    python scripts/build_industries.py ../shared/data/gbt4754_2017/gbt4754_2017.csv
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

TARGET = Path(__file__).resolve().parents[1] / "src" / "copark" / "knowledge" / "data" / "industries.csv"
FIELDS = ["code", "name", "level", "parent", "section", "description"]


def main(reference: Path) -> None:
    with open(TARGET, encoding="utf-8-sig", newline="") as handle:
        kept = {row["code"]: row for row in csv.DictReader(handle)}
    with open(reference, encoding="utf-8-sig", newline="") as handle:
        standard = list(csv.DictReader(handle))
    rows, added = [], 0
    for ref in standard:  # the standard's order: section, then its divisions, groups and classes
        row = kept.pop(ref["code"], None)
        if row is None:
            row = {"code": ref["code"], "name": ref["name"].strip(), "level": ref["level"], "parent": ref["parent"],
                   "section": ref["section"], "description": ""}
            added += 1
        rows.append(row)
    if kept:
        raise SystemExit(f"codes in {TARGET.name} but not in the standard: {sorted(kept)}")
    with open(TARGET, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{TARGET.name}: {len(rows)} rows, {added} added")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
