"""Canned replies: saving them (checked once, here, for the pages, the CLI and any API), filling
their placeholders for one ticket, and offering the right ones in the right language.

Supervisors and administrators manage them; every staff member may use them. A placeholder the
desk cannot fill is refused when the reply is saved, so rendering never meets one and never raises.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field

from flask import current_app, has_request_context, url_for
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from inquiry import taxonomy
from inquiry.audit.services import record
from inquiry.auth.access import is_supervisor
from inquiry.auth.models import User
from inquiry.canned.models import CannedReply, CannedReplyVariant
from inquiry.dbtypes import utcnow
from inquiry.errors import Conflict, Forbidden, Invalid, NotFound
from inquiry.extensions import db
from inquiry.tickets.models import Queue, Ticket

log = logging.getLogger(__name__)

# What a body may contain in braces, and what each becomes (see ``render``).
PLACEHOLDERS: dict[str, str] = {
    "contact_name": "the sender's name",
    "reference": "the ticket's reference, e.g. INQ-7K3M-Q9PX",
    "agent_name": "your name",
    "queue": "the ticket's queue",
    "status_url": "the public page where the sender checks their inquiry",
}
# Anything in single braces is taken for a placeholder: a typo ({referense}) must not reach a sender.
_BRACES = re.compile(r"\{([^{}\n]{0,60})\}")
# Lower-case letters and digits in words joined by single hyphens: "lost-passport".
SHORTCUT = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TITLE_MAX = 120
SHORTCUT_MAX = 40
FALLBACK_LANGUAGE = "en"


@dataclass(frozen=True)
class Offer:
    """One canned reply as offered on a ticket: the chosen variant, already filled in."""

    id: int
    title: str
    shortcut: str
    language: str  # the variant chosen
    body: str  # that variant, rendered for the ticket and the agent
    languages: list[str] = field(default_factory=list)  # every variant there is

    def as_dict(self) -> dict:
        return asdict(self)


def _require_manager(actor: User | None) -> None:
    """Supervisors and administrators manage canned replies; None is the CLI or the demo seed."""
    if actor is not None and not is_supervisor(actor):
        raise Forbidden("only supervisors and administrators manage canned replies")


def unknown_placeholders(body: str) -> list[str]:
    """The brace-enclosed names in ``body`` that are not placeholders, in order, each once."""
    found = [match.group(1) for match in _BRACES.finditer(body or "")]
    return list(dict.fromkeys(name for name in found if name.strip() not in PLACEHOLDERS))


def _clean(title, shortcut, variants, queue, topic) -> tuple[dict, dict[str, list[str]]]:
    """Every field checked at once, so a form shows all its problems together."""
    problems: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title:
        problems["title"] = ["Give the reply a title."]
    elif len(title) > TITLE_MAX:
        problems["title"] = [f"At most {TITLE_MAX} characters."]
    shortcut = (shortcut or "").strip().lower()
    if not shortcut:
        problems["shortcut"] = ["Give the reply a shortcut, e.g. lost-passport."]
    elif len(shortcut) > SHORTCUT_MAX or not SHORTCUT.match(shortcut):
        problems["shortcut"] = [f"Lower-case letters, digits and single hyphens, at most {SHORTCUT_MAX} characters "
                                "(e.g. lost-passport)."]
    queue_row = None
    if queue:
        queue_row = db.session.scalar(select(Queue).filter_by(slug=queue))
        if queue_row is None:
            problems["queue"] = ["Not a queue."]
    topic = topic or None
    if topic is not None and topic not in taxonomy.TOPICS:
        problems["topic"] = ["Not a topic."]
    bodies = _clean_variants(variants, problems)
    cleaned = {"title": title, "shortcut": shortcut, "queue": queue_row, "topic": topic, "variants": bodies}
    return cleaned, problems


def _clean_variants(variants, problems: dict[str, list[str]]) -> dict[str, str]:
    pairs = list(variants.items()) if isinstance(variants, Mapping) else list(variants or ())
    limit = current_app.config["MESSAGE_MAX_CHARS"]
    bodies: dict[str, str] = {}
    for language, body in pairs:
        code = (language or "").strip().lower()
        text = (body or "").strip()
        key = f"variants.{code or '?'}"
        if code not in taxonomy.LANGUAGES:
            problems.setdefault("variants", []).append(f"{language or '(none)'!s}: not an ISO 639-1 language code.")
            continue
        if code in bodies:
            problems.setdefault("variants", []).append(f"{code}: there is already a variant in this language.")
            continue
        bodies[code] = text
        if not text:
            problems.setdefault(key, []).append("Write the reply, or remove this language.")
        elif len(text) > limit:
            problems.setdefault(key, []).append(f"At most {limit} characters.")
        unknown = unknown_placeholders(text)
        if unknown:
            known = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
            problems.setdefault(key, []).append(
                f"Unknown placeholder{'s' if len(unknown) > 1 else ''} {', '.join('{' + u + '}' for u in unknown)}; "
                f"use {known}.")
    if not bodies and "variants" not in problems:
        problems["variants"] = ["Write the reply in at least one language."]
    return bodies


def _shortcut_taken(shortcut: str, *, other_than: int | None = None) -> bool:
    query = select(CannedReply.id).filter_by(shortcut=shortcut)
    if other_than is not None:
        query = query.where(CannedReply.id != other_than)
    return db.session.scalar(query) is not None


def _conflict(shortcut: str) -> Conflict:
    return Conflict(f"the shortcut {shortcut} is already used by another canned reply",
                    fields={"shortcut": ["Already used by another canned reply."]})


def _flush(shortcut: str) -> None:
    """Flush in a savepoint: a shortcut saved by someone else a moment ago becomes a Conflict."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise _conflict(shortcut) from None


def describe(reply: CannedReply) -> dict:
    """The reply as audit events record it."""
    return {
        "title": reply.title,
        "shortcut": reply.shortcut,
        "queue": reply.queue.slug if reply.queue is not None else None,
        "topic": reply.topic,
        "is_enabled": reply.is_enabled,
        "variants": {v.language: v.body for v in reply.variants},
    }


def create_reply(*, title: str, shortcut: str, variants, queue: str | None = None, topic: str | None = None,
                 actor: User | None = None) -> CannedReply:
    """A new enabled canned reply. ``variants``: {language: body} or (language, body) pairs;
    ``queue``: a queue slug, or None for every queue. Invalid (all problems at once) or Conflict."""
    _require_manager(actor)
    cleaned, problems = _clean(title, shortcut, variants, queue, topic)
    if problems:
        raise Invalid("the canned reply was not saved", fields=problems)
    if _shortcut_taken(cleaned["shortcut"]):
        raise _conflict(cleaned["shortcut"])
    reply = CannedReply(title=cleaned["title"], shortcut=cleaned["shortcut"], queue=cleaned["queue"],
                        topic=cleaned["topic"], is_enabled=True, created_by_id=getattr(actor, "id", None),
                        variants=[CannedReplyVariant(language=code, body=body) for code, body in cleaned["variants"].items()])
    db.session.add(reply)
    _flush(reply.shortcut)
    record("canned.created", actor=actor, subject=f"canned:{reply.id}", after=describe(reply))
    return reply


def update_reply(reply: CannedReply, *, title: str, shortcut: str, variants, queue: str | None = None,
                 topic: str | None = None, actor: User | None = None) -> bool:
    """Replace the reply's fields and its variants (a language left out is removed). True if
    anything changed; nothing is written (not even an audit event) when nothing did."""
    _require_manager(actor)
    cleaned, problems = _clean(title, shortcut, variants, queue, topic)
    if problems:
        raise Invalid("the canned reply was not saved", fields=problems)
    if _shortcut_taken(cleaned["shortcut"], other_than=reply.id):
        raise _conflict(cleaned["shortcut"])
    before = describe(reply)
    reply.title, reply.shortcut, reply.topic = cleaned["title"], cleaned["shortcut"], cleaned["topic"]
    reply.queue = cleaned["queue"]
    existing = {v.language: v for v in reply.variants}
    for code, variant in existing.items():
        if code not in cleaned["variants"]:
            reply.variants.remove(variant)
    for code, body in cleaned["variants"].items():
        if code in existing:
            existing[code].body = body
        else:
            reply.variants.append(CannedReplyVariant(language=code, body=body))
    after = describe(reply)
    if after == before:
        return False
    reply.updated_at = utcnow()
    _flush(reply.shortcut)
    changed = [key for key in after if after[key] != before[key]]
    record("canned.updated", actor=actor, subject=f"canned:{reply.id}",
           before={key: before[key] for key in changed}, after={key: after[key] for key in changed})
    return True


def set_enabled(reply: CannedReply, enabled: bool, *, actor: User | None = None) -> bool:
    """Switch a reply on or off (off is how one is deleted: audit events keep pointing at it)."""
    _require_manager(actor)
    if reply.is_enabled == enabled:
        return False
    reply.is_enabled = enabled
    reply.updated_at = utcnow()
    record("canned.enabled" if enabled else "canned.disabled", actor=actor, subject=f"canned:{reply.id}",
           before={"is_enabled": not enabled}, after={"is_enabled": enabled})
    return True


def get_reply(reply_id: int) -> CannedReply:
    reply = db.session.get(CannedReply, reply_id)
    if reply is None:
        raise NotFound("no such canned reply")
    return reply


def list_replies(search: str = "") -> list[CannedReply]:
    """Every canned reply, enabled first, by title; ``search`` matches title or shortcut."""
    query = select(CannedReply).options(selectinload(CannedReply.variants), selectinload(CannedReply.queue))
    search = (search or "").strip().lower()
    if search:
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(func.lower(CannedReply.title).like(pattern, escape="\\"),
                                CannedReply.shortcut.like(pattern, escape="\\")))
    query = query.order_by(CannedReply.is_enabled.desc(), func.lower(CannedReply.title), CannedReply.id)
    return list(db.session.scalars(query))


def status_url(ticket: Ticket) -> str:
    """The public status page, in the sender's language when known: absolute with
    PUBLIC_BASE_URL or a request, a path otherwise (never raises)."""
    values = {"lang": ticket.language} if ticket.language in taxonomy.LANGUAGES else {}
    base = (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    try:
        if base:
            return base + current_app.url_map.bind("", script_name="/").build("public.status", values)
        if has_request_context() or current_app.config.get("SERVER_NAME"):
            return url_for("public.status", _external=True, **values)
        return current_app.url_map.bind("", script_name="/").build("public.status", values)
    except Exception:  # a broken URL setting must not stop an agent from answering
        log.exception("could not build the public status URL")
        return base + "/contact/status"


def _contact_name(ticket: Ticket) -> str:
    contact = ticket.contact
    if contact is None:
        return ""
    return contact.display_name or (contact.person.name if contact.person is not None else None) or ""


def placeholder_values(ticket: Ticket, agent: User | None) -> dict[str, str]:
    """What each placeholder becomes on this ticket, for this agent."""
    return {
        "contact_name": _contact_name(ticket),
        "reference": ticket.reference or "",
        "agent_name": getattr(agent, "name", "") or "",
        "queue": ticket.queue.name if ticket.queue is not None else "",
        "status_url": status_url(ticket),
    }


def render(body: str, ticket: Ticket, agent: User | None, *, values: dict[str, str] | None = None) -> str:
    """``body`` with its placeholders filled in. Never raises: anything in braces that is not a
    placeholder (only possible in rows written around the services) is left as it is."""
    values = values if values is not None else placeholder_values(ticket, agent)

    def fill(match: re.Match) -> str:
        name = match.group(1).strip()
        return values.get(name, match.group(0)) if name in PLACEHOLDERS else match.group(0)

    return _BRACES.sub(fill, body or "")


def choose_language(available: Iterable[str], *preferred: str | None) -> str | None:
    """The first of ``preferred`` that is available, else English, else the first available."""
    available = list(available)
    for code in (*preferred, FALLBACK_LANGUAGE):
        if code and code in available:
            return code
    return available[0] if available else None


def offer(ticket: Ticket, agent: User | None, *, language: str | None = None) -> list[Offer]:
    """The enabled replies for the ticket's queue (and for every queue), those about the ticket's
    topic first, then by title. Each comes in ``language`` when it has that variant, else in the
    ticket's language, else English, else its first language."""
    query = (select(CannedReply).options(selectinload(CannedReply.variants))
             .where(CannedReply.is_enabled.is_(True))
             .where(or_(CannedReply.queue_id.is_(None), CannedReply.queue_id == ticket.queue_id)))
    replies = [reply for reply in db.session.scalars(query) if reply.variants]
    replies.sort(key=lambda r: (not (ticket.topic and r.topic == ticket.topic), r.title.lower(), r.id))
    values = placeholder_values(ticket, agent)
    offers = []
    for reply in replies:
        bodies = {v.language: v.body for v in reply.variants}
        chosen = choose_language(sorted(bodies), language, ticket.language)
        offers.append(Offer(id=reply.id, title=reply.title, shortcut=reply.shortcut, language=chosen,
                            body=render(bodies[chosen], ticket, agent, values=values), languages=sorted(bodies)))
    return offers
