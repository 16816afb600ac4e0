"""经营范围 (registered business scope): split the registered text into the concrete things it offers.

A scope reads like "金属结构、矿山机械的制造；机械零部件加工；钢材、化工产品（不含危险化学品）的销售。（依法须经
批准的项目…）". Its offers are the objects (金属结构, 矿山机械, 机械零部件, 钢材, 化工产品), not the activity words
around them (制造, 加工, 销售) nor the legal boilerplate. Parsing the text of items it produced, joined by "；",
gives the same items again, so an exported and re-imported scope is unchanged.
"""

from __future__ import annotations

import re

from copark.parsing.numbers import to_half_width

# Activity words a scope wraps its objects in. Longer words first so that 初加工 goes before 加工.
_ACTIVITIES = sorted({
    "生产", "制造", "加工", "初加工", "深加工", "精加工", "粗加工", "初级加工", "制作", "研制", "研发", "开发", "设计",
    "销售", "批发", "零售", "经营", "经销", "代销", "代理", "收购", "采购", "购买", "购销", "供应", "进出口", "进口", "出口",
    "安装", "组装", "装配", "维修", "修理", "维护", "保养", "调试", "定制", "改装", "检测", "租赁", "回收", "利用",
    "种植", "栽培", "养殖", "饲养", "培育", "育苗", "繁育", "贮藏", "储藏", "仓储", "配送", "运输", "推广", "网上销售",
    "网络销售", "组织", "开展", "引进", "提供", "施工", "处理", "拆解", "研究", "建设", "及其", "相关", "业务", "活动", "服务", "咨询", "转让", "技术转让", "技术咨询", "技术服务", "技术开发",
}, key=len, reverse=True)
_ACT = "|".join(_ACTIVITIES)
_JOINERS = "的及和与并、/"
_TRAILING = re.compile(rf"(?:[{_JOINERS}]*(?:{_ACT}))+$")
_LEADING = re.compile(rf"^(?:从事|提供)?(?:(?:{_ACT})[{_JOINERS}]*)+")
# A leading activity word that is really part of the object: 生产设备, 加工中心, 销售网络 …
_KEEP_AFTER_LEADING = ("设备", "线", "资料", "工具", "用", "车间", "基地", "性", "中心", "网络", "机", "器")
_BRACKETS = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")
_CLAUSES = re.compile(r"[；;。,，\n\r]")
# Pieces that name no concrete thing, or only the legal form of the registration.
_GENERIC = {
    "产品", "技术", "服务", "信息", "货物", "商品", "其他", "项目", "相关产品", "相关技术", "信息咨询", "企业管理", "自营",
    "代理各类商品和技术的进出口", "货物及技术", "货物和技术", "技术和货物", "各类商品和技术", "农产品初", "一般项目", "新品种", "新技术",
}
_LEGAL = re.compile(r"依法|批准|许可|经营活动|法律|法规|禁止|除外|成员|登记机关|凭|须经|所需")
# "蔬菜种植及鱼类": an activity word followed by 及/和 ends one object and starts the next.
_ACT_JOIN = re.compile(rf"({_ACT})(以及|及|和|与|并)")
MAX_OBJECT = 30  # longer pieces are sentences, not objects; the whole scope stays in the description


def _strip(piece: str) -> str:
    piece = piece.strip(" \t:：")
    while True:
        before = piece
        piece = _TRAILING.sub("", piece).strip(" ：:")
        lead = _LEADING.match(piece)
        if lead and lead.end() < len(piece) and not piece[lead.end():].startswith(_KEEP_AFTER_LEADING):
            piece = piece[lead.end():]
        elif lead and lead.end() == len(piece):
            piece = ""
        piece = piece.strip(f" ：:{_JOINERS}")
        if piece == before:
            return piece


def scope_objects(scope: object) -> list[str]:
    """The objects a 经营范围 text names, in order, once each; activity words and boilerplate left out."""
    if scope is None:
        return []
    text = _BRACKETS.sub("", to_half_width(str(scope))).replace("...", "").replace("…", "")
    found: list[str] = []
    for clause in _CLAUSES.split(text):
        if ":" in clause:  # "销售:五金、建材" or "许可项目:…": the list follows the label
            clause = clause.rsplit(":", 1)[1]
        for part in _ACT_JOIN.sub(r"\1、", clause).split("、"):
            item = _strip(part)
            if len(item) < 2 or len(item) > MAX_OBJECT or item in _GENERIC or _LEGAL.search(item):
                continue
            if item not in found:
                found.append(item)
    return found
