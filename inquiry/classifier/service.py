"""What the rest of the product asks the router; the only module other features import from here.

Until a model is trained and loaded, every prediction says so and carries no labels: intake
keeps working and the ticket goes to triage for a person to route.
"""
from __future__ import annotations

import logging
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


_model = None


def set_model(model) -> None:
    """Install the model this process predicts with (the classifier package's loader calls it)."""
    global _model
    _model = model


def predict(text: str, *, channel: str | None = None, language_hint: str | None = None) -> Prediction:
    """Labels for one message; never raises, whatever the text."""
    if _model is None:
        return Prediction(reason="no model loaded")
    try:
        return _model.predict(text, channel=channel, language_hint=language_hint)
    except Exception:  # a broken model must not stop intake
        log.exception("classifier failed; routing to triage")
        return Prediction(reason="classifier error")
