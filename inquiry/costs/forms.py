"""Forms of the cost page: they carry the CSRF token; ``costs.services`` checks the values."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField

from inquiry.tickets.forms import choices


class BudgetForm(FlaskForm):
    annual_budget = StringField("Annual budget", render_kw={"inputmode": "decimal"})
    fiscal_year_start_month = SelectField(
        "Fiscal year starts in", validate_choice=False,
        choices=choices([(str(m), name) for m, name in enumerate(
            ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December"], start=1)]))
    frontline_share = StringField("Share for frontline agent time (0–1)", render_kw={"inputmode": "decimal"})
    hourly_rate = StringField("Agent cost per worked hour", render_kw={"inputmode": "decimal"})
    currency = StringField("Currency", render_kw={"maxlength": 3})


class RateForm(FlaskForm):
    kind = SelectField("Applies to", choices=choices([("language", "Language"), ("queue", "Queue")]),
                       validate_choice=False)
    key = StringField("Language code or queue slug", render_kw={"maxlength": 40})
    hourly_rate = StringField("Hourly rate", render_kw={"inputmode": "decimal"})


class FeeForm(FlaskForm):
    platform = StringField("Platform", render_kw={"maxlength": 32})
    fee = StringField("Fee per conversation", render_kw={"inputmode": "decimal"})


class FixedCostForm(FlaskForm):
    name = StringField("Name", render_kw={"maxlength": 120})
    monthly_amount = StringField("Monthly amount", render_kw={"inputmode": "decimal"})


class RemoveForm(FlaskForm):
    """Only the CSRF token."""
