"""Users: admins manage everyone; supervisors only agents' queues, languages, capacity and
availability; nobody locks themselves out; the last admin stays; every change is audited."""
import re

import pytest
from sqlalchemy import select

from inquiry.audit.models import AuditEvent
from inquiry.auth import management
from inquiry.auth.models import Role, User
from inquiry.auth.services import authenticate
from inquiry.errors import Conflict, Forbidden, Invalid
from inquiry.extensions import db as _db

from tests.factories import PASSWORD


def reload(db, user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def edit_form(user, **overrides):
    """What the admin's edit page sends for ``user`` unchanged, with ``overrides``."""
    data = {"name": user.name, "role": user.role.value, "is_enabled": "yes" if user.is_enabled else "no",
            "queues": [q.slug for q in user.queues], "languages": ", ".join(user.languages),
            "capacity": str(user.capacity)}
    if user.available:
        data["available"] = "y"
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def events(db, action):
    return db.session.scalars(select(AuditEvent).filter_by(action=action).order_by(AuditEvent.id)).all()


# --- services ------------------------------------------------------------------------------

def test_admin_changes_every_field_and_it_is_audited(db, make):
    admin, agent = make.admin(), make.agent("general-public")
    assert management.update_user(agent, actor=admin, name="  Ana  Lima ", role="supervisor", is_enabled=False,
                                  queues=["travellers", "education"], languages=["PT", "en"], capacity=7, available=False)
    db.session.commit()
    stored = reload(db, agent)
    assert (stored.name, stored.role, stored.is_enabled, stored.capacity, stored.available) == (
        "Ana Lima", Role.SUPERVISOR, False, 7, False)
    assert [q.slug for q in stored.queues] == ["education", "travellers"] and stored.languages == ["en", "pt"]
    (event,) = events(db, "user.updated")
    assert event.actor_id == admin.id and event.subject == f"user:{agent.id}"
    assert event.before["role"] == "agent" and event.after["role"] == "supervisor"
    assert set(event.after) == {"name", "role", "is_enabled", "queues", "languages", "capacity", "available"}


def test_no_change_writes_nothing(db, make):
    admin, agent = make.admin(), make.agent("general-public", languages=("en", "fr"))
    assert not management.update_user(agent, actor=admin, queues=["general-public"], languages=["fr", "en"],
                                      capacity=agent.capacity, role="agent")
    assert events(db, "user.updated") == []


def test_supervisor_manages_agents_work_but_not_their_role_or_account(db, make):
    supervisor, agent = make.supervisor(), make.agent("general-public")
    assert management.update_user(agent, actor=supervisor, queues=["travellers"], languages=["ar"], capacity=3,
                                  available=False)
    for change in ({"role": "supervisor"}, {"is_enabled": False}, {"name": "Someone else"}):
        with pytest.raises(Forbidden):
            management.update_user(agent, actor=supervisor, **change)
    # Giving the same value is no change, so the supervisor's form may send it.
    assert not management.update_user(agent, actor=supervisor, role="agent")


def test_supervisor_cannot_touch_admins_or_other_supervisors(db, make):
    supervisor, other, admin = make.supervisor(), make.supervisor(), make.admin()
    for target in (admin, other):
        with pytest.raises(Forbidden):
            management.update_user(target, actor=supervisor, capacity=5)
        assert not management.can_manage(supervisor, target)
    assert management.update_user(supervisor, actor=supervisor, languages=["en", "sv"])  # their own languages


def test_agents_change_nothing(db, make):
    agent, other = make.agent(), make.agent()
    with pytest.raises(Forbidden):
        management.update_user(other, actor=agent, capacity=1)
    with pytest.raises(Forbidden):
        management.update_user(agent, actor=agent, available=False)


def test_an_admin_cannot_disable_or_demote_themselves(db, make):
    admin, _other = make.admin(), make.admin()
    with pytest.raises(Forbidden):
        management.update_user(admin, actor=admin, is_enabled=False)
    with pytest.raises(Forbidden):
        management.update_user(admin, actor=admin, role="supervisor")
    assert management.update_user(admin, actor=admin, capacity=1)


def test_the_last_enabled_admin_stays(db, make):
    first, second = make.admin(), make.admin()
    assert management.update_user(second, actor=first, is_enabled=False)
    db.session.commit()
    with pytest.raises(Conflict):
        management.update_user(first, actor=None, role="agent")  # the command line, say
    with pytest.raises(Conflict):
        management.update_user(first, actor=None, is_enabled=False)
    # A disabled admin does not count; enabling them again makes room.
    assert management.update_user(second, actor=first, is_enabled=True)
    assert management.update_user(first, actor=None, role="supervisor")


@pytest.mark.parametrize("change,field", [
    ({"capacity": -1}, "capacity"), ({"capacity": 501}, "capacity"), ({"capacity": "ten"}, "capacity"),
    ({"role": "owner"}, "role"), ({"name": "   "}, "name"), ({"languages": ["english"]}, "language"),
    ({"queues": ["nowhere"]}, "queue"),
])
def test_bad_values_are_invalid(db, make, change, field):
    admin, agent = make.admin(), make.agent()
    with pytest.raises(Invalid) as exc:
        management.update_user(agent, actor=admin, **change)
    assert field in exc.value.fields


def test_add_user_makes_up_a_password_shown_once(db, make):
    admin = make.admin()
    user, password = management.add_user("New.Agent@Example.org", name="New Agent", role="agent", queues=["travellers"],
                                          languages=["fr"], capacity=5, actor=admin)
    db.session.commit()
    assert len(password) >= 12 and password not in (user.password_hash or "")
    assert authenticate("new.agent@example.org", password).id == user.id
    assert user.capacity == 5 and [q.slug for q in user.queues] == ["travellers"]
    (event,) = [e for e in events(db, "user.created") if e.subject == f"user:{user.id}"]
    assert event.actor_id == admin.id and password not in str(event.after)


def test_only_admins_add_users_and_reset_passwords(db, make):
    supervisor, agent = make.supervisor(), make.agent()
    with pytest.raises(Forbidden):
        management.add_user("x@example.org", name="X", role="agent", actor=supervisor)
    with pytest.raises(Forbidden):
        management.reset_password(agent, actor=supervisor)


def test_reset_password_replaces_it_and_clears_a_lock(db, make):
    admin, agent = make.admin(), make.agent()
    agent.failed_logins = 3
    password = management.reset_password(agent, actor=admin)
    db.session.commit()
    assert authenticate(agent.email, password).id == agent.id
    with pytest.raises(Forbidden):
        authenticate(agent.email, PASSWORD)
    (event,) = events(db, "user.password_changed")
    assert event.actor_id == admin.id and event.subject == f"user:{agent.id}"


# --- pages ---------------------------------------------------------------------------------

def test_agents_get_403_everywhere(client, db, make, login):
    target = make.agent()
    login(make.agent())
    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/users/new").status_code == 403
    assert client.get(f"/admin/users/{target.id}").status_code == 403
    assert client.post(f"/admin/users/{target.id}", data=edit_form(target, capacity="1")).status_code == 403
    assert client.post(f"/admin/users/{target.id}/password").status_code == 403
    assert reload(db, target).capacity == 20


def test_the_list_shows_everyone_with_their_work(client, make, login):
    make.agent("travellers", name="Li Wei", languages=("zh", "en"))
    login(make.supervisor())
    page = client.get("/admin/users").text
    assert "Li Wei" in page and "travellers" in page and "en, zh" in page
    assert "Add a user" not in page  # supervisors do not add users
    assert "Li Wei" in client.get("/admin/users?q=wei").text and "Li Wei" not in client.get("/admin/users?q=nobody").text


def test_supervisor_edits_an_agents_work_through_the_page(client, db, make, login):
    agent = make.agent("general-public")
    login(make.supervisor())
    page = client.get(f"/admin/users/{agent.id}").text
    assert 'name="role"' not in page and 'name="is_enabled"' not in page and "Reset the password" not in page
    response = client.post(f"/admin/users/{agent.id}", data={"queues": ["travellers", "transport"], "languages": "fr, ar",
                                                             "capacity": "4"})
    assert response.status_code == 303
    stored = reload(db, agent)
    assert [q.slug for q in stored.queues] == ["transport", "travellers"] and stored.languages == ["ar", "fr"]
    assert stored.capacity == 4 and stored.available is False  # the box was not ticked


def test_supervisor_cannot_change_a_role_even_by_crafting_the_form(client, db, make, login):
    agent = make.agent()
    login(make.supervisor())
    response = client.post(f"/admin/users/{agent.id}", data=edit_form(agent, role="admin"))
    assert response.status_code == 403
    assert reload(db, agent).role == Role.AGENT
    response = client.post(f"/admin/users/{agent.id}", data=edit_form(agent, is_enabled="no"))
    assert response.status_code == 403 and reload(db, agent).is_enabled


def test_supervisor_cannot_open_an_admins_page(client, db, make, login):
    admin = make.admin()
    login(make.supervisor())
    assert client.get(f"/admin/users/{admin.id}").status_code == 403
    assert client.post(f"/admin/users/{admin.id}", data=edit_form(admin, capacity="1")).status_code == 403
    assert reload(db, admin).capacity == 20


def test_admin_changes_a_role_through_the_page(client, db, make, login):
    agent = make.agent()
    login(make.admin())
    assert 'name="role"' in client.get(f"/admin/users/{agent.id}").text
    response = client.post(f"/admin/users/{agent.id}", data=edit_form(agent, role="supervisor", is_enabled="no"))
    assert response.status_code == 303
    stored = reload(db, agent)
    assert stored.role == Role.SUPERVISOR and not stored.is_enabled


def test_admin_cannot_demote_themselves_through_the_page(client, db, make, login):
    admin = login(make.admin())
    make.admin()
    response = client.post(f"/admin/users/{admin.id}", data=edit_form(admin, role="agent"))
    assert response.status_code == 403 and "cannot" in response.text
    assert reload(db, admin).role == Role.ADMIN


@pytest.mark.parametrize("overrides,text", [
    ({"capacity": "lots"}, "Not a valid integer value"),
    ({"capacity": "-3"}, "Between 0 and 500"),
    ({"languages": "en, english"}, "ISO 639-1"),
    ({"queues": ["nowhere"]}, "unknown queue"),
    ({"role": "root"}, "agent, supervisor or admin"),
    ({"is_enabled": "maybe"}, "Choose one"),
    ({"name": ""}, "1 to 200 characters"),
])
def test_bad_input_is_a_422_form(client, db, make, login, overrides, text):
    agent = make.agent()
    login(make.admin())
    response = client.post(f"/admin/users/{agent.id}", data=edit_form(agent, **overrides))
    assert response.status_code == 422, response.text
    assert text in response.text and 'role="alert"' in response.text
    assert events(db, "user.updated") == []


def test_admin_adds_a_user_and_sees_the_made_up_password_once(client, db, make, login):
    login(make.admin())
    response = client.post("/admin/users/new", data={"name": "Kenji Sato", "email": "kenji@example.org", "role": "agent",
                                                     "queues": ["travellers"], "languages": "ja, en", "capacity": ""})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    password = re.search(r'<code class="secret" id="password">([^<]+)</code>', response.text).group(1)
    user = _db.session.scalars(select(User).filter_by(email="kenji@example.org")).one()
    assert authenticate(user.email, password).id == user.id
    assert user.languages == ["en", "ja"] and user.capacity == 20
    assert password not in client.get(f"/admin/users/{user.id}").text


def test_admin_adds_a_user_with_a_chosen_password(client, db, make, login):
    login(make.admin())
    response = client.post("/admin/users/new", data={"name": "A", "email": "a@example.org", "role": "supervisor",
                                                     "password": "a long enough password"})
    assert response.status_code == 303
    assert authenticate("a@example.org", "a long enough password").role == Role.SUPERVISOR


@pytest.mark.parametrize("data,status,text", [
    ({"email": "not-an-email", "role": "agent"}, 422, "E-mail"),
    ({"email": "b@example.org", "role": "agent", "password": "short"}, 422, "at least 12 characters"),
    ({"email": "b@example.org", "role": "wizard"}, 422, "agent, supervisor or admin"),
    ({"email": "b@example.org", "role": "agent", "capacity": "x"}, 422, "Not a valid integer value"),
])
def test_refused_new_users_show_the_form_again(client, db, make, login, data, status, text):
    login(make.admin())
    response = client.post("/admin/users/new", data={"name": "B", **data})
    assert response.status_code == status and text in response.text
    assert _db.session.scalars(select(User).filter_by(name="B")).first() is None


def test_an_email_already_used_is_409(client, db, make, login):
    existing = make.agent()
    login(make.admin())
    response = client.post("/admin/users/new", data={"name": "B", "email": existing.email, "role": "agent"})
    assert response.status_code == 409 and "already exists" in response.text


def test_supervisors_cannot_add_users(client, db, make, login):
    login(make.supervisor())
    assert client.get("/admin/users/new").status_code == 403
    assert client.post("/admin/users/new", data={"name": "B", "email": "b@example.org", "role": "admin"}).status_code == 403
    assert _db.session.scalars(select(User).filter_by(email="b@example.org")).first() is None


def test_admin_resets_a_password_shown_once(client, db, make, login):
    agent = make.agent()
    login(make.admin())
    response = client.post(f"/admin/users/{agent.id}/password")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    password = re.search(r'id="password">([^<]+)<', response.text).group(1)
    assert authenticate(agent.email, password).id == agent.id


def test_supervisor_cannot_reset_a_password(client, db, make, login):
    agent = make.agent()
    login(make.supervisor())
    assert client.post(f"/admin/users/{agent.id}/password").status_code == 403
    assert authenticate(agent.email, PASSWORD).id == agent.id


def test_unknown_user_is_404(client, make, login):
    login(make.admin())
    assert client.get("/admin/users/999999").status_code == 404
    assert client.post("/admin/users/999999/password").status_code == 404


TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


class TestCsrf:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "WTF_CSRF_ENABLED": True}

    def test_forms_without_the_token_are_refused(self, client, db, make):
        admin, agent = make.admin(), make.agent()
        token = TOKEN.search(client.get("/login").text).group(1)
        client.post("/login", data={"email": admin.email, "password": PASSWORD, "csrf_token": token})
        assert client.post(f"/admin/users/{agent.id}", data=edit_form(agent, capacity="2")).status_code == 400
        assert client.post(f"/admin/users/{agent.id}/password").status_code == 400
        assert client.post("/admin/users/new", data={"name": "B", "email": "b@example.org", "role": "agent"}).status_code == 400
        assert reload(db, agent).capacity == 20
        token = TOKEN.search(client.get(f"/admin/users/{agent.id}").text).group(1)
        response = client.post(f"/admin/users/{agent.id}", data=edit_form(agent, capacity="2", csrf_token=token))
        assert response.status_code == 303 and reload(db, agent).capacity == 2
