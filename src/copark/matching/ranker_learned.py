"""A learned ranker for "who makes this?": LightGBM LambdaRank over the ranking signals.

It is trained where it is used, on self-supervised cases (products held out of the organizations' own lists,
`ranker_selfsup`), never on benchmark cases. Each signal enters three times: its value, its value scaled by the
need's best, and the log of its rank among all organizations, so the trees can learn rules such as "a close
name match matters only when the product lists also agree". Only candidates (the top organizations of any
signal) are scored by the trees; the rest follow them, ordered by the product-list TF-IDF.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import lightgbm as lgb
import numpy as np

# Signals that get a scaled and a rank feature, and how many top organizations of each become candidates.
CANDIDATES = {"doc": 300, "maxsim": 100, "industry": 100, "sector": 100, "colisting": 100, "name": 30, "kg": 100, "dense": 100}
NEGATIVE_SHARE = 0.25   # share of non-matching candidates kept for training: 4× faster, same ranking quality
PARAMS = {
    "objective": "lambdarank", "metric": "map", "eval_at": [10], "learning_rate": 0.1, "num_leaves": 31,
    "min_data_in_leaf": 100, "feature_fraction": 0.8, "bagging_fraction": 0.8, "bagging_freq": 1,
    "lambdarank_truncation_level": 30, "verbose": -1, "num_threads": 2, "deterministic": True,
}
MAX_TREES = 300
PATIENCE = 30


def features(signals: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The signals plus, for each ranked signal, its per-need scaled value and log rank (0 = best)."""
    out = dict(signals)
    for name in CANDIDATES:
        values = signals.get(name)
        if values is None:
            continue
        out[f"{name}_scaled"] = values / np.maximum(values.max(axis=1, keepdims=True), 1e-6)
        order = np.argsort(-values, axis=1, kind="stable")
        rank = np.empty_like(order)
        np.put_along_axis(rank, order, np.arange(values.shape[1])[None, :], axis=1)
        out[f"{name}_rank"] = np.log1p(rank).astype(np.float32)
    return out


def candidates(signals: dict[str, np.ndarray]) -> np.ndarray:
    """needs × organizations mask: the top organizations of each signal."""
    shape = next(iter(signals.values())).shape
    mask = np.zeros(shape, dtype=bool)
    for name, count in CANDIDATES.items():
        if name in signals and shape[1]:
            k = min(count, shape[1])
            top = np.argpartition(-signals[name], k - 1, axis=1)[:, :k]
            np.put_along_axis(mask, top, True, axis=1)
    return mask


def _table(table: dict[str, np.ndarray], names: Sequence[str], mask: np.ndarray,
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows, cols = np.nonzero(mask)
    matrix = np.stack([table[name][rows, cols] for name in names], axis=1).astype(np.float32)
    return matrix, rows, cols


@dataclass(frozen=True)
class TrainingRound:
    """Signals for one round of held-out products and, per need, the index of the organization that made it."""

    signals: dict[str, np.ndarray]
    truth: np.ndarray


@dataclass
class LearnedRanker:
    """A trained LambdaRank model and the feature names it reads, in order."""

    booster: lgb.Booster
    names: tuple[str, ...]
    cases: int

    @property
    def trees(self) -> int:
        return self.booster.best_iteration or self.booster.current_iteration()

    def scores(self, signals: dict[str, np.ndarray]) -> np.ndarray:
        """needs × organizations scores; organizations outside the candidates rank below all candidates."""
        table = features(signals)
        missing = [name for name in self.names if name not in table]
        if missing:
            raise ValueError(f"signals missing for the learned ranker: {missing}")
        mask = candidates(signals)
        matrix, rows, cols = _table(table, self.names, mask)
        doc = np.asarray(table.get("doc_scaled", np.zeros(mask.shape)), dtype=np.float64)
        result = doc - 2.0  # below any candidate once shifted under the row's floor
        if len(rows):
            predicted = self.booster.predict(matrix)
            floor = np.full(doc.shape[0], np.inf)
            np.minimum.at(floor, rows, predicted)
            floor[~np.isfinite(floor)] = 0.0
            result = result + floor[:, None]
            result[rows, cols] = predicted
        return result


def train(rounds: Sequence[TrainingRound], *, seed: int = 13) -> LearnedRanker | None:
    """Fit on all rounds but the last, stop early on the last (its cases differ from all training cases).

    None when there is nothing to learn from (no round, or no held-out organization among the candidates).
    """
    if len(rounds) < 2:
        return None
    names: tuple[str, ...] | None = None
    parts = []
    rng = np.random.default_rng(seed)
    for number, round_ in enumerate(rounds):
        table = features(round_.signals)
        names = names or tuple(sorted(table))
        mask = candidates(round_.signals)
        matrix, rows, cols = _table(table, names, mask)
        label = (cols == round_.truth[rows]).astype(np.int32)
        if number < len(rounds) - 1:
            keep = (label == 1) | (rng.random(len(label)) < NEGATIVE_SHARE)
            matrix, rows, label = matrix[keep], rows[keep], label[keep]
        # Needs whose organization is not among the candidates teach nothing: drop their groups.
        useful = np.bincount(rows, weights=label, minlength=len(round_.truth)) > 0
        keep = useful[rows]
        matrix, rows, label = matrix[keep], rows[keep], label[keep]
        parts.append((matrix, label, np.bincount(rows, minlength=len(round_.truth))[useful]))
    assert names is not None
    train_parts, valid = parts[:-1], parts[-1]
    if not sum(int(p[1].sum()) for p in train_parts) or not int(valid[1].sum()):
        return None
    data = lgb.Dataset(np.vstack([p[0] for p in train_parts]), np.concatenate([p[1] for p in train_parts]),
                       group=np.concatenate([p[2] for p in train_parts]), feature_name=list(names))
    check = lgb.Dataset(valid[0], valid[1], group=valid[2], reference=data)
    booster = lgb.train({**PARAMS, "seed": seed}, data, num_boost_round=MAX_TREES, valid_sets=[check],
                        callbacks=[lgb.early_stopping(PATIENCE, verbose=False)])
    cases = sum(len(r.truth) for r in rounds)
    return LearnedRanker(booster, names, cases)
