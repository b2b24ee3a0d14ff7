"""The Alembic migrations build exactly the schema the models describe, on this database."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from inquiry import taxonomy
from inquiry.search.index import include_object
from inquiry.tickets.models import Queue


def test_models_and_migrations_agree(db):
    with db.engine.connect() as conn:
        # The full-text index objects have no model (inquiry.search.index.include_object).
        diff = compare_metadata(MigrationContext.configure(conn, opts={"include_object": include_object}), db.metadata)
    assert diff == []


def test_migration_creates_one_queue_per_audience_plus_triage_and_whistleblowing(db):
    slugs = set(db.session.scalars(select(Queue.slug)))
    assert slugs == set(taxonomy.AUDIENCES) | {taxonomy.TRIAGE_QUEUE, taxonomy.WHISTLEBLOWING_QUEUE}
    restricted = db.session.scalars(select(Queue).where(Queue.is_restricted.is_(True))).all()
    assert [q.slug for q in restricted] == [taxonomy.WHISTLEBLOWING_QUEUE]
    assert restricted[0].name == "Whistleblowing (restricted)" and not restricted[0].auto_assign
