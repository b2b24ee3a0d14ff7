"""Staff ticket pages: the list of one's queues and a ticket with its conversation and actions.

Views stay thin: find the ticket through ``access.require_ticket`` (404 outside one's queues),
call the service, commit once, redirect. A refused action re-renders the page with its 4xx.
"""
from __future__ import annotations

import datetime as dt

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from inquiry import taxonomy
from inquiry.auth import access
from inquiry.auth.models import User
from inquiry.dbtypes import utcnow
from inquiry.errors import InquiryError, Invalid, NotFound
from inquiry.extensions import db
from inquiry.tickets import bp, queries, services
from inquiry.tickets.forms import (
    AssignForm,
    ClaimForm,
    NoteForm,
    ReplyForm,
    StatusForm,
    TicketFilterForm,
    status_label,
)
from inquiry.tickets.models import Ticket, TicketStatus
from inquiry.tickets.references import normalise_reference


def ago(when: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """"5 min ago"-style text for a UTC time (the exact time goes in the <time> element)."""
    if when is None:
        return ""
    seconds = int(((now or utcnow()) - when).total_seconds())
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    if seconds < 30 * 86400:
        return f"{seconds // 86400} d ago"
    return when.strftime("%Y-%m-%d")


@bp.context_processor
def _helpers():
    return {
        "ago": ago,
        "status_label": status_label,
        "channel_name": lambda slug: taxonomy.CHANNELS.get(slug, slug),
    }


@bp.get("/")
@login_required
def index():
    counts = queries.queue_counts(current_user)
    form = TicketFilterForm(formdata=request.args)
    form.set_queues(queue for queue, _ in counts)
    filters = form.filters()
    cursor = request.args.get("cursor") or None
    limit = request.args.get("limit") or None
    status, error, page = 200, None, queries.TicketPage([], None)
    try:
        page = queries.list_tickets(current_user, filters, limit=limit, cursor=cursor)
    except InquiryError as exc:
        status, error = exc.status, exc.message
        for name, problems in exc.fields.items():
            if name in form:
                form[name].errors = list(problems)
    page_args = {**filters, **({"limit": limit} if limit else {})}
    return render_template(
        "tickets/index.html",
        form=form,
        tickets=page.items,
        counts=counts,
        error=error,
        is_first_page=cursor is None,
        newest_url=url_for("tickets.index", **page_args),
        older_url=url_for("tickets.index", **page_args, cursor=page.next_cursor) if page.next_cursor else None,
        active_queue=filters.get("queue"),
        now=utcnow(),
    ), status


def _visible_ticket(reference: str) -> Ticket:
    """The ticket behind ``reference`` if the current user may see it; NotFound otherwise."""
    canonical = normalise_reference(reference)
    if canonical is None:
        raise NotFound("no such ticket")
    return access.require_ticket(current_user, queries.ticket_by_reference(canonical))


def _render_detail(ticket: Ticket, status: int = 200, submitted: tuple[str, object] | None = None):
    """The ticket page. ``submitted`` (name, form) shows a refused form again with what was typed."""
    forms = {
        "reply_form": ReplyForm(formdata=None),
        "note_form": NoteForm(formdata=None),
        "status_form": StatusForm(formdata=None),
        "assign_form": AssignForm(formdata=None, assignee=str(ticket.assignee_id or "")),
    }
    if submitted is not None:
        forms[submitted[0]] = submitted[1]
    forms["status_form"].set_current(services.TRANSITIONS[ticket.status])
    if access.is_supervisor(current_user):
        forms["assign_form"].set_people(queries.assignable_users(ticket))
    else:
        forms["assign_form"] = None
    is_closed = ticket.status == TicketStatus.CLOSED
    return render_template(
        "tickets/detail.html",
        ticket=ticket,
        **forms,
        is_closed=is_closed,
        can_claim=ticket.assignee_id is None and not is_closed,
        can_release=ticket.assignee_id == current_user.id and not is_closed,
        now=utcnow(),
    ), status


@bp.get("/<reference>")
@login_required
def detail(reference: str):
    return _render_detail(_visible_ticket(reference))


def _act(reference: str, form, action, done: str, form_key: str | None = None):
    """Run one service action on a visible ticket: commit and redirect, or re-render with the 4xx.

    The ticket is looked up (and access checked) before anything else, so a ticket outside the
    user's queues answers 404 to every action, whatever the form holds.
    """
    ticket = _visible_ticket(reference)
    submitted = (form_key, form) if form_key else None
    if not form.validate_on_submit():
        flash("The form could not be read; please try again.", "error")
        return _render_detail(ticket, 400, submitted)
    try:
        action(ticket)
        db.session.commit()
    except InquiryError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _render_detail(ticket, exc.status, submitted)
    flash(done, "success")
    return redirect(url_for("tickets.detail", reference=ticket.reference), code=303)


@bp.post("/<reference>/reply")
@login_required
def reply(reference: str):
    form = ReplyForm()
    return _act(reference, form, lambda t: services.reply(t, form.reply.data, actor=current_user),
                "Reply queued for delivery.", "reply_form")


@bp.post("/<reference>/note")
@login_required
def note(reference: str):
    form = NoteForm()
    return _act(reference, form, lambda t: services.add_note(t, form.note.data, actor=current_user),
                "Note added.", "note_form")


@bp.post("/<reference>/claim")
@login_required
def claim(reference: str):
    return _act(reference, ClaimForm(), lambda t: services.claim(t, actor=current_user), "The ticket is yours.")


@bp.post("/<reference>/status")
@login_required
def change_status(reference: str):
    form = StatusForm()
    return _act(reference, form, lambda t: services.change_status(t, form.status.data or "", actor=current_user),
                "Status changed.", "status_form")


def _person(value: str | None) -> User | None:
    """The user an assign form names ("" means nobody); Invalid for anything else."""
    if not value:
        return None
    is_id = value.isascii() and value.isdigit() and len(value) <= 9  # within a 32-bit key
    user = db.session.get(User, int(value)) if is_id else None
    if user is None:
        raise Invalid("no such user", fields={"assignee": ["not a user"]})
    return user


@bp.post("/<reference>/assign")
@login_required
def assign(reference: str):
    form = AssignForm()

    def action(ticket: Ticket) -> None:
        services.assign(ticket, _person(form.assignee.data), actor=current_user)

    done = "Assignment changed." if form.assignee.data else "The ticket is unassigned."
    return _act(reference, form, action, done, "assign_form")
