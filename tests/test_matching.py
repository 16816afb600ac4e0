"""Matching a small two-region dataset end to end: retrieval, scoring, modes, explanations, storage."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from copark.core.errors import CoparkError
from copark.services import opportunities as service
from copark.storage.tables import Item, Opportunity, Organization, Park
from copark.workspace import Workspace

YUHUA, XUPU = "430111", "431224"


def _org(name: str, region: str | None, industry: str | None, kind: str = "enterprise", **kw) -> Organization:
    return Organization(name=name, norm_name=name, region_code=region, industry_code=industry, kind=kind, **kw)


def _item(direction: str, kind: str, text: str, **kw) -> Item:
    return Item(direction=direction, kind=kind, text=text, **kw)


def build_dataset(session) -> None:
    """可孚医疗 (雨花区) with needs; suppliers in 溆浦县; a same-region supplier; an unrelated firm."""
    park = Park(name="雨溆工业园", region_code=XUPU, partner_region_code=YUHUA,
                positioning=["医疗器械", "C398", "C178"])
    session.add(park)
    kefu = _org("可孚医疗科技股份有限公司", YUHUA, "3589", short_name="可孚医疗", products=["电子血压计"])
    kefu.items += [
        _item("need", "material", "医用级过滤棉", annual_value=2e7, certifications="ISO13485"),
        _item("need", "material", "石英晶体振荡器"),
        _item("need", "processing", "扩大产能，寻找生产基地"),
        _item("need", "finance", "流动资金贷款"),
        _item("need", "talent", "医疗器械装配技工培训"),
        _item("offer", "technology", "医疗器械检测技术"),
        _item("need", "material", "医用海绵", origin="inferred", status="dismissed"),
        _item("need", "material", "一次性医用口罩", origin="inferred", status="proposed", confidence=0.6),
    ]
    shuxiaofu = _org("湖南舒小福新材料科技有限公司", XUPU, "1781", park=park, short_name="舒小福")
    shuxiaofu.items += [
        _item("offer", "material", "空气过滤棉", annual_value=5e7, certifications="ISO13485、ISO9001"),
        _item("offer", "material", "熔喷无纺布"),
        _item("need", "technology", "医疗器械检测技术"),
    ]
    jingke = _org("湖南晶科晶体科技有限公司", XUPU, "3983", park=park, short_name="晶科晶体")
    jingke.items += [_item("offer", "material", "晶体振荡器"), _item("offer", "material", "石英晶体谐振器")]
    invest = _org("溆浦县工业投资有限公司", XUPU, "7221", kind="government", park=park)
    invest.items += [_item("offer", "facility", "标准厂房及生产基地用地")]
    bank = _org("溆浦农商银行", XUPU, "6621", kind="bank")
    bank.items += [_item("offer", "finance", "科技型企业流动资金贷款")]
    school = _org("溆浦县职业中专学校", XUPU, "8336", kind="training")
    school.items += [_item("offer", "talent", "医疗器械装配技工培训")]
    local = _org("长沙雨花过滤材料有限公司", YUHUA, "1781")
    local.items += [_item("offer", "material", "医用级过滤棉")]
    food = _org("溆浦腊肉食品有限公司", XUPU, "1353", products=["溆浦腊肉"])
    food.items += [_item("offer", "product", "烟熏腊肉"), _item("offer", "product", "医用级口罩")]
    nowhere = _org("无地区企业", None, None)
    nowhere.items += [_item("need", "material", "过滤棉")]
    session.add_all([kefu, shuxiaofu, jingke, invest, bank, school, local, food, nowhere])


@pytest.fixture
def filled(workspace: Workspace) -> Workspace:
    with workspace.transaction() as session:
        build_dataset(session)
    return workspace


def _run(ws: Workspace, **kw) -> service.MatchRun:
    kw.setdefault("graph", None)
    with ws.transaction() as session:
        return service.match(session=session, regions=ws.regions, **kw)


def _best_for(run: service.MatchRun, need_text: str) -> service.OpportunityView:
    found = [v for v in run.opportunities if v.need_text == need_text]
    assert found, f"no opportunity for {need_text}"
    return max(found, key=lambda v: v.score)


def test_cross_region_match_finds_partner_suppliers_with_modes(filled: Workspace) -> None:
    run = _run(filled, org="可孚医疗")
    filtration = _best_for(run, "医用级过滤棉")
    assert filtration.offer_org == "湖南舒小福新材料科技有限公司"
    assert filtration.mode == "supply_chain" and filtration.mode_label == "上游+下游"
    assert "过滤棉" in filtration.explanation["matched_terms"]
    assert filtration.explanation["certification"]["met"] == ["iso13485"]
    assert filtration.explanation["distance_km"] == pytest.approx(241, abs=10)
    assert _best_for(run, "石英晶体振荡器").offer_org == "湖南晶科晶体科技有限公司"
    assert _best_for(run, "流动资金贷款").mode == "finance"
    assert _best_for(run, "医疗器械装配技工培训").mode == "talent"
    base = _best_for(run, "扩大产能，寻找生产基地")
    assert (base.offer_org, base.mode) == ("溆浦县工业投资有限公司", "hq_base")
    # cross-region: the same-region supplier never appears; an irrelevant firm never does either
    offer_orgs = {v.offer_org for v in run.opportunities}
    assert "长沙雨花过滤材料有限公司" not in offer_orgs
    assert all(v.offer_org != "溆浦腊肉食品有限公司" or "口罩" in v.need_text for v in run.opportunities)


def test_inferred_needs_count_unless_dismissed(filled: Workspace) -> None:
    run = _run(filled, org="可孚医疗")
    needs = {v.need_text for v in run.opportunities}
    assert "一次性医用口罩" in needs  # proposed inferred need is matched
    assert "医用海绵" not in needs  # dismissed one is not


def test_any_region_admits_local_suppliers(filled: Workspace) -> None:
    run = _run(filled, org="可孚医疗", cross_region=False)
    offers = {v.offer_org for v in run.opportunities if v.need_text == "医用级过滤棉"}
    assert {"长沙雨花过滤材料有限公司", "湖南舒小福新材料科技有限公司"} <= offers


def test_score_is_the_sum_of_stored_contributions(filled: Workspace) -> None:
    _run(filled, org="可孚医疗")
    with filled.transaction() as session:
        rows = session.scalars(select(Opportunity)).all()
        assert rows
        for row in rows:
            assert 0 <= row.score <= 100
            assert sum(row.explanation["contributions"].values()) == pytest.approx(row.score, abs=0.1)
            assert row.mode and row.explanation["features"]["text"] >= 0


def test_reciprocity_is_recognised(filled: Workspace) -> None:
    run = _run(filled, org="可孚医疗")
    filtration = _best_for(run, "医用级过滤棉")
    # 舒小福 needs the testing technology 可孚医疗 offers: both ways
    assert filtration.explanation["features"]["reciprocity"] == 1.0
    assert "可双向合作" in filtration.why


def test_rerun_replaces_only_the_scope(filled: Workspace) -> None:
    first = _run(filled, org="可孚医疗")
    _run(filled, org="可孚医疗")
    _run(filled, org="舒小福")
    with filled.transaction() as session:
        kefu = session.scalar(select(Organization.id).where(Organization.short_name == "可孚医疗"))
        count = session.scalar(select(func.count()).select_from(Opportunity).where(Opportunity.need_org_id == kefu))
        assert count == len(first.opportunities)
        listed = service.list_opportunities(session=session, org="可孚医疗", top=3)
    assert [v.score for v in listed] == sorted((v.score for v in first.opportunities), reverse=True)[:3]
    assert listed[0].why


def test_all_scope_counts_orgs_without_region(filled: Workspace) -> None:
    run = _run(filled)
    assert run.orgs_without_region == 1
    assert all(v.need_org != "无地区企业" for v in run.opportunities)


def test_industry_scope_and_bad_codes(filled: Workspace) -> None:
    run = _run(filled, industry="C358")
    assert {v.need_org for v in run.opportunities} == {"可孚医疗科技股份有限公司"}
    for bad in ("XYZ", "99", "A3589", "35891"):  # checked by the importer's own 行业 rule
        with pytest.raises(CoparkError, match="GB/T 4754-2017|门类字母"):
            _run(filled, industry=bad)
    # an exact industry name works as it does in a 行业 cell
    from copark.knowledge.industries import builtin_industries

    by_name = _run(filled, industry=builtin_industries().name("3589"))
    assert {v.need_org for v in by_name.opportunities} == {"可孚医疗科技股份有限公司"}


def test_user_errors_are_clear(filled: Workspace) -> None:
    with pytest.raises(CoparkError, match="找不到机构"):
        _run(filled, org="不存在的公司")
    with pytest.raises(CoparkError, match="--top"):
        _run(filled, top=0)
    with pytest.raises(CoparkError, match="没有可匹配的需求"):
        _run(filled, org="晶科晶体")


def test_empty_database_is_a_clear_error(workspace: Workspace) -> None:
    with pytest.raises(CoparkError, match="还没有机构"):
        _run(workspace)


def test_park_opportunities_for_the_demo(filled: Workspace) -> None:
    with filled.transaction() as session:
        found = service.park_opportunities(session=session, park="雨溆工业园", top=5, graph=None)
        assert found and len(found) <= 5
        assert found == sorted(found, key=lambda v: -v.score)
        by_industry = service.park_opportunities(session=session, park="雨溆工业园", industry="C17", graph=None)
        assert {v.need_org for v in by_industry} == {"湖南舒小福新材料科技有限公司"}
        with pytest.raises(CoparkError, match="找不到园区"):
            service.park_opportunities(session=session, park="不存在园区", graph=None)
