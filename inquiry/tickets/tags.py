"""Tags on tickets: free-form, normalised so "Scam wave" and "scam-wave" are one tag."""
from __future__ import annotations

import datetime as dt
import re

from inquiry.audit.services import record
from inquiry.dbtypes import utcnow
from inquiry.errors import Invalid
from inquiry.extensions import db
from inquiry.tickets.models import Ticket, TicketTag
from inquiry.tickets.services import _require_writable, _touch

MAX_TAGS = 20
_SEPARATORS = re.compile(r"[\s_]+")
_ALLOWED = re.compile(r"^[\w][\w\-.:]{0,49}$")


def normalise(tag: str) -> str:
    """Lower case, spaces to hyphens; letters of any script, digits and - . : only."""
    text = _SEPARATORS.sub("-", (tag or "").strip().casefold()).strip("-")
    if not _ALLOWED.match(text):
        raise Invalid(f"{tag!r} is not a usable tag", fields={"tags": ["letters, digits, - . : only; at most 50 characters"]})
    return text


def parse(text: str) -> list[str]:
    """Tags typed as "scam wave, press" (comma-separated): normalised, duplicates dropped, order kept."""
    seen: list[str] = []
    for part in re.split(r"[,;\n]+", text or ""):
        if part.strip():
            tag = normalise(part)
            if tag not in seen:
                seen.append(tag)
    return seen


def change_tags(ticket: Ticket, *, actor, add: list[str] = (), remove: list[str] = (),
                at: dt.datetime | None = None) -> list[str]:
    """Add and remove tags; returns the ticket's tags after."""
    _require_writable(ticket, actor)
    at = at or utcnow()
    add = [normalise(t) for t in add]
    remove = {normalise(t) for t in remove}
    before = ticket.tags
    kept = [row for row in ticket.tag_rows if row.tag not in remove]
    current = {row.tag for row in kept}
    for tag in add:
        if tag not in current:
            kept.append(TicketTag(ticket_id=ticket.id, tag=tag))
            current.add(tag)
    if len(kept) > MAX_TAGS:
        raise Invalid(f"a ticket takes at most {MAX_TAGS} tags", fields={"tags": [f"at most {MAX_TAGS}"]})
    ticket.tag_rows = kept
    after = sorted(current)
    if after != sorted(before):
        _touch(ticket, at)
        db.session.flush()
        record("ticket.tagged", actor=actor, ticket=ticket, before={"tags": sorted(before)}, after={"tags": after}, at=at)
    return after
