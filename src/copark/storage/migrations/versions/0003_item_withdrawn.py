"""item.withdrawn_at: an item its organization no longer lists stays in the history, out of matching

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 06:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('item') as batch:
        batch.add_column(sa.Column('withdrawn_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('item') as batch:
        batch.drop_column('withdrawn_at')
