"""补链 (chain gaps): for each declared chain of a park, the nodes its local organizations cover, the missing ones,
and for each missing node the organizations that could fill it — the partner region's first, then any other
region's — ranked and explained by the matching engine (the park asks for the node as a need).

This is the 招商 target list. The engine is the one `copark match` runs (services.opportunities.build_engine,
with the learned ranker when the workspace has one); nothing here ranks on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from copark.core.errors import CoparkError
from copark.core.vocab import DEMO_SOURCE, ItemKind, Origin
from copark.knowledge.industries import parse_code
from copark.knowledge.infer import ITEM_KIND
from copark.knowledge.parkchain import DeclaredChain, GapNode, chain_tree
from copark.locale import t
from copark.matching.config import CHAIN_GAPS
from copark.matching.explain import render_why
from copark.matching.features import ItemDoc, OrgDoc
from copark.matching.modes import mode_label
from copark.parsing.regions import RegionTable
from copark.services.access import Actor
from copark.services.parkfit import Context, context, require_reader

if TYPE_CHECKING:  # the engine (numpy, scikit-learn) loads when gaps are computed, not when the API is imported
    from copark.matching.engine import Match


@dataclass
class Candidate:
    """An organization that could fill a missing node, as the engine ranked and explained it."""

    rank: int
    org_id: int | None  # None: not one the actor may open (described by region only)
    name: str
    region: str
    side: str  # partner | other
    offer_text: str
    score: float
    low_confidence: bool
    mode_label: str
    why: str
    explanation: dict[str, Any] = field(default_factory=dict)


@dataclass
class NodeView:
    """One node of a declared chain: covered (its local makers) or missing (its candidates)."""

    name: str
    role: str  # core | input | output
    role_label: str
    kind_label: str
    linked_to: list[str]  # core nodes that buy it (input) or feed it (output)
    makers: list[str] = field(default_factory=list)  # local organizations making it (covered nodes)
    users: list[str] = field(default_factory=list)  # local organizations at the core nodes it is linked to
    partner: list[Candidate] = field(default_factory=list)
    others: list[Candidate] = field(default_factory=list)


@dataclass
class ChainGaps:
    entry: str
    label: str
    anchored: bool
    covered: list[NodeView]
    missing: list[NodeView]


@dataclass
class ChainChoice:
    entry: str
    label: str


@dataclass
class GapReport:
    """补链 of one park: its chains (all, or the one asked for) and which ranker ranked the candidates."""

    park: str
    park_region: str
    partner_region: str
    chains: list[ChainGaps]
    choices: list[ChainChoice]
    ranker: str  # learned | fallback
    local_km: float
    demo: bool = False


def pick_chains(chains: list[DeclaredChain], ref: str | None, park: str) -> list[DeclaredChain]:
    """All declared chains, or the one `ref` names (its entry, label, a code under it or its industry name)."""
    if not chains:
        raise CoparkError(t("gaps.no_positioning", park=park), t("gaps.no_positioning.fix"))
    if ref is None or not ref.strip():
        return chains
    text = ref.strip()
    code = parse_code(text)
    for chain in chains:
        if text in (chain.entry, chain.label) or (code is not None and (code in chain.codes or chain.holds(code))):
            return [chain]
    named = [c for c in chains if text in c.label]
    if len(named) == 1:
        return named
    raise CoparkError(t("gaps.unknown_chain", chain=text[:40], park=park),
                      t("gaps.unknown_chain.fix", choices="、".join(c.entry for c in chains)))


def _asker(ctx: Context, chain: DeclaredChain, number: int) -> OrgDoc:
    """The park asking for a chain's missing nodes: an organization with no offers, in the park's county."""
    from copark.services.opportunities import region_lonlat

    park = ctx.park
    return OrgDoc(id=-number, name=park.name, kind="government", region_code=park.region_code,
                  industry_code=chain.codes[0] if chain.codes else None,
                  lonlat=region_lonlat(ctx.regions, park.region_code) if park.region_code else None,
                  park_id=park.id, positioning=tuple(str(p) for p in (park.positioning or [])), text=chain.label)


def _need(node: GapNode, asker: OrgDoc) -> ItemDoc:
    kind = ITEM_KIND.get(node.kind, ItemKind.product) if node.role == "input" else ItemKind.product
    return ItemDoc(id=None, org_id=asker.id, direction="need", kind=kind.value, text=node.name,
                   origin=Origin.inferred.value)


def chain_gaps(*, session: Session, actor: Actor, regions: RegionTable, park: str | None = None,
               chain: str | None = None, partner_top: int = CHAIN_GAPS.partner_top,
               other_top: int = CHAIN_GAPS.other_top) -> GapReport:
    """补链 of a park (named, the operator's, or the only one): each declared chain's covered and missing nodes,
    missing nodes with the engine's candidates from the partner region, then from other regions."""
    from copark.matching.config import PARK_FIT
    from copark.matching.engine import PairRule
    from copark.services import projects
    from copark.services.opportunities import build_engine, stored_ranker

    require_reader(actor)
    for value in (partner_top, other_top):
        if not 0 <= value <= 50:
            raise CoparkError(t("gaps.bad_top", value=value), t("gaps.bad_top.fix"))
    target = projects.resolve_park(session, actor, park)
    ctx = context(session, actor, target, regions)
    wanted = pick_chains(ctx.chains, chain, target.name)
    # a node is covered by a local enterprise (or trade platform) making it, as a candidate must be one
    local = {name: [(o, text) for o, text in found if o.local and o.kind in PARK_FIT.link_kinds]
             for name, found in ctx.makers.items()}
    trees = [chain_tree(ctx.graph, c, local) for c in wanted]
    askers = [_asker(ctx, c, i + 1) for i, c in enumerate(wanted)]
    needs = [(tree, node, _need(node, asker)) for tree, asker in zip(trees, askers, strict=True)
             for node in tree.missing]
    ranker, _ = stored_ranker(session)
    partner_found: list[list[Match]] = [[] for _ in needs]
    other_found: list[list[Match]] = [[] for _ in needs]
    if needs:
        engine, _ = build_engine(session=session, regions=regions, ranker=ranker, askers=askers)
        items = [need for _, _, need in needs]
        if target.partner_region_code and partner_top:
            pairing = PairRule(cross_region=True, pairings=((target.region_code or "", target.partner_region_code),))
            partner_found = engine.match_many(items, top=partner_top, rule=pairing)
        if other_top:
            near = sum(1 for n in ctx.neighbours if n.side != "other")  # shown apart or local: skipped below
            other_found = engine.match_many(items, top=other_top + near, rule=PairRule(cross_region=False))
    sides = {n.id: n for n in ctx.neighbours}

    def candidates(matches: list[Match], side: str, top: int) -> list[Candidate]:
        out = []
        for m in matches:
            org = sides.get(m.offer.org_id)
            if org is None or org.side != side or org.kind not in PARK_FIT.link_kinds:
                continue  # enterprises (and trade platforms) fill a chain node; schools and banks do not
            shown = ctx.allowed is None or org.id in ctx.allowed
            out.append(Candidate(
                len(out) + 1, org.id if shown else None, org.name if shown else t("fit.anon", region=org.region_name),
                org.region_name, side, m.offer.text, m.score,
                bool(m.explanation.get("low_confidence")), mode_label(m.mode), render_why(m.explanation),
                m.explanation))
            if len(out) >= top:
                break
        return out

    found = {(id(tree), node.name): (p, o) for (tree, node, _), p, o in zip(needs, partner_found, other_found,
                                                                             strict=True)}
    out = []
    for tree in trees:
        def view(node: GapNode, tree: Any = tree) -> NodeView:
            users = [o for core in node.linked_to for o, _ in local.get(core, [])]
            makers = list(dict.fromkeys(_shown(ctx, o) for o, _ in node.makers))
            partner, others = found.get((id(tree), node.name), ([], []))
            return NodeView(node.name, node.role, t(f"gaps.role.{node.role}"),
                            t(f"gaps.kind.{node.kind}") if node.kind else "", node.linked_to, makers,
                            list(dict.fromkeys(_shown(ctx, o) for o in users)),
                            candidates(partner, "partner", partner_top), candidates(others, "other", other_top))

        covered = [view(n) for n in tree.covered]
        out.append(ChainGaps(tree.chain.entry, tree.chain.label, tree.anchored, covered,
                             [view(n) for n in tree.missing]))
    return GapReport(target.name, _region(regions, target.region_code), _region(regions, target.partner_region_code),
                     out, [ChainChoice(c.entry, c.label) for c in ctx.chains], "learned" if ranker else "fallback",
                     PARK_FIT.local_km, demo=target.source == DEMO_SOURCE)


def _shown(ctx: Context, org: Any) -> str:
    return org.name if ctx.allowed is None or org.id in ctx.allowed else t("fit.anon", region=org.region_name)


def _region(regions: RegionTable, code: str | None) -> str:
    return regions.full_name(code) if code and code in regions.by_code else (code or "")


def write_gaps(report: GapReport, path: Any) -> int:
    """The target list as .xlsx (缺失环节 with candidates, 已覆盖环节) or .csv (缺失环节); returns its rows."""
    import csv
    from pathlib import Path

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise CoparkError(t("gaps.bad_suffix", suffix=suffix or path.name), t("gaps.bad_suffix.fix"))
    header = [t(f"gaps.col.{c}") for c in ("chain", "node", "role", "linked_to", "users", "side", "rank", "org",
                                           "region", "offer", "score", "low", "mode", "why")]
    rows: list[list[Any]] = []
    for chain in report.chains:
        for node in chain.missing:
            base = [chain.label, node.name, node.role_label, "、".join(node.linked_to), "、".join(node.users)]
            shown = node.partner + node.others
            for c in shown:
                rows.append([*base, t(f"gaps.side.{c.side}"), c.rank, c.name, c.region, c.offer_text, c.score,
                             t("gaps.yes") if c.low_confidence else "", c.mode_label, c.why])
            if not shown:
                rows.append([*base, "", "", t("gaps.no_candidate"), "", "", "", "", "", ""])
    notice = [t("gaps.demo_notice")] if report.demo else []
    if suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            if notice:
                writer.writerow(notice)
            writer.writerow(header)
            writer.writerows(rows)
        return len(rows)
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = t("gaps.sheet.missing")
    if notice:
        sheet.append(notice)
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    covered = book.create_sheet(t("gaps.sheet.covered"))
    covered.append([t(f"gaps.col.{c}") for c in ("chain", "node", "role", "linked_to", "makers")])
    for chain in report.chains:
        for node in chain.covered:
            covered.append([chain.label, node.name, node.role_label, "、".join(node.linked_to),
                            "、".join(node.makers)])
    book.save(path)
    return len(rows)

