"""Only administrators reach the channel pages: anonymous → log-in, agents and supervisors → 403."""
import pytest

from inquiry.audit.models import AuditEvent
from inquiry.channels.models import ChannelAccount
from inquiry.channels.services import create_account

from tests.admin.conftest import count, form

# (method, path, data); {id} is an existing account.
ROUTES = [
    ("GET", "/admin/", None),
    ("GET", "/admin/channels", None),
    ("GET", "/admin/channels/new", None),
    ("POST", "/admin/channels/new", form(name="Intruder account", external_account_id="intruder")),
    ("GET", "/admin/channels/{id}", None),
    ("POST", "/admin/channels/{id}", {"name": "Renamed by intruder"}),
    ("POST", "/admin/channels/{id}/disable", {}),
    ("POST", "/admin/channels/{id}/enable", {}),
    ("POST", "/admin/channels/{id}/rotate-key", {"confirm": "y"}),
]


@pytest.fixture
def account(db):
    account = create_account("telegram", "Existing bot", signing_secret="s3cret-value")
    db.session.commit()
    return account


def _call(client, method, path, data, account):
    url = path.format(id=account.id)
    return client.get(url) if method == "GET" else client.post(url, data=data)


def _unchanged(db, account, key):
    db.session.expire_all()
    stored = db.session.get(ChannelAccount, account.id)
    assert stored.name == "Existing bot" and stored.key == key and stored.is_enabled
    assert count(db, ChannelAccount) == 1
    assert count(db, AuditEvent, AuditEvent.action.like("channel.%"), AuditEvent.actor_id.is_not(None)) == 0


@pytest.mark.parametrize("method,path,data", ROUTES)
def test_anonymous_is_sent_to_log_in_and_changes_nothing(client, db, account, method, path, data):
    key = account.key
    response = _call(client, method, path, data, account)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    _unchanged(db, account, key)


@pytest.mark.parametrize("role", ["agent", "supervisor"])
@pytest.mark.parametrize("method,path,data", ROUTES)
def test_agents_and_supervisors_get_403_and_change_nothing(client, db, make, login, account, role, method, path, data):
    key = account.key
    login(make.user(role))
    response = _call(client, method, path, data, account)
    assert response.status_code == 403
    _unchanged(db, account, key)


@pytest.mark.parametrize("path", ["/admin/channels", "/admin/channels/new", "/admin/channels/{id}"])
def test_admin_gets_every_page(client, admin, account, path):
    response = client.get(path.format(id=account.id))
    assert response.status_code == 200
    assert "Existing bot" in response.text or path.endswith("/new")


def test_admin_index_leads_to_the_channel_list(client, admin):
    response = client.get("/admin/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/channels")


def test_admin_post_routes_work_for_admins(client, db, admin, account):
    old_key = account.key
    assert client.post(f"/admin/channels/{account.id}", data={"name": "Renamed"}).status_code == 303
    assert client.post(f"/admin/channels/{account.id}/disable").status_code == 303
    assert client.post(f"/admin/channels/{account.id}/enable").status_code == 303
    assert client.post(f"/admin/channels/{account.id}/rotate-key", data={"confirm": "y"}).status_code == 303
    assert client.post("/admin/channels/new", data=form()).status_code == 303
    db.session.expire_all()
    stored = db.session.get(ChannelAccount, account.id)
    assert stored.name == "Renamed" and stored.is_enabled and stored.key != old_key
    assert count(db, ChannelAccount) == 2


def test_unknown_account_is_404(client, admin):
    assert client.get("/admin/channels/999999").status_code == 404
    assert client.post("/admin/channels/999999/disable").status_code == 404


def test_channels_link_in_the_menu_for_admins_only(client, make, login):
    login(make.supervisor())
    assert 'href="/admin/channels"' not in client.get("/tickets/").text
    client.post("/logout")
    login(make.admin())
    assert 'href="/admin/channels"' in client.get("/tickets/").text
