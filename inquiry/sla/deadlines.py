"""Keeping a ticket's SLA deadlines current as things happen to it.

The ticket services call one of these on every change that moves a deadline. Each clock has a
start (created, or reopened: ``sla_started_at``; the sender's last unanswered message for the
next response) and a target in the policy's calendar; time spent waiting on the sender
(``pending``) is added back. ``due_at`` — what the inbox sorts by — is the earliest deadline
still running, NULL while the ticket waits on the sender or is done; ``at_risk_at`` is when less
than the policy's share of that target is left.
"""
from __future__ import annotations

import datetime as dt

from inquiry.sla import calendar as cal
from inquiry.sla.policy import policy_for
from inquiry.tickets.models import TicketStatus

S = TicketStatus
_RUNNING = frozenset({S.NEW, S.OPEN, S.ON_HOLD})
_DONE = frozenset({S.SOLVED, S.CLOSED})


def refresh(ticket, at: dt.datetime) -> None:
    """Recompute every deadline from the ticket's clocks and its current policy."""
    policy = policy_for(ticket)
    calendar = policy.calendar
    paused = ticket.sla_paused_seconds or 0.0
    start = ticket.sla_started_at or ticket.created_at or at
    clocks = []  # (deadline, clock start, target seconds, paused seconds)
    if ticket.first_response_at is None and ticket.status not in _DONE:
        target = policy.first_response.total_seconds()
        ticket.first_response_due_at = cal.add(calendar, ticket.created_at or start, target + paused)
        clocks.append((ticket.first_response_due_at, ticket.created_at or start, target, paused))
    else:
        ticket.first_response_due_at = None
    if ticket.next_response_due_at is not None and ticket.status not in _DONE and ticket.last_inbound_at:
        target = policy.next_response.total_seconds()
        ticket.next_response_due_at = cal.add(calendar, ticket.last_inbound_at, target)
        clocks.append((ticket.next_response_due_at, ticket.last_inbound_at, target, 0.0))
    elif ticket.status in _DONE:
        ticket.next_response_due_at = None
    if ticket.status not in _DONE:
        target = policy.resolution.total_seconds()
        ticket.resolution_due_at = cal.add(calendar, start, target + paused)
        clocks.append((ticket.resolution_due_at, start, target, paused))
    else:
        ticket.resolution_due_at = None

    before = ticket.due_at
    if ticket.status in _RUNNING and clocks:
        due, clock_start, target, paused_part = min(clocks, key=lambda c: c[0])
        ticket.due_at = due
        ticket.at_risk_at = cal.add(calendar, clock_start, target * (1 - policy.at_risk_share) + paused_part)
    else:
        ticket.due_at = ticket.at_risk_at = None
    if ticket.due_at != before and (ticket.due_at is None or ticket.due_at > at):
        ticket.sla_state = "ok"  # a new deadline still ahead: nothing to report yet


def _resume(ticket, at: dt.datetime) -> None:
    """The sender answered (or staff took the ticket off pending): add the pause back."""
    if ticket.sla_paused_at is not None:
        ticket.sla_paused_seconds = (ticket.sla_paused_seconds or 0.0) + cal.between(
            policy_for(ticket).calendar, ticket.sla_paused_at, at)
        ticket.sla_paused_at = None


def _restart(ticket, at: dt.datetime) -> None:
    """A solved ticket reopened: a fresh resolution clock."""
    ticket.sla_started_at = at
    ticket.sla_paused_seconds = 0.0
    ticket.sla_paused_at = None
    ticket.resolution_met = None


def opened(ticket, at: dt.datetime) -> None:
    ticket.sla_started_at = at
    ticket.sla_paused_seconds = 0.0
    ticket.sla_state = "ok"
    refresh(ticket, at)


def inbound(ticket, at: dt.datetime, before: TicketStatus | None = None) -> None:
    """The sender wrote (``before``: the status the message found the ticket in)."""
    if before == S.PENDING:
        _resume(ticket, at)
    elif before in _DONE:
        _restart(ticket, at)
    if ticket.first_response_at is not None and ticket.next_response_due_at is None:
        ticket.next_response_due_at = at  # marks the clock as running; refresh sets the deadline
    refresh(ticket, at)


def replied(ticket, at: dt.datetime) -> None:
    if ticket.first_response_met is None and ticket.first_response_due_at is not None:
        ticket.first_response_met = at <= ticket.first_response_due_at
    ticket.next_response_due_at = None
    refresh(ticket, at)


def status_changed(ticket, before: TicketStatus, at: dt.datetime) -> None:
    after = ticket.status
    if after == S.PENDING and before != S.PENDING:
        ticket.sla_paused_at = at
    elif before == S.PENDING:
        _resume(ticket, at)
    if after == S.SOLVED and ticket.resolution_due_at is not None:
        ticket.resolution_met = at <= ticket.resolution_due_at
    if before in _DONE and after not in _DONE:
        _restart(ticket, at)
    refresh(ticket, at)


def priority_changed(ticket, at: dt.datetime) -> None:
    refresh(ticket, at)


def queue_changed(ticket, at: dt.datetime) -> None:
    refresh(ticket, at)
