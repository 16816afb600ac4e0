"""The wording features (matching.wording): offer names read as strings, per candidate organization."""

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from copark.matching.orgsignals import OrgIndex, OrgProfile
from copark.matching.wording import WORDING, closeness


def _reference(need: str, offers: list[str]) -> dict[str, float]:
    """The same features written plainly, one offer at a time."""
    words = need.split()
    phrases = [need, *(w for w in words if len(w) >= 2)] if len(words) > 1 else [need]

    def shared(a: str, b: str) -> int:
        n = 0
        while n < min(len(a), len(b)) and a[n] == b[n]:
            n += 1
        return n

    def lcs(a: str, b: str) -> int:
        table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
        for i, x in enumerate(a):
            for j, y in enumerate(b):
                table[i + 1][j + 1] = table[i][j] + 1 if x == y else max(table[i][j + 1], table[i + 1][j])
        return table[-1][-1]

    def ratio(a: str, b: str) -> float:
        return 2 * lcs(a, b) / (len(a) + len(b)) if a or b else 1.0

    if not offers:
        return dict.fromkeys(WORDING, 0.0)
    return {
        "wording_ratio": max(ratio(p, o) for p in phrases for o in offers),
        "wording_prefix": max(shared(p, o) / len(p) for p in phrases for o in offers),
        "wording_suffix": max(shared(p[::-1], o[::-1]) / len(p) for p in phrases for o in offers),
        "wording_inside": float(any(p in o or (len(o) >= 2 and o in p) for p in phrases for o in offers)),
        "wording_starts": math.log1p(sum(any(shared(p, o) >= 2 for p in phrases) for o in offers)),
        "wording_ends": math.log1p(sum(any(shared(p[::-1], o[::-1]) >= 2 for p in phrases) for o in offers)),
    }


def _closeness(need: str, lists: list[list[str]]) -> dict[str, np.ndarray]:
    names = [name for offers in lists for name in offers]
    return closeness(need, names, np.asarray([len(offers) for offers in lists], dtype=np.int64))


def test_gear_maker_reads_closer_than_a_pipe_maker():
    found = _closeness("汽车齿轮", [["商用车齿轮", "齿轮箱"], ["钢管"], []])
    gears, pipes, empty = ({name: float(values[i]) for name, values in found.items()} for i in range(3))
    assert gears["wording_suffix"] == 0.75            # 车齿轮 of 汽车齿轮
    assert math.isclose(gears["wording_ratio"], 2 * 3 / 9, rel_tol=1e-6)
    assert gears["wording_ends"] == np.float32(math.log1p(1))  # 商用车齿轮 ends in 齿轮; 齿轮箱 does not
    assert gears["wording_inside"] == 0.0
    assert all(value == 0.0 for value in pipes.values())
    assert all(value == 0.0 for value in empty.values())


def test_containment_and_family():
    found = _closeness("光伏组件", [["光伏组件支架", "光伏电站", "逆变器"], ["光伏用组件"], ["组件光伏"], ["光"]])
    assert found["wording_inside"].tolist() == [1.0, 0.0, 0.0, 0.0]  # as written; a one-character name is no match
    assert found["wording_prefix"][0] == 1.0
    assert found["wording_starts"][0] == np.float32(math.log1p(2))  # 光伏组件支架, 光伏电站


def test_need_of_several_words_is_read_by_each():
    found = _closeness("菜籽油 茶油", [["压榨茶油"], ["菜籽油"]])
    assert found["wording_suffix"][0] == 1.0  # 茶油 ends 压榨茶油
    assert found["wording_inside"][1] == 1.0


_TEXT = st.text(alphabet="齿轮汽车管钢光伏油茶 ab", min_size=1, max_size=7).map(lambda s: " ".join(s.split()))


@settings(max_examples=150, deadline=None)
@given(need=_TEXT.filter(bool), lists=st.lists(st.lists(_TEXT.filter(bool), max_size=4), min_size=1, max_size=5))
def test_closeness_equals_the_plain_reading(need, lists):
    found = _closeness(need, lists)
    for i, offers in enumerate(lists):
        expected = _reference(need, offers)
        for name in WORDING:
            assert math.isclose(float(found[name][i]), expected[name], rel_tol=1e-5, abs_tol=1e-6), (name, offers)


def test_org_index_reads_wording_for_candidates_only():
    index = OrgIndex.build([OrgProfile("a", "甲", products=("商用车齿轮", "齿轮箱")),
                            OrgProfile("b", "乙", products=("钢管",))])
    q = index.queries(["汽车齿轮"])
    on = index.narrow(q, np.array([0, 0]), np.array([0, 1]), enabled=frozenset({"wording"}))
    assert on["wording_suffix"].tolist() == [0.75, 0.0]
    off = index.narrow(q, np.array([0]), np.array([0]), enabled=frozenset())
    assert not set(WORDING) & set(off)
