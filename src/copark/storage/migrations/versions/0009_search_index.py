"""Substring indexes for the 企业 search: SQLite FTS5 trigram tables kept by triggers, PostgreSQL pg_trgm GIN indexes

SQLite: org_fts (name, short name, description, products, pinyin initials; rowid = organization.id) and item_fts
(the text of listed items; rowid = organization id << 32 | item id), each with an fts5vocab table; triggers keep
them in step with every insert, update, withdrawal and delete, whoever writes (importer, web edits, bulk inserts,
restore). Every value is stored followed by two
\\x01 characters, so a text's last one or two characters still begin a trigram: that is how services.search finds
one- and two-character words (by expanding them into the trigrams they begin, read from the vocabulary).
PostgreSQL: GIN trigram indexes on the columns the search's ILIKE reads; without the pg_trgm extension (not
installed, or not allowed) nothing is created and the search still works, by scanning.

Also ix_opportunity_score (the 对接机会 list reads best first and stops at its page), and lists_version: one counter raised by triggers on every change to organization or item rows (row triggers on
SQLite, statement triggers on PostgreSQL), read by caches of what is derived from the lists.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 10:30:00
"""

import warnings

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

# Must agree with services/search.py (PAD): the end padding of every indexed value.
PAD = "char(1, 1)"
# Must agree with services/search.py (ITEM_SHIFT): item_fts's rowid is the item's organization id shifted left by
# 32 bits plus the item id, so matches come out in organization order and name their organization without a
# lookup in the item table.
ITEM_KEY = "({row}.organization_id * 4294967296 + {row}.id)"
ORG_COLUMNS = ("name", "short_name", "description", "products", "name_initials")


def _org_values(row: str) -> str:
    """The org_fts values of one organization row (`new`, `old` or the table itself), padded."""
    products = (f"coalesce((SELECT group_concat(value || {PAD}, '') FROM json_each("
                f"CASE WHEN json_valid({row}.products) THEN {row}.products ELSE '[]' END)), '')")
    plain = [f"coalesce({row}.{c}, '') || {PAD}" for c in ("name", "short_name", "description")]
    return ", ".join([*plain, products, f"coalesce({row}.name_initials, '') || {PAD}"])


SQLITE_UP = [
    "CREATE VIRTUAL TABLE org_fts USING fts5(" + ", ".join(ORG_COLUMNS) + ", tokenize='trigram')",
    "CREATE VIRTUAL TABLE org_fts_vocab USING fts5vocab(org_fts, 'row')",
    "CREATE VIRTUAL TABLE item_fts USING fts5(text, tokenize='trigram')",
    "CREATE VIRTUAL TABLE item_fts_vocab USING fts5vocab(item_fts, 'row')",
    f"""CREATE TRIGGER org_fts_insert AFTER INSERT ON organization BEGIN
        INSERT INTO org_fts(rowid, {", ".join(ORG_COLUMNS)}) VALUES (new.id, {_org_values("new")}); END""",
    """CREATE TRIGGER org_fts_delete AFTER DELETE ON organization BEGIN
        DELETE FROM org_fts WHERE rowid = old.id; END""",
    f"""CREATE TRIGGER org_fts_update AFTER UPDATE OF {", ".join(ORG_COLUMNS)} ON organization BEGIN
        DELETE FROM org_fts WHERE rowid = old.id;
        INSERT INTO org_fts(rowid, {", ".join(ORG_COLUMNS)}) VALUES (new.id, {_org_values("new")}); END""",
    f"""CREATE TRIGGER item_fts_insert AFTER INSERT ON item WHEN new.withdrawn_at IS NULL BEGIN
        INSERT INTO item_fts(rowid, text) VALUES ({ITEM_KEY.format(row="new")}, coalesce(new.text, '') || {PAD});
        END""",
    f"""CREATE TRIGGER item_fts_delete AFTER DELETE ON item BEGIN
        DELETE FROM item_fts WHERE rowid = {ITEM_KEY.format(row="old")}; END""",
    f"""CREATE TRIGGER item_fts_update AFTER UPDATE OF text, organization_id, withdrawn_at ON item BEGIN
        DELETE FROM item_fts WHERE rowid = {ITEM_KEY.format(row="old")};
        INSERT INTO item_fts(rowid, text) SELECT {ITEM_KEY.format(row="new")}, coalesce(new.text, '') || {PAD}
        WHERE new.withdrawn_at IS NULL; END""",
    f"INSERT INTO org_fts(rowid, {', '.join(ORG_COLUMNS)}) SELECT organization.id, {_org_values('organization')}"
    " FROM organization",
    f"INSERT INTO item_fts(rowid, text) SELECT {ITEM_KEY.format(row='item')}, coalesce(text, '') || {PAD} FROM item"
    " WHERE withdrawn_at IS NULL",
]

SQLITE_VERSION = [
    f"""CREATE TRIGGER lists_version_{table}_{event.lower()} AFTER {event} ON {table} BEGIN
        UPDATE lists_version SET n = n + 1; END"""
    for table in ("organization", "item") for event in ("INSERT", "UPDATE", "DELETE")
]
PG_VERSION = [
    """CREATE FUNCTION copark_lists_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN UPDATE lists_version SET n = n + 1; RETURN NULL; END $$""",
    *(f"""CREATE TRIGGER lists_version_{table} AFTER INSERT OR UPDATE OR DELETE ON {table}
          FOR EACH STATEMENT EXECUTE FUNCTION copark_lists_changed()""" for table in ("organization", "item")),
]

# (index, table, indexed expression): what services.search's PostgreSQL query compares with ILIKE / LIKE.
PG_INDEXES = [
    ("ix_organization_name_trgm", "organization", "name"),
    ("ix_organization_short_name_trgm", "organization", "short_name"),
    ("ix_organization_description_trgm", "organization", "description"),
    ("ix_organization_products_trgm", "organization", "(CAST(products AS VARCHAR))"),
    ("ix_organization_name_initials_trgm", "organization", "name_initials"),
    ("ix_item_text_trgm", "item", "text"),
]


def upgrade() -> None:
    bind = op.get_bind()
    version = op.create_table("lists_version", sa.Column("id", sa.Integer(), primary_key=True),
                              sa.Column("n", sa.Integer(), nullable=False))
    op.bulk_insert(version, [{"id": 1, "n": 0}])
    op.create_index("ix_opportunity_score", "opportunity", [sa.text("score DESC"), "id"])
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_UP + SQLITE_VERSION:
            bind.exec_driver_sql(statement)
        return
    for statement in PG_VERSION:
        bind.exec_driver_sql(statement)
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception as error:  # noqa: BLE001 - any refusal leaves the search working, unindexed
        warnings.warn(f"pg_trgm is not available ({error}); the 企业 search will scan", stacklevel=1)
        return
    # The operator class lives in the extension's schema, which need not be on the search path.
    schema = bind.exec_driver_sql(
        "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'").scalar()
    for name, table, expression in PG_INDEXES:
        bind.exec_driver_sql(f"CREATE INDEX {name} ON {table} USING gin ({expression} {schema}.gin_trgm_ops)")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for trigger in ("org_fts_insert", "org_fts_delete", "org_fts_update", "item_fts_insert", "item_fts_delete",
                        "item_fts_update", *(f"lists_version_{t}_{e}" for t in ("organization", "item")
                                             for e in ("insert", "update", "delete"))):
            bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger}")
        for table in ("org_fts_vocab", "item_fts_vocab", "org_fts", "item_fts"):
            bind.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
    else:
        for name, _, _ in PG_INDEXES:
            bind.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
        for table in ("organization", "item"):
            bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS lists_version_{table} ON {table}")
        bind.exec_driver_sql("DROP FUNCTION IF EXISTS copark_lists_changed()")
    op.drop_index("ix_opportunity_score", table_name="opportunity")
    op.drop_table("lists_version")
