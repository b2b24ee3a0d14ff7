"""A small desk with one of everything, and a logged-in client per role, for the security tests.

``world`` holds two tickets in two queues (A = general-public, B = travellers), one person of
each role with an API token, a canned reply, a channel account, a fixed cost and a notification.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD

QUEUE_A = "general-public"
QUEUE_B = "travellers"
ROLES = ("anonymous", "agent_a", "agent_b", "supervisor", "admin")
CHANNEL_SECRET = "tg-channel-secret-4d1b9e"


@dataclass
class World:
    ticket_a: object
    ticket_b: object
    users: dict = field(default_factory=dict)  # role → User (no entry for anonymous)
    tokens: dict = field(default_factory=dict)  # role → plain API token
    canned: object = None
    account: object = None
    fixed_cost: object = None


def log_in(client, user) -> None:
    """Log in through the form, as a person would; the client keeps the session cookie."""
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302 and "/login" not in response.headers["Location"], response.text[:500]


@pytest.fixture
def world(app, db, make) -> World:
    from inquiry.canned import services as canned
    from inquiry.channels.services import create_account
    from inquiry.costs import services as costs
    from inquiry.notifications.services import notify

    db.session().expire_on_commit = False  # rows stay readable after a commit without a new transaction
    world = World(ticket_a=make.ticket(QUEUE_A), ticket_b=make.ticket(QUEUE_B))
    world.users = {
        "agent_a": make.agent(QUEUE_A, name="Agent A"),
        "agent_b": make.agent(QUEUE_B, name="Agent B"),
        "supervisor": make.supervisor(name="Sam Supervisor"),
        "admin": make.admin(name="Ada Admin"),
    }
    world.tokens = {role: make.token(user) for role, user in world.users.items()}
    admin = world.users["admin"]
    world.canned = canned.create_reply(title="Opening hours", shortcut="hours", actor=admin,
                                       variants={"en": "We answer from 9 to 5, {contact_name}."})
    world.account = create_account("telegram", "Desk bot", signing_secret=CHANNEL_SECRET,
                                   external_account_id="desk_bot")
    world.fixed_cost = costs.set_fixed_cost("Licences", 120, actor=admin)
    notify([world.users["agent_a"], world.users["supervisor"]], "ticket.escalated", "Escalated", ticket=world.ticket_a)
    db.session.commit()
    return world


class Client:
    """A test client whose every request runs in an app context of its own.

    The ``app`` fixture keeps one app context open for the whole test, and a request inside it
    shares its ``g``: Flask-Login would serve the first user it loaded to every later client.
    On SQLite the test's own session is committed first, so it holds no lock the request needs.
    """

    def __init__(self, app):
        self.app = app
        self.client = app.test_client()

    def open(self, *args, **kw):
        from inquiry.extensions import db

        # SQLite: the test's own session must not sit in a (write-locking) transaction meanwhile.
        db.session.commit()
        with self.app.app_context():
            return self.client.open(*args, **kw)

    def get(self, *args, **kw):
        return self.open(*args, method="GET", **kw)

    def post(self, *args, **kw):
        return self.open(*args, method="POST", **kw)


@pytest.fixture
def clients(app, world):
    """role → a client logged in as that role (anonymous: no session)."""
    found = {"anonymous": Client(app)}
    for role, user in world.users.items():
        found[role] = Client(app)
        log_in(found[role], user)
    return found


# Columns a refused request may still touch: bookkeeping of the caller itself, not the desk's data.
VOLATILE_COLUMNS = {"last_used_at", "last_seen_at", "last_login_at", "updated_at"}
# Tables that count refusals on purpose (a burst of bad signatures must show on the admin page).
VOLATILE_TABLES = {"channel_rejections"}


def fingerprint(db) -> dict[str, list]:
    """Every row of every table (bookkeeping columns aside), to prove a refused request changed nothing."""
    db.session.commit()
    found = {}
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            if table.name in VOLATILE_TABLES:
                continue
            columns = [c for c in table.columns if c.name not in VOLATILE_COLUMNS]
            rows = conn.execute(sa.select(*columns).order_by(*table.primary_key.columns)).all()
            found[table.name] = [tuple(map(repr, row)) for row in rows]
    return found
