"""Canned reply pages (supervisors and administrators) and the JSON the reply box asks for
(anyone who may see the ticket).

Views stay thin: form → ``canned.services`` → one commit → redirect. A refused save shows the
form again with its 4xx (422 for bad input, 409 for a shortcut already taken, 400 for a form
that cannot be read) and nothing written.
"""
from __future__ import annotations

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from inquiry import taxonomy
from inquiry.auth import access
from inquiry.canned import bp, services
from inquiry.canned.forms import ActionForm, CannedReplyForm
from inquiry.canned.models import CannedReply
from inquiry.errors import InquiryError, Invalid, NotFound
from inquiry.extensions import db
from inquiry.tickets import queries
from inquiry.tickets.models import Queue
from inquiry.tickets.references import normalise_reference

OFFER_ENDPOINT = "canned.offer"


@bp.before_request
def _staff_only():
    """The offer answers JSON (401 when logged out); the pages need a supervisor or an admin."""
    if not current_user.is_authenticated:
        if request.endpoint == OFFER_ENDPOINT:
            return jsonify(error={"code": "unauthorized", "message": "log in first", "fields": {}}), 401
        return current_app.login_manager.unauthorized()
    if request.endpoint != OFFER_ENDPOINT and not access.is_supervisor(current_user):
        abort(403, "Only supervisors and administrators manage canned replies.")
    return None


@bp.context_processor
def _helpers():
    return {"placeholders": services.PLACEHOLDERS, "text_direction": taxonomy.text_direction}


def _queues() -> list[Queue]:
    return list(db.session.scalars(select(Queue).order_by(Queue.name)))


def _form(**kwargs) -> CannedReplyForm:
    form = CannedReplyForm(**kwargs)
    form.set_queues(_queues())
    return form


def _fields(form: CannedReplyForm) -> dict:
    return {"title": form.title.data, "shortcut": form.shortcut.data, "variants": form.variant_pairs(),
            "queue": form.queue.data or None, "topic": form.topic.data or None}


def _render_form(form: CannedReplyForm, reply: CannedReply | None, status: int = 200, error: str | None = None):
    form.ensure_blank_row()
    return render_template("canned/form.html", form=form, reply=reply, error=error,
                           action_form=ActionForm(formdata=None)), status


def _save(form: CannedReplyForm, reply: CannedReply | None):
    """Validate, call the service, commit; or the form again with what went wrong."""
    if "add_language" in request.form:  # "Add a language": show one more empty row, save nothing
        if not form.validate_on_submit():
            return _render_form(form, reply, 400, "The form could not be read; please try again.")
        return _render_form(form, reply)
    if not form.validate_on_submit():
        status = 400 if form.meta.csrf and form.csrf_token.errors else 422
        return _render_form(form, reply, status, "The form could not be read; please check the fields.")
    try:
        if reply is None:
            reply = services.create_reply(**_fields(form), actor=current_user)
            changed = True
        else:
            changed = services.update_reply(reply, **_fields(form), actor=current_user)
        db.session.commit()
    except InquiryError as exc:
        db.session.rollback()
        form.show_problems(exc.fields)
        headline = "Nothing was saved: please correct the fields below." if exc.fields else f"Nothing was saved: {exc.message}."
        return _render_form(form, reply, exc.status, headline)
    flash("Canned reply saved." if changed else "Nothing changed.", "success")
    return redirect(url_for("canned.edit", reply_id=reply.id), code=303)


@bp.get("/")
def index():
    search = (request.args.get("q") or "").strip()[:100]
    return render_template("canned/index.html", replies=services.list_replies(search), search=search,
                           action_form=ActionForm(formdata=None))


@bp.route("/new", methods=["GET", "POST"])
def new():
    if request.method == "GET":
        return _render_form(_form(data=_prefill(request.args)), None)
    return _save(_form(), None)


def _prefill(args) -> dict:
    """A new reply's fields from the query string (e.g. the surges page's "Write one canned reply"):
    title, shortcut, topic, queue and one empty row per ``language``. Only shown; the save checks them."""
    languages = [code for code in args.getlist("language") if code in taxonomy.LANGUAGES][:10] or ["en"]
    topic = args.get("topic", "")
    return {"title": args.get("title", "")[:120], "shortcut": args.get("shortcut", "")[:40],
            "topic": topic if topic in taxonomy.TOPICS else "", "queue": args.get("queue", "")[:40],
            "variants": [{"language": code, "body": ""} for code in dict.fromkeys(languages)]}


def _initial(reply: CannedReply) -> dict:
    return {"title": reply.title, "shortcut": reply.shortcut, "queue": reply.queue.slug if reply.queue else "",
            "topic": reply.topic or "", "variants": [{"language": v.language, "body": v.body} for v in reply.variants]}


@bp.route("/<int:reply_id>", methods=["GET", "POST"])
def edit(reply_id: int):
    reply = services.get_reply(reply_id)
    if request.method == "GET":
        return _render_form(_form(formdata=None, data=_initial(reply)), reply)
    return _save(_form(), reply)


def _switch(reply_id: int, enabled: bool):
    reply = services.get_reply(reply_id)
    if not ActionForm().validate_on_submit():
        abort(400, "The form could not be read; please try again.")
    services.set_enabled(reply, enabled, actor=current_user)
    db.session.commit()
    flash(f"“{reply.title}” is {'enabled: agents are offered it again' if enabled else 'disabled: agents are no longer offered it'}.",
          "success")
    back = url_for("canned.index") if request.form.get("back") == "list" else url_for("canned.edit", reply_id=reply.id)
    return redirect(back, code=303)


@bp.post("/<int:reply_id>/enable")
def enable(reply_id: int):
    return _switch(reply_id, True)


@bp.post("/<int:reply_id>/disable")
def disable(reply_id: int):
    return _switch(reply_id, False)


def _json_error(exc: InquiryError):
    return jsonify(error={"code": exc.code, "message": exc.message, "fields": exc.fields}), exc.status


@bp.get("/offer/<reference>")
def offer(reference: str):
    """[{id, title, shortcut, language, languages, body}] for the ticket's reply box; 404 for a
    ticket the user may not see, 422 for ?language that is not an ISO 639-1 code."""
    try:
        canonical = normalise_reference(reference)
        if canonical is None:
            raise NotFound("no such ticket")
        ticket = access.require_ticket(current_user, queries.ticket_by_reference(canonical))
        language = (request.args.get("language") or "").strip().lower() or None
        if language is not None and language not in taxonomy.LANGUAGES:
            raise Invalid(f"unknown language {language[:20]!r}", fields={"language": ["an ISO 639-1 code, e.g. fr"]})
        offers = services.offer(ticket, current_user, language=language)
    except InquiryError as exc:
        return _json_error(exc)
    response = jsonify([o.as_dict() for o in offers])
    response.headers["Cache-Control"] = "no-store"  # bodies carry the sender's name
    return response
