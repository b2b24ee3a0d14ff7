"""Prometheus metrics, counted from the database at scrape time (text exposition format 0.0.4).

Served at ``/metrics`` (an application-level route registered with the reports blueprint, so the
reports' log-in guard does not apply): a scraper sends ``Authorization: Bearer <METRICS_TOKEN>``;
a logged-in supervisor or administrator may look too. The ``*_total`` counters count rows per
queue the ticket is in now, so one can drop when a ticket moves queue; ``rate()`` copes with that
as a reset.
"""
from __future__ import annotations

import hmac

from flask import Response, current_app, request
from flask_login import current_user

from inquiry.auth.models import Role
from inquiry.dbtypes import utcnow
from inquiry.errors import Forbidden
from inquiry.reports import dashboard

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# name, help, and how to read it from a queue's figures
GAUGES = (
    ("inquiry_open_tickets", "open tickets (new, open, pending, on hold)", lambda q, now: q.open_backlog),
    ("inquiry_sla_breached", "open tickets whose running SLA deadline has passed", lambda q, now: q.breached_now),
    ("inquiry_sla_at_risk", "open tickets past the at-risk mark, deadline still ahead", lambda q, now: q.at_risk_now),
    ("inquiry_oldest_open_ticket_age_seconds", "age of the oldest open ticket",
     lambda q, now: q.oldest_open_age(now) or 0),
    ("inquiry_agents_online", "queue members online and available", lambda q, now: q.agents_online),
    ("inquiry_agents_load", "open tickets assigned to the queue's online agents", lambda q, now: q.agents_load),
    ("inquiry_agents_capacity", "most open tickets the queue's online agents take", lambda q, now: q.agents_capacity),
)


def _label(value: str) -> str:
    """A label value escaped as the exposition format asks (backslash, quote, newline)."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() else repr(value)


def exposition(now=None) -> str:
    """Every metric as Prometheus text, one HELP and TYPE line per family."""
    now = now or utcnow()
    queues = dashboard.queue_figures(now)
    totals = dashboard.totals_by_queue()
    lines: list[str] = []
    for name, help_text, read in GAUGES:
        lines += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
        lines += [f'{name}{{queue="{_label(q.slug)}"}} {_number(read(q, now))}' for q in queues]
    for name, index, help_text in (("inquiry_tickets_created_total", 0, "tickets opened, by their queue now"),
                                   ("inquiry_tickets_solved_total", 1, "tickets solved or closed, by their queue now")):
        lines += [f"# HELP {name} {help_text}", f"# TYPE {name} counter"]
        lines += [f'{name}{{queue="{_label(q.slug)}"}} {totals.get(q.queue_id, (0, 0))[index]}' for q in queues]
    name = "inquiry_sla_first_response_attainment_ratio"
    lines += [f"# HELP {name} share of first-response targets met, decided in the last 24 h",
              f"# TYPE {name} gauge"]
    lines += [f'{name}{{queue="{_label(q.slug)}"}} {_number(q.windows["24h"].first_response_attainment)}'
              for q in queues if q.windows["24h"].first_response_attainment is not None]
    return "\n".join(lines) + "\n"


def _unauthorized(message: str) -> Response:
    return Response(message + "\n", status=401, mimetype="text/plain",
                    headers={"WWW-Authenticate": 'Bearer realm="metrics"'})


def serve() -> Response:
    """The /metrics endpoint: a bearer token matching METRICS_TOKEN, or a supervisor's session."""
    header = request.headers.get("Authorization", "")
    if header:
        token = current_app.config.get("METRICS_TOKEN")
        scheme, _, given = header.partition(" ")
        if scheme.lower() != "bearer" or not token or not hmac.compare_digest(given.strip().encode(), str(token).encode()):
            return _unauthorized("invalid metrics token")
    elif not current_user.is_authenticated:
        return _unauthorized("send Authorization: Bearer <METRICS_TOKEN>, or log in as a supervisor")
    elif current_user.role not in (Role.SUPERVISOR, Role.ADMIN):
        raise Forbidden("only supervisors and administrators may read the metrics")
    return Response(exposition(), content_type=CONTENT_TYPE)
