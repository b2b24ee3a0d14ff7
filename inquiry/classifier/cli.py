"""``inquiry classifier …``: train, try, measure and choose the router."""
from __future__ import annotations

import json
import sys

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
    echo(f"Model {meta['id']} ({metrics['training_seconds']} s). Held-out: {evaluation.summary_line(metrics)}")
    return meta


def ensure_model(instance_path: str, echo=click.echo) -> None:
    """A fresh install trains its first model (about half a minute); later calls do nothing."""
    if not store.current_id(instance_path):
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
