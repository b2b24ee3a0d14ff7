"""Finding tickets: by reference, platform message id, conversation, contact, or words in any
language in their messages (internal notes included: every searcher is staff), subjects and
contact names.

What a user finds is narrowed by ``auth.access`` in SQL, like every ticket list. Identifier
matches come first; word matches follow, the ticket with the most recent matching message first.
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy import bindparam, column, desc, func, literal_column, select, table, union_all
from sqlalchemy.orm import joinedload

from inquiry import taxonomy
from inquiry.auth import access
from inquiry.auth.models import User
from inquiry.channels.models import ChannelAccount
from inquiry.contacts.models import Contact
from inquiry.contacts.services import contact_key
from inquiry.errors import Invalid
from inquiry.extensions import db
from inquiry.search.index import FTS_TABLE
from inquiry.search.models import SearchDocument
from inquiry.search.snippets import Snippet, make_snippet
from inquiry.search.text import Term, is_prefix_term, query_terms
from inquiry.tickets.models import Message, Ticket
from inquiry.tickets.references import normalise_reference

MAX_QUERY_CHARS = 200
MAX_RESULTS = 50

# What a hit matched, most specific first.
REFERENCE = "reference"
MESSAGE_ID = "message_id"  # the platform's id of one of its messages
CONVERSATION = "conversation"  # the platform's conversation key
CONTACT = "contact"  # the sender: platform user id, name, e-mail or phone
MESSAGE = "message"  # words in a message, reply or note
SUBJECT = "subject"


@dataclass(frozen=True)
class Hit:
    """One ticket found, with what matched and a snippet to show why."""

    ticket: Ticket
    matched: str
    snippet: Snippet
    # The matching message (MESSAGE, MESSAGE_ID), else None.
    message: Message | None = None
    # When the matching thing happened: the message's time, else the ticket's last change.
    at: dt.datetime | None = None

    @property
    def snippet_html(self) -> Markup:
        return self.snippet.html()


def check_query(q: str | None) -> str:
    """The query as searched: control characters dropped, trimmed, 1 to MAX_QUERY_CHARS long."""
    text = "".join(ch for ch in q or "" if unicodedata.category(ch) not in ("Cc", "Cs")).strip()
    if not text:
        raise Invalid("type something to search for", fields={"q": ["must not be empty"]})
    if len(text) > MAX_QUERY_CHARS:
        raise Invalid(f"a search is at most {MAX_QUERY_CHARS} characters",
                      fields={"q": [f"at most {MAX_QUERY_CHARS} characters"]})
    return text


def check_limit(limit: int) -> int:
    if type(limit) is not int or not 1 <= limit <= MAX_RESULTS:
        raise Invalid(f"limit must be between 1 and {MAX_RESULTS}",
                      fields={"limit": [f"an integer from 1 to {MAX_RESULTS}"]})
    return limit


def search_tickets(user: User, q: str | None, *, limit: int = MAX_RESULTS) -> list[Hit]:
    """Tickets ``user`` may see that match ``q``, at most ``limit``; Invalid (422) for an empty or
    overlong query. A full ticket reference (INQ-…) finds that ticket only."""
    query = check_query(q)
    limit = check_limit(limit)
    reference = normalise_reference(query)
    if reference and query.upper().startswith("INQ"):
        return _by_reference(user, reference)
    hits: dict[int, Hit] = {}
    found = (_by_reference(user, reference) if reference else []) + _by_identifier(user, query, limit)
    for hit in found + _by_words(user, query, limit):
        hits.setdefault(hit.ticket.id, hit)
    return list(hits.values())[:limit]


def _tickets(user: User, query):
    """``query`` (a select of Ticket) narrowed to what ``user`` may see, with what a list shows."""
    query = access.scope_tickets(query, user, Ticket).options(
        joinedload(Ticket.queue), joinedload(Ticket.assignee), joinedload(Ticket.channel_account),
        joinedload(Ticket.contact),
    )
    return db.session.scalars(query).unique()


def _by_reference(user: User, reference: str) -> list[Hit]:
    return [Hit(ticket, REFERENCE, Snippet(ticket.subject), at=ticket.updated_at)
            for ticket in _tickets(user, select(Ticket).where(Ticket.reference == reference))]


def _by_identifier(user: User, query: str, limit: int) -> list[Hit]:
    """Exact platform ids: of a message, a conversation, a sender. Each of those is unique per
    channel account (or platform), so the look-ups go through those indexes account by account."""
    accounts = select(ChannelAccount.id)
    hits: list[Hit] = []
    by_message = (select(Ticket, Message).join(Message, Message.ticket_id == Ticket.id)
                  .where(Message.channel_account_id.in_(accounts), Message.external_id == query))
    by_message = access.scope_tickets(by_message, user, Ticket).order_by(Message.created_at.desc()).limit(limit)
    for ticket, message in db.session.execute(by_message):
        hits.append(Hit(ticket, MESSAGE_ID, make_snippet(message.body, []), message=message, at=message.created_at))

    by_conversation = (select(Ticket).where(Ticket.channel_account_id.in_(accounts), Ticket.conversation_key == query)
                       .order_by(Ticket.updated_at.desc()).limit(limit))
    hits += [Hit(ticket, CONVERSATION, Snippet(ticket.subject), at=ticket.updated_at)
             for ticket in _tickets(user, by_conversation)]

    keys = {query, contact_key("", external_id=None, email=query, phone=None)}
    if any(ch.isdigit() for ch in query):
        keys.add(contact_key("", external_id=None, email=None, phone=query))
    by_contact = (select(Ticket).join(Contact, Contact.id == Ticket.contact_id)
                  .where(Contact.platform.in_(list(taxonomy.CHANNELS)), Contact.external_id.in_(sorted(keys)))
                  .order_by(Ticket.updated_at.desc()).limit(limit))
    hits += [Hit(ticket, CONTACT, Snippet(_contact_line(ticket.contact)), at=ticket.updated_at)
             for ticket in _tickets(user, by_contact)]
    return hits


def _contact_line(contact: Contact) -> str:
    return " · ".join(part for part in (contact.display_name, contact.email, contact.phone, contact.external_id) if part)


_SIMPLE = literal_column("'simple'::regconfig")


def _match(terms: list[Term], prefix: bool):
    """SQL that is true for the search documents holding every term, on this database.

    Terms hold only letters, marks and digits (``text.query_terms``), so quoting them is enough
    to keep any operator a user types (NEAR, AND, *, :, quotes) from being read as syntax.
    """
    last = len(terms) - 1
    if db.engine.dialect.name == "postgresql":
        parts = []
        for n, term in enumerate(terms):
            phrase = " <-> ".join(f"'{token}'" for token in term.tokens)
            parts.append(f"({phrase})" if len(term.tokens) > 1 else phrase + (":*" if prefix and n == last else ""))
        tsquery = func.to_tsquery(_SIMPLE, bindparam("search", " & ".join(parts)))
        return func.to_tsvector(_SIMPLE, SearchDocument.text).bool_op("@@")(tsquery)
    expression = " ".join('"' + " ".join(term.tokens) + '"' + ("*" if prefix and n == last else "")
                          for n, term in enumerate(terms))
    fts = table(FTS_TABLE, column("rowid"))
    matching = select(fts.c.rowid).where(literal_column(FTS_TABLE).op("MATCH")(bindparam("search", expression)))
    return SearchDocument.id.in_(matching)


def _by_words(user: User, query: str, limit: int) -> list[Hit]:
    """Tickets with a message, subject or contact holding every word of ``query``, the most
    recent match first: a message by its time, a subject or contact by the ticket's last change."""
    terms = query_terms(query)
    if not terms:
        return []
    prefix = is_prefix_term(terms)
    docs = (select(SearchDocument.message_id, SearchDocument.subject_ticket_id, SearchDocument.contact_id)
            .where(_match(terms, prefix)).cte("matching"))
    found = union_all(
        select(Message.ticket_id.label("ticket_id"), Message.created_at.label("at"))
        .join(docs, docs.c.message_id == Message.id),
        select(Ticket.id, Ticket.updated_at).join(docs, docs.c.subject_ticket_id == Ticket.id),
        select(Ticket.id, Ticket.updated_at).join(docs, docs.c.contact_id == Ticket.contact_id),
    ).subquery()
    latest = func.max(found.c.at).label("at")
    ranked = access.scope_tickets(select(Ticket.id, latest).join(found, found.c.ticket_id == Ticket.id), user, Ticket)
    ranked = ranked.group_by(Ticket.id).order_by(desc("at"), Ticket.id.desc()).limit(limit)
    order = [ticket_id for ticket_id, _ in db.session.execute(ranked)]
    if not order:
        return []
    tickets = {t.id: t for t in _tickets(user, select(Ticket).where(Ticket.id.in_(order)))}
    messages = _latest_matching_messages(docs, order)
    hits = []
    for ticket_id in order:
        ticket, message = tickets.get(ticket_id), messages.get(ticket_id)
        if ticket is None:
            continue  # deleted since the first query
        if message is not None:
            hits.append(Hit(ticket, MESSAGE, make_snippet(message.body, terms, prefix=prefix),
                            message=message, at=message.created_at))
            continue
        subject = make_snippet(ticket.subject, terms, prefix=prefix)
        if subject.highlights:
            hits.append(Hit(ticket, SUBJECT, subject, at=ticket.updated_at))
        else:
            hits.append(Hit(ticket, CONTACT, make_snippet(_contact_line(ticket.contact), terms, prefix=prefix),
                            at=ticket.updated_at))
    return hits


def _latest_matching_messages(docs, ticket_ids: list[int]) -> dict[int, Message]:
    """Per ticket, its most recent message among the matching documents ``docs``."""
    newest_first = (Message.created_at.desc(), Message.id.desc())
    rank = func.row_number().over(partition_by=Message.ticket_id, order_by=newest_first)
    ranked = (select(Message.id, rank.label("rank")).join(docs, docs.c.message_id == Message.id)
              .where(Message.ticket_id.in_(ticket_ids)).subquery())
    query = (select(Message).join(ranked, ranked.c.id == Message.id).where(ranked.c.rank == 1)
             .options(joinedload(Message.author)))
    return {message.ticket_id: message for message in db.session.scalars(query)}
