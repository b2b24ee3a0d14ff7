"""``inquiry plan …``: the staffing planner from the command line. ``plan erlang`` is the maths
alone (no app, no database); ``plan staffing`` plans the desk from its database."""
from __future__ import annotations

import json
import math

import click
from flask.cli import with_appcontext

from inquiry.planning.erlang import agents_for


class _Number(click.FloatRange):
    """A FloatRange that also refuses nan and inf (which compare false with every bound)."""

    def convert(self, value, param, ctx):
        number = click.FLOAT.convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return super().convert(number, param, ctx)


_ABANDONMENT_WARNING = 0.10
_POSITIVE = _Number(min=0, min_open=True)
_NON_NEGATIVE = _Number(min=0)
_OPEN_SHARE = _Number(min=0, max=1, min_open=True, max_open=True)


@click.group("plan", help="Staffing planner: agents needed per interval, and how many to schedule.")
def plan_cli() -> None:
    pass


@plan_cli.command("erlang")
@click.option("--arrivals", type=_NON_NEGATIVE, required=True, help="Contacts arriving in one interval.")
@click.option("--interval", type=_POSITIVE, default=1800, show_default=True, help="Interval length, seconds.")
@click.option("--aht", type=_POSITIVE, required=True, help="Average handle time, seconds.")
@click.option("--target", type=_OPEN_SHARE, required=True, help="Service-level target, e.g. 0.8 for 80 %.")
@click.option("--answer-within", type=_NON_NEGATIVE, required=True, help="Service-level threshold, seconds.")
@click.option("--shrinkage", type=_Number(min=0, max=1, max_open=True), default=0.0, show_default=True,
              help="Share of paid time off the queue (breaks, training, leave).")
@click.option("--max-occupancy", type=_Number(min=0, max=1, min_open=True), default=None,
              help="Cap on the share of agent time spent on contacts, e.g. 0.85.")
@click.option("--patience", type=_POSITIVE, default=None,
              help="Mean seconds before a waiting contact gives up: switches to Erlang A.")
@click.option("--max-abandonment", type=_Number(min=0, max=1, min_open=True), default=None,
              help="Erlang A only: cap on the share of contacts that give up.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def erlang_command(arrivals, interval, aht, target, answer_within, shrinkage, max_occupancy, patience,
                   max_abandonment, as_json):
    """Agents needed to answer TARGET of contacts within ANSWER-WITHIN seconds (Erlang C, or
    Erlang A with --patience), and how many to schedule after shrinkage."""
    if max_abandonment is not None and patience is None:
        raise click.UsageError("--max-abandonment needs --patience (Erlang C has no abandonment).")
    try:
        staffing = agents_for(arrivals, interval, aht, target, answer_within, max_occupancy, patience=patience,
                              shrinkage=shrinkage, max_abandonment=max_abandonment)
    except ValueError as error:  # a limit the options could not check alone
        raise click.UsageError(str(error)) from None
    out = staffing.as_dict()
    out.update(arrivals=arrivals, interval=interval, aht=aht, target=target, answer_within=answer_within,
               max_occupancy=max_occupancy, patience=patience, max_abandonment=max_abandonment)
    if as_json:  # JSON has no infinity: an unbounded figure is null
        click.echo(json.dumps({k: None if isinstance(v, float) and not math.isfinite(v) else v for k, v in out.items()}))
        return
    click.echo(_table(out))


def _table(out: dict) -> str:
    model = "Erlang A" if out["model"] == "erlang_a" else "Erlang C"
    rows = [
        ("model", f"{model}" + (f", mean patience {out['patience']:g} s" if out["patience"] else "")),
        ("traffic", f"{out['traffic_erlangs']:.2f} Erlangs ({out['arrivals']:g} contacts in {out['interval']:g} s, "
                    f"handle time {out['aht']:g} s)"),
        ("agents", f"{out['agents']}"),
        ("scheduled", f"{out['scheduled']} (shrinkage {out['shrinkage']:.0%})"),
        ("service level", f"{out['service_level']:.2%} within {out['answer_within']:g} s (target {out['target']:.2%})"),
        ("occupancy", f"{out['occupancy']:.2%}" + (f" (cap {out['max_occupancy']:.0%})" if out["max_occupancy"] else "")),
        ("wait probability", f"{out['wait_probability']:.2%}"),
        ("average wait", f"{out['asa_seconds']:.1f} s (answered contacts)"),
    ]
    if out["abandonment"] is not None:
        rows.append(("abandonment", f"{out['abandonment']:.2%}"))
        rows.append(("answered in time", f"{out['answered_within']:.2%} of all contacts"))
    width = max(len(label) for label, _ in rows)
    lines = [f"{label:<{width}}  {value}" for label, value in rows]
    if (out["abandonment"] or 0) > _ABANDONMENT_WARNING and out["max_abandonment"] is None:
        # The service level leaves out contacts that give up early; say so when that flatters it.
        lines.append(f"warning: {out['abandonment']:.0%} of contacts give up; consider --max-abandonment")
    return "\n".join(lines)


@plan_cli.command("staffing")
@click.option("--weeks", type=click.IntRange(1, 52), default=None,
              help="Weeks of history behind the forecast [PLANNING_WEEKS, 6].")
@click.option("--shrinkage", type=_Number(min=0, max=1, max_open=True), default=None,
              help="Share of paid time off the queue [PLANNING_SHRINKAGE, 0.30].")
@click.option("--patience", type=_POSITIVE, default=None,
              help="Mean seconds a waiting contact stays: Erlang A for minute-level targets.")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%dT%H:%M", "%Y-%m-%d"]), default=None,
              help="Plan as if it were this UTC time (default: now).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@with_appcontext
def staffing_command(weeks, shrinkage, patience, as_of, as_json):
    """Forecast arrivals per queue × language × hour-of-week, the agents and FTE they need, the
    annual cost against the frontline budget, and the SLA attainment the budget buys."""
    import datetime as dt

    from flask import current_app

    from inquiry.errors import InquiryError
    from inquiry.planning.staffing import PlanSettings, plan_staffing

    try:
        settings = PlanSettings.from_config(current_app.config, weeks=weeks, shrinkage=shrinkage, patience=patience)
    except InquiryError as error:  # a PLANNING_* setting out of range
        raise click.UsageError(error.message) from None
    now = as_of.replace(tzinfo=dt.timezone.utc) if as_of else None
    plan = plan_staffing(settings, now=now)
    if as_json:
        click.echo(json.dumps(plan.as_dict()))
        return
    click.echo(staffing_table(plan))


def _share(value) -> str:
    return "—" if value is None else f"{value:.1%}"


def staffing_table(plan) -> str:
    """The plan as plain text: one line per queue × language, the totals, the budget, the backtest."""
    s, money = plan.settings, (lambda v: f"{plan.currency} {v:,.0f}")
    lines = [f"Staffing plan from {plan.since:%Y-%m-%d} to {plan.until:%Y-%m-%d %H:%M} UTC ({s.weeks} weeks forecast, "
             f"shrinkage {s.shrinkage:.0%}, occupancy cap {s.max_occupancy:.0%})"]
    if plan.notice:
        return "\n".join(lines + [plan.notice])
    header = ("queue", "lang", "arrivals/wk", "AHT min", "model", "peak agents", "FTE", "annual cost")
    body = [(r.queue, r.language or "—", f"{r.weekly_arrivals:.1f}", f"{r.aht_seconds / 60:.1f}", r.model,
             str(r.peak_agents), f"{r.fte:.2f}", money(r.annual_cost)) for r in plan.rows]
    body.append(("total", "", f"{plan.weekly_arrivals:.1f}", "", "", "", f"{plan.total_fte:.2f}",
                 money(plan.total_cost)))
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    for line in [header, *body]:
        lines.append("  ".join(cell.ljust(w) if i < 2 or i == 4 else cell.rjust(w)
                               for i, (cell, w) in enumerate(zip(line, widths))).rstrip())
    verdict = "within" if plan.headroom >= 0 else "over"
    lines.append(f"frontline budget {money(plan.frontline_budget)} ({plan.frontline_share:.0%} of "
                 f"{money(plan.annual_budget)}): plan is {verdict} budget by {money(abs(plan.headroom))}")
    lines.append(f"SLA attainment: planned {_share(plan.planned_attainment)}; the budget buys "
                 f"{_share(plan.budget_attainment)} ({plan.budget_fte:.1f} FTE where they answer the most in time, "
                 f"{money(plan.budget_cost)})")
    for b in plan.backtests:
        error = b.note or f"WAPE {_share(b.wape)}, MAPE {_share(b.mape)}, bias {_share(b.bias)}"
        lines.append(f"backtest {b.queue}: {error}")
    return "\n".join(lines)
