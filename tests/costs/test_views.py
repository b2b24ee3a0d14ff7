"""The cost page: who may read it and who may change the settings, the figures it shows, the CSV
downloads, and clear 4xx answers (nothing written) for bad input."""
import csv
import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from inquiry.audit.models import AuditEvent
from inquiry.costs import services
from inquiry.costs.models import BudgetSettings, ChannelFee, CostLedger, FixedCost, RateOverride
from inquiry.dbtypes import utcnow
from inquiry.extensions import db

PAGE = "/costs/"
GOOD_BUDGET = {"budget-annual_budget": "2,500,000", "budget-fiscal_year_start_month": "4",
               "budget-frontline_share": "0.65", "budget-hourly_rate": "41.50", "budget-currency": "eur"}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


class TestAccess:
    def test_visitors_are_sent_to_log_in(self, client):
        response = client.get(PAGE)
        assert response.status_code == 302 and "/login" in response.headers["Location"]

    @pytest.mark.parametrize("method, path", [("get", PAGE), ("get", PAGE + "?format=csv&by=queue"),
                                              ("post", "/costs/settings"), ("post", "/costs/fees")])
    def test_agents_get_403(self, client, make, login, method, path):
        login(make.agent("general-public"))
        assert getattr(client, method)(path, data=GOOD_BUDGET if method == "post" else None).status_code == 403

    def test_supervisors_read_but_cannot_change_settings(self, client, make, login):
        login(make.supervisor())
        page = client.get(PAGE)
        assert page.status_code == 200
        html = page.data.decode()
        assert "Budget and cost" in html and "EUR 10,000,000.00" in html and "EUR 7,000,000.00" in html
        assert 'action="/costs/settings"' not in html
        assert client.post("/costs/settings", data=GOOD_BUDGET).status_code == 403
        assert client.post("/costs/fixed", data={"fixed-name": "Hosting", "fixed-monthly_amount": "10"}).status_code == 403
        assert count(FixedCost) == 0

    def test_admins_change_the_settings_and_it_is_audited(self, client, make, login):
        admin = login(make.admin())
        assert 'action="/costs/settings"' in client.get(PAGE).data.decode()
        response = client.post("/costs/settings", data=GOOD_BUDGET)
        assert response.status_code == 303
        row = db.session.scalar(select(BudgetSettings))
        assert (row.annual_budget, row.fiscal_year_start_month, row.frontline_share, row.hourly_rate, row.currency) == (
            2_500_000, 4, 0.65, 41.5, "EUR")
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "costs.settings_changed"))
        assert event.actor_id == admin.id and event.after["hourly_rate"] == 41.5
        assert "EUR 2,500,000.00" in client.get(PAGE).data.decode()

    def test_admins_add_and_remove_rates_fees_and_fixed_costs(self, client, make, login):
        login(make.admin())
        assert client.post("/costs/rates", data={"rate-kind": "language", "rate-key": "DE", "rate-hourly_rate": "52"}).status_code == 303
        assert client.post("/costs/rates", data={"rate-kind": "queue", "rate-key": "travellers", "rate-hourly_rate": "44"}).status_code == 303
        assert client.post("/costs/fees", data={"fee-platform": "whatsapp", "fee-fee": "0.0712"}).status_code == 303
        assert client.post("/costs/fixed", data={"fixed-name": "Hosting", "fixed-monthly_amount": "1200"}).status_code == 303
        assert client.post("/costs/fixed", data={"fixed-name": "Hosting", "fixed-monthly_amount": "1300"}).status_code == 303
        assert {(o.kind, o.key, o.hourly_rate) for o in services.rate_overrides()} == {("language", "de", 52), ("queue", "travellers", 44)}
        assert [(f.platform, f.fee) for f in services.channel_fees()] == [("whatsapp", 0.0712)]
        assert [(c.name, c.monthly_amount) for c in services.fixed_costs()] == [("Hosting", 1300)]
        html = client.get(PAGE).data.decode()
        assert 'data-override="language:de"' in html and 'data-fee="whatsapp"' in html and 'data-fixed="Hosting"' in html
        fee_id = services.channel_fees()[0].id
        assert client.post(f"/costs/fee/{fee_id}/remove").status_code == 303
        assert count(ChannelFee) == 0
        assert client.post(f"/costs/fee/{fee_id}/remove").status_code == 404
        assert client.post("/costs/nonsense/1/remove").status_code == 404
        actions = set(db.session.scalars(select(AuditEvent.action)))
        assert {"costs.rate_set", "costs.channel_fee_set", "costs.fixed_cost_set", "costs.fee_removed"} <= actions


class TestBadInput:
    @pytest.mark.parametrize("field, value, message", [
        ("budget-annual_budget", "-5", "annual_budget"),
        ("budget-annual_budget", "lots", "annual_budget"),
        ("budget-annual_budget", "nan", "annual_budget"),
        ("budget-frontline_share", "1.5", "frontline_share"),
        ("budget-frontline_share", "-0.1", "frontline_share"),
        ("budget-fiscal_year_start_month", "13", "fiscal_year_start_month"),
        ("budget-hourly_rate", "-37.30", "hourly_rate"),
        ("budget-currency", "euro", "currency"),
    ])
    def test_bad_budget_settings_show_the_form_again_with_422(self, client, make, login, field, value, message):
        login(make.admin())
        response = client.post("/costs/settings", data={**GOOD_BUDGET, field: value})
        assert response.status_code == 422
        html = response.data.decode()
        assert 'role="alert"' in html and message in html and f'id="{field}-errors"' in html
        assert count(BudgetSettings) == 0
        assert not db.session.scalar(select(func.count()).where(AuditEvent.action.like("costs.%")))

    @pytest.mark.parametrize("path, data", [
        ("/costs/rates", {"rate-kind": "language", "rate-key": "xx", "rate-hourly_rate": "40"}),
        ("/costs/rates", {"rate-kind": "queue", "rate-key": "nowhere", "rate-hourly_rate": "40"}),
        ("/costs/rates", {"rate-kind": "group", "rate-key": "de", "rate-hourly_rate": "40"}),
        ("/costs/rates", {"rate-kind": "language", "rate-key": "de", "rate-hourly_rate": "-1"}),
        ("/costs/fees", {"fee-platform": "carrier-pigeon", "fee-fee": "1"}),
        ("/costs/fees", {"fee-platform": "whatsapp", "fee-fee": "-0.07"}),
        ("/costs/fixed", {"fixed-name": "  ", "fixed-monthly_amount": "10"}),
        ("/costs/fixed", {"fixed-name": "Hosting", "fixed-monthly_amount": "-10"}),
    ])
    def test_bad_rates_fees_and_fixed_costs_are_refused(self, client, make, login, path, data):
        login(make.admin())
        assert client.post(path, data=data).status_code == 422
        assert count(RateOverride) == count(ChannelFee) == count(FixedCost) == 0

    @pytest.mark.parametrize("query", ["?format=pdf", "?format=csv", "?format=csv&by=colour", "?start=yesterday",
                                       "?start=2026-03-10&end=2026-03-01"])
    def test_bad_queries_get_a_clear_4xx(self, client, make, login, query):
        login(make.supervisor())
        response = client.get(PAGE + query)
        assert response.status_code == 422


def test_the_page_and_csv_show_cost_per_resolved(client, make, login):
    today = utcnow().date()
    db.session.add(CostLedger(day=today, queue_id=None, topic="webinars", channel="whatsapp", language="fr",
                              priority="high", agent_seconds=7200, agent_cost=74.6, channel_fees=0.4, fixed_share=25,
                              tickets_resolved=4))
    db.session.add(CostLedger(day=today - dt.timedelta(days=400), topic="webinars", agent_seconds=1, agent_cost=1000,
                              channel_fees=0, fixed_share=0, tickets_resolved=1))
    db.session.commit()
    login(make.supervisor())
    html = client.get(PAGE).data.decode()
    assert '<tr data-key="fr"><th scope="row">fr</th><td>100.00</td><td>2.0</td><td>4</td><td>25.00</td></tr>' in html
    response = client.get(PAGE + "?format=csv&by=topic")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.data.decode())))
    assert rows == [{"topic": "webinars", "label": "webinars", "cost": "100.00", "agent_hours": "2.00",
                     "resolved": "4", "cost_per_resolved": "25.00"}]
    first = today - dt.timedelta(days=401)
    wide = list(csv.DictReader(io.StringIO(client.get(f"{PAGE}?format=csv&by=topic&start={first}").data.decode())))
    assert wide[0]["cost"] == "1100.00" and wide[0]["resolved"] == "5"
