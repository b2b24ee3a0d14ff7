"""The public contact form, its one-time receipt, and the status page for senders.

The secret token exists in clear only between the submission and the next page: it travels
through the session for exactly one GET, is removed as it is shown, and pages that carry it are
never cached.
"""
from __future__ import annotations

import logging

from flask import current_app, flash, make_response, redirect, render_template, request, session, url_for

from inquiry import taxonomy
from inquiry.extensions import db, limiter
from inquiry.ingest.services import Outcome
from inquiry.public import bp, services
from inquiry.public.forms import ContactForm, FollowUpForm, StatusForm

log = logging.getLogger(__name__)

# Session slots, each read once by the page after a redirect.
RECEIPT_KEY = "public_receipt"
STATUS_GRANT_KEY = "public_status_grant"
STATUS_SCOPE = "public-status"  # look-ups and follow-ups share one budget against guessing


def _contact_limit() -> str:
    return current_app.config["CONTACT_RATE_LIMIT"]


def _status_limit() -> str:
    return current_app.config["STATUS_RATE_LIMIT"]


def _page_language(preferred: str | None = None) -> str:
    """?lang=xx when it is a known language, else ``preferred``, else English."""
    for code in ((request.args.get("lang") or "").strip().lower(), preferred):
        if code and code in taxonomy.LANGUAGES:
            return code
    return "en"


def _lang_args() -> dict[str, str]:
    """The ?lang of this request, to carry over to the page a redirect leads to."""
    lang = (request.args.get("lang") or "").strip().lower()
    return {"lang": lang} if lang in taxonomy.LANGUAGES else {}


def _render(template: str, http_status: int = 200, *, lang: str | None = None, secret: bool = False, **context):
    page_lang = _page_language(lang)
    page = render_template(template, page_lang=page_lang, page_dir=taxonomy.text_direction(page_lang), **context)
    response = make_response(page, http_status)
    if secret:  # a token is on the page: keep it out of caches and the back-forward history store
        response.headers["Cache-Control"] = "no-store"
    return response


def _to_receipt(reference: str, token: str | None, lang: str | None, continued_from: str | None = None):
    lang = lang if lang in taxonomy.LANGUAGES else None  # a bot's junk must not land in the cookie
    session[RECEIPT_KEY] = {"reference": reference, "token": token, "lang": lang, "continued_from": continued_from}
    return redirect(url_for("public.received", **_lang_args()))


@bp.route("/contact", methods=["GET", "POST"])
@limiter.limit(_contact_limit, methods=["POST"])
def contact():
    form = ContactForm()
    if request.method == "GET":
        return _render("public/contact.html", form=form)
    if form.is_bot:
        # Same answer as a success so the bot learns nothing; nothing is stored.
        log.info("honeypot filled on the contact form; submission dropped")
        reference, token = services.decoy_receipt()
        return _to_receipt(reference, token, form.chosen_language)
    if not form.validate():
        return _render("public/contact.html", 422, form=form)
    got = services.submit_inquiry(
        name=form.name.data,
        text=form.message.data,
        email=form.email.data,
        phone=form.phone.data,
        subject=form.subject.data,
        language=form.chosen_language,
    )
    db.session.commit()
    return _to_receipt(got.ticket.reference, got.public_token, form.chosen_language)


@bp.get("/contact/received")
def received():
    receipt = session.pop(RECEIPT_KEY, None)
    if not receipt:
        flash("Your secret token is shown only once. Enter your reference and token here to check your inquiry.",
              "info")
        return redirect(url_for("public.status", **_lang_args()))
    return _render("public/received.html", lang=receipt.get("lang"), secret=True, receipt=receipt)


@bp.route("/contact/status", methods=["GET", "POST"])
@limiter.shared_limit(_status_limit, scope=STATUS_SCOPE, methods=["POST"])
def status():
    form = StatusForm()
    if request.method == "GET":
        grant = session.pop(STATUS_GRANT_KEY, None)
        if grant:
            ticket = services.find_by_reference_and_token(grant["reference"], grant["token"])
            if ticket is not None:
                return _ticket_page(ticket, grant["token"])
        return _render("public/status.html", form=form)
    if not form.validate():
        return _render("public/status.html", 422, form=form)
    ticket = services.find_by_reference_and_token(form.reference.data, form.token.data)
    if ticket is None:
        return _no_match()
    return _ticket_page(ticket, form.token.data)


@bp.post("/contact/status/reply")
@limiter.shared_limit(_status_limit, scope=STATUS_SCOPE)
def follow_up():
    form = FollowUpForm()
    ticket = services.find_by_reference_and_token(form.reference.data, form.token.data)
    if ticket is None:
        return _no_match()
    if not form.validate():
        return _ticket_page(ticket, form.token.data, follow_up_form=form, http_status=422)
    got = services.add_follow_up(ticket, form.message.data)
    db.session.commit()
    lang = ticket.language if ticket.language in taxonomy.LANGUAGES else None
    if got.outcome == Outcome.CREATED:
        return _to_receipt(got.ticket.reference, got.public_token, lang, continued_from=ticket.reference)
    if got.ticket.id == ticket.id:
        flash("Thank you. Your message has been added to your inquiry.", "success")
    else:
        flash(f"This inquiry is closed, so your message was added to your newer inquiry {got.ticket.reference}. "
              "Check it with the token you were given for that one.", "info")
    session[STATUS_GRANT_KEY] = {"reference": ticket.reference, "token": form.token.data}
    return redirect(url_for("public.status", **_lang_args()))


def _no_match():
    """The one answer to a pair that proves nothing; the form comes back empty."""
    return _render("public/status.html", 404, form=StatusForm(formdata=None), no_match=services.NO_MATCH)


def _ticket_page(ticket, token: str, *, follow_up_form: FollowUpForm | None = None, http_status: int = 200):
    form = follow_up_form or FollowUpForm(formdata=None, reference=ticket.reference, token=token)
    return _render(
        "public/ticket.html",
        http_status,
        lang=ticket.language,
        secret=True,
        ticket=ticket,
        public_status=services.public_status(ticket),
        messages=services.public_messages(ticket),
        form=form,
    )
