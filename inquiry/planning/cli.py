"""``inquiry plan …``: the staffing planner's maths from the command line (no app, no database)."""
from __future__ import annotations

import json
import math

import click

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
