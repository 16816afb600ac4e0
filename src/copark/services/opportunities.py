"""对接机会 (opportunities): compute them from the database's own lists, store them, query them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, delete, exists, false, func, or_, select
from sqlalchemy.orm import Session, aliased

from copark.core.errors import CoparkError
from copark.knowledge.text import fold
from copark.locale import t
from copark.matching.encoders import Encoder
from copark.matching.engine import Match, MatchEngine, PairRule
from copark.matching.explain import render_why
from copark.matching.features import ItemDoc, OrgDoc, clean_industry, section_of
from copark.matching.modes import mode_label
from copark.matching.orgsignals import OrgProfile
from copark.matching.ranker import RANKER_VERSION, LearnedRanker
from copark.matching.retrieval import head_word
from copark.matching.signals import SIGNALS
from copark.parsing.names import different_places, normalize_name
from copark.parsing.regions import RegionTable, builtin_regions
from copark.services.access import OrgScope, park_of, within
from copark.services.items import LISTED
from copark.services.organizations import find_organization
from copark.storage.tables import (
    DockingRecord,
    Item,
    Opportunity,
    OpportunityDismissal,
    Organization,
    Park,
    RankerModel,
)

_USE_KNOWLEDGE = object()


@dataclass
class OpportunityView:
    """One opportunity as the CLI, the web and exports show it."""

    id: int | None
    score: float
    mode: str
    mode_label: str
    need_org_id: int
    need_org: str
    need_region: str
    need_text: str
    need_kind: str
    offer_org_id: int
    offer_org: str
    offer_region: str
    offer_text: str
    offer_kind: str
    why: str
    explanation: dict[str, Any] = field(default_factory=dict)
    need_item_id: int | None = None
    offer_item_id: int | None = None  # None: one of the organization's 主营产品
    need_origin: str = "declared"  # declared | inferred (推断需求)

    @property
    def low_confidence(self) -> bool:
        """Shown marked 低置信度: the score is below the line (config.RETRIEVAL.low_confidence)."""
        return bool(self.explanation.get("low_confidence", False))

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "low_confidence": self.low_confidence}


@dataclass
class MatchRun:
    """What one `match` computed and stored, and which ranker ranked it."""

    opportunities: list[OpportunityView]
    needs: int
    cross_region: bool
    orgs_without_region: int = 0
    ranker: str = "fallback"  # learned | fallback
    ranker_stale: bool = False  # the lists changed since the learned ranker was fitted
    ranker_cases: int = 0  # self-supervised cases the learned ranker was fitted on


@dataclass
class FitResult:
    """What `copark fit` trained (None model: too few held-out products, the hand-weighted fallback ranks)."""

    fitted: bool
    organizations: int
    offers: int
    figures: dict[str, Any] = field(default_factory=dict)
    knowledge_organizations: int = 0  # imported companies that joined the training (kb_company)


def validate_industry(session: Session, code: str) -> str:
    """A GB/T 4754-2017 code or exact name as given ('C3581', '358', 'C', '医疗仪器设备及器械制造'), checked the
    way the importer checks 行业 cells (io.industries.resolve_industry, the one rule); CoparkError otherwise."""
    from copark.io.industries import resolve_industry
    from copark.knowledge.industries import load_industries

    return resolve_industry(load_industries(session), (code or "").strip())


def _in_industry(org: Organization, code: str) -> bool:
    mine = clean_industry(org.industry_code)
    if len(code) == 1:
        return section_of(mine) == code
    return bool(mine) and mine.startswith(code)


def region_lonlat(regions: RegionTable, code: str | None) -> tuple[float, float] | None:
    """A region's (longitude, latitude), or its nearest ancestor's when the table has none for it."""
    record = regions.by_code.get(code or "")
    while record is not None:
        if record.longitude is not None and record.latitude is not None:
            return record.longitude, record.latitude
        record = regions.by_code.get(record.parent_code or "")
    return None


def _region_name(regions: RegionTable, code: str | None) -> str:
    if code and code in regions.by_code:
        return regions.by_code[code].name
    return code or ""


def _load_graph(session: Session) -> Any:
    from copark.knowledge.store import load_graph

    return load_graph(session)


def stored_ranker(session: Session) -> tuple[LearnedRanker | None, RankerModel | None]:
    """The learned ranker fitted on this workspace (None when never fitted or fitted by another version)."""
    row = session.scalar(select(RankerModel).order_by(RankerModel.id.desc()).limit(1))
    if row is None or row.version != RANKER_VERSION:
        return None, row
    return LearnedRanker.from_json(row.model), row


def build_engine(*, session: Session, regions: RegionTable, graph: Any = _USE_KNOWLEDGE,
                 encoder: Encoder | None = None, ranker: LearnedRanker | None = None,
                 askers: Sequence[OrgDoc] = ()) -> tuple[MatchEngine, list[ItemDoc]]:
    """The workspace's offers indexed for matching, and its needs (dismissed inferred items left out).

    `askers` join the organizations with no offers, so they can hold needs but never answer one: a park asking
    for a missing chain node (services.parkfit). Their ids must be negative (no stored organization's)."""
    orgs, offers, needs = _documents(session, regions)
    if any(a.id >= 0 or a.id in orgs for a in askers):
        raise ValueError("askers need negative ids of their own")
    orgs.update({a.id: a for a in askers})
    if graph is _USE_KNOWLEDGE:
        graph = _load_graph(session)
    return MatchEngine(offers=offers, orgs=orgs, graph=graph, encoder=encoder, ranker=ranker), needs


def knowledge_profiles(session: Session, regions: RegionTable) -> list[OrgProfile]:
    """The imported company–product lists (kb_company) as training organizations, ordered by (source, code).

    A firm the workspace already holds is left out, so it is never both an organization and its own training twin:
    the same firm by the importer's identity rule (the same normalize_name key of its name or full name, and no
    different places in the two names, as io.validate settles a row against stored organizations)."""
    from copark.knowledge.store import read_companies

    words = regions.words()
    stored: dict[str, list[str]] = {}
    for name, norm in session.execute(select(Organization.name, Organization.norm_name)).tuples():
        stored.setdefault(norm, []).append(name)

    def held(name: str) -> bool:
        norm = normalize_name(name, words) if name.strip() else ""
        return bool(norm) and any(not different_places(mine, name, words) for mine in stored.get(norm, ()))

    return [OrgProfile(f"kb:{c.source}:{c.code}", c.name, "", c.industry, c.products)
            for c in read_companies(session=session)
            if c.products and not held(c.name) and not held(c.fullname)]


def fit_ranker(*, session: Session, regions: RegionTable | None = None, without: Sequence[str] = (),
               seed: int = 13, graph: Any = _USE_KNOWLEDGE, encoder: Encoder | None = None,
               knowledge: bool = False) -> FitResult:
    """Fit the learned ranker on the workspace's own offer lists (held-out products) and store it.

    `knowledge`: the company–product lists imported with `copark kb import` join the training (never the
    matching), so a park of ~100 enterprises can learn too. Off by default: on the demo park (66 organizations)
    the model so trained ranked worse than the hand-weighted fallback (README, "Benchmarks"). With too few
    products to hold out nothing is stored and any earlier model is removed: the hand-weighted fallback ranks
    until the lists grow.
    """
    unknown = sorted(set(without) - set(SIGNALS))
    if unknown:
        raise CoparkError(t("fit.error.unknown_signal", names="、".join(unknown)),
                          t("fit.error.unknown_signal.fix", names="、".join(SIGNALS)))
    if session.scalar(select(Organization.id).limit(1)) is None:
        raise CoparkError(t("match.error.empty_db"), t("match.error.empty_db.fix"))
    regions = regions or builtin_regions()
    engine, _ = build_engine(session=session, regions=regions, graph=graph, encoder=encoder)
    enabled = frozenset(SIGNALS) - set(without) - (set() if encoder is not None else {"dense"})
    extra = knowledge_profiles(session, regions) if knowledge else []
    model = engine.fit_ranker(enabled=enabled, seed=seed, extra=extra)
    session.execute(delete(RankerModel))
    counts = {"organizations": len(engine.orgs), "offers": len(engine.offers)}
    if model is None:
        return FitResult(False, knowledge_organizations=len(extra), **counts)
    session.add(RankerModel(version=model.version, model=model.to_json(), figures=model.figures, **counts))
    session.flush()
    return FitResult(True, figures=model.figures, knowledge_organizations=len(extra), **counts)


def _keys(texts: list[str]) -> frozenset[str]:
    """What an organization's items are about, for reciprocity: each whole text and its head noun."""
    return frozenset(k for text in texts for k in (fold(text), head_word(text)) if len(k) >= 2)


def _documents(session: Session, regions: RegionTable) -> tuple[dict[int, OrgDoc], list[ItemDoc], list[ItemDoc]]:
    """Organizations and their offers/needs as engine documents (withdrawn and dismissed items left out)."""
    parks = list(session.scalars(select(Park)))
    orgs = list(session.scalars(select(Organization).order_by(Organization.id)))
    items = session.scalars(select(Item).where((Item.status.is_(None)) | (Item.status != "dismissed"), LISTED)
                            .order_by(Item.id)).all()
    by_org: dict[int, list[Item]] = {}
    for item in items:
        by_org.setdefault(item.organization_id, []).append(item)
    docs: dict[int, OrgDoc] = {}
    offers: list[ItemDoc] = []
    needs: list[ItemDoc] = []
    for org in orgs:
        mine = by_org.get(org.id, [])
        products = [str(p) for p in (org.products or []) if str(p).strip()]
        park = park_of(org, parks)
        for item in mine:
            doc = ItemDoc(id=item.id, org_id=org.id, direction=item.direction, kind=item.kind, text=item.text,
                          quantity=item.quantity, unit=item.unit or "", annual_value=item.annual_value,
                          certifications=item.certifications or "", origin=item.origin)
            (offers if item.direction == "offer" else needs).append(doc)
        offered = {i.text.strip() for i in mine if i.direction == "offer"}
        for product in products:  # 主营产品 are offers too, unless already listed as one
            if product.strip() not in offered:
                offers.append(ItemDoc(id=None, org_id=org.id, direction="offer", kind="product", text=product))
        docs[org.id] = OrgDoc(
            id=org.id, name=org.name, kind=org.kind, region_code=org.region_code,
            industry_code=org.industry_code, lonlat=region_lonlat(regions, org.region_code), park_id=org.park_id,
            positioning=tuple(str(p) for p in (park.positioning or [])) if park else (),
            text=" ".join([org.name, org.short_name or "", *products, org.description or ""]),
            description=org.description or "", industry_text=org.industry_text or "",
            offer_keys=_keys([*products, *(i.text for i in mine if i.direction == "offer")]),
            need_keys=_keys([i.text for i in mine if i.direction == "need"]),
        )
    return docs, offers, needs


def _view(match: Match, orgs: dict[int, OrgDoc], regions: RegionTable, opp_id: int | None = None) -> OpportunityView:
    need_org, offer_org = orgs[match.need.org_id], orgs[match.offer.org_id]
    return OpportunityView(
        id=opp_id, score=match.score, mode=match.mode.value, mode_label=mode_label(match.mode),
        need_org_id=need_org.id, need_org=need_org.name, need_region=_region_name(regions, need_org.region_code),
        need_text=match.need.text, need_kind=match.need.kind, offer_org_id=offer_org.id, offer_org=offer_org.name,
        offer_region=_region_name(regions, offer_org.region_code), offer_text=match.offer.text,
        offer_kind=match.offer.kind, why=render_why(match.explanation), explanation=match.explanation,
        need_item_id=match.need.id, offer_item_id=match.offer.id, need_origin=match.need.origin,
    )


def match(*, session: Session, org: str | None = None, industry: str | None = None, park: str | None = None,
          cross_region: bool = True, top: int = 10, regions: RegionTable | None = None,
          graph: Any = _USE_KNOWLEDGE, encoder: Encoder | None = None, learned: bool = True) -> MatchRun:
    """Match the needs in scope (one org, an industry, a park's orgs, or all) and store the opportunities.

    The ranker is the one `fit_ranker` stored (unless `learned=False`), else the hand-weighted fallback.
    Opportunities of the needs in scope replace those of the previous run; other needs' stay.
    """
    if top < 1:
        raise CoparkError(t("match.error.bad_top", value=top), t("match.error.bad_top.fix"))
    if sum(x is not None for x in (org, industry, park)) > 1:
        raise CoparkError(t("match.error.conflicting_scope"), t("match.error.conflicting_scope.fix"))
    regions = regions or builtin_regions()
    code = validate_industry(session, industry) if industry is not None else None
    if session.scalar(select(Organization.id).limit(1)) is None:
        raise CoparkError(t("match.error.empty_db"), t("match.error.empty_db.fix"))
    scope_ids: set[int] | None = None
    scope_label = t("match.scope.all")
    if org is not None:
        found = find_organization(session=session, ref=org)
        scope_ids, scope_label = {found.id}, t("match.scope.org", name=found.name)
    elif code is not None:
        scope_ids = {o.id for o in session.scalars(select(Organization)) if _in_industry(o, code)}
        scope_label = t("match.scope.industry", code=industry)
    elif park is not None:
        found_park = session.scalar(select(Park).where(Park.name == park.strip()))
        if found_park is None:
            raise CoparkError(t("match.error.unknown_park", ref=park), t("match.error.unknown_park.fix"))
        all_parks = list(session.scalars(select(Park)))
        scope_ids = {o.id for o in session.scalars(select(Organization))
                     if (p := park_of(o, all_parks)) is not None and p.id == found_park.id}
        scope_label = t("match.scope.park", name=found_park.name)
    ranker, stored = stored_ranker(session) if learned else (None, None)
    engine, needs = build_engine(session=session, regions=regions, graph=graph, encoder=encoder, ranker=ranker)
    orgs = engine.orgs
    needs = [n for n in needs if scope_ids is None or n.org_id in scope_ids]
    if not needs:
        raise CoparkError(t("match.error.no_needs", scope=scope_label), t("match.error.no_needs.fix"))
    pairings = tuple((p.region_code, p.partner_region_code) for p in session.scalars(select(Park))
                     if p.region_code and p.partner_region_code)
    rule = PairRule(cross_region=cross_region, pairings=pairings)
    matches = [m for need in needs for m in engine.match_need(need, top=top, rule=rule)]

    stale = delete(Opportunity)
    if scope_ids is not None:
        stale = stale.where(Opportunity.need_org_id.in_(sorted(scope_ids)))
    session.execute(stale)
    rows = [Opportunity(need_item_id=m.need.id, offer_item_id=m.offer.id, need_org_id=m.need.org_id,
                        offer_org_id=m.offer.org_id, score=m.score, mode=m.mode.value, explanation=m.explanation)
            for m in matches]
    session.add_all(rows)
    session.flush()
    views = [_view(m, orgs, regions, row.id) for m, row in zip(matches, rows, strict=True)]
    views.sort(key=lambda v: (-v.score, v.need_org, v.need_text, _model_rank(v), v.offer_org))
    need_orgs = {n.org_id for n in needs}
    missing_region = sum(1 for oid in need_orgs if not orgs[oid].region_code) if cross_region else 0
    outdated = stored is not None and ranker is not None and (stored.organizations, stored.offers) != (
        len(engine.orgs), len(engine.offers))
    return MatchRun(opportunities=views, needs=len(needs), cross_region=cross_region,
                    orgs_without_region=missing_region, ranker="learned" if ranker else "fallback",
                    ranker_stale=outdated, ranker_cases=int((ranker.figures if ranker else {}).get("cases", 0)))


def _model_rank(view: OpportunityView) -> int:
    """The learned ranker's order among equal calibrated scores (0 for hand-weighted opportunities)."""
    return int((view.explanation.get("model") or {}).get("rank", 0))


def list_opportunities(*, session: Session, org: str | None = None, top: int | None = None,
                       regions: RegionTable | None = None) -> list[OpportunityView]:
    """Stored opportunities, best first (of one organization's needs when `org` is given)."""
    need_org = find_organization(session=session, ref=org).id if org is not None else None
    return [found[0] for found in find_opportunities(session=session, need_org_id=need_org, limit=top,
                                                     regions=regions)]


_LETTERS = "ABCDEFGHIJKLMNOPQRST"


class Side(NamedTuple):
    """What a page shows of one side's organization (api.parties.party reads these), read as plain columns: building
    ORM objects for the two organizations of each of 200 rows was a third of the 对接机会 page's time (bench/web)."""

    id: int
    name: str
    region_code: str | None
    industry_code: str | None
    employees: int | None
    contact: str | None


def _side_columns(org: Any) -> tuple[Any, ...]:
    return (org.id, org.name, org.region_code, org.industry_code, org.employees, org.contact)


def find_opportunities(*, session: Session, regions: RegionTable | None = None, need_org_id: int | None = None,
                       visible: OrgScope | None = None, pushed_only: bool = False, mode: str | None = None,
                       kind: str | None = None, score: tuple[float, float] | None = None,
                       industry: tuple[str, ...] | None = None, area: str | None = None,
                       opportunity_id: int | None = None, limit: int | None = None,
                       ) -> list[tuple[OpportunityView, DockingRecord | None, Side | None, Side | None]]:
    """Stored opportunities, best first (score, then id), that every filter given selects, each with the newest
    docking record of its pair and the two organizations; only the `limit` shown are turned into views. Opportunities
    marked not relevant are left out. `visible`: one side must be an organization this scope (access.org_scope)
    admits; `pushed_only`: only those with a record past 推荐; `kind`: of either side; `score`: [low, high);
    `industry`: code prefixes of either organization; `area`: a region either organization lies in."""
    regions = regions or builtin_regions()
    # Aliases made per call (~3 ms): shared module-level ones were in the code when a bench/web run saw one server
    # process stuck for minutes on this page's row query, and their lazily built column proxies are shared between
    # threads; not shown to be the cause, but not worth the risk.
    need_org, offer_org = aliased(Organization, name="need_org"), aliased(Organization, name="offer_org")
    need_item, offer_item = aliased(Item, name="need_item"), aliased(Item, name="offer_item")
    other = aliased(DockingRecord, name="other")
    newest = select(func.max(other.id)).where(
        other.need_item_id.is_not_distinct_from(Opportunity.need_item_id),
        other.offer_item_id.is_not_distinct_from(Opportunity.offer_item_id),
        other.need_org_id == Opportunity.need_org_id, other.offer_org_id == Opportunity.offer_org_id,
    ).correlate(Opportunity).scalar_subquery()
    dismissed = exists().where(
        OpportunityDismissal.need_item_id.is_not_distinct_from(Opportunity.need_item_id),
        OpportunityDismissal.offer_item_id.is_not_distinct_from(Opportunity.offer_item_id),
        OpportunityDismissal.offer_org_id == Opportunity.offer_org_id)
    # First the ids of the page, best first, joining only what the filters read (the score index then serves the
    # order and the scan stops at the page); then the page's rows with everything shown.
    ids = select(Opportunity.id).where(~dismissed)
    if pushed_only:
        ids = ids.outerjoin(DockingRecord, DockingRecord.id == newest).where(
            DockingRecord.id.is_not(None), DockingRecord.stage != "recommended")
    if industry is not None or area or visible is not None:
        # Outer joins keep SQLite reading opportunities first, best first through the score index, and looking each
        # side up by its key; the scope is checked on those rows (a park's share is large, so the page fills after
        # a few hundred rows, where collecting the park's ids first cost ~35 ms per mention).
        ids = (ids.outerjoin(need_org, need_org.id == Opportunity.need_org_id)
               .outerjoin(offer_org, offer_org.id == Opportunity.offer_org_id))
    if kind:
        ids = (ids.outerjoin(need_item, need_item.id == Opportunity.need_item_id)
               .outerjoin(offer_item, offer_item.id == Opportunity.offer_item_id)
               .where(or_(func.coalesce(need_item.kind, "") == kind,
                          func.coalesce(offer_item.kind, "product") == kind)))
    if need_org_id is not None:
        ids = ids.where(Opportunity.need_org_id == need_org_id)
    if opportunity_id is not None:
        ids = ids.where(Opportunity.id == opportunity_id)
    if visible is not None:
        ids = ids.where(or_(visible(need_org), visible(offer_org)))
    if mode:
        ids = ids.where(Opportunity.mode == mode)
    if score is not None:
        ids = ids.where(Opportunity.score >= score[0], Opportunity.score < score[1])
    if industry is not None:
        def of(o: Any) -> ColumnElement[bool]:
            code = func.ltrim(func.coalesce(o.industry_code, ""), _LETTERS)
            return or_(*(code.like(p + "%") for p in industry)) if industry != ("\0",) else false()
        ids = ids.where(or_(of(need_org), of(offer_org)))
    if area:
        ids = ids.where(or_(within(need_org.region_code, area), within(offer_org.region_code, area)))
    ids = ids.order_by(Opportunity.score.desc(), Opportunity.id)
    if limit is not None:
        ids = ids.limit(limit)
    page = list(session.scalars(ids))
    if not page:
        return []
    # The page's rows as plain columns; only a docking record (rare, and read by docking.revealed) is an object.
    rows = (select(Opportunity.id, Opportunity.need_item_id, Opportunity.offer_item_id, Opportunity.need_org_id,
                   Opportunity.offer_org_id, Opportunity.score, Opportunity.mode, Opportunity.explanation,
                   DockingRecord, *_side_columns(need_org), *_side_columns(offer_org),
                   need_item.text, need_item.kind, need_item.origin, offer_item.text, offer_item.kind)
            .select_from(Opportunity)
            .outerjoin(DockingRecord, DockingRecord.id == newest)
            .outerjoin(need_org, need_org.id == Opportunity.need_org_id)
            .outerjoin(offer_org, offer_org.id == Opportunity.offer_org_id)
            .outerjoin(need_item, need_item.id == Opportunity.need_item_id)
            .outerjoin(offer_item, offer_item.id == Opportunity.offer_item_id)
            .where(Opportunity.id.in_(page)))
    found = {row[0]: row for row in session.execute(rows)}
    names = _RegionNames(regions)
    return [_stored_row(found[i], names) for i in page]


class _RegionNames(dict):
    """Region names of one page (a page names the same few regions many times)."""

    def __init__(self, regions: RegionTable) -> None:
        super().__init__()
        self.regions = regions

    def __missing__(self, code: str | None) -> str:
        self[code] = name = _region_name(self.regions, code)
        return name


def _stored_row(row: Any, names: _RegionNames) -> tuple[OpportunityView, DockingRecord | None, Side | None,
                                                         Side | None]:
    (opp_id, need_item_id, offer_item_id, need_org_id, offer_org_id, score, mode, explanation, record,
     *rest) = row
    need, offer = Side(*rest[0:6]), Side(*rest[6:12])
    need_text, need_kind, need_origin, offer_text, offer_kind = rest[12:17]
    need = need if need.id is not None else None
    offer = offer if offer.id is not None else None
    explanation = explanation or {}
    view = OpportunityView(
        id=opp_id, score=score, mode=mode, mode_label=mode_label(mode),
        need_org_id=need_org_id, need_org=need.name if need else "",
        need_region=names[need.region_code if need else None],
        need_text=need_text or "", need_kind=need_kind or "",
        offer_org_id=offer_org_id, offer_org=offer.name if offer else "",
        offer_region=names[offer.region_code if offer else None],
        offer_text=offer_text if offer_text is not None else t("match.offer_from_products"),
        offer_kind=offer_kind if offer_kind is not None else "product",
        need_item_id=need_item_id, offer_item_id=offer_item_id,
        need_origin=need_origin if need_origin is not None else "declared",
        why=render_why(explanation), explanation=explanation,
    )
    return view, record, need, offer


def park_opportunities(*, session: Session, park: str, industry: str | None = None, top: int = 10,
                       regions: RegionTable | None = None, graph: Any = _USE_KNOWLEDGE) -> list[OpportunityView]:
    """Top cross-region opportunities of a park's organizations (optionally of one industry), best first."""
    run = match(session=session, park=park, cross_region=True, top=top, regions=regions, graph=graph)
    found = run.opportunities
    if industry is not None:
        code = validate_industry(session, industry)
        wanted = {o.id for o in session.scalars(select(Organization)) if _in_industry(o, code)}
        found = [v for v in found if v.need_org_id in wanted]
    return found[:top]
