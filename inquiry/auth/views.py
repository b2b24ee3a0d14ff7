"""Staff log-in and log-out.

The rules (password check, per-account lock, one-time codes, audit) live in ``auth.services`` and
``auth.totp``; this module adds what only the web side has: the forms, a per-address throttle,
session rotation and a safe redirect after log-in. An account with two-factor log-in is logged
in only after its code: between the two steps the session holds nothing but who is half-way.
"""
from __future__ import annotations

import logging
import time
from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from inquiry.auth import bp, services, totp
from inquiry.auth.forms import CodeForm, LoginForm
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


# Passwords and one-time codes share one per-address budget.
_throttled = limiter.shared_limit(_login_limit, scope="login", methods=["POST"],
                                  error_message="too many log-in attempts from your address")
# The session key of a log-in waiting for its one-time code, and how long it may wait.
PENDING = "totp_pending"
PENDING_SECONDS = 300


def _done(user: User, remember: bool, next_url: str | None):
    """Every factor passed: a fresh session at the privilege change (nothing from before log-in
    survives), then the log-in itself."""
    _fresh_session()
    login_user(user, remember=remember)
    db.session.commit()
    log.info("user %s logged in", user.id)
    return redirect(next_url or url_for("tickets.index"))


@bp.route("/login", methods=["GET", "POST"])
@_throttled
def login():
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("tickets.index"))
    form = LoginForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                user = services.verify_password(form.email.data, form.password.data)
            except Forbidden as exc:
                # Keep the failure count (and any lock) the service just wrote.
                db.session.commit()
                form.form_errors.append(exc.message)
                status = 401
            else:
                if user.has_totp:
                    # Not logged in yet: the session only remembers who is half-way, for a while.
                    _fresh_session()
                    session[PENDING] = {"user_id": user.id, "remember": bool(form.remember.data),
                                        "at": int(time.time())}
                    db.session.commit()
                    return redirect(url_for("auth.login_code", next=next_url), code=303)
                services.complete_login(user)
                return _done(user, bool(form.remember.data), next_url)
        else:
            status = 400
    return render_template("auth/login.html", form=form, next_url=next_url), status


def _pending() -> tuple[User, bool] | None:
    """The user whose password passed in this session a moment ago, and their "remember me"."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or not isinstance(pending.get("at"), int):
        return None
    if not 0 <= time.time() - pending["at"] <= PENDING_SECONDS:
        return None
    user = db.session.get(User, pending.get("user_id")) if isinstance(pending.get("user_id"), int) else None
    if user is None or not user.has_totp:
        return None
    return user, bool(pending.get("remember"))


@bp.route("/login/code", methods=["GET", "POST"])
@_throttled
def login_code():
    """Log-in's second step, for accounts with two-factor log-in: the code from the app."""
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("tickets.index"))
    pending = _pending()
    if pending is None:
        session.pop(PENDING, None)
        flash("Please log in again: the time for the code ran out.", "info")
        return redirect(url_for("auth.login", next=next_url))
    user, remember = pending
    form = CodeForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                totp.verify(user, form.code.data)
            except Forbidden as exc:
                db.session.commit()  # the failure count, any lock and the audit event
                if exc.code == "locked":
                    session.pop(PENDING, None)
                    login_form = LoginForm(formdata=None)
                    login_form.form_errors.append(exc.message)
                    return render_template("auth/login.html", form=login_form, next_url=next_url), 401
                form.form_errors.append(exc.message)
                status = 401
            else:
                return _done(user, remember, next_url)
        else:
            status = 400
    return render_template("auth/login_code.html", form=form, next_url=next_url), status


@bp.post("/logout")
def logout():
    """Log out (POST only, CSRF-checked by CSRFProtect, so a link on another site cannot)."""
    was_logged_in = current_user.is_authenticated
    logout_user()
    _fresh_session()
    if was_logged_in:
        flash("You are logged out.", "success")
    return redirect(url_for("auth.login"))
