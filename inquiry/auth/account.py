"""/account/security: a supervisor or administrator switches on two-factor log-in.

Setting up is three requests: "Set up" makes a secret (POST), the page shows it with its
otpauth:// URI and a QR code, and a first code from the app confirms it (POST). Once on, the
secret is never shown again; turning it off or moving to a new phone is an administrator's reset.
With REQUIRE_TOTP_FOR_STAFF, supervisors and administrators without it are sent here before
anything else (the API, with its own tokens, is not affected).
"""
from __future__ import annotations

from flask import current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from inquiry.auth import bp, totp
from inquiry.auth.forms import ActionForm, CodeForm
from inquiry.errors import Forbidden, InquiryError
from inquiry.extensions import db

# What a supervisor or administrator who must still enrol may reach.
OPEN_WHILE_ENROLLING = frozenset({"static", "auth.login", "auth.login_code", "auth.logout", "auth.security",
                                  "auth.security_start", "auth.security_confirm"})
# Blueprints that do not use the staff session (bearer tokens, platform webhooks).
SESSIONLESS = frozenset({"api", "hooks"})


@bp.before_app_request
def _enrol_first():
    """REQUIRE_TOTP_FOR_STAFF: supervisors and administrators without a second factor set it up
    before using anything else."""
    if not current_app.config.get("REQUIRE_TOTP_FOR_STAFF"):
        return None
    if request.endpoint is None or request.endpoint in OPEN_WHILE_ENROLLING or request.blueprint in SESSIONLESS:
        return None
    if not current_user.is_authenticated or not totp.must_enrol(current_user, True):
        return None
    if request.method in ("GET", "HEAD"):
        flash("Set up two-factor log-in to continue.", "info")
        return redirect(url_for("auth.security"))
    raise Forbidden("set up two-factor log-in first", code="totp_required")


def _page(code_form: CodeForm | None = None, status: int = 200, error: str | None = None):
    """The page, never cached: it may show the pending secret."""
    user = current_user
    pending = bool(user.totp_secret) and not user.has_totp
    uri = totp.provisioning_uri(user) if pending else None
    html = render_template(
        "auth/security.html", user=user, pending=pending, secret=user.totp_secret if pending else None, uri=uri,
        qr=totp.qr_svg(uri) if uri else None, code_form=code_form or CodeForm(formdata=None),
        action_form=ActionForm(formdata=None), error=error,
        required=current_app.config.get("REQUIRE_TOTP_FOR_STAFF", False))
    response = make_response(html, status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _staff_only() -> None:
    if not totp.may_enrol(current_user):
        raise Forbidden("two-factor log-in is for supervisors and administrators")


@bp.get("/account/security")
@login_required
def security():
    _staff_only()
    return _page()


@bp.post("/account/security/start")
@login_required
def security_start():
    """Make (or remake) the pending secret, then show it."""
    _staff_only()
    if not ActionForm().validate_on_submit():
        return _page(status=400, error="The form could not be read; please try again.")
    try:
        totp.begin(current_user)
        db.session.commit()
    except InquiryError as exc:
        db.session.rollback()
        return _page(status=exc.status, error=exc.message)
    return redirect(url_for("auth.security"), code=303)


@bp.post("/account/security/confirm")
@login_required
def security_confirm():
    _staff_only()
    form = CodeForm()
    if not form.validate_on_submit():
        return _page(form, 400 if form.meta.csrf and form.csrf_token.errors else 422, "Type the 6-digit code.")
    try:
        totp.confirm(current_user, form.code.data)
        db.session.commit()
    except InquiryError as exc:
        db.session.rollback()
        form.code.errors = list(exc.fields.get("code", []))
        return _page(form, exc.status, exc.message)
    flash("Two-factor log-in is on: from now on you will be asked for a code after your password.", "success")
    return redirect(url_for("auth.security"), code=303)
