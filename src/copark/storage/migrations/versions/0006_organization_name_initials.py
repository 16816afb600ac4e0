"""organization.name_initials: pinyin initials stored for the 企业 search, so it runs in SQL at 100k organizations

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 07:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    from copark.parsing.initials import initials

    with op.batch_alter_table('organization') as batch:
        batch.add_column(sa.Column('name_initials', sa.String(255)))
    bind = op.get_bind()
    org = sa.table('organization', sa.column('id', sa.Integer()), sa.column('name', sa.String()),
                   sa.column('name_initials', sa.String()))
    rows = bind.execute(sa.select(org.c.id, org.c.name)).all()
    for start in range(0, len(rows), 5000):
        bind.execute(org.update().where(org.c.id == sa.bindparam('oid')).values(name_initials=sa.bindparam('ini')),
                     [{'oid': i, 'ini': initials(n or '')} for i, n in rows[start:start + 5000]])


def downgrade() -> None:
    with op.batch_alter_table('organization') as batch:
        batch.drop_column('name_initials')
