"""GET /reports/router-quality: the router's held-out figures and live override rates, as the
supervisors' report page shows them (``inquiry.reports.router_quality``).

Supervisors and administrators only: an agent's token gets 403 even with the scope.
"""
from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from inquiry.api import responses as out
from inquiry.api.auth import current_user
from inquiry.api.routing import operation
from inquiry.auth import access
from inquiry.auth.models import Role
from inquiry.dbtypes import utcnow
from inquiry.reports import router_quality as quality

Head = Literal[quality.HEADS]


class LabelFigures(out.Out):
    label: str
    precision: float
    recall: float
    f1: float
    support: int = Field(description="held-out messages that truly carry this label")


class HeadFigures(out.Out):
    head: Head
    accuracy: float | None
    macro_f1: float | None
    labels: list[LabelFigures] = Field(description="empty when the model kept no per-label figures for this head")


class ModelFigures(out.Out):
    loaded: bool = Field(description="whether a model is loaded; without one every new ticket goes to triage")
    reason: str | None = Field(description="why there are no figures (no model, a corrupt one, unreadable metadata)")
    id: str | None
    version: str | None
    code_revision: str | None
    trained_at: dt.datetime | None
    examples: int | None = Field(description="labelled messages the model was fitted on")
    train_size: int | None = Field(description="messages the measured model was fitted on")
    held_out_size: int | None = Field(description="held-out messages the figures were measured on")
    corrections: int | None = Field(description="agents' corrections among the examples (retrained models)")
    heads: list[HeadFigures]
    urgent_recall: float | None
    urgent_precision: float | None
    triage_rate: float | None = Field(description="share of held-out messages below the thresholds")
    routed_accuracy: float | None = Field(description="topic and audience both right, among routed messages")
    thresholds: dict[str, float]
    current_id: str | None = Field(description="the model promoted on disk; differs from `id` until it is loaded")


class HeadOverridesOut(out.Out):
    head: Head
    routed: int = Field(description="tickets the router labelled (this head) and sent to a queue")
    changed: int = Field(description="of those, tickets whose label a person has since changed to another value")
    routed_rate: float | None
    triaged: int = Field(description="tickets the router sent to triage")
    labelled_in_triage: int = Field(description="of those, tickets on which a person has since set this head")
    triage_rate: float | None
    tickets: int
    overrides: int
    rate: float | None = Field(description="overrides / tickets; null when there were no tickets")


class OverrideWindowOut(out.Out):
    days: int
    since: dt.datetime
    until: dt.datetime
    heads: list[HeadOverridesOut]


class RouterQualityReport(out.Out):
    model: ModelFigures
    overrides: list[OverrideWindowOut] = Field(description="tickets opened in the last 7 and the last 30 days")


def _model(figures: quality.ModelQuality) -> ModelFigures:
    return ModelFigures(
        loaded=figures.is_loaded, reason=figures.reason, id=figures.model_id, version=figures.version,
        code_revision=figures.code_revision, trained_at=figures.trained_at, examples=figures.examples,
        train_size=figures.train_size, held_out_size=figures.held_out_size, corrections=figures.corrections,
        heads=[HeadFigures(head=h.head, accuracy=h.accuracy, macro_f1=h.macro_f1,
                           labels=[LabelFigures(label=x.label, precision=x.precision, recall=x.recall, f1=x.f1,
                                                support=x.support) for x in h.labels])
               for h in figures.heads],
        urgent_recall=figures.urgent_recall, urgent_precision=figures.urgent_precision,
        triage_rate=figures.triage_rate, routed_accuracy=figures.routed_accuracy,
        thresholds=dict(figures.thresholds), current_id=figures.current_id,
    )


def _window(window: quality.OverrideWindow) -> OverrideWindowOut:
    return OverrideWindowOut(days=window.days, since=window.since, until=window.until, heads=[
        HeadOverridesOut(head=h.head, routed=h.routed, changed=h.changed, routed_rate=h.routed_rate,
                         triaged=h.triaged, labelled_in_triage=h.labelled_in_triage, triage_rate=h.triage_rate,
                         tickets=h.tickets, overrides=h.overrides, rate=h.rate)
        for h in window.heads])


@operation("/reports/router-quality", "GET", scope="tickets:read", summary="Router quality",
           responses={200: ("The router's held-out figures and live override rates", RouterQualityReport)})
def router_quality_report():
    """The held-out precision, recall and F1 per label of the model in use (or why there is none),
    and per head how often people changed the router's labels on tickets opened in the last 7
    and 30 days. Supervisors and administrators only."""
    access.require_role(current_user(), Role.SUPERVISOR, Role.ADMIN)
    report = RouterQualityReport(model=_model(quality.model_quality()),
                                 overrides=[_window(w) for w in quality.override_windows(utcnow())])
    return report.model_dump(mode="json")
