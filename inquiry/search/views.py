"""GET /search: the search page of the staff workspace."""
from __future__ import annotations

from flask import render_template, request
from flask_login import current_user, login_required

from inquiry import taxonomy
from inquiry.dbtypes import utcnow
from inquiry.errors import InquiryError
from inquiry.search import bp, services
from inquiry.search.forms import SearchForm
from inquiry.tickets.forms import status_label
from inquiry.tickets.views import ago

MATCHED = {
    services.REFERENCE: "reference",
    services.MESSAGE_ID: "platform message id",
    services.CONVERSATION: "conversation",
    services.CONTACT: "contact",
    services.SUBJECT: "subject",
}


@bp.context_processor
def _helpers():
    return {"ago": ago, "status_label": status_label, "channel_name": lambda slug: taxonomy.CHANNELS.get(slug, slug)}


def matched_label(hit: services.Hit) -> str:
    """What a result matched, as the page says it: a message says which kind it was."""
    if hit.matched == services.MESSAGE and hit.message is not None:
        return {"inbound": "message", "outbound": "reply", "note": "internal note"}[hit.message.direction.value]
    return MATCHED.get(hit.matched, hit.matched)


@bp.get("/search")
@login_required
def index():
    """Without ``q`` an empty form; with it the matching tickets (a 422 and the form's message
    for an empty or overlong query)."""
    form = SearchForm(formdata=request.args)
    hits, error, status = [], None, 200
    searched = "q" in request.args
    if searched:
        try:
            hits = services.search_tickets(current_user, request.args.get("q"))
        except InquiryError as exc:
            status, error = exc.status, exc.message
            form.q.errors = list(exc.fields.get("q") or [exc.message])
    return render_template(
        "search/results.html", form=form, hits=hits, searched=searched and error is None,
        matched_label=matched_label, limit=services.MAX_RESULTS, now=utcnow(),
    ), status
