"""Restricted queues: their tickets are seen by the queue's named members only — supervisors and
administrators who are not members get the same 404s, empty lists and counts as any outsider —
and every opening of such a ticket is audited."""
import re

import pytest
from sqlalchemy import select

from inquiry.audit.models import AuditEvent
from inquiry import taxonomy
from inquiry.auth import access, management
from inquiry.errors import Forbidden, Invalid
from inquiry.extensions import db as _db
from inquiry.notifications.models import Notification
from inquiry.notifications.services import notify, recent, supervisors_of
from inquiry.search.services import search_tickets
from inquiry.tickets import inbox, queries, services
from inquiry.tickets.models import Queue

from tests.factories import PASSWORD

SECRET_QUEUE = "corporate"  # restricted for these tests (the seeded queues are kept between tests)
REFERENCE_ROW = re.compile(r'data-reference="(INQ-[0-9A-Z-]+)"')


def queue(slug: str) -> Queue:
    return _db.session.scalars(select(Queue).filter_by(slug=slug)).one()


@pytest.fixture(autouse=True)
def restricted(app, db):
    """``corporate`` restricted for the test; every queue as the migration left it afterwards."""
    management.set_restricted(queue(SECRET_QUEUE), True, actor=None)
    db.session.commit()
    yield queue(SECRET_QUEUE)
    db.session.rollback()
    for row in db.session.scalars(select(Queue)):
        row.is_restricted = row.slug == taxonomy.WHISTLEBLOWING_QUEUE
    db.session.commit()


@pytest.fixture
def people(make):
    """A member agent, a member supervisor, and outsiders: an agent of another queue, a
    supervisor and an administrator who are not members."""
    return {
        "member": make.agent(SECRET_QUEUE),
        "member_supervisor": make.supervisor(queues=(SECRET_QUEUE,)),
        "agent": make.agent("general-public"),
        "supervisor": make.supervisor(),
        "admin": make.admin(),
    }


@pytest.fixture
def secret(make):
    return make.ticket(SECRET_QUEUE, text="The finance director launders money for a cartel")


@pytest.fixture
def ordinary(make):
    return make.ticket("general-public", text="When is the next webinar about money laundering?")


def logged_in(app, user):
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.data
    return client


def views(db, ticket) -> list[tuple[int, dict]]:
    db.session.expire_all()
    return [(e.actor_id, e.after) for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "ticket.viewed", AuditEvent.ticket_id == ticket.id)
        .order_by(AuditEvent.id))]


OUTSIDERS = ("agent", "supervisor", "admin")
MEMBERS = ("member", "member_supervisor")


# --- the rule itself ---------------------------------------------------------------------------

@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_cannot_see_a_restricted_ticket(people, secret, ordinary, who):
    user = people[who]
    assert not access.can_see_ticket(user, secret)
    assert queries.list_tickets(user).items == [ordinary]
    assert queue(SECRET_QUEUE).id not in {q.id for q in queries.visible_queues(user)}
    assert SECRET_QUEUE not in {q.slug for q, _ in queries.queue_counts(user)}
    assert inbox.view_counts(user)["all"] == 1
    assert [h.ticket for h in search_tickets(user, "money")] == [ordinary]
    assert search_tickets(user, secret.reference) == []


@pytest.mark.parametrize("who", MEMBERS)
def test_members_see_it_in_lists_counts_and_search(people, secret, who):
    user = people[who]
    assert access.can_see_ticket(user, secret)
    assert secret in queries.list_tickets(user).items
    assert dict((q.slug, n) for q, n in queries.queue_counts(user))[SECRET_QUEUE] == 1
    assert inbox.view_counts(user)["all"] >= 1
    assert secret in [h.ticket for h in search_tickets(user, "cartel")]


def test_a_supervisor_member_still_sees_every_other_queue(people, secret, ordinary):
    user = people["member_supervisor"]
    assert {t.id for t in queries.list_tickets(user).items} == {secret.id, ordinary.id}


def test_opening_the_queue_up_again_shows_it_to_supervisors(people, secret):
    management.set_restricted(queue(SECRET_QUEUE), False, actor=people["admin"])
    _db.session.commit()
    assert access.can_see_ticket(people["supervisor"], secret)
    assert queue(SECRET_QUEUE).id in access.visible_queue_ids(people["supervisor"])
    assert not access.can_see_ticket(people["agent"], secret)  # agents: still their own queues only


def test_only_members_can_be_given_its_tickets(people, secret):
    assert {u.id for u in queries.assignable_users(secret)} == {people["member"].id, people["member_supervisor"].id}
    with pytest.raises(Invalid):
        services.assign(secret, people["supervisor"], actor=people["member_supervisor"])


def test_notifications_about_it_reach_members_only(people, secret):
    assert [u.id for u in supervisors_of(secret.queue_id)] == [people["member_supervisor"].id]
    sent = notify([people["supervisor"], people["admin"], people["member"]], "ticket.escalated", "escalated",
                  ticket=secret)
    _db.session.commit()
    assert sent == 1
    assert [n.user_id for n in _db.session.scalars(select(Notification))] == [people["member"].id]


def test_notifications_sent_before_the_queue_was_restricted_are_hidden(people, secret):
    management.set_restricted(queue(SECRET_QUEUE), False, actor=None)
    notify([people["supervisor"]], "sla.breached", f"{secret.reference}: target missed", ticket=secret)
    notify([people["supervisor"]], "other", "not about a ticket")
    _db.session.commit()
    assert len(recent(people["supervisor"])) == 2
    management.set_restricted(queue(SECRET_QUEUE), True, actor=None)
    _db.session.commit()
    assert [n.text for n in recent(people["supervisor"])] == ["not about a ticket"]


# --- pages and API -----------------------------------------------------------------------------

@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_get_404_and_an_inbox_without_it(app, people, secret, ordinary, who):
    client = logged_in(app, people[who])
    assert client.get(f"/tickets/{secret.reference}").status_code == 404
    page = client.get("/tickets/?view=all")
    assert secret.reference not in REFERENCE_ROW.findall(page.data.decode())
    for q in (secret.reference, "cartel"):
        found = client.get(f"/search?q={q}")
        assert found.status_code == 200 and REFERENCE_ROW.findall(found.data.decode()) == []
    assert REFERENCE_ROW.findall(client.get(f"/tickets/?queue={SECRET_QUEUE}").data.decode()) == []


@pytest.mark.parametrize("who", MEMBERS)
def test_members_open_it_and_each_opening_is_audited(app, db, people, secret, who):
    user = people[who]
    client = logged_in(app, user)
    assert secret.reference in REFERENCE_ROW.findall(client.get("/tickets/?view=all").data.decode())
    assert views(db, secret) == []  # a list is not an opening
    assert client.get(f"/tickets/{secret.reference}").status_code == 200
    assert client.get(f"/tickets/{secret.reference}").status_code == 200
    assert views(db, secret) == [(user.id, {"via": "web"}), (user.id, {"via": "web"})]


def test_ordinary_tickets_are_not_audited_when_opened(app, db, people, ordinary):
    client = logged_in(app, people["supervisor"])
    assert client.get(f"/tickets/{ordinary.reference}").status_code == 200
    assert views(db, ordinary) == []


@pytest.mark.parametrize("who", OUTSIDERS)
def test_api_outsiders_get_404_and_lists_without_it(client, make, people, secret, ordinary, who):
    headers = {"Authorization": f"Bearer {make.token(people[who])}"}
    assert client.get(f"/api/v1/tickets/{secret.id}", headers=headers).status_code == 404
    listed = client.get("/api/v1/tickets", headers=headers).json["items"]
    assert secret.id not in [t["id"] for t in listed]
    assert client.get(f"/api/v1/tickets?queue={SECRET_QUEUE}", headers=headers).json["items"] == []
    assert SECRET_QUEUE not in [q["slug"] for q in client.get("/api/v1/queues", headers=headers).json["items"]]
    found = client.get("/api/v1/search?q=cartel", headers=headers).json["items"]
    assert found == []
    assert client.patch(f"/api/v1/tickets/{secret.id}", json={"status": "open"}, headers=headers).status_code == 404


def test_api_member_reads_it_and_the_read_is_audited(client, db, make, people, secret):
    user = people["member"]
    headers = {"Authorization": f"Bearer {make.token(user)}"}
    response = client.get(f"/api/v1/tickets/{secret.id}", headers=headers)
    assert response.status_code == 200 and response.json["reference"] == secret.reference
    assert views(db, secret) == [(user.id, {"via": "api"})]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "ticket.viewed")).one()
    assert event.created_at is not None and event.actor_kind == "user"


# --- marking a queue restricted ----------------------------------------------------------------

def test_only_administrators_restrict_and_it_is_audited(db, people):
    travellers = queue("travellers")
    with pytest.raises(Forbidden):
        management.set_restricted(travellers, True, actor=people["supervisor"])
    assert management.set_restricted(travellers, True, actor=people["admin"])
    assert not management.set_restricted(travellers, True, actor=people["admin"])
    db.session.commit()
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.subject == "queue:travellers"))
    assert (event.action, event.actor_id, event.before, event.after) == (
        "queue.updated", people["admin"].id, {"is_restricted": False}, {"is_restricted": True})


def test_queue_page_restricts_for_admins_only(app, db, people):
    admin = logged_in(app, people["admin"])
    page = admin.get("/admin/queues").data.decode()
    assert 'action="/admin/queues/travellers/restricted"' in page
    response = admin.post("/admin/queues/travellers/restricted", data={"is_restricted": "on"})
    assert response.status_code == 303
    db.session.expire_all()
    assert queue("travellers").is_restricted
    assert admin.post("/admin/queues/travellers/restricted", data={"is_restricted": "maybe"}).status_code == 422


def test_supervisors_see_the_state_but_cannot_change_it(app, db, people):
    management.set_restricted(queue("travellers"), True, actor=None)
    db.session.commit()
    supervisor = logged_in(app, people["supervisor"])
    assert 'action="/admin/queues/travellers/restricted"' not in supervisor.get("/admin/queues").data.decode()
    assert supervisor.post("/admin/queues/travellers/restricted", data={"is_restricted": "off"}).status_code == 403
    db.session.expire_all()
    assert queue("travellers").is_restricted
