"""Twenty agents pulling work from one queue at the same moment: every ticket ends with exactly
one assignee, and no agent is told it won a ticket that someone else holds."""
from __future__ import annotations

import random
import threading

from sqlalchemy import func, select

from inquiry.audit.models import AuditEvent
from inquiry.auth.models import User
from inquiry.errors import Conflict
from inquiry.tickets import services
from inquiry.tickets.inbox import View, list_view
from inquiry.tickets.models import Ticket

AGENTS = 20
TICKETS = 40


def test_twenty_agents_claiming_from_one_queue_at_once_each_ticket_has_one_owner(app, db, make):
    agent_ids = [make.agent("general-public").id for _ in range(AGENTS)]
    ticket_ids = {make.ticket("general-public").id for _ in range(TICKETS)}
    db.session.commit()  # the test's own session holds no transaction (on SQLite: no lock) meanwhile
    barrier = threading.Barrier(AGENTS)
    won: list[tuple[int, int]] = []  # (ticket id, agent id) for every claim that said "yours"
    conflicts, errors = [0], []
    lock = threading.Lock()

    def agent(user_id: int, seed: int):
        from inquiry.extensions import db as _db

        rng = random.Random(seed)
        with app.app_context():
            try:
                user = _db.session.get(User, user_id)
                _db.session.commit()
                barrier.wait(timeout=120)
                for _ in range(TICKETS * 4):  # a bound, in case claiming never converged
                    page = list_view(user, View("unassigned"), limit=3)
                    waiting = page.pinned + page.items
                    if not waiting:
                        break
                    ticket = rng.choice(waiting)  # most agents go for the same few: the hot spot
                    _db.session.commit()  # the inbox page and the click on "claim" are two requests
                    try:
                        services.claim(ticket, actor=user)
                        _db.session.commit()
                        with lock:
                            won.append((ticket.id, user_id))
                    except Conflict:
                        _db.session.rollback()
                        with lock:
                            conflicts[0] += 1
                else:
                    errors.append(f"agent {user_id} still saw unassigned tickets")
            except Exception as exc:  # reported below: the test must see it
                _db.session.rollback()
                errors.append(repr(exc))
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=agent, args=(uid, n)) for n, uid in enumerate(agent_ids)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert not any(t.is_alive() for t in threads), "an agent thread hung"
    assert errors == []

    winners = dict(won)
    assert len(won) == len(winners) == TICKETS, "a ticket was won twice (or not at all)"
    owners = dict(db.session.execute(select(Ticket.id, Ticket.assignee_id).where(Ticket.id.in_(ticket_ids))).all())
    assert owners == winners, "the database's assignee is not the agent who was told it won"
    audited = dict(db.session.execute(
        select(AuditEvent.ticket_id, func.count()).where(AuditEvent.action == "ticket.assigned").group_by(AuditEvent.ticket_id)
    ).all())
    assert audited == {ticket_id: 1 for ticket_id in ticket_ids}, "the audit trail shows a second assignment"
    assert conflicts[0] > 0  # they did collide: the race was real
