"""What the rest of the product asks the router; the only module other features import from here.

The model is loaded lazily, once per process, from instance/models/. Without one (not trained
yet, missing or corrupt file) every prediction says why and carries no labels: intake keeps
working and the ticket goes to triage for a person to route.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Label:
    value: str | None = None
    confidence: float | None = None
    # The strongest terms behind the prediction, for the "why" shown to agents.
    why: tuple[str, ...] = ()


@dataclass(frozen=True)
class Prediction:
    topic: Label = field(default_factory=Label)
    audience: Label = field(default_factory=Label)
    priority: Label = field(default_factory=Label)
    language: Label = field(default_factory=Label)
    # False sends the ticket to triage instead of the audience queue.
    is_confident: bool = False
    # Why a prediction could not be made or was not trusted (shown on the health page).
    reason: str = ""


_lock = threading.Lock()
_state: dict = {"router": None, "instance": None, "error": None, "meta": None, "tried_at": 0.0}
# Without a model, look again this often (a model trained meanwhile is picked up without a restart).
RETRY_SECONDS = 60.0


def set_model(model, meta: dict | None = None) -> None:
    """Install the router this process predicts with (None: forget it and load again when asked)."""
    with _lock:
        _state.update(router=model, meta=meta, error=None, instance=None if model is None else "set")


def _router():
    from flask import current_app, has_app_context

    if _state["router"] is not None or not has_app_context():
        return _state["router"]
    instance = current_app.instance_path
    if _state["instance"] == instance and time.monotonic() - _state["tried_at"] < RETRY_SECONDS:
        return None  # tried here a moment ago; the error is remembered
    with _lock:
        if _state["router"] is None:
            from inquiry.classifier import store
            from inquiry.classifier.model import Router

            try:
                bundle, meta = store.load(instance)
                _state.update(router=Router(bundle, meta["thresholds"], meta["id"]), meta=meta, error=None)
                log.info("router %s loaded", meta["id"])
            except store.ModelFileError as exc:
                _state.update(error=str(exc))
                log.warning("no router: %s; new tickets go to triage", exc)
            _state["instance"], _state["tried_at"] = instance, time.monotonic()
    return _state["router"]


def predict(text: str, *, channel: str | None = None, language_hint: str | None = None) -> Prediction:
    """Labels for one message; never raises, whatever the text."""
    router = _router()
    if router is None:
        return Prediction(reason=_state["error"] or "no model loaded")
    try:
        return router.predict(text, channel=channel, language_hint=language_hint)
    except Exception:  # a broken model must not stop intake
        log.exception("classifier failed; routing to triage")
        return Prediction(reason="classifier error")


def status() -> dict:
    """For the health page: is a router loaded, which one, and if not, why."""
    router = _router()
    meta = _state["meta"] or {}
    return {"loaded": router is not None, "model": meta.get("id"), "reason": None if router else _state["error"] or "no model loaded"}
