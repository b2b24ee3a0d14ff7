"""Seed a realistic desk: staff, channel accounts and four weeks of inquiries and agent work.

Every inquiry goes through ``ingest.services.receive`` (the webhooks' path) and every agent action
through ``tickets.services``, so the demo exercises the same rules as production traffic.
"""
from __future__ import annotations

import datetime as dt
import json
import random
import secrets
from importlib import resources
from pathlib import Path

from sqlalchemy import select

from inquiry import taxonomy
from inquiry.auth import services as auth
from inquiry.auth.models import User
from inquiry.channels.models import ChannelAccount
from inquiry.channels.services import create_account
from inquiry.dbtypes import utcnow
from inquiry.demo.canned import seed_canned_replies
from inquiry.demo.people import ACKNOWLEDGEMENTS, DOMAIN, NOTES, STAFF
from inquiry.errors import InquiryError
from inquiry.extensions import db
from inquiry.ingest.inbound import InboundMessage
from inquiry.ingest.services import Outcome, receive
from inquiry.tickets import services as tickets
from inquiry.outbound.models import OutboxItem, OutboxState
from inquiry.tickets.models import DeliveryStatus, TicketStatus

DAYS = 28
LOGINS_FILE = "demo-logins.txt"


def load_conversations() -> list[dict]:
    text = resources.files("inquiry.demo").joinpath("data/inquiries.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def is_seeded() -> bool:
    return db.session.scalar(select(User).filter_by(email=f"supervisor@{DOMAIN}")) is not None


def demo_logins(instance_path: str) -> list[tuple[str, str, str]]:
    """(e-mail, password, role) for each demo account; passwords made once and kept in instance/."""
    path = Path(instance_path) / LOGINS_FILE
    known: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            email, _, password = line.partition(" ")
            known[email] = password
    logins = []
    for local, _name, role, _queues, _langs in STAFF:
        email = f"{local}@{DOMAIN}"
        logins.append((email, known.get(email) or secrets.token_urlsafe(12), role))
    path.write_text("".join(f"{email} {password}\n" for email, password, _ in logins))
    path.chmod(0o600)
    return logins


def seed(instance_path: str, *, now: dt.datetime | None = None, rng: random.Random | None = None) -> dict[str, int]:
    """Create the demo desk in one transaction (all or nothing). Returns what was made."""
    now = now or utcnow()
    rng = rng or random.Random(2026)
    passwords = {email: password for email, password, _ in demo_logins(instance_path)}
    staff = _create_staff(passwords)
    accounts: dict[str, ChannelAccount] = {}
    made = {"tickets": 0, "messages": 0, "users": len(staff)}
    made["canned_replies"] = seed_canned_replies(staff[0])  # staff[0]: the supervisor
    conversations = load_conversations()
    for index, convo in enumerate(conversations):
        created_at = _arrival_time(now, rng)
        made["messages"] += _play(index, convo, created_at, now, rng, staff, accounts, made)
    db.session.commit()
    made["channels"] = len(accounts)
    return made


def _create_staff(passwords: dict[str, str]) -> list[User]:
    people = []
    for local, name, role, queues, languages in STAFF:
        people.append(auth.create_user(f"{local}@{DOMAIN}", name=name, role=role, password=passwords[f"{local}@{DOMAIN}"],
                                       queues=queues, languages=languages))
    return people


def _account(platform: str, accounts: dict) -> ChannelAccount:
    if platform not in accounts:
        accounts[platform] = create_account(platform, f"Inquiry on {taxonomy.CHANNELS[platform]}", external_account_id=f"demo-{platform}")
    return accounts[platform]


def _arrival_time(now: dt.datetime, rng: random.Random) -> dt.datetime:
    """Spread over four weeks, busier in the day than at night (UTC), more recent days a bit busier."""
    days_ago = DAYS * (rng.random() ** 1.2)
    moment = now - dt.timedelta(days=days_ago)
    if moment.hour < 6 and rng.random() < 0.7:
        moment += dt.timedelta(hours=rng.randint(7, 12))
    return min(moment, now - dt.timedelta(minutes=rng.randint(2, 90)))


def _agent_for(ticket, staff: list[User], rng: random.Random) -> User:
    members = [u for u in staff if u.role.value == "agent" and ticket.queue in u.queues]
    return rng.choice(members) if members else staff[0]


def _play(index, convo, created_at, now, rng, staff, accounts, made) -> int:
    """One conversation: arrival, routing, the agents' work and the sender's follow-ups."""
    platform = convo["channel"] if convo["channel"] in taxonomy.CHANNELS else taxonomy.WEB_FORM
    account = _account(platform, accounts)
    contact = convo.get("contact") or {}
    handle = contact.get("name") or f"sender{index}"
    inbound = dict(
        account=account,
        sender_external_id=None if platform in taxonomy.OWN_CHANNELS else f"demo-{platform}-{index}",
        sender_display_name=handle,
        sender_email=contact.get("email"),
        sender_phone=contact.get("phone"),
        conversation_key=f"demo-conversation-{index}",
        subject=convo.get("subject") or "",
        language=convo["lang"] if platform == taxonomy.WEB_FORM and rng.random() < 0.5 else None,
        wants_public_token=platform in taxonomy.OWN_CHANNELS,
    )
    got = receive(InboundMessage(text=convo["text"], external_message_id=f"demo-{index}-0", **inbound), at=created_at)
    if got.outcome == Outcome.CREATED:
        made["tickets"] += 1
    ticket, messages = got.ticket, 1
    for automatic in [m for m in ticket.messages if m.delivery_status == DeliveryStatus.QUEUED]:
        _delivered(automatic, created_at)  # the urgent safety notice, history like the rest
    supervisor = staff[0]
    age = now - created_at
    clock = created_at

    def later(low_minutes: int, high_minutes: int) -> dt.datetime:
        nonlocal clock
        clock = min(clock + dt.timedelta(minutes=rng.randint(low_minutes, high_minutes)), now)
        return clock

    # Triage: people route what the router could not (recent ones may still be waiting, but not a
    # tip: the demo shows where tips belong).
    tip = convo["topic"] in taxonomy.SENSITIVE_TOPICS
    if ticket.queue.slug == taxonomy.TRIAGE_QUEUE and (tip or not (age < dt.timedelta(days=2) and rng.random() < 0.4)):
        tickets.update_labels(ticket, actor=supervisor, at=later(3, 90), topic=convo["topic"],
                              audience=convo["audience"], priority=convo["priority"])
        if not ticket.language:
            tickets.update_labels(ticket, actor=supervisor, at=clock, language=convo["lang"])
    elif tip and ticket.queue.slug != taxonomy.WHISTLEBLOWING_QUEUE:
        # A tip the router took for something else: the topic's correction moves it.
        tickets.update_labels(ticket, actor=supervisor, at=later(3, 90), topic=convo["topic"])
    if ticket.queue.slug == taxonomy.TRIAGE_QUEUE or age < dt.timedelta(hours=rng.randint(1, 30)):
        return messages

    agent = _agent_for(ticket, staff, rng)
    quick = convo["priority"] in ("urgent", "high")
    try:
        tickets.assign(ticket, agent, actor=agent, at=later(2, 40 if quick else 600))
        if rng.random() < 0.15:
            tickets.add_note(ticket, rng.choice(NOTES), actor=agent, at=later(1, 30))
            messages += 1
        language = ticket.language if ticket.language in ACKNOWLEDGEMENTS else "en"
        _delivered(tickets.reply(ticket, ACKNOWLEDGEMENTS[language], actor=agent, at=later(1, 60 if quick else 300)), clock)
        messages += 1
        for n, text in enumerate(convo.get("followups") or [], start=1):
            if clock >= now - dt.timedelta(minutes=5):
                break
            receive(InboundMessage(text=text, external_message_id=f"demo-{index}-{n}", **inbound), at=later(30, 2000))
            messages += 1
        _finish(ticket, agent, age, rng, later)
    except InquiryError:
        pass  # a demo step that the rules refuse is simply skipped, as a person would
    return messages


def _delivered(message, at) -> None:
    """Seeded replies are history: they went out long ago, so the worker must not send them now."""
    item = db.session.scalar(select(OutboxItem).filter_by(message_id=message.id))
    item.state, item.sent_at = OutboxState.SENT, at
    message.delivery_status = DeliveryStatus.DELIVERED
    message.external_id = f"demo-out-{message.id}"


def _finish(ticket, agent, age, rng, later) -> None:
    """Leave the ticket where a real desk would: most old ones solved or closed, some waiting."""
    roll = rng.random()
    if age > dt.timedelta(days=3) and roll < 0.75:
        tickets.change_status(ticket, TicketStatus.SOLVED, actor=agent, at=later(10, 1440))
        if age > dt.timedelta(days=12) and rng.random() < 0.6:
            tickets.change_status(ticket, TicketStatus.CLOSED, actor=agent, at=later(1440, 4000))
    elif roll < 0.85:
        tickets.change_status(ticket, TicketStatus.PENDING, actor=agent, at=later(1, 10))
    elif roll < 0.9:
        tickets.change_status(ticket, TicketStatus.ON_HOLD, actor=agent, at=later(1, 10))
