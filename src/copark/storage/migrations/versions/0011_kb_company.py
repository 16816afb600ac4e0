"""kb_company: the company–product lists of an imported source (chainkg), which `copark fit` learns from beside the
workspace's own lists (a park of ~100 enterprises alone holds out too few products to learn from)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'kb_company',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('source', sa.String(32), nullable=False),
        sa.Column('code', sa.String(32), nullable=False),
        sa.Column('name', sa.String(255), nullable=False),
        sa.Column('fullname', sa.String(255), nullable=False),
        sa.Column('industry', sa.String(128), nullable=False),
        sa.Column('products', sa.JSON(), nullable=False),
        sa.UniqueConstraint('source', 'code', name='uq_kb_company'),
    )


def downgrade() -> None:
    op.drop_table('kb_company')
