"""The canned reply pages: supervisors and admins manage, agents get 403, bad input is a 4xx form."""
import re

import pytest
from sqlalchemy import func, select

from inquiry.audit.models import AuditEvent
from inquiry.canned.models import CannedReply

from tests.factories import PASSWORD


def form(**overrides):
    data = {
        "title": "Scam report received",
        "shortcut": "scam-received",
        "queue": "",
        "topic": "",
        "variants-0-language": "en",
        "variants-0-body": "Thank you {contact_name}, your report {reference} was received.",
        "variants-1-language": "fr",
        "variants-1-body": "Merci {contact_name}, votre signalement {reference} a bien été reçu.",
        "variants-2-language": "",
        "variants-2-body": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def count(db):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(CannedReply))


ROUTES = [
    ("GET", "/canned/"),
    ("GET", "/canned/new"),
    ("POST", "/canned/new"),
    ("GET", "/canned/{id}"),
    ("POST", "/canned/{id}"),
    ("POST", "/canned/{id}/disable"),
    ("POST", "/canned/{id}/enable"),
]


@pytest.mark.parametrize("method,path", ROUTES)
def test_agents_get_403_and_change_nothing(client, db, make, login, reply, method, path):
    existing = reply("existing")
    login(make.agent())
    url = path.format(id=existing.id)
    response = client.get(url) if method == "GET" else client.post(url, data=form(title="Renamed", shortcut="existing"))
    assert response.status_code == 403
    db.session.expire_all()
    stored = db.session.get(CannedReply, existing.id)
    assert stored.title == "Existing" and stored.is_enabled and count(db) == 1


@pytest.mark.parametrize("method,path", ROUTES)
def test_anonymous_is_sent_to_log_in(client, db, reply, method, path):
    url = path.format(id=reply("existing").id)
    response = client.get(url) if method == "GET" else client.post(url, data=form())
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_supervisors_and_admins_create_edit_disable_and_enable(client, db, make, login, role):
    user = login(make.user(role))
    response = client.post("/canned/new", data=form())
    assert response.status_code == 303
    made = db.session.scalars(select(CannedReply)).one()
    assert response.headers["Location"].endswith(f"/canned/{made.id}")
    assert {v.language for v in made.variants} == {"en", "fr"} and made.created_by_id == user.id

    page = client.get(f"/canned/{made.id}").text
    assert "Merci {contact_name}" in page and 'name="variants-2-language"' in page  # a blank row to add one

    # Edit: change English, remove French (ticked), add Spanish in the blank row.
    response = client.post(f"/canned/{made.id}", data=form(
        **{"variants-0-body": "Thanks, {contact_name}.", "variants-1-remove": "y",
           "variants-2-language": "es", "variants-2-body": "Gracias, {contact_name}."}, queue="travellers"))
    assert response.status_code == 303
    db.session.expire_all()
    made = db.session.get(CannedReply, made.id)
    assert {v.language: v.body for v in made.variants} == {"en": "Thanks, {contact_name}.", "es": "Gracias, {contact_name}."}
    assert made.queue.slug == "travellers"

    assert client.post(f"/canned/{made.id}/disable").status_code == 303
    db.session.expire_all()
    assert not db.session.get(CannedReply, made.id).is_enabled
    assert client.post(f"/canned/{made.id}/enable", data={"back": "list"}).headers["Location"].endswith("/canned/")
    db.session.expire_all()
    assert db.session.get(CannedReply, made.id).is_enabled
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("canned.%"))))
    assert actions == {"canned.created", "canned.updated", "canned.disabled", "canned.enabled"}


def test_list_shows_and_searches(client, db, make, login, reply):
    reply("lost-passport", title="Lost passport")
    reply("careers", title="Careers and recruitment")
    login(make.supervisor())
    page = client.get("/canned/").text
    assert "Lost passport" in page and "Careers and recruitment" in page
    page = client.get("/canned/?q=career").text
    assert "Careers and recruitment" in page and "Lost passport" not in page


def test_add_a_language_shows_one_more_row_and_saves_nothing(client, db, make, login):
    login(make.supervisor())
    response = client.post("/canned/new", data=form(**{"variants-2-language": "de", "variants-2-body": "Danke"},
                                                    add_language="1"))
    assert response.status_code == 200
    assert 'name="variants-3-language"' in response.text and "Danke" in response.text
    assert count(db) == 0


@pytest.mark.parametrize("overrides,field_text", [
    ({"shortcut": "Not A Slug"}, "Lower-case letters"),
    ({"title": ""}, "Give the reply a title"),
    ({"variants-0-body": "Dear {name}"}, "Unknown placeholder {name}"),
    ({"variants-0-body": "   "}, "Write the reply, or remove this language"),
    ({"variants-0-language": "xx"}, "not an ISO 639-1 language code"),
    ({"variants-1-language": "en"}, "already a variant"),
    ({"queue": "nowhere"}, "Not a queue"),
    ({"topic": "nothing"}, "Not a topic"),
    ({"variants-0-language": "", "variants-0-body": "", "variants-1-language": "", "variants-1-body": ""},
     "at least one language"),
])
def test_bad_input_shows_the_form_again_with_422(client, db, make, login, overrides, field_text):
    login(make.supervisor())
    response = client.post("/canned/new", data=form(**overrides))
    assert response.status_code == 422
    assert field_text in response.text and 'role="alert"' in response.text
    assert count(db) == 0


def test_a_shortcut_already_taken_is_409_with_a_message(client, db, make, login, reply):
    reply("scam-received")
    login(make.supervisor())
    response = client.post("/canned/new", data=form())
    assert response.status_code == 409 and "Already used by another canned reply" in response.text
    assert count(db) == 1


def test_a_refused_edit_keeps_what_was_typed(client, db, make, login, reply):
    made = reply("hello", en="Hello")
    login(make.admin())
    response = client.post(f"/canned/{made.id}", data=form(shortcut="hello", **{"variants-0-body": "Hi {nope}"}))
    assert response.status_code == 422 and "Hi {nope}" in response.text
    db.session.expire_all()
    assert [v.body for v in db.session.get(CannedReply, made.id).variants] == ["Hello"]


def test_garbage_in_the_form_is_a_4xx_not_a_500(client, db, make, login):
    login(make.supervisor())
    response = client.post("/canned/new", data={"variants-99999999-language": "en", "variants-x-body": "y",
                                                "title": "x" * 5000, "shortcut": "\x00"})
    assert 400 <= response.status_code < 500
    assert client.get("/canned/999999").status_code == 404
    assert client.post("/canned/999999/disable").status_code == 404


def test_nav_links_for_supervisors_and_admins_only(client, make, login):
    login(make.agent())
    page = client.get("/tickets/").text
    assert 'href="/canned/"' not in page and 'href="/admin/users"' not in page and 'href="/admin/queues"' not in page
    client.post("/logout")
    login(make.supervisor())
    page = client.get("/tickets/").text
    assert 'href="/canned/"' in page and 'href="/admin/users"' in page and 'href="/admin/queues"' in page


TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


class TestCsrf:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "WTF_CSRF_ENABLED": True}

    @pytest.fixture
    def supervisor_client(self, client, make):
        user = make.supervisor()
        token = TOKEN.search(client.get("/login").text).group(1)
        assert client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}).status_code == 302
        return client

    def test_forms_without_the_token_are_refused(self, supervisor_client, db, reply):
        made = reply("hello")
        assert supervisor_client.post("/canned/new", data=form()).status_code == 400
        assert supervisor_client.post(f"/canned/{made.id}", data=form(shortcut="hello")).status_code == 400
        assert supervisor_client.post(f"/canned/{made.id}/disable").status_code == 400
        db.session.expire_all()
        assert count(db) == 1 and db.session.get(CannedReply, made.id).is_enabled

    def test_forms_with_the_token_work(self, supervisor_client, db):
        token = TOKEN.search(supervisor_client.get("/canned/new").text).group(1)
        assert supervisor_client.post("/canned/new", data=form(csrf_token=token)).status_code == 303
        assert count(db) == 1
