"""Per-feature contributions of a LightGBM model by decision paths (Saabas), at the cost of one prediction.

In a tree, a row walks from the root to a leaf; each split moves the tree's expected value (the mean of the
leaf values below a node, weighted by their training counts) and the move is credited to the split's feature.
So every leaf carries a fixed contribution vector: its path's credits, plus the tree's root value as the bias.
A row's contributions are the sum of its leaves' vectors over the trees, found with LightGBM's own `pred_leaf`.
They add up to the raw prediction exactly and share TreeSHAP's bias, as LightGBM's `pred_contrib` does.

Why not `pred_contrib`: TreeSHAP costs O(trees × leaves × depth²) per row, 6–9 ms per row for a 110-tree model
of depth ~10 on this project's machine: an hour of explanation for the ten shown opportunities of 100k needs.
The two agree closely on real candidates (tests/test_ranker.py compares them); the path credit is the known
approximation of SHAP that leans towards splits near the leaves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse


@dataclass(frozen=True)
class Paths:
    """Contribution vector of every leaf of every tree (leaves × (features + 1), last column the bias)."""

    leaf_contrib: np.ndarray
    leaf_base: np.ndarray   # first row of each tree's leaves in leaf_contrib
    n_features: int

    @classmethod
    def of(cls, model: str) -> Paths:
        """Read LightGBM's text dump (`model_to_string`): milliseconds, where `dump_model()` takes seconds."""
        header, _, body = model.partition("\nTree=")
        body = body.partition("\nend of trees")[0]
        fields = dict(line.split("=", 1) for line in header.splitlines() if "=" in line)
        n_features = int(fields["max_feature_idx"]) + 1
        blocks, bases, base = [], [], 0
        for text in ("Tree=" + body).split("\nTree=") if body else ():
            tree = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
            vectors = _leaf_vectors(tree, n_features)
            blocks.append(vectors)
            bases.append(base)
            base += len(vectors)
        matrix = np.vstack(blocks) if blocks else np.zeros((0, n_features + 1))
        return cls(leaf_contrib=matrix, leaf_base=np.asarray(bases, dtype=np.int64), n_features=n_features)

    def contributions(self, leaves: np.ndarray) -> np.ndarray:
        """rows × (features + 1) from each row's leaf in each tree (`booster.predict(x, pred_leaf=True)`)."""
        leaves = np.asarray(leaves, dtype=np.int64).reshape(len(leaves), -1)
        n, trees = leaves.shape
        if not n or not trees:
            return np.zeros((n, self.n_features + 1))
        picks = sparse.csr_matrix((np.ones(n * trees), (leaves + self.leaf_base).ravel(),
                                   np.arange(0, n * trees + 1, trees)), shape=(n, len(self.leaf_contrib)))
        return np.asarray(picks @ self.leaf_contrib)


def _numbers(tree: dict[str, str], key: str, kind: type = float) -> np.ndarray:
    return np.array(tree[key].split(), dtype=np.float64 if kind is float else np.int64)


def _leaf_vectors(tree: dict[str, str], n_features: int) -> np.ndarray:
    """One tree's leaves × (features + 1): each leaf's path credits by feature, its root value in the last column.

    A node's value is the mean of its leaves' values weighted by their training counts, as TreeSHAP's expected
    values (LightGBM's own internal_value of a ranking model is a gradient step, not that mean).
    """
    leaves = _numbers(tree, "leaf_value")
    out = np.zeros((len(leaves), n_features + 1))
    if len(leaves) == 1:
        out[0, -1] = leaves[0]
        return out
    if (_numbers(tree, "decision_type", int) & 1).any():
        raise ValueError("categorical splits are not supported: copark's features are numeric")
    # plain lists: this walks every node once, and numpy scalars would cost more than the arithmetic
    feature = _numbers(tree, "split_feature", int).tolist()
    left, right = _numbers(tree, "left_child", int).tolist(), _numbers(tree, "right_child", int).tolist()
    counts, leaf = _numbers(tree, "leaf_count").tolist(), leaves.tolist()
    inner = len(leaf) - 1
    value, weight = [0.0] * inner, [0.0] * inner
    order = [0]  # parents before children; values are filled from the deepest node up
    for node in order:
        order.extend(child for child in (left[node], right[node]) if child >= 0)
    for node in reversed(order):
        total = weighted = 0.0
        for c in (left[node], right[node]):
            w, v = (weight[c], value[c]) if c >= 0 else (counts[~c], leaf[~c])
            total += w
            weighted += w * v
        weight[node], value[node] = total, (weighted / total if total else 0.0)
    at, by, delta = [], [], []  # (leaf, feature, credit) triples, summed once at the end
    stack: list[tuple[int, list[tuple[int, float]]]] = [(0, [])]
    while stack:
        node, credit = stack.pop()
        for child in (left[node], right[node]):
            mine = [*credit, (feature[node], (value[child] if child >= 0 else leaf[~child]) - value[node])]
            if child >= 0:
                stack.append((child, mine))
                continue
            at.extend([~child] * len(mine))
            by.extend(f for f, _ in mine)
            delta.extend(d for _, d in mine)
    np.add.at(out, (np.asarray(at), np.asarray(by)), np.asarray(delta))
    out[:, -1] = value[0]
    return out


def leaves_of(booster: Any, rows: np.ndarray, threads: int) -> np.ndarray:
    """Each row's leaf index in each tree (LightGBM routes the rows, missing values included)."""
    return np.asarray(booster.predict(rows, pred_leaf=True, num_threads=threads), dtype=np.int64)
