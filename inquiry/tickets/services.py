"""Every business action on a ticket. Views, the API, the CLI and intake all call these.

Services flush; the caller commits once. Each change writes an audit event.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from flask import current_app
from sqlalchemy import and_, bindparam, or_, select, update
from sqlalchemy.exc import IntegrityError

from inquiry import taxonomy
from inquiry.audit.services import record
from inquiry.auth import access
from inquiry.auth.models import User
from inquiry.dbtypes import utcnow
from inquiry.errors import Conflict, Forbidden, Invalid, NotFound
from inquiry.classifier import corrections
from inquiry.extensions import db
from inquiry.outbound import services as outbound
from inquiry.sla import deadlines
from inquiry.tickets.models import (
    OPEN_STATUSES,
    DeliveryStatus,
    Direction,
    LabelSource,
    Message,
    Queue,
    Ticket,
    TicketStatus,
)
from inquiry.tickets.references import new_reference

S = TicketStatus
# Allowed status changes. "new" is only ever a starting point; "closed" is final.
TRANSITIONS: dict[TicketStatus, frozenset[TicketStatus]] = {
    S.NEW: frozenset({S.OPEN, S.PENDING, S.ON_HOLD, S.SOLVED, S.CLOSED}),
    S.OPEN: frozenset({S.PENDING, S.ON_HOLD, S.SOLVED, S.CLOSED}),
    S.PENDING: frozenset({S.OPEN, S.ON_HOLD, S.SOLVED, S.CLOSED}),
    S.ON_HOLD: frozenset({S.OPEN, S.PENDING, S.SOLVED, S.CLOSED}),
    S.SOLVED: frozenset({S.OPEN, S.CLOSED}),
    S.CLOSED: frozenset(),
}
LABELS = ("topic", "audience", "priority", "language")


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def queue_for(slug: str) -> Queue:
    queue = db.session.scalar(select(Queue).filter_by(slug=slug))
    if queue is None:
        raise NotFound(f"no queue {slug!r}")
    return queue


# Queue ids by (database, slug). Queues are seeded by the migrations and never deleted, so intake
# (a new ticket every few milliseconds) need not look its queue up each time.
_queue_ids: dict[tuple, int] = {}


def queue_id_for(slug: str) -> int:
    """The id of the queue ``slug`` (NotFound if there is none), remembered per process."""
    key = (db.engine.url, slug)
    found = _queue_ids.get(key)
    if found is None:
        found = _queue_ids[key] = queue_for(slug).id
    return found


def check_body(body: str | None, field: str = "body") -> str:
    """A message body as stored: not blank, not longer than the configured limit."""
    text = (body or "").strip()
    if not text:
        raise Invalid("message is empty", fields={field: ["must not be empty"]})
    limit = current_app.config["MESSAGE_MAX_CHARS"]
    if len(text) > limit:
        raise Invalid(f"message is longer than {limit} characters", fields={field: [f"at most {limit} characters"]})
    return text


def _touch(ticket: Ticket, at: dt.datetime) -> None:
    ticket.updated_at = at


def _set_open_key(ticket: Ticket) -> None:
    ticket.open_conversation_key = ticket.conversation_key if ticket.status in OPEN_STATUSES else None


def open_ticket(
    *,
    account,
    contact,
    conversation_key: str,
    subject: str = "",
    prediction=None,
    language: str | None = None,
    at: dt.datetime | None = None,
    with_public_token: bool = False,
) -> tuple[Ticket, str | None]:
    """A new ticket routed by ``prediction``; returns it and, if asked, the sender's status token.

    Raises IntegrityError (inside the caller's savepoint) when the conversation already has an
    open ticket, so concurrent first messages end up on one ticket.
    """
    at = at or utcnow()
    token = secrets.token_urlsafe(16) if with_public_token else None
    ticket = Ticket(
        reference=new_reference(),
        subject=(subject or "")[:200],
        status=S.NEW,
        channel_account_id=account.id,
        contact_id=contact.id,
        conversation_key=conversation_key,
        open_conversation_key=conversation_key,
        public_token_hash=hash_secret(token) if token else None,
        created_at=at,
        updated_at=at,
        last_inbound_at=at,
        priority="normal",
        priority_source=LabelSource.SYSTEM,
    )
    queue = _apply_prediction(ticket, prediction, language=language,
                              fallback_language=contact.language or account.default_language)
    deadlines.opened(ticket, at)
    db.session.add(ticket)
    db.session.flush()
    record(
        "ticket.created",
        actor_kind="platform",
        ticket=ticket,
        after={
            "queue": queue,
            **{label: getattr(ticket, label) for label in LABELS},
            # Who set each label, so reports can tell the router's guesses from the sender's word.
            "sources": {label: getattr(getattr(ticket, f"{label}_source"), "value", None) for label in LABELS},
            "reason": getattr(prediction, "reason", "") or None,
        },
        at=at,
    )
    return ticket, token


def _apply_prediction(ticket: Ticket, prediction, *, language: str | None, fallback_language: str | None) -> str:
    """Copy the router's labels onto a new ticket and pick its queue (triage unless confident,
    whistleblowing for a sensitive topic at any confidence); returns the queue's slug."""
    if prediction is not None:
        for label in ("topic", "audience", "priority", "language"):
            guess = getattr(prediction, label)
            if guess.value:
                setattr(ticket, label, guess.value)
                setattr(ticket, f"{label}_confidence", guess.confidence)
                setattr(ticket, f"{label}_source", LabelSource.CLASSIFIER)
                if guess.why:
                    ticket.label_why = {**(ticket.label_why or {}), label: list(guess.why)}
    if language:  # what the sender told us beats any guess
        ticket.language, ticket.language_confidence, ticket.language_source = language, None, LabelSource.SENDER
    elif not ticket.language and fallback_language:
        ticket.language, ticket.language_source = fallback_language, LabelSource.SYSTEM
    # A tip guessed at low confidence still goes to whistleblowing: in triage every triage agent
    # would read it, while a member who finds it is no tip moves it out with one relabel.
    slug = taxonomy.home_queue(ticket.topic, ticket.audience, routed=prediction is not None and prediction.is_confident)
    ticket.queue_id = queue_id_for(slug)  # the id only: loading the Queue row per ticket is a query
    return slug


def add_inbound(
    ticket: Ticket,
    body: str,
    *,
    contact,
    account,
    external_id: str | None = None,
    sent_at: dt.datetime | None = None,
    at: dt.datetime | None = None,
    attachments: list[dict] | None = None,
    reply_to_external_id: str | None = None,
) -> Message:
    """Store a message from the sender; a ticket waiting on them, or recently solved, reopens.

    Attachments (metadata only) and the id of the message it answers are given here, so the row
    is inserted complete rather than inserted and then updated."""
    at = at or utcnow()
    message = Message(
        ticket=ticket,
        direction=Direction.INBOUND,
        body=check_body(body, "text"),
        contact_id=contact.id,
        channel_account_id=account.id,
        external_id=external_id,
        delivery_status=DeliveryStatus.RECEIVED,
        sent_at=sent_at or at,
        created_at=at,
        attachments=attachments,
        reply_to_external_id=reply_to_external_id,
    )
    db.session.add(message)
    before = ticket.status
    if ticket.status in (S.PENDING, S.ON_HOLD, S.SOLVED):
        ticket.status = S.OPEN
        ticket.solved_at = None
        _set_open_key(ticket)
    ticket.last_inbound_at = at
    deadlines.inbound(ticket, at, before)
    _touch(ticket, at)
    db.session.flush()
    if before != ticket.status:
        record("ticket.reopened" if before == S.SOLVED else "ticket.status", actor_kind="platform", ticket=ticket,
               before={"status": before.value}, after={"status": ticket.status.value}, at=at)
    return message


def find_open_ticket(account_id: int, conversation_key: str) -> Ticket | None:
    return db.session.scalar(
        select(Ticket).filter_by(channel_account_id=account_id, open_conversation_key=conversation_key)
    )


# Built once (intake runs it for every message): the conversation's open ticket, else the one
# solved most recently since ``since``.
_THREAD_TICKET = (
    select(Ticket)
    .where(
        Ticket.channel_account_id == bindparam("account_id"),
        Ticket.conversation_key == bindparam("conversation"),
        or_(Ticket.open_conversation_key == bindparam("conversation"),
            and_(Ticket.status == S.SOLVED, Ticket.solved_at >= bindparam("since"))),
    )
    .order_by(Ticket.open_conversation_key.is_(None), Ticket.solved_at.desc())
    .limit(1)
)


def find_thread_ticket(account_id: int, conversation_key: str, at: dt.datetime) -> Ticket | None:
    """The conversation's open ticket, else the one solved within the reopen window; one query."""
    since = at - dt.timedelta(days=current_app.config["REOPEN_WITHIN_DAYS"])
    return db.session.scalar(_THREAD_TICKET, {"account_id": account_id, "conversation": conversation_key, "since": since})


def _require_writable(ticket: Ticket, actor: User) -> None:
    access.require_ticket(actor, ticket)
    if ticket.status == S.CLOSED:
        raise Conflict("the ticket is closed; a new message from the sender opens a new one")


def reply(ticket: Ticket, body: str, *, actor: User, at: dt.datetime | None = None) -> Message:
    """An answer to the sender on the ticket's channel, put in the outbox in the same transaction."""
    _require_writable(ticket, actor)
    at = at or utcnow()
    text = check_body(body)
    outbound.check_reply_rules(ticket, text, at=at)
    message = Message(
        ticket=ticket,
        direction=Direction.OUTBOUND,
        body=text,
        author_id=actor.id,
        channel_account_id=ticket.channel_account_id,
        delivery_status=DeliveryStatus.QUEUED,
        created_at=at,
    )
    db.session.add(message)
    outbound.enqueue(message, at=at)
    if ticket.first_response_at is None:
        ticket.first_response_at = at
    if ticket.status == S.NEW:
        ticket.status = S.OPEN
    deadlines.replied(ticket, at)
    _touch(ticket, at)
    db.session.flush()
    record("ticket.replied", actor=actor, ticket=ticket, after={"message_id": message.id}, at=at)
    return message


def add_note(ticket: Ticket, body: str, *, actor: User, at: dt.datetime | None = None) -> Message:
    """An internal note: visible to agents only, never sent."""
    _require_writable(ticket, actor)
    at = at or utcnow()
    message = Message(ticket=ticket, direction=Direction.NOTE, body=check_body(body), author_id=actor.id, created_at=at)
    db.session.add(message)
    _touch(ticket, at)
    db.session.flush()
    record("ticket.noted", actor=actor, ticket=ticket, after={"message_id": message.id}, at=at)
    return message


def _check_assignee(ticket: Ticket, assignee: User) -> None:
    if not assignee.is_active or not access.can_see_queue(assignee, ticket.queue_id):
        raise Invalid(
            f"{assignee.email} does not work the {ticket.queue.slug} queue",
            fields={"assignee": ["must be an active member of the ticket's queue"]},
        )


def assign(ticket: Ticket, assignee: User | None, *, actor: User, at: dt.datetime | None = None) -> Ticket:
    """Give the ticket to ``assignee`` (None: unassign).

    Agents may take an unassigned ticket or give up their own; moving others' work is for
    supervisors.
    """
    _require_writable(ticket, actor)
    at = at or utcnow()
    if assignee is not None:
        _check_assignee(ticket, assignee)
    before = ticket.assignee_id
    new = assignee.id if assignee else None
    if before == new:
        return ticket
    if not access.is_supervisor(actor):
        if new is not None and new != actor.id:
            raise Forbidden("only supervisors assign tickets to someone else")
        if before is not None and before != actor.id:
            raise Forbidden("the ticket belongs to another agent; ask a supervisor to reassign it")
    if new is not None and new == actor.id and before is None:
        return claim(ticket, actor=actor, at=at)
    ticket.assignee_id = new
    _touch(ticket, at)
    db.session.flush()
    record("ticket.assigned", actor=actor, ticket=ticket, before={"assignee_id": before}, after={"assignee_id": new}, at=at)
    return ticket


def claim(ticket: Ticket, *, actor: User, at: dt.datetime | None = None) -> Ticket:
    """Take an unassigned ticket. Two agents claiming at once: the database lets only one win."""
    _require_writable(ticket, actor)
    _check_assignee(ticket, actor)
    at = at or utcnow()
    if ticket.assignee_id == actor.id:
        return ticket
    taken = db.session.execute(
        update(Ticket)
        .where(Ticket.id == ticket.id, Ticket.assignee_id.is_(None))
        .values(assignee_id=actor.id, updated_at=at)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(ticket)
    if taken != 1:
        owner = ticket.assignee.name if ticket.assignee else "someone else"
        raise Conflict(f"{owner} already has this ticket")
    record("ticket.assigned", actor=actor, ticket=ticket, before={"assignee_id": None}, after={"assignee_id": actor.id}, at=at)
    return ticket


def change_status(ticket: Ticket, status: TicketStatus | str, *, actor: User, at: dt.datetime | None = None) -> Ticket:
    """Move the ticket along its life cycle, within the allowed transitions."""
    access.require_ticket(actor, ticket)
    at = at or utcnow()
    try:
        status = TicketStatus(status)
    except ValueError:
        raise Invalid(f"unknown status {status!r}", fields={"status": [f"one of {', '.join(s.value for s in S)}"]}) from None
    before = ticket.status
    if status == before:
        return ticket
    if status not in TRANSITIONS[before]:
        raise Conflict(f"a {before.value} ticket cannot become {status.value}")
    ticket.status = status
    if status == S.SOLVED:
        ticket.solved_at = at
    elif status == S.CLOSED:
        ticket.closed_at = at
        ticket.solved_at = ticket.solved_at or at
    elif before == S.SOLVED:
        ticket.solved_at = None
    deadlines.status_changed(ticket, before, at)
    _set_open_key(ticket)
    _touch(ticket, at)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise Conflict("the conversation already has another open ticket") from None
    record("ticket.status", actor=actor, ticket=ticket, before={"status": before.value}, after={"status": status.value}, at=at)
    return ticket


def _validate_label(label: str, value: str | None) -> None:
    allowed = {
        "topic": taxonomy.TOPICS,
        "audience": taxonomy.AUDIENCES,
        "priority": taxonomy.PRIORITIES,
        "language": taxonomy.LANGUAGES,
    }[label]
    if value not in allowed:
        raise Invalid(f"{value!r} is not a {label}", fields={label: [f"not a known {label}"]})


def _queue_after_relabel(ticket: Ticket, changed: dict) -> str | None:
    """Where a relabelled ticket goes (None: it stays). A sensitive topic always means the
    whistleblowing queue (an audience change does not take a tip out of it); leaving such a
    topic means the audience's queue, or triage without one. Otherwise the queue follows the
    audience, and a ticket in triage leaves it once a person has settled what the router was
    unsure of."""
    if not changed:
        return None
    slug = ticket.queue.slug
    if ticket.topic in taxonomy.SENSITIVE_TOPICS:
        return taxonomy.WHISTLEBLOWING_QUEUE
    if slug == taxonomy.WHISTLEBLOWING_QUEUE and "topic" in changed:
        return taxonomy.home_queue(ticket.topic, ticket.audience)
    leaves_triage = slug == taxonomy.TRIAGE_QUEUE and ticket.topic and ticket.audience
    if ("audience" in changed or leaves_triage) and ticket.audience:
        return ticket.audience
    return None


def update_labels(ticket: Ticket, *, actor: User, at: dt.datetime | None = None, **labels: str) -> Ticket:
    """Correct the routing labels; a new audience moves the ticket to that queue, a sensitive
    topic to the restricted whistleblowing queue (and a topic changed away from one back out).

    Every correction is recorded as the agent's, so the classifier can learn from it; an
    assignee who does not work the new queue is unassigned. An agent who is not a member of
    the whistleblowing queue may move a ticket into it, and then no longer sees it.
    """
    _require_writable(ticket, actor)
    at = at or utcnow()
    unknown = set(labels) - set(LABELS)
    if unknown:
        raise Invalid("unknown label", fields={name: ["not a routing label"] for name in unknown})
    before, after = {}, {}
    for label, value in labels.items():
        _validate_label(label, value)
        if getattr(ticket, label) == value and getattr(ticket, f"{label}_source") == LabelSource.AGENT:
            continue
        before[label] = getattr(ticket, label)
        after[label] = value
        setattr(ticket, label, value)
        setattr(ticket, f"{label}_confidence", None)
        setattr(ticket, f"{label}_source", LabelSource.AGENT)
        setattr(ticket, f"{label}_set_by_id", actor.id)
        if ticket.label_why and label in ticket.label_why:  # a person's label has no router "why"
            ticket.label_why = {k: v for k, v in ticket.label_why.items() if k != label} or None
    if "priority" in after:
        deadlines.priority_changed(ticket, at)
    target = _queue_after_relabel(ticket, after)
    if target is not None and target != ticket.queue.slug:
        before["queue"] = ticket.queue.slug
        ticket.queue = queue_for(target)
        ticket.queue_id = ticket.queue.id
        after["queue"] = ticket.queue.slug
        if ticket.assignee is not None and not access.can_see_queue(ticket.assignee, ticket.queue.id):
            before["assignee_id"], after["assignee_id"] = ticket.assignee_id, None
            ticket.assignee_id = None
    if not after:
        return ticket
    if "queue" in after:
        deadlines.queue_changed(ticket, at)  # the new queue may keep other hours or targets
    _touch(ticket, at)
    db.session.flush()
    record("ticket.relabelled", actor=actor, ticket=ticket, before=before, after=after, at=at)
    if {"topic", "audience", "priority"} & set(after):
        corrections.record(ticket, actor=actor)  # the next model learns from it
    return ticket
