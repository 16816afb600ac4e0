"""The learned ranker: LightGBM LambdaRank over every signal of "does this organization supply the need?".

Signals come from `SignalIndex` (organisation level: TF-IDF of the whole offer list, best single offer, industry,
name; item level: best BM25 offer, best chain link; optional dense). Each ranked signal enters three times: its
value, its value scaled by the need's best, and the log of its rank. Only candidates (the top organizations of
the broad signals, `SignalIndex.candidates`) are scored by the trees. The model is fitted self-supervised (`selfsup`: products
held out of the organizations' own lists, distinct per round), never on benchmark cases, and its raw score is
calibrated on a held-out round into P(the organization is the one that listed the held-out product).
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from copark.matching.config import LEARNING
from copark.matching.paths import Paths, leaves_of
from copark.matching.selfsup import hold_out_rounds
from copark.matching.signals import SIGNALS, Candidates, SignalIndex

#: 2: narrow signals (maxsim, industry, dense, surface) are computed for the candidates only and ranked among
#: them (session 4); a stored version-1 model is refused and `copark fit` asked for.
RANKER_VERSION = 2

#: Prediction runs on one thread: a few hundred candidate rows gain nothing from more, and an OpenMP thread pool
#: created in a process that later forks (match_batch's workers) deadlocks the children's first prediction.
#: Batches get their parallelism from processes.
PREDICT_THREADS = 1

#: Feature name prefix → the reason an explanation shows for it (the LightGBM contribution is summed per reason).
REASONS = {
    "doc": "offer_list", "maxsim": "text", "bm25": "text", "cover": "text", "head": "text", "name": "name",
    "chain": "chain", "industry": "industry", "sector": "industry", "dense": "semantic",
    "size": "other", "generic": "other", "length": "other",
}


@dataclass
class Scored:
    """Model output for the candidates of a batch of needs: (row, organization) → raw score."""

    rows: np.ndarray
    cols: np.ndarray
    raw: np.ndarray
    matrix: np.ndarray


@dataclass
class LearnedRanker:
    """A trained LambdaRank model, the feature names it reads, its calibration and how it was trained."""

    model: str                     # LightGBM's text dump: portable, diffable, loads on any CPU
    names: tuple[str, ...]
    calibration: tuple[tuple[float, ...], tuple[float, ...]]  # isotonic step points (raw score → probability)
    enabled: tuple[str, ...]
    figures: dict[str, Any] = field(default_factory=dict)
    version: int = RANKER_VERSION
    _booster: Any = field(default=None, repr=False, compare=False)
    _paths: Paths | None = field(default=None, repr=False, compare=False)

    @property
    def booster(self) -> Any:
        if self._booster is None:
            import lightgbm as lgb

            self._booster = lgb.Booster(model_str=self.model)
        return self._booster

    def score(self, candidates: Candidates) -> Scored:
        """Raw scores of the candidates (SignalIndex.candidates with this ranker's `enabled` signals)."""
        matrix = candidates.matrix(self.names)
        raw = self.booster.predict(matrix, num_threads=PREDICT_THREADS) if len(matrix) else np.zeros(0)
        return Scored(candidates.rows, candidates.cols, np.asarray(raw, dtype=np.float64), matrix)

    def probability(self, raw: np.ndarray) -> np.ndarray:
        """Calibrated P(right) of raw scores (monotone: the order of raw scores is kept)."""
        xs, ys = self.calibration
        return np.interp(raw, xs, ys) if xs else np.full(np.shape(raw), 0.5)

    @property
    def paths(self) -> Paths:
        """The model's trees flattened for path contributions (built once; load it before forking workers)."""
        if self._paths is None:
            self._paths = Paths.of(self.model)
        return self._paths

    def reasons(self, rows: np.ndarray) -> list[dict[str, float]]:
        """Per-reason contribution (model units, summed over a reason's features) for each candidate's feature row:
        the decision-path credit of `matching.paths` (exact sum, TreeSHAP's cost divided by ~1000)."""
        if not len(rows):
            return []
        contrib = self.paths.contributions(leaves_of(self.booster, rows, PREDICT_THREADS))
        groups: dict[str, list[int]] = {}
        for column, name in enumerate(self.names):
            groups.setdefault(REASONS.get(name.split("_")[0], "other"), []).append(column)
        summed = {reason: contrib[:, columns].sum(axis=1) for reason, columns in groups.items()}
        return [{reason: float(values[i]) for reason, values in summed.items()} for i in range(len(rows))]

    def to_json(self) -> str:
        return json.dumps({"version": self.version, "model": self.model, "names": list(self.names),
                           "calibration": [list(self.calibration[0]), list(self.calibration[1])],
                           "enabled": list(self.enabled), "figures": self.figures}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> LearnedRanker:
        data = json.loads(text)
        return cls(model=data["model"], names=tuple(data["names"]),
                   calibration=(tuple(data["calibration"][0]), tuple(data["calibration"][1])),
                   enabled=tuple(data["enabled"]), figures=data.get("figures", {}), version=data["version"])


def _groups(rows: np.ndarray, label: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(keep mask, group sizes): needs whose organization is not among the candidates teach nothing."""
    useful = np.bincount(rows, weights=label, minlength=n) > 0
    return useful[rows], np.bincount(rows, minlength=n)[useful]


def _hits(rows: np.ndarray, label: np.ndarray, raw: np.ndarray, n: int) -> dict[str, float]:
    """hits@10 and MRR of the held-out organization among candidates (absent = not found)."""
    order = np.lexsort((-raw, rows))
    ranks = np.zeros(n)
    position = 0
    for row in range(n):
        count = int(np.searchsorted(rows[order], row, side="right")) - position
        mine = label[order][position:position + count]
        hit = np.flatnonzero(mine)
        if len(hit):
            ranks[row] = 1 + hit[0]
        position += count
    found = ranks > 0
    return {"hits@10": float(((ranks > 0) & (ranks <= 10)).mean()),
            "mrr": float(np.where(found, 1.0 / np.maximum(ranks, 1), 0.0).mean())}


def fit(index_for: Any, profiles: Sequence[Any], *, enabled: frozenset[str] = frozenset(SIGNALS),
        seed: int = 13) -> LearnedRanker | None:
    """Fit on held-out products of `profiles` (organizations with offer lists); None when too few can be held out.

    `index_for(reduced_profiles)` builds the SignalIndex of one round (the caller's graph and encoder).
    Rounds 0…n-2 train; the last stops the boosting early and calibrates (its cases differ from all others).
    """
    import lightgbm as lgb
    from sklearn.isotonic import IsotonicRegression

    start = time.perf_counter()
    rounds_data = hold_out_rounds(profiles, rounds=LEARNING.rounds, seed=seed, limit=LEARNING.cases_per_round)
    total = sum(len(cases) for _, cases in rounds_data)
    if total < LEARNING.min_cases or len(rounds_data) < 2:
        return None
    rng = np.random.default_rng(seed)
    names: list[str] | None = None
    parts = []
    needs: list[int] = []  # held-out needs per round
    for reduced, cases in rounds_data:
        index: SignalIndex = index_for(reduced)
        truth = np.asarray([c.org_index for c in cases], dtype=np.int64)
        needs.append(len(truth))
        pieces = []
        # blocks of needs: only the candidates' features are kept, never needs × organizations for all at once
        for begin in range(0, len(cases), LEARNING.block):
            # merge=False: each held-out case is its own row, labelled by its own organization
            found = index.candidates([c.need for c in cases[begin:begin + LEARNING.block]], enabled=enabled,
                                     merge=False)
            names = names if names is not None else sorted(found.features)
            label = (found.cols == truth[begin:begin + LEARNING.block][found.rows]).astype(np.int32)
            pieces.append((found.matrix(names), found.rows + begin, label))
        parts.append(tuple(np.concatenate([p[i] for p in pieces]) for i in range(3)))
    assert names is not None
    train_x, train_y, train_g = [], [], []
    for (matrix, rows, label), count in zip(parts[:-1], needs[:-1], strict=True):
        keep = (label == 1) | (rng.random(len(label)) < LEARNING.negative_share)
        matrix, rows, label = matrix[keep], rows[keep], label[keep]
        useful, sizes = _groups(rows, label, count)
        train_x.append(matrix[useful])
        train_y.append(label[useful])
        train_g.append(sizes)
    v_matrix, v_rows, v_label = parts[-1]
    v_useful, v_sizes = _groups(v_rows, v_label, needs[-1])
    if not sum(int(y.sum()) for y in train_y) or not int(v_label.sum()):
        return None
    data = lgb.Dataset(np.vstack(train_x), np.concatenate(train_y), group=np.concatenate(train_g),
                       feature_name=list(names), free_raw_data=False)
    check = lgb.Dataset(v_matrix[v_useful], v_label[v_useful], group=v_sizes, reference=data)
    booster = lgb.train({**LEARNING.params, "seed": seed}, data, num_boost_round=LEARNING.max_trees,
                        valid_sets=[check], callbacks=[lgb.early_stopping(LEARNING.patience, verbose=False)])
    model = booster.model_to_string(num_iteration=booster.best_iteration or None)
    raw = booster.predict(v_matrix, num_iteration=booster.best_iteration or None)
    # Calibrate on what people see: each need's ten best candidates.
    order = np.lexsort((-raw, v_rows))
    first = np.searchsorted(v_rows[order], v_rows[order], side="left")
    shown = order[(np.arange(len(order)) - first) < 10]
    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(raw[shown], v_label[shown])
    xs = tuple(float(x) for x in iso.X_thresholds_)
    ys = tuple(round(float(y), 6) for y in iso.y_thresholds_)
    figures = {
        "cases": total, "training_cases": int(sum(len(g) for g in train_g)), "trees": booster.best_iteration,
        "check_cases": needs[-1], **{f"check_{k}": round(v, 4) for k, v in
                                                  _hits(v_rows, v_label, raw, needs[-1]).items()},
        "seconds": round(time.perf_counter() - start, 1), "seed": seed,
    }
    return LearnedRanker(model=model, names=tuple(names), calibration=(xs, ys), enabled=tuple(sorted(enabled)),
                         figures=figures)
