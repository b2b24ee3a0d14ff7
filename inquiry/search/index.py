"""Keeping the search table in step: a row per message, ticket subject and contact, written in the
flush that writes them, so whatever is committed is searchable and a rollback takes both back.

Mapper events rather than calls in each service: messages are written by intake, replies, notes,
edits and the demo, and a search row forgotten by one of them would never be noticed. Bulk
``UPDATE`` statements skip mapper events; none of the fields indexed here is changed that way
(a merge moves messages with ``ticket_id``, which the search joins through and does not copy).

The full-text index itself is made by migration 0006, by database:
- SQLite: ``search_fts``, an FTS5 table over ``search_documents.text`` (external content, rowid =
  ``search_documents.id``) that triggers on ``search_documents`` keep up to date.
- PostgreSQL: ``ix_search_documents_fts``, a GIN index on ``to_tsvector('simple', text)``.
SQLAlchemy cannot describe either, so ``include_object`` tells Alembic to leave them be.
"""
from __future__ import annotations

from sqlalchemy import delete, event, insert, inspect

from inquiry.contacts.models import Contact
from inquiry.search.models import SearchDocument
from inquiry.search.text import contact_text, index_text
from inquiry.tickets.models import Message, Ticket

FTS_TABLE = "search_fts"
PG_INDEX = "ix_search_documents_fts"
_table = SearchDocument.__table__


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic ``include_object``: skip the full-text objects migration 0006 made by hand (the FTS5
    table and its shadow tables, the GIN index), which no model describes."""
    if not reflected or compare_to is not None:
        return True
    if type_ == "table":
        return not (name == FTS_TABLE or name.startswith(FTS_TABLE + "_"))
    if type_ == "index":
        return name != PG_INDEX
    return True


def _write(connection, owner: str, owner_id: int, text: str, *, replace: bool) -> None:
    """Store ``text`` as the document of ``owner`` (a column of the table); none if it is empty."""
    if replace:
        connection.execute(delete(_table).where(_table.c[owner] == owner_id))
    if text:
        connection.execute(insert(_table).values({owner: owner_id, "text": text}))


def _changed(target, *names: str) -> bool:
    state = inspect(target)
    return any(state.attrs[name].history.has_changes() for name in names)


@event.listens_for(Message, "after_insert")
def _message_added(_mapper, connection, message: Message) -> None:
    _write(connection, "message_id", message.id, index_text(message.body), replace=False)


@event.listens_for(Message, "after_update")
def _message_changed(_mapper, connection, message: Message) -> None:
    if _changed(message, "body"):  # a platform edit
        _write(connection, "message_id", message.id, index_text(message.body), replace=True)


@event.listens_for(Ticket, "after_insert")
def _ticket_added(_mapper, connection, ticket: Ticket) -> None:
    _write(connection, "subject_ticket_id", ticket.id, index_text(ticket.subject), replace=False)


@event.listens_for(Ticket, "after_update")
def _ticket_changed(_mapper, connection, ticket: Ticket) -> None:
    if _changed(ticket, "subject"):
        _write(connection, "subject_ticket_id", ticket.id, index_text(ticket.subject), replace=True)


def _contact_document(contact: Contact) -> str:
    return contact_text(contact.display_name, contact.email, contact.phone)


@event.listens_for(Contact, "after_insert")
def _contact_added(_mapper, connection, contact: Contact) -> None:
    _write(connection, "contact_id", contact.id, _contact_document(contact), replace=False)


@event.listens_for(Contact, "after_update")
def _contact_changed(_mapper, connection, contact: Contact) -> None:
    if _changed(contact, "display_name", "email", "phone"):
        _write(connection, "contact_id", contact.id, _contact_document(contact), replace=True)
