"""The schema is created by migrations on both backends and holds what is written."""

from __future__ import annotations

import re

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select

from copark.core.errors import CoparkError
from copark.storage.db import make_engine
from copark.storage.tables import Base, Item, Organization
from copark.workspace import Workspace


def test_migrations_create_every_table(workspace: Workspace) -> None:
    tables = set(inspect(workspace.engine).get_table_names())
    assert {"organization", "item", "park", "region", "industry", "kb_node", "kb_relation", "opportunity"} <= tables


#: What the migrations keep outside the models: the search's FTS5 tables (SQLite) and trigram indexes (PostgreSQL) of
#: migration 0009, and ix_opportunity_score, ordered by an expression SQLite's reflection cannot compare.
MIGRATION_ONLY = re.compile(r"_fts(_[a-z]+)?$|_trgm$|^ix_opportunity_score$")


def test_migrations_match_the_models(workspace: Workspace) -> None:
    """Every table, column, type, index and constraint of tables.py is what the migrations create."""
    def compared(_obj: object, name: str | None, _type: str, _reflected: bool, _other: object) -> bool:
        return not (name and MIGRATION_ONLY.search(name))

    with workspace.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": compared, "compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_upgrade_is_idempotent(db_url: str) -> None:
    Workspace(db_url).close()
    ws = Workspace(db_url)  # second open must not fail or recreate
    assert inspect(ws.engine).has_table("alembic_version")
    ws.close()


def test_organization_with_items_round_trips(workspace: Workspace) -> None:
    with workspace.transaction() as session:
        org = Organization(name="湖南测试科技有限公司", norm_name="测试科技", products=["过滤棉", "无尘布"])
        org.items.append(Item(direction="need", kind="material", text="医用级过滤棉", annual_value=2e7))
        session.add(org)
    with workspace.transaction() as session:
        loaded = session.scalars(select(Organization)).one()
        assert loaded.products == ["过滤棉", "无尘布"]
        assert [i.text for i in loaded.items] == ["医用级过滤棉"]
        assert loaded.items[0].annual_value == 2e7


def test_failed_transaction_writes_nothing(workspace: Workspace) -> None:
    with pytest.raises(RuntimeError), workspace.transaction() as session:
        session.add(Organization(name="甲", norm_name="甲"))
        session.flush()
        raise RuntimeError("boom")
    with workspace.transaction() as session:
        assert session.scalars(select(Organization)).all() == []


@pytest.mark.parametrize("url", ["mysql://x/y", "not a url"])
def test_unsupported_urls_are_clear_errors(url: str) -> None:
    with pytest.raises(CoparkError):
        make_engine(url)
