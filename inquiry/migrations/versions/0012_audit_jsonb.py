"""audit events' before/after as JSONB on PostgreSQL (reports read keys of thousands of them)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-22 03:10:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    # SQLite keeps JSON as text either way; nothing to change there.
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE audit_events ALTER COLUMN before TYPE jsonb USING before::jsonb, "
               "ALTER COLUMN after TYPE jsonb USING after::jsonb")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE audit_events ALTER COLUMN before TYPE json USING before::json, "
               "ALTER COLUMN after TYPE json USING after::json")
