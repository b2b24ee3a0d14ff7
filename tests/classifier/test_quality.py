"""The quality bar, checked on the labelled development set (never trained on; see
../shared/data/README.md). Fails if a change to the corpus or the model makes routing worse."""
from pathlib import Path

import pytest

from inquiry.classifier import evaluation
from inquiry.classifier.corpus import load_corpus, read_jsonl

DEV = Path(__file__).resolve().parents[3] / "shared" / "data" / "inquiries-dev.jsonl"


@pytest.fixture(scope="module")
def dev_metrics(router):
    if not DEV.exists():
        pytest.skip(f"development set not found at {DEV}")
    examples = read_jsonl(DEV)
    return evaluation.report(examples, router.predict_many([e.text for e in examples], channels=[e.channel for e in examples]))


def test_topic_and_audience_meet_the_bar(dev_metrics):
    assert dev_metrics["topic"]["macro_f1"] >= 0.85
    assert dev_metrics["audience"]["macro_f1"] >= 0.80


def test_urgent_messages_are_not_missed(dev_metrics):
    assert dev_metrics["priority"]["urgent_recall"] >= 0.95
    assert dev_metrics["priority"]["urgent_precision"] >= 0.50


def test_language_is_identified(dev_metrics):
    assert dev_metrics["language"]["accuracy"] >= 0.97


def test_routed_tickets_are_right(dev_metrics):
    assert dev_metrics["routed_accuracy"] >= 0.90


def test_the_corpus_never_contains_development_messages():
    if not DEV.exists():
        pytest.skip("development set not found")
    dev_texts = {e.text.strip() for e in read_jsonl(DEV)}
    assert not dev_texts & {e.text.strip() for e in load_corpus()}
