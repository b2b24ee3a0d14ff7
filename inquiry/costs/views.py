"""The cost page: budget against spend and projection, cost per resolved inquiry, and (for
administrators) the settings. Supervisors and administrators read it; agents get 403.

``?start=YYYY-MM-DD&end=YYYY-MM-DD`` picks the period of the tables (default: the fiscal year to
date); ``?format=csv&by=queue`` downloads one table. A refused setting shows the page again with
the field's message and 422, nothing written.
"""
from __future__ import annotations

import csv
import datetime as dt
import io

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from inquiry.auth import access
from inquiry.auth.models import Role
from inquiry.costs import bp, ledger, services
from inquiry.costs.forms import BudgetForm, FeeForm, FixedCostForm, RateForm, RemoveForm
from inquiry.dbtypes import utcnow
from inquiry.errors import InquiryError, Invalid
from inquiry.extensions import db

FORMATS = ("html", "csv")


@bp.before_request
def _supervisors_only():
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    access.require_role(current_user, Role.SUPERVISOR, Role.ADMIN)
    if request.method == "POST":
        access.require_role(current_user, Role.ADMIN)
    return None


@bp.app_template_filter("money")
def money(value: float | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def _date(name: str, default: dt.date) -> dt.date:
    raw = request.args.get(name)
    if not raw:
        return default
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise Invalid(f"{name} is not a date", fields={name: ["a date like 2026-01-31"]}) from None


def _period() -> tuple[dt.date, dt.date]:
    today = utcnow().date()
    first, _ = ledger.fiscal_year(today, services.current_settings().fiscal_year_start_month)
    start, end = _date("start", first), _date("end", today)
    if start > end:
        raise Invalid("the period ends before it starts", fields={"end": ["on or after the start"]})
    return start, end


def _budget_form() -> BudgetForm:
    s = services.current_settings()
    return BudgetForm(formdata=None, prefix="budget", annual_budget=f"{s.annual_budget:.2f}",
                      fiscal_year_start_month=str(s.fiscal_year_start_month),
                      frontline_share=f"{s.frontline_share:g}", hourly_rate=f"{s.hourly_rate:.2f}", currency=s.currency)


def _page(status: int = 200, *, error: str | None = None, **forms):
    start, end = _period()
    settings = services.current_settings()
    forecast = ledger.projection()
    tables = {by: ledger.cost_per_resolved(by, start, end) for by in ledger.DIMENSIONS}
    forms = {"budget_form": _budget_form(), "rate_form": RateForm(formdata=None, prefix="rate"), "fee_form": FeeForm(formdata=None, prefix="fee"),
             "fixed_form": FixedCostForm(formdata=None, prefix="fixed"), "remove_form": RemoveForm(formdata=None), **forms}
    return render_template(
        "costs/index.html", settings=settings, forecast=forecast, frontline_budget=settings.annual_budget * settings.frontline_share,
        tables=tables, start=start, end=end, overrides=services.rate_overrides(), fees=services.channel_fees(),
        fixed=services.fixed_costs(), is_admin=current_user.role == Role.ADMIN, error=error,
        **forms), status


@bp.get("/")
def index():
    fmt = request.args.get("format", "html")
    if fmt not in FORMATS:
        raise Invalid(f"unknown format {fmt!r}", fields={"format": [f"one of {', '.join(FORMATS)}"]})
    if fmt == "csv":
        by = request.args.get("by", "")
        start, end = _period()
        rows = ledger.cost_per_resolved(by, start, end)
        return _csv(by, rows, start, end)
    return _page()


def _csv(by: str, rows: list[ledger.CostRow], start: dt.date, end: dt.date) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([by, "label", "cost", "agent_hours", "resolved", "cost_per_resolved"])
    for r in rows:
        writer.writerow([r.key or "", r.label, f"{r.cost:.2f}", f"{r.agent_seconds / 3600:.2f}", r.resolved,
                         "" if r.per_resolved is None else f"{r.per_resolved:.2f}"])
    return Response(buffer.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="cost-per-resolved-{by}-{start}-{end}.csv"'})


def _save(form, form_name: str, action, message: str):
    """Validate the form's token, call the service, commit once; or the page again with the error."""
    if not form.validate_on_submit():
        return _page(400, error="The form could not be read; please try again.", **{form_name: form})
    try:
        action()
        db.session.commit()
    except InquiryError as exc:
        db.session.rollback()
        for name, messages in exc.fields.items():
            if name in form:
                form[name].errors = list(messages)
        return _page(exc.status, error=exc.message, **{form_name: form})
    flash(message, "success")
    return redirect(url_for("costs.index"), code=303)


@bp.post("/settings")
def save_settings():
    form = BudgetForm(prefix="budget")
    return _save(form, "budget_form", lambda: services.save_settings(
        annual_budget=form.annual_budget.data, fiscal_year_start_month=form.fiscal_year_start_month.data,
        frontline_share=form.frontline_share.data, hourly_rate=form.hourly_rate.data,
        currency=form.currency.data or "EUR", actor=current_user), "Budget settings saved.")


@bp.post("/rates")
def save_rate():
    form = RateForm(prefix="rate")
    return _save(form, "rate_form", lambda: services.set_rate_override(
        form.kind.data, form.key.data, form.hourly_rate.data, actor=current_user), "Rate saved.")


@bp.post("/fees")
def save_fee():
    form = FeeForm(prefix="fee")
    return _save(form, "fee_form", lambda: services.set_channel_fee(form.platform.data, form.fee.data, actor=current_user),
                 "Channel fee saved.")


@bp.post("/fixed")
def save_fixed():
    form = FixedCostForm(prefix="fixed")
    return _save(form, "fixed_form", lambda: services.set_fixed_cost(
        form.name.data, form.monthly_amount.data, actor=current_user), "Fixed cost saved.")


@bp.post("/<what>/<int:row_id>/remove")
def remove(what: str, row_id: int):
    return _save(RemoveForm(), "remove_form", lambda: services.remove(what, row_id, actor=current_user), "Removed.")
