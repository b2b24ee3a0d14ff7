"""Staff log-in: credentials, the per-account lock, the per-address throttle, safe redirects."""
import datetime as dt
from urllib.parse import quote

import pytest
from sqlalchemy import select

from inquiry.audit.models import AuditEvent
from inquiry.auth.models import User
from inquiry.auth.views import safe_next
from inquiry.dbtypes import utcnow


def is_logged_in(client) -> bool:
    return client.get("/tickets/").status_code == 200


def actions(db, user) -> list[str]:
    return list(db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.subject == f"user:{user.id}").order_by(AuditEvent.id)
    ))


def test_login_page_offers_form_and_public_contact_link(client):
    page = client.get("/login")
    assert page.status_code == 200
    html = page.data.decode()
    assert 'name="email"' in html and 'name="password"' in html and 'name="remember"' in html
    assert 'href="/contact"' in html


def test_right_password_logs_in_and_records_it(client, make, db, log_in):
    agent = make.agent()
    response = log_in(agent.email.upper(), make.password)
    assert response.status_code == 302
    assert response.headers["Location"] == "/tickets/"
    assert is_logged_in(client)
    db.session.refresh(agent)
    assert agent.last_login_at is not None
    assert "user.login" in actions(db, agent)


def test_wrong_password_is_refused_generically_and_counted(client, make, db, log_in):
    agent = make.agent()
    response = log_in(agent.email, "not the password at all")
    assert response.status_code == 401
    assert b"wrong e-mail or password" in response.data
    assert not is_logged_in(client)
    db.session.expire_all()
    assert db.session.get(User, agent.id).failed_logins == 1


def test_unknown_email_gets_the_same_answer(client, log_in):
    response = log_in("nobody@inquiry.example.org", "whatever password")
    assert response.status_code == 401
    assert b"wrong e-mail or password" in response.data


def test_empty_form_is_a_400_not_a_crash(client):
    response = client.post("/login", data={"email": "", "password": ""})
    assert response.status_code == 400
    assert not is_logged_in(client)


def test_lockout_after_max_failures_even_for_right_password_until_it_passes(client, make, db, app, log_in):
    agent = make.agent()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert log_in(agent.email, "wrong password, again").status_code == 401

    locked = log_in(agent.email, make.password)
    assert locked.status_code == 401
    assert b"try again later" in locked.data
    assert not is_logged_in(client)
    db.session.expire_all()
    user = db.session.get(User, agent.id)
    assert user.locked_until is not None and user.locked_until > utcnow()
    assert "user.locked" in actions(db, agent)

    # The lock runs out (simulated by moving it into the past): the right password works again.
    user.locked_until = utcnow() - dt.timedelta(seconds=1)
    db.session.commit()
    assert log_in(agent.email, make.password).status_code == 302
    assert is_logged_in(client)


def test_disabled_user_cannot_log_in(client, make, db, log_in):
    agent = make.agent()
    agent.is_enabled = False
    db.session.commit()
    response = log_in(agent.email, make.password)
    assert response.status_code == 401
    assert b"disabled" in response.data
    assert not is_logged_in(client)


def test_disabling_an_account_ends_its_open_session(client, make, db, log_in):
    agent = make.agent()
    log_in(agent.email, make.password)
    assert is_logged_in(client)
    agent.is_enabled = False
    db.session.commit()
    response = client.get("/tickets/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_login_starts_a_fresh_session(client, make, log_in):
    agent = make.agent()
    with client.session_transaction() as session:
        session["planted"] = "by someone before log-in"
    log_in(agent.email, make.password)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == str(agent.id)


def test_remember_me_sets_the_remember_cookie(client, make, log_in):
    agent = make.agent()
    log_in(agent.email, make.password, remember=True)
    assert client.get_cookie("remember_token") is not None


def test_logged_in_user_visiting_login_goes_to_tickets(client, make, log_in):
    agent = make.agent()
    log_in(agent.email, make.password)
    response = client.get("/login")
    assert response.status_code == 302 and response.headers["Location"] == "/tickets/"


def test_anonymous_user_is_sent_to_login_with_next(client):
    response = client.get("/tickets/?status=new")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/login?next=")


def test_safe_next_is_followed(client, make, log_in):
    agent = make.agent()
    response = log_in(agent.email, make.password, next_url=quote("/tickets/?status=new", safe=""))
    assert response.headers["Location"] == "/tickets/?status=new"


@pytest.mark.parametrize("target", [
    "//evil.example.com/",
    "https://evil.example.com/tickets/",
    "/\\evil.example.com",
    "/\t/evil.example.com",
    "javascript:alert(1)",
    "evil.example.com",
])
def test_unsafe_next_is_ignored(client, make, log_in, target):
    agent = make.agent()
    response = log_in(agent.email, make.password, next_url=quote(target, safe=""))
    assert response.status_code == 302
    assert response.headers["Location"] == "/tickets/"


def test_safe_next_rules():
    assert safe_next("/tickets/INQ-AAAA-BBBB") == "/tickets/INQ-AAAA-BBBB"
    for bad in (None, "", "//x.org", "///x.org", "/\\x.org", "http://x.org", "x.org/a", "/a\nb", "/a\x7fb"):
        assert safe_next(bad) is None, bad


class TestThrottle:
    @pytest.fixture
    def app_config(self, app_config):
        app_config.update(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
        return app_config

    def test_fourth_post_from_one_address_is_429(self, client, make):
        agent = make.agent()
        for _ in range(5):  # page views are not attempts
            assert client.get("/login").status_code == 200
        for _ in range(3):
            assert client.post("/login", data={"email": agent.email, "password": "wrong password"}).status_code == 401
        throttled = client.post("/login", data={"email": agent.email, "password": make.password})
        assert throttled.status_code == 429
        assert b"Too many requests" in throttled.data
        assert not is_logged_in(client)

    def test_other_addresses_are_not_affected(self, client, make):
        agent = make.agent()
        for _ in range(3):
            client.post("/login", data={"email": agent.email, "password": "wrong password"},
                        environ_base={"REMOTE_ADDR": "203.0.113.7"})
        elsewhere = client.post("/login", data={"email": agent.email, "password": make.password},
                                environ_base={"REMOTE_ADDR": "198.51.100.20"})
        assert elsewhere.status_code == 302
