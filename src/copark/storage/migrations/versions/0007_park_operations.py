"""park operations: investment projects and their stage history, enterprise figures, exports, credit and training
ledgers, benefit-sharing agreements and overrides

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 08:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def _park() -> sa.Column:
    return sa.Column('park_id', sa.Integer(), sa.ForeignKey('park.id', ondelete='CASCADE'), nullable=False)


def _links() -> list[sa.Column]:
    return [
        sa.Column('enterprise', sa.String(255), nullable=False),
        sa.Column('project_id', sa.Integer(), sa.ForeignKey('investment_project.id', ondelete='SET NULL')),
        sa.Column('organization_id', sa.Integer(), sa.ForeignKey('organization.id', ondelete='SET NULL')),
    ]


def upgrade() -> None:
    op.create_table(
        'investment_project',
        sa.Column('id', sa.Integer(), primary_key=True),
        _park(),
        sa.Column('name', sa.String(255), nullable=False),
        sa.Column('organization_id', sa.Integer(), sa.ForeignKey('organization.id', ondelete='SET NULL')),
        sa.Column('source_region_code', sa.String(6)),
        sa.Column('team', sa.String(255), nullable=False),
        sa.Column('industry_code', sa.String(5)),
        sa.Column('stage', sa.String(16), nullable=False),
        sa.Column('stage_on', sa.Date(), nullable=False),
        sa.Column('end_reason', sa.Text(), nullable=False),
        sa.Column('planned_investment', sa.Float()),
        sa.Column('actual_investment', sa.Float()),
        sa.Column('land_mu', sa.Float()),
        sa.Column('expected_revenue', sa.Float()),
        sa.Column('actual_revenue', sa.Float()),
        sa.Column('tax', sa.Float()),
        sa.Column('jobs', sa.Integer()),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('source', sa.String(255), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.UniqueConstraint('park_id', 'name', name='uq_investment_project_park_name'),
    )
    op.create_index('ix_investment_project_park_id', 'investment_project', ['park_id'])
    op.create_index('ix_investment_project_organization_id', 'investment_project', ['organization_id'])
    op.create_table(
        'project_event',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('project_id', sa.Integer(), sa.ForeignKey('investment_project.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('stage', sa.String(16), nullable=False),
        sa.Column('reached_on', sa.Date(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('username', sa.String(64), nullable=False),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
    )
    op.create_index('ix_project_event_project_id', 'project_event', ['project_id'])
    op.create_table(
        'enterprise_figure',
        sa.Column('id', sa.Integer(), primary_key=True),
        _park(),
        *_links(),
        sa.Column('period', sa.String(8), nullable=False),
        sa.Column('period_start', sa.Date(), nullable=False),
        sa.Column('period_end', sa.Date(), nullable=False),
        sa.Column('revenue', sa.Float()),
        sa.Column('tax', sa.Float()),
        sa.Column('retained_tax', sa.Float()),
        sa.Column('output', sa.Float()),
        sa.Column('employees', sa.Integer()),
        sa.Column('source', sa.String(255), nullable=False),
        sa.UniqueConstraint('park_id', 'enterprise', 'period', name='uq_enterprise_figure'),
    )
    op.create_index('ix_enterprise_figure_park_id', 'enterprise_figure', ['park_id'])
    op.create_table(
        'export_line',
        sa.Column('id', sa.Integer(), primary_key=True),
        _park(),
        *_links(),
        sa.Column('period', sa.String(8), nullable=False),
        sa.Column('period_start', sa.Date(), nullable=False),
        sa.Column('period_end', sa.Date(), nullable=False),
        sa.Column('country', sa.String(64), nullable=False),
        sa.Column('amount', sa.Float()),
        sa.Column('source', sa.String(255), nullable=False),
        sa.UniqueConstraint('park_id', 'enterprise', 'period', 'country', name='uq_export_line'),
    )
    op.create_index('ix_export_line_park_id', 'export_line', ['park_id'])
    op.create_table(
        'credit_line',
        sa.Column('id', sa.Integer(), primary_key=True),
        _park(),
        sa.Column('bank', sa.String(255), nullable=False),
        *_links(),
        sa.Column('product', sa.String(128), nullable=False),
        sa.Column('granted', sa.Float(), nullable=False),
        sa.Column('drawn', sa.Float()),
        sa.Column('granted_on', sa.Date()),
        sa.Column('expires_on', sa.Date()),
        sa.Column('source', sa.String(255), nullable=False),
    )
    op.create_index('ix_credit_line_park_id', 'credit_line', ['park_id'])
    op.create_table(
        'training_record',
        sa.Column('id', sa.Integer(), primary_key=True),
        _park(),
        sa.Column('course', sa.String(255), nullable=False),
        sa.Column('provider', sa.String(255), nullable=False),
        sa.Column('trainees', sa.Integer(), nullable=False),
        sa.Column('placed', sa.Integer()),
        sa.Column('starts_on', sa.Date()),
        sa.Column('ends_on', sa.Date()),
        sa.Column('source', sa.String(255), nullable=False),
    )
    op.create_index('ix_training_record_park_id', 'training_record', ['park_id'])
    op.create_table(
        'sharing_agreement',
        sa.Column('id', sa.Integer(), primary_key=True),
        _park(),
        sa.Column('name', sa.String(128), nullable=False),
        sa.Column('host_region_code', sa.String(6), nullable=False),
        sa.Column('partner_region_code', sa.String(6), nullable=False),
        sa.Column('host_share_tax', sa.Float(), nullable=False),
        sa.Column('host_share_output', sa.Float(), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date()),
        sa.Column('from_stage', sa.String(16), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
    )
    op.create_index('ix_sharing_agreement_park_id', 'sharing_agreement', ['park_id'])
    op.create_table(
        'sharing_override',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('agreement_id', sa.Integer(), sa.ForeignKey('sharing_agreement.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('project_id', sa.Integer(), sa.ForeignKey('investment_project.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('host_share_tax', sa.Float(), nullable=False),
        sa.Column('host_share_output', sa.Float(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.UniqueConstraint('agreement_id', 'project_id', name='uq_sharing_override'),
    )
    op.create_index('ix_sharing_override_agreement_id', 'sharing_override', ['agreement_id'])


def downgrade() -> None:
    for table in ('sharing_override', 'sharing_agreement', 'training_record', 'credit_line', 'export_line',
                  'enterprise_figure', 'project_event', 'investment_project'):
        op.drop_table(table)
