"""The learned ranker inside the engine: distinct self-supervised rounds, deterministic fits, calibrated scores,
explanations from per-feature contributions, and the hard rules that stay outside the model."""

from __future__ import annotations

import random

import numpy as np
import pytest

from copark.matching.engine import MatchEngine, PairRule
from copark.matching.features import ItemDoc, OrgDoc
from copark.matching.orgsignals import OrgIndex, OrgProfile, bigrams, head
from copark.matching.ranker import LearnedRanker
from copark.matching.selfsup import hold_out, hold_out_rounds
from copark.matching.signals import SIGNALS


def _synthetic(count: int = 160, seed: int = 5) -> tuple[dict[int, OrgDoc], list[ItemDoc]]:
    """Organizations in 30 industries; each product joins three of its industry's syllables and a kind suffix.

    Held-out products share syllables with their maker's other products (and its industry's), so there is
    something to learn; the syllables are common CJK characters chosen by a seeded shuffle.
    """
    rng = random.Random(seed)
    alphabet = [chr(code) for code in range(0x4E00, 0x4E00 + 2000)]
    rng.shuffle(alphabet)
    industries = [alphabet[i * 8:(i + 1) * 8] for i in range(30)]
    kinds = ["机", "剂", "管", "板", "线", "泵"]
    orgs: dict[int, OrgDoc] = {}
    offers: list[ItemDoc] = []
    for number in range(count):
        group = number % len(industries)
        own = rng.sample(industries[group], 4)  # each firm works with half its industry's syllables
        products = sorted({"".join(rng.choice(own) for _ in range(3)) + rng.choice(kinds) for _ in range(8)})
        orgs[number + 1] = OrgDoc(id=number + 1, name=f"{own[0]}{own[1]}公司{number}")
        offers.extend(ItemDoc(id=None, org_id=number + 1, direction="offer", kind="product", text=p)
                      for p in products)
    return orgs, offers


@pytest.fixture(scope="module")
def engine() -> MatchEngine:
    orgs, offers = _synthetic()
    engine = MatchEngine(offers=offers, orgs=orgs)
    engine.ranker = engine.fit_ranker(enabled=frozenset(SIGNALS) - {"dense", "chain"}, seed=13)
    return engine


def test_rounds_never_repeat_a_held_out_product() -> None:
    orgs = [OrgProfile(str(i), f"o{i}", products=tuple(f"品{i}{k}号" for k in range(6))) for i in range(50)]
    rounds = hold_out_rounds(orgs, rounds=3, seed=1)
    seen: set[tuple[int, str]] = set()
    for reduced, cases in rounds:
        assert cases
        for case in cases:
            assert (case.org_index, case.need) not in seen
            seen.add((case.org_index, case.need))
            assert case.need not in reduced[case.org_index].products
            assert case.need in orgs[case.org_index].products
    assert [c.need for c in hold_out(orgs, seed=1)[1]] == [c.need for c in rounds[0][1]]


def test_surface_signals_by_hand() -> None:
    assert bigrams("汽车齿轮 泵") == sorted({"汽车", "车齿", "齿轮", "泵"})
    assert head("精密 汽车齿轮") == "齿轮" and head("") == ""
    orgs = [OrgProfile("a", "中马传动", industry="汽车零部件", products=("摩托车齿轮", "变速器")),
            OrgProfile("b", "东方电缆", industry="电线电缆", products=("海缆", "电力电缆"))]
    signals = OrgIndex.build(orgs).signals(["汽车齿轮"], enabled=frozenset({"surface", "industry"}))
    assert signals["head"][0].tolist() == [1.0, 0.0]  # 齿轮 is used by a, not b
    assert signals["cover"][0, 0] > signals["cover"][0, 1] == 0.0


def test_fit_is_deterministic_and_learns(engine: MatchEngine) -> None:
    assert engine.ranker is not None
    figures = engine.ranker.figures
    assert figures["cases"] >= 300 and figures["trees"] >= 1
    again = engine.fit_ranker(enabled=frozenset(SIGNALS) - {"dense", "chain"}, seed=13)
    assert again is not None and again.model == engine.ranker.model  # same data, same seed: the same trees
    assert again.calibration == engine.ranker.calibration
    # held-out products of a check round are found far above chance (10 in 160 organizations)
    assert figures["check_hits@10"] >= 0.5


def test_round_trip_through_json(engine: MatchEngine) -> None:
    assert engine.ranker is not None
    copy = LearnedRanker.from_json(engine.ranker.to_json())
    need = ItemDoc(id=1, org_id=1, direction="need", kind="product", text=engine.offers[10].text)
    found = engine.signals.candidates([need.text], enabled=frozenset(engine.ranker.enabled))
    assert len(found.rows) and np.array_equal(copy.score(found).raw, engine.ranker.score(found).raw)


def test_calibration_is_monotone_probability(engine: MatchEngine) -> None:
    assert engine.ranker is not None
    xs, ys = engine.ranker.calibration
    assert list(xs) == sorted(xs) and list(ys) == sorted(ys)
    assert all(0.0 <= y <= 1.0 for y in ys)


def test_learned_matches_are_explained_excluding_own_org(engine: MatchEngine) -> None:
    own = engine.offers[0]
    need = ItemDoc(id=99, org_id=own.org_id, direction="need", kind="product", text=own.text)
    matches = engine.match_need(need, top=5, rule=PairRule(cross_region=False))
    assert matches and all(m.offer.org_id != own.org_id for m in matches)
    scores = [m.score for m in matches]
    assert scores == sorted(scores, reverse=True) and all(0.0 <= s <= 100.0 for s in scores)
    model = matches[0].explanation["model"]
    assert set(model["reasons"]) <= {"offer_list", "text", "name", "chain", "industry", "semantic", "other"}
    assert model["rank"] >= 1 and 0.0 <= model["probability"] <= 1.0
    assert matches[0].explanation["low_confidence"] == (matches[0].score < 30.0)


def test_service_needs_keep_the_hand_weighted_score(engine: MatchEngine) -> None:
    need = ItemDoc(id=98, org_id=1, direction="need", kind="finance", text=engine.offers[20].text)
    assert all("model" not in m.explanation for m in engine.match_need(need, top=3, rule=PairRule(False)))


def test_too_few_products_fall_back() -> None:
    orgs, offers = _synthetic(count=20)
    assert MatchEngine(offers=offers, orgs=orgs).fit_ranker(enabled=frozenset(SIGNALS)) is None


def test_organization_without_offers_is_never_proposed(engine: MatchEngine) -> None:
    text = engine.offers[5].text
    orgs = {**engine.orgs, 999: OrgDoc(id=999, name=f"{text}有限公司")}  # its name alone would nominate it
    with_empty = MatchEngine(offers=list(engine.offers), orgs=orgs, ranker=engine.ranker)
    need = ItemDoc(id=97, org_id=1, direction="need", kind="product", text=text)
    found = with_empty.match_need(need, top=20, rule=PairRule(cross_region=False))
    assert found and all(m.offer.org_id != 999 for m in found)


def test_candidates_read_the_same_signals_as_every_organization(engine: MatchEngine) -> None:
    """Narrow signals of the candidates equal the all-organization signals at those pairs; broad signals
    nominate; ranks within a need are 0, 1, 2 … by value."""
    texts = [engine.offers[3].text, engine.offers[40].text + engine.offers[41].text]
    enabled = frozenset(SIGNALS) - {"dense"}
    found = engine.signals.candidates(texts, enabled=enabled)
    every = engine.signals.orgs.signals(texts, enabled=enabled)
    assert len(found.rows) and np.all(np.diff(found.rows) >= 0)
    for name in ("maxsim", "cover", "head", "size", "doc", "sector", "name"):  # (industry votes among candidates)
        assert np.allclose(found.features[name], every[name][found.rows, found.cols], atol=1e-6), name
    for row in range(len(texts)):
        mine = found.rows == row
        for name in ("maxsim", "doc", "bm25"):
            ranks = np.round(np.exp(found.features[f"{name}_rank"][mine]) - 1).astype(int)
            assert sorted(ranks.tolist()) == list(range(int(mine.sum())))  # 0, 1, 2 … within the need
            values = found.features[name][mine]
            assert np.all(np.diff(values[np.argsort(ranks)]) <= 0)  # by value, best first


def test_a_block_of_needs_ranks_as_each_need_alone(engine: MatchEngine) -> None:
    needs = [ItemDoc(id=200 + i, org_id=1 + i % 5, direction="need", kind="product", text=engine.offers[i * 7].text)
             for i in range(12)]
    rule = PairRule(cross_region=False)
    together = engine.match_many(needs, top=5, rule=rule)
    for need, matches in zip(needs, together, strict=True):
        alone = engine.match_need(need, top=5, rule=rule)
        assert [(m.offer.id, m.offer.text, m.score) for m in matches] == \
               [(m.offer.id, m.offer.text, m.score) for m in alone]
        assert [m.explanation["model"] for m in matches] == [m.explanation["model"] for m in alone]


def test_learned_batch_over_forked_workers_equals_one_process(engine: MatchEngine) -> None:
    """The parent predicts first (as `copark match` does before a batch); forked workers must not hang on the
    model's thread pool, and give what one process gives."""
    from copark.matching import batch

    needs = [ItemDoc(id=300 + i, org_id=1 + i % 7, direction="need", kind="product",
                     text=engine.offers[(i * 13) % len(engine.offers)].text) for i in range(batch.CHUNK + 5)]
    rule = PairRule(cross_region=False)
    engine.match_need(needs[0], top=3, rule=rule)
    one = batch.match_batch(engine, needs, top=3, rule=rule, workers=1, reduce=_ids, explained=False)
    two = batch.match_batch(engine, needs, top=3, rule=rule, workers=2, reduce=_ids, explained=False)
    assert one and sorted(one) == sorted(two)


def _ids(match: object) -> tuple[int, int, float]:
    return match.need.id, match.offer.id, match.score  # type: ignore[attr-defined]


def test_path_contributions_add_up_and_agree_with_treeshap(engine: MatchEngine) -> None:
    """Explanations use decision-path credits (matching.paths): per row they sum to the raw prediction and share
    TreeSHAP's bias exactly; reason by reason they follow LightGBM's pred_contrib closely."""
    from copark.matching.paths import leaves_of
    from copark.matching.ranker import REASONS

    ranker = engine.ranker
    assert ranker is not None
    texts = [engine.offers[i * 11].text for i in range(40)]
    rows = engine.signals.candidates(texts, enabled=frozenset(ranker.enabled)).matrix(ranker.names)
    credit = ranker.paths.contributions(leaves_of(ranker.booster, rows, 1))
    shap = ranker.booster.predict(rows, pred_contrib=True)
    assert credit.shape == shap.shape and len(rows) > 100
    assert np.allclose(credit.sum(axis=1), ranker.booster.predict(rows), atol=1e-9)
    assert np.allclose(credit[:, -1], shap[:, -1], atol=1e-9)
    groups: dict[str, list[int]] = {}
    for column, name in enumerate(ranker.names):
        groups.setdefault(REASONS.get(name.split("_")[0], "other"), []).append(column)
    ours = np.stack([credit[:, c].sum(axis=1) for c in groups.values()], axis=1)
    theirs = np.stack([shap[:, c].sum(axis=1) for c in groups.values()], axis=1)
    assert np.corrcoef(ours.ravel(), theirs.ravel())[0, 1] > 0.9
    assert (ours.argmax(axis=1) == theirs.argmax(axis=1)).mean() > 0.8  # the reason that weighs most


def test_path_contributions_of_a_one_leaf_tree() -> None:
    """A model whose trees never split (nothing to learn) explains every row by its bias alone."""
    import lightgbm as lgb

    from copark.matching.paths import Paths, leaves_of

    x = np.zeros((40, 3))
    booster = lgb.train({"objective": "regression", "verbose": -1, "min_data_in_leaf": 100}, lgb.Dataset(x, np.ones(40)),
                        num_boost_round=2)
    credit = Paths.of(booster.model_to_string()).contributions(leaves_of(booster, x[:5], 1))
    assert credit.shape == (5, 4) and np.allclose(credit[:, :3], 0) and np.allclose(credit.sum(axis=1), booster.predict(x[:5]))


def test_needs_asking_the_same_text_share_one_row_and_rank_as_alone(engine: MatchEngine) -> None:
    """A batch computes candidates once per (text, allowed organizations); each need still gets what it gets
    alone, with its own organization left out (so needs of different organizations never share a row here)."""
    texts = [engine.offers[3].text, engine.offers[50].text]
    owners = [1, 1, 2, 2, 1, 3]
    needs = [ItemDoc(id=400 + i, org_id=org, direction="need", kind="product", text=texts[i % 2])
             for i, org in enumerate(owners)]
    rule = PairRule(cross_region=False)
    masks = np.stack([engine.org_mask(engine.orgs[n.org_id], rule) for n in needs])
    found = engine.signals.candidates([n.text for n in needs], enabled=frozenset(engine.ranker.enabled),
                                      allowed=masks)
    same = [[found.group[i] == found.group[j] for j in range(len(needs))] for i in range(len(needs))]
    assert same[0][4] and not same[0][2] and not same[1][3] and len(set(found.group.tolist())) == 5
    for need, matches in zip(needs, engine.match_many(needs, top=5, rule=rule), strict=True):
        alone = engine.match_need(need, top=5, rule=rule)
        assert matches and all(m.offer.org_id != need.org_id for m in matches)
        assert [(m.offer.id, m.score, m.explanation["model"]) for m in matches] == \
               [(m.offer.id, m.score, m.explanation["model"]) for m in alone]


def test_a_region_rule_shares_one_row_per_text_across_organizations(engine: MatchEngine) -> None:
    """Cross-region: every need of one region may meet the same organizations, so one row per distinct text."""
    from dataclasses import replace

    regions = ["430111", "431224"]
    orgs = {oid: replace(org, region_code=regions[oid % 2]) for oid, org in engine.orgs.items()}
    paired = MatchEngine(offers=list(engine.offers), orgs=orgs, ranker=engine.ranker)
    rule = PairRule(cross_region=True, pairings=(("431224", "430111"),))
    text = engine.offers[7].text
    needs = [ItemDoc(id=500 + i, org_id=org, direction="need", kind=kind, text=text) for i, (org, kind) in
             enumerate([(2, "product"), (4, "product"), (6, "product"), (8, "processing")])]
    together = paired.match_many(needs, top=5, rule=rule)
    for need, matches in zip(needs, together, strict=True):
        alone = paired.match_need(need, top=5, rule=rule)
        assert matches and all(orgs[m.offer.org_id].region_code == "431224" for m in matches)
        assert [(m.offer.id, m.score) for m in matches] == [(m.offer.id, m.score) for m in alone]
    assert [[m.offer.id for m in ms] for ms in together[:3]] == [[m.offer.id for m in together[0]]] * 3


def test_broad_signals_of_a_region_scope_equal_those_of_every_organization(engine: MatchEngine,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A region rule restricting the block to a few organizations computes the broad signals on those columns
    only: candidates, features and matches are the same as computed over every organization and then masked."""
    from dataclasses import replace

    from copark.matching import signals

    regions = ["430111", "431224", "430521"]  # 雨花区, 溆浦县, another county: a third of the firms each
    orgs = {oid: replace(org, region_code=regions[oid % 3]) for oid, org in engine.orgs.items()}
    paired = MatchEngine(offers=list(engine.offers), orgs=orgs, ranker=engine.ranker)
    rule = PairRule(cross_region=True, pairings=(("431224", "430111"),))
    needs = [ItemDoc(id=600 + i, org_id=3 * (i + 1) + 1, direction="need", kind="product",
                     text=engine.offers[i * 9].text) for i in range(6)]  # all in 430111 (id % 3 == 1)
    mask = paired.org_mask(orgs[needs[0].org_id], rule)[None, :]
    texts = [n.text for n in needs]
    enabled = frozenset(engine.ranker.enabled)
    runs = {}
    for share in (10**9, 2):  # never scoped; scoped (a third of the firms are allowed)
        monkeypatch.setattr(signals, "SCOPE_SHARE", share)
        found = paired.signals.candidates(texts, enabled=enabled, allowed=mask)
        runs[share] = (found, paired.match_many(needs, top=5, rule=rule))
    (every, every_matches), (scoped, scoped_matches) = runs[10**9], runs[2]
    assert len(every.rows) and np.array_equal(every.rows, scoped.rows) and np.array_equal(every.cols, scoped.cols)
    assert all(mask[0, every.cols])
    for name, values in every.features.items():
        assert np.allclose(values, scoped.features[name], atol=1e-6), name
    assert [[(m.offer.id, m.score) for m in ms] for ms in every_matches] == \
           [[(m.offer.id, m.score) for m in ms] for ms in scoped_matches]
