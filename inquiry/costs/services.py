"""Budget settings, rate overrides, channel fees and fixed costs: validated here, audited, flushed.

Values arrive as text from forms or numbers from code; every rule (no negative money, shares
within 0..1, a real month) is written once, here, and a refusal is ``Invalid`` with the field.
"""
from __future__ import annotations

import math
import re

from sqlalchemy import select

from inquiry import taxonomy
from inquiry.audit.services import record
from inquiry.costs.models import (DEFAULT_BUDGET, DEFAULT_CURRENCY, DEFAULT_FRONTLINE_SHARE, DEFAULT_HOURLY_RATE,
                                  BudgetSettings, ChannelFee, FixedCost, RateOverride)
from inquiry.dbtypes import utcnow
from inquiry.errors import Invalid, NotFound
from inquiry.extensions import db
from inquiry.tickets.models import Queue

RATE_KINDS = ("language", "queue")
MAX_MONEY = 1e12  # far above any real budget; stops typos like 1e300


def _decimal_text(value) -> str:
    """Text as typed: "10 000 000", "2,500,000.50" (thousands) or "37,30" (a decimal comma)."""
    text = str(value).strip().replace(" ", "").replace("\u00a0", "")
    if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", text):
        return text.replace(",", "")
    if text.count(",") == 1 and "." not in text:
        return text.replace(",", ".")
    return text  # anything else with a comma fails to parse: better refused than misread


def number(value, field: str, *, low: float = 0.0, high: float = MAX_MONEY, what: str = "an amount") -> float:
    """``value`` as a finite number within [low, high], or Invalid naming ``field``."""
    try:
        parsed = float(value) if isinstance(value, (int, float)) else float(_decimal_text(value))
    except (TypeError, ValueError):
        raise Invalid(f"{field} must be a number", fields={field: [f"{what}, e.g. 37.30"]}) from None
    if not math.isfinite(parsed) or parsed < low or parsed > high:
        raise Invalid(f"{field} is out of range", fields={field: [f"{what} between {low:g} and {high:g}"]})
    return parsed


def current_settings() -> BudgetSettings:
    """The saved settings, or the defaults (unsaved) when no one has saved any."""
    row = db.session.scalar(select(BudgetSettings).order_by(BudgetSettings.id).limit(1))
    if row is None:
        row = BudgetSettings(annual_budget=DEFAULT_BUDGET, fiscal_year_start_month=1,
                             frontline_share=DEFAULT_FRONTLINE_SHARE, hourly_rate=DEFAULT_HOURLY_RATE,
                             currency=DEFAULT_CURRENCY)
    return row


def _settings_dict(row: BudgetSettings) -> dict:
    return {"annual_budget": row.annual_budget, "fiscal_year_start_month": row.fiscal_year_start_month,
            "frontline_share": row.frontline_share, "hourly_rate": row.hourly_rate, "currency": row.currency}


def save_settings(*, annual_budget, fiscal_year_start_month, frontline_share, hourly_rate, currency="EUR",
                  actor) -> BudgetSettings:
    """Validate and save the budget settings (all fields at once)."""
    month = number(fiscal_year_start_month, "fiscal_year_start_month", low=1, high=12, what="a month 1–12")
    if month != int(month):
        raise Invalid("the fiscal year starts on a whole month", fields={"fiscal_year_start_month": ["a month 1–12"]})
    currency = (currency or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise Invalid("currency must be a three-letter code", fields={"currency": ["e.g. EUR"]})
    values = {"annual_budget": number(annual_budget, "annual_budget"),
              "fiscal_year_start_month": int(month),
              "frontline_share": number(frontline_share, "frontline_share", high=1, what="a share between 0 and 1"),
              "hourly_rate": number(hourly_rate, "hourly_rate", high=10_000, what="an hourly rate"),
              "currency": currency}
    row = current_settings()
    before = _settings_dict(row) if row.id else None
    for key, value in values.items():
        setattr(row, key, value)
    row.updated_at = utcnow()
    db.session.add(row)
    record("costs.settings_changed", actor=actor, subject="budget", before=before, after=values)
    db.session.flush()
    return row


def set_rate_override(kind: str, key: str, hourly_rate, *, actor) -> RateOverride:
    """Set the hourly rate for a language or a queue (replacing any earlier one)."""
    if kind not in RATE_KINDS:
        raise Invalid("unknown kind of override", fields={"kind": ["language or queue"]})
    key = (key or "").strip().lower()
    if kind == "language" and key not in taxonomy.LANGUAGES:
        raise Invalid(f"unknown language {key!r}", fields={"key": ["an ISO 639-1 code, e.g. de"]})
    if kind == "queue" and db.session.scalar(select(Queue.id).where(Queue.slug == key)) is None:
        raise Invalid(f"no queue {key!r}", fields={"key": ["a queue's slug"]})
    rate = number(hourly_rate, "hourly_rate", high=10_000, what="an hourly rate")
    row = db.session.scalar(select(RateOverride).where(RateOverride.kind == kind, RateOverride.key == key))
    before = {"hourly_rate": row.hourly_rate} if row else None
    if row is None:
        row = RateOverride(kind=kind, key=key, hourly_rate=rate)
        db.session.add(row)
    row.hourly_rate = rate
    record("costs.rate_set", actor=actor, subject=f"{kind}:{key}", before=before, after={"hourly_rate": rate})
    db.session.flush()
    return row


def set_channel_fee(platform: str, fee, *, actor) -> ChannelFee:
    """Set what a platform charges per conversation (replacing any earlier fee)."""
    platform = (platform or "").strip().lower()
    if platform not in taxonomy.CHANNELS:
        raise Invalid(f"unknown platform {platform!r}", fields={"platform": ["a platform slug, e.g. whatsapp"]})
    amount = number(fee, "fee", high=10_000, what="a fee per conversation")
    row = db.session.scalar(select(ChannelFee).where(ChannelFee.platform == platform))
    before = {"fee": row.fee} if row else None
    if row is None:
        row = ChannelFee(platform=platform, fee=amount)
        db.session.add(row)
    row.fee = amount
    record("costs.channel_fee_set", actor=actor, subject=platform, before=before, after={"fee": amount})
    db.session.flush()
    return row


def set_fixed_cost(name: str, monthly_amount, *, actor) -> FixedCost:
    """Add a fixed monthly cost, or change the amount of the one with that name."""
    name = " ".join((name or "").split())
    if not name or len(name) > 120:
        raise Invalid("name the cost", fields={"name": ["1 to 120 characters, e.g. Hosting"]})
    amount = number(monthly_amount, "monthly_amount", what="a monthly amount")
    row = db.session.scalar(select(FixedCost).where(FixedCost.name == name))
    before = {"monthly_amount": row.monthly_amount} if row else None
    if row is None:
        row = FixedCost(name=name, monthly_amount=amount)
        db.session.add(row)
    row.monthly_amount = amount
    record("costs.fixed_cost_set", actor=actor, subject=name, before=before, after={"monthly_amount": amount})
    db.session.flush()
    return row


_REMOVABLE = {"rate": (RateOverride, lambda r: f"{r.kind}:{r.key}"), "fee": (ChannelFee, lambda r: r.platform),
              "fixed": (FixedCost, lambda r: r.name)}


def remove(what: str, row_id: int, *, actor) -> None:
    """Delete a rate override, channel fee or fixed cost."""
    if what not in _REMOVABLE:
        raise NotFound("nothing of that kind")
    model, label = _REMOVABLE[what]
    row = db.session.get(model, row_id)
    if row is None:
        raise NotFound(f"no such {what}")
    record(f"costs.{what}_removed", actor=actor, subject=label(row))
    db.session.delete(row)
    db.session.flush()


def rate_overrides() -> list[RateOverride]:
    return list(db.session.scalars(select(RateOverride).order_by(RateOverride.kind, RateOverride.key)))


def channel_fees() -> list[ChannelFee]:
    return list(db.session.scalars(select(ChannelFee).order_by(ChannelFee.platform)))


def fixed_costs() -> list[FixedCost]:
    return list(db.session.scalars(select(FixedCost).order_by(FixedCost.name)))
