"""Pairs the old demo output got wrong (or missed), kept in the demo data to tempt a lexical matcher.

Each test names the pair: nonsense the old engine printed must stay out, the right answers must come in.
"""

from __future__ import annotations

import pytest

from copark.services import opportunities as service
from copark.services.opportunities import OpportunityView
from copark.workspace import Workspace

EXPORT_AGENT_NEEDS = ("代理出口", "帮忙报关的外贸公司")


@pytest.fixture(scope="module")
def found(tmp_path_factory: pytest.TempPathFactory) -> list[OpportunityView]:
    """Every opportunity `copark demo` / `copark match` finds on the demo (top 10 per need)."""
    from copark import demo as demo_module

    workspace = Workspace(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'copark.sqlite'}")
    try:
        demo_module.load_demo(workspace=workspace)
        with workspace.transaction() as session:
            return service.match(session=session, regions=workspace.regions).opportunities
    finally:
        workspace.close()


def _pairs(found: list[OpportunityView], need: str, offer_org: str = "") -> list[OpportunityView]:
    return [v for v in found if need in v.need_text and offer_org in v.offer_org]


def test_needs_and_offers_that_tempt_are_in_the_data(found: list[OpportunityView]) -> None:
    """Not xfail: the tempting needs exist, so the regressions below test something."""
    from test_demo_truth import _cells, _rows

    texts = {i["内容"] for i in _rows("items.csv")}
    texts |= {p for o in _rows("organizations.csv") for p in _cells(o["主营产品"])}  # products are offered too
    for text in ("冷链运输", "长沙门店和电商销售渠道", "医疗器械电磁兼容和安规检测", "运动品牌代理", "出口信贷",
                 "纺织品和服装检测", "过滤材料效率和阻力测试", "医用耗材理化和微生物检验", "整车和大件运输（有平板挂车）"):
        assert text in texts, text
    for need in ("钢板、型钢从长沙运到溆浦", "卤制鹅肉想进长沙", "每批医用垫出厂前", "代理出口", "过滤效率和阻力"):
        assert any(need in x for x in texts), need


# -- nonsense pairs the old demo printed ------------------------------------------------------------------


def test_steel_transport_not_from_cold_chain_transport(found: list[OpportunityView]) -> None:
    assert not [v for v in _pairs(found, "钢板、型钢从长沙运到溆浦") if "冷链" in v.offer_text]


def test_goose_sales_channel_not_from_fashion_shop_channel(found: list[OpportunityView]) -> None:
    assert not _pairs(found, "卤制鹅肉想进长沙", "云锦服饰")


def test_nursing_pad_release_testing_not_from_emc_safety_testing(found: list[OpportunityView]) -> None:
    assert not [v for v in _pairs(found, "每批医用垫出厂前") if "电磁兼容" in v.offer_text]


def test_export_agent_not_from_sports_brand_agency(found: list[OpportunityView]) -> None:
    assert not [v for need in EXPORT_AGENT_NEEDS for v in _pairs(found, need) if v.offer_text == "运动品牌代理"]


def test_export_agent_not_from_banks(found: list[OpportunityView]) -> None:
    assert not [v for need in EXPORT_AGENT_NEEDS for v in _pairs(found, need) if "银行" in v.offer_org]


def test_filter_testing_from_kaide_filter_test_not_textile_test(found: list[OpportunityView]) -> None:
    kaide = [v.offer_text for v in _pairs(found, "过滤效率和阻力", "凯德检测")]
    assert "过滤材料效率和阻力测试" in kaide
    assert "纺织品和服装检测" not in kaide


# -- pairs the article reports (and the right answers above), expected of the new engine ---------------------


def test_kefu_sponge_need_from_shuxiaofu_with_chain_path(found: list[OpportunityView]) -> None:
    view = next(v for v in _pairs(found, "呼吸机、制氧机上用的过滤海绵", "舒小福"))
    assert view.mode == "supply_chain" and view.explanation["chain"]["path"]


def test_kefu_oscillator_need_from_jingke_with_chain_path(found: list[OpportunityView]) -> None:
    view = next(v for v in _pairs(found, "有源晶振", "晶科晶体") if "可孚医疗" in v.need_org)
    assert view.mode == "supply_chain" and view.explanation["chain"]["path"]


def test_zhonghua_resonator_need_from_jingke(found: list[OpportunityView]) -> None:
    view = next(v for v in _pairs(found, "无源晶振", "晶科晶体") if "众华电子" in v.need_org)
    assert view.offer_text == "石英晶体谐振器"


def test_steel_transport_from_truck_transport(found: list[OpportunityView]) -> None:
    assert _pairs(found, "钢板、型钢从长沙运到溆浦", "捷运")


def test_nursing_pad_release_testing_from_consumables_lab(found: list[OpportunityView]) -> None:
    assert [v for v in _pairs(found, "每批医用垫出厂前") if v.offer_text == "医用耗材理化和微生物检验"]


def test_export_agent_from_export_trading_company(found: list[OpportunityView]) -> None:
    # 长沙智医 (雨花区) meets the Xupu trading company across the pairing; 乐行 (溆浦) shares its county, so the
    # cross-region demo rightly does not pair them
    assert _pairs(found, "帮我们代理出口", "溆化进出口")
    assert not _pairs(found, "想把器材卖到国外", "溆化进出口")


def test_power_bank_assembly_from_electronics_assembly(found: list[OpportunityView]) -> None:
    assert [v for v in _pairs(found, "户外电源旺季产能不够") if v.offer_text == "电子产品组装代工"]
