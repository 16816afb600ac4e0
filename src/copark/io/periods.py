"""Reporting periods of enterprise figures: a month (2024-03) or a quarter (2024Q1)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from copark.core.errors import CoparkError
from copark.locale import t
from copark.parsing.numbers import to_half_width

_QUARTER_WORDS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(?:份)?$")
_QUARTER = re.compile(r"^(\d{4})\s*(?:年)?\s*[-/]?\s*(?:q|第)?\s*([1-4一二三四])\s*(?:季度|季)?$", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    label: str  # 2024-03 or 2024Q1
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def month(year: int, number: int) -> Period:
    start = dt.date(year, number, 1)
    end = dt.date(year + (number == 12), number % 12 + 1, 1) - dt.timedelta(days=1)
    return Period(f"{year:04d}-{number:02d}", start, end)


def quarter(year: int, number: int) -> Period:
    first = month(year, 3 * number - 2)
    return Period(f"{year:04d}Q{number}", first.start, month(year, 3 * number).end)


def parse_period(value: object) -> Period:
    """A month (2024-03, 2024年3月, a date cell) or a quarter (2024Q1, 2024年第一季度); CoparkError otherwise."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return month(value.year, value.month)
    text = to_half_width(str(value or "")).strip()
    found = _MONTH.match(text)
    if found and "季" not in text:
        year, number = int(found.group(1)), int(found.group(2))
        if 1 <= number <= 12 and 1990 <= year <= 2100:
            return month(year, number)
    found = _QUARTER.match(text)
    if found and ("q" in text.lower() or "季" in text):
        year = int(found.group(1))
        if 1990 <= year <= 2100:
            return quarter(year, _QUARTER_WORDS[found.group(2)])
    raise CoparkError(t("period.bad", value=text[:40]), t("period.fix"))
