"""Region (行政区划) lookup: resolve "溆浦县", "长沙市雨花区", "怀化溆浦" or "431224" to a code."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from copark.core.errors import CoparkError
from copark.locale import t
from copark.parsing.names import simplify

_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "自治县",
             "地区", "新区", "省", "市", "区", "县", "盟", "旗")
# What a place below the county level ends with: towns, streets, villages, parks and development zones.
_LOCALITY_SUFFIXES = ("镇", "乡", "街道", "街道办事处", "办事处", "社区", "村", "园区", "工业园", "产业园", "工业区",
                      "开发区", "高新区", "经开区", "示范区", "集中区", "片区")
_CODE = re.compile(r"(\d{6})(?:\.0+)?")


@dataclass(frozen=True)
class RegionRecord:
    code: str
    name: str
    level: int  # 0 province, 1 city, 2 county
    parent_code: str | None
    longitude: float | None = None
    latitude: float | None = None


def short_name(name: str) -> str:
    """溆浦县 → 溆浦, 长沙市 → 长沙; names of two characters keep their suffix (泸县)."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


class RegionTable:
    """An in-memory index of regions by code and by name."""

    def __init__(self, records: list[RegionRecord]) -> None:
        self.by_code = {r.code: r for r in records}
        self._by_word: dict[str, list[RegionRecord]] = {}
        for r in records:
            # input is simplified before lookup, so 乾安县 is also found as the 干安县 that simplification makes of it
            for word in {r.name, short_name(r.name), simplify(r.name), short_name(simplify(r.name))}:
                self._by_word.setdefault(word, []).append(r)

    def __len__(self) -> int:
        return len(self.by_code)

    def ancestors(self, record: RegionRecord) -> list[RegionRecord]:
        out = []
        parent = record.parent_code
        while parent and parent in self.by_code:
            out.append(self.by_code[parent])
            parent = self.by_code[parent].parent_code
        return out

    def full_name(self, code: str) -> str:
        """湖南省长沙市雨花区 for 430111."""
        record = self.by_code[code]
        names = [a.name for a in reversed(self.ancestors(record))] + [record.name]
        # 北京市北京市东城区 reads badly: drop a city named like its province.
        dedup = [n for i, n in enumerate(names) if i == 0 or n != names[i - 1]]
        return "".join(dedup)

    def words(self) -> tuple[str, ...]:
        return tuple(self._by_word)

    def resolve(self, text: str) -> RegionRecord:
        """The one region `text` names, else CoparkError (unknown, or ambiguous with candidates).

        Rules, in order: a 6-digit code (431224.0 as a spreadsheet writes it is the code 431224); the longest
        region name the text ends with, its other words being that region's ancestors (湖南省怀化市溆浦县); a
        text that names a town, street or park inside a region (溆浦县卢峰镇, 长沙市雨花区同升街道, 溆浦县工业园区)
        is that region. Where one name fits several regions, the full name beats a short one and the higher level
        beats the lower (长沙 is 长沙市, not 长沙县); what remains tied is ambiguous and listed.
        """
        clean = re.sub(r"\s+", "", simplify(str(text)))
        code = _CODE.fullmatch(clean)
        if code:
            if code.group(1) in self.by_code:
                return self.by_code[code.group(1)]
            raise CoparkError(t("region.unknown", value=text), t("region.fix"))
        candidates = self._candidates(clean) or self._within(clean)
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            raise CoparkError(t("region.unknown", value=text), t("region.fix"))
        names = "、".join(f"{self.full_name(c.code)}（{c.code}）"
                         for c in sorted(candidates, key=lambda c: c.code)[:8])
        raise CoparkError(t("region.ambiguous", value=text, candidates=names), t("region.ambiguous.fix"))

    def _candidates(self, text: str) -> list[RegionRecord]:
        """Regions named by the longest region word `text` ends with, best kind of match only."""
        for start in range(len(text)):
            word = text[start:]
            found = [r for r in self._by_word.get(word, ()) if self._prefix_fits(text[:start], r)]
            if found:
                full = [r for r in found if r.name == word]
                found = full or found
                top = min(r.level for r in found)
                return list({r.code: r for r in found if r.level == top}.values())
        return []

    def _within(self, text: str) -> list[RegionRecord]:
        """The region a town, street or park is in: 溆浦县卢峰镇 → 溆浦县 (the longest head that is a region)."""
        if not text.endswith(_LOCALITY_SUFFIXES):
            return []
        for end in range(len(text) - 1, 1, -1):
            found = self._candidates(text[:end])
            if found:
                return found
        return []

    def _prefix_fits(self, prefix: str, record: RegionRecord) -> bool:
        """Whether prefix is made only of names of record's ancestors (湖南省长沙市 for 雨花区)."""
        for ancestor in self.ancestors(record):
            for word in (ancestor.name, short_name(ancestor.name)):
                if prefix.endswith(word):
                    prefix = prefix[: -len(word)]
                    break
        return prefix == ""


def read_region_csv(path: Path | str) -> list[RegionRecord]:
    """Regions from copark's CSV (code,name,level,parent_code,longitude,latitude)."""
    with open(path, encoding="utf-8", newline="") as handle:
        return [
            RegionRecord(
                code=row["code"],
                name=row["name"],
                level=int(row["level"]),
                parent_code=row["parent_code"] or None,
                longitude=float(row["longitude"]) if row.get("longitude") else None,
                latitude=float(row["latitude"]) if row.get("latitude") else None,
            )
            for row in csv.DictReader(handle)
        ]


@lru_cache(maxsize=1)
def builtin_regions() -> RegionTable:
    """The regions that ship with copark (all of Hunan plus every province)."""
    path = resources.files("copark.knowledge") / "data" / "regions.csv"
    with resources.as_file(path) as file:
        return RegionTable(read_region_csv(file))


def within_region(code: str, area: str) -> bool:
    """Whether region `code` lies in `area` (6-digit codes are hierarchical: 43 province, 4301 city)."""
    if area.endswith("0000"):
        return code[:2] == area[:2]
    if area.endswith("00"):
        return code[:4] == area[:4]
    return code == area


def overlaps(a: str, b: str) -> bool:
    """Whether one region contains the other (长沙市 430100 and its 雨花区 430111 are not two regions)."""
    return within_region(a, b) or within_region(b, a)
