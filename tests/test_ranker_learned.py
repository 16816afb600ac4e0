"""The learned capability ranker: distinct self-supervised rounds, surface signals, LambdaRank training and scoring."""

from __future__ import annotations

import random

import numpy as np
import pytest

from copark.matching.ranker import OrgProfile, OrgRanker
from copark.matching.ranker_learned import candidates, features
from copark.matching.ranker_selfsup import hold_out, hold_out_rounds
from copark.matching.ranker_signals import TextIndex, bigrams, head


def _synthetic_orgs(count: int = 420, seed: int = 5) -> list[OrgProfile]:
    """Organizations in 40 industries; each product joins two of its industry's syllables and a kind suffix."""
    rng = random.Random(seed)
    alphabet = [chr(code) for code in range(0x4E00, 0x4E00 + 2000)]
    rng.shuffle(alphabet)
    industries = [alphabet[i * 10:(i + 1) * 10] for i in range(40)]
    kinds = ["机", "剂", "管", "板", "线", "泵"]
    orgs = []
    for number in range(count):
        group = number % len(industries)
        syllables = industries[group]
        products = sorted({rng.choice(syllables) + rng.choice(syllables) + rng.choice(syllables) + rng.choice(kinds)
                           for _ in range(8)})
        orgs.append(OrgProfile(f"o{number}", f"{syllables[0]}{syllables[1]}公司{number}", industry=f"行业{group}",
                               products=tuple(products)))
    return orgs


def _hits_at_10(ranker: OrgRanker, needs: list[str], truth: list[str]) -> float:
    ids, scores = ranker.full_scores(needs)
    column = {org_id: i for i, org_id in enumerate(ids)}
    ranks = [1 + int((row > row[column[t]]).sum()) for row, t in zip(scores, truth, strict=True)]
    return sum(r <= 10 for r in ranks) / len(ranks)


def test_rounds_never_repeat_a_held_out_product() -> None:
    orgs = _synthetic_orgs(120)
    rounds = hold_out_rounds(orgs, rounds=3, seed=1)
    seen: set[tuple[int, str]] = set()
    for reduced, cases in rounds:
        assert cases
        for case in cases:
            assert (case.org_index, case.need) not in seen
            seen.add((case.org_index, case.need))
            assert case.need not in reduced[case.org_index].products
            assert case.need in orgs[case.org_index].products
    # A plain hold_out with the same seed draws the first round again: rounds start from the usual split.
    assert [c.need for c in hold_out(orgs, seed=1)[1]] == [c.need for c in rounds[0][1]]


def test_surface_signals_by_hand() -> None:
    assert bigrams("汽车齿轮 泵") == sorted({"汽车", "车齿", "齿轮", "泵"})
    assert head("精密 汽车齿轮") == "齿轮" and head("") == ""
    orgs = [OrgProfile("a", "中马传动", industry="汽车零部件", products=("摩托车齿轮", "变速器")),
            OrgProfile("b", "东方电缆", industry="电线电缆", products=("海缆", "电力电缆"))]
    index = TextIndex.build(orgs)
    signals = index.signals(["汽车齿轮"], enabled=frozenset({"doc", "surface"}))
    # 汽车 / 车齿 / 齿轮: a uses all three (汽车零部件, 摩托车齿轮), b none of them.
    assert signals["cover"][0].tolist() == pytest.approx([1.0, 0.0])
    partial = index.signals(["汽车轮毂"], enabled=frozenset({"doc", "surface"}))["cover"]
    assert partial[0].tolist() == pytest.approx([1 / 3, 0.0])  # 汽车 yes; 车轮, 轮毂 no
    assert signals["head"][0].tolist() == [1.0, 0.0]
    assert signals["generic"][0, 0] == pytest.approx(np.log1p(1.0))
    # 中马传动 shares only the word-boundary padding with 汽车齿轮, and 传动 with 传动轴.
    assert index.signals(["传动轴"], enabled=frozenset({"doc", "surface"}))["name"][0, 0] > signals["name"][0, 0] + 0.2


def test_features_rank_and_candidates() -> None:
    values = np.asarray([[0.2, 0.9, 0.0, 0.5]], dtype=np.float32)
    table = features({"doc": values})
    assert np.expm1(table["doc_rank"][0]).round().tolist() == [2, 0, 3, 1]
    assert table["doc_scaled"][0].tolist() == pytest.approx([0.2 / 0.9, 1.0, 0.0, 0.5 / 0.9])
    assert candidates({"doc": values}).all()  # fewer organizations than the candidate count: all are candidates


def test_learned_ranker_trains_and_ranks_as_well_as_tfidf() -> None:
    orgs = _synthetic_orgs()
    reduced, cases = hold_out(orgs, seed=99, limit=200)
    needs, truth = [c.need for c in cases], [orgs[c.org_index].org_id for c in cases]
    linear = OrgRanker(tune=False).fit(reduced)
    learned = OrgRanker().fit(reduced)
    assert learned.model is not None and learned.model.trees >= 1
    assert set(learned.summary()) == {"learned_trees", "learned_cases"}
    assert learned.tuning_cases >= 300
    baseline = _hits_at_10(linear, needs, truth)
    assert baseline > 0.2
    assert _hits_at_10(learned, needs, truth) >= baseline - 0.05
    best = learned.rank(needs[0], top=5)
    assert len(best) == 5 and best[0].score >= best[-1].score and "cover" in best[0].features
    assert truth[0] not in {r.org_id for r in learned.rank(needs[0], exclude={truth[0]}, top=50)}


def test_too_few_cases_fall_back_to_linear_weights() -> None:
    ranker = OrgRanker().fit(_synthetic_orgs(30))
    assert ranker.model is None
    assert "doc" in ranker.summary()


def test_learned_ranker_without_doc_still_ranks() -> None:
    orgs = _synthetic_orgs()
    ranker = OrgRanker(without=frozenset({"doc", "surface"})).fit(orgs)
    assert ranker.model is not None and not any(name.startswith("doc") for name in ranker.model.names)
    ids, scores = ranker.full_scores([orgs[0].products[0]])
    assert len(ids) == len(orgs) and np.isfinite(scores).all()
    assert ids[int(np.argmax(scores[0]))] == orgs[0].org_id  # a listed product points to its organization
