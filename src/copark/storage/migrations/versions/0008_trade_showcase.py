"""trade: product photos of offers for the public showcase, buyer inquiries, export orders

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 10:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'offer_photo',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('item_id', sa.Integer(), sa.ForeignKey('item.id', ondelete='CASCADE'), nullable=False),
        sa.Column('filename', sa.String(64), nullable=False),
        sa.Column('content_type', sa.String(32), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(64), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(), nullable=False),
        sa.UniqueConstraint('item_id', name='uq_offer_photo_item_id'),
    )
    op.create_table(
        'inquiry',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('park_id', sa.Integer(), sa.ForeignKey('park.id', ondelete='CASCADE'), nullable=False),
        sa.Column('item_id', sa.Integer(), sa.ForeignKey('item.id', ondelete='SET NULL')),
        sa.Column('organization_id', sa.Integer(), sa.ForeignKey('organization.id', ondelete='SET NULL')),
        sa.Column('product', sa.String(255), nullable=False),
        sa.Column('buyer_name', sa.String(64), nullable=False),
        sa.Column('company', sa.String(128), nullable=False),
        sa.Column('contact', sa.String(128), nullable=False),
        sa.Column('country', sa.String(64), nullable=False),
        sa.Column('quantity', sa.String(64), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('sender', sa.String(64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
    )
    op.create_index('ix_inquiry_park_id', 'inquiry', ['park_id'])
    op.create_index('ix_inquiry_organization_id', 'inquiry', ['organization_id'])
    op.create_index('ix_inquiry_sender', 'inquiry', ['sender'])
    op.create_index('ix_inquiry_created_at', 'inquiry', ['created_at'])
    op.create_table(
        'export_order',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('park_id', sa.Integer(), sa.ForeignKey('park.id', ondelete='CASCADE'), nullable=False),
        sa.Column('organization_id', sa.Integer(), sa.ForeignKey('organization.id', ondelete='SET NULL')),
        sa.Column('enterprise', sa.String(255), nullable=False),
        sa.Column('product', sa.String(255), nullable=False),
        sa.Column('country', sa.String(64), nullable=False),
        sa.Column('amount', sa.Float(), nullable=False),
        sa.Column('ordered_on', sa.Date(), nullable=False),
        sa.Column('inquiry_id', sa.Integer(), sa.ForeignKey('inquiry.id', ondelete='SET NULL')),
        sa.Column('username', sa.String(64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
    )
    op.create_index('ix_export_order_park_id', 'export_order', ['park_id'])


def downgrade() -> None:
    for table in ('export_order', 'inquiry', 'offer_photo'):
        op.drop_table(table)
