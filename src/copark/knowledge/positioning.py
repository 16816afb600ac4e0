"""园区定位 / 主导产业: the words a park writes for its leading chains (电子信息, 纺织服装, C35) as GB/T 4754 codes."""

from __future__ import annotations

import csv
from functools import lru_cache
from importlib import resources

from copark.knowledge.industries import IndustryTable, parse_code
from copark.knowledge.text import normalize

# 新材料产业, 纺织服装产业链, 医疗器械行业 name the same chain as 新材料, 纺织服装, 医疗器械.
_TRAILING = ("产业集群", "产业链", "产业", "行业", "集群")


@lru_cache(maxsize=1)
def positioning_words() -> dict[str, tuple[str, ...]]:
    """Curated 主导产业 word → GB/T 4754 codes (knowledge/data/positioning_words.csv)."""
    file = resources.files("copark.knowledge") / "data" / "positioning_words.csv"
    with file.open(encoding="utf-8", newline="") as handle:
        return {normalize(row["word"]): tuple(row["codes"].split(";")) for row in csv.DictReader(handle)}


def positioning_codes(entry: str, industries: IndustryTable) -> tuple[str, ...] | None:
    """The industry codes one 主导产业 entry stands for, or None when copark cannot tell.

    A GB/T code (C35, 3581) or exact industry name is itself; a curated word (电子信息 → 39, 65) is its codes.
    """
    text = entry.strip()
    if not text:
        return None
    code = parse_code(text)
    if code is not None:
        record = industries.get(text)
        return (record.code,) if record else None
    word = normalize(text)
    for suffix in _TRAILING:
        if word.endswith(suffix) and len(word) > len(suffix) + 1:
            word = word[: -len(suffix)]
            break
    record = industries.by_exact_name(text) or industries.by_exact_name(word)
    if record is not None:
        return (record.code,)
    return positioning_words().get(word)


def expand_positioning(entries: list[str], industries: IndustryTable) -> tuple[list[str], list[str]]:
    """(the entries followed by the codes their words stand for, the entries that map to nothing).

    Matching reads codes by industry and words by the organizations' own text, so a word such as 电子信息 would
    otherwise fit almost no one; its codes are kept beside it, and the words themselves stay as written.
    """
    out = list(entries)
    unmapped: list[str] = []
    for entry in entries:
        codes = positioning_codes(entry, industries)
        if codes is None:
            unmapped.append(entry)
            continue
        if parse_code(entry) is not None:
            continue
        out.extend(c for c in codes if c not in out)
    return out, unmapped
