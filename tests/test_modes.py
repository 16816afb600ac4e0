"""Cooperation-mode rules (上游+下游, 总部+基地, 品牌+代工, 研发+转化, 金融支持, 人才培训, 市场渠道, 设施用地)."""

from __future__ import annotations

import pytest

from copark.matching.features import ItemDoc, OrgDoc
from copark.matching.modes import Mode, classify_mode, mode_label

YUHUA = OrgDoc(id=1, name="雨花企业", region_code="430111")
XUPU = OrgDoc(id=2, name="溆浦企业", region_code="431224")
XUPU_BANK = OrgDoc(id=3, name="溆浦银行", kind="bank", region_code="431224")
XUPU_SCHOOL = OrgDoc(id=4, name="溆浦职校", kind="training", region_code="431224")
XUPU_TRADE = OrgDoc(id=5, name="溆浦外贸平台", kind="trade_platform", region_code="431224")
YUHUA_2 = OrgDoc(id=6, name="雨花另一企业", region_code="430111")


def need(kind: str, text: str = "需求") -> ItemDoc:
    return ItemDoc(id=1, org_id=1, direction="need", kind=kind, text=text)


def offer(kind: str, text: str = "资源", org: int = 2) -> ItemDoc:
    return ItemDoc(id=2, org_id=org, direction="offer", kind=kind, text=text)


@pytest.mark.parametrize(
    ("need_item", "offer_item", "offer_org", "expected"),
    [
        (need("material", "过滤棉"), offer("material", "空气过滤棉"), XUPU, Mode.supply_chain),
        (need("product", "晶体振荡器"), offer("product"), XUPU, Mode.supply_chain),
        (need("service", "物流"), offer("service"), XUPU, Mode.supply_chain),
        (need("processing", "扩大产能，寻找生产基地"), offer("facility", "标准厂房"), XUPU, Mode.hq_base),
        (need("processing", "新建生产线"), offer("processing", "加工产能"), XUPU, Mode.hq_base),
        (need("facility", "用地50亩"), offer("facility", "工业用地"), XUPU, Mode.hq_base),
        (need("facility", "仓库"), offer("facility", "仓库"), YUHUA_2, Mode.facility),
        (need("processing", "寻找代工厂，OEM贴牌生产"), offer("processing", "代工"), XUPU, Mode.brand_oem),
        (need("processing", "扩大产能"), offer("processing", "代加工"), YUHUA_2, Mode.brand_oem),
        (need("product", "护理垫"), offer("processing", "无纺布制品代工"), XUPU, Mode.brand_oem),
        (need("technology", "检测技术"), offer("technology"), XUPU, Mode.rnd_transfer),
        (need("product", "智能血压计"), offer("technology", "血压算法专利"), XUPU, Mode.rnd_transfer),
        (need("finance", "贷款"), offer("finance"), XUPU_BANK, Mode.finance),
        (need("processing", "设备更新"), offer("service", "设备按揭"), XUPU_BANK, Mode.finance),
        (need("talent", "技工"), offer("talent"), XUPU, Mode.talent),
        (need("service", "员工培训"), offer("service"), XUPU_SCHOOL, Mode.talent),
        (need("channel", "出口东南亚"), offer("channel"), XUPU, Mode.channel),
        (need("product", "农产品销售"), offer("product", "电商平台"), XUPU_TRADE, Mode.channel),
    ],
)
def test_mode_rules(need_item: ItemDoc, offer_item: ItemDoc, offer_org: OrgDoc, expected: Mode) -> None:
    offer_item = ItemDoc(**{**offer_item.__dict__, "org_id": offer_org.id})
    assert classify_mode(need_item, offer_item, YUHUA, offer_org) is expected


def test_every_mode_has_a_chinese_label() -> None:
    labels = {mode: mode_label(mode) for mode in Mode}
    assert labels[Mode.supply_chain] == "上游+下游"
    assert labels[Mode.hq_base] == "总部+基地"
    assert labels[Mode.brand_oem] == "品牌+代工"
    assert labels[Mode.rnd_transfer] == "研发+转化"
    assert all(not label.startswith("match.") for label in labels.values())


def test_unknown_region_is_not_hq_base() -> None:
    nowhere = OrgDoc(id=7, name="无地区")
    assert classify_mode(need("facility", "厂房"), offer("facility"), nowhere, XUPU) is Mode.facility


def test_a_city_and_its_district_are_one_region() -> None:
    """长沙市 (430100) contains 雨花区 (430111): a base there is no 总部+基地 across regions."""
    changsha = OrgDoc(id=7, name="长沙市企业", region_code="430100")
    base = need("facility", "生产基地用地")
    assert classify_mode(base, offer("facility", "标准厂房", org=7), YUHUA, changsha) == Mode.facility
    assert classify_mode(base, offer("facility", "标准厂房"), YUHUA, XUPU) == Mode.hq_base
