"""Batch matching: many needs against one built engine, identical texts grouped, spread over forked workers."""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from copark.matching.engine import Match, MatchEngine, PairRule, match_partition
from copark.matching.features import ItemDoc

#: Needs per task: big enough to amortize pickling, small enough to balance the workers.
CHUNK = 500
_ENGINE: MatchEngine | None = None
_OPTIONS: dict[str, Any] = {}


def _run(chunk: Sequence[ItemDoc]) -> list[Any]:
    assert _ENGINE is not None  # set by match_batch before the pool forks
    matches = match_partition(_ENGINE, chunk, top=_OPTIONS["top"], rule=_OPTIONS["rule"],
                              explained=_OPTIONS["explained"])
    reduce = _OPTIONS["reduce"]
    return matches if reduce is None else [reduce(m) for m in matches]


def match_batch(engine: MatchEngine, needs: Sequence[ItemDoc], *, top: int = 10, rule: PairRule | None = None,
                workers: int = 1, reduce: Callable[[Match], Any] | None = None, explained: bool = True,
                ) -> list[Any]:
    """The `top` matches of every need (as match_partition), over `workers` processes forked from this one.

    Needs are ordered by text first, so a text shared by many organizations is retrieved once per worker
    (MatchEngine remembers the last texts' retrieval); `reduce` turns each Match into something smaller to
    send back from a worker (e.g. ids and score), which matters for millions of matches; `explained=False`
    skips building explanations (about a fifth of the work) for runs that explain only what they show.
    """
    global _ENGINE, _OPTIONS
    rule = rule or PairRule()
    ordered = sorted(needs, key=lambda n: n.text)
    chunks = [ordered[i : i + CHUNK] for i in range(0, len(ordered), CHUNK)]
    if workers <= 1 or len(chunks) <= 1 or "fork" not in mp.get_all_start_methods():
        out = match_partition(engine, ordered, top=top, rule=rule, explained=explained)
        return out if reduce is None else [reduce(m) for m in out]
    if engine.ranker is not None:  # built once here, shared copy-on-write, not once per forked worker
        engine.signals.orgs  # noqa: B018 - the organisation-level index the learned path reads
        if explained:
            engine.ranker.paths  # noqa: B018 - the trees flattened for explanations
    _ENGINE, _OPTIONS = engine, {"top": top, "rule": rule, "reduce": reduce, "explained": explained}
    try:  # fork: workers share the built index copy-on-write instead of rebuilding or unpickling it
        with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("fork")) as pool:
            return [m for part in pool.map(_run, chunks) for m in part]
    finally:
        _ENGINE, _OPTIONS = None, {}
