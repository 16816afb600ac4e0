"""统一社会信用代码 (USCC) validation per GB 32100-2015."""

from __future__ import annotations

from copark.core.errors import CoparkError
from copark.locale import t

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_character(first17: str) -> str:
    """The 18th (check) character for the first 17 characters of a USCC."""
    total = sum(CHARSET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def normalize_credit_code(value: str) -> str:
    """Upper-case, half-width, spaces removed: the form codes are stored in."""
    out = []
    for ch in value.strip():
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E:  # full-width ASCII, as typed with a Chinese IME
            ch = chr(code - 0xFEE0)
        if not ch.isspace():
            out.append(ch)
    return "".join(out).upper()


def validate_credit_code(value: object) -> str:
    """The normalized code, or CoparkError saying what is wrong with it (a number typed into the cell included)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    value = str(value)
    code = normalize_credit_code(value)
    if len(code) != 18:
        raise CoparkError(t("credit_code.length", value=value, length=len(code)), t("credit_code.fix"))
    bad = sorted({c for c in code if c not in CHARSET})
    if bad:
        raise CoparkError(t("credit_code.chars", value=value, chars="".join(bad)), t("credit_code.fix"))
    expected = check_character(code[:17])
    if code[17] != expected:
        raise CoparkError(
            t("credit_code.check", value=value, expected=expected, actual=code[17]), t("credit_code.fix")
        )
    return code
