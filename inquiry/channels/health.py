"""Channel health: last good delivery, rejections by reason, last outbound error."""
from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from inquiry.channels.models import ChannelAccount, ChannelRejection
from inquiry.dbtypes import utcnow
from inquiry.extensions import db

log = logging.getLogger(__name__)


def record_rejection(account: ChannelAccount, reason: str, *, at: dt.datetime | None = None) -> None:
    """Count a refused delivery in its hour bucket (one row per account, hour and reason)."""
    at = at or utcnow()
    hour = at.replace(minute=0, second=0, microsecond=0)
    reason = reason[:120]
    bump = (
        update(ChannelRejection)
        .where(ChannelRejection.channel_account_id == account.id, ChannelRejection.hour == hour,
               ChannelRejection.reason == reason)
        .values(count=ChannelRejection.count + 1)
    )
    if db.session.execute(bump).rowcount:
        return
    try:
        with db.session.begin_nested():
            db.session.add(ChannelRejection(channel_account_id=account.id, hour=hour, reason=reason, count=1))
    except IntegrityError:  # another request made the bucket first
        db.session.execute(bump)


def recent_rejections(account: ChannelAccount, *, hours: int = 24, at: dt.datetime | None = None) -> dict[str, int]:
    since = (at or utcnow()) - dt.timedelta(hours=hours)
    rows = db.session.execute(
        select(ChannelRejection.reason, func.sum(ChannelRejection.count))
        .where(ChannelRejection.channel_account_id == account.id, ChannelRejection.hour >= since)
        .group_by(ChannelRejection.reason)
    )
    return {reason: int(total) for reason, total in rows}


def record_outbound(account_id: int, *, error: str | None, at: dt.datetime | None = None) -> None:
    at = at or utcnow()
    values = {"last_outbound_ok_at": at} if error is None else {"last_outbound_error": error[:2000], "last_outbound_error_at": at}
    db.session.execute(update(ChannelAccount).where(ChannelAccount.id == account_id).values(**values))


def status(account: ChannelAccount, *, at: dt.datetime | None = None, silent_after: dt.timedelta = dt.timedelta(days=2)) -> dict:
    """A summary for the admin page: is the channel healthy, silent or failing, and why."""
    at = at or utcnow()
    rejections = recent_rejections(account, at=at)
    problems = []
    if not account.is_enabled:
        problems.append("disabled")
    if account.last_delivery_at is None or at - account.last_delivery_at > silent_after:
        problems.append("silent: no delivery since " + (account.last_delivery_at.isoformat() if account.last_delivery_at else "it was added"))
    if account.last_outbound_error_at and (account.last_outbound_ok_at is None or account.last_outbound_error_at > account.last_outbound_ok_at):
        problems.append(f"replies failing: {account.last_outbound_error}")
    if sum(rejections.values()) >= 10:
        problems.append(f"{sum(rejections.values())} rejected deliveries in 24 h")
    return {
        "state": "ok" if not problems else ("failing" if any(p.startswith("replies") for p in problems) else "attention"),
        "problems": problems,
        "rejections_24h": rejections,
        "last_delivery_at": account.last_delivery_at,
        "last_outbound_ok_at": account.last_outbound_ok_at,
        "last_outbound_error": account.last_outbound_error,
    }
