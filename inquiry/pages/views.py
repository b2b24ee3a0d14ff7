from flask import jsonify, redirect, url_for
from flask_login import current_user
from sqlalchemy import text

from inquiry.extensions import db, limiter
from inquiry.pages import bp


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("tickets.index"))
    return redirect(url_for("public.contact"))


@bp.get("/healthz")
@limiter.exempt
def health():
    """For load balancers: 200 when the database answers, 503 when it does not."""
    from inquiry.classifier import service as classifier

    router = classifier.status()  # intake works without it (triage), so it never makes this fail
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # the point is to report, not to raise
        return jsonify(status="unavailable", database=type(exc).__name__, router=router), 503
    return jsonify(status="ok", database="ok", router=router)
