"""Factories that build real rows through the services, committed, with sensible defaults."""
from __future__ import annotations

import itertools

from inquiry.auth import services as auth
from inquiry.channels.services import default_account
from inquiry.classifier.service import Label, Prediction
from inquiry.contacts.services import upsert_contact
from inquiry.extensions import db
from inquiry.tickets import services as tickets

PASSWORD = "correct horse battery staple"
_seq = itertools.count(1)


def confident(audience: str = "general-public", topic: str = "general", priority: str = "normal", language: str = "en"):
    """A confident prediction, as a trained router would give."""
    return Prediction(
        topic=Label(topic, 0.93), audience=Label(audience, 0.91), priority=Label(priority, 0.88),
        language=Label(language, 0.99), is_confident=True,
    )


class Factories:
    password = PASSWORD

    def user(self, role="agent", *, queues=("general-public",), languages=("en",), email=None, name=None, password=PASSWORD):
        n = next(_seq)
        user = auth.create_user(
            email or f"{role}{n}@inquiry.example.org", name=name or f"{role.title()} {n}", role=role,
            password=password, queues=list(queues) if role in ("agent", "supervisor") else [], languages=list(languages),
        )
        db.session.commit()
        return user

    def agent(self, *queues, **kw):
        return self.user("agent", queues=queues or ("general-public",), **kw)

    def supervisor(self, *, queues=(), **kw):
        """Supervisors see every queue; ``queues`` makes them a queue's own supervisor too."""
        return self.user("supervisor", queues=queues, **kw)

    def admin(self, **kw):
        return self.user("admin", **kw)

    def token(self, user, **kw) -> str:
        _token, plain = auth.create_token(user, **kw)
        db.session.commit()
        return plain

    def ticket(self, queue="general-public", *, text=None, channel="telegram", topic="general", priority="normal",
               language="en", contact_name="Dana Reyes", conversation=None, prediction=None):
        n = next(_seq)
        account = default_account(channel)
        contact = upsert_contact(channel, f"user-{n}", display_name=contact_name)
        db.session.flush()
        if prediction is None and queue != "triage":
            prediction = confident(queue, topic, priority, language)
        ticket, _ = tickets.open_ticket(
            account=account, contact=contact, conversation_key=conversation or f"chat-{n}",
            subject=f"Inquiry {n}", prediction=prediction,
        )
        tickets.add_inbound(ticket, text or f"Message number {n}: when is the next webinar?", contact=contact, account=account,
                            external_id=f"m-{n}")
        db.session.commit()
        return ticket
