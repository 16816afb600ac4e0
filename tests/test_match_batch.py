"""The engine at scale: vectorized BM25 equals bm25s, forked builds and batches equal the serial ones."""

from __future__ import annotations

import random

import numpy as np
import pytest

from copark.matching import retrieval
from copark.matching.batch import match_batch
from copark.matching.engine import MatchEngine, PairRule, match_partition
from copark.matching.features import ItemDoc, OrgDoc
from copark.matching.retrieval import LexicalIndex, parallel_map, tokens

HEADS = ["过滤棉", "无纺布", "振荡器", "谐振器", "电路板", "注塑件", "包装盒", "传感器", "轴承", "模具", "熔喷布", "口罩"]
MODS = ["医用", "高效", "工业", "精密", "石英", "柔性", "汽车", "定制", "防水", "耐高温", "", "一次性"]
RULE = PairRule(cross_region=True, pairings=(("431224", "430111"),))


def _world(n_offers: int, n_needs: int, seed: int = 11) -> tuple[list[ItemDoc], dict[int, OrgDoc], list[ItemDoc]]:
    rng = random.Random(seed)
    orgs = {i: OrgDoc(id=i, name=f"企业{i}", region_code="430111" if i <= 20 else rng.choice(["431224", "430702"]),
                      industry_code=rng.choice(["1781", "3983", "2929", "3589"]), lonlat=(110.6, 27.9))
            for i in range(1, 121)}
    offers = [ItemDoc(id=i, org_id=rng.randint(21, 120), direction="offer", kind="material",
                      text=rng.choice(MODS) + rng.choice(HEADS) + rng.choice(["", "（可定制）", " 批量"]))
              for i in range(n_offers)]
    # few distinct texts, many organizations: identical need texts must still be matched per organization
    needs = [ItemDoc(id=10_000 + j, org_id=rng.randint(1, 20), direction="need", kind="material",
                     text=rng.choice(MODS[:4]) + rng.choice(HEADS)) for j in range(n_needs)]
    return offers, orgs, needs


def _key(matches: list) -> list[tuple[int, int, float]]:
    return sorted((m.need.id, m.offer.id, m.score) for m in matches)


def test_vectorized_bm25_equals_bm25s() -> None:
    import bm25s
    offers, _, needs = _world(2000, 60)
    texts = [o.text for o in offers] + ["", "、"]  # empty documents get a placeholder token, as before
    index = LexicalIndex.build(texts)
    reference = bm25s.BM25()
    ids = [[index.vocab[t] for t in tokens(text)] or [index.vocab[""]] for text in texts]
    reference.index(bm25s.tokenization.Tokenized(ids=ids, vocab=index.vocab), show_progress=False)
    for item in needs:
        query = index.query_ids(item.text)
        assert query
        np.testing.assert_allclose(index.scores(item.text), reference.get_scores_from_ids(query), atol=1e-4)
    for doc in (0, 7, len(texts) - 1):
        assert index.doc_token_ids(doc).tolist() == ids[doc]


def test_parallel_map_and_forked_build_equal_serial(monkeypatch: pytest.MonkeyPatch) -> None:
    from copark.knowledge import graph as graph_module
    offers, orgs, needs = _world(600, 40)
    serial = MatchEngine(offers=offers, orgs=orgs, graph=graph_module.load_graph())
    monkeypatch.setattr(retrieval, "PARALLEL_MIN", 10)
    texts = [o.text for o in offers]
    assert parallel_map(tokens, texts, workers=2) == [tokens(t) for t in texts]
    forked = MatchEngine(offers=offers, orgs=orgs, graph=graph_module.load_graph(), workers=2)
    assert forked.offer_node == serial.offer_node
    assert np.array_equal(forked.index.doc_tok, serial.index.doc_tok)
    assert _key(match_partition(forked, needs, rule=RULE)) == _key(match_partition(serial, needs, rule=RULE))


def test_batch_equals_partition_and_reuses_retrieval_per_text() -> None:
    from copark.knowledge import graph as graph_module
    offers, orgs, needs = _world(800, 300)
    engine = MatchEngine(offers=offers, orgs=orgs, graph=graph_module.load_graph())
    expected = _key(match_partition(engine, needs, rule=RULE))
    assert expected
    assert _key(match_batch(engine, needs, rule=RULE, workers=2)) == expected
    assert _key(match_batch(engine, needs, rule=RULE, workers=1)) == expected
    bare = match_batch(engine, needs, rule=RULE, workers=2, explained=False)
    assert _key(bare) == expected and all(m.explanation == {} for m in bare)
    compact = match_batch(engine, needs, rule=RULE, workers=2, reduce=lambda m: (m.need.id, m.offer.id, m.score))
    assert sorted(compact) == expected
    # a fresh engine (nothing remembered) gives each need the same answer as one fed identical texts before
    fresh = MatchEngine(offers=offers, orgs=orgs, graph=graph_module.load_graph())
    twin = next(n for n in needs[1:] if n.text == needs[0].text and n.org_id != needs[0].org_id)
    engine.match_need(needs[0], rule=RULE)
    assert _key(engine.match_need(twin, rule=RULE)) == _key(fresh.match_need(twin, rule=RULE))


def test_bound_pruning_keeps_the_unpruned_ranking() -> None:
    from copark.knowledge import graph as graph_module
    from copark.matching.engine import _best_per_org
    offers, orgs, needs = _world(1500, 40, seed=5)
    engine = MatchEngine(offers=offers, orgs=orgs, graph=graph_module.load_graph())
    for item in needs:
        mask = engine.offer_mask(orgs[item.org_id], RULE)
        every = (engine.score_pair(item, i, how, explained=False) for i, how in engine.candidates(item, mask).items())
        want = [(m.offer.id, m.score) for m in _best_per_org(every, 5)]
        assert [(m.offer.id, m.score) for m in engine.match_need(item, top=5, rule=RULE)] == want


@pytest.mark.parametrize("share", [0, 10**9])  # 0: always a pass over every document; 10**9: always sorted postings
def test_sparse_scores_are_the_positive_part_of_scores(monkeypatch: pytest.MonkeyPatch, share: int) -> None:
    monkeypatch.setattr(retrieval, "SPARSE_QUERY_SHARE", share)
    offers, _, needs = _world(3000, 40)
    index = LexicalIndex.build([o.text for o in offers])
    for text in [n.text for n in needs] + ["不存在的词", ""]:
        dense = index.scores(text)
        touched, values = index.sparse_scores(text)
        assert touched.tolist() == np.flatnonzero(dense).tolist()
        assert np.array_equal(values, dense[touched])  # the same sums in the same order: bit for bit


def test_best_offer_per_organization_from_the_touched_offers_only() -> None:
    offers, orgs, needs = _world(3000, 30)
    engine = MatchEngine(offers=offers, orgs=orgs)
    signals = engine.signals
    for need in needs:
        dense = signals.lexical.scores(need.text)
        expected = np.zeros(len(signals.profiles), dtype=np.float32)
        np.maximum.at(expected, signals.offer_org, dense.astype(np.float32))
        assert np.array_equal(signals.per_org_best(*signals.lexical.sparse_scores(need.text)), expected)
