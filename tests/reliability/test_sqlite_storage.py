"""SQLite out of space or read-only: a webhook gets a 5xx with Retry-After (so the platform tries
again) and is not stored, an agent's action gets a clear 507/503 page rather than a 500, and the
database file stays sound with everything written before intact."""
from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa
from sqlalchemy import event, func, select

from inquiry import create_app
from inquiry.ingest.models import Delivery
from inquiry.tickets.models import Direction, Message
from tests.factories import PASSWORD
from tests.reliability.support import bridge_body, signed_headers


@pytest.fixture
def sqlite_file(database_url) -> str:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite storage failures: this run uses PostgreSQL")
    return sa.make_url(database_url).database


@pytest.fixture
def desk(app, db, make, client, bridge):
    """An agent logged in, a ticket on the bridge account, and one delivery stored before trouble."""
    account_id, path = bridge
    agent = make.agent("general-public")
    reference = make.ticket("general-public", channel="snapchat").reference
    assert client.post("/login", data={"email": agent.email, "password": PASSWORD}).status_code == 302
    earlier = bridge_body("before-trouble")
    assert client.post(path, data=earlier, headers=signed_headers(earlier)).status_code == 202
    db.session.commit()
    return {"path": path, "reference": reference, "earlier": earlier}


def snapshot(sqlite_path: str) -> dict:
    """Read the file directly, as an operator would after the incident."""
    with sqlite3.connect(sqlite_path) as conn:
        return {
            "integrity": conn.execute("PRAGMA integrity_check").fetchall(),
            "deliveries": dict(conn.execute("SELECT dedupe_key, body FROM deliveries").fetchall()),
            "messages": conn.execute("SELECT direction, body FROM messages ORDER BY id").fetchall(),
        }


def assert_refused(response, status: int, words: str):
    assert response.status_code == status, response.data[:500]
    assert response.headers.get("Retry-After")
    assert words in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)


def test_disk_full_refuses_intake_and_replies_cleanly_and_keeps_the_file_sound(db, client, desk, sqlite_file):
    before = snapshot(sqlite_file)
    # The test client shares this app context (and its session, holding the logged-in user), so
    # the session is committed, not removed, before the pool is emptied.
    db.session.commit()
    db.engine.dispose()
    with sqlite3.connect(sqlite_file) as conn:  # no free pages left to reuse: the next new page fails
        conn.execute("VACUUM")

    def no_room_to_grow(dbapi_connection, _record):
        count = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {count}")

    event.listen(db.engine, "connect", no_room_to_grow)
    big = bridge_body("while-full", text="A long report. " * 1500)  # ~22 KB: needs new pages
    try:
        hook = client.post(desk["path"], data=big, headers=signed_headers(big))
        assert_refused(hook, 507, "please retry")
        assert hook.get_json()["error"]["code"] == "storage_full"
        page = client.post(f"/tickets/{desk['reference']}/reply", data={"reply": "We are on it. " * 600})
        assert_refused(page, 507, "run out of storage space")
        assert "<html" in page.get_data(as_text=True).lower()  # the desk's page, not a bare error
    finally:
        db.session.rollback()
        event.remove(db.engine, "connect", no_room_to_grow)
        db.engine.dispose()

    after = snapshot(sqlite_file)
    assert after["integrity"] == [("ok",)]
    assert after == before, "a refused write left something behind, or earlier rows changed"
    # Space again: the platform's retry of the refused delivery is stored.
    assert client.post(desk["path"], data=big, headers=signed_headers(big)).status_code == 202
    assert db.session.scalar(select(func.count()).where(Delivery.dedupe_key == "msg:while-full")) == 1


def test_read_only_database_refuses_intake_and_replies_cleanly(app_config, db, client, desk, sqlite_file):
    before = snapshot(sqlite_file)
    read_only = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///file:{sqlite_file}?mode=ro&uri=true"})
    visitor = read_only.test_client()
    visitor.set_cookie("session", client.get_cookie("session").value)  # the same agent, logged in
    body = bridge_body("while-read-only")
    try:
        assert_refused(visitor.post(desk["path"], data=body, headers=signed_headers(body)), 503, "please retry")
        page = visitor.post(f"/tickets/{desk['reference']}/reply", data={"reply": "We are on it."})
        assert_refused(page, 503, "database is unavailable")
    finally:
        with read_only.app_context():
            from inquiry.extensions import db as _db

            _db.session.remove()
            _db.engine.dispose()
    after = snapshot(sqlite_file)
    assert after["integrity"] == [("ok",)]
    assert after == before
    assert db.session.scalar(select(func.count()).select_from(Message).where(Message.direction == Direction.OUTBOUND)) == 0
