"""User pages: the list of staff, adding a user, editing one, a new password shown once.

Supervisors see the list and change agents' queues, languages, capacity and availability;
administrators do everything. The rules live in ``auth.management``; these views read the form,
call it, commit once and redirect, or show the form again with the 4xx it answered.
"""
from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from inquiry.admin import bp
from inquiry.admin.user_forms import ActionForm, EditUserForm, NewUserForm, language_codes
from inquiry.admin.views import supervisors_too
from inquiry.auth import management
from inquiry.auth.models import Role, User
from inquiry.dbtypes import utcnow
from inquiry.errors import Forbidden, InquiryError, Invalid
from inquiry.extensions import db
from inquiry.tickets.models import Queue

FORM_UNREADABLE = "The form could not be read; please check the fields."


def _queues() -> list[Queue]:
    return list(db.session.scalars(select(Queue).order_by(Queue.name)))


def _headline(exc: InquiryError) -> str:
    return "Nothing was saved: please correct the fields below." if exc.fields else f"Nothing was saved: {exc.message}."


def _unreadable_status(form) -> int:
    """400 for a missing or stale CSRF token, 422 for a field that cannot be read."""
    return 400 if form.meta.csrf and form.csrf_token.errors else 422


def _once(template: str, **context):
    """A page that shows a password: never cached, never kept in the history store."""
    response = make_response(render_template(template, **context))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/users")
@supervisors_too
def users():
    search = (request.args.get("q") or "").strip()[:100]
    query = select(User).options(selectinload(User.queues), selectinload(User.language_rows))
    if search:
        pattern = "%" + search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(func.lower(User.name).like(pattern, escape="\\"), User.email.like(pattern, escape="\\")))
    rows = db.session.scalars(query.order_by(User.is_enabled.desc(), func.lower(User.name), User.id)).all()
    return render_template("admin/users.html", users=rows, search=search, now=utcnow(),
                           can_manage=lambda user: management.can_manage(current_user, user),
                           is_admin=current_user.role == Role.ADMIN)


@bp.route("/users/new", methods=["GET", "POST"])
@supervisors_too  # so a supervisor gets the sentence below rather than the blueprint's bare 403
def new_user():
    if current_user.role != Role.ADMIN:
        raise Forbidden("only administrators add users")
    form = NewUserForm()
    form.set_queues(_queues())
    status, error = 200, None
    if form.is_submitted():
        if form.validate():
            try:
                user, password = management.add_user(
                    form.email.data or "", name=form.name.data, role=form.role.data or "",
                    password=form.password.data or None, queues=form.queues.data or [],
                    languages=language_codes(form.languages.data), capacity=form.capacity.data, actor=current_user)
                db.session.commit()
            except InquiryError as exc:
                db.session.rollback()
                form.show_problems(exc.fields)
                status, error = exc.status, _headline(exc)
            else:
                if password:
                    return _once("admin/password.html", user=user, password=password, created=True)
                flash(f"{user.name} can now log in with the password you chose.", "success")
                return redirect(url_for("admin.edit_user", user_id=user.id), code=303)
        else:
            status, error = _unreadable_status(form), FORM_UNREADABLE
    return render_template("admin/user_new.html", form=form, error=error), status


def _managed(user_id: int) -> User:
    user = management.get_user(user_id)
    if not management.can_manage(current_user, user):
        raise Forbidden("supervisors manage agents only")
    return user


def _render_edit(user: User, form: EditUserForm | None = None, status: int = 200, error: str | None = None):
    if form is None:
        form = EditUserForm(formdata=None, data={
            "name": user.name, "role": user.role.value, "is_enabled": "yes" if user.is_enabled else "no",
            "available": user.available, "capacity": user.capacity, "queues": [q.slug for q in user.queues],
            "languages": ", ".join(user.languages)})
    form.set_queues(_queues())
    return render_template("admin/user_edit.html", user=user, form=form, error=error,
                           fields=management.allowed_fields(current_user, user), action_form=ActionForm(formdata=None),
                           is_self=user.id == current_user.id, now=utcnow()), status


def _changes(form: EditUserForm) -> dict:
    """What the form asks to change: only the fields it sent (a supervisor's form has fewer);
    the service refuses those the user may not change."""
    sent = request.form
    changes = {
        "queues": form.queues.data or [],
        "languages": language_codes(form.languages.data),
        "capacity": form.capacity.data,  # None (blank) leaves it as it is
        "available": bool(form.available.data),
    }
    if "name" in sent:
        changes["name"] = form.name.data or ""
    if "role" in sent:
        changes["role"] = form.role.data or ""
    if "is_enabled" in sent:
        if form.is_enabled.data not in ("yes", "no"):
            raise Invalid("account state must be enabled or disabled", fields={"is_enabled": ["Choose one."]})
        changes["is_enabled"] = form.is_enabled.data == "yes"
    return changes


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@supervisors_too
def edit_user(user_id: int):
    user = _managed(user_id)
    if request.method == "GET":
        return _render_edit(user)
    form = EditUserForm()
    if not form.validate():
        return _render_edit(user, form, _unreadable_status(form), FORM_UNREADABLE)
    try:
        changed = management.update_user(user, actor=current_user, **_changes(form))
        db.session.commit()
    except InquiryError as exc:
        db.session.rollback()
        form.show_problems(exc.fields)
        return _render_edit(management.get_user(user_id), form, exc.status, _headline(exc))
    flash("Saved." if changed else "Nothing changed.", "success")
    return redirect(url_for("admin.edit_user", user_id=user.id), code=303)


@bp.post("/users/<int:user_id>/password")
@supervisors_too
def reset_password(user_id: int):
    user = _managed(user_id)
    if current_user.role != Role.ADMIN:
        raise Forbidden("only administrators reset passwords")
    if not ActionForm().validate_on_submit():
        abort(400, "The form could not be read; please try again.")
    password = management.reset_password(user, actor=current_user)
    db.session.commit()
    return _once("admin/password.html", user=user, password=password, created=False)


@bp.post("/users/<int:user_id>/totp-reset")
def reset_totp(user_id: int):
    """Administrators only (the blueprint's guard): switch off a user's two-factor log-in."""
    user = management.get_user(user_id)
    if not ActionForm().validate_on_submit():
        abort(400, "The form could not be read; please try again.")
    changed = management.reset_totp(user, actor=current_user)
    db.session.commit()
    flash(f"Two-factor log-in is off for {user.name}." if changed else "Two-factor log-in was not on.", "success")
    return redirect(url_for("admin.edit_user", user_id=user.id), code=303)
