"""The supervisor dashboard: figures counted from tickets opened, answered and solved through the
ticket services at chosen moments; who may see the page; its CSV downloads."""
import csv
import datetime as dt
import io
import itertools
import re
import xml.etree.ElementTree as ET

import pytest

from inquiry.channels.services import default_account
from inquiry.contacts.services import upsert_contact
from inquiry.dbtypes import utcnow
from inquiry.extensions import db
from inquiry.reports import dashboard
from inquiry.tickets import presence
from inquiry.tickets import services as tickets

from tests.factories import confident

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # a Wednesday, noon
H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)
PAGE = "/reports/dashboard"
_n = itertools.count(1)


@pytest.fixture
def open_ticket(app):
    """open_ticket(at, queue=, topic=, priority="high", channel=, language=): through the services.
    "high" targets run round the clock (1 h first response, 24 h resolution)."""

    def _open(at, *, queue="general-public", topic="general", priority="high", channel="telegram", language="en"):
        n = next(_n)
        account = default_account(channel)
        contact = upsert_contact(channel, f"dash-{n}", display_name=f"Sender {n}")
        db.session.flush()
        ticket, _ = tickets.open_ticket(account=account, contact=contact, conversation_key=f"dash-{n}",
                                        prediction=confident(queue, topic, priority, language), at=at)
        tickets.add_inbound(ticket, f"Message {n}", contact=contact, account=account, external_id=f"dash-{n}", at=at)
        db.session.commit()
        return ticket

    return _open


@pytest.fixture
def desk(make, open_ticket):
    """Six tickets in general-public around NOW, one in triage; an agent online with one ticket."""
    agent = make.agent("general-public")
    t1 = open_ticket(NOW - 3 * H)
    tickets.reply(t1, "Hello", actor=agent, at=NOW - 3 * H + 10 * M)  # 10 min: met
    tickets.change_status(t1, "solved", actor=agent, at=NOW - H)  # resolved in 2 h: met
    t2 = open_ticket(NOW - 5 * H)
    tickets.reply(t2, "Hello", actor=agent, at=NOW - 5 * H + 30 * M)  # 30 min: met; stays open
    t3 = open_ticket(NOW - 48 * H)
    tickets.reply(t3, "Hello", actor=agent, at=NOW - 46 * H)  # 2 h: missed
    tickets.change_status(t3, "solved", actor=agent, at=NOW - 45 * H)  # 3 h: met
    open_ticket(NOW - 30 * M)  # due in 30 min, at risk only in 15: ok
    open_ticket(NOW - 4 * H)  # first response due 3 h ago: breached
    open_ticket(NOW - 55 * M)  # due in 5 min, at risk since 10 min: at risk
    open_ticket(NOW - 2 * H, queue="triage")
    tickets.assign(t2, agent, actor=agent, at=NOW - 4 * H)
    presence.seen(agent, NOW - M)
    away = make.agent("general-public")
    presence.seen(away, NOW - 10 * M)
    db.session.commit()
    return agent


def figures(now=NOW):
    return {q.slug: q for q in dashboard.queue_figures(now)}


class TestQueueFigures:
    def test_open_work_today_and_the_oldest(self, desk):
        q = figures()["general-public"]
        assert (q.open_backlog, q.new_today, q.solved_today) == (4, 5, 1)
        assert q.oldest_open_age(NOW) == 5 * 3600
        assert (q.breached_now, q.at_risk_now) == (1, 1)
        triage = figures()["triage"]
        assert (triage.open_backlog, triage.new_today, triage.breached_now) == (1, 1, 1)  # due an hour ago

    def test_agents_online_and_their_load(self, desk):
        q = figures()["general-public"]
        assert (q.agents_online, q.agents_load, q.agents_capacity) == (1, 1, 20)
        assert figures(NOW + 5 * M)["general-public"].agents_online == 0  # nobody seen for 2 minutes

    def test_response_and_resolution_times_median_and_p90(self, desk):
        day, week = figures()["general-public"].windows["24h"], figures()["general-public"].windows["7d"]
        # last 24 h: first responses of 600 s and 1800 s; one resolution of 7200 s
        assert day.first_response_median == pytest.approx(1200)
        assert day.first_response_p90 == pytest.approx(1680)
        assert day.resolution_median == pytest.approx(7200) and day.resolution_p90 == pytest.approx(7200)
        # last 7 days: 600, 1800, 7200 s to respond; 7200 and 10800 s to resolve
        assert week.first_response_median == pytest.approx(1800)
        assert week.first_response_p90 == pytest.approx(6120)
        assert week.resolution_median == pytest.approx(9000)
        assert week.resolution_p90 == pytest.approx(10440)

    def test_attainment_counts_targets_decided_in_the_window(self, desk):
        day, week = figures()["general-public"].windows["24h"], figures()["general-public"].windows["7d"]
        assert (day.first_response_met, day.first_response_decided) == (2, 2)
        assert (week.first_response_met, week.first_response_decided) == (2, 3)
        assert week.first_response_attainment == pytest.approx(2 / 3)
        assert (week.resolution_met, week.resolution_decided) == (2, 2)

    def test_nothing_measured_is_none_not_zero(self, desk):
        triage = figures()["triage"].windows["7d"]
        assert triage.first_response_median is None and triage.first_response_attainment is None

    def test_a_later_now_moves_the_windows(self, desk):
        day = figures(NOW + 20 * H)["general-public"].windows["24h"]
        assert (day.first_response_decided, day.first_response_median) == (1, pytest.approx(600))  # t2 fell out
        assert figures(NOW + 20 * H)["general-public"].new_today == 0


class TestMatrixAndSeries:
    def test_backlog_by_topic_and_audience(self, desk, open_ticket, make):
        open_ticket(NOW - H, queue="education", topic="journalism")
        solved = open_ticket(NOW - H, queue="education", topic="journalism")
        tickets.change_status(solved, "solved", actor=make.supervisor(), at=NOW - M)
        db.session.commit()
        matrix = dashboard.backlog_matrix()
        assert matrix.cell("journalism", "education") == 1
        assert matrix.cell("general", "general-public") == 4
        assert matrix.audience_total("general-public") == 4 and matrix.total == 6  # with triage's
        assert "journalism" in matrix.topics and "education" in matrix.audiences

    def test_inflow_outflow_and_backlog_per_hour(self, desk):
        flow = dashboard.flow(NOW)
        assert len(flow.hours) == len(flow.inflow) == 168
        assert flow.hours[-1] == NOW  # the hour now begun
        by_hour = dict(zip(flow.hours, zip(flow.inflow, flow.outflow)))
        assert by_hour[NOW - 3 * H] == (1, 0) and by_hour[NOW - H] == (2, 1)  # 11:05 and 11:30 in; 11:00 out
        assert by_hour[NOW - 45 * H] == (0, 1) and by_hour[NOW - 48 * H] == (1, 0)
        assert sum(flow.inflow) == 7 and sum(flow.outflow) == 2
        assert flow.backlog[-1] == 5  # general-public's four and triage's one
        assert flow.backlog[flow.hours.index(NOW - 2 * H)] == 4  # end of 10:00-11:00: t1, t2, t5 and triage's

    def test_attainment_per_day(self, desk):
        days = dashboard.attainment_by_day(NOW)
        assert [d for d, _f, _r in days][-1] == NOW.date()
        by_day = {d: (f, r) for d, f, r in days}
        assert by_day[NOW.date()] == (1.0, 1.0)
        assert by_day[(NOW - 48 * H).date()] == (0.0, 1.0)  # t3: answered late, solved in time
        assert by_day[(NOW - 24 * H).date()] == (None, None)  # nothing decided: no figure, not 0 %
        assert len(days) == 7

    def test_volume_by_channel_topic_and_language(self, app, open_ticket):
        open_ticket(NOW - H, channel="whatsapp", language="fr")
        open_ticket(NOW - 2 * H, channel="whatsapp", language="fr", topic="journalism")
        open_ticket(NOW - 3 * H, channel="telegram")
        open_ticket(NOW - 8 * 24 * H, channel="telegram")  # outside the 7 days
        assert dashboard.volume(NOW, "channel") == [("whatsapp", 2), ("telegram", 1)]
        assert dashboard.volume(NOW, "language") == [("fr", 2), ("en", 1)]
        assert dashboard.volume(NOW, "topic") == [("general", 2), ("journalism", 1)]
        # The page's single pass (GROUPING SETS on PostgreSQL) agrees with the three queries.
        assert dashboard.volumes(NOW) == {by: dashboard.volume(NOW, by) for by in dashboard.VOLUME_BY}


def rows(response) -> list[dict]:
    assert response.status_code == 200, response.data
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.data.decode())))


class TestPage:
    def test_visitors_are_sent_to_log_in(self, client):
        response = client.get(PAGE)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")

    @pytest.mark.parametrize("query", ["", "?format=csv&table=queues", "?format=csv&table=matrix",
                                       "?format=csv&table=outlook"])
    def test_agents_get_403(self, client, make, login, query):
        login(make.agent("general-public"))
        assert client.get(PAGE + query).status_code == 403

    def test_agents_have_no_dashboard_link(self, client, make, login):
        login(make.agent("general-public"))
        assert PAGE not in client.get("/tickets/").data.decode()

    @pytest.mark.parametrize("query", ["?format=pdf", "?format=csv", "?format=csv&table=nope"])
    def test_bad_requests_are_refused_clearly(self, client, make, login, query):
        login(make.supervisor())
        response = client.get(PAGE + query)
        assert response.status_code == 422
        assert b"format" in response.data or b"table" in response.data

    @pytest.mark.parametrize("role", ["supervisor", "admin"])
    def test_the_page_shows_tables_and_charts(self, client, make, login, open_ticket, role):
        now = utcnow()
        open_ticket(now - 2 * H, topic="journalism")
        login(make.user(role))
        response = client.get(PAGE)
        assert response.status_code == 200
        page = response.data.decode()
        assert f'<a href="{PAGE}">Dashboard</a>' in page
        for table in ("queues-table", "sla-table", "matrix-table", "outlook-table"):
            assert f'id="{table}"' in page
        assert 'data-topic="journalism"' in page and 'id="override-rates"' in page
        svgs = [page[m.start():page.index("</svg>", m.start()) + 6] for m in re.finditer("<svg", page)]
        assert len(svgs) == 7
        for svg in svgs:
            root = ET.fromstring(svg)
            assert root.get("role") == "img" and root.find("{http://www.w3.org/2000/svg}title").text
        assert "Volume by channel" in page and "Inflow and outflow" in page and "Budget burn-down" in page
        assert 'id="budget-figures"' in page and "EUR 10,000,000.00" in page

    def test_queues_csv(self, client, make, login, open_ticket):
        now = utcnow()
        agent = make.agent("general-public")
        t = open_ticket(now - 3 * H)
        tickets.reply(t, "Hi", actor=agent, at=now - 3 * H + 20 * M)
        open_ticket(now - 2 * H)
        db.session.commit()
        login(make.supervisor())
        by_queue = {r["queue"]: r for r in rows(client.get(PAGE + "?format=csv&table=queues"))}
        gp = by_queue["general-public"]
        assert gp["open_backlog"] == "2" and gp["breached_now"] == "1"
        assert int(gp["oldest_open_age_seconds"]) == pytest.approx(3 * 3600, abs=60)
        assert gp["first_response_median_seconds_24h"] == "1200"
        assert gp["first_response_attainment_24h"] == "1.0000"
        assert gp["resolution_median_seconds_7d"] == "" and by_queue["triage"]["open_backlog"] == "0"

    def test_matrix_and_outlook_csv(self, client, make, login, open_ticket):
        now = utcnow()
        open_ticket(now - 30 * M, queue="education", topic="journalism")
        open_ticket(now - 2 * H, queue="education", topic="journalism")
        login(make.supervisor())
        matrix = {r["topic"]: r for r in rows(client.get(PAGE + "?format=csv&table=matrix"))}
        assert matrix["journalism"]["education"] == "2" and matrix["journalism"]["total"] == "2"
        assert matrix["total"]["education"] == "2" and matrix["total"]["total"] == "2"
        outlook = {r["queue"]: r for r in rows(client.get(PAGE + "?format=csv&table=outlook"))}
        assert outlook["education"]["backlog"] == "2" and outlook["education"]["breached_now"] == "1"
