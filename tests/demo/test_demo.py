"""`inquiry demo`: seeds a realistic desk once, through the intake and ticket services."""
import datetime as dt
import re

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from inquiry import taxonomy
from inquiry.auth.services import authenticate
from inquiry.cli import main
from inquiry.outbound.models import OutboxItem, OutboxState
from inquiry.tickets.models import Direction, Message, Queue, Ticket, TicketStatus


@pytest.fixture
def run_demo(app, database_url, tmp_path, monkeypatch, trained_instance):
    import shutil

    shutil.copytree(f"{trained_instance}/models", tmp_path / "models")  # the demo trains only if none
    monkeypatch.setenv("INQUIRY_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("INQUIRY_DATABASE_URL", database_url)
    monkeypatch.delenv("INQUIRY_SECRET_KEY", raising=False)

    def run():
        result = CliRunner().invoke(main, ["demo", "--no-serve"])
        assert result.exit_code == 0, result.output
        return result.output

    return run


def _logins(output):
    return dict(re.findall(r"^\s+\w+\s+(\S+@\S+)\s+(\S+)$", output, flags=re.M))


def test_demo_seeds_a_realistic_desk_once(run_demo, db, tmp_path):
    output = run_demo()
    logins = _logins(output)
    assert "supervisor@inquiry.example.org" in logins and len(logins) >= 4
    assert "SECRET_KEY" in (tmp_path / "config.py").read_text()

    tickets = db.session.scalars(select(Ticket)).all()
    assert len(tickets) >= 300
    created = sorted(t.created_at for t in tickets)
    assert created[-1] - created[0] > dt.timedelta(days=20)
    assert len({t.channel_account.platform for t in tickets}) >= 20
    assert len({t.language for t in tickets if t.language}) >= 10
    by_queue = dict(db.session.execute(select(Queue.slug, func.count(Ticket.id)).join(Ticket.queue).group_by(Queue.slug)).all())
    assert len([slug for slug in by_queue if slug != "triage"]) == 12  # every audience, and whistleblowing
    # Every tip is in the restricted queue, which only its two named members see.
    tips = [t for t in tickets if t.topic in taxonomy.SENSITIVE_TOPICS]
    assert tips and {t.queue.slug for t in tips} == {taxonomy.WHISTLEBLOWING_QUEUE}
    whistleblowing = db.session.scalars(select(Queue).filter_by(slug=taxonomy.WHISTLEBLOWING_QUEUE)).one()
    assert whistleblowing.is_restricted and {u.email for u in whistleblowing.members} == {
        "supervisor@inquiry.example.org", "amina@inquiry.example.org"}
    statuses = {t.status for t in tickets}
    assert {TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.SOLVED, TicketStatus.CLOSED} <= statuses
    outbound = db.session.scalar(select(func.count()).where(Message.direction == Direction.OUTBOUND))
    assert outbound > 100
    # Seeded replies are history: nothing is left for the worker to send to the demo accounts.
    assert db.session.scalar(select(func.count()).select_from(OutboxItem).where(OutboxItem.state == OutboxState.PENDING)) == 0

    user = authenticate("supervisor@inquiry.example.org", logins["supervisor@inquiry.example.org"])
    assert user.role.value == "supervisor"
    db.session.commit()

    # Safe to run twice: nothing added, the same log-ins printed.
    again = run_demo()
    assert "nothing added" in again
    assert _logins(again) == logins
    assert db.session.scalar(select(func.count(Ticket.id))) == len(tickets)
