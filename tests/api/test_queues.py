"""GET /queues: the caller's queues with their open-ticket counts."""
from inquiry import taxonomy
from inquiry.tickets import services


def test_agent_sees_their_queues_with_open_counts(api, make, db):
    agent = make.agent("education", "government")
    supervisor = make.supervisor()
    make.ticket("education")
    make.ticket("education")
    solved = make.ticket("education")
    make.ticket("travellers")
    services.change_status(solved, "solved", actor=supervisor)
    db.session.commit()
    resp = api(make.token(agent, scopes=["tickets:read"])).get("/queues")
    assert resp.status_code == 200
    assert resp.json == {"items": [
        {"slug": "education", "name": "Education", "open_count": 2},
        {"slug": "government", "name": "Government representatives", "open_count": 0},
    ]}


def test_supervisor_sees_every_queue(api, make):
    make.ticket("travellers")
    items = api(make.token(make.supervisor())).get("/queues").json["items"]
    assert [q["slug"] for q in items] == sorted([*taxonomy.AUDIENCES, taxonomy.TRIAGE_QUEUE])
    assert {q["slug"]: q["open_count"] for q in items}["travellers"] == 1


def test_agent_in_no_queue_sees_none(api, make, db):
    agent = make.agent("education")
    agent.queues = []
    db.session.commit()
    assert api(make.token(agent)).get("/queues").json == {"items": []}
