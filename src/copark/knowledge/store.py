"""Database side of the knowledge base: kb_node/kb_relation, kb_company and industry rows, written in batches."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, exists, func, insert, or_, select
from sqlalchemy.orm import Session

from copark.core.errors import CoparkError
from copark.knowledge.graph import ChainGraph, EdgeRecord, NodeRecord, build_graph, curated_records
from copark.locale import t
from copark.storage.tables import Industry, KnowledgeCompany, KnowledgeNode, KnowledgeRelation

BATCH = 5000
NAME_MAX = 128  # kb_node.name is String(128)
CODE_MAX = 32  # kb_company.code is String(32)
COMPANY_MAX = {"name": 255, "fullname": 255, "industry": 128}  # kb_company's text columns


@dataclass
class LoadCounts:
    """What one source's import wrote (and what it left out below the confidence floor)."""

    source: str
    nodes: int = 0
    relations: int = 0
    skipped_low_confidence: int = 0
    duplicates: int = 0
    by_rel: dict[str, int] = field(default_factory=dict)


def read_graph_records(*, session: Session, sources: Iterable[str] | None = None,
                       min_confidence: float = 0.0) -> tuple[list[NodeRecord], list[EdgeRecord]]:
    """Imported nodes and relations (optionally of some sources only) as graph records."""
    wanted = None if sources is None else list(sources)
    # Core columns, not ORM entities: this reads ~10^5 rows and ORM row processing would double the time.
    node, relation = KnowledgeNode.__table__.c, KnowledgeRelation.__table__.c
    node_query = select(node.name, node.industry_code, node.aliases, node.source)
    if wanted is not None:
        node_query = node_query.where(node.source.in_(wanted))
    nodes = [NodeRecord(name, code, tuple(aliases or ()), source)
             for name, code, aliases, source in session.connection().execute(node_query)]
    a, b = KnowledgeNode.__table__.alias("a"), KnowledgeNode.__table__.alias("b")
    query = (
        select(a.c.name, relation.rel, b.c.name, relation.weight, relation.confidence, relation.source)
        .join_from(KnowledgeRelation.__table__, a, a.c.id == relation.from_id)
        .join(b, b.c.id == relation.to_id)
        .where(relation.confidence >= min_confidence)
    )
    if wanted is not None:
        query = query.where(relation.source.in_(wanted))
    # Imported chain relations do not say which kind of input they are; 上游材料 means material.
    edges = [EdgeRecord(src, rel, dst, "material" if rel == "upstream" else "", weight, conf, source)
             for src, rel, dst, weight, conf, source in session.connection().execute(query)]
    return nodes, edges


def version(*, session: Session) -> tuple[object, ...]:
    """Changes whenever kb_node or kb_relation rows are added, removed or replaced (ids only grow)."""
    nodes = session.execute(select(func.count(), func.max(KnowledgeNode.id))).one()
    relations = session.execute(
        select(func.count(), func.max(KnowledgeRelation.id), func.sum(KnowledgeRelation.confidence))).one()
    return (*nodes, *relations)


def clear_source(*, session: Session, source: str) -> None:
    """Remove one source's relations, and its nodes no other source's relation still uses."""
    session.execute(delete(KnowledgeRelation).where(KnowledgeRelation.source == source))
    used = exists().where(or_(KnowledgeRelation.from_id == KnowledgeNode.id, KnowledgeRelation.to_id == KnowledgeNode.id))
    session.execute(delete(KnowledgeNode).where(KnowledgeNode.source == source, ~used))


def replace_relations(*, session: Session, source: str, edges: Iterable[tuple[EdgeRecord, str]],
                      min_confidence: float = 0.0) -> LoadCounts:
    """Replace `source`'s relations by `edges` ((record, where) pairs), streamed in batches; caller commits."""
    clear_source(session=session, source=source)
    ids: dict[str, int] = dict(session.execute(select(KnowledgeNode.name, KnowledgeNode.id)).tuples().all())
    counts = LoadCounts(source)
    seen: set[tuple[str, str, str]] = set()
    pending: list[EdgeRecord] = []

    def flush() -> None:
        new_names = list(dict.fromkeys(n for e in pending for n in (e.src, e.dst) if n not in ids))
        if new_names:
            statement = insert(KnowledgeNode).returning(KnowledgeNode.id, KnowledgeNode.name,
                                                        sort_by_parameter_order=True)
            rows = [{"name": n, "aliases": [], "source": source} for n in new_names]
            for node_id, name in session.execute(statement, rows):
                ids[name] = node_id
            counts.nodes += len(new_names)
        session.execute(insert(KnowledgeRelation), [
            {"from_id": ids[e.src], "to_id": ids[e.dst], "rel": e.rel, "weight": e.weight,
             "confidence": e.confidence, "source": source} for e in pending
        ])
        counts.relations += len(pending)
        pending.clear()

    for edge, where in edges:
        for name in (edge.src, edge.dst):
            if not name or len(name) > NAME_MAX:
                raise CoparkError(t("kb.import.bad_name", name=name[:40], max=NAME_MAX), t("kb.import.fix"),
                                  where=where)
        if edge.confidence < min_confidence:
            counts.skipped_low_confidence += 1
            continue
        triple = (edge.src, edge.dst, edge.rel)
        if triple in seen or edge.src == edge.dst:
            counts.duplicates += 1
            continue
        seen.add(triple)
        counts.by_rel[edge.rel] = counts.by_rel.get(edge.rel, 0) + 1
        pending.append(edge)
        if len(pending) >= BATCH:
            flush()
    if pending:
        flush()
    return counts


@dataclass(frozen=True)
class CompanyRecord:
    """One firm's product list as a knowledge source gives it (products best first, no duplicates)."""

    source: str
    code: str
    name: str
    fullname: str = ""
    industry: str = ""
    products: tuple[str, ...] = ()


def replace_companies(*, session: Session, source: str, companies: Iterable[CompanyRecord]) -> int:
    """Replace `source`'s kb_company rows by `companies` (one per code: the first wins), in batches; caller commits."""
    session.execute(delete(KnowledgeCompany).where(KnowledgeCompany.source == source))
    seen: set[str] = set()
    pending: list[dict[str, object]] = []
    count = 0
    for company in companies:
        if len(company.code) > CODE_MAX:
            raise CoparkError(t("kb.import.bad_code", code=company.code[:40], max=CODE_MAX), t("kb.import.fix"),
                              where=company.name)
        for column, limit in COMPANY_MAX.items():
            value = getattr(company, column)
            if len(value) > limit:  # cutting it would store another name than the source's
                raise CoparkError(t("kb.import.long_company", column=t(f"kb.company.{column}"), value=value[:40],
                                    max=limit), t("kb.import.fix"), where=company.code)
        if company.code in seen:
            continue
        seen.add(company.code)
        pending.append({"source": source, "code": company.code, "name": company.name,
                        "fullname": company.fullname, "industry": company.industry,
                        "products": list(company.products)})
        if len(pending) >= BATCH:
            session.execute(insert(KnowledgeCompany), pending)
            count += len(pending)
            pending.clear()
    if pending:
        session.execute(insert(KnowledgeCompany), pending)
        count += len(pending)
    return count


def read_companies(*, session: Session) -> list[CompanyRecord]:
    """Every imported firm with its products, ordered by (source, code): what a fit reads, in a stable order."""
    company = KnowledgeCompany.__table__.c
    query = select(company.source, company.code, company.name, company.fullname, company.industry,
                   company.products).order_by(company.source, company.code)
    return [CompanyRecord(source, code, name, fullname or "", industry or "", tuple(str(p) for p in products or ()))
            for source, code, name, fullname, industry, products in session.connection().execute(query)]


def upsert_industries(*, session: Session, rows: Iterable[dict[str, object]], source: str) -> tuple[int, int]:
    """Insert or update GB/T 4754 industry rows by code; returns (created, updated)."""
    existing = {i.code: i for i in session.scalars(select(Industry))}
    created = updated = 0
    for row in rows:
        current = existing.get(str(row["code"]))
        if current is None:
            industry = Industry(**row, source=source)
            session.add(industry)
            existing[industry.code] = industry
            created += 1
        else:
            for column, value in row.items():
                setattr(current, column, value)
            current.source = source
            updated += 1
    session.flush()
    return created, updated



_DB_GRAPHS: dict[tuple[object, ...], ChainGraph] = {}


def load_graph(session: Session, *, sources: Iterable[str] | None = None, min_confidence: float = 0.0,
               data_dir: Path | None = None) -> ChainGraph:
    """The chain graph of a workspace: the curated CSVs plus the kb_node/kb_relation rows of `sources`."""
    wanted = None if sources is None else tuple(sorted(set(sources)))
    # Building from ~10^5 imported rows takes seconds: reuse the graph while the kb tables are unchanged.
    cache_key = (str(session.get_bind().url), data_dir, wanted, min_confidence, version(session=session))
    if cache_key in _DB_GRAPHS:
        return _DB_GRAPHS[cache_key]
    nodes, edges = curated_records(data_dir)
    db_nodes, db_edges = read_graph_records(session=session, sources=wanted, min_confidence=min_confidence)
    graph = build_graph([*nodes, *db_nodes], [*edges, *db_edges], min_confidence=min_confidence)
    if len(_DB_GRAPHS) >= 2:
        _DB_GRAPHS.pop(next(iter(_DB_GRAPHS)))
    _DB_GRAPHS[cache_key] = graph
    return graph
