"""Chain trees: upstream/downstream of a product or industry, organizations per node and region."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from copark.cli.main import app
from copark.core.errors import CoparkError
from copark.knowledge import graph as graph_module
from copark.knowledge.chains import ChainNode, build_chain, organization_index
from copark.knowledge.graph import ChainGraph, load_graph
from copark.services.knowledge import org_offers
from copark.storage.tables import Item, Organization
from copark.workspace import Workspace
from test_graph import write_small_kb


@pytest.fixture
def graph(tmp_path: Path) -> ChainGraph:
    return load_graph(data_dir=write_small_kb(tmp_path / "kb"))


def add_orgs(workspace: Workspace) -> None:
    with workspace.transaction() as session:
        session.add_all([
            Organization(name="雨花分子筛公司", norm_name="雨花分子筛", region_code="430111", products=["5A分子筛"]),
            Organization(name="溆浦分子筛厂", norm_name="溆浦分子筛", region_code="431224",
                         items=[Item(direction="offer", text="分子筛")]),
            Organization(name="溆浦电机厂", norm_name="溆浦电机", region_code="431224", products=["微型电机"]),
            Organization(name="只要分子筛的公司", norm_name="只要分子筛", region_code="430111",
                         items=[Item(direction="need", text="分子筛")]),
            Organization(name="雨花制氧", norm_name="雨花制氧", region_code="430111", products=["制氧机"]),
        ])


def names(nodes: list[ChainNode]) -> set[str]:
    return {n.name for n in nodes}


def test_upstream_tree_with_organizations_by_region(workspace: Workspace, graph: ChainGraph) -> None:
    add_orgs(workspace)
    with workspace.transaction() as session:
        index = organization_index(org_offers(session=session), graph=graph)
    tree = build_chain(graph=graph, query="制氧机", depth=2, organizations=lambda: index)
    (root,) = tree.roots
    assert root.name == "制氧机" and [o.name for o in root.organizations] == ["雨花制氧"]
    assert names(root.upstream) == {"分子筛", "过滤棉", "压缩机"}
    sieve = next(n for n in root.upstream if n.name == "分子筛")
    assert {r: [o.name for o in orgs] for r, orgs in sieve.by_region().items()} == {
        "雨花区": ["雨花分子筛公司"], "溆浦县": ["溆浦分子筛厂"]}  # a need does not place an organization
    compressor = next(n for n in root.upstream if n.name == "压缩机")
    motor = compressor.upstream[0]
    assert motor.name == "电机" and motor.organizations[0].name == "溆浦电机厂"
    assert motor.upstream == []  # depth 2 stops here
    assert motor.confidence == pytest.approx(0.9 * 0.8)
    json.dumps(tree.to_dict(), ensure_ascii=False)  # plain data for the web chain map


def test_downstream_only_and_industry_code(graph: ChainGraph) -> None:
    tree = build_chain(graph=graph, query="铜线", depth=3, up=False)
    (root,) = tree.roots
    assert root.upstream == [] and root.downstream[0].name == "电机"
    assert root.downstream[0].downstream[0].downstream[0].name == "制氧机"
    by_code = build_chain(graph=graph, query="C3581", depth=1)
    assert names(by_code.roots) == {"制氧机", "高原制氧机", "血压计"}


def test_bad_queries(graph: ChainGraph) -> None:
    with pytest.raises(CoparkError):
        build_chain(graph=graph, query="完全没有的东西", depth=2)
    with pytest.raises(CoparkError):
        build_chain(graph=graph, query="制氧机", depth=9)


def test_cli_chain(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(graph_module, "DATA_DIR", write_small_kb(tmp_path / "kb"))
    workspace = Workspace(sqlite_url)
    add_orgs(workspace)
    workspace.close()
    runner = CliRunner()
    result = runner.invoke(app, ["-d", sqlite_url, "chain", "制氧机", "--depth", "2", "--up"])
    assert result.exit_code == 0, result.output
    assert "分子筛" in result.output and "溆浦县：溆浦分子筛厂" in result.output and "电机" in result.output
    assert "下游" not in result.output
    result = runner.invoke(app, ["-d", sqlite_url, "chain", "不存在的产品"])
    assert result.exit_code == 1 and "找不到" in result.output and "Traceback" not in result.output


def test_a_withdrawn_offer_places_nobody(workspace: Workspace, graph: ChainGraph) -> None:
    import datetime as dt

    from sqlalchemy import update

    add_orgs(workspace)
    with workspace.transaction() as session:
        session.execute(update(Item).where(Item.text == "分子筛", Item.direction == "offer")
                        .values(withdrawn_at=dt.datetime(2026, 12, 1)))
    with workspace.transaction() as session:
        index = organization_index(org_offers(session=session), graph=graph)
    assert [o.name for o in index["分子筛"]] == ["雨花分子筛公司"]  # 溆浦分子筛厂 withdrew its only offer


def test_org_offers_reads_what_listed_texts_lists(workspace: Workspace) -> None:
    """org_offers (plain columns, for 100k organizations) keeps listed_texts's rule: products, then offers in id
    order; needs, withdrawn offers and unreviewed or dismissed inferred offers left out."""
    import datetime as dt

    from sqlalchemy import select

    from copark.core.vocab import Direction
    from copark.services.knowledge import listed_texts

    add_orgs(workspace)
    with workspace.transaction() as session:
        session.add(Organization(name="混合清单厂", norm_name="混合清单", region_code="431224", products=["电机", 7],
                                 items=[Item(direction="offer", text="铜线"),
                                        Item(direction="offer", text="压缩机", origin="inferred", status="accepted"),
                                        Item(direction="offer", text="过滤棉", origin="inferred", status="proposed"),
                                        Item(direction="offer", text="风扇", origin="inferred", status="dismissed"),
                                        Item(direction="offer", text="旧产品", withdrawn_at=dt.datetime(2026, 12, 1)),
                                        Item(direction="need", text="分子筛"),
                                        Item(direction="offer", text="分子筛")]))
    with workspace.transaction() as session:
        found = org_offers(session=session)
        orgs = list(session.scalars(select(Organization).order_by(Organization.id)))
        assert [(o.id, o.name, o.region_code, o.texts) for o in found] == [
            (o.id, o.name, o.region_code, tuple(listed_texts(o, Direction.offer))) for o in orgs]
    assert found[-1].texts == ("电机", "7", "铜线", "压缩机", "分子筛")
