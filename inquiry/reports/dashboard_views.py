"""The supervisor dashboard (``/reports/dashboard``, behind the reports' supervisors-only guard)
and ``/metrics`` for Prometheus.

Every table on the dashboard downloads as CSV with ``?format=csv&table=queues``, ``matrix`` or
``outlook``; the surges with ``/reports/surges?format=csv&table=surges``. Figures are as of the
request; the page carries no script.
"""
from __future__ import annotations

from flask import render_template

from inquiry.dbtypes import utcnow
from inquiry.costs import ledger
from inquiry.costs.services import current_settings
from inquiry.reports import bp, charts, dashboard, metrics, router_quality, surges
from inquiry.reports.surge_views import surge_context
from inquiry.reports.views import _csv_response, _fraction, requested_table
from inquiry.sla.outlook import outlook

DASHBOARD_TABLES = ("queues", "matrix", "outlook")
WINDOW_NAMES = {"24h": "last 24 h", "7d": "last 7 days"}

# /metrics lives at the application's root, outside /reports and its log-in guard.
bp.record_once(lambda state: state.app.add_url_rule("/metrics", "metrics", metrics.serve, methods=["GET"]))


def duration(seconds: float | None) -> str:
    """1234 → "20 min"; 90000 → "1 d 1 h"; nothing measured → a dash."""
    if seconds is None:
        return "—"
    minutes = int(round(seconds / 60))
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.0f}"


@bp.get("/dashboard")
def dashboard_page():
    """Per-queue figures, the open backlog by topic and audience, the charts, the outlook and the
    surges the worker flagged (read from their table: the page clusters nothing)."""
    table = requested_table(DASHBOARD_TABLES)
    now = utcnow()
    if table is not None:
        return {"queues": _queues_csv, "matrix": _matrix_csv, "outlook": _outlook_csv}[table](now)
    scans = dashboard.Scans(now)  # each pass over tickets once, shared by every figure below
    queues = dashboard.queue_figures(now, scans)
    burn = ledger.burn_down(now)
    return render_template(
        "reports/dashboard.html", now=now, queues=queues, matrix=dashboard.backlog_matrix(scans), burn=burn,
        currency=current_settings().currency,
        outlook=outlook(at=now, running={q.queue_id: (q.running_clocks, q.breached_now) for q in queues}),
        overrides=router_quality.override_rates(now, 7),
        charts=_charts(now, burn, scans),
        windows=WINDOW_NAMES, duration=duration, **surge_context(surges.current()),
    )


def _charts(now, burn, scans: dashboard.Scans) -> list[tuple[str, str]]:
    """(heading, svg) for each chart on the page."""
    flow = dashboard.flow(now, scans)
    hour_labels = [h.strftime("%a %H:00") for h in flow.hours]
    days = dashboard.attainment_by_day(now, scans)
    out = [
        ("Inflow and outflow per hour, last 7 days",
         charts.line_chart("Tickets opened and solved per hour, last 7 days", hour_labels,
                           {"Opened": flow.inflow, "Solved": flow.outflow}, x_label="Hour (UTC)",
                           y_label="Tickets")),
        ("Backlog, last 7 days",
         charts.line_chart("Open tickets at the end of each hour, last 7 days (estimate)", hour_labels,
                           {"Open tickets": flow.backlog}, x_label="Hour (UTC)", y_label="Open tickets")),
        ("SLA attainment per day",
         charts.line_chart("Share of SLA targets met per day, last 7 days", [d.strftime("%a %d") for d, _f, _r in days],
                           {"First response": [f for _d, f, _r in days], "Resolution": [r for _d, _f, r in days]},
                           x_label="Day (UTC)", y_label="Targets met", y_format=charts.percent_format, y_max=1.0)),
    ]
    out.append(("Budget burn-down, this fiscal year",
                charts.line_chart("Cumulative spend against the annual budget, week by week",
                                  [w.strftime("%d %b") for w in burn.weeks],
                                  {"Spent": burn.spent, "Budget spread evenly": burn.plan,
                                   "Projected at the run rate": burn.projected},
                                  x_label="Week", y_label="Spend", y_max=max(burn.budget, *(p or 0 for p in burn.projected)))))
    volumes = dashboard.volumes(now, scans)
    for by, name in (("channel", "channel"), ("topic", "topic"), ("language", "language")):
        rows = volumes[by][:20]
        out.append((f"Volume by {name}, last 7 days",
                    charts.bar_chart(f"Tickets opened in the last 7 days by {name}", [k for k, _ in rows],
                                     [n for _, n in rows], x_label=name.capitalize(), y_label="Tickets")))
    return out


def _queues_csv(now):
    header = ["queue", "open_backlog", "new_today", "solved_today", "oldest_open_age_seconds", "breached_now",
              "at_risk_now", "agents_online", "agents_load", "agents_capacity"]
    for window in dashboard.WINDOWS:
        w = window[0]
        header += [f"first_response_median_seconds_{w}", f"first_response_p90_seconds_{w}",
                   f"resolution_median_seconds_{w}", f"resolution_p90_seconds_{w}",
                   f"first_response_attainment_{w}", f"resolution_attainment_{w}"]
    rows = []
    for q in dashboard.queue_figures(now):
        row = [q.slug, q.open_backlog, q.new_today, q.solved_today, _seconds(q.oldest_open_age(now)), q.breached_now,
               q.at_risk_now, q.agents_online, q.agents_load, q.agents_capacity]
        for name, _span in dashboard.WINDOWS:
            w = q.windows[name]
            row += [_seconds(w.first_response_median), _seconds(w.first_response_p90), _seconds(w.resolution_median),
                    _seconds(w.resolution_p90), _fraction(w.first_response_attainment),
                    _fraction(w.resolution_attainment)]
        rows.append(row)
    return _csv_response(header, rows, f"dashboard-queues-{now:%Y-%m-%d}.csv")


def _matrix_csv(now):
    matrix = dashboard.backlog_matrix()
    rows = [[t, *[matrix.cell(t, a) for a in matrix.audiences], matrix.topic_total(t)] for t in matrix.topics]
    rows.append(["total", *[matrix.audience_total(a) for a in matrix.audiences], matrix.total])
    return _csv_response(["topic", *matrix.audiences, "total"], rows, f"dashboard-matrix-{now:%Y-%m-%d}.csv")


def _outlook_csv(now):
    rows = [[o.queue, o.backlog, o.arrivals_per_hour, o.agents_online, o.capacity_per_hour, o.breached_now,
             o.predicted_breaches, o.first_predicted_breach.isoformat(timespec="seconds") if o.first_predicted_breach else "",
             o.handle_minutes, o.handle_measured_tickets]
            for o in outlook(at=now)]
    header = ["queue", "backlog", "arrivals_per_hour", "agents_online", "capacity_per_hour", "breached_now",
              "predicted_breaches", "first_predicted_breach", "handle_minutes", "handle_measured_tickets"]
    return _csv_response(header, rows, f"dashboard-outlook-{now:%Y-%m-%d}.csv")
