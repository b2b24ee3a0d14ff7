"""inbox and dashboard indexes: partial indexes over open tickets (pinned urgent, per-view
counts); solved and first-response times (the dashboard's windows); audit events by action and
relabels (the router-quality figures)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 00:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

OPEN = "status IN ('new', 'open', 'pending', 'on_hold')"
OPEN_URGENT = f"priority = 'urgent' AND {OPEN}"
RELABELLED = "action = 'ticket.relabelled'"


def upgrade():
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index('ix_tickets_open_urgent', ['due_at', 'id'], unique=False,
                              postgresql_where=sa.text(OPEN_URGENT), sqlite_where=sa.text(OPEN_URGENT))
        batch_op.create_index('ix_tickets_open_counts', ['queue_id', 'assignee_id'], unique=False,
                              postgresql_include=['escalated_at', 'created_at', 'due_at', 'at_risk_at', 'topic', 'audience'],
                              postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
        batch_op.create_index('ix_tickets_solved', ['solved_at', 'queue_id'], unique=False)
        batch_op.create_index('ix_tickets_first_response', ['first_response_at', 'queue_id'], unique=False)
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_action_created', ['action', 'created_at'], unique=False)
        batch_op.create_index('ix_audit_events_relabels', ['ticket_id', 'created_at'], unique=False,
                              postgresql_where=sa.text(RELABELLED), sqlite_where=sa.text(RELABELLED))


def downgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_relabels')
        batch_op.drop_index('ix_audit_events_action_created')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_first_response')
        batch_op.drop_index('ix_tickets_solved')
        batch_op.drop_index('ix_tickets_open_counts')
        batch_op.drop_index('ix_tickets_open_urgent')
