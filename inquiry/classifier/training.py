"""Training: fit on most of the data, measure and set thresholds on the held-out rest, then refit
on everything. Near-duplicates never straddle the split, so the figures are honest."""
from __future__ import annotations

import logging
import time

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import GroupShuffleSplit

from inquiry.classifier import evaluation
from inquiry.classifier.corpus import HEADS, Example
from inquiry.classifier.model import Router, calibrated_proba
from inquiry.classifier.pipeline import build_features, build_head, build_language_features, build_language_head, slim
from inquiry.classifier.text import model_input, normalise

log = logging.getLogger(__name__)

# Routed tickets must be right on topic and audience this often (measured on held-out data).
ROUTED_ACCURACY = 0.92
URGENT_RECALL = 0.96
SIMILAR = 0.8  # cosine similarity above which two messages count as near-duplicates


def near_duplicate_groups(texts: list[str]) -> np.ndarray:
    """Group ids such that messages more similar than SIMILAR share a group (union-find)."""
    vectors = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=1).fit_transform(
        [normalise(t).lower() for t in texts])
    parent = list(range(len(texts)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for start in range(0, len(texts), 1000):
        similarity = (vectors[start:start + 1000] @ vectors.T).tocoo()
        for i, j, value in zip(similarity.row, similarity.col, similarity.data):
            if value >= SIMILAR and start + i != j:
                parent[find(start + i)] = find(j)
    return np.array([find(i) for i in range(len(texts))])


def fit(examples: list[Example]) -> dict:
    """The persisted bundle: scikit-learn objects only."""
    documents = [model_input(e.text, e.channel) for e in examples]
    features = build_features()
    matrix = features.fit_transform(documents)
    heads = {head: build_head().fit(matrix, [e.label(head) for e in examples]) for head in HEADS}
    language_examples = [e for e in examples if e.lang]
    language_features = build_language_features()
    language_matrix = language_features.fit_transform([e.text[:1000] for e in language_examples])
    language_head = build_language_head().fit(language_matrix, [e.lang for e in language_examples])
    return slim({"features": features, "heads": heads, "language_features": language_features, "language_head": language_head})


def joint_thresholds(topic_conf, topic_ok, audience_conf, audience_ok, target: float) -> tuple[float, float]:
    """The (topic, audience) thresholds that route the most messages while the routed ones are at
    least ``target`` right on both labels; the most accurate pair if none reaches the target."""
    grid = np.unique(np.quantile(np.concatenate([topic_conf, audience_conf]), np.linspace(0, 0.95, 40)))
    best, best_key = (float(grid[-1]), float(grid[-1])), None
    both = topic_ok & audience_ok
    for t in grid:
        for a in grid:
            kept = (topic_conf >= t) & (audience_conf >= a)
            if not kept.any():
                continue
            accuracy = both[kept].mean()
            key = (accuracy >= target, kept.mean() if accuracy >= target else accuracy)
            if best_key is None or key > best_key:
                best, best_key = (float(t), float(a)), key
    return best


def thresholds_from(examples: list[Example], router: Router) -> dict:
    documents = [model_input(e.text, e.channel) for e in examples]
    matrix = router.features.transform(documents)
    confidence, correct = {}, {}
    for head in ("topic", "audience"):
        proba = calibrated_proba(router.heads[head], matrix)
        predicted = router.heads[head].classes_[proba.argmax(1)]
        confidence[head] = proba.max(1)
        correct[head] = predicted == np.array([e.label(head) for e in examples])
    topic, audience = joint_thresholds(confidence["topic"], correct["topic"], confidence["audience"],
                                       correct["audience"], ROUTED_ACCURACY)
    chosen = {"topic": round(topic, 4), "audience": round(audience, 4)}
    proba = calibrated_proba(router.heads["priority"], matrix)
    p_urgent = proba[:, list(router.heads["priority"].classes_).index("urgent")]
    urgent = np.array([e.priority == "urgent" for e in examples])
    # Keep URGENT_RECALL of the urgent messages above the threshold; never above 0.5.
    chosen["urgent"] = round(min(float(np.quantile(p_urgent[urgent], 1 - URGENT_RECALL)), 0.5), 4) if urgent.any() else 0.3
    chosen["urgent_lexicon"] = round(chosen["urgent"] / 2, 4)
    return chosen


def split(examples: list[Example], *, seed: int = 2026) -> tuple[list[Example], list[Example], list[Example]]:
    """(fit, tune, measure): 80 % to fit on; the held-out rest halved, thresholds set on one half
    and figures measured on the other, so neither is tuned on itself. Near-duplicates stay together."""
    groups = near_duplicate_groups([e.text for e in examples])
    train_index, test_index = next(GroupShuffleSplit(n_splits=1, test_size=0.2, random_state=seed).split(examples, groups=groups))
    held_out = [examples[i] for i in test_index]
    return [examples[i] for i in train_index], held_out[::2], held_out[1::2]


def fit_and_measure(fit_on: list[Example], tune: list[Example], measure: list[Example]) -> tuple[Router, dict]:
    """A router fitted on ``fit_on`` with thresholds from ``tune``, and its figures on ``measure``."""
    router = Router(fit(fit_on), thresholds={"topic": 0, "audience": 0, "urgent": 0.3, "urgent_lexicon": 0.1})
    router.thresholds = thresholds_from(tune, router)
    metrics = evaluation.report(measure, router.predict_many([e.text for e in measure], channels=[e.channel for e in measure]))
    return router, metrics


def train(examples: list[Example], *, seed: int = 2026) -> tuple[dict, dict, dict]:
    """(bundle fitted on everything, thresholds and held-out metrics from the split)."""
    started = time.monotonic()
    fit_on, tune, measure = split(examples, seed=seed)
    provisional, metrics = fit_and_measure(fit_on, tune, measure)
    log.info("held-out: %s", evaluation.summary_line(metrics))
    bundle = fit(examples)
    metrics["training_seconds"] = round(time.monotonic() - started, 1)
    metrics["train_size"], metrics["held_out_size"] = len(fit_on), len(measure)
    return bundle, provisional.thresholds, metrics
