"""The notifications page and the unread count in the top bar."""
from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from inquiry.extensions import db
from inquiry.notifications import bp, services


@bp.app_context_processor
def _unread():
    if current_user and current_user.is_authenticated:
        return {"unread_notifications": services.unread_count(current_user)}
    return {"unread_notifications": 0}


@bp.get("/")
@login_required
def index():
    return render_template("notifications/index.html", items=services.recent(current_user), form=FlaskForm())


@bp.post("/read")
@login_required
def read_all():
    form = FlaskForm()
    if form.validate_on_submit():
        services.mark_read(current_user)
        db.session.commit()
    return redirect(url_for("notifications.index"), code=303)
