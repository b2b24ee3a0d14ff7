"""``inquiry classifier …``: train, try, measure and choose the router."""
from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext

from inquiry.classifier import evaluation, service, store
from inquiry.classifier.corpus import data_hash, load_corpus, read_jsonl


@click.group("classifier", help="The router: topic, audience, priority and language.")
def classifier_cli() -> None:
    pass


def train_and_save(instance_path: str, *, promote: bool = True, echo=click.echo) -> dict:
    """Train on the corpus, save the model, and (by default) make it current. Returns its metadata."""
    from inquiry.classifier.training import train

    examples = load_corpus()
    echo(f"Training the router on {len(examples)} labelled messages …")
    bundle, thresholds, metrics = train(examples)
    meta = store.save(instance_path, bundle, thresholds=thresholds, metrics=metrics, data_hash=data_hash(examples),
                      examples=len(examples))
    if promote:
        store.promote(instance_path, meta["id"])
        service.set_model(None)
    echo(f"Model {meta['id']} ({metrics['training_seconds']} s). Cross-validated: {evaluation.summary_line(metrics)}")
    return meta


def ensure_model(instance_path: str, echo=click.echo) -> None:
    """A fresh install trains its first model (about half a minute), and so does one whose current
    model an earlier version made (it cannot be read any more); otherwise nothing happens."""
    if not store.current_id(instance_path):
        train_and_save(instance_path, echo=echo)
        return
    try:
        store.load(instance_path)
    except store.ModelFileError as exc:
        if "earlier version" in str(exc):
            echo(str(exc))
            train_and_save(instance_path, echo=echo)


@classifier_cli.command("train")
@click.option("--no-promote", is_flag=True, help="Save the model without making it current.")
@with_appcontext
def train_command(no_promote):
    train_and_save(current_app.instance_path, promote=not no_promote)


@classifier_cli.command("predict")
@click.argument("text")
@click.option("--channel", default=None)
@with_appcontext
def predict_command(text, channel):
    prediction = service.predict(text, channel=channel)
    if not prediction.topic.value:
        raise click.ClickException(prediction.reason)
    out = {head: {"label": getattr(prediction, head).value, "confidence": getattr(prediction, head).confidence,
                  "why": list(getattr(prediction, head).why)} for head in ("topic", "audience", "priority", "language")}
    out["routed"] = "triage" if not prediction.is_confident else prediction.audience.value
    out["reason"] = prediction.reason or None
    click.echo(json.dumps(out, ensure_ascii=False, indent=2))


@classifier_cli.command("evaluate")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def evaluate_command(path, as_json):
    """Measure the current model on a labelled JSON Lines file (the corpus format)."""
    examples = read_jsonl(path)
    router = service._router()
    if router is None:
        raise click.ClickException(service.status()["reason"])
    predictions = router.predict_many([e.text for e in examples], channels=[e.channel for e in examples])
    metrics = evaluation.report(examples, predictions)
    click.echo(json.dumps(metrics, ensure_ascii=False) if as_json else evaluation.summary_line(metrics))


@classifier_cli.command("models")
@with_appcontext
def models_command():
    for meta in store.list_models(current_app.instance_path):
        mark = "*" if meta["is_current"] else " "
        click.echo(f"{mark} {meta['id']}  {meta['created_at']}  examples={meta['examples']}  "
                   f"{evaluation.summary_line(meta['metrics'])}")


@classifier_cli.command("promote")
@click.argument("model_id")
@with_appcontext
def promote_command(model_id):
    try:
        store.promote(current_app.instance_path, model_id)
    except store.ModelFileError as exc:
        raise click.ClickException(str(exc))
    service.set_model(None)
    click.echo(f"{model_id} is now the current model (workers pick it up on restart)")


# A retrained model is promoted only if none of these held-out figures drops by more than this.
TOLERANCE = 0.005
COMPARED = (("topic", "macro_f1"), ("audience", "macro_f1"), ("priority", "urgent_recall"), ("routed_accuracy", None))


def _figure(metrics: dict, head: str, key: str | None) -> float:
    return metrics[head] if key is None else metrics[head][key]


def retrain(instance_path: str, echo=click.echo, *, folds: int | None = None) -> tuple[dict | None, bool]:
    """Train on the corpus plus agents' corrections and promote the result only if it is not
    worse than a model of the corpus alone: both cross-validated on the same folds and measured
    on the same messages (each by a model that has not seen it). Returns (new model's metadata,
    promoted?)."""
    import time

    from inquiry.classifier.corrections import load_corrections
    from inquiry.classifier.model import Router
    from inquiry.classifier.training import FOLDS, calibrate, cross_scores, fit, folds_of, measure

    folds_count = folds or FOLDS
    started = time.monotonic()
    corpus, corrections = load_corpus(), load_corrections()
    examples = corpus + corrections
    echo(f"Retraining on {len(corpus)} corpus messages and {len(corrections)} corrections …")
    folds = folds_of(examples, folds_count)
    corpus_only = cross_scores(examples, folds, fit_on=lambda e: e.source == "corpus")
    with_corrections = cross_scores(examples, folds)
    calibrators, thresholds = calibrate(with_corrections, examples)
    bundle = fit(examples, calibrators)
    router = Router(bundle, thresholds)
    baseline = measure(corpus_only, examples, folds, router)
    figures = measure(with_corrections, examples, folds, router)
    echo(f"corpus only:        {evaluation.summary_line(baseline)}")
    echo(f"with corrections:   {evaluation.summary_line(figures)}")
    worse = [f"{head}{'.' + key if key else ''} {_figure(baseline, head, key):.3f} → {_figure(figures, head, key):.3f}"
             for head, key in COMPARED if _figure(figures, head, key) < _figure(baseline, head, key) - TOLERANCE]
    if worse:
        echo("Not promoted: the corrections make it worse on " + "; ".join(worse) + ". Review them before retraining.")
        return None, False
    figures["training_seconds"] = round(time.monotonic() - started, 1)
    figures["train_size"] = int(round(len(examples) * (folds_count - 1) / folds_count))
    figures["held_out_size"], figures["corrections"] = len(examples), len(corrections)
    meta = store.save(instance_path, bundle, thresholds=thresholds, metrics=figures,
                      data_hash=data_hash(examples), examples=len(examples))
    store.promote(instance_path, meta["id"])
    service.set_model(None)
    echo(f"{meta['id']} promoted (earlier models stay listed: inquiry classifier promote ID goes back).")
    return meta, True


@classifier_cli.command("retrain")
@with_appcontext
def retrain_command():
    """Train on the corpus plus corrections; promote only if not worse than the current model."""
    retrain(current_app.instance_path)
