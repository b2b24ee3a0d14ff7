"""Channel accounts: creating them and finding the one a message belongs to."""
from __future__ import annotations

import secrets

from flask import current_app
from sqlalchemy import select

from inquiry import taxonomy
from inquiry.audit.services import record
from inquiry.channels.models import ChannelAccount
from inquiry.errors import Invalid
from inquiry.extensions import db


def create_account(platform: str, name: str, *, actor=None, **fields) -> ChannelAccount:
    """A new enabled account on ``platform`` with an unguessable webhook key."""
    if platform not in taxonomy.CHANNELS:
        raise Invalid(f"unknown platform {platform!r}", fields={"platform": ["not a channel of the taxonomy"]})
    account = ChannelAccount(platform=platform, name=name, key=secrets.token_urlsafe(18), options={}, **fields)
    db.session.add(account)
    db.session.flush()
    record("channel.created", actor=actor, subject=f"channel:{account.id}", after={"platform": platform, "name": name})
    return account


def default_account(platform: str) -> ChannelAccount:
    """The account that inquiries from ``platform`` land on when no specific account is named.

    The first enabled account of that platform; the web form and API get one made on first use.
    """
    account = db.session.scalar(
        select(ChannelAccount).filter_by(platform=platform, is_enabled=True).order_by(ChannelAccount.id).limit(1)
    )
    if account is None:
        account = create_account(platform, f"{taxonomy.CHANNELS[platform]} (direct)")
    return account


def webhook_url(account: ChannelAccount) -> str:
    """Where the platform must send deliveries for this account."""
    from inquiry.channels.registry import BRIDGE, uses_bridge

    path = f"/hooks/{BRIDGE if uses_bridge(account) else account.platform}/{account.key}"
    return (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/") + path


def describe(account: ChannelAccount) -> dict:
    """The account as shown to administrators: credentials reported as set or not, never shown."""
    return {
        "id": account.id,
        "platform": account.platform,
        "name": account.name,
        "external_account_id": account.external_account_id,
        "webhook_url": webhook_url(account),
        "api_base_url": account.api_base_url,
        "enabled": account.is_enabled,
        "has_secret": bool(account.signing_secret),
        "has_verify_token": bool(account.verify_token),
        "has_access_token": bool(account.access_token),
        "options": sorted(account.options or {}),
        "default_language": account.default_language,
        "last_delivery_at": account.last_delivery_at.isoformat() if account.last_delivery_at else None,
    }
