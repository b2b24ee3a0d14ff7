"""Staff log-in and log-out.

The rules (password check, per-account lock, audit) live in ``auth.services.authenticate``; this
module adds what only the web side has: the form, a per-address throttle, session rotation and a
safe redirect after log-in.
"""
from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from inquiry.auth import bp, services
from inquiry.auth.forms import LoginForm
from inquiry.auth.models import User
from inquiry.errors import Forbidden
from inquiry.extensions import db, limiter, login_manager

log = logging.getLogger(__name__)


@login_manager.user_loader
def load_user(user_id: str):
    """The session's user; a disabled account loses its open sessions at the next request."""
    try:
        user = db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None
    return user if user is not None and user.is_active else None


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None (no open redirects).

    Only relative paths starting with a single "/" pass: "//evil.com", "/\\evil.com", absolute
    URLs and anything with control characters (which browsers strip, turning "/\\t/x" into
    "//x") are refused.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _fresh_session() -> None:
    """Drop everything the session held, including the CSRF token Flask-WTF cached for this
    request, so the next page hands out a token bound to the new session."""
    session.clear()
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], error_message="too many log-in attempts from your address")
def login():
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("tickets.index"))
    form = LoginForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                user = services.authenticate(form.email.data, form.password.data)
            except Forbidden as exc:
                # Keep the failure count (and any lock) the service just wrote.
                db.session.commit()
                form.form_errors.append(exc.message)
                status = 401
            else:
                # A fresh session at the privilege change: nothing from before log-in survives.
                _fresh_session()
                login_user(user, remember=bool(form.remember.data))
                db.session.commit()
                log.info("user %s logged in", user.id)
                return redirect(next_url or url_for("tickets.index"))
        else:
            status = 400
    return render_template("auth/login.html", form=form, next_url=next_url), status


@bp.post("/logout")
def logout():
    """Log out (POST only, CSRF-checked by CSRFProtect, so a link on another site cannot)."""
    was_logged_in = current_user.is_authenticated
    logout_user()
    _fresh_session()
    if was_logged_in:
        flash("You are logged out.", "success")
    return redirect(url_for("auth.login"))
