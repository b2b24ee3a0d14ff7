"""Which SLA targets a ticket is held to, and in which calendar they are counted.

Policies are rows (``SlaPolicy``) per priority, optionally narrowed to a queue and/or a channel;
the most specific one wins (queue+channel, queue, channel, priority only). Without any row the
organisation's defaults apply. Policies and calendars are read once per process and kept a few
seconds: intake asks for them on every new ticket.
"""
from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass
from types import SimpleNamespace

from sqlalchemy import select

from inquiry.extensions import db
from inquiry.sla import calendar as cal
from inquiry.sla.models import BusinessCalendar, SlaPolicy

_M = 60


@dataclass(frozen=True)
class Policy:
    first_response: dt.timedelta
    next_response: dt.timedelta
    resolution: dt.timedelta
    business_hours: bool = False
    at_risk_share: float = 0.25
    notify_supervisors: bool = True
    raise_priority: bool = False
    escalation_queue_id: int | None = None
    calendar: cal.Calendar = cal.ROUND_THE_CLOCK  # what the targets are counted in

    def target(self, name: str) -> dt.timedelta:
        return getattr(self, name)


def _minutes(first, nxt, resolution, business=False):
    return dict(first_response_minutes=first, next_response_minutes=nxt, resolution_minutes=resolution,
                business_hours=business)


# The organisation's defaults (also seeded as rows by the migration, where they can be edited):
# urgent 15 min / hand-off in 4 h, high 1 h / 24 h (both 24/7); normal 4 business hours /
# 3 business days of 8 h; low 24 h / 7 days.
DEFAULTS: dict[str, dict] = {
    "urgent": _minutes(15, 15, 4 * _M),
    "high": _minutes(_M, _M, 24 * _M),
    "normal": _minutes(4 * _M, 4 * _M, 3 * 8 * _M, business=True),
    "low": _minutes(24 * _M, 24 * _M, 7 * 24 * _M),
}
DEFAULT_HOURS = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}

TTL_SECONDS = 10.0
_lock = threading.Lock()
_cache: dict = {}


def _calendar_of(row: BusinessCalendar | None) -> cal.Calendar:
    if row is None:
        return cal.validate("UTC", DEFAULT_HOURS)
    holidays = []
    for item in row.holidays or []:
        try:
            holidays.append(dt.date.fromisoformat(item["date"]))
        except (KeyError, TypeError, ValueError):
            continue
    return cal.validate(row.timezone, row.hours or {}, holidays)


def _load() -> dict:
    from inquiry.tickets.models import Queue

    columns = [c.key for c in SlaPolicy.__table__.columns]
    policies = {(row.priority, row.queue_id, row.channel): SimpleNamespace(**{c: getattr(row, c) for c in columns})
                for row in db.session.scalars(select(SlaPolicy))}
    calendars = {c.id: _calendar_of(c) for c in db.session.scalars(select(BusinessCalendar))}
    default = min(calendars) if calendars else None
    queue_calendars = {qid: calendars.get(cid or default, _calendar_of(None))
                       for qid, cid in db.session.execute(select(Queue.id, Queue.calendar_id))}
    return {"policies": policies, "queue_calendars": queue_calendars, "fallback": _calendar_of(None)}


def _state() -> dict:
    key = str(db.engine.url)
    now = time.monotonic()
    hit = _cache.get(key)
    if hit is None or now - hit[0] > TTL_SECONDS:
        hit = (now, _load())
        with _lock:
            _cache[key] = hit
    return hit[1]


def forget() -> None:
    """Drop the cached policies (after an edit in this process)."""
    with _lock:
        _cache.clear()
        _platforms.clear()


def queue_calendar(queue_id: int) -> cal.Calendar:
    state = _state()
    return state["queue_calendars"].get(queue_id, state["fallback"])


_platforms: dict[tuple, str] = {}


def _platform_of(ticket) -> str | None:
    """The ticket's channel (platform slug); accounts never change platform, so it is remembered."""
    key = (str(db.engine.url), ticket.channel_account_id)
    found = _platforms.get(key)
    if found is None and ticket.channel_account_id is not None:
        from inquiry.channels.models import ChannelAccount

        found = db.session.scalar(select(ChannelAccount.platform).where(ChannelAccount.id == ticket.channel_account_id))
        if found is not None:
            _platforms[key] = found
    return found


def policy_for(ticket) -> Policy:
    """The policy in force for the ticket's priority, queue and channel."""
    state = _state()
    priority = ticket.priority if ticket.priority in DEFAULTS else "normal"
    channel = _platform_of(ticket)
    row = None
    for key in ((priority, ticket.queue_id, channel), (priority, ticket.queue_id, None),
                (priority, None, channel), (priority, None, None)):
        row = state["policies"].get(key)
        if row is not None:
            break
    values = (dict(first_response_minutes=row.first_response_minutes, next_response_minutes=row.next_response_minutes,
                   resolution_minutes=row.resolution_minutes, business_hours=row.business_hours)
              if row is not None else DEFAULTS[priority])
    business = values["business_hours"]
    return Policy(
        first_response=dt.timedelta(minutes=values["first_response_minutes"]),
        next_response=dt.timedelta(minutes=values["next_response_minutes"]),
        resolution=dt.timedelta(minutes=values["resolution_minutes"]),
        business_hours=business,
        at_risk_share=row.at_risk_share if row is not None else 0.25,
        notify_supervisors=row.notify_supervisors if row is not None else True,
        raise_priority=row.raise_priority if row is not None else False,
        escalation_queue_id=row.escalation_queue_id if row is not None else None,
        calendar=queue_calendar(ticket.queue_id) if business else cal.ROUND_THE_CLOCK,
    )
