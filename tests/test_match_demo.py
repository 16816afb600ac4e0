"""On the bundled demo (雨溆工业园): 可孚医疗's top opportunities are its real partners, chain-explained."""

from __future__ import annotations

import pytest

from copark.services import opportunities as service
from copark.workspace import Workspace


@pytest.fixture
def demo(sqlite_workspace: Workspace) -> Workspace:
    from copark import demo as demo_module
    demo_module.load_demo(workspace=sqlite_workspace)
    return sqlite_workspace


def test_kefu_top_opportunities_include_its_suppliers(demo: Workspace) -> None:
    """The article's 舒小福 → 可孚医疗 pairing is found from the buyer's own wording of the need.

    The 晶科晶体 pairings and a chain path for both are expected of the engine being rewritten (#8): see
    tests/test_demo_regressions.py.
    """
    with demo.transaction() as session:
        run = service.match(session=session, org="可孚医疗", top=10, regions=demo.regions)
    top = run.opportunities[:10]
    by_org = {v.offer_org: v for v in reversed(top)}  # keep each org's best
    shuxiaofu = next(v for name, v in by_org.items() if "舒小福" in name)
    assert shuxiaofu.mode == "supply_chain"
    assert "过滤海绵" in shuxiaofu.need_text and "过滤海绵" in shuxiaofu.offer_text
    assert all(v.need_region == "雨花区" and v.offer_region != "雨花区" for v in top)


def test_all_demo_needs_are_matched(demo: Workspace) -> None:
    """Every demo need goes through one run (its speed is measured in the README's benchmark table, not here)."""
    with demo.transaction() as session:
        run = service.match(session=session, regions=demo.regions)
    assert run.needs > 100 and run.opportunities
    assert run.ranker == "fallback"  # 66 organizations hold out too few products to learn from


def test_no_opportunity_rests_on_an_upstream_or_downstream_link(demo: Workspace) -> None:
    """A need for 冲压模具 is not answered by an offer of 血糖仪 (its downstream product), nor a need for 纸箱
    by 电力 (an input of its input): such chain links would be forced pairing (拉郎配)."""
    with demo.transaction() as session:
        run = service.match(session=session, regions=demo.regions)
    kinds = {v.explanation["chain"]["kind"] for v in run.opportunities if v.explanation.get("chain")}
    assert kinds and kinds <= {"same", "subcategory", "parent", "sibling"}
    pairs = {(v.need_text, v.offer_text) for v in run.opportunities}
    assert ("冲压模具", "血糖仪") not in pairs
    assert not any("纸箱" in need and "电力" in offer for need, offer in pairs)


def test_chain_links_that_answer_a_need() -> None:
    from copark.knowledge.graph import load_graph
    from copark.matching.retrieval import ChainExpander

    chain = ChainExpander(load_graph())
    assert chain.best_link("石英晶体振荡器", "石英晶体振荡器").kind == "same"
    assert chain.best_link("冲压模具", chain.nodes("血糖仪")[0]) is None   # downstream product
    assert chain.best_link("棉纱", chain.nodes("电力")[0]) is None         # upstream input


def test_sharing_only_deal_words_is_not_an_opportunity(demo: Workspace) -> None:
    """实训设备 (training equipment) and 工业除尘设备 share only 设备; 储能电源组装代工 and 针织服装代工产能 only 代工."""
    with demo.transaction() as session:
        run = service.match(session=session, regions=demo.regions)
    pairs = {(v.need_text, v.offer_text): v.score for v in run.opportunities}
    assert not any("实训线" in need and offer == "工业除尘设备" for need, offer in pairs)
    assert not any(need.startswith("户外电源") and offer == "针织服装代工产能" for need, offer in pairs)
