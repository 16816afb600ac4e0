"""All end-user text lives here, keyed by message id, so another locale can follow.

Code asks for `t("import.bad_credit_code", value=...)` or a label such as
`label(ItemKind.product)`; only this package holds Chinese UI strings.
"""

from __future__ import annotations

from enum import Enum

from copark.locale import zh_CN

_ACTIVE = zh_CN


def t(key: str, **kwargs: object) -> str:  # noqa: D103
    """The message `key` in the active locale, formatted with kwargs."""
    try:
        template = _ACTIVE.MESSAGES[key]
    except KeyError:  # a missing message must not hide the error that wanted it
        return key + (" " + repr(kwargs) if kwargs else "")
    return template.format(**kwargs) if kwargs else template


def label(value: Enum) -> str:
    """The Chinese label of a vocabulary value (OrgKind, ItemKind, Direction, ...)."""
    return _ACTIVE.LABELS[type(value).__name__][value.value]


def parse_label(enum_type: type[Enum], text: str) -> Enum | None:
    """The vocabulary value whose label, synonym or code is `text`, else None."""
    text = (text or "").strip()
    if not text:
        return None
    for member in enum_type:  # type: ignore[attr-defined]
        if text == member.value or text == _ACTIVE.LABELS[enum_type.__name__][member.value]:
            return member
    synonyms = _ACTIVE.SYNONYMS.get(enum_type.__name__, {})
    for word, value in synonyms.items():
        if word == text:
            return enum_type(value)
    return None


def labels(enum_type: type[Enum]) -> dict[str, str]:
    """value → label for every member of a vocabulary."""
    return dict(_ACTIVE.LABELS[enum_type.__name__])
