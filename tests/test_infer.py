"""Inferred needs and offers: chain paths, replacing proposals, respecting reviews; `copark infer`."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from copark.cli.main import app
from copark.core.errors import CoparkError
from copark.core.vocab import InferredStatus
from copark.demo import demo_paths
from copark.io.importer import import_files
from copark.knowledge import graph as graph_module
from copark.knowledge.graph import ChainGraph, load_graph
from copark.knowledge.store import load_graph as store_load_graph
from copark.services.inference import infer_needs, infer_offers, inferred_items, review
from copark.storage.tables import Item, Organization
from copark.workspace import Workspace
from test_graph import write_small_kb


@pytest.fixture
def graph(tmp_path: Path) -> ChainGraph:
    return load_graph(data_dir=write_small_kb(tmp_path / "kb"))


def add_org(workspace: Workspace, name: str, **fields: object) -> int:
    items = fields.pop("items", [])
    with workspace.transaction() as session:
        org = Organization(name=name, norm_name=name, **fields)
        org.items.extend(items)  # type: ignore[arg-type]
        session.add(org)
        session.flush()
        return org.id


def needs(workspace: Workspace, org_id: int, graph: ChainGraph) -> dict[str, Item]:
    with workspace.transaction() as session:
        org = session.get(Organization, org_id)
        return {i.text: i for i in infer_needs(session=session, organization=org, graph=graph)}


def test_infers_upstream_needs_with_paths(workspace: Workspace, graph: ChainGraph) -> None:
    org_id = add_org(workspace, "湖南测试医疗器械有限公司", products=["制氧机"])
    found = needs(workspace, org_id, graph)
    assert {"分子筛", "过滤棉", "压缩机", "电机"} <= set(found)
    assert found["分子筛"].evidence["path"] == ["制氧机", "分子筛"]
    assert found["电机"].evidence["path"] == ["制氧机", "压缩机", "电机"]
    assert found["分子筛"].confidence > found["电机"].confidence
    sieve = found["分子筛"]
    assert (sieve.direction, sieve.origin, sieve.status, sieve.kind) == ("need", "inferred", "proposed", "material")
    assert sieve.evidence["from_product"] == "制氧机"
    assert "制氧机" not in found  # its own product is not a need


def test_head_noun_products_and_inherited_inputs(workspace: Workspace, graph: ChainGraph) -> None:
    org_id = add_org(workspace, "高原设备公司", products=["高原制氧机"],
                     items=[Item(direction="offer", kind="product", text="家用血压计")])
    found = needs(workspace, org_id, graph)
    assert found["分子筛"].evidence["path"] == ["高原制氧机", "制氧机", "分子筛"]
    assert found["晶振"].evidence["path"] == ["家用血压计", "血压计", "晶振"]


def test_declared_needs_are_not_inferred_again(workspace: Workspace, graph: ChainGraph) -> None:
    org_id = add_org(workspace, "甲公司", products=["制氧机"],
                     items=[Item(direction="need", kind="material", text="空压机")])
    found = needs(workspace, org_id, graph)
    assert "压缩机" not in found and "分子筛" in found


def test_rerun_replaces_proposed_and_keeps_reviewed(workspace: Workspace, graph: ChainGraph) -> None:
    org_id = add_org(workspace, "乙公司", products=["制氧机"])
    first = needs(workspace, org_id, graph)
    with workspace.transaction() as session:
        org = session.get(Organization, org_id)
        review(session=session, organization=org, item_ids=[first["分子筛"].id], status=InferredStatus.dismissed)
        review(session=session, organization=org, item_ids=[first["压缩机"].id], status=InferredStatus.accepted)
    second = needs(workspace, org_id, graph)
    assert "分子筛" not in second and "压缩机" not in second and "过滤棉" in second
    with workspace.transaction() as session:
        org = session.get(Organization, org_id)
        rows = inferred_items(session=session, organization=org, direction="need")
        texts = [i.text for i in rows]
        assert len(texts) == len(set(texts))  # no duplicates after re-running
        assert {i.text: i.status for i in rows}["分子筛"] == "dismissed"
        assert {i.text: i.status for i in rows}["压缩机"] == "accepted"
        declared = session.scalars(select(Item).where(Item.origin == "declared")).all()
        assert declared == []


def test_industry_only_organization(workspace: Workspace, graph: ChainGraph) -> None:
    org_id = add_org(workspace, "丙公司", industry_code="3581")
    found = needs(workspace, org_id, graph)
    assert {"分子筛", "晶振"} <= set(found)
    assert found["分子筛"].evidence["path"][0] == "行业 3581"


def test_infer_offers_from_industry_and_description(workspace: Workspace, graph: ChainGraph) -> None:
    org_id = add_org(workspace, "丁公司", industry_code="3441",
                     description="主要从事压缩机、分子筛及活性炭滤网的生产与销售。", products=["压缩机"])
    with workspace.transaction() as session:
        org = session.get(Organization, org_id)
        found = {i.text: i for i in infer_offers(session=session, organization=org, graph=graph)}
    assert {"分子筛", "活性炭滤网"} <= set(found)
    assert "压缩机" not in found  # already declared
    assert all(i.direction == "offer" and i.status == "proposed" for i in found.values())


def test_review_rejects_bad_ids(workspace: Workspace, graph: ChainGraph) -> None:
    a = add_org(workspace, "戊公司", products=["制氧机"], items=[Item(direction="need", text="铜线")])
    b = add_org(workspace, "己公司", products=["血压计"])
    needs(workspace, a, graph)
    other = needs(workspace, b, graph)["晶振"]
    with workspace.transaction() as session:
        org = session.get(Organization, a)
        declared = next(i for i in org.items if i.origin == "declared")
        for bad in (999_999, declared.id, other.id):
            with pytest.raises(CoparkError):
                review(session=session, organization=org, item_ids=[bad], status=InferredStatus.accepted)


def test_cli_infer(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(graph_module, "DATA_DIR", write_small_kb(tmp_path / "kb"))
    workspace = Workspace(sqlite_url)
    add_org(workspace, "湖南测试医疗器械有限公司", products=["制氧机"])
    workspace.close()
    runner = CliRunner()
    result = runner.invoke(app, ["-d", sqlite_url, "infer", "不存在的机构"])
    assert result.exit_code == 1 and "找不到机构" in result.output and "Traceback" not in result.output
    result = runner.invoke(app, ["-d", sqlite_url, "infer", "测试医疗"])
    assert result.exit_code == 0, result.output
    assert "分子筛" in result.output and "制氧机 → 压缩机 → 电机" in result.output
    workspace = Workspace(sqlite_url)
    with workspace.transaction() as session:
        sieve = session.scalars(select(Item).where(Item.text == "分子筛")).one().id
    workspace.close()
    result = runner.invoke(app, ["-d", sqlite_url, "infer", "测试医疗", "--dismiss", str(sieve)])
    assert result.exit_code == 0 and "已忽略 1 条" in result.output
    result = runner.invoke(app, ["-d", sqlite_url, "infer", "测试医疗", "--accept", "424242"])
    assert result.exit_code == 1 and "424242" in result.output
    result = runner.invoke(app, ["-d", sqlite_url, "infer", "测试医疗", "--accept", str(sieve), "--dismiss", str(sieve)])
    assert result.exit_code == 1 and f"条目 {sieve} 不能同时采纳和忽略" in result.output
    workspace = Workspace(sqlite_url)
    with workspace.transaction() as session:
        assert session.get(Item, sieve).status == "dismissed"  # unchanged by the refused command
    workspace.close()


# Demo enterprises of different industries → inputs their products need (substrings of inferred item texts).
DEMO_EXPECTED = {
    "众华电子": ("电路板", "电容", "电阻"),
    "宏泰电路": ("铜箔", "覆铜板"),
    "联芯电子": ("锡膏", "贴片机"),
    "晶科晶体": ("银浆", "晶振基座", "人造水晶"),
    "华泰无纺布": ("ES纤维", "熔喷专用料", "涤纶短纤"),
    "恒通海绵": ("聚醚多元醇", "TDI"),
    "天成塑业": ("塑料粒子",),
}


@pytest.fixture
def demo_workspace(sqlite_workspace: Workspace, tmp_path: Path) -> Workspace:
    import_files(workspace=sqlite_workspace, paths=demo_paths(), skip_bad_rows=True,
                 rejects_path=tmp_path / "rejects.csv", source="demo")
    return sqlite_workspace


def infer_without_declared_needs(workspace: Workspace, ref: str) -> list[Item]:
    """Infer as if the enterprise had declared no needs: inference must find them from its products."""
    from copark.services.organizations import find_organization

    with workspace.transaction() as session:
        org = find_organization(session=session, ref=ref)
        for item in [i for i in org.items if i.direction == "need"]:
            org.items.remove(item)
        session.flush()
        return infer_needs(session=session, organization=org, graph=store_load_graph(session))


def test_demo_kefu_needs_filtration_foam_and_oscillators(demo_workspace: Workspace) -> None:
    assert "制氧机" in load_graph() and "血压计" in load_graph()
    found = infer_without_declared_needs(demo_workspace, "可孚医疗")
    texts = {i.text: i.evidence["path"] for i in found}
    assert any(w in t for t in texts for w in ("过滤", "滤网", "过滤棉"))
    assert any(w in t for t in texts for w in ("海绵", "泡棉"))
    assert any(w in t for t in texts for w in ("晶振", "振荡器", "谐振器", "石英晶体"))
    assert all(len(path) >= 2 for path in texts.values())


@pytest.mark.parametrize("ref", sorted(DEMO_EXPECTED))
def test_demo_enterprises_get_chain_needs(demo_workspace: Workspace, ref: str) -> None:
    found = infer_without_declared_needs(demo_workspace, ref)
    hits = [i for i in found if any(w in i.text for w in DEMO_EXPECTED[ref])]
    assert hits, [i.text for i in found]
    assert all(len(i.evidence["path"]) >= 2 and 0 < i.confidence <= 1 for i in hits)


def test_rerun_keeps_ids_of_proposals_inferred_again(workspace: Workspace, graph: ChainGraph) -> None:
    """`copark infer ORG` lists by re-inferring: ids it showed must still be valid for --accept next time."""
    org_id = add_org(workspace, "丙公司", products=["制氧机"])
    first = {text: item.id for text, item in needs(workspace, org_id, graph).items()}
    with workspace.transaction() as session:
        org = session.get(Organization, org_id)
        org.products = ["制氧机", "血压计"]
    second = {text: item.id for text, item in needs(workspace, org_id, graph).items()}
    assert first and all(second[text] == item_id for text, item_id in first.items())
    assert set(second) > set(first)
    with workspace.transaction() as session:
        org = session.get(Organization, org_id)
        org.products = ["血压计"]
    third = needs(workspace, org_id, graph)
    with workspace.transaction() as session:
        stored = {i.text for i in inferred_items(session=session, organization=session.get(Organization, org_id),
                                                 direction="need")}
    assert "分子筛" not in third and stored == set(third)  # proposals no longer inferred are gone
