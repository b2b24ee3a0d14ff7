"""surges: sudden rises of near-identical inquiries, flagged by the worker

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('surges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('centre_ticket_id', sa.Integer(), nullable=True),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('baseline', sa.Float(), nullable=False),
    sa.Column('topic', sa.String(length=40), nullable=True),
    sa.Column('channels', sa.JSON(), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('tickets', sa.JSON(), nullable=False),
    sa.Column('sample_ticket_ids', sa.JSON(), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('detected_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['centre_ticket_id'], ['tickets.id'], name=op.f('fk_surges_centre_ticket_id_tickets'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_surges'))
    )
    with op.batch_alter_table('surges', schema=None) as batch_op:
        batch_op.create_index('ix_surges_ended', ['ended_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('surges', schema=None) as batch_op:
        batch_op.drop_index('ix_surges_ended')
    op.drop_table('surges')
