"""Staff ticket pages: the list of one's queues and a ticket with its conversation and actions.

Views stay thin: find the ticket through ``access.require_ticket`` (404 outside one's queues),
call the service, commit once, redirect. A refused action re-renders the page with its 4xx.
"""
from __future__ import annotations

import datetime as dt

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from inquiry import taxonomy
from inquiry.auth import access
from inquiry.auth.models import User
from inquiry.dbtypes import utcnow
from inquiry.errors import InquiryError, Invalid, NotFound
from inquiry.extensions import db
from inquiry.outbound import services as outbound_rules
from inquiry.tickets import bp, inbox, presence, queries, services
from inquiry.tickets.forms import (
    AssignForm,
    BulkForm,
    ClaimForm,
    EscalateForm,
    LabelsForm,
    MergeForm,
    TagsForm,
    choices,
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


def until(when: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """"in 12 min" / "5 min overdue" for a deadline."""
    if when is None:
        return ""
    seconds = int((when - (now or utcnow())).total_seconds())
    span = abs(seconds)
    text = (f"{span // 60} min" if span < 3600 else f"{span // 3600} h {span % 3600 // 60:02d}" if span < 86400
            else f"{span // 86400} d")
    return f"{text} overdue" if seconds < 0 else f"in {text}"


@bp.context_processor
def _helpers():
    return {
        "ago": ago,
        "until": until,
        "status_label": status_label,
        "channel_name": lambda slug: taxonomy.CHANNELS.get(slug, slug),
    }


def _inbox_state():
    """What the inbox shows for this request: view, filters, page; shared by the page and its refresh."""
    form = TicketFilterForm(formdata=request.args)
    queues = queries.visible_queues(current_user)
    form.set_queues(queues)
    filters = form.filters()
    extra = {name: form[name].data for name in form.EXTRA if form[name].data}
    view_name = request.args.get("view") or None
    cursor = request.args.get("cursor") or None
    limit = request.args.get("limit") or None
    status, error = 200, None
    page = inbox.InboxPage([], [], None)
    view = inbox.View("mine")
    try:
        view = inbox.View.parse(view_name, filters.get("queue"), current_user)
        page = inbox.list_view(current_user, view, queries.TicketFilters.from_mapping(filters),
                               due=extra.get("due"), tag=extra.get("tag"), cursor=cursor, limit=limit)
    except InquiryError as exc:
        status, error = exc.status, exc.message
        for name, problems in exc.fields.items():
            if name in form:
                form[name].errors = list(problems)
    counts = inbox.view_counts(current_user)
    args = {**filters, **extra, **({"view": view.name} if view.name != "queue" else {}),
            **({"limit": limit} if limit else {})}
    return dict(form=form, queues=queues, view=view, page=page, counts=counts, error=error, args=args,
                cursor=cursor, status=status)


@bp.get("/")
@login_required
def index():
    state = _inbox_state()
    page, args = state["page"], state["args"]
    presence.seen(current_user)
    html = render_template(
        "tickets/index.html",
        **state,
        queue_counts=dict((q.id, n) for q, n in queries.queue_counts(current_user)),
        bulk_form=_bulk_form(),
        is_first_page=state["cursor"] is None,
        newest_url=url_for("tickets.index", **args),
        older_url=url_for("tickets.index", **args, cursor=page.next_cursor) if page.next_cursor else None,
        fingerprint=inbox.fingerprint(page, state["counts"]),
        refresh_url=url_for("tickets.refresh", **args, **({"cursor": state["cursor"]} if state["cursor"] else {})),
        now=utcnow(),
    )
    db.session.commit()  # after rendering: a commit first would expire and reload every listed ticket
    return html, state["status"]


@bp.get("/refresh")
@login_required
def refresh():
    """The inbox's rows and counts as they are now, for the page to swap in without a reload."""
    state = _inbox_state()
    page = state["page"]
    fingerprint = inbox.fingerprint(page, state["counts"])
    presence.seen(current_user)
    body = {"fingerprint": fingerprint, "counts": state["counts"]}
    if request.args.get("known") != fingerprint:
        body["rows"] = render_template("tickets/_rows.html", page=page, now=utcnow(), view=state["view"])
    db.session.commit()  # after rendering, for the same reason as the inbox
    return jsonify(body), state["status"]


@bp.get("/next")
@login_required
def next_ticket():
    """Open the ticket most due: one's own first, then the unassigned ones of one's queues."""
    ticket = inbox.next_due(current_user)
    if ticket is None:
        flash("Nothing is waiting for you.", "success")
        return redirect(url_for("tickets.index"))
    return redirect(url_for("tickets.detail", reference=ticket.reference))


def _bulk_form() -> BulkForm:
    form = BulkForm(formdata=None, prefix="bulk")
    people = queries.assignable_people(current_user) if access.is_supervisor(current_user) else [current_user]
    form.assignee.choices = choices([("", "Nobody (unassign)")] + [(str(u.id), u.name) for u in people])
    return form


def _visible_ticket(reference: str) -> Ticket:
    """The ticket behind ``reference`` if the current user may see it; NotFound otherwise."""
    canonical = normalise_reference(reference)
    if canonical is None:
        raise NotFound("no such ticket")
    return access.require_ticket(current_user, queries.ticket_by_reference(canonical))


def _render_detail(ticket: Ticket, status: int = 200, submitted: tuple[str, object] | None = None, *,
                   new_inbound: bool = False):
    """The ticket page. ``submitted`` (name, form) shows a refused form again with what was typed."""
    forms = {
        "reply_form": ReplyForm(formdata=None),
        "note_form": NoteForm(formdata=None),
        "status_form": StatusForm(formdata=None),
        "assign_form": AssignForm(formdata=None, assignee=str(ticket.assignee_id or "")),
        "labels_form": LabelsForm(formdata=None, obj=ticket),
        "escalate_form": EscalateForm(formdata=None),
        "merge_form": MergeForm(formdata=None),
        "tags_form": TagsForm(formdata=None),
    }
    if submitted is not None:
        forms[submitted[0]] = submitted[1]
    forms["status_form"].set_current(services.TRANSITIONS[ticket.status])
    if access.is_supervisor(current_user):
        forms["assign_form"].set_people(queries.assignable_users(ticket))
    else:
        forms["assign_form"] = None
    latest_inbound = presence.latest_inbound_id(ticket)
    if not forms["reply_form"].seen_inbound_id.data or new_inbound:
        forms["reply_form"].seen_inbound_id.data = str(latest_inbound)
    include_all = request.args.get("all") == "1"
    related = queries.related_tickets(current_user, ticket)
    is_closed = ticket.status == TicketStatus.CLOSED
    presence.beat(ticket, current_user)
    max_text, window_ends = outbound_rules.reply_limits(ticket)
    html = render_template(
        "tickets/detail.html",
        ticket=ticket,
        **forms,
        is_closed=is_closed,
        can_claim=ticket.assignee_id is None and not is_closed,
        can_release=ticket.assignee_id == current_user.id and not is_closed,
        is_supervisor=access.is_supervisor(current_user),
        related=related,
        conversation=queries.conversation(ticket, related if include_all else []),
        include_all=include_all,
        viewers=presence.others(ticket, current_user),
        new_inbound=new_inbound,
        max_text=max_text,
        window_ends=window_ends,
        merged_into=db.session.get(Ticket, ticket.merged_into_id) if ticket.merged_into_id else None,
        now=utcnow(),
    )
    db.session.commit()  # the heartbeat, after rendering so the loaded rows are not reloaded
    return html, status


@bp.get("/<reference>")
@login_required
def detail(reference: str):
    ticket = _visible_ticket(reference)
    access.note_view(current_user, ticket, via="web")  # restricted queues: committed with the heartbeat
    return _render_detail(ticket)


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
    ticket = _visible_ticket(reference)
    seen = form.seen_inbound_id.data or ""
    latest = presence.latest_inbound_id(ticket)
    if form.validate_on_submit() and not form.send_anyway.data and seen.isdigit() and int(seen) < latest:
        # The sender wrote while the agent was typing: show the new message and ask first.
        flash("A new message arrived while you were writing. Read it, then send again or change your reply.",
              "error")
        form.seen_inbound_id.data = str(latest)
        return _render_detail(ticket, 409, ("reply_form", form), new_inbound=True)

    def action(t: Ticket) -> None:
        services.reply(t, form.reply.data, actor=current_user)
        if form.solve.data:
            services.change_status(t, TicketStatus.SOLVED, actor=current_user)

    return _act(reference, form, action, "Reply queued for delivery." + (" Ticket solved." if form.solve.data else ""),
                "reply_form")


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
