"""Self-supervised "who makes this?" cases: hold one unique product out of each organization's own list."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from copark.matching.orgsignals import OrgProfile

# Segment names and totals are not concrete products: nobody searches for a supplier of 其他业务.
GENERIC_MARKERS = ("其他", "其它", "合计", "分部", "项目", "抵消", "业务", "收入", "小计")


@dataclass(frozen=True)
class SelfCase:
    """One held-out product and the index of the organization it was taken from."""

    need: str
    org_index: int


def is_concrete(product: str) -> bool:
    """A product name specific enough to be a need (not a segment, a total or a one-character stub)."""
    text = product.strip()
    return len(text) >= 2 and not any(marker in text for marker in GENERIC_MARKERS)


def hold_out(orgs: Sequence[OrgProfile], *, seed: int = 13, limit: int | None = None,
             taken: set[tuple[int, str]] | None = None) -> tuple[list[OrgProfile], list[SelfCase]]:
    """Organizations with one unique concrete product removed each (≥2 products left), and the removed cases.

    taken holds (organization index, product) pairs held out before: they are not drawn again, so the rounds of
    `hold_out_rounds` never repeat a case (a repeated case would let a learned ranker be checked on its training).
    """
    taken = set() if taken is None else taken
    counts = Counter(p.strip() for o in orgs for p in set(o.products))
    rng = random.Random(seed)
    order = list(range(len(orgs)))
    rng.shuffle(order)
    reduced = list(orgs)
    cases: list[SelfCase] = []
    for index in order:
        if limit is not None and len(cases) >= limit:
            break
        org = orgs[index]
        candidates = [p for p in org.products
                      if counts[p.strip()] == 1 and is_concrete(p) and (index, p.strip()) not in taken]
        if not candidates or len(org.products) < 3:
            continue
        product = rng.choice(candidates)
        reduced[index] = replace(org, products=tuple(p for p in org.products if p != product))
        cases.append(SelfCase(product.strip(), index))
        taken.add((index, product.strip()))
    return reduced, cases


def hold_out_rounds(orgs: Sequence[OrgProfile], *, rounds: int, seed: int = 13, limit: int | None = None,
                    ) -> list[tuple[list[OrgProfile], list[SelfCase]]]:
    """`rounds` independent hold-outs whose cases are all distinct (no organization loses the same product twice)."""
    taken: set[tuple[int, str]] = set()
    return [hold_out(orgs, seed=seed + number, limit=limit, taken=taken) for number in range(rounds)]
