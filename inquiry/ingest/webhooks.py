"""The platforms' door: /hooks/<platform>/<account key>.

Authenticate on the raw bytes, check the payload's shape, store it verbatim and commit, then
acknowledge the way the platform expects. Nothing that got a 2xx can be lost; a delivery that
could not be stored gets a 5xx so the platform retries.
"""
from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, request
from sqlalchemy.exc import SQLAlchemyError

from inquiry.channels.base import Rejected, Reply, WebhookRequest
from inquiry.channels.health import record_rejection
from inquiry.channels.lookup import account_by_key
from inquiry.channels.registry import BRIDGE, adapter_for_account, uses_bridge
from inquiry.extensions import csrf, db, limiter
from inquiry.ingest import deliveries
from inquiry.ingest.models import Delivery
from inquiry.pages.errors import RETRY_AFTER_SECONDS, error_response, storage_failure

log = logging.getLogger(__name__)

bp = Blueprint("hooks", __name__, url_prefix="/hooks")
csrf.exempt(bp)
limiter.exempt(bp)


def _respond(reply: Reply) -> Response:
    return Response(reply.body, status=reply.status, content_type=reply.content_type)


@bp.route("/<platform>/<key>", methods=["GET", "POST"])
def receive_webhook(platform: str, key: str):
    # The body before the database: a slow client must not hold a transaction (on SQLite, whose
    # transactions begin IMMEDIATE, the write lock every other delivery waits for) while it dribbles.
    body = request.get_data(cache=True)
    account = account_by_key(key)
    if account is None or not account.is_enabled or platform != _route_name(account):
        return error_response(404, "no such channel account")
    adapter = adapter_for_account(account)
    hook = WebhookRequest(request.method, body, request.headers, request.args.to_dict())
    try:
        handshake = adapter.handshake(account, hook)
        if handshake is not None:
            return _respond(handshake)
        if request.method != "POST":
            return error_response(405, "webhooks are POSTed")
        adapter.authenticate(account, hook)
        parsed = adapter.parse(account, hook)
    except Rejected as exc:
        return _reject(account, exc)
    headers = {name: hook.header(name) for name in adapter.kept_headers if hook.header(name) is not None}
    try:
        delivery_id = deliveries.store_fast(account.id, hook, deliveries.dedupe_key(adapter, account, hook), headers)
    except SQLAlchemyError as exc:
        log.exception("could not store a %s delivery for account %s", platform, account.id)
        status, _message = storage_failure(exc) or (503, None)
        return error_response(status, "could not store the delivery; please retry",
                              headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    if delivery_id is not None and current_app.config["INGEST_INLINE"]:
        _process_now(delivery_id)
    return _respond(adapter.acknowledge(account, hook, parsed))


def _route_name(account) -> str:
    return BRIDGE if uses_bridge(account) else account.platform


def _process_now(delivery_id: int) -> None:
    """Inline mode: thread and classify before answering. A failure here loses nothing: the
    delivery is committed and the worker picks it up."""
    try:
        delivery = db.session.get(Delivery, delivery_id)
        deliveries.process(delivery)
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("inline processing of delivery %s failed; left for the worker", delivery_id)


def _reject(account, exc: Rejected):
    log.warning("rejected %s delivery for account %s: %s (%s)", account.platform, account.id, exc.reason, exc.status)
    try:
        record_rejection(account, exc.reason)
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
    return error_response(exc.status, exc.reason)
