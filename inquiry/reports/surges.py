"""Surges: a sudden rise of near-identical inquiries (an incident, a viral scam), so one canned
reply can answer them all.

The worker checks every SURGE_CHECK_MINUTES (``run``): the first inbound messages of the tickets
opened in the recent window (the newest SURGE_MAX_MESSAGES at most, read newest first along
``ix_tickets_created``; each first message through the messages' ticket index) are clustered
(``reports.clusters``). A cluster of at least SURGE_MIN_SIZE is a surge when it is at least
SURGE_BASELINE_RATIO times what the same hours held on the previous days, on average (a sample
of those windows, scaled to their full count). Surges are kept in ``surges`` so each is announced
once to the supervisors and keeps its id, and the pages read them without clustering anything.

Tickets of restricted queues are left out: their words may reach only the queues' members, and
the reports are read by every supervisor.
"""
from __future__ import annotations

import datetime as dt
import logging
import math
from collections import Counter
from dataclasses import dataclass
from typing import NamedTuple

from flask import current_app
from sqlalchemy import func, or_, select

from inquiry.channels.models import ChannelAccount
from inquiry.dbtypes import utcnow
from inquiry.extensions import db
from inquiry.notifications.services import notify, supervisors_of
from inquiry.privacy.redact import redact
from inquiry.reports import clusters
from inquiry.reports.models import Surge
from inquiry.tickets.models import Direction, Message, Queue, Ticket

log = logging.getLogger(__name__)

SAMPLES = 5  # sample messages kept per surge, differently worded where possible
MAX_TICKETS = 500  # ticket ids kept per surge ("Tag all" tags these; the size counts them all)
MIN_CHARS = 12  # normalised: shorter ("hi", "hello?") says nothing one canned reply could answer
NOTIFICATION_KIND = "reports.surge"


@dataclass(frozen=True)
class Settings:
    window: dt.timedelta
    min_size: int
    similarity: float
    ratio: float
    baseline_days: int
    max_messages: int
    renotify: dt.timedelta

    @classmethod
    def from_config(cls) -> "Settings":
        c = current_app.config
        return cls(dt.timedelta(minutes=float(c["SURGE_WINDOW_MINUTES"])), int(c["SURGE_MIN_SIZE"]),
                   float(c["SURGE_SIMILARITY"]), float(c["SURGE_BASELINE_RATIO"]), int(c["SURGE_BASELINE_DAYS"]),
                   int(c["SURGE_MAX_MESSAGES"]), dt.timedelta(hours=float(c["SURGE_RENOTIFY_HOURS"])))


class Inquiry(NamedTuple):
    """A ticket and its first inbound message, as the clustering reads it."""

    id: int
    reference: str
    created_at: dt.datetime
    topic: str | None
    language: str | None
    queue_id: int
    platform: str
    body: str | None


@dataclass
class Candidate:
    """A cluster of the window that rose well above its baseline."""

    inquiries: list[Inquiry]  # the centre first
    baseline: float
    known_id: int | None = None  # the kept surge it continues, if any


def _restricted() -> list[int]:
    return list(db.session.scalars(select(Queue.id).where(Queue.is_restricted.is_(True))))


def _in_window(query, start: dt.datetime, end: dt.datetime, restricted: list[int]):
    query = query.where(Ticket.created_at >= start, Ticket.created_at < end)
    return query.where(Ticket.queue_id.not_in(restricted)) if restricted else query


def _columns():
    """A ticket's fields and its first inbound message (one probe of the messages' ticket index)."""
    body = (select(Message.body).where(Message.ticket_id == Ticket.id, Message.direction == Direction.INBOUND)
            .order_by(Message.created_at, Message.id).limit(1).correlate(Ticket).scalar_subquery())
    return (select(Ticket.id, Ticket.reference, Ticket.created_at, Ticket.topic, Ticket.language, Ticket.queue_id,
                   ChannelAccount.platform, body.label("body"))
            .join(ChannelAccount, ChannelAccount.id == Ticket.channel_account_id))


def first_messages(start: dt.datetime, end: dt.datetime, limit: int, restricted: list[int]) -> list[Inquiry]:
    """The newest ``limit`` tickets opened in [start, end) with their first inbound message, in one
    query walking ``ix_tickets_created`` backwards."""
    query = _in_window(_columns(), start, end, restricted)
    query = query.order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(limit)
    return [Inquiry(*row) for row in db.session.execute(query)]


def _count(start: dt.datetime, end: dt.datetime, restricted: list[int]) -> int:
    return db.session.scalar(_in_window(select(func.count(Ticket.id)), start, end, restricted)) or 0


def _usable(rows: list[Inquiry]) -> list[Inquiry]:
    return [r for r in rows if len(clusters.normalise(r.body)) >= MIN_CHARS]


def detect(now: dt.datetime, cfg: Settings, known: dict[int, tuple[set[int], str]] | None = None) -> list[Candidate]:
    """The surges of the window ending at ``now``, largest first. ``known``: {surge id: (its ticket
    ids, its centre's text)} of kept surges; a candidate sharing a ticket with one, or as close to
    its centre as a member to its own, continues it (``known_id``)."""
    restricted = _restricted()
    window = _usable(first_messages(now - cfg.window, now, cfg.max_messages, restricted))
    if len(window) < cfg.min_size:
        return []
    per_day = max(1, math.ceil(cfg.max_messages / max(cfg.baseline_days, 1)))
    days = []  # (usable rows, scale to the day's full count)
    for day in range(1, cfg.baseline_days + 1):
        start, end = now - cfg.window - dt.timedelta(days=day), now - dt.timedelta(days=day)
        fetched = first_messages(start, end, per_day, restricted)
        total = _count(start, end, restricted) if len(fetched) == per_day else len(fetched)
        days.append((_usable(fetched), total / len(fetched) if fetched else 0.0))
    baseline_rows = [r for rows, _scale in days for r in rows]
    known = known or {}
    known_ids = list(known)
    vectors = clusters.vectorise([r.body for r in window] + [r.body for r in baseline_rows]
                                 + [known[k][1] for k in known_ids])
    ours, theirs, centres = (vectors[:len(window)], vectors[len(window):len(window) + len(baseline_rows)],
                             vectors[len(window) + len(baseline_rows):])
    found, claimed = [], set()
    for cluster in clusters.star_clusters(ours, cfg.similarity, cfg.min_size):
        hits = clusters.matches(ours, cluster.members, theirs, cfg.similarity)
        expected, offset = 0.0, 0
        for rows, scale in days:
            expected += float(hits[offset:offset + len(rows)].sum()) * scale
            offset += len(rows)
        expected /= max(cfg.baseline_days, 1)
        if len(cluster.members) < cfg.ratio * expected:
            continue
        members = [window[i] for i in cluster.members]
        ids = {m.id for m in members}
        near = clusters.matches(ours, cluster.members, centres, cfg.similarity)
        known_id = next((k for n, k in enumerate(known_ids) if k not in claimed and (known[k][0] & ids or near[n])),
                        None)
        if known_id is not None:
            claimed.add(known_id)
        found.append(Candidate(members, round(expected, 2), known_id))
    return found


def _most(values) -> list[list]:
    return [[value, n] for value, n in Counter(v for v in values if v).most_common()]


def _samples(inquiries: list[Inquiry]) -> list[int]:
    """The centre, then the newest differently worded members."""
    chosen, seen = [], set()
    for row in inquiries[:1] + sorted(inquiries[1:], key=lambda r: (r.created_at, r.id), reverse=True):
        text = clusters.normalise(row.body)
        if text not in seen:
            chosen.append(row.id)
            seen.add(text)
        if len(chosen) == SAMPLES:
            break
    return chosen


def _fill(surge: Surge, found: Candidate, now: dt.datetime) -> None:
    rows = found.inquiries
    newest = sorted(rows, key=lambda r: (r.created_at, r.id), reverse=True)
    surge.size = len(rows)
    surge.baseline = found.baseline
    surge.topic = (_most(r.topic for r in rows) or [[None]])[0][0]
    surge.channels = _most(r.platform for r in rows)
    surge.languages = _most(r.language for r in rows)
    surge.tickets = [[r.id, r.reference] for r in newest[:MAX_TICKETS]]
    surge.sample_ticket_ids = _samples(rows)
    first, last = min(r.created_at for r in rows), max(r.created_at for r in rows)
    surge.first_seen_at = min(surge.first_seen_at, first) if surge.first_seen_at else first
    surge.last_seen_at = max(surge.last_seen_at, last) if surge.last_seen_at else last
    surge.checked_at = now
    surge.ended_at = None


def _announce(surge: Surge, found: Candidate, cfg: Settings, at: dt.datetime) -> int:
    """Tell the supervisors of the queues it reached, once (in-app), about the centre ticket."""
    people = {u.id: u for queue_id in sorted({r.queue_id for r in found.inquiries}) for u in supervisors_of(queue_id)}
    centre = db.session.get(Ticket, found.inquiries[0].id)
    sample = redact(found.inquiries[0].body or "", language=found.inquiries[0].language)
    sample = sample if len(sample) <= 140 else sample[:139] + "…"
    minutes = int(cfg.window.total_seconds() // 60)
    channels = ", ".join(c for c, _n in surge.channels)
    text = (f"Surge {surge.tag}: {surge.size} near-identical inquiries in the last {minutes} min ({channels}), "
            f"e.g. “{sample}”. One canned reply can answer them all: see Reports → Surges.")
    return notify(people.values(), NOTIFICATION_KIND, text, ticket=centre, at=at)


def check(now: dt.datetime | None = None, cfg: Settings | None = None) -> list[Surge]:
    """Detect, keep and announce: a surge continuing a kept one (active, or ended less than
    SURGE_RENOTIFY_HOURS ago) updates it silently; a new one is kept and its supervisors
    notified; kept surges no longer seen end. Returns the surges seen now (flushes)."""
    now = now or utcnow()
    cfg = cfg or Settings.from_config()
    recent = list(db.session.scalars(select(Surge).where(
        or_(Surge.ended_at.is_(None), Surge.ended_at >= now - cfg.renotify)).order_by(Surge.id)))
    centres = first_messages_of(s.centre_ticket_id for s in recent if s.centre_ticket_id)
    known = {s.id: (set(s.ticket_ids), centres[s.centre_ticket_id].body or "" if s.centre_ticket_id in centres else "")
             for s in recent}
    by_id = {s.id: s for s in recent}
    seen = []
    for found in detect(now, cfg, known):
        surge = by_id.get(found.known_id) if found.known_id else None
        is_new = surge is None
        if is_new:
            surge = Surge(centre_ticket_id=found.inquiries[0].id, detected_at=now)
            db.session.add(surge)
        _fill(surge, found, now)
        db.session.flush()
        if is_new:
            sent = _announce(surge, found, cfg, now)
            log.info("surge %s: %d tickets, baseline %.2f, %d notified", surge.tag, surge.size, surge.baseline, sent)
        seen.append(surge)
    for surge in recent:
        if surge.ended_at is None and surge not in seen:
            surge.ended_at = now
    db.session.flush()
    return seen


_last_run: dict[str, dt.datetime] = {}


def run(now: dt.datetime | None = None) -> int:
    """The worker's job: ``check`` at most every SURGE_CHECK_MINUTES, then commit."""
    now = now or utcnow()
    every = dt.timedelta(minutes=float(current_app.config["SURGE_CHECK_MINUTES"]))
    where = current_app.config["SQLALCHEMY_DATABASE_URI"]
    last = _last_run.get(where)
    if last is not None and dt.timedelta(0) <= now - last < every:
        return 0
    check(now)
    db.session.commit()
    _last_run[where] = now
    return 1


# Reading, for the pages --------------------------------------------------------------------------


def current(*, ended_within: dt.timedelta | None = None, now: dt.datetime | None = None) -> list[Surge]:
    """The surges the last check saw, largest first; with ``ended_within``, those ended since too."""
    query = select(Surge)
    if ended_within is None:
        query = query.where(Surge.ended_at.is_(None))
    else:
        query = query.where(or_(Surge.ended_at.is_(None), Surge.ended_at >= (now or utcnow()) - ended_within))
    return list(db.session.scalars(query.order_by(Surge.ended_at.is_not(None), Surge.size.desc(), Surge.id.desc())))


class Sample(NamedTuple):
    reference: str
    platform: str
    language: str | None
    text: str  # personal data redacted


def samples(surges: list[Surge], *, max_chars: int = 400) -> dict[int, list[Sample]]:
    """{surge id: its sample messages, redacted}; one query for all surges. Tickets since moved to a
    restricted queue are left out."""
    wanted = {t for s in surges for t in s.sample_ticket_ids or []}
    if not wanted:
        return {}
    rows = first_messages_of(wanted)
    out = {}
    for surge in surges:
        out[surge.id] = []
        for ticket_id in surge.sample_ticket_ids or []:
            row = rows.get(ticket_id)
            if row is not None and row.body:
                text = redact(row.body, language=row.language)
                out[surge.id].append(Sample(row.reference, row.platform, row.language,
                                            text if len(text) <= max_chars else text[:max_chars - 1] + "…"))
    return out


def first_messages_of(ticket_ids) -> dict[int, Inquiry]:
    """{ticket id: the ticket with its first inbound message} for a few tickets outside restricted queues."""
    query = (_columns().join(Queue, Queue.id == Ticket.queue_id)
             .where(Ticket.id.in_(list(ticket_ids) or [-1]), Queue.is_restricted.is_(False)))
    return {row[0]: Inquiry(*row) for row in db.session.execute(query)}
