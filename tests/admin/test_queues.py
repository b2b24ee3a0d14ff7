"""Queues: supervisors and admins see member counts, switch automatic assignment, choose the agents."""
import re

import pytest
from sqlalchemy import select

from inquiry.audit.models import AuditEvent
from inquiry.auth import management
from inquiry.errors import Forbidden, Invalid
from inquiry.tickets.models import Queue

from tests.factories import PASSWORD


def queue(db, slug) -> Queue:
    db.session.expire_all()
    return db.session.scalars(select(Queue).filter_by(slug=slug)).one()


def agent_slugs(db, slug) -> list[str]:
    return sorted(user.email for user in queue(db, slug).members if user.role.value == "agent")


@pytest.fixture(autouse=True)
def _auto_assign_off(app, db):
    """Queues are kept between tests (the migration made them): leave auto-assignment as found."""
    yield
    db.session.rollback()
    for row in db.session.scalars(select(Queue)):
        row.auto_assign = False
    db.session.commit()


# --- services ------------------------------------------------------------------------------

def test_auto_assign_is_switched_and_audited_once(db, make):
    supervisor = make.supervisor()
    travellers = queue(db, "travellers")
    assert management.set_auto_assign(travellers, True, actor=supervisor)
    assert not management.set_auto_assign(travellers, True, actor=supervisor)
    db.session.commit()
    assert queue(db, "travellers").auto_assign
    (event,) = db.session.scalars(select(AuditEvent).filter_by(action="queue.updated")).all()
    assert event.subject == "queue:travellers" and event.after == {"auto_assign": True}


def test_agents_cannot_manage_queues(db, make):
    agent = make.agent("travellers")
    with pytest.raises(Forbidden):
        management.set_auto_assign(queue(db, "travellers"), True, actor=agent)
    with pytest.raises(Forbidden):
        management.set_queue_agents(queue(db, "travellers"), [], actor=agent)


def test_queue_agents_are_replaced_other_members_kept(db, make):
    admin = make.admin()
    stays, leaves, joins = make.agent("travellers"), make.agent("travellers"), make.agent("general-public")
    supervisor_member = make.supervisor()
    travellers = queue(db, "travellers")
    travellers.members.append(supervisor_member)
    db.session.commit()
    assert management.set_queue_agents(travellers, [str(stays.id), joins.id], actor=admin)
    db.session.commit()
    assert agent_slugs(db, "travellers") == sorted([stays.email, joins.email])
    assert supervisor_member in queue(db, "travellers").members
    assert [q.slug for q in joins.queues] == ["general-public", "travellers"]  # other queues untouched
    event = db.session.scalars(select(AuditEvent).filter_by(action="queue.members_changed")).one()
    assert leaves.email in event.before["agents"] and leaves.email not in event.after["agents"]


@pytest.mark.parametrize("bad", [["abc"], ["999999"], None])
def test_only_existing_agents_can_be_members(db, make, bad):
    admin = make.admin()
    ids = bad if bad is not None else [make.supervisor().id]
    with pytest.raises(Invalid):
        management.set_queue_agents(queue(db, "travellers"), ids, actor=admin)


# --- pages ---------------------------------------------------------------------------------

@pytest.mark.parametrize("method,path", [
    ("GET", "/admin/queues"), ("POST", "/admin/queues/travellers/auto-assign"),
    ("GET", "/admin/queues/travellers/members"), ("POST", "/admin/queues/travellers/members"),
])
def test_agents_get_403(client, db, make, login, method, path):
    login(make.agent("travellers"))
    response = client.get(path) if method == "GET" else client.post(path, data={"auto_assign": "on", "members": []})
    assert response.status_code == 403
    assert not queue(db, "travellers").auto_assign and len(queue(db, "travellers").members) == 1


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_the_list_shows_member_counts_and_switches_auto_assign(client, db, make, login, role):
    make.agent("travellers")
    make.agent("travellers")
    login(make.user(role))
    page = client.get("/admin/queues").text
    row = re.search(r'<tr data-queue="travellers">(.*?)</tr>', page, re.S).group(1)
    assert '<td class="member-count">2</td>' in row and "Turn on" in row
    response = client.post("/admin/queues/travellers/auto-assign", data={"auto_assign": "on"})
    assert response.status_code == 303 and queue(db, "travellers").auto_assign
    assert "Turn off" in re.search(r'<tr data-queue="travellers">(.*?)</tr>', client.get("/admin/queues").text, re.S).group(1)
    assert client.post("/admin/queues/travellers/auto-assign", data={"auto_assign": "off"}).status_code == 303
    assert not queue(db, "travellers").auto_assign


def test_a_bad_auto_assign_value_is_422(client, db, make, login):
    login(make.supervisor())
    assert client.post("/admin/queues/travellers/auto-assign", data={"auto_assign": "sometimes"}).status_code == 422
    assert not queue(db, "travellers").auto_assign


def test_supervisor_edits_members_through_the_page(client, db, make, login):
    kept, dropped, added = make.agent("travellers"), make.agent("travellers"), make.agent("education")
    login(make.supervisor())
    page = client.get("/admin/queues/travellers/members").text
    assert f'value="{kept.id}"' in page and f'value="{added.id}"' in page
    response = client.post("/admin/queues/travellers/members", data={"members": [str(kept.id), str(added.id)]})
    assert response.status_code == 303
    assert agent_slugs(db, "travellers") == sorted([kept.email, added.email])
    assert dropped.email not in agent_slugs(db, "travellers")


def test_bad_members_are_a_422_form(client, db, make, login):
    member = make.agent("travellers")
    admin = login(make.admin())
    for members in (["not-a-number"], [str(admin.id)], ["123456789"]):
        response = client.post("/admin/queues/travellers/members", data={"members": members})
        assert response.status_code == 422 and 'role="alert"' in response.text
    assert agent_slugs(db, "travellers") == [member.email]


def test_unknown_queue_is_404(client, make, login):
    login(make.supervisor())
    assert client.get("/admin/queues/nowhere/members").status_code == 404
    assert client.post("/admin/queues/nowhere/auto-assign", data={"auto_assign": "on"}).status_code == 404


def test_channel_pages_stay_admin_only_for_supervisors(client, make, login):
    login(make.supervisor())
    assert client.get("/admin/queues").status_code == 200
    assert client.get("/admin/users").status_code == 200
    assert client.get("/admin/channels").status_code == 403
    assert client.get("/admin/").status_code == 403


TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


class TestCsrf:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "WTF_CSRF_ENABLED": True}

    def test_forms_without_the_token_are_refused(self, client, db, make):
        supervisor, agent = make.supervisor(), make.agent("education")
        token = TOKEN.search(client.get("/login").text).group(1)
        client.post("/login", data={"email": supervisor.email, "password": PASSWORD, "csrf_token": token})
        assert client.post("/admin/queues/travellers/auto-assign", data={"auto_assign": "on"}).status_code == 400
        assert client.post("/admin/queues/travellers/members", data={"members": [str(agent.id)]}).status_code == 400
        assert not queue(db, "travellers").auto_assign and agent_slugs(db, "travellers") == []
        token = TOKEN.search(client.get("/admin/queues").text).group(1)
        assert client.post("/admin/queues/travellers/auto-assign",
                           data={"auto_assign": "on", "csrf_token": token}).status_code == 303
        assert queue(db, "travellers").auto_assign
