"""Queue pages: every queue with its agents and open tickets, automatic assignment on or off,
restricted or not (administrators only), and which agents work it. Supervisors and
administrators; the rules are in ``auth.management``.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from inquiry.admin import bp
from inquiry.admin.user_forms import AutoAssignForm, QueueMembersForm, RestrictedForm
from inquiry.admin.views import supervisors_too
from inquiry.auth import management
from inquiry.auth.models import Role, User
from inquiry.errors import InquiryError
from inquiry.extensions import db
from inquiry.tickets.models import OPEN_STATUSES, Queue, Ticket


def _agents() -> list[User]:
    """Every agent, enabled first, by name: the people a queue page can add or remove."""
    return list(db.session.scalars(select(User).where(User.role == Role.AGENT)
                                   .order_by(User.is_enabled.desc(), func.lower(User.name), User.id)))


@bp.get("/queues")
@supervisors_too
def queues():
    rows = db.session.scalars(select(Queue).options(selectinload(Queue.members)).order_by(Queue.name)).all()
    open_counts = dict(db.session.execute(
        select(Ticket.queue_id, func.count(Ticket.id)).where(Ticket.status.in_(OPEN_STATUSES)).group_by(Ticket.queue_id)).all())
    return render_template("admin/queues.html", queues=rows, open_counts=open_counts,
                           form=AutoAssignForm(formdata=None), is_admin=current_user.role == Role.ADMIN)


@bp.post("/queues/<slug>/auto-assign")
@supervisors_too
def queue_auto_assign(slug: str):
    queue = management.get_queue(slug)
    form = AutoAssignForm()
    if not form.validate_on_submit():
        abort(400, "The form could not be read; please try again.")
    if form.auto_assign.data not in ("on", "off"):
        abort(422, "Automatic assignment is either on or off.")
    enabled = form.auto_assign.data == "on"
    management.set_auto_assign(queue, enabled, actor=current_user)
    db.session.commit()
    flash(f"Automatic assignment is {'on' if enabled else 'off'} for {queue.name}.", "success")
    return redirect(url_for("admin.queues"), code=303)


@bp.post("/queues/<slug>/restricted")
def queue_restricted(slug: str):
    """Administrators only (the blueprint's guard): a restricted queue's tickets are seen by its
    named members and nobody else."""
    queue = management.get_queue(slug)
    form = RestrictedForm()
    if not form.validate_on_submit():
        abort(400, "The form could not be read; please try again.")
    if form.is_restricted.data not in ("on", "off"):
        abort(422, "A queue is either restricted or not.")
    restricted = form.is_restricted.data == "on"
    management.set_restricted(queue, restricted, actor=current_user)
    db.session.commit()
    flash(f"{queue.name} is {'restricted: only its members see its tickets' if restricted else 'no longer restricted'}.",
          "success")
    return redirect(url_for("admin.queues"), code=303)


def _render_members(queue: Queue, form: QueueMembersForm | None = None, status: int = 200, error: str | None = None):
    agents = _agents()
    if form is None:
        form = QueueMembersForm(formdata=None, data={
            "members": [str(user.id) for user in queue.members if user.role == Role.AGENT]})
    form.set_agents(agents)
    others = [user for user in queue.members if user.role != Role.AGENT]
    return render_template("admin/queue_members.html", queue=queue, form=form, others=others, error=error), status


@bp.route("/queues/<slug>/members", methods=["GET", "POST"])
@supervisors_too
def queue_members(slug: str):
    queue = management.get_queue(slug)
    if request.method == "GET":
        return _render_members(queue)
    form = QueueMembersForm()
    if not form.validate():
        return _render_members(queue, form, 400 if form.meta.csrf and form.csrf_token.errors else 422,
                               "The form could not be read; please try again.")
    try:
        changed = management.set_queue_agents(queue, form.members.data or [], actor=current_user)
        db.session.commit()
    except InquiryError as exc:
        db.session.rollback()
        form.members.errors = list(exc.fields.get("members", [exc.message]))
        return _render_members(management.get_queue(slug), form, exc.status, f"Nothing was saved: {exc.message}.")
    flash("Members saved." if changed else "Nothing changed.", "success")
    return redirect(url_for("admin.queue_members", slug=queue.slug), code=303)
