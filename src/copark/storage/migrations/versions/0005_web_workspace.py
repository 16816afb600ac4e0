"""web workspace: users, API tokens, sessions, login attempts, settings, audit log, dismissals, docking records

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 07:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'app_user',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('username', sa.String(64), nullable=False, unique=True),
        sa.Column('display_name', sa.String(128), nullable=False),
        sa.Column('password_hash', sa.String(255), nullable=False),
        sa.Column('role', sa.String(16), nullable=False),
        sa.Column('organization_id', sa.Integer(), sa.ForeignKey('organization.id', ondelete='SET NULL')),
        sa.Column('park_id', sa.Integer(), sa.ForeignKey('park.id', ondelete='SET NULL')),
        sa.Column('disabled', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), server_default=sa.func.now(), nullable=False),
    )
    op.create_table(
        'api_token',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('app_user.id', ondelete='CASCADE'), nullable=False),
        sa.Column('token_hash', sa.String(64), nullable=False, unique=True),
        sa.Column('name', sa.String(64), nullable=False),
        sa.Column('created_at', sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.Column('revoked_at', sa.DateTime()),
    )
    op.create_index('ix_api_token_user_id', 'api_token', ['user_id'])
    op.create_table(
        'web_session',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('app_user.id', ondelete='CASCADE'), nullable=False),
        sa.Column('token_hash', sa.String(64), nullable=False, unique=True),
        sa.Column('csrf_token', sa.String(64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('revoked_at', sa.DateTime()),
    )
    op.create_index('ix_web_session_user_id', 'web_session', ['user_id'])
    op.create_table(
        'login_attempt',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('username', sa.String(64), nullable=False),
        sa.Column('address', sa.String(64), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
    )
    op.create_index('ix_login_attempt_username', 'login_attempt', ['username'])
    op.create_index('ix_login_attempt_address', 'login_attempt', ['address'])
    op.create_table(
        'app_setting',
        sa.Column('key', sa.String(64), primary_key=True),
        sa.Column('value', sa.Text(), nullable=False),
    )
    op.create_table(
        'audit_log',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('app_user.id', ondelete='SET NULL')),
        sa.Column('username', sa.String(64), nullable=False),
        sa.Column('action', sa.String(32), nullable=False),
        sa.Column('target', sa.String(32), nullable=False),
        sa.Column('target_id', sa.Integer()),
        sa.Column('detail', sa.JSON(), nullable=False),
    )
    op.create_index('ix_audit_log_at', 'audit_log', ['at'])
    op.create_table(
        'opportunity_dismissal',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('need_item_id', sa.Integer(), sa.ForeignKey('item.id', ondelete='CASCADE')),
        sa.Column('offer_item_id', sa.Integer(), sa.ForeignKey('item.id', ondelete='CASCADE')),
        sa.Column('need_org_id', sa.Integer(), sa.ForeignKey('organization.id', ondelete='CASCADE'), nullable=False),
        sa.Column('offer_org_id', sa.Integer(), sa.ForeignKey('organization.id', ondelete='CASCADE'), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('app_user.id', ondelete='SET NULL')),
        sa.Column('at', sa.DateTime(), nullable=False),
    )
    op.create_index('ix_opportunity_dismissal_need_item_id', 'opportunity_dismissal', ['need_item_id'])
    op.create_table(
        'docking_record',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('opportunity_id', sa.Integer(), sa.ForeignKey('opportunity.id', ondelete='SET NULL')),
        sa.Column('need_item_id', sa.Integer(), sa.ForeignKey('item.id', ondelete='SET NULL')),
        sa.Column('offer_item_id', sa.Integer(), sa.ForeignKey('item.id', ondelete='SET NULL')),
        sa.Column('need_org_id', sa.Integer(), sa.ForeignKey('organization.id', ondelete='CASCADE'), nullable=False),
        sa.Column('offer_org_id', sa.Integer(), sa.ForeignKey('organization.id', ondelete='CASCADE'), nullable=False),
        sa.Column('need_text', sa.Text(), nullable=False),
        sa.Column('offer_text', sa.Text(), nullable=False),
        sa.Column('score', sa.Float(), nullable=False),
        sa.Column('mode', sa.String(32), nullable=False),
        sa.Column('why', sa.Text(), nullable=False),
        sa.Column('stage', sa.String(16), nullable=False),
        sa.Column('need_interest_at', sa.DateTime()),
        sa.Column('offer_interest_at', sa.DateTime()),
        sa.Column('contract_value', sa.Float()),
        sa.Column('contract_note', sa.String(255), nullable=False),
        sa.Column('close_reason', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
    )
    op.create_index('ix_docking_record_need_org_id', 'docking_record', ['need_org_id'])
    op.create_index('ix_docking_record_offer_org_id', 'docking_record', ['offer_org_id'])
    op.create_table(
        'docking_event',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('record_id', sa.Integer(), sa.ForeignKey('docking_record.id', ondelete='CASCADE'), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('app_user.id', ondelete='SET NULL')),
        sa.Column('username', sa.String(64), nullable=False),
        sa.Column('action', sa.String(32), nullable=False),
        sa.Column('stage', sa.String(16), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
    )
    op.create_index('ix_docking_event_record_id', 'docking_event', ['record_id'])


def downgrade() -> None:
    for table in ('docking_event', 'docking_record', 'opportunity_dismissal', 'audit_log', 'app_setting',
                  'login_attempt', 'web_session', 'api_token', 'app_user'):
        op.drop_table(table)
