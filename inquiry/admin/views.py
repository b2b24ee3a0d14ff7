"""Channel account pages: every account with its health, adding, editing, switching on and off,
and a new webhook key. (The user and queue pages, in ``users.py`` and ``queues.py``, share the
blueprint and its guard below.)

Administrators only: agents and supervisors get 403, visitors who are not logged in the log-in
page. Views stay thin (form → ``channels.services`` → one commit → redirect); a refused change
shows the page again with its 4xx and nothing written. Credentials are never put in a page: the
secret inputs never echo, errors from platforms are redacted, sensitive options are masked.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from inquiry import taxonomy
from inquiry.admin import bp
from inquiry.admin.forms import ActionForm, EditAccountForm, NewAccountForm, RotateKeyForm
from inquiry.auth import access
from inquiry.auth.models import Role
from inquiry.channels import health, services
from inquiry.channels.models import ChannelAccount
from inquiry.dbtypes import utcnow
from inquiry.errors import Conflict, InquiryError, NotFound
from inquiry.extensions import db
from inquiry.tickets.views import ago

# Worst first: the list puts the accounts that need someone at the top.
STATE_ORDER = {"failing": 0, "attention": 1, "ok": 2}


# Endpoints supervisors may reach too (the user and queue pages, marked with ``supervisors_too``);
# each checks the finer rules through ``auth.management``. Everything else here is admins only.
SUPERVISOR_ENDPOINTS: set[str] = set()


def supervisors_too(view):
    SUPERVISOR_ENDPOINTS.add(f"{bp.name}.{view.__name__}")
    return view


@bp.before_request
def _admins_only():
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if request.endpoint in SUPERVISOR_ENDPOINTS:
        access.require_role(current_user, Role.SUPERVISOR, Role.ADMIN)
    else:
        access.require_role(current_user, Role.ADMIN)
    return None


@bp.context_processor
def _helpers():
    return {
        "ago": ago,
        "channel_name": lambda slug: taxonomy.CHANNELS.get(slug, slug),
        "keep_marker": services.KEEP,
    }


@dataclass
class Health:
    """``health.status`` of one account, made safe to show (credentials redacted)."""

    account: ChannelAccount
    state: str
    problems: list[str]
    rejections_24h: dict[str, int]
    last_outbound_error: str | None
    is_silent: bool
    rejections_7d: dict[str, int] = field(default_factory=dict)

    @property
    def rank(self) -> tuple:
        """Failing, then needing attention, then healthy; disabled after enabled; then by name."""
        a = self.account
        platform = taxonomy.CHANNELS.get(a.platform, a.platform).lower()
        return STATE_ORDER.get(self.state, 0), not a.is_enabled, platform, a.name.lower(), a.id


def _health(account: ChannelAccount, now: dt.datetime, *, week: bool = False) -> Health:
    summary = health.status(account, at=now)
    problems = [services.redact(account, problem) for problem in summary["problems"]]
    return Health(
        account=account,
        state=summary["state"],
        problems=problems,
        rejections_24h=summary["rejections_24h"],
        last_outbound_error=services.redact(account, summary["last_outbound_error"]),
        is_silent=any(problem.startswith("silent") for problem in problems),
        rejections_7d=health.recent_rejections(account, hours=24 * 7, at=now) if week else {},
    )


def _account(account_id: int) -> ChannelAccount:
    account = db.session.get(ChannelAccount, account_id)
    if account is None:
        raise NotFound("no such channel account")
    return account


def _commit(action):
    """Run a service action and commit once; on refusal roll back and raise the InquiryError."""
    try:
        result = action()
        db.session.commit()
    except InquiryError:
        db.session.rollback()
        raise
    except IntegrityError:  # another administrator saved the same external id a moment earlier
        db.session.rollback()
        raise Conflict("another account on this platform has that external account id",
                       fields={"external_account_id": ["already used by another account on this platform"]}) from None
    return result


def _headline(exc: InquiryError, outcome: str) -> str:
    """The sentence over a refused form; the field messages are listed under it."""
    return f"{outcome}: please correct the fields below." if exc.fields else f"{outcome}: {exc.message}."


@bp.get("/")
def index():
    return redirect(url_for("admin.channels"))


@bp.get("/channels")
def channels():
    now = utcnow()
    accounts = db.session.scalars(select(ChannelAccount)).all()
    rows = sorted((_health(account, now) for account in accounts), key=lambda row: row.rank)
    needing_care = sum(1 for row in rows if row.state != "ok")
    return render_template("admin/channels.html", rows=rows, needing_care=needing_care,
                           webhook_url=services.webhook_url, now=now)


@bp.route("/channels/new", methods=["GET", "POST"])
def new_channel():
    form = NewAccountForm()
    status, error = 200, None
    if form.is_submitted():
        if form.validate():
            try:
                account = _commit(lambda: services.add_account(
                    form.platform.data or "", actor=current_user,
                    **form.settings(), **form.credentials()))
            except InquiryError as exc:
                status, error = exc.status, _headline(exc, "The account was not added")
                form.show_problems(exc.fields)
            else:
                flash("Channel account added. Give the platform the webhook URL below.", "success")
                return redirect(url_for("admin.account", account_id=account.id), code=303)
        else:
            status, error = 422, "The form could not be read; please check the fields."
        form.hide_sensitive_options(None)
    return render_template("admin/new.html", form=form, error=error), status


def _initial(account: ChannelAccount) -> dict:
    return {
        "name": account.name,
        "external_account_id": account.external_account_id or "",
        "api_base_url": account.api_base_url or "",
        "default_language": account.default_language or "",
        "options": services.options_text(account.options),
    }


def _render_account(account: ChannelAccount, status: int = 200, *, edit_form=None, rotate_form=None,
                    error: str | None = None):
    now = utcnow()
    if edit_form is None:
        edit_form = EditAccountForm(formdata=None, data=_initial(account))
    else:
        edit_form.hide_sensitive_options(account.options)
    return render_template(
        "admin/account.html",
        account=account,
        health=_health(account, now, week=True),
        webhook_url=services.webhook_url(account),
        edit_form=edit_form,
        rotate_form=rotate_form or RotateKeyForm(formdata=None),
        action_form=ActionForm(formdata=None),
        error=error,
        now=now,
    ), status


@bp.get("/channels/<int:account_id>")
def account(account_id: int):
    return _render_account(_account(account_id))


@bp.post("/channels/<int:account_id>")
def update(account_id: int):
    account = _account(account_id)
    form = EditAccountForm()
    if not form.validate_on_submit():
        return _render_account(account, 422, edit_form=form, error="The form could not be read; please check the fields.")
    try:
        changed = _commit(lambda: services.update_account(
            account, actor=current_user, **form.settings(), **form.credentials()))
    except InquiryError as exc:
        form.show_problems(exc.fields)
        return _render_account(account, exc.status, edit_form=form, error=_headline(exc, "Nothing was saved"))
    flash("Saved." if changed else "Nothing changed.", "success")
    return redirect(url_for("admin.account", account_id=account.id), code=303)


def _switch(account_id: int, enabled: bool):
    account = _account(account_id)
    if not ActionForm().validate_on_submit():
        return _render_account(account, 400, error="The form could not be read; please try again.")
    _commit(lambda: services.set_enabled(account, enabled, actor=current_user))
    flash("The account is enabled: its webhook URL accepts deliveries." if enabled
          else "The account is disabled: its webhook URL answers 404 until it is enabled again.", "success")
    return redirect(url_for("admin.account", account_id=account.id), code=303)


@bp.post("/channels/<int:account_id>/enable")
def enable(account_id: int):
    return _switch(account_id, True)


@bp.post("/channels/<int:account_id>/disable")
def disable(account_id: int):
    return _switch(account_id, False)


@bp.post("/channels/<int:account_id>/rotate-key")
def rotate_key(account_id: int):
    account = _account(account_id)
    form = RotateKeyForm()
    if not form.validate_on_submit():
        return _render_account(account, 422, rotate_form=form, error="The webhook key was not changed.")
    _commit(lambda: services.rotate_key(account, actor=current_user))
    flash("New webhook URL made: the old one no longer works. Give the platform the new URL below.", "success")
    return redirect(url_for("admin.account", account_id=account.id), code=303)
