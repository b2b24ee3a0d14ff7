"""``/reports/surges``: the surges the worker flagged, their sample messages and what to do
about them (behind the reports' supervisors-only guard).

The page reads the kept surges (``reports.surges``); it never clusters. ``?format=csv&table=surges``
downloads them. "Tag all" puts ``surge-<id>`` on the surge's tickets through the inbox's bulk
service (each ticket audited) and opens the inbox filtered on that tag.
"""
from __future__ import annotations

import datetime as dt

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from inquiry import taxonomy
from inquiry.dbtypes import utcnow
from inquiry.errors import InquiryError, NotFound
from inquiry.extensions import db
from inquiry.reports import bp, surges
from inquiry.reports.models import Surge
from inquiry.reports.views import _csv_response, requested_table
from inquiry.tickets import bulk

SHOW_ENDED = dt.timedelta(days=7)


def canned_reply_url(surge: Surge) -> str:
    """The canned reply form, prefilled for this surge: title, shortcut, topic and its languages."""
    languages = [code for code, _n in surge.languages or [] if code in taxonomy.LANGUAGES] or ["en"]
    title = f"Reply to {surge.tag}" + (f" ({surge.topic})" if surge.topic else "")
    return url_for("canned.new", title=title, shortcut=surge.tag, topic=surge.topic or "", language=languages)


def surge_context(surge_rows: list[Surge]) -> dict:
    """What the surge tables of the dashboard and the surges page need besides the rows."""
    return {"surges": surge_rows, "surge_samples": surges.samples(surge_rows), "canned_reply_url": canned_reply_url,
            "channel_name": lambda slug: taxonomy.CHANNELS.get(slug, slug)}


@bp.get("/surges")
def surges_page():
    """Current surges, and those ended in the last week; or them all as CSV."""
    now = utcnow()
    rows = surges.current(ended_within=SHOW_ENDED, now=now)
    if requested_table(("surges",)) is not None:
        return _surges_csv(rows, now)
    return render_template("reports/surges.html", now=now, **surge_context(rows),
                           check_minutes=_minutes("SURGE_CHECK_MINUTES"),
                           window_minutes=_minutes("SURGE_WINDOW_MINUTES"))


def _minutes(setting: str) -> int:
    return int(float(current_app.config[setting]))


@bp.post("/surges/tag")
def tag_surge():
    """Tag the surge's tickets ``surge-<id>`` (a ticket that refuses is reported, the rest tagged)."""
    form = FlaskForm()
    back = url_for("reports.surges_page")
    if not form.validate_on_submit():
        flash("The form could not be read; please try again.", "error")
        return redirect(back, code=303)
    raw = request.form.get("surge", "")
    surge = db.session.get(Surge, int(raw)) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else None
    if surge is None:
        raise NotFound("no such surge")
    done, failed = [], {}
    ids = surge.ticket_ids
    try:
        for start in range(0, len(ids), bulk.MAX_SELECTION):
            result = bulk.apply(ids[start:start + bulk.MAX_SELECTION], "tag", actor=current_user, tags=surge.tag)
            done += result.done
            failed.update(result.failed)
        db.session.commit()
    except InquiryError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(back, code=303)
    flash(f"{len(done)} ticket(s) tagged {surge.tag}.", "success")
    if failed:
        some = "; ".join(f"{ref}: {why}" for ref, why in list(failed.items())[:5])
        flash(f"{len(failed)} could not be tagged: {some}", "error")
    return redirect(url_for("tickets.index", view="all", tag=surge.tag), code=303)


def _stamp(value: dt.datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value else ""


def _surges_csv(rows: list[Surge], now: dt.datetime):
    texts = surges.samples(rows)
    header = ["surge", "status", "size", "baseline_per_window", "first_seen", "last_seen", "detected", "ended",
              "topic", "channels", "languages", "samples", "references"]
    out = [[s.tag, "ended" if s.ended_at else "active", s.size, f"{s.baseline:.2f}", _stamp(s.first_seen_at),
            _stamp(s.last_seen_at), _stamp(s.detected_at), _stamp(s.ended_at), s.topic or "",
            " ".join(f"{c}:{n}" for c, n in s.channels or []), " ".join(f"{c}:{n}" for c, n in s.languages or []),
            " | ".join(x.text for x in texts.get(s.id, [])), " ".join(s.references)]
           for s in rows]
    return _csv_response(header, out, f"surges-{now:%Y-%m-%d}.csv")
