"""Organization names: the normalized key re-imports match on (strip legal form, region prefix)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import opencc

from copark.parsing.numbers import to_half_width

# Longest first, so 股份有限公司 is removed before 有限公司.
_LEGAL_FORMS = (
    "股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "股份公司", "分公司", "总公司", "公司",
    "合作社", "个体工商户", "厂",
)
_PROVINCES = (
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建",
    "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海",
    "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港", "澳门",
)
_PUNCT = re.compile(r"[\s·•.,，。、()（）\[\]【】《》\"'“”‘’\-—_/\\]+")


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _traditional_chars() -> frozenset[str]:
    """Every character OpenCC's t2s may rewrite (the keys of its TSCharacters dictionary)."""
    path = Path(opencc.__file__).with_name("dictionary") / "TSCharacters.txt"
    with open(path, encoding="utf-8") as handle:
        return frozenset(line.split("\t", 1)[0] for line in handle if line.strip())


def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese; text without traditional characters is returned as is.

    The pure-Python converter costs ~1 ms per string, and almost all input is already simplified.
    """
    traditional = _traditional_chars()
    if not any(ch in traditional for ch in text):
        return text
    return _t2s().convert(text)


@lru_cache(maxsize=65536)
def simplify(text: str) -> str:
    """Traditional → simplified Chinese, full-width → half-width."""
    return to_simplified(to_half_width(text))


def strip_legal_form(name: str) -> str:
    """The name without its legal-form suffix(es): 舒小福新材料科技有限公司 → 舒小福新材料科技."""
    text = name
    for _ in range(2):  # 集团有限公司分公司 and the like carry two
        for form in _LEGAL_FORMS:
            if text.endswith(form) and len(text) > len(form) + 1:
                text = text[: -len(form)]
                break
    return text


@lru_cache(maxsize=8)
def _prefix_set(region_words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(w for w in (*region_words, *(p + "省" for p in _PROVINCES), *_PROVINCES) if w)


# An organization's kind read from its name when no 机构类型 is given; first rule wins (农商行 is a bank even though
# it is a 公司). Data, like the legal forms above, not user-facing text.
_KIND_BY_NAME = (
    ("bank", ("银行", "农商行", "信用社", "信用合作联社", "村镇银行", "小额贷款", "融资担保", "保险", "证券", "信托",
              "金融租赁", "融资租赁")),
    ("training", ("大学", "学院", "学校", "中专", "技校", "职校", "培训", "职业技术")),
    ("government", ("人民政府", "管理委员会", "管委会", "商务局", "工信局", "发改委", "招商局", "投促局")),
)


def guess_org_kind(name: str) -> str | None:
    """The OrgKind value a name implies (溆浦农商行 → bank, 怀化职业中专 → training), or None."""
    text = simplify(name)
    for kind, words in _KIND_BY_NAME:
        if any(word in text for word in words):
            return kind
    return None


def region_prefix(name: str, region_words: tuple[str, ...] = ()) -> frozenset[str]:
    """The places a name starts with, provinces left out: 安化县祥泰种养专业合作社 → {安化}; 湖南甲科技 → {}."""
    text = _PUNCT.sub("", simplify(name).strip())
    prefixes = _prefix_set(region_words)
    provinces = _prefix_set(())
    longest = max(map(len, prefixes))
    places: set[str] = set()
    stripped = True
    while stripped:
        stripped = False
        for size in range(min(longest, len(text) - 2), 0, -1):
            word = text[:size]
            if word in prefixes:
                if word not in provinces:
                    places.add(_place(word))
                text = text[size:]
                stripped = True
                break
    return frozenset(places)


def _place(word: str) -> str:
    """溆浦县 and 溆浦 are one place."""
    for suffix in ("自治县", "自治州", "县", "市", "区", "州"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            return word[: -len(suffix)]
    return word


def different_places(a: str, b: str, region_words: tuple[str, ...] = ()) -> bool:
    """Whether two names carry places and share none: 安化县祥泰 and 嘉禾县祥泰 are two organizations."""
    mine, theirs = region_prefix(a, region_words), region_prefix(b, region_words)
    return bool(mine and theirs and not mine & theirs)


def normalize_name(name: str, region_words: tuple[str, ...] = ()) -> str:
    """Key for matching the same organization across files: 湖南舒小福新材料科技有限公司 → 舒小福新材料科技.

    Strips a leading province and region words (溆浦县/溆浦, 长沙市/长沙 ...), a bracketed region
    ("(长沙)"), the legal-form suffix, punctuation and spaces.
    """
    text = simplify(name).strip()
    text = re.sub(r"[(（][^)）]{1,12}[)）]", "", text)  # 可孚医疗(长沙)有限公司
    text = strip_legal_form(_PUNCT.sub("", text))
    prefixes = _prefix_set(region_words)
    longest = max(map(len, prefixes))
    stripped = True
    while stripped:  # the longest region word first, as often as one leads (湖南省 then 长沙市)
        stripped = False
        for size in range(min(longest, len(text) - 2), 0, -1):
            if text[:size] in prefixes:
                text = text[size:]
                stripped = True
                break
    return text.lower()
