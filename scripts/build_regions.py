"""Complete knowledge/data/regions.csv with every county-level division of China (codes and names only).

The built-in table was written for Hunan (with county-seat coordinates) plus every province. Names elsewhere
must still resolve, and a name such as 朝阳区 must be seen to be ambiguous, so every city and county code with
its official name is added. Codes and names of administrative divisions are public facts (民政部 行政区划代码);
the reference read here is ../shared/data/admin_divisions (MIT-licensed sources). Coordinates are not copied:
rows added by this script have none, and distance falls back to the province's point.

    python scripts/build_regions.py ../shared/data/admin_divisions/cn_divisions_level3_coords.csv
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

TARGET = Path(__file__).resolve().parents[1] / "src" / "copark" / "knowledge" / "data" / "regions.csv"
FIELDS = ["code", "name", "level", "parent_code", "longitude", "latitude"]


def main(reference: Path) -> None:
    with open(TARGET, encoding="utf-8", newline="") as handle:
        kept = list(csv.DictReader(handle))
    known = {row["code"] for row in kept}
    with open(reference, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    code_of_id = {row["id"]: row["code12"][:6] for row in rows}
    name_of_id = {row["id"]: row["name"] for row in rows}
    # 北京市 the city is 北京市 the province: its districts hang off the province, so the name names one region
    for row in rows:
        if row["level"] == "1" and name_of_id.get(row["pid"]) == row["name"]:
            code_of_id[row["id"]] = code_of_id[row["pid"]]
    added: dict[str, dict[str, str]] = {}
    for row in rows:  # 仙桃市, 香港 … repeat one code at several levels: the shallowest is kept
        code = row["code12"][:6]
        if len(code) != 6 or code in known or code in added:  # 国外 (abroad) has code 0
            continue
        if code_of_id[row["id"]] != code:  # a municipality's city level, folded into its province
            continue
        level = int(row["level"])
        parent = code_of_id.get(row["pid"], "") if level else ""
        added[code] = {"code": code, "name": row["name"], "level": str(level), "parent_code": parent,
                       "longitude": "", "latitude": ""}
    with open(TARGET, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(kept)
        writer.writerows(added[code] for code in sorted(added))
    print(f"{TARGET.name}: {len(kept)} kept, {len(added)} added")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
