"""Amounts and quantities as people write them: "年采购约2000万元", "3.5亿", "两千万", "10万只"."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import cn2an

from copark.core.errors import CoparkError
from copark.locale import t

_CN_DIGITS = "零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟"
_NUMBER = re.compile(rf"(?:\d+(?:\.\d+)?|[{_CN_DIGITS}]+)(?:\.\d+)?(?:[{_CN_DIGITS}]*)")
_MAGNITUDE = {"万": 1e4, "亿": 1e8, "千": 1e3, "百": 1e2, "十": 10.0}


def to_half_width(text: str) -> str:
    """Full-width ASCII and the ideographic space to their half-width forms."""
    out = []
    for ch in text:
        code = ord(ch)
        if code == 0x3000:
            out.append(" ")
        elif 0xFF01 <= code <= 0xFF5E:
            out.append(chr(code - 0xFEE0))
        else:
            out.append(ch)
    return "".join(out)


@dataclass(frozen=True)
class Quantity:
    value: float
    unit: str


def _number_span(text: str) -> tuple[float, int, int] | None:
    """The first number in text (Arabic, Chinese or mixed like 3.5亿) with its span."""
    for match in _NUMBER.finditer(text):
        raw = match.group(0)
        if not any(c.isdigit() or c in _CN_DIGITS for c in raw):
            continue
        # A lone magnitude character (万, 千) is a unit only after a number.
        if all(c in "万亿千百十" for c in raw) and len(raw) == 1:
            continue
        try:
            value = float(cn2an.cn2an(raw, "smart"))
        except (ValueError, KeyError, IndexError):
            continue
        return value, match.start(), match.end()
    return None


# Money units a header may state for its column: 年营业收入（万元）, 年金额(元), 金额/亿元, 营收 单位：万元.
AMOUNT_UNITS = {"元": 1.0, "千元": 1e3, "万元": 1e4, "百万元": 1e6, "亿元": 1e8, "万": 1e4, "亿": 1e8}
_HEADER_UNIT = re.compile(r"(?:[(\[/]|单位[:：]?)\s*(?:单位[:：]?)?\s*(元|千元|万元|百万元|亿元|万|亿)\s*[)\]]?$")
_HEADER_NOTE = re.compile(r"[(\[]\s*(?:单位[:：]?)?\s*([^()\[\]]{1,8})\s*[)\]]$")


def amount_unit(header: object) -> str | None:
    """The money unit a column header states (年营业收入（万元） → 万元), or None."""
    match = _HEADER_UNIT.search(to_half_width(str(header or "")).strip())
    return match.group(1) if match else None


def header_note(header: object) -> str | None:
    """What a header's trailing bracket holds (数量（吨） → 吨), or None."""
    match = _HEADER_NOTE.search(to_half_width(str(header or "")).strip())
    return match.group(1).strip() if match else None


def states_unit(text: object) -> bool:
    """Whether an amount text carries its own magnitude or currency (2000万元, 3.5亿, 500元)."""
    return isinstance(text, str) and any(ch in text for ch in "万亿元")


def parse_amount(text: str | float | int | None, unit: str = "元") -> float | None:
    """CNY value of an amount text; None for empty; CoparkError if it holds no amount.

    Plain numbers are in `unit` (yuan unless the column header says 万元 or 亿元); a text that states its own
    magnitude or currency (2000万元, 3.5亿, 500元) is read as written: 万/亿 multiply, "万元" is 万.
    """
    if text is None:
        return None
    factor = 1.0 if states_unit(text) else AMOUNT_UNITS[unit]
    if isinstance(text, bool):
        raise CoparkError(t("amount.bad", value=text), t("amount.fix"))
    if isinstance(text, int | float):
        return float(text) * factor
    clean = to_half_width(str(text)).replace(",", "").replace("，", "").replace(" ", "")
    if not clean:
        return None
    found = _number_span(clean)
    if found is None:
        raise CoparkError(t("amount.bad", value=text), t("amount.fix"))
    value, _, end = found
    rest = clean[end:]
    # cn2an already applied magnitudes written inside the number (3.5亿 → 350000000);
    # a magnitude right after an Arabic number ("2000万") still needs applying.
    for ch in rest[:2]:
        if ch in ("万", "亿"):
            value *= _MAGNITUDE[ch]
        else:
            break
    return value * factor


def parse_quantity(text: str | float | int | None) -> Quantity | None:
    """Number and unit from "10万只", "500 吨", "2000"; None for empty or no number."""
    if text is None:
        return None
    if isinstance(text, int | float):
        return Quantity(float(text), "")
    clean = to_half_width(str(text)).replace(",", "").strip()
    found = _number_span(clean)
    if found is None:
        return None
    value, _, end = found
    rest = clean[end:].strip()
    while rest[:1] in ("万", "亿"):
        value *= _MAGNITUDE[rest[0]]
        rest = rest[1:]
    unit = re.split(r"[/／每，,;；\s]", rest, maxsplit=1)[0] if rest else ""
    return Quantity(value, unit[:16])


def parse_int(text: object, *, field: str = "") -> int | None:
    """An integer count (employees) from a cell; None for empty; CoparkError otherwise."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    if isinstance(text, int):
        return text
    if isinstance(text, float) and text.is_integer():
        return int(text)
    quantity = parse_quantity(str(text))
    if quantity is None or not float(quantity.value).is_integer():
        raise CoparkError(t("number.bad", value=text), t("number.fix"))
    return int(quantity.value)


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$"),
    re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$"),
    re.compile(r"^(\d{4})年?$"),
)


def parse_date(value: object) -> dt.date | None:
    """A date from a cell (date, datetime, 2025-12-31, 2025年12月31日, 2025年12月, 2025)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = to_half_width(str(value)).strip()
    if not text:
        return None
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            parts = [int(p) for p in match.groups()]
            year, month, day = (parts + [12, 31])[:3] if len(parts) < 3 else parts
            if len(parts) == 2:
                # "2025年6月" means valid through the end of that month
                nxt = dt.date(year + (month == 12), month % 12 + 1, 1) if 1 <= month <= 12 else None
                if nxt is None:
                    break
                return nxt - dt.timedelta(days=1)
            try:
                return dt.date(year, month, day)
            except ValueError:
                break
    raise CoparkError(t("date.bad", value=value), t("date.fix"))
