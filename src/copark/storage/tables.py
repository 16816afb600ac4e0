"""The relational schema (SQLite and PostgreSQL alike); Alembic migrations mirror it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from copark.parsing.initials import initials_default


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Region(Base):
    """行政区划: a 6-digit administrative division."""

    __tablename__ = "region"
    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    full_name: Mapped[str] = mapped_column(String(128), index=True)
    level: Mapped[int] = mapped_column(Integer)  # 0 province, 1 city, 2 county
    parent_code: Mapped[str | None] = mapped_column(String(6))
    longitude: Mapped[float | None] = mapped_column(Float)
    latitude: Mapped[float | None] = mapped_column(Float)


class Park(Base):
    """共建园区: a park co-built by two paired regions, with its positioning (主导产业)."""

    __tablename__ = "park"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    region_code: Mapped[str | None] = mapped_column(String(6))  # where the park lies
    partner_region_code: Mapped[str | None] = mapped_column(String(6))  # the paired region
    founded: Mapped[dt.date | None] = mapped_column(Date)
    positioning: Mapped[list[Any]] = mapped_column(JSON, default=list)  # industry codes / chain names
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(255), default="")


class Industry(Base):
    """GB/T 4754-2017 国民经济行业分类 node (门类/大类/中类/小类)."""

    __tablename__ = "industry"
    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    level: Mapped[int] = mapped_column(Integer)
    parent: Mapped[str | None] = mapped_column(String(5))
    section: Mapped[str] = mapped_column(String(1))
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(32), default="curated")


class Organization(Base):
    """企业/机构: any party with offers or needs."""

    __tablename__ = "organization"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), default="enterprise")
    name: Mapped[str] = mapped_column(String(255))
    norm_name: Mapped[str] = mapped_column(String(255), index=True)
    # Pinyin initials of the name (可孚医疗 → kfyl) for the 企业 search; set from the name on insert (names are not
    # changed afterwards: the importer matches on them).
    name_initials: Mapped[str | None] = mapped_column(String(255), default=initials_default)
    short_name: Mapped[str] = mapped_column(String(128), default="")
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    region_code: Mapped[str | None] = mapped_column(String(6), index=True)
    park_id: Mapped[int | None] = mapped_column(ForeignKey("park.id", ondelete="SET NULL"))
    industry_code: Mapped[str | None] = mapped_column(String(5))
    industry_text: Mapped[str] = mapped_column(String(128), default="")  # 行业 as written when not a GB/T code
    products: Mapped[list[Any]] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(String(255), default="")
    employees: Mapped[int | None] = mapped_column(Integer)
    annual_revenue: Mapped[float | None] = mapped_column(Float)  # CNY
    annual_revenue_text: Mapped[str] = mapped_column(String(64), default="")
    note: Mapped[str] = mapped_column(Text, default="")  # 备注 as written
    source: Mapped[str] = mapped_column(String(255), default="", index=True)  # file or "demo"
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now(), onupdate=func.now())

    park: Mapped[Park | None] = relationship()
    items: Mapped[list[Item]] = relationship(
        back_populates="organization", cascade="all, delete-orphan", order_by="Item.id"
    )


class Item(Base):
    """清单条目: one offer (资源) or need (需求) of an organization."""

    __tablename__ = "item"
    __table_args__ = (Index("ix_item_org_dir", "organization_id", "direction"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(String(8))  # offer | need
    kind: Mapped[str] = mapped_column(String(16), default="product")
    text: Mapped[str] = mapped_column(Text)
    quantity: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(32), default="")
    annual_value: Mapped[float | None] = mapped_column(Float)  # CNY per year
    annual_value_text: Mapped[str] = mapped_column(String(64), default="")  # as the user wrote it
    certifications: Mapped[str] = mapped_column(String(255), default="")
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    origin: Mapped[str] = mapped_column(String(16), default="declared")  # declared | inferred
    status: Mapped[str | None] = mapped_column(String(16))  # inferred items: proposed/accepted/dismissed
    confidence: Mapped[float | None] = mapped_column(Float)
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(255), default="")
    # Set when the organization no longer lists the item (import --sync, `copark item withdraw`): kept as history,
    # left out of matching, counts and exports; listing it again clears it.
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    organization: Mapped[Organization] = relationship(back_populates="items")


class ListsVersion(Base):
    """One counter the database raises on every change to organizations or items (triggers, migration 0009), so
    what is derived from the lists and cached (the 产业链 map's organizations at each node) knows to rebuild."""

    __tablename__ = "lists_version"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


class KnowledgeNode(Base):
    """A product or industry concept in the chain knowledge graph."""

    __tablename__ = "kb_node"
    __table_args__ = (UniqueConstraint("name", name="uq_kb_node_name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    industry_code: Mapped[str | None] = mapped_column(String(5))
    aliases: Mapped[list[Any]] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(String(32), default="curated")


class KnowledgeRelation(Base):
    """A typed, weighted chain relation between two knowledge nodes, with its source."""

    __tablename__ = "kb_relation"
    __table_args__ = (
        UniqueConstraint("from_id", "to_id", "rel", "source", name="uq_kb_relation"),
        Index("ix_kb_relation_to", "to_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    from_id: Mapped[int] = mapped_column(ForeignKey("kb_node.id", ondelete="CASCADE"), index=True)
    to_id: Mapped[int] = mapped_column(ForeignKey("kb_node.id", ondelete="CASCADE"))
    rel: Mapped[str] = mapped_column(String(16))  # upstream | subcategory
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    confidence: Mapped[float] = mapped_column(Float, default=1.0)
    source: Mapped[str] = mapped_column(String(32), default="curated")


class KnowledgeCompany(Base):
    """A listed firm's product list from an imported source (chainkg): more lists for `copark fit` to learn from,
    never matched. Products best first (revenue weight descending, then file order)."""

    __tablename__ = "kb_company"
    __table_args__ = (UniqueConstraint("source", "code", name="uq_kb_company"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    code: Mapped[str] = mapped_column(String(32))  # the stock code without its exchange suffix (600373)
    name: Mapped[str] = mapped_column(String(255))  # as the source names it (中文传媒)
    fullname: Mapped[str] = mapped_column(String(255), default="")  # registered name (中文天地出版传媒集团股份有限公司)
    industry: Mapped[str] = mapped_column(String(128), default="")  # the source's industry name, may be empty
    products: Mapped[list[Any]] = mapped_column(JSON, default=list)


class Opportunity(Base):
    """对接机会: a scored, explained need–offer pairing."""

    __tablename__ = "opportunity"
    # The 对接机会 list reads best first (score desc, id) and stops at its page (services.opportunities).
    __table_args__ = (Index("ix_opportunity_score", text("score DESC"), "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    need_item_id: Mapped[int | None] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"), index=True)
    offer_item_id: Mapped[int | None] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"))
    need_org_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), index=True)
    offer_org_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(Float)
    mode: Mapped[str] = mapped_column(String(32))
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())


class RankerModel(Base):
    """The learned ranker fitted on this workspace's lists (`copark fit`): model, version and training figures."""

    __tablename__ = "ranker_model"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    model: Mapped[str] = mapped_column(Text)  # LearnedRanker.to_json()
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    organizations: Mapped[int] = mapped_column(Integer)  # what it was fitted on, to tell when lists changed
    offers: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())


class User(Base):
    """A person who signs in to the web workspace or calls the REST API, with one role (services.access)."""

    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))  # admin | operator | enterprise | institution | viewer
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id", ondelete="SET NULL"))
    park_id: Mapped[int | None] = mapped_column(ForeignKey("park.id", ondelete="SET NULL"))
    disabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())


class ApiToken(Base):
    """A REST API token; only its SHA-256 is stored."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class WebSession(Base):
    """A signed-in browser session; ended (revoked) at logout, so a replayed cookie no longer works."""

    __tablename__ = "web_session"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class LoginAttempt(Base):
    """A failed sign-in, counted by username and by address for rate limiting."""

    __tablename__ = "login_attempt"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)


class AppSetting(Base):
    """Workspace-wide values kept in the database (e.g. the session signing key)."""

    __tablename__ = "app_setting"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class AuditEntry(Base):
    """Who changed or revealed what, and when."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    username: Mapped[str] = mapped_column(String(64), default="")  # kept when the user is deleted
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(32))  # organization | item | opportunity | docking | user
    target_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class OpportunityDismissal(Base):
    """An opportunity marked not relevant, with the reason; keyed by the pair, so it outlives re-matching."""

    __tablename__ = "opportunity_dismissal"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    need_item_id: Mapped[int | None] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"), index=True)
    offer_item_id: Mapped[int | None] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"))
    need_org_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"))
    offer_org_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    at: Mapped[dt.datetime] = mapped_column(DateTime)


class DockingRecord(Base):
    """对接记录: an opportunity being worked, 推荐 → 已推送 → 意向 → 洽谈 → 签约 → 履约 → 关闭.

    The pair and its texts are copied from the opportunity, which the next `copark match` may replace.
    """

    __tablename__ = "docking_record"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    opportunity_id: Mapped[int | None] = mapped_column(ForeignKey("opportunity.id", ondelete="SET NULL"))
    need_item_id: Mapped[int | None] = mapped_column(ForeignKey("item.id", ondelete="SET NULL"))
    offer_item_id: Mapped[int | None] = mapped_column(ForeignKey("item.id", ondelete="SET NULL"))
    need_org_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), index=True)
    offer_org_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), index=True)
    need_text: Mapped[str] = mapped_column(Text, default="")
    offer_text: Mapped[str] = mapped_column(Text, default="")
    score: Mapped[float] = mapped_column(Float, default=0.0)
    mode: Mapped[str] = mapped_column(String(32), default="")
    why: Mapped[str] = mapped_column(Text, default="")
    stage: Mapped[str] = mapped_column(String(16))
    need_interest_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    offer_interest_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    contract_value: Mapped[float | None] = mapped_column(Float)  # annual value, CNY
    contract_note: Mapped[str] = mapped_column(String(255), default="")
    close_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class DockingEvent(Base):
    """One step in a docking record's history."""

    __tablename__ = "docking_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("docking_record.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    username: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(32))  # stage | interest
    stage: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")


# ---- park operations (issue #11) ------------------------------------------------------------------------------


class InvestmentProject(Base):
    """招商项目: a prospective enterprise courted by the joint team, 线索 → 洽谈 → 签约 → 在建 → 投产 → 达产 (or 终止)."""

    __tablename__ = "investment_project"
    __table_args__ = (UniqueConstraint("park_id", "name", name="uq_investment_project_park_name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("park.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))  # the enterprise as the team calls it
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id", ondelete="SET NULL"),
                                                        index=True)
    source_region_code: Mapped[str | None] = mapped_column(String(6))  # the region that introduced it
    team: Mapped[str] = mapped_column(String(255), default="")  # 招商团队 (joint team)
    industry_code: Mapped[str | None] = mapped_column(String(5))
    stage: Mapped[str] = mapped_column(String(16))
    stage_on: Mapped[dt.date] = mapped_column(Date)  # when the current stage was reached
    end_reason: Mapped[str] = mapped_column(Text, default="")  # 终止原因
    planned_investment: Mapped[float | None] = mapped_column(Float)  # CNY
    actual_investment: Mapped[float | None] = mapped_column(Float)
    land_mu: Mapped[float | None] = mapped_column(Float)  # 亩
    expected_revenue: Mapped[float | None] = mapped_column(Float)  # CNY per year
    actual_revenue: Mapped[float | None] = mapped_column(Float)
    tax: Mapped[float | None] = mapped_column(Float)
    jobs: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class ProjectEvent(Base):
    """One stage a project reached, on the date it did (the history is kept, never rewritten)."""

    __tablename__ = "project_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("investment_project.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(16))
    reached_on: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    username: Mapped[str] = mapped_column(String(64), default="")
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)


class EnterpriseFigure(Base):
    """经营数据: one enterprise's figures for one month or quarter (主营收入, 税收, 产值, 员工, 出口)."""

    __tablename__ = "enterprise_figure"
    __table_args__ = (UniqueConstraint("park_id", "enterprise", "period", name="uq_enterprise_figure"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("park.id", ondelete="CASCADE"), index=True)
    enterprise: Mapped[str] = mapped_column(String(255))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("investment_project.id", ondelete="SET NULL"))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id", ondelete="SET NULL"))
    period: Mapped[str] = mapped_column(String(8))  # 2024-03 or 2024Q1
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    revenue: Mapped[float | None] = mapped_column(Float)  # CNY
    tax: Mapped[float | None] = mapped_column(Float)
    retained_tax: Mapped[float | None] = mapped_column(Float)  # 地方留成税收, what benefit sharing splits
    output: Mapped[float | None] = mapped_column(Float)
    employees: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(255), default="")


class ExportLine(Base):
    """出口: one enterprise's exports to one country in one period."""

    __tablename__ = "export_line"
    __table_args__ = (UniqueConstraint("park_id", "enterprise", "period", "country", name="uq_export_line"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("park.id", ondelete="CASCADE"), index=True)
    enterprise: Mapped[str] = mapped_column(String(255))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("investment_project.id", ondelete="SET NULL"))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id", ondelete="SET NULL"))
    period: Mapped[str] = mapped_column(String(8))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    country: Mapped[str] = mapped_column(String(64))
    amount: Mapped[float | None] = mapped_column(Float)  # CNY
    source: Mapped[str] = mapped_column(String(255), default="")


class CreditLine(Base):
    """授信台账: a bank's credit line to a park enterprise."""

    __tablename__ = "credit_line"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("park.id", ondelete="CASCADE"), index=True)
    bank: Mapped[str] = mapped_column(String(255))
    enterprise: Mapped[str] = mapped_column(String(255))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("investment_project.id", ondelete="SET NULL"))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id", ondelete="SET NULL"))
    product: Mapped[str] = mapped_column(String(128), default="")
    granted: Mapped[float] = mapped_column(Float)  # CNY
    drawn: Mapped[float | None] = mapped_column(Float)
    granted_on: Mapped[dt.date | None] = mapped_column(Date)
    expires_on: Mapped[dt.date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(255), default="")


class TrainingRecord(Base):
    """培训台账: a course, its provider, trainees and those placed with park enterprises."""

    __tablename__ = "training_record"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("park.id", ondelete="CASCADE"), index=True)
    course: Mapped[str] = mapped_column(String(255))
    provider: Mapped[str] = mapped_column(String(255))
    trainees: Mapped[int] = mapped_column(Integer)
    placed: Mapped[int | None] = mapped_column(Integer)
    starts_on: Mapped[dt.date | None] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(255), default="")


class SharingAgreement(Base):
    """在地统计/利益分享: how the host and partner regions split retained tax and output of the enterprises the
    partner introduced, from `starts_on` to `ends_on` (inclusive; open-ended when None)."""

    __tablename__ = "sharing_agreement"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("park.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    host_region_code: Mapped[str] = mapped_column(String(6))
    partner_region_code: Mapped[str] = mapped_column(String(6))
    host_share_tax: Mapped[float] = mapped_column(Float)  # 0..1; the partner gets the rest
    host_share_output: Mapped[float] = mapped_column(Float)
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)
    from_stage: Mapped[str] = mapped_column(String(16), default="operating")  # shared once a project reaches it
    note: Mapped[str] = mapped_column(Text, default="")


class SharingOverride(Base):
    """A per-enterprise split that replaces the agreement's for one project."""

    __tablename__ = "sharing_override"
    __table_args__ = (UniqueConstraint("agreement_id", "project_id", name="uq_sharing_override"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("sharing_agreement.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("investment_project.id", ondelete="CASCADE"))
    host_share_tax: Mapped[float] = mapped_column(Float)
    host_share_output: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")


# ---- trade: the public showcase, buyer inquiries and export orders (issue #11) ------------------------------------


class OfferPhoto(Base):
    """A product photo of one offer item, shown on the public showcase; the file lives in Workspace.files_dir."""

    __tablename__ = "offer_photo"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"), unique=True)
    filename: Mapped[str] = mapped_column(String(64))  # the stored name (random), never the uploader's
    content_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    username: Mapped[str] = mapped_column(String(64), default="")
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Inquiry(Base):
    """询盘: a buyer's inquiry about one showcased product, sent from the public form; a sales lead for the park's
    staff and the producing enterprise, new → contacted → ordered (or closed)."""

    __tablename__ = "inquiry"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("park.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("item.id", ondelete="SET NULL"))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id", ondelete="SET NULL"),
                                                        index=True)
    product: Mapped[str] = mapped_column(String(255))  # the item's text when sent (kept if the item goes)
    buyer_name: Mapped[str] = mapped_column(String(64))
    company: Mapped[str] = mapped_column(String(128), default="")
    contact: Mapped[str] = mapped_column(String(128))  # personal information: masked for others
    country: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[str] = mapped_column(String(64), default="")
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="new")
    sender: Mapped[str] = mapped_column(String(64), index=True)  # digest of the sender's address (rate limit)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class ExportOrder(Base):
    """出口订单: one export order of a park enterprise (product, destination country, amount, date), entered by
    staff, often from an inquiry; counted with the export ledger in the KPI 出口国家和地区."""

    __tablename__ = "export_order"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("park.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id", ondelete="SET NULL"))
    enterprise: Mapped[str] = mapped_column(String(255))
    product: Mapped[str] = mapped_column(String(255))
    country: Mapped[str] = mapped_column(String(64))
    amount: Mapped[float] = mapped_column(Float)  # CNY
    ordered_on: Mapped[dt.date] = mapped_column(Date)
    inquiry_id: Mapped[int | None] = mapped_column(ForeignKey("inquiry.id", ondelete="SET NULL"))
    username: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
