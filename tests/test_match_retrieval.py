"""The engine on in-memory documents: tokens, BM25 retrieval, chain expansion, dense plug-in, region rules."""

from __future__ import annotations

import random

import numpy as np
import pytest

from copark.matching.engine import MatchEngine, PairRule, match_partition
from copark.matching.features import ItemDoc, OrgDoc, industry_relation, positioning_fit, quantity_fit
from copark.matching.retrieval import LexicalIndex, tokens, top_k
from copark.matching.scoring import combine

KEFU = OrgDoc(id=1, name="可孚医疗", region_code="430111", industry_code="3589", lonlat=(113.038, 28.136))
SHU = OrgDoc(id=2, name="舒小福", region_code="431224", industry_code="1781", lonlat=(110.595, 27.908))
JING = OrgDoc(id=3, name="晶科晶体", region_code="431224", industry_code="3983", lonlat=(110.595, 27.908))
LOCAL = OrgDoc(id=4, name="雨花本地", region_code="430111", industry_code="1781", lonlat=(113.038, 28.136))
ORGS = {o.id: o for o in (KEFU, SHU, JING, LOCAL)}


def offer(org: int, text: str, kind: str = "material", item_id: int | None = None) -> ItemDoc:
    return ItemDoc(id=item_id, org_id=org, direction="offer", kind=kind, text=text)


def need(text: str, kind: str = "material") -> ItemDoc:
    return ItemDoc(id=100, org_id=1, direction="need", kind=kind, text=text)


def test_tokens_are_words_plus_bigrams() -> None:
    toks = tokens("医用级过滤棉")
    assert {"过滤", "滤棉", "医用"} <= set(toks)
    assert tokens("ISO 13485认证") and "iso" in tokens("ISO 13485认证")
    assert tokens("") == ()


def test_lexical_index_ranks_and_handles_unknown_text() -> None:
    index = LexicalIndex.build(["空气过滤棉", "石英晶体谐振器", "医用无纺布", "过滤材料"])
    best = top_k(index.scores("医用级过滤棉"), 2)
    assert best.tolist()[0] == 0
    assert not index.scores("完全无关的词汇xyz").any()
    coverage, shared = index.coverage("过滤棉", 0)
    assert coverage == pytest.approx(1.0) and "过滤棉" in shared


def test_bm25_of_a_range_equals_the_full_pass() -> None:
    texts = ["空气过滤棉", "石英晶体谐振器", "医用无纺布", "过滤材料", "医用过滤棉", "晶体振荡器", "无纺布口罩"]
    index = LexicalIndex.build(texts)
    for need in ("医用级过滤棉", "有源晶振", "无纺布", "xyz"):
        full = index.scores(need)
        for start, stop in ((0, 7), (2, 5), (4, 4), (6, 7)):
            assert np.array_equal(index.scores_between(need, start, stop), full[start:stop])
        ranges = ((0, 7), (2, 5), (4, 4), (6, 7), (1, 3))
        together = index.scores_in(need, np.array([a for a, _ in ranges]), np.array([b for _, b in ranges]))
        assert [x.tolist() for x in together] == [full[a:b].tolist() for a, b in ranges]
    assert index.scores_in("过滤棉", np.zeros(0), np.zeros(0)) == []


def test_cross_region_rule_follows_park_pairing() -> None:
    rule = PairRule(cross_region=True, pairings=(("431224", "430111"),))
    assert rule.allowed(KEFU, SHU)
    assert not rule.allowed(KEFU, LOCAL)  # same district
    assert not rule.allowed(KEFU, KEFU)
    assert not rule.allowed(KEFU, OrgDoc(id=9, name="岳麓", region_code="430104"))  # not the paired region
    assert not rule.allowed(KEFU, OrgDoc(id=9, name="长沙市", region_code="430100"))  # contains the need's region
    assert not rule.allowed(KEFU, OrgDoc(id=9, name="无地区"))
    unpaired = PairRule(cross_region=True)
    assert unpaired.allowed(KEFU, OrgDoc(id=9, name="岳麓", region_code="430104"))
    assert PairRule(cross_region=False).allowed(KEFU, LOCAL)


def test_chain_expansion_reaches_offers_sharing_no_words() -> None:
    from copark.knowledge import graph as graph_module
    graph = graph_module.build_graph(
        [graph_module.NodeRecord("过滤材料"), graph_module.NodeRecord("熔喷布"),
         graph_module.NodeRecord("石英晶体谐振器")],
        [graph_module.EdgeRecord("过滤材料", "subcategory", "熔喷布", confidence=0.9)],
    )
    offers = [offer(2, "熔喷布", item_id=1), offer(3, "石英晶体谐振器", item_id=2)]
    engine = MatchEngine(offers=offers, orgs=ORGS, graph=graph)
    found = engine.match_need(need("过滤材料"), rule=PairRule(cross_region=True))
    assert [m.offer.text for m in found] == ["熔喷布"]
    explanation = found[0].explanation
    assert explanation["retrieved_by"] == ["chain"]
    assert explanation["chain"]["kind"] == "subcategory"
    assert explanation["chain"]["path"] == ["过滤材料", "熔喷布"]
    assert explanation["industry"]["relation"] == "chain"
    assert explanation["features"]["chain"] > 0.5
    without_graph = MatchEngine(offers=offers, orgs=ORGS)
    assert without_graph.match_need(need("过滤材料")) == []


def _synthetic(n_offers: int, seed: int = 7) -> tuple[list[ItemDoc], dict[int, OrgDoc], list[ItemDoc]]:
    rng = random.Random(seed)
    heads = ["过滤棉", "无纺布", "振荡器", "谐振器", "电路板", "注塑件", "包装盒", "传感器", "轴承", "模具", "电容器", "显示屏"]
    mods = ["医用", "高效", "工业", "精密", "石英", "柔性", "汽车", "定制", "防水", "耐高温", "微型", "环保"]
    orgs = {i: OrgDoc(id=i, name=f"企业{i}", region_code=rng.choice(["431224", "430111"]),
                      industry_code=rng.choice(["1781", "3983", "2929", "3589"]),
                      lonlat=(110.6, 27.9)) for i in range(1, 201)}
    offers = [offer(rng.randint(2, 200), rng.choice(mods) + rng.choice(mods) + rng.choice(heads), item_id=i)
              for i in range(n_offers)]
    needs = [ItemDoc(id=10_000 + i, org_id=1, direction="need", kind="material",
                     text=rng.choice(mods) + rng.choice(heads)) for i in range(30)]
    return offers, orgs, needs


def test_index_recall_against_exact_brute_force() -> None:
    offers, orgs, needs = _synthetic(3000)
    engine = MatchEngine(offers=offers, orgs=orgs)
    rule = PairRule(cross_region=False)
    recalls = []
    for item in needs:
        exact = {(m.offer.org_id, m.score) for m in engine.exact(item, top=10, rule=rule)}
        fast = {(m.offer.org_id, m.score) for m in engine.match_need(item, top=10, rule=rule)}
        recalls.append(len(exact & fast) / max(len(exact), 1))
    assert np.mean(recalls) >= 0.9
    batch = match_partition(engine, needs[:5], top=10, rule=rule)
    assert len(batch) == sum(len(engine.match_need(n, top=10, rule=rule)) for n in needs[:5])


def test_feature_helpers() -> None:
    assert industry_relation("3581", "C3581", False) == ("same_class", 1.0)
    assert industry_relation("3581", "3589", False)[0] == "same_group"
    assert industry_relation("3581", "1781", False) == ("same_section", 0.4)
    assert industry_relation("8411", "8521", False)[0] == "same_section"  # Q: classes the built-in table lacks
    assert industry_relation("3581", "1781", True)[0] == "chain"
    assert industry_relation("3581", "6621", False)[0] == "different"
    assert industry_relation(None, "6621", False)[0] == "unknown"
    big = ItemDoc(id=1, org_id=1, direction="need", kind="material", text="x", annual_value=2e7)
    small = ItemDoc(id=2, org_id=2, direction="offer", kind="material", text="x", annual_value=5e6)
    assert quantity_fit(big, small) == (0.25, "value")
    park = ("医疗器械", "C398")
    assert positioning_fit(park, JING, KEFU, False)[0] == 1.0
    assert positioning_fit(park, SHU, KEFU, False)[0] == -1.0
    assert positioning_fit(park, SHU, OrgDoc(id=1, name="x", text="医疗器械"), True) == (1.0, "医疗器械")
    assert positioning_fit((), SHU, KEFU, False)[0] == 0.0
    assert positioning_fit(park, SHU, KEFU, False, "finance")[0] == 0.0


def test_weights_sum_to_a_hundred_for_a_perfect_pair() -> None:
    perfect = {k: 1.0 for k in ("text", "chain", "industry", "kind", "quantity", "certification", "distance",
                                "reciprocity", "positioning")}
    score, parts = combine(perfect)
    assert score == pytest.approx(100.0)
    penalised, parts = combine({**perfect, "positioning": -1.0})
    assert parts["positioning"] == pytest.approx(-10.0) and penalised == pytest.approx(85.0)


def test_stopwords_are_cut_from_bigrams_too() -> None:
    from copark.matching.retrieval import tokens

    found = set(tokens("园区企业融资需求清单"))
    assert "融资" in found and not found & {"园区", "区企", "企业", "需求", "清单", "资需"}
