"""Turning agents' corrections into training examples, and reading them back for retraining."""
from __future__ import annotations

from sqlalchemy import select

from inquiry.classifier.corpus import Example
from inquiry.classifier.models import TrainingExample
from inquiry.dbtypes import utcnow
from inquiry.extensions import db
from inquiry.privacy.redact import redact


def record(ticket, *, actor) -> TrainingExample | None:
    """Store (or update) the ticket's example once topic, audience and priority are all known.

    The text is the sender's first message: what the router saw when it made its guess, with
    personal data (addresses, numbers, cards, documents) redacted: the next model learns from the
    words, not from the sender's e-mail address or card number.
    """
    if not (ticket.topic and ticket.audience and ticket.priority):
        return None
    first = next((m for m in ticket.messages if m.direction.value == "inbound"), None)
    if first is None:
        return None
    example = db.session.scalar(select(TrainingExample).filter_by(ticket_id=ticket.id))
    if example is None:
        example = TrainingExample(ticket_id=ticket.id, text=redact(first.body, language=ticket.language),
                                  channel=ticket.channel_account.platform)
        db.session.add(example)
    example.lang = ticket.language
    example.topic, example.audience, example.priority = ticket.topic, ticket.audience, ticket.priority
    example.corrected_by_id = actor.id
    example.updated_at = utcnow()
    return example


def load_corrections() -> list[Example]:
    rows = db.session.scalars(select(TrainingExample).order_by(TrainingExample.id))
    return [Example(text=r.text, channel=r.channel, lang=r.lang or "", topic=r.topic, audience=r.audience,
                    priority=r.priority, id=f"correction-{r.id}", source="correction") for r in rows]
