"""message search: folded text per message, ticket subject and contact, with a full-text index

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

FTS = 'search_fts'
PG_INDEX = 'ix_search_documents_fts'
# The text is folded and tokenised before it is stored (inquiry.search.text): the tokenizer only
# has to split on the spaces, keeping marks (Devanagari, Thai) inside tokens.
TOKENIZE = "unicode61 remove_diacritics 0 categories 'L* M* N* Co'"
TRIGGERS = {
    'search_documents_ai': f"""
        CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN
          INSERT INTO {FTS}(rowid, text) VALUES (new.id, new.text);
        END""",
    'search_documents_ad': f"""
        CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN
          INSERT INTO {FTS}({FTS}, rowid, text) VALUES ('delete', old.id, old.text);
        END""",
    'search_documents_au': f"""
        CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents BEGIN
          INSERT INTO {FTS}({FTS}, rowid, text) VALUES ('delete', old.id, old.text);
          INSERT INTO {FTS}(rowid, text) VALUES (new.id, new.text);
        END""",
}
BATCH = 1000


def upgrade():
    op.create_table('search_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('subject_ticket_id', sa.Integer(), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.CheckConstraint('(CASE WHEN message_id IS NULL THEN 0 ELSE 1 END + CASE WHEN subject_ticket_id IS NULL THEN 0 ELSE 1 END + CASE WHEN contact_id IS NULL THEN 0 ELSE 1 END) = 1', name=op.f('ck_search_documents_one_owner')),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_search_documents_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_search_documents_message_id_messages'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subject_ticket_id'], ['tickets.id'], name=op.f('fk_search_documents_subject_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_documents')),
    sa.UniqueConstraint('contact_id', name=op.f('uq_search_documents_contact_id')),
    sa.UniqueConstraint('message_id', name=op.f('uq_search_documents_message_id')),
    sa.UniqueConstraint('subject_ticket_id', name=op.f('uq_search_documents_subject_ticket_id'))
    )
    bind = op.get_bind()
    _backfill(bind)
    # The full-text index is built after the backfill: one pass instead of a row at a time.
    if bind.dialect.name == 'sqlite':
        op.execute(f"CREATE VIRTUAL TABLE {FTS} USING fts5(text, content='search_documents', "
                   f"content_rowid='id', tokenize=\"{TOKENIZE}\")")
        op.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')")
        for ddl in TRIGGERS.values():
            op.execute(ddl)
    elif bind.dialect.name == 'postgresql':
        op.execute(f"CREATE INDEX {PG_INDEX} ON search_documents USING gin (to_tsvector('simple'::regconfig, text))")


def _backfill(bind):
    """Index what was written before search existed, folded by the rules the app searches with.

    The folding rules are imported, not copied, on purpose: the index is only useful if it is
    folded exactly as queries are, which means by the code that is running when this runs.
    """
    from inquiry.search.text import contact_text, index_text

    documents = sa.table('search_documents', sa.column('message_id'), sa.column('subject_ticket_id'),
                         sa.column('contact_id'), sa.column('text'))
    sources = [
        ('message_id', sa.table('messages', sa.column('id'), sa.column('body')), lambda row: index_text(row.body)),
        ('subject_ticket_id', sa.table('tickets', sa.column('id'), sa.column('subject')), lambda row: index_text(row.subject)),
        ('contact_id', sa.table('contacts', sa.column('id'), sa.column('display_name'), sa.column('email'), sa.column('phone')),
         lambda row: contact_text(row.display_name, row.email, row.phone)),
    ]
    for owner, table, text_of in sources:
        last = 0
        while True:
            rows = bind.execute(sa.select(table).where(table.c.id > last).order_by(table.c.id).limit(BATCH)).all()
            if not rows:
                break
            values = [{'message_id': None, 'subject_ticket_id': None, 'contact_id': None, owner: row.id, 'text': text}
                      for row in rows if (text := text_of(row))]
            if values:
                bind.execute(documents.insert(), values)
            last = rows[-1].id


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        for name in TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(f"DROP TABLE IF EXISTS {FTS}")
    elif bind.dialect.name == 'postgresql':
        op.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")
    op.drop_table('search_documents')
