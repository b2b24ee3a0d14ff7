"""Which stored webhook deliveries carried a person's messages.

A delivery row names no sender, so it is found the way it was processed: ``ingest.deliveries``
stamps a delivery's ``processed_at`` with the same instant it gives the messages it creates
(and the audit event of an edit), so each of the person's messages points at the deliveries
processed at its ``created_at`` on its account. Each candidate is parsed again to confirm it,
and to tell whether it carried anyone else's messages too (then an export leaves its body out).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select

from inquiry.audit.models import AuditEvent
from inquiry.channels.base import WebhookRequest
from inquiry.channels.models import ChannelAccount
from inquiry.channels.registry import adapter_for_account
from inquiry.contacts.models import Contact
from inquiry.contacts.services import contact_key
from inquiry.extensions import db
from inquiry.ingest.models import Delivery
from inquiry.tickets.models import Direction, Message

log = logging.getLogger(__name__)
_CHUNK = 500


@dataclass
class Found:
    delivery: Delivery
    # Every message and status it carries is the person's: its body may be handed to them.
    is_exclusive: bool


def deliveries_of(contacts: list[Contact], messages: list[Message]) -> list[Found]:
    """The deliveries that carried ``messages`` (the inbound ones from ``contacts``)."""
    ids = {c.id for c in contacts}
    mine = [m for m in messages if m.direction == Direction.INBOUND and m.contact_id in ids and m.channel_account_id]
    if not mine:
        return []
    times: dict[int, set] = {}
    external: dict[int, set[str]] = {}
    for message in mine:
        times.setdefault(message.channel_account_id, set()).add(message.created_at)
        if message.external_id:
            external.setdefault(message.channel_account_id, set()).add(message.external_id)
    edited = db.session.execute(
        select(AuditEvent.created_at, Message.channel_account_id)
        .join(Message, Message.ticket_id == AuditEvent.ticket_id)
        .where(AuditEvent.action == "message.edited", Message.id.in_([m.id for m in mine]))
    ).all()
    for at, account_id in edited:
        times.setdefault(account_id, set()).add(at)
    senders = {(c.platform, c.external_id) for c in contacts}
    found: list[Found] = []
    for account_id, moments in times.items():
        account = db.session.get(ChannelAccount, account_id)
        moments = sorted(moments)
        for i in range(0, len(moments), _CHUNK):
            rows = db.session.scalars(select(Delivery).where(
                Delivery.channel_account_id == account_id, Delivery.processed_at.in_(moments[i:i + _CHUNK]))
                .order_by(Delivery.id))
            for delivery in rows:
                verdict = _carries(account, delivery, external.get(account_id, set()), senders)
                if verdict is not None:
                    found.append(Found(delivery, verdict))
    return found


def _carries(account, delivery: Delivery, external_ids: set[str], senders: set) -> bool | None:
    """None if the delivery holds none of the person's messages; else whether it holds only theirs."""
    if not delivery.body:  # already emptied: its timestamp is the only link left
        return False
    try:
        adapter = adapter_for_account(account)
        request = WebhookRequest("POST", delivery.body, {k.lower(): v for k, v in (delivery.headers or {}).items()},
                                 delivery.args or {})
        parsed = adapter.parse(account, request)
    except Exception:  # cannot be read again: the matching instant is the evidence
        log.info("delivery %s could not be parsed again; taken as the person's, body withheld", delivery.id)
        return False
    theirs = [_is_theirs(account, inbound, external_ids, senders) for inbound in parsed.messages]
    if not any(theirs):
        return None
    return all(theirs) and not parsed.statuses


def _is_theirs(account, inbound, external_ids: set[str], senders: set) -> bool:
    if inbound.external_message_id and inbound.external_message_id in external_ids:
        return True
    key = contact_key(account.platform, external_id=inbound.sender_external_id, email=inbound.sender_email,
                      phone=inbound.sender_phone)
    return (account.platform, key) in senders
