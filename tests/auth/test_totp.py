"""Two-factor log-in for supervisors and administrators: enrolment, the code step of log-in,
wrong and reused codes, the shared lock, an administrator's reset, and the "required" setting."""
import datetime as dt

import pyotp
import pytest
from click.testing import CliRunner
from flask import g
from flask.cli import ScriptInfo
from sqlalchemy import select

from inquiry.audit.models import AuditEvent
from inquiry.auth import management, services, totp
from inquiry.auth.models import User
from inquiry.cli import main
from inquiry.dbtypes import utcnow
from inquiry.errors import Conflict, Forbidden, Invalid

from tests.factories import PASSWORD


def fresh(db, user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def actions(db, user) -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.subject == f"user:{user.id}")
                                   .order_by(AuditEvent.id)))


def enrolled(db, user) -> str:
    """Switch the factor on through the services, a minute ago (so the current code is unused)."""
    secret = totp.begin(user)
    earlier = utcnow() - dt.timedelta(seconds=60)
    totp.confirm(user, pyotp.TOTP(secret).at(earlier), at=earlier)
    db.session.commit()
    return secret


def wrong_code(secret: str) -> str:
    """Six digits that are no valid code around now."""
    valid = {pyotp.TOTP(secret).at(utcnow() + dt.timedelta(seconds=s)) for s in range(-90, 91, 30)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in valid)


def is_logged_in(client) -> bool:
    return client.get("/tickets/").status_code == 200


def password_step(client, user, **extra):
    g.pop("_login_user", None)  # the tests share one app context: forget the last request's user
    return client.post("/login", data={"email": user.email, "password": PASSWORD, **extra})


# --- enrolment ---------------------------------------------------------------------------------

def test_enrolment_shows_the_secret_until_a_code_confirms_it(client, db, make):
    boss = make.supervisor()
    assert password_step(client, boss).status_code == 302
    page = client.get("/account/security")
    assert page.status_code == 200 and "Off." in page.data.decode()
    assert client.post("/account/security/start").status_code == 303
    secret = fresh(db, boss).totp_secret
    page = client.get("/account/security")
    html = page.data.decode()
    assert secret in html and "otpauth://totp/Inquiry:" in html and "<svg" in html
    assert page.headers["Cache-Control"] == "no-store"
    assert "<script" not in html.split("<main", 1)[1] and " style=" not in html.split("<main", 1)[1]

    refused = client.post("/account/security/confirm", data={"code": wrong_code(secret)})
    assert refused.status_code == 422
    assert fresh(db, boss).totp_enabled_at is None

    assert client.post("/account/security/confirm", data={"code": pyotp.TOTP(secret).now()}).status_code == 303
    user = fresh(db, boss)
    assert user.has_totp and user.totp_secret == secret
    assert "user.totp_enabled" in actions(db, boss)
    assert secret not in client.get("/account/security").data.decode()  # never shown again
    audit_text = " ".join(f"{e.before} {e.after}" for e in db.session.scalars(select(AuditEvent)))
    assert secret not in audit_text


def test_agents_have_no_second_factor_page(client, make):
    assert password_step(client, make.agent()).status_code == 302
    assert client.get("/account/security").status_code == 403
    assert client.post("/account/security/start").status_code == 403


def test_enrolment_rules(db, make):
    boss = make.admin()
    with pytest.raises(Conflict):
        totp.confirm(boss, "123456")  # nothing started
    secret = totp.begin(boss)
    with pytest.raises(Invalid):
        totp.confirm(boss, "12345")
    assert totp.begin(boss) != secret  # starting again makes a new key
    enrolled(db, boss)
    with pytest.raises(Conflict):
        totp.begin(boss)
    with pytest.raises(Forbidden):
        totp.begin(make.agent())


def test_codes_allow_one_step_of_clock_drift(db, make):
    boss = make.supervisor()
    secret = enrolled(db, boss)
    now = utcnow()
    for seconds in (-95, 95):
        with pytest.raises(Forbidden):
            totp.verify(boss, pyotp.TOTP(secret).at(now + dt.timedelta(seconds=seconds)), at=now)
    totp.verify(boss, pyotp.TOTP(secret).at(now + dt.timedelta(seconds=30)), at=now)
    assert fresh(db, boss).failed_logins == 0  # a full log-in clears the count


def test_password_alone_is_refused_for_an_account_with_a_second_factor(db, make):
    boss = make.supervisor()
    enrolled(db, boss)
    with pytest.raises(Forbidden) as refused:
        services.authenticate(boss.email, PASSWORD)
    assert refused.value.code == "totp_required"


# --- log-in ------------------------------------------------------------------------------------

def test_login_asks_for_the_code_before_logging_in(client, db, make):
    boss = make.supervisor()
    secret = enrolled(db, boss)
    response = password_step(client, boss, remember="y")
    assert response.status_code == 303 and response.headers["Location"].startswith("/login/code")
    assert not is_logged_in(client)  # the password alone logs nobody in
    assert "user.login" not in actions(db, boss)
    assert 'autocomplete="one-time-code"' in client.get("/login/code").data.decode()

    response = client.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and response.headers["Location"] == "/tickets/"
    assert is_logged_in(client)
    assert actions(db, boss)[-1] == "user.login"
    assert fresh(db, boss).last_login_at is not None


def test_login_without_totp_is_unchanged(client, make):
    boss = make.supervisor()
    response = password_step(client, boss)
    assert response.status_code == 302 and response.headers["Location"] == "/tickets/"
    assert is_logged_in(client)


def test_code_step_keeps_the_next_url(client, db, make):
    boss = make.admin()
    secret = enrolled(db, boss)
    g.pop("_login_user", None)
    response = client.post("/login?next=/admin/users", data={"email": boss.email, "password": PASSWORD})
    assert response.headers["Location"] == "/login/code?next=/admin/users"
    response = client.post("/login/code?next=/admin/users", data={"code": pyotp.TOTP(secret).now()})
    assert response.headers["Location"] == "/admin/users"


def test_code_step_without_a_password_first_goes_back_to_login(client, make):
    assert client.get("/login/code").headers["Location"].startswith("/login")
    assert client.post("/login/code", data={"code": "123456"}).status_code == 302
    assert not is_logged_in(client)


def test_code_step_expires(client, db, make):
    boss = make.supervisor()
    secret = enrolled(db, boss)
    password_step(client, boss)
    with client.session_transaction() as session:
        session["totp_pending"] = {**session["totp_pending"], "at": session["totp_pending"]["at"] - 600}
    response = client.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert not is_logged_in(client)


def test_wrong_code_is_refused_and_counted(client, db, make):
    boss = make.supervisor()
    secret = enrolled(db, boss)
    password_step(client, boss)
    response = client.post("/login/code", data={"code": wrong_code(secret)})
    assert response.status_code == 401 and b"not right" in response.data
    assert not is_logged_in(client)
    assert fresh(db, boss).failed_logins == 1
    assert actions(db, boss)[-1] == "user.totp_refused"
    # The right code still works in the same step.
    assert client.post("/login/code", data={"code": pyotp.TOTP(secret).now()}).status_code == 302
    assert is_logged_in(client)
    assert fresh(db, boss).failed_logins == 0


def test_a_code_cannot_be_used_twice(client, db, make):
    boss = make.supervisor()
    secret = enrolled(db, boss)
    code = pyotp.TOTP(secret).now()
    password_step(client, boss)
    assert client.post("/login/code", data={"code": code}).status_code == 302
    client.post("/logout")
    password_step(client, boss)
    replayed = client.post("/login/code", data={"code": code})
    assert replayed.status_code == 401
    assert not is_logged_in(client)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.totp_refused")).one()
    assert event.after == {"reason": "reused"}


def test_wrong_codes_lock_the_account_like_wrong_passwords(client, db, make, app):
    app.config["LOGIN_MAX_FAILURES"] = 3
    boss = make.supervisor()
    secret = enrolled(db, boss)
    password_step(client, boss)
    client.post("/login/code", data={"code": wrong_code(secret)})
    # The right password again does not wipe the count of wrong codes.
    password_step(client, boss)
    assert fresh(db, boss).failed_logins == 1
    client.post("/login/code", data={"code": wrong_code(secret)})
    locked = client.post("/login/code", data={"code": wrong_code(secret)})
    assert locked.status_code == 401 and b"too many failed log-ins" in locked.data
    assert fresh(db, boss).locked_until is not None
    assert "user.locked" in actions(db, boss)
    # Locked: the password step refuses, and so would the right code.
    assert password_step(client, boss).status_code == 401
    with pytest.raises(Forbidden) as refused:
        totp.verify(fresh(db, boss), pyotp.TOTP(secret).now())
    assert refused.value.code == "locked"
    assert not is_logged_in(client)


# --- reset and the "required" setting ----------------------------------------------------------

def test_admin_resets_a_lost_second_factor(client, db, make):
    boss = make.supervisor()
    enrolled(db, boss)
    password_step(client, make.admin())
    page = client.get(f"/admin/users/{boss.id}").data.decode()
    assert f'action="/admin/users/{boss.id}/totp-reset"' in page
    assert client.post(f"/admin/users/{boss.id}/totp-reset").status_code == 303
    assert not fresh(db, boss).has_totp and fresh(db, boss).totp_secret is None
    assert "user.totp_reset" in actions(db, boss)
    client.post("/logout")
    response = password_step(client, boss)
    assert response.status_code == 302 and response.headers["Location"] == "/tickets/"


def test_only_admins_reset(client, db, make):
    boss = make.supervisor()
    enrolled(db, boss)
    with pytest.raises(Forbidden):
        management.reset_totp(boss, actor=make.supervisor())
    password_step(client, make.supervisor())
    assert client.post(f"/admin/users/{boss.id}/totp-reset").status_code == 403
    assert fresh(db, boss).has_totp


def test_command_line_reset(app, db, make):
    boss = make.admin()
    enrolled(db, boss)
    result = CliRunner().invoke(main, ["user", "reset-totp", boss.email], obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    assert not fresh(db, boss).has_totp


@pytest.fixture
def required(app_config):
    app_config["REQUIRE_TOTP_FOR_STAFF"] = True


def test_required_sends_staff_to_enrol_first(required, client, db, make):
    boss = make.supervisor()
    password_step(client, boss)
    response = client.get("/tickets/")
    assert response.status_code == 302 and response.headers["Location"] == "/account/security"
    assert client.post("/account/security/start").status_code == 303  # enrolment itself is allowed
    secret = fresh(db, boss).totp_secret
    assert client.post("/tickets/bulk", data={}).status_code == 403
    assert client.post("/account/security/confirm", data={"code": pyotp.TOTP(secret).now()}).status_code == 303
    assert is_logged_in(client)


def test_required_leaves_agents_and_api_tokens_alone(required, client, make):
    agent = make.agent()
    boss = make.supervisor()
    token = make.token(boss)
    assert client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    password_step(client, agent)
    assert is_logged_in(client)
