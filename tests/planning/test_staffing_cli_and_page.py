"""``inquiry plan staffing`` and the /planning/ page on the controlled history of conftest.py."""
import csv
import io
import json

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo

from inquiry.cli import main

AS_OF = ["--as-of", "2026-03-09T00:30", "--weeks", "2"]


def invoke(app, *args):
    return CliRunner().invoke(main, ["plan", "staffing", *args], obj=ScriptInfo(create_app=lambda: app))


class TestCommand:
    def test_json_has_the_table_the_totals_and_the_budget(self, app, scenario):
        result = invoke(app, *AS_OF, "--json")
        assert result.exit_code == 0, result.output
        out = json.loads(result.output)
        rows = {(r["queue"], r["language"]): r for r in out["rows"]}
        urgent = rows[("travellers", "en")]
        assert (urgent["model"], urgent["peak_agents"], urgent["weekly_arrivals"]) == ("erlang_c", 1, 2)
        assert urgent["fte"] == pytest.approx(6.4) and urgent["annual_cost"] == pytest.approx(499_200)
        assert urgent["aht_seconds"] == 600
        assert rows[("corporate", "de")]["model"] == "workload"
        assert out["totals"]["fte"] == pytest.approx(208 / 26.25)
        assert out["budget"]["frontline_budget"] == pytest.approx(7_000_000) and out["budget"]["within_budget"] is True
        assert 0.8 < out["attainment"]["planned"] <= 1 and out["attainment"]["at_budget"] > 0.99
        assert {b["queue"] for b in out["backtest"]} == {"travellers", "corporate", "(all queues)"}
        assert out["settings"]["shrinkage"] == 0.3 and out["settings"]["weeks"] == 2

    def test_shrinkage_option(self, app, scenario):
        out = json.loads(invoke(app, *AS_OF, "--shrinkage", "0", "--json").output)
        assert out["totals"]["fte"] == pytest.approx(208 / 37.5)

    def test_plain_table(self, app, scenario):
        result = invoke(app, *AS_OF)
        assert result.exit_code == 0, result.output
        assert "travellers" in result.output and "erlang_c" in result.output and "6.40" in result.output
        assert "frontline budget EUR 7,000,000" in result.output and "backtest corporate: WAPE 36.4%" in result.output

    def test_bad_input_is_a_usage_error(self, app):
        assert invoke(app, "--shrinkage", "1.2").exit_code == 2
        assert invoke(app, "--weeks", "0").exit_code == 2


class TestPage:
    def test_visitors_log_in_and_agents_are_refused(self, client, make, login):
        response = client.get("/planning/")
        assert response.status_code == 302 and "/login" in response.headers["Location"]
        login(make.agent("general-public"))
        assert client.get("/planning/").status_code == 403
        assert client.get("/planning/?format=csv&table=staffing").status_code == 403

    def test_supervisors_see_the_plan(self, client, make, login, scenario, monkeypatch):
        monkeypatch.setattr("inquiry.planning.staffing.utcnow", lambda: _now())
        login(make.supervisor())
        page = client.get("/planning/?weeks=2")
        assert page.status_code == 200
        html = page.data.decode()
        assert 'data-queue="travellers" data-language="en"' in html and "Erlang C" in html and "Workload" in html
        assert "7,000,000.00" in html and 'id="backtest-table"' in html and "36.4%" in html
        assert "<script>" not in html and "style=" not in html

    def test_csv_downloads(self, client, make, login, scenario, monkeypatch):
        monkeypatch.setattr("inquiry.planning.staffing.utcnow", lambda: _now())
        login(make.admin())
        response = client.get("/planning/?format=csv&table=staffing&weeks=2")
        assert response.status_code == 200 and response.mimetype == "text/csv"
        table = list(csv.DictReader(io.StringIO(response.data.decode())))
        urgent = next(r for r in table if r["queue"] == "travellers")
        figures = (urgent["model"], urgent["peak_agents"], urgent["seat_hours"], urgent["fte"])
        assert figures == ("erlang_c", "1", "168", "6.4")
        assert table[-1]["queue"] == "(total)"
        backtest = client.get("/planning/?format=csv&table=backtest&weeks=2")
        rows = {r["queue"]: r for r in csv.DictReader(io.StringIO(backtest.data.decode()))}
        assert rows["corporate"]["wape"] == "0.3636"

    @pytest.mark.parametrize("query", ["?weeks=0", "?weeks=many", "?shrinkage=1", "?format=pdf", "?format=csv&table=x"])
    def test_bad_queries_are_422(self, client, make, login, query):
        login(make.supervisor())
        assert client.get("/planning/" + query).status_code == 422

    def test_an_empty_desk_says_so(self, client, make, login):
        login(make.supervisor())
        response = client.get("/planning/")
        assert response.status_code == 200 and "one whole week" in response.data.decode()


def _now():
    from tests.planning.conftest import NOW

    return NOW
