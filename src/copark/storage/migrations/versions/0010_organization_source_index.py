"""ix_organization_source: every page asks whether the bundled demo data is present (organization.source = 'demo'),
which read the whole organization table when it is not (~28 ms a page at 100k organizations, bench/web)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 13:00:00
"""

from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_organization_source", "organization", ["source"])


def downgrade() -> None:
    op.drop_index("ix_organization_source", table_name="organization")
