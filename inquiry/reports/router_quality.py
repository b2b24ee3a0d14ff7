"""The router's measured quality: the held-out figures of the model in use, and how often people
overrule it on live tickets.

Held-out figures are read from the model's metadata, written when it was trained
(``classifier.evaluation.report`` on messages it never saw). Override rates are counted in SQL
from the audit trail, which keeps what the ticket columns forget: ``ticket.created`` holds the
labels and the queue intake gave the ticket, and every correction is a ``ticket.relabelled``
event by a person, so the label people left as of any moment can be read back.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import String, and_, bindparam, case, cast, func, or_, select

from inquiry import taxonomy
from inquiry.audit.models import AuditEvent
from inquiry.classifier import service as classifier
from inquiry.classifier import store
from inquiry.errors import Invalid
from inquiry.extensions import db
from inquiry.tickets.models import LabelSource, Ticket

HEADS = ("topic", "audience", "priority", "language")
WINDOWS = (7, 30)  # days, as the report shows them

# Per-label rows in the taxonomy's order; anything else (a language, "none") after, by name.
_ORDER = {
    "topic": {slug: i for i, slug in enumerate(taxonomy.TOPICS)},
    "audience": {slug: i for i, slug in enumerate(taxonomy.AUDIENCES)},
    "priority": dict(taxonomy.PRIORITY_RANK),
    "language": {},
}


def rate(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to divide (shown as a dash, never as 0 %)."""
    return part / whole if whole else None


# --- held-out quality of the model in use ---------------------------------------------------


@dataclass(frozen=True)
class LabelQuality:
    label: str
    precision: float
    recall: float
    f1: float
    support: int  # held-out messages that truly carry this label


@dataclass(frozen=True)
class HeadQuality:
    head: str
    accuracy: float | None
    macro_f1: float | None
    # Empty when the model's metadata has no per-label figures for this head (language figures
    # are kept for models trained since the report existed).
    labels: tuple[LabelQuality, ...]


@dataclass(frozen=True)
class ModelQuality:
    """What the page and the CSV show about the model this process routes with."""

    is_loaded: bool
    # Why there are no figures: no model, a corrupt one, or metadata that cannot be read.
    reason: str | None = None
    model_id: str | None = None
    version: str | None = None
    code_revision: str | None = None
    trained_at: dt.datetime | None = None
    examples: int | None = None  # messages the model was finally fitted on
    train_size: int | None = None  # messages the measured model was fitted on
    held_out_size: int | None = None  # messages the figures were measured on
    corrections: int | None = None  # agents' corrections among the examples (retrained models)
    heads: tuple[HeadQuality, ...] = ()
    urgent_recall: float | None = None
    urgent_precision: float | None = None
    triage_rate: float | None = None
    routed_accuracy: float | None = None
    thresholds: tuple[tuple[str, float], ...] = ()
    # The model promoted on disk; differs from model_id until this process loads it again.
    current_id: str | None = None

    @property
    def has_figures(self) -> bool:
        return bool(self.heads)

    def head(self, name: str) -> HeadQuality | None:
        return next((h for h in self.heads if h.head == name), None)


def _number(value, kind=float):
    return None if value is None else kind(value)


def _head_quality(head: str, figures: dict) -> HeadQuality:
    order = _ORDER[head]
    per_label = figures.get("per_label") or {}
    labels = tuple(
        LabelQuality(label, float(row["precision"]), float(row["recall"]), float(row["f1"]), int(row["support"]))
        for label, row in sorted(per_label.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))
    )
    return HeadQuality(head, _number(figures.get("accuracy")), _number(figures.get("macro_f1")), labels)


def _from_metadata(meta: dict, current_id: str | None) -> ModelQuality:
    metrics = meta.get("metrics") or {}
    created = meta.get("created_at")
    return ModelQuality(
        is_loaded=True,
        model_id=meta.get("id"),
        version=meta.get("version"),
        code_revision=meta.get("code_revision"),
        trained_at=dt.datetime.fromisoformat(created) if created else None,
        examples=_number(meta.get("examples"), int),
        train_size=_number(metrics.get("train_size"), int),
        held_out_size=_number(metrics.get("held_out_size"), int),
        corrections=_number(metrics.get("corrections"), int),
        heads=tuple(_head_quality(head, metrics.get(head) or {}) for head in HEADS),
        urgent_recall=_number((metrics.get("priority") or {}).get("urgent_recall")),
        urgent_precision=_number((metrics.get("priority") or {}).get("urgent_precision")),
        triage_rate=_number(metrics.get("triage_rate")),
        routed_accuracy=_number(metrics.get("routed_accuracy")),
        thresholds=tuple((name, float(value)) for name, value in (meta.get("thresholds") or {}).items()),
        current_id=current_id,
    )


def model_quality() -> ModelQuality:
    """The held-out figures of the model this process routes with; without one, why not (the
    reason the health check gives). Loads the model if this process has not yet."""
    status = classifier.status()
    instance = current_app.instance_path
    current = store.current_id(instance)
    if not status["loaded"]:
        return ModelQuality(is_loaded=False, reason=status["reason"], current_id=current)
    try:
        meta = next((m for m in store.list_models(instance) if m.get("id") == status["model"]), None)
        if meta is None:
            return ModelQuality(is_loaded=True, model_id=status["model"], current_id=current,
                                reason=f"the metadata of model {status['model']} is not in {store.models_dir(instance)}")
        return _from_metadata(meta, current)
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:  # hand-edited or truncated JSON
        return ModelQuality(is_loaded=True, model_id=status["model"], current_id=current,
                            reason=f"the model metadata cannot be read: {type(exc).__name__}: {exc}")


# --- live override rates ---------------------------------------------------------------------


@dataclass(frozen=True)
class HeadOverrides:
    """One head over one window. A ticket counts at most once in each number."""

    head: str
    routed: int  # tickets the router labelled (this head) and sent to a queue
    changed: int  # … whose label for this head a person has since changed to another value
    triaged: int  # tickets the router sent to triage (unsure, or no model)
    labelled_in_triage: int  # … on which a person has since set this head

    @property
    def tickets(self) -> int:
        return self.routed + self.triaged

    @property
    def overrides(self) -> int:
        return self.changed + self.labelled_in_triage

    @property
    def rate(self) -> float | None:
        return rate(self.overrides, self.tickets)

    @property
    def routed_rate(self) -> float | None:
        return rate(self.changed, self.routed)

    @property
    def triage_rate(self) -> float | None:
        return rate(self.labelled_in_triage, self.triaged)


@dataclass(frozen=True)
class OverrideWindow:
    days: int
    since: dt.datetime
    until: dt.datetime
    heads: tuple[HeadOverrides, ...]


def _count(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def override_rates(now: dt.datetime, days: int) -> OverrideWindow:
    """Per head, over the tickets opened in the ``days`` before ``now``: how many the router
    labelled and routed and how many of those a person has since (up to ``now``) changed, and
    how many it sent to triage and how many of those a person has since labelled.

    "Changed" compares the router's label with the last one a person set: confirming the
    router's label, or putting it back, is not an override. In triage every label a person sets
    counts, since the router routed nothing. A head counts as the router's when intake gave the
    ticket the router's labels and that head's source is the router's (or a person's since);
    a language the sender chose, or a default, is not the router's.

    Where each label came from is read from ``ticket.created`` (it records ``sources``), so the
    report reads no ticket rows. Events written before intake recorded sources fall back to the
    ticket's current source; for those alone, a person's change to a language the sender chose
    (or a default) cannot be told from a correction and counts as a language override.
    """
    if days < 1:
        raise Invalid("the window must be at least one day", fields={"days": ["at least 1"]})
    since = now - dt.timedelta(days=days)
    after = AuditEvent.after
    opened = (
        select(AuditEvent.ticket_id.label("ticket_id"), after["queue"].as_string().label("queue"),
               after["reason"].as_string().label("reason"), *[after[head].as_string().label(head) for head in HEADS],
               *[after[("sources", head)].as_string().label(f"{head}_source") for head in HEADS])
        .where(AuditEvent.action == "ticket.created", AuditEvent.ticket_id.is_not(None),
               AuditEvent.created_at >= since, AuditEvent.created_at <= now)
        .cte("opened")
    )
    query = opened
    # Not routed by the router: triage, or a tip it sent to whistleblowing on its topic alone,
    # below its thresholds (a confident prediction records no reason).
    triaged = or_(opened.c.queue == taxonomy.TRIAGE_QUEUE,
                  and_(opened.c.queue == taxonomy.WHISTLEBLOWING_QUEUE, opened.c.reason.is_not(None)))
    columns = [_count(triaged).label("triaged")]
    for head in HEADS:
        value = after[head].as_string()
        # The label for this head a person set last, as of ``now`` (one row per ticket).
        ranked = (
            select(AuditEvent.ticket_id.label("ticket_id"), value.label("value"),
                   func.row_number().over(partition_by=AuditEvent.ticket_id,
                                          order_by=(AuditEvent.created_at.desc(), AuditEvent.id.desc())).label("n"))
            .where(AuditEvent.action == bindparam("relabelled", "ticket.relabelled", literal_execute=True),
                   AuditEvent.actor_kind == "user",
                   AuditEvent.ticket_id.in_(select(opened.c.ticket_id)), AuditEvent.created_at <= now,
                   value.is_not(None))
            .subquery(f"person_{head}")
        )
        query = query.outerjoin(ranked, and_(ranked.c.ticket_id == opened.c.ticket_id, ranked.c.n == 1))
        # The recorded source decides; COALESCE reads the ticket only for events that recorded none.
        current = (select(cast(getattr(Ticket, f"{head}_source"), String)).where(Ticket.id == opened.c.ticket_id)
                   .scalar_subquery())
        by_router = and_(
            opened.c.topic.is_not(None),  # intake applied the router's labels (a model was loaded)
            opened.c[head].is_not(None),
            func.coalesce(opened.c[f"{head}_source"] == LabelSource.CLASSIFIER.value,
                          current.in_([LabelSource.CLASSIFIER.value, LabelSource.AGENT.value])),
        )
        routed = and_(by_router, ~triaged)
        columns += [
            _count(routed).label(f"{head}_routed"),
            _count(and_(routed, ranked.c.value.is_not(None), ranked.c.value != opened.c[head])).label(f"{head}_changed"),
            _count(and_(triaged, ranked.c.value.is_not(None))).label(f"{head}_triage_labelled"),
        ]
    row = db.session.execute(select(*columns).select_from(query)).one()._mapping
    heads = tuple(
        HeadOverrides(head, int(row[f"{head}_routed"]), int(row[f"{head}_changed"]), int(row["triaged"]),
                      int(row[f"{head}_triage_labelled"]))
        for head in HEADS
    )
    return OverrideWindow(days=days, since=since, until=now, heads=heads)


def override_windows(now: dt.datetime) -> list[OverrideWindow]:
    """The windows the report shows: the last 7 and the last 30 days."""
    return [override_rates(now, days) for days in WINDOWS]

