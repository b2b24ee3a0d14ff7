"""restricted queues; optional TOTP second factor for staff

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24 10:00:00.000000

"""
import datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

# Tips about an agency, company or official protecting criminals (the topic
# "complicit-organisations") go to a queue of their own that only its named members see, each
# view audited. Written out here (not imported) so this migration means the same thing forever.
WHISTLEBLOWING = 'whistleblowing'
WHISTLEBLOWING_NAME = 'Whistleblowing (restricted)'
WHISTLEBLOWING_DESCRIPTION = (
    'Tips about an agency, company or official protecting criminals (topic complicit-organisations). '
    'Restricted: only the named members of this queue see its tickets, supervisors and administrators '
    'included, and every opening of one is audited. Add members with care.'
)
SENSITIVE_TOPICS = ('complicit-organisations',)


def upgrade():
    with op.batch_alter_table('queues', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_restricted', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('totp_enabled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))

    # Seeded like 0001's queues; the defaults of the later columns (no automatic assignment, the
    # first business calendar) are written out so the row does not depend on server defaults.
    queues = sa.table('queues', sa.column('id', sa.Integer), sa.column('slug', sa.String),
                      sa.column('name', sa.String), sa.column('description', sa.Text),
                      sa.column('created_at', sa.DateTime(timezone=True)), sa.column('auto_assign', sa.Boolean),
                      sa.column('is_restricted', sa.Boolean), sa.column('calendar_id', sa.Integer))
    created = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    op.bulk_insert(queues, [{'slug': WHISTLEBLOWING, 'name': WHISTLEBLOWING_NAME,
                             'description': WHISTLEBLOWING_DESCRIPTION, 'created_at': created,
                             'auto_assign': False, 'is_restricted': True, 'calendar_id': None}])
    _move_existing_tips(queues)


def _move_existing_tips(queues):
    """Tips already received sit in open queues: move them (closed ones too) to the new queue and
    unassign them (it has no members yet), with an audit event each, as a relabel would."""
    bind = op.get_bind()
    target = bind.execute(sa.select(queues.c.id).where(queues.c.slug == WHISTLEBLOWING)).scalar_one()
    tickets = sa.table('tickets', sa.column('id', sa.Integer), sa.column('topic', sa.String),
                       sa.column('queue_id', sa.Integer), sa.column('assignee_id', sa.Integer))
    rows = bind.execute(
        sa.select(tickets.c.id, queues.c.slug, tickets.c.assignee_id)
        .join(queues, queues.c.id == tickets.c.queue_id)
        .where(tickets.c.topic.in_(SENSITIVE_TOPICS), tickets.c.queue_id != target)
    ).all()
    if not rows:
        return
    now = datetime.datetime.now(datetime.timezone.utc)
    events = sa.table('audit_events', sa.column('actor_id', sa.Integer), sa.column('actor_kind', sa.String),
                      sa.column('action', sa.String), sa.column('ticket_id', sa.Integer),
                      sa.column('before', sa.JSON), sa.column('after', sa.JSON),
                      sa.column('created_at', sa.DateTime(timezone=True)))
    op.bulk_insert(events, [{
        'actor_id': None, 'actor_kind': 'system', 'action': 'ticket.moved', 'ticket_id': ticket_id,
        'before': {'queue': slug, 'assignee_id': assignee_id},
        'after': {'queue': WHISTLEBLOWING, 'assignee_id': None, 'reason': 'whistleblowing queue created'},
        'created_at': now,
    } for ticket_id, slug, assignee_id in rows])
    ids = [ticket_id for ticket_id, _, _ in rows]
    for start in range(0, len(ids), 500):
        bind.execute(tickets.update().where(tickets.c.id.in_(ids[start:start + 500]))
                     .values(queue_id=target, assignee_id=None))


def downgrade():
    # The queue goes; what it held waits in triage for a person to route (nothing references a
    # queue row without ON DELETE but tickets and SLA events, both moved first).
    bind = op.get_bind()
    queues = sa.table('queues', sa.column('id', sa.Integer), sa.column('slug', sa.String))
    target = bind.execute(sa.select(queues.c.id).where(queues.c.slug == WHISTLEBLOWING)).scalar()
    if target is not None:
        triage = sa.select(queues.c.id).where(queues.c.slug == 'triage').scalar_subquery()
        for name in ('tickets', 'sla_events'):
            table = sa.table(name, sa.column('queue_id', sa.Integer))
            bind.execute(table.update().where(table.c.queue_id == target).values(queue_id=triage))
        bind.execute(queues.delete().where(queues.c.id == target))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_enabled_at')
        batch_op.drop_column('totp_secret')

    with op.batch_alter_table('queues', schema=None) as batch_op:
        batch_op.drop_column('is_restricted')
