"""/metrics: Prometheus text format 0.0.4, figures counted from the database at scrape time, and
who may read it (the token, or a supervisor's session)."""
import datetime as dt
import re

import pytest

from inquiry.dbtypes import utcnow
from inquiry.extensions import db
from inquiry.tickets import presence
from inquiry.tickets import services as tickets

from tests.factories import confident

TOKEN = "scrape-me-0123456789"
SAMPLE = re.compile(r'^([a-z_]+)\{queue="([a-z-]+)"\} (-?[0-9.e+]+)$')


@pytest.fixture
def token(app):
    app.config["METRICS_TOKEN"] = TOKEN
    return TOKEN


def scrape(client, token=TOKEN):
    response = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.data
    return response


def parse(text: str) -> dict:
    """{(name, queue): value}, checking every line is a HELP, a TYPE or a sample of a declared family."""
    declared, samples = {}, {}
    for line in text.splitlines():
        if line.startswith("# HELP "):
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            assert kind in ("gauge", "counter") and name not in declared
            declared[name] = kind
            continue
        match = SAMPLE.match(line)
        assert match, line
        name, queue, value = match.groups()
        assert name in declared, f"{name} sampled before its TYPE line"
        assert declared[name] != "counter" or name.endswith("_total")
        samples[(name, queue)] = float(value)
    return samples


class TestAccess:
    def test_no_credentials_is_401_with_a_challenge(self, client, token):
        response = client.get("/metrics")
        assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")

    @pytest.mark.parametrize("header", ["Bearer wrong", "Basic " + TOKEN, "Bearer", TOKEN])
    def test_a_wrong_token_is_401(self, client, token, header):
        assert client.get("/metrics", headers={"Authorization": header}).status_code == 401

    def test_without_a_configured_token_no_bearer_gets_in(self, client, app):
        assert app.config["METRICS_TOKEN"] is None
        assert client.get("/metrics", headers={"Authorization": "Bearer None"}).status_code == 401
        assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 401

    def test_the_token_gets_in(self, client, token):
        response = scrape(client)
        assert response.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"

    def test_agents_get_403_and_supervisors_get_in(self, client, make, login, token):
        login(make.agent("general-public"))
        assert client.get("/metrics").status_code == 403
        client.post("/logout")
        login(make.supervisor())
        assert client.get("/metrics").status_code == 200


class TestFigures:
    def test_every_line_is_well_formed_and_every_queue_is_there(self, client, token):
        samples = parse(scrape(client).data.decode())
        queues = {q for (_n, q) in samples}
        assert {"general-public", "triage", "education"} <= queues
        assert samples[("inquiry_open_tickets", "general-public")] == 0

    def test_figures_from_the_tickets(self, client, make, token, open_at):
        now = utcnow()
        agent = make.agent("general-public")
        late = open_at(now - dt.timedelta(hours=3), confident(priority="high"))  # first response due 2 h ago
        answered = open_at(now - dt.timedelta(hours=2), confident(priority="high"))
        tickets.reply(answered, "Hi", actor=agent, at=now - dt.timedelta(hours=2) + dt.timedelta(minutes=5))
        tickets.change_status(answered, "solved", actor=agent, at=now - dt.timedelta(hours=1))
        open_at(now - dt.timedelta(minutes=10), confident("education", priority="high"))
        presence.seen(agent, now)
        tickets.assign(late, agent, actor=agent, at=now)
        db.session.commit()
        samples = parse(scrape(client).data.decode())
        assert samples[("inquiry_open_tickets", "general-public")] == 1
        assert samples[("inquiry_open_tickets", "education")] == 1
        assert samples[("inquiry_sla_breached", "general-public")] == 1
        assert samples[("inquiry_sla_breached", "education")] == 0
        assert samples[("inquiry_tickets_created_total", "general-public")] == 2
        assert samples[("inquiry_tickets_solved_total", "general-public")] == 1
        assert samples[("inquiry_agents_online", "general-public")] == 1
        assert samples[("inquiry_agents_load", "general-public")] == 1
        assert samples[("inquiry_agents_online", "education")] == 0
        assert samples[("inquiry_oldest_open_ticket_age_seconds", "general-public")] == pytest.approx(3 * 3600, abs=60)
        assert samples[("inquiry_sla_first_response_attainment_ratio", "general-public")] == 1
        assert ("inquiry_sla_first_response_attainment_ratio", "education") not in samples  # nothing decided
