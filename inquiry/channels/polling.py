"""Polling connectors for networks without webhooks: a scheduled job per account with a cursor.

A poller is an adapter with ``poll(account, http, cursor) -> (InboundMessage list, new cursor)``;
what it returns goes through ``ingest.services.receive`` like any webhook message, so dedupe and
threading are the same.
"""
from __future__ import annotations

import datetime as dt
import logging

from flask import current_app
from sqlalchemy import or_, select

from inquiry.channels import health
from inquiry.channels.base import PermanentFailure, TemporaryFailure
from inquiry.channels.http import new_session
from inquiry.channels.models import ChannelAccount
from inquiry.channels.registry import adapter_for, platforms, uses_bridge
from inquiry.dbtypes import utcnow
from inquiry.errors import InquiryError
from inquiry.extensions import db
from inquiry.ingest.services import receive

log = logging.getLogger(__name__)


def polling_platforms() -> list[str]:
    return [p for p in platforms() if hasattr(adapter_for(p), "poll")]


def poll_due(*, at: dt.datetime | None = None, http=None) -> int:
    """Poll every enabled polling account whose interval has passed; returns accounts polled."""
    at = at or utcnow()
    kinds = polling_platforms()
    if not kinds:
        return 0
    since = at - dt.timedelta(seconds=current_app.config["POLL_INTERVAL_SECONDS"])
    accounts = db.session.scalars(
        select(ChannelAccount)
        .where(ChannelAccount.platform.in_(kinds), ChannelAccount.is_enabled.is_(True),
               or_(ChannelAccount.polled_at.is_(None), ChannelAccount.polled_at <= since))
        .with_for_update(skip_locked=True)
    ).all()
    http = http or new_session()
    accounts = [account for account in accounts if not uses_bridge(account)]
    for account in accounts:
        poll_account(account, http, at=at)
    return len(accounts)


def poll_account(account: ChannelAccount, http, *, at: dt.datetime | None = None) -> int:
    """One poll: fetch what is new since the cursor, receive it, move the cursor; commit."""
    at = at or utcnow()
    adapter = adapter_for(account.platform)
    try:
        messages, cursor = adapter.poll(account, http, account.poll_cursor)
    except (TemporaryFailure, PermanentFailure) as exc:
        account.polled_at = at
        health.record_rejection(account, f"poll failed: {str(exc)[:80]}", at=at)
        db.session.commit()
        return 0
    taken = 0
    for inbound in messages:
        inbound.account = account
        try:
            with db.session.begin_nested():
                receive(inbound, at=at)
            taken += 1
        except InquiryError as exc:
            log.warning("poll of account %s: message %s refused: %s", account.id, inbound.external_message_id, exc.message)
    account.poll_cursor = cursor
    account.polled_at = at
    account.last_delivery_at = at if messages else account.last_delivery_at
    db.session.commit()
    return taken
