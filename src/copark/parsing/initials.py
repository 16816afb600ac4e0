"""Pinyin initials of organization names (可孚医疗 → kfyl), stored with each organization for the 企业 search."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

INITIALS_MAX = 255


@lru_cache(maxsize=200_000)
def initials(name: str) -> str:
    """Pinyin initials of a name, lower case (可孚医疗 → kfyl); letters and digits kept as they are."""
    from pypinyin import Style, lazy_pinyin

    return "".join(p[:1] for p in lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default")).lower()[:INITIALS_MAX]


def initials_default(context: Any) -> str | None:
    """Column default of organization.name_initials: computed from the row's name on every insert, ORM or bulk."""
    name = context.get_current_parameters().get("name")
    return initials(name) if name else None
