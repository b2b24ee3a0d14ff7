"""Workspace actions beyond reply and status: correct labels, escalate, merge, tag, bulk, presence.

Thin like the other views: look the ticket up through ``_visible_ticket`` (404 outside one's
queues), call one service, commit once.
"""
from __future__ import annotations

from flask import flash, jsonify, redirect, request, url_for
from flask_login import current_user, login_required

from inquiry.errors import InquiryError, Invalid, NotFound
from inquiry.extensions import db
from inquiry.tickets import bp, bulk, escalation, merge, presence, queries, services, tags
from inquiry.tickets.forms import BulkForm, EscalateForm, LabelsForm, MergeForm, TagsForm
from inquiry.tickets.models import Ticket
from inquiry.tickets.references import normalise_reference
from inquiry.tickets.views import _act, _person, _visible_ticket
from inquiry.auth import access


@bp.post("/<reference>/labels")
@login_required
def labels(reference: str):
    form = LabelsForm()

    def action(ticket: Ticket) -> None:
        changed = form.changed(ticket)
        if not changed:
            raise Invalid("nothing changed", fields={"topic": ["pick a different label"]})
        services.update_labels(ticket, actor=current_user, **changed)

    response = _act(reference, form, action, "Labels corrected; the router will learn from it.", "labels_form")
    if getattr(response, "status_code", None) == 303:  # done; it may have left the user's queues (a tip)
        ticket = queries.ticket_by_reference(normalise_reference(reference) or "")
        if ticket is not None and not access.can_see_ticket(current_user, ticket):
            flash(f"{ticket.queue.name} now holds the ticket; you are not a member of that queue.", "success")
            return redirect(url_for("tickets.index"), code=303)
    return response


@bp.post("/<reference>/escalate")
@login_required
def escalate(reference: str):
    form = EscalateForm()
    return _act(reference, form, lambda t: escalation.escalate(t, form.reason.data, actor=current_user),
                "Escalated to the supervisors.", "escalate_form")


@bp.post("/<reference>/de-escalate")
@login_required
def de_escalate(reference: str):
    return _act(reference, EscalateForm(), lambda t: escalation.de_escalate(t, actor=current_user),
                "Escalation closed.")


@bp.post("/<reference>/merge")
@login_required
def merge_into(reference: str):
    form = MergeForm()

    def action(ticket: Ticket) -> None:
        canonical = normalise_reference(form.target.data or "")
        target = queries.ticket_by_reference(canonical) if canonical else None
        if target is None or not access.can_see_ticket(current_user, target):
            raise Invalid("no such ticket to merge into", fields={"target": ["a reference like INQ-ABCD-2345"]})
        merge.merge(ticket, target, actor=current_user)

    return _act(reference, form, action, "Merged.", "merge_form")


@bp.post("/<reference>/tags")
@login_required
def change_tags(reference: str):
    form = TagsForm()
    return _act(reference, form, lambda t: tags.change_tags(
        t, actor=current_user, add=tags.parse(form.add.data or ""), remove=tags.parse(form.remove.data or "")),
        "Tags saved.", "tags_form")


@bp.post("/bulk")
@login_required
def bulk_action():
    form = BulkForm(prefix="bulk")
    back = request.form.get("next") or url_for("tickets.index")
    if not back.startswith("/tickets"):
        back = url_for("tickets.index")
    if not form.validate_on_submit():
        flash("The form could not be read; please try again.", "error")
        return redirect(back, code=303)
    try:
        assignee = _person(form.assignee.data) if form.action.data == "assign" else None
        result = bulk.apply(form.ids.data or [], form.action.data or "", actor=current_user,
                            assignee=assignee, tags=form.tags.data or "")
        db.session.commit()
    except InquiryError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(back, code=303)
    if result.done:
        flash(f"{len(result.done)} ticket(s) updated.", "success")
    for ref, why in result.failed.items():
        flash(f"{ref}: {why}", "error")
    return redirect(back, code=303)


@bp.post("/<reference>/presence")
@login_required
def heartbeat(reference: str):
    """The ticket page's heartbeat: who else is here, and whether the sender wrote since."""
    ticket = _visible_ticket(reference)
    typing = request.form.get("typing") == "1" or (request.is_json and bool((request.get_json(silent=True) or {}).get("typing")))
    presence.beat(ticket, current_user, typing=typing)
    from inquiry.costs.activity import record_activity  # handle time for the cost ledger
    record_activity(ticket, current_user, typing=typing)
    db.session.commit()
    return jsonify(
        viewers=[{"name": v.name, "typing": v.typing} for v in presence.others(ticket, current_user)],
        latest_inbound_id=presence.latest_inbound_id(ticket),
        status=ticket.status.value,
        assignee=ticket.assignee.name if ticket.assignee else None,
    )


@bp.post("/<reference>/leave")
@login_required
def leave(reference: str):
    try:
        ticket = _visible_ticket(reference)
    except NotFound:
        return "", 204
    presence.leave(ticket, current_user)
    db.session.commit()
    return "", 204
