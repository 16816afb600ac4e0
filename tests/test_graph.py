"""ChainGraph on a small hand-written chain: matching, walking, how an offer relates to a need."""

from __future__ import annotations

from pathlib import Path

import pytest

from copark.core.errors import CoparkError
from copark.knowledge import graph as graph_module
from copark.knowledge import store
from copark.knowledge.graph import ChainGraph, EdgeRecord, load_graph, read_curated
from copark.knowledge.store import load_graph as store_load_graph
from copark.workspace import Workspace

PRODUCTS = """name,industry_code,aliases,chain
制氧机,3581,氧气机;医用制氧机,medical
高原制氧机,3581,,medical
分子筛,2619,,medical
过滤棉,1789,过滤海绵,medical
空气过滤材料,2929,,medical
活性炭滤网,2929,,medical
压缩机,3441,空压机,medical
电机,3812,,medical
铜线,3251,,medical
海绵,2924,泡棉,medical
血压计,3581,电子血压计,medical
晶振,3983,晶体振荡器;石英晶振,medical
"""
RELATIONS = """from,rel,to,kind,weight,confidence,note
制氧机,upstream,分子筛,material,0.9,0.9,
制氧机,upstream,过滤棉,component,0.6,0.9,
制氧机,upstream,压缩机,component,0.9,0.9,
压缩机,upstream,电机,component,0.8,0.8,
电机,upstream,铜线,material,0.7,0.8,
血压计,upstream,晶振,component,0.6,0.9,
空气过滤材料,subcategory,过滤棉,,,1.0,
空气过滤材料,subcategory,活性炭滤网,,,1.0,
制氧机,subcategory,高原制氧机,,,1.0,
"""


def write_small_kb(directory: Path) -> Path:
    """The small medical chain above as products_/relations_ CSVs in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "products_medical.csv").write_text(PRODUCTS, encoding="utf-8")
    (directory / "relations_medical.csv").write_text(RELATIONS, encoding="utf-8")
    return directory


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    return write_small_kb(tmp_path / "kb")


@pytest.fixture
def graph(kb_dir: Path) -> ChainGraph:
    return load_graph(data_dir=kb_dir)


def test_match_exact_alias_head_and_fuzzy(graph: ChainGraph) -> None:
    assert graph.match_nodes("制氧机")[0].how == "exact"
    alias = graph.match_nodes("氧气机")[0]
    assert (alias.name, alias.how) == ("制氧机", "alias")
    head = graph.match_nodes("医用海绵")[0]
    assert (head.name, head.how) == ("海绵", "head") and "医用" in head.evidence
    assert graph.match_nodes("医用泡棉")[0].name == "海绵"  # head noun found through an alias
    fuzzy = graph.match_nodes("制氧机组", limit=3)
    assert fuzzy[0].name == "制氧机" and fuzzy[0].how in {"head", "fuzzy"}
    assert graph.match_nodes("完全无关的东西") == []
    assert graph.match_nodes("  ") == []


def test_match_scores_rank_exact_over_weaker_evidence(graph: ChainGraph) -> None:
    exact, alias = graph.match_nodes("过滤棉")[0], graph.match_nodes("过滤海绵")[0]
    head = graph.match_nodes("工业用过滤棉")[0]
    assert exact.score > alias.score > head.score > 0.5
    assert head.name == "过滤棉"


def test_upstream_and_downstream_paths(graph: ChainGraph) -> None:
    direct = {s.name: s for s in graph.upstream("制氧机")}
    assert set(direct) == {"分子筛", "过滤棉", "压缩机"}
    assert direct["分子筛"].path == ["制氧机", "分子筛"] and direct["分子筛"].kind == "material"
    two = {s.name: s for s in graph.upstream("制氧机", depth=2)}
    assert two["电机"].path == ["制氧机", "压缩机", "电机"]
    assert two["电机"].confidence == pytest.approx(0.9 * 0.8)
    assert "铜线" not in two
    assert [s.name for s in graph.downstream("铜线", depth=3)] == ["电机", "压缩机", "制氧机"]
    assert graph.upstream("氧气机") == graph.upstream("制氧机")  # names resolve through aliases
    with pytest.raises(CoparkError):
        graph.upstream("不存在的产品")


@pytest.mark.parametrize(
    ("need", "offer", "kind", "path"),
    [
        ("制氧机", "制氧机", "same", ["制氧机"]),
        ("空气过滤材料", "过滤棉", "subcategory", ["空气过滤材料", "过滤棉"]),
        ("过滤棉", "空气过滤材料", "parent", ["过滤棉", "空气过滤材料"]),
        ("过滤棉", "活性炭滤网", "sibling", ["过滤棉", "空气过滤材料", "活性炭滤网"]),
        ("制氧机", "分子筛", "upstream", ["制氧机", "分子筛"]),
        ("制氧机", "电机", "upstream", ["制氧机", "压缩机", "电机"]),
        ("分子筛", "制氧机", "downstream", ["分子筛", "制氧机"]),
        ("医用海绵", "泡棉", "same", ["海绵"]),
    ],
)
def test_relation_kinds(graph: ChainGraph, need: str, offer: str, kind: str, path: list[str]) -> None:
    link = graph.relation(need, offer)
    assert link is not None
    assert (link.kind, link.path, link.distance) == (kind, path, len(path) - 1)
    assert 0 < link.confidence <= 1


def test_relation_none_and_depth_limit(graph: ChainGraph) -> None:
    assert graph.relation("制氧机", "晶振") is None
    assert graph.relation("制氧机", "铜线", max_depth=2) is None
    link = graph.relation("制氧机", "铜线", max_depth=3)
    assert link is not None and link.path == ["制氧机", "压缩机", "电机", "铜线"]
    assert graph.relation("", "分子筛") is None


def test_relation_prefers_closer_links(graph: ChainGraph) -> None:
    same = graph.relation("制氧机", "氧气机")
    sub = graph.relation("空气过滤材料", "过滤棉")
    up = graph.relation("制氧机", "分子筛")
    assert same is not None and sub is not None and up is not None
    assert same.confidence > sub.confidence > up.confidence


def test_relation_by_head_noun_without_nodes() -> None:
    empty = ChainGraph()
    link = empty.relation("医用无纺布", "无纺布")
    assert link is not None and link.kind == "parent"
    link = empty.relation("无纺布", "医用无纺布")
    assert link is not None and link.kind == "subcategory"


def test_industry_lookup(graph: ChainGraph) -> None:
    assert set(graph.nodes_in_industry("3581")) == {"制氧机", "高原制氧机", "血压计"}
    assert set(graph.nodes_in_industry("C358")) == {"制氧机", "高原制氧机", "血压计"}
    assert graph.industry_of("氧气机") == "3581"


def test_curated_graph_is_cached(kb_dir: Path) -> None:
    assert load_graph(data_dir=kb_dir) is load_graph(data_dir=kb_dir)


def test_bad_curated_row_names_file_and_line(tmp_path: Path) -> None:
    write_small_kb(tmp_path)
    (tmp_path / "relations_bad.csv").write_text(
        "from,rel,to,kind,weight,confidence,note\n制氧机,upstream,分子筛,material,0.9,0.9,\n"
        "制氧机,upstream,压缩机,component,很高,0.9,\n", encoding="utf-8")
    with pytest.raises(CoparkError) as info:
        read_curated(tmp_path)
    assert info.value.problem.where == "relations_bad.csv:3"
    (tmp_path / "relations_bad.csv").write_text(
        "from,rel,to,kind,weight,confidence,note\n制氧机,downstream,分子筛,,,,\n", encoding="utf-8")
    with pytest.raises(CoparkError, match="downstream"):
        read_curated(tmp_path)


def test_shipped_curated_files_load() -> None:
    nodes, edges = read_curated()
    names = {n.name for n in nodes}
    assert all(e.rel in graph_module.RELS for e in edges)
    if names:  # the validation test of the data files checks this strictly
        assert len({e.src for e in edges} | {e.dst for e in edges} - names) <= len(edges)


def _add_imported(workspace: Workspace) -> None:
    edges = [
        (EdgeRecord("分子筛", "upstream", "氧化铝", confidence=0.5, source="chainkg"), "t:1"),
        (EdgeRecord("制氧机", "upstream", "冰糖", confidence=0.1, source="chainkg"), "t:2"),
        (EdgeRecord("海绵", "subcategory", "防脱海绵", confidence=0.5, source="chainkg"), "t:3"),
    ]
    with workspace.transaction() as session:
        store.replace_relations(session=session, source="chainkg", edges=edges)


def test_graph_adds_imported_relations(workspace: Workspace, kb_dir: Path) -> None:
    _add_imported(workspace)
    with workspace.transaction() as session:
        full = store_load_graph(session, data_dir=kb_dir)
        strict = store_load_graph(session, data_dir=kb_dir, min_confidence=0.3)
        curated_only = store_load_graph(session, data_dir=kb_dir, sources=["curated"])
    assert {s.name for s in full.upstream("制氧机", 2)} >= {"氧化铝", "冰糖", "分子筛"}
    assert "冰糖" not in {s.name for s in strict.upstream("制氧机")}
    assert "氧化铝" in {s.name for s in strict.upstream("分子筛")}
    assert "氧化铝" not in curated_only
    assert full.relation("海绵", "防脱海绵").kind == "subcategory"
    # the curated 0.9 edge is kept when both sources have one
    assert {s.name: s.confidence for s in full.upstream("制氧机")}["分子筛"] == pytest.approx(0.9)


def test_neighbourhood_lookup_is_cached_and_stable(graph: ChainGraph) -> None:
    """Repeated lookups give the same answer (their speed is bench/kb_bench.py's business, not a test's)."""
    first = graph.upstream("制氧机", 2)
    assert first and all(graph.upstream("制氧机", 2) == first for _ in range(100))
