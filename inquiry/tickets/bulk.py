"""One action on a selection of tickets: each applied on its own, failures reported per ticket."""
from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from sqlalchemy import select

from inquiry.auth import access
from inquiry.auth.models import User
from inquiry.dbtypes import utcnow
from inquiry.errors import InquiryError, Invalid
from inquiry.extensions import db
from inquiry.tickets import services
from inquiry.tickets.models import Ticket, TicketStatus
from inquiry.tickets.tags import change_tags, parse

ACTIONS = ("assign", "tag", "solve")
MAX_SELECTION = 200


class BulkResult(NamedTuple):
    done: list[str]  # references
    failed: dict[str, str]  # reference (or the id asked for) -> why


def apply(ids: list[int | str], action: str, *, actor: User, assignee: User | None = None, tags: str = "",
          at: dt.datetime | None = None) -> BulkResult:
    """Apply ``action`` to each selected ticket in its own savepoint, so one refusal (a closed ticket,
    an assignee who does not work that queue) does not undo the others. The caller commits."""
    if action not in ACTIONS:
        raise Invalid(f"unknown bulk action {action!r}", fields={"action": [f"one of {', '.join(ACTIONS)}"]})
    wanted = []
    for value in ids:
        text = str(value)
        if not (text.isascii() and text.isdigit() and len(text) <= 9):
            raise Invalid("the selection holds something that is not a ticket", fields={"ids": ["ticket ids"]})
        wanted.append(int(text))
    if not wanted:
        raise Invalid("select at least one ticket", fields={"ids": ["select at least one ticket"]})
    if len(wanted) > MAX_SELECTION:
        raise Invalid(f"at most {MAX_SELECTION} tickets at once", fields={"ids": [f"at most {MAX_SELECTION}"]})
    tag_list = parse(tags) if action == "tag" else []
    if action == "tag" and not tag_list:
        raise Invalid("give at least one tag", fields={"tags": ["must not be empty"]})
    at = at or utcnow()
    found = {t.id: t for t in db.session.scalars(select(Ticket).where(Ticket.id.in_(wanted)))}
    done, failed = [], {}
    for ticket_id in dict.fromkeys(wanted):
        ticket = found.get(ticket_id)
        if ticket is None or not access.can_see_ticket(actor, ticket):
            failed[str(ticket_id)] = "no such ticket"
            continue
        try:
            with db.session.begin_nested():
                if action == "assign":
                    services.assign(ticket, assignee, actor=actor, at=at)
                elif action == "tag":
                    change_tags(ticket, actor=actor, add=tag_list, at=at)
                else:
                    if ticket.status != TicketStatus.SOLVED:
                        services.change_status(ticket, TicketStatus.SOLVED, actor=actor, at=at)
            done.append(ticket.reference)
        except InquiryError as exc:
            db.session.refresh(ticket)
            failed[ticket.reference] = exc.message
    return BulkResult(done, failed)
