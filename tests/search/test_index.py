"""The search table follows every write: intake, replies, notes, edits, renames, moves, deletes,
rollbacks; the migration's backfill indexes what was there before; Alembic leaves the index be."""
import importlib.util
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import delete, func, select, text

from inquiry import MIGRATIONS_DIR
from inquiry.channels.services import default_account
from inquiry.contacts.services import upsert_contact
from inquiry.ingest.inbound import InboundMessage
from inquiry.ingest.services import receive
from inquiry.search.index import FTS_TABLE, PG_INDEX, include_object
from inquiry.search.models import SearchDocument
from inquiry.search.services import search_tickets
from inquiry.tickets import services as tickets
from inquiry.tickets.models import Message, Ticket


def refs(user, query):
    return [hit.ticket.reference for hit in search_tickets(user, query)]


def document_of(db, message):
    return db.session.scalar(select(SearchDocument.text).where(SearchDocument.message_id == message.id))


@pytest.fixture
def boss(make):
    return make.supervisor()


def test_receive_indexes_message_subject_and_contact(db, boss):
    got = receive(InboundMessage(account=default_account("telegram"), text="Wo ist mein Reisepass?\nDanke",
                                 sender_external_id="tg-77", sender_display_name="Jürgen Groß",
                                 external_message_id="tg-msg-1", conversation_key="tg-chat-77"))
    db.session.commit()
    assert document_of(db, got.message) == "wo ist mein reisepass danke"
    documents = db.session.scalars(select(SearchDocument.text).where(
        (SearchDocument.subject_ticket_id == got.ticket.id) | (SearchDocument.contact_id == got.ticket.contact_id)))
    assert sorted(documents) == ["jurgen gross", "wo ist mein reisepass"]
    for query in ("reisepass", "jurgen GROSS", "tg-msg-1", "tg-chat-77", "tg-77"):
        assert refs(boss, query) == [got.ticket.reference], query


def test_inbound_reply_and_note_are_indexed_in_their_transaction(db, make, boss):
    ticket = make.ticket(text="first")
    inbound = tickets.add_inbound(ticket, "Second message: 签证", contact=ticket.contact, account=ticket.channel_account)
    reply = tickets.reply(ticket, "Our answer", actor=boss)
    note = tickets.add_note(ticket, "Internal: call back", actor=boss)
    # Written in the same flush: searchable inside the transaction, before any commit.
    documents = [document_of(db, m) for m in (inbound, reply, note)]
    assert documents == ["second message 签证 签 证", "our answer", "internal call back"]
    assert refs(boss, "签证") == [ticket.reference]
    db.session.commit()
    assert refs(boss, "call back") == [ticket.reference]


def test_rollback_takes_the_index_back_too(db, make, boss):
    ticket = make.ticket(text="first")
    tickets.add_note(ticket, "zanzibar", actor=boss)
    assert refs(boss, "zanzibar") == [ticket.reference]
    db.session.rollback()
    assert refs(boss, "zanzibar") == []
    messages = select(func.count()).select_from(SearchDocument).where(SearchDocument.message_id.is_not(None))
    assert db.session.scalar(messages) == 1


def test_an_edited_message_is_found_by_its_new_words_only(db, boss):
    account = default_account("telegram")
    first = receive(InboundMessage(account=account, text="meet on monday", sender_external_id="u1",
                                   external_message_id="e1"))
    db.session.commit()
    receive(InboundMessage(account=account, text="meet on friday", sender_external_id="u1", external_message_id="e1",
                           is_edit=True))
    db.session.commit()
    assert document_of(db, first.message) == "meet on friday"
    [hit] = search_tickets(boss, "friday")
    assert hit.ticket.id == first.ticket.id and hit.matched == "message"
    [hit] = search_tickets(boss, "monday")  # the subject still says so; the message no longer does
    assert hit.ticket.id == first.ticket.id and hit.matched == "subject"


def test_a_renamed_contact_is_found_by_the_new_name(db, make, boss):
    ticket = make.ticket(contact_name="Old Name", text="hi")
    upsert_contact(ticket.contact.platform, ticket.contact.external_id, display_name="Nuevo Nombre")
    db.session.commit()
    assert refs(boss, "nuevo nombre") == [ticket.reference]
    assert refs(boss, "old name") == []


def test_a_message_moved_to_another_ticket_is_found_there(db, make, boss):
    source = make.ticket(text="moving message")
    target = make.ticket(text="target")
    [message] = source.messages
    message.ticket_id = target.id  # as a merge does
    db.session.commit()
    assert refs(boss, "moving") == [target.reference]


def test_deleting_a_ticket_deletes_its_documents(db, make, boss):
    ticket = make.ticket(text="ephemeral words")
    db.session.delete(ticket)
    db.session.commit()
    assert refs(boss, "ephemeral") == []
    assert db.session.scalar(select(func.count()).select_from(SearchDocument).where(
        SearchDocument.subject_ticket_id.is_not(None) | SearchDocument.message_id.is_not(None))) == 0


def _migration_0006():
    path = Path(MIGRATIONS_DIR) / "versions" / "0006_message_search.py"
    spec = importlib.util.spec_from_file_location("migration_0006", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_migration_backfill_indexes_rows_written_before_search(db, make, boss):
    ticket = make.ticket(text="Старый запрос о визе", contact_name="Ana")
    tickets.add_note(ticket, "ノート", actor=boss)
    db.session.commit()
    db.session.execute(delete(SearchDocument))  # as if written before search existed
    db.session.commit()
    assert refs(boss, "визе") == [] and refs(boss, "ana") == []
    _migration_0006()._backfill(db.session.connection())
    db.session.commit()
    assert refs(boss, "визе") == refs(boss, "ノート") == refs(boss, "ana") == [ticket.reference]
    expected = db.session.scalar(select(func.count()).select_from(Message)) + 2  # + subject + contact
    assert db.session.scalar(select(func.count()).select_from(SearchDocument)) == expected


def test_full_text_index_exists_and_is_all_alembic_is_told_to_ignore(db):
    with db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            assert conn.scalar(text("SELECT count(*) FROM sqlite_master WHERE name = :n"), {"n": FTS_TABLE}) == 1
        else:
            found = text("SELECT count(*) FROM pg_indexes WHERE indexname = :n AND schemaname = current_schema()")
            assert conn.scalar(found, {"n": PG_INDEX}) == 1
        unfiltered = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert unfiltered, "the full-text objects should be invisible to the models"
    assert all(not include_object(item[1], item[1].name, item[0].split("_")[1], True, None) for item in unfiltered)


def test_postgres_uses_the_gin_index(db, make, boss):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    make.ticket(text="indexed words")
    with db.engine.connect() as conn:
        conn.execute(text("SET enable_seqscan = off"))
        plan = "\n".join(conn.scalars(text(
            "EXPLAIN SELECT id FROM search_documents WHERE to_tsvector('simple'::regconfig, text) @@ "
            "to_tsquery('simple'::regconfig, 'indexed')")))
    assert PG_INDEX in plan
