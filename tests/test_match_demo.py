"""On the bundled demo (雨溆工业园): 可孚医疗's top opportunities are its real partners, chain-explained."""

from __future__ import annotations

import time

import pytest

from copark.services import opportunities as service
from copark.workspace import Workspace


@pytest.fixture
def demo(sqlite_workspace: Workspace) -> Workspace:
    from copark import demo as demo_module
    demo_module.load_demo(workspace=sqlite_workspace)
    return sqlite_workspace


def test_kefu_top_opportunities_include_its_suppliers(demo: Workspace) -> None:
    with demo.transaction() as session:
        run = service.match(session=session, org="可孚医疗", top=10, regions=demo.regions)
    top = run.opportunities[:10]
    by_org = {v.offer_org: v for v in reversed(top)}  # keep each org's best
    shuxiaofu = next(v for name, v in by_org.items() if "舒小福" in name)
    jingke = next(v for name, v in by_org.items() if "晶科晶体" in name)
    for view in (shuxiaofu, jingke):
        assert view.mode == "supply_chain"
        assert view.explanation["chain"] and view.explanation["chain"]["path"]
        assert "产业链" in view.why
    assert "过滤" in shuxiaofu.need_text and "振荡器" in jingke.need_text
    assert all(v.need_region == "雨花区" and v.offer_region != "雨花区" for v in top)


def test_all_demo_needs_are_matched_quickly(demo: Workspace) -> None:
    with demo.transaction() as session:
        service.match(session=session, org="可孚医疗", regions=demo.regions)  # warm tokenizers and graph
        started = time.perf_counter()
        run = service.match(session=session, regions=demo.regions)
        elapsed = time.perf_counter() - started
    assert run.needs > 100 and run.opportunities
    assert elapsed < 5.0  # target < 2 s on a quiet machine; CI machines are slower and shared
