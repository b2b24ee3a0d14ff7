"""The router quality page: who may see it, the held-out figures of the model in use, the live
override rates, the CSV downloads, and what it says without a model."""
import csv
import datetime as dt
import io
import re
import shutil

import pytest

from inquiry.classifier import store
from inquiry.dbtypes import utcnow
from inquiry.extensions import db
from inquiry.reports.router_quality import model_quality
from inquiry.reports.views import percent
from inquiry.tickets import services as tickets

PAGE = "/reports/router"


def rows(response) -> list[dict]:
    assert response.status_code == 200, response.data
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.data.decode())))


def row_html(page: str, **attrs) -> str:
    """The <tr> whose data- attributes match, as text."""
    selector = "".join(rf'(?=[^>]*data-{k}="{v}")' for k, v in attrs.items())
    match = re.search(rf"<tr{selector}[^>]*>(.*?)</tr>", page, re.S)
    assert match, attrs
    return match.group(1)


class TestAccess:
    def test_visitors_are_sent_to_log_in(self, client):
        response = client.get(PAGE)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")

    @pytest.mark.parametrize("path", [PAGE, PAGE + "?format=csv&table=overrides", PAGE + "?format=csv&table=quality",
                                      "/reports/"])
    def test_agents_get_403(self, client, make, login, path):
        login(make.agent("general-public"))
        assert client.get(path).status_code == 403

    @pytest.mark.parametrize("role", ["supervisor", "admin"])
    def test_supervisors_and_admins_see_it_and_the_nav_links_to_it(self, client, make, login, role):
        login(make.user(role))
        page = client.get(PAGE)
        assert page.status_code == 200
        assert '<a href="/reports/router">Reports</a>' in page.data.decode()
        assert client.get("/reports/").headers["Location"].endswith(PAGE)

    def test_agents_have_no_reports_link(self, client, make, login):
        login(make.agent("general-public"))
        assert "/reports/router" not in client.get("/tickets/").data.decode()

    @pytest.mark.parametrize("query", ["?format=pdf", "?format=csv", "?format=csv&table=nope"])
    def test_bad_requests_are_refused_clearly(self, client, make, login, query):
        login(make.supervisor())
        response = client.get(PAGE + query)
        assert response.status_code == 422
        assert b"format" in response.data or b"table" in response.data


class TestWithoutAModel:
    def test_the_page_says_why_and_still_shows_overrides(self, client, make, login):
        login(make.supervisor())
        page = client.get(PAGE).data.decode()
        assert "No model is loaded: no model has been trained yet" in page
        assert 'id="quality-table"' not in page and "table=quality" not in page
        assert 'id="overrides-table"' in page and "Last 7 days" in page and "Last 30 days" in page

    def test_the_quality_csv_is_404_with_the_reason(self, client, make, login):
        login(make.supervisor())
        response = client.get(PAGE + "?format=csv&table=quality")
        assert response.status_code == 404 and b"no model has been trained yet" in response.data

    def test_model_quality_says_no_model(self, app):
        quality = model_quality()
        assert not quality.is_loaded and not quality.has_figures and "no model" in quality.reason


class TestCorruptModel:
    @pytest.fixture
    def instance_path(self, trained_instance, tmp_path):
        shutil.copytree(f"{trained_instance}/models", tmp_path / "models")
        current = (tmp_path / "models" / "current").read_text()
        (tmp_path / "models" / f"{current}.skops").write_bytes(b"\x00garbage")
        return str(tmp_path)

    def test_the_page_gives_the_health_check_reason(self, client, make, login):
        login(make.supervisor())
        page = client.get(PAGE).data.decode()
        assert "No model is loaded:" in page and "cannot be read" in page
        assert client.get("/healthz").get_json()["router"]["reason"] in page


class TestWithATrainedModel:
    @pytest.fixture
    def instance_path(self, trained_instance):
        return trained_instance

    @pytest.fixture
    def meta(self, trained_instance):
        return next(m for m in store.list_models(trained_instance) if m["is_current"])

    def test_model_quality_reads_the_held_out_figures(self, app, meta):
        quality = model_quality()
        assert quality.is_loaded and quality.model_id == meta["id"] and quality.current_id == meta["id"]
        assert quality.examples == meta["examples"] and quality.held_out_size == meta["metrics"]["held_out_size"]
        assert quality.urgent_recall == meta["metrics"]["priority"]["urgent_recall"]
        assert dict(quality.thresholds) == meta["thresholds"]
        for head in ("topic", "audience", "priority", "language"):
            shown = {label.label: label for label in quality.head(head).labels}
            assert set(shown) == set(meta["metrics"][head]["per_label"]) and shown, head
        assert quality.head("language").macro_f1 == meta["metrics"]["language"]["macro_f1"]

    def test_the_page_shows_per_label_figures_as_percentages(self, client, make, login, meta):
        login(make.supervisor())
        page = client.get(PAGE).data.decode()
        assert meta["id"] in page
        for head, label in [("topic", "webinars"), ("audience", "education"), ("priority", "urgent"), ("language", "en")]:
            figures = meta["metrics"][head]["per_label"][label]
            cells = re.findall(r"<td>([^<]*)</td>", row_html(page, head=head, label=label))
            assert cells == [percent(figures["precision"]), percent(figures["recall"]), percent(figures["f1"]),
                             f"{figures['support']:,}"]
            assert re.fullmatch(r"\d{1,3}\.\d%", cells[0])
        assert percent(meta["metrics"]["routed_accuracy"]) in page
        assert f"macro-F1 {percent(meta['metrics']['topic']['macro_f1'])}" in page

    def test_the_quality_csv_has_every_label_of_every_head(self, client, make, login, meta):
        login(make.supervisor())
        got = rows(client.get(PAGE + "?format=csv&table=quality"))
        expected = {(head, label) for head in ("topic", "audience", "priority", "language")
                    for label in meta["metrics"][head]["per_label"]}
        assert {(r["head"], r["label"]) for r in got} == expected and len(got) == len(expected)
        webinars = next(r for r in got if (r["head"], r["label"]) == ("topic", "webinars"))
        figures = meta["metrics"]["topic"]["per_label"]["webinars"]
        assert webinars["model"] == meta["id"]
        assert float(webinars["recall"]) == pytest.approx(figures["recall"]) and int(webinars["support"]) == figures["support"]

    def test_tickets_routed_by_the_model_and_corrected_show_in_the_override_table(self, client, make, login, receive_at):
        agent = make.agent("general-public", "education", "triage", "transport")
        now = utcnow()
        text = ("Good morning, I'm a long-haul truck driver. At the border depot last night men offered my colleague "
                "money to carry sealed boxes without papers. Who should we report this to?")
        recent = receive_at(now - dt.timedelta(days=2), text)
        older = receive_at(now - dt.timedelta(days=12), text)
        assert recent.topic_source.value == "classifier"
        for ticket in (recent, older):
            other = "webinars" if ticket.topic != "webinars" else "journalism"
            tickets.update_labels(ticket, actor=agent, topic=other, at=ticket.created_at + dt.timedelta(hours=1))
        db.session.commit()
        login(make.supervisor())
        page = client.get(PAGE).data.decode()
        routed = recent.queue.slug != "triage"  # the model decides; each case has its own column
        week = row_html(page, days="7", head="topic")
        month = row_html(page, days="30", head="topic")
        assert re.search(r'data-rate="all">100\.0%<', week) and re.search(r'data-rate="all">100\.0%<', month)
        assert f'data-count="{"routed" if routed else "triaged"}">1<' in week
        assert f'data-count="{"routed" if routed else "triaged"}">2<' in month
        assert 'data-count="overrides">1 of 1<' in week and 'data-count="overrides">2 of 2<' in month
        language = row_html(page, days="7", head="language")
        assert 'data-count="overrides">0 of 1<' in language and 'data-rate="all">0.0%<' in language

        got = rows(client.get(PAGE + "?format=csv&table=overrides"))
        assert [(r["days"], r["head"]) for r in got] == [
            (str(d), h) for d in (7, 30) for h in ("topic", "audience", "priority", "language")]
        topic_month = next(r for r in got if (r["days"], r["head"]) == ("30", "topic"))
        assert (topic_month["tickets"], topic_month["overrides"], topic_month["override_rate"]) == ("2", "2", "1.0000")
        audience_week = next(r for r in got if (r["days"], r["head"]) == ("7", "audience"))
        assert audience_week["overrides"] == "0" and audience_week["override_rate"] == "0.0000"
