"""Free-text 资源清单/需求清单 cells: split into items, guess each item's kind, read amounts and quantities."""

from __future__ import annotations

import re
from dataclasses import dataclass

from copark.core.errors import CoparkError
from copark.core.vocab import ItemKind
from copark.parsing.numbers import parse_amount, to_half_width

# First matching rule wins, so the more specific kinds come first (融资 before 服务, 代工 before 材料).
KIND_KEYWORDS: tuple[tuple[ItemKind, tuple[str, ...]], ...] = (
    (ItemKind.material, ("地膜", "农膜", "薄膜")),  # 农用地膜 is farm film, not 用地 (a plot of land)
    (ItemKind.finance, ("贷款", "授信", "融资", "信贷", "担保", "保险")),
    (ItemKind.talent, ("培训", "人才", "用工", "招工", "技工", "劳动力", "工人")),
    (ItemKind.processing, ("代工", "加工", "OEM", "ODM", "贴牌", "产能")),
    (ItemKind.technology, ("技术", "研发", "专利", "工艺", "攻关")),
    (ItemKind.channel, ("渠道", "出口", "外贸", "销售网络", "跨境", "电商", "市场开拓")),
    (ItemKind.facility, ("厂房", "用地", "场地", "仓库", "仓储", "标准厂房")),
    (ItemKind.service, ("物流", "检测", "服务", "认证", "咨询", "运输")),
    (ItemKind.material, ("原料", "材料", "零部件", "配件", "元器件", "辅料", "包材")),
)


# A phrase that asks for the space itself: it ends with the facility word, or with it and a deal (标准厂房租赁).
_FACILITY_SOUGHT = re.compile(
    "(?:" + "|".join(w for kind, words in KIND_KEYWORDS if kind is ItemKind.facility for w in words)
    + ")(?:出租|租赁|出售|转让)?$")


def guess_kind(text: str) -> ItemKind:
    """The item kind keyword rules give for `text`; product when none applies. A need written as a sentence is
    judged by the things it names, not its purpose: 木托盘、木箱包装，出口用 is a product, not an export channel."""
    from copark.knowledge.text import sentence_phrases

    named = sentence_phrases(text)  # a list (A、B) or a name (医用敷料代工) is read whole
    upper = to_half_width(" ".join(named) if named else text).upper()
    for kind, words in KIND_KEYWORDS:
        if kind is ItemKind.facility and named:  # in a sentence, 厂房屋面 is where the thing goes, not a space sought
            if any(_FACILITY_SOUGHT.search(to_half_width(p)) for p in named):
                return kind
        elif any(word in upper for word in words):
            return kind
    return ItemKind.product


_SEPARATORS = set("、；;\n\r")
_OPEN = set("(（[【《")
_CLOSE = set(")）]】》")


def split_list(cell: object) -> list[str]:
    """Items of a list cell, split on 、；; and line breaks outside brackets; empty pieces dropped."""
    if cell is None:
        return []
    pieces: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in str(cell):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE and depth:
            depth -= 1
        if ch in _SEPARATORS and depth == 0:
            pieces.append("".join(current))
            current = []
        else:
            current.append(ch)
    pieces.append("".join(current))
    return [p.strip(" \t，,。") for p in pieces if p.strip(" \t，,。")]


_NUM = r"(?:\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+(?:点[零一二三四五六七八九]+)?)"
# Money: "2000万元", "3.5亿元", "500元", or a bare "2000万"/"3.5亿" not followed by a unit word.
_MONEY = re.compile(rf"{_NUM}\s*(?:[万亿千]\s*)*元|{_NUM}\s*[万亿](?![\u4e00-\u9fffA-Za-z])")
_UNITS = (
    "平方米", "立方米", "千克", "公斤", "平米", "万片", "万只", "万件", "万套", "万台", "万个", "万吨", "万米",
    "吨", "只", "件", "套", "台", "个", "片", "米", "亩", "人", "名", "箱", "卷", "批", "条", "根", "块", "kg", "t",
)
_QUANTITY = re.compile(rf"({_NUM})\s*({'|'.join(map(re.escape, _UNITS))})")


@dataclass(frozen=True)
class TextFacts:
    """What could be read out of one item text; the text itself stays as written."""

    annual_value: float | None = None
    annual_value_text: str = ""
    quantity: float | None = None
    unit: str = ""


def read_facts(text: str) -> TextFacts:
    """Amount (年采购约2000万元) and quantity (500吨, 10万只) mentioned in an item's text, if any."""
    clean = to_half_width(text).replace(",", "")
    value, value_text = None, ""
    money = _MONEY.search(clean)
    if money:
        try:
            value, value_text = parse_amount(money.group(0)), money.group(0).strip()
        except CoparkError:
            value, value_text = None, ""
    quantity, unit = None, ""
    rest = clean[: money.start()] + " " + clean[money.end():] if money else clean
    found = _QUANTITY.search(rest)
    if found:
        try:
            quantity = parse_amount(found.group(1))
        except CoparkError:
            quantity = None
        unit = found.group(2) if quantity is not None else ""
        if quantity is not None and unit.startswith("万") and len(unit) > 1:
            quantity, unit = quantity * 1e4, unit[1:]
    return TextFacts(value, value_text, quantity, unit)


_BRACKETED = re.compile(r"[(（]([^()（）]*)[)）]")
_CLAUSE = re.compile(r"[,，:：]\s*([^,，:：]*)$")


def _states_facts(phrase: str) -> bool:
    """An amount, or a quantity written with digits: 一条龙 and 一站式 are words, not one 条 of anything."""
    facts = read_facts(phrase)
    return facts.annual_value is not None or (facts.quantity is not None and any(ch.isdigit() for ch in phrase))


def split_facts(text: str) -> tuple[str, str]:
    """An item's text without the amounts and quantities it mentions, and those phrases:
    注塑件（年采购约2000万元） → ("注塑件", "年采购约2000万元"); 钢材，月用量50吨 → ("钢材", "月用量50吨").

    Matching reads the text, so a figure inside it would only add noise; the figures go to the item's fields
    (read_facts) and the phrases to its note, so nothing written is lost. A text that is nothing but a figure
    stays as it is.
    """
    phrases: list[str] = []

    def drop(match: re.Match[str]) -> str:
        if _states_facts(match.group(1)):
            phrases.append(match.group(1).strip())
            return ""
        return match.group(0)

    clean = _BRACKETED.sub(drop, text)
    clause = _CLAUSE.search(clean)
    if clause and _states_facts(clause.group(1)):
        phrases.insert(0, clause.group(1).strip())
        clean = clean[: clause.start()]
    clean = clean.strip(" \t，,。；;：:")
    if not clean or not phrases:
        return text, ""
    return clean, "；".join(phrases)
