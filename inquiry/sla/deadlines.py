"""Keeping a ticket's SLA deadlines current as things happen to it.

The ticket services call these on every change that moves a deadline; ``due_at`` (what the inbox
sorts by) is the earliest deadline still running, and NULL while the ticket waits on the sender
or is done.
"""
from __future__ import annotations

import datetime as dt

from inquiry.sla.policy import targets_for
from inquiry.tickets.models import TicketStatus

_RUNNING = frozenset({TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.ON_HOLD})


def _refresh_due(ticket) -> None:
    if ticket.status not in _RUNNING:
        ticket.due_at = None
        return
    running = [d for d in (ticket.first_response_due_at, ticket.next_response_due_at, ticket.resolution_due_at) if d]
    ticket.due_at = min(running) if running else None


def opened(ticket, at: dt.datetime) -> None:
    targets = targets_for(ticket)
    ticket.first_response_due_at = at + targets.first_response
    ticket.resolution_due_at = at + targets.resolution
    ticket.next_response_due_at = None
    _refresh_due(ticket)


def inbound(ticket, at: dt.datetime) -> None:
    """The sender wrote again: once answered before, they are owed a next response."""
    if ticket.first_response_at is not None and ticket.next_response_due_at is None:
        ticket.next_response_due_at = at + targets_for(ticket).next_response
    if ticket.resolution_due_at is None:  # reopened after it was solved
        ticket.resolution_due_at = at + targets_for(ticket).resolution
    _refresh_due(ticket)


def replied(ticket, at: dt.datetime) -> None:
    ticket.first_response_due_at = None
    ticket.next_response_due_at = None
    _refresh_due(ticket)


def status_changed(ticket, at: dt.datetime) -> None:
    if ticket.status in (TicketStatus.SOLVED, TicketStatus.CLOSED):
        ticket.first_response_due_at = ticket.next_response_due_at = ticket.resolution_due_at = None
    _refresh_due(ticket)


def priority_changed(ticket, at: dt.datetime) -> None:
    """New targets counted from when each clock started."""
    targets = targets_for(ticket)
    if ticket.first_response_at is None and ticket.first_response_due_at is not None:
        ticket.first_response_due_at = ticket.created_at + targets.first_response
    if ticket.next_response_due_at is not None and ticket.last_inbound_at is not None:
        ticket.next_response_due_at = ticket.last_inbound_at + targets.next_response
    if ticket.resolution_due_at is not None:
        ticket.resolution_due_at = ticket.created_at + targets.resolution
    _refresh_due(ticket)
