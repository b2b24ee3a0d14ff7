"""Report pages: read-only, for supervisors and administrators (agents get 403, visitors the
log-in page).

``/reports/router`` shows the router's held-out quality and the live override rates; each of its
two tables downloads as CSV with ``?format=csv&table=quality`` or ``&table=overrides``.
"""
from __future__ import annotations

import csv
import io

from flask import Response, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from inquiry.auth import access
from inquiry.auth.models import Role
from inquiry.dbtypes import utcnow
from inquiry.errors import Invalid, NotFound
from inquiry.privacy.redact import redact
from inquiry.reports import bp, router_quality

FORMATS = ("html", "csv")
TABLES = ("quality", "overrides")
HEAD_NAMES = {"topic": "Topic", "audience": "Audience", "priority": "Priority", "language": "Language"}
THRESHOLD_NAMES = {
    "topic": "topic confidence to route",
    "audience": "audience confidence to route",
    "routed": "topic × audience confidence to route",
    "urgent": "urgent probability",
    "urgent_lexicon": "urgent probability with danger words",
}


@bp.before_request
def _supervisors_only():
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    access.require_role(current_user, Role.SUPERVISOR, Role.ADMIN)
    return None


def percent(value: float | None) -> str:
    """0.9312 → "93.1%"; no figure → a dash (nothing measured is not 0 %)."""
    return "—" if value is None else f"{value * 100:.1f}%"


def _fraction(value: float | None) -> str:
    """A rate in a CSV cell: a plain decimal a spreadsheet reads, empty when there is none."""
    return "" if value is None else f"{value:.4f}"


@bp.context_processor
def _helpers():
    return {"percent": percent, "head_name": lambda head: HEAD_NAMES.get(head, head),
            "threshold_name": lambda name: THRESHOLD_NAMES.get(name, name)}


@bp.get("/")
def index():
    return redirect(url_for("reports.router"))


@bp.get("/router")
def router():
    """The router's quality page, or one of its tables as CSV."""
    table = requested_table(TABLES)
    now = utcnow()
    if table is not None:
        if table == "quality":
            return _quality_csv(router_quality.model_quality())
        return _overrides_csv(router_quality.override_windows(now), now)
    return render_template("reports/router.html", quality=router_quality.model_quality(),
                           windows=router_quality.override_windows(now), now=now)


def requested_table(tables: tuple[str, ...]) -> str | None:
    """The table a ``?format=csv&table=…`` request asks for; None for the HTML page; 422 otherwise."""
    fmt = request.args.get("format", "html")
    if fmt not in FORMATS:
        raise Invalid(f"unknown format {fmt!r}", fields={"format": [f"one of {', '.join(FORMATS)}"]})
    if fmt == "html":
        return None
    table = request.args.get("table")
    if table not in tables:
        raise Invalid("say which table to download", fields={"table": [f"one of {', '.join(tables)}"]})
    return table


def _csv_response(header: list[str], rows: list[list], filename: str) -> Response:
    """A CSV download. Text cells are redacted: a download leaves the desk's access rules behind."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([redact(cell) if isinstance(cell, str) else cell for cell in row] for row in rows)
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _quality_csv(quality: router_quality.ModelQuality) -> Response:
    if not quality.has_figures:
        raise NotFound(f"there are no held-out figures to download: {quality.reason}")
    rows = [[quality.model_id, head.head, label.label, f"{label.precision:.4f}", f"{label.recall:.4f}",
             f"{label.f1:.4f}", label.support]
            for head in quality.heads for label in head.labels]
    return _csv_response(["model", "head", "label", "precision", "recall", "f1", "support"], rows,
                         f"router-quality-{quality.model_id}.csv")


def _overrides_csv(windows: list[router_quality.OverrideWindow], now) -> Response:
    rows = [[w.days, w.since.isoformat(timespec="seconds"), w.until.isoformat(timespec="seconds"), h.head,
             h.routed, h.changed, _fraction(h.routed_rate), h.triaged, h.labelled_in_triage, _fraction(h.triage_rate),
             h.tickets, h.overrides, _fraction(h.rate)]
            for w in windows for h in w.heads]
    header = ["days", "since", "until", "head", "routed", "changed", "routed_override_rate", "triaged",
              "labelled_in_triage", "triage_override_rate", "tickets", "overrides", "override_rate"]
    return _csv_response(header, rows, f"router-overrides-{now:%Y-%m-%d}.csv")
