"""The search table: the folded text of each message, ticket subject and contact.

Each row belongs to exactly one of them and goes when it goes (ON DELETE CASCADE). A message's
row does not copy its ticket: searches join through ``messages.ticket_id``, so a message moved to
another ticket (a merge) is found on the ticket it is on now.

The full-text index over ``text`` is not described here, because SQLAlchemy cannot describe it:
migration 0006 creates it by hand (see ``inquiry.search.index``). On SQLite that is an FTS5 table
kept in step by triggers on this table, so a batch migration that recreates this table must
create those triggers again.
"""
from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from inquiry.extensions import db

ONE_OWNER = (
    "(CASE WHEN message_id IS NULL THEN 0 ELSE 1 END + CASE WHEN subject_ticket_id IS NULL THEN 0 ELSE 1 END"
    " + CASE WHEN contact_id IS NULL THEN 0 ELSE 1 END) = 1"
)


class SearchDocument(db.Model):
    __tablename__ = "search_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), unique=True)
    # The ticket whose subject this is (a message's ticket is never stored: see above).
    subject_ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), unique=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), unique=True)
    # Folded tokens separated by spaces (``inquiry.search.text.index_text``).
    text: Mapped[str] = mapped_column(Text)

    __table_args__ = (CheckConstraint(ONE_OWNER, name="one_owner"),)
