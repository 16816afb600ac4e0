"""How closely an organization's offer names are worded like the need: what character TF-IDF does not see.

TF-IDF reads a name as a bag of character n-grams. Chinese product names have an order that carries meaning: the
kind of thing at the end (…齿轮, …胶囊, …连接器) and a family of modifiers at the start that one firm reuses across
its list (光伏组件, 光伏电站, 光伏逆变器). These features read the names as strings, for the candidates only
(rapidfuzz, in C: about 1.8 ms for a need against 5,000 candidate offers):

- ratio: the best edit-distance similarity (Indel, normalized) of the need to one of the organization's offers;
- prefix / suffix: the longest beginning / ending the need shares with one offer, over the need's length;
- inside: 1 when an offer's name contains the need or the need contains an offer's name (2+ characters): the
  longest-common-subsequence matrix of the edit similarity picks the few pairs worth checking;
- starts / ends: log(1 + offers sharing the need's first / last two characters): how much of the list is of
  the need's family or kind.

A need of several words (a sentence asked by its phrases, 采购菜籽油、茶油 → 菜籽油 茶油, or a name with a space,
LED 灯) is read whole and by each word of 2+ characters, keeping the best.
Measured in session 7 on the capability bench's self-supervised rounds (7,500 held-out products never trained
on): the learned ranker's MRR 0.260 → 0.28, hits@1 0.187 → 0.21 (bench/capability/RESULTS.md).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rapidfuzz.distance import LCSseq, Postfix, Prefix
from rapidfuzz.process import cdist

#: Feature names, in the order `closeness` returns them.
WORDING = ("wording_ratio", "wording_prefix", "wording_suffix", "wording_inside", "wording_starts", "wording_ends")

#: Characters a shared beginning or ending needs to count an offer into starts / ends.
FAMILY_CHARS = 2


def closeness(need: str, names: Sequence[str], lengths: np.ndarray) -> dict[str, np.ndarray]:
    """Per candidate, the WORDING features of `need` (folded) against its offers: candidate i owns the next
    `lengths[i]` names of `names` (folded). Candidates without offers get 0."""
    out = {name: np.zeros(len(lengths), dtype=np.float32) for name in WORDING}
    need = need.strip()
    words = need.split()
    phrases = [need, *(w for w in words if len(w) >= 2)] if len(words) > 1 else [need]
    if not len(names) or not need:
        return out
    owned = np.flatnonzero(lengths)
    starts = np.concatenate(([0], np.cumsum(lengths[owned])[:-1]))
    size = np.asarray([len(p) for p in phrases], dtype=np.int32)[:, None]
    name_size = np.fromiter(map(len, names), dtype=np.int32, count=len(names))[None, :]
    # one longest-common-subsequence matrix gives the edit similarity and the containment candidates
    common = cdist(phrases, names, scorer=LCSseq.similarity, dtype=np.int32, workers=1)
    prefix = cdist(phrases, names, scorer=Prefix.similarity, dtype=np.int32, workers=1)
    suffix = cdist(phrases, names, scorer=Postfix.similarity, dtype=np.int32, workers=1)
    # containment needs the shorter as a subsequence of the longer: only those few pairs are checked as substrings
    inside = np.zeros(common.shape, dtype=bool)
    worth = (common == np.minimum(size, name_size)) & ((name_size >= 2) | (size <= name_size))
    for row, col in zip(*np.nonzero(worth), strict=True):
        phrase, name = phrases[row], names[col]
        inside[row, col] = phrase in name or (len(name) >= 2 and name in phrase)
    best = {"wording_ratio": (2 * common / (size + name_size)).max(axis=0),
            "wording_prefix": (prefix / size).max(axis=0), "wording_suffix": (suffix / size).max(axis=0),
            "wording_inside": inside.any(axis=0)}
    for name, values in best.items():
        out[name][owned] = np.maximum.reduceat(values.astype(np.float32), starts)
    family = {"wording_starts": (prefix >= FAMILY_CHARS).any(axis=0),
              "wording_ends": (suffix >= FAMILY_CHARS).any(axis=0)}
    for name, hit in family.items():
        out[name][owned] = np.log1p(np.add.reduceat(hit.astype(np.float32), starts))
    return out
