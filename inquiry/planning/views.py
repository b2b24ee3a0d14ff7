"""The planner page (``/planning/``): the staffing plan per queue × language, totals against the
frontline budget, the attainment the budget buys and the forecast's backtest error. Supervisors
and administrators read it; agents get 403, visitors the log-in page.

``?weeks=N&shrinkage=S`` change the plan's inputs for this view only (422 when out of range);
``?format=csv&table=staffing`` or ``&table=backtest`` downloads a table.
"""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from inquiry.auth import access
from inquiry.auth.models import Role
from inquiry.errors import Invalid
from inquiry.planning.staffing import PlanSettings, StaffingPlan, plan_staffing
from inquiry.reports.views import _csv_response, _fraction, percent, requested_table

bp = Blueprint("planning", __name__, url_prefix="/planning")

TABLES = ("staffing", "backtest")
MODEL_NAMES = {"erlang_c": "Erlang C", "erlang_a": "Erlang A", "workload": "Workload"}


@bp.before_request
def _supervisors_only():
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    access.require_role(current_user, Role.SUPERVISOR, Role.ADMIN)
    return None


def _number(name: str, cast):
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return cast(raw)
    except ValueError:
        raise Invalid(f"{name} is not a number", fields={name: ["a number, e.g. 6 weeks or 0.3"]}) from None


@bp.get("/")
def index():
    table = requested_table(TABLES)
    settings = PlanSettings.from_config(current_app.config, weeks=_number("weeks", int),
                                        shrinkage=_number("shrinkage", float))
    plan = plan_staffing(settings)
    if table == "staffing":
        return _staffing_csv(plan)
    if table == "backtest":
        return _backtest_csv(plan)
    return render_template("planning/index.html", plan=plan, percent=percent, model_names=MODEL_NAMES)


def _staffing_csv(plan: StaffingPlan):
    header = ["queue", "language", "priority", "target_minutes", "business_hours", "model", "weekly_arrivals",
              "aht_seconds", "aht_source", "peak_agents", "peak_scheduled", "seat_hours", "floor_seat_hours", "fte",
              "hourly_rate", "annual_cost", "planned_attainment", "budget_attainment"]
    rows = [[r.queue, r.language or "", r.priority, round(r.target_minutes, 2), int(r.business_hours), r.model,
             round(r.weekly_arrivals, 2), round(r.aht_seconds, 1), r.aht_source, r.peak_agents, r.peak_scheduled,
             r.seat_hours, r.floor_seat_hours, round(r.fte, 3), round(r.hourly_rate, 2), round(r.annual_cost, 2),
             _fraction(r.planned_attainment), _fraction(r.budget_attainment)] for r in plan.rows]
    rows.append(["(total)", "", "", "", "", "", round(plan.weekly_arrivals, 2), "", "", "", "",
                 sum(r.seat_hours for r in plan.rows), sum(r.floor_seat_hours for r in plan.rows),
                 round(plan.total_fte, 3), "", round(plan.total_cost, 2), _fraction(plan.planned_attainment),
                 _fraction(plan.budget_attainment)])
    return _csv_response(header, rows, f"staffing-plan-{plan.until:%Y-%m-%d}.csv")


def _backtest_csv(plan: StaffingPlan):
    rows = [[b.queue, _fraction(b.wape), _fraction(b.mape), _fraction(b.bias), b.hours,
             "" if b.training_weeks is None else b.training_weeks, b.note or ""] for b in plan.backtests]
    return _csv_response(["queue", "wape", "mape", "bias", "hours", "training_weeks", "note"], rows,
                         f"staffing-backtest-{plan.until:%Y-%m-%d}.csv")
