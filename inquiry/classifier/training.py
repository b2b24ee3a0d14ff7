"""Training: cross-validated scores for every message, probabilities and thresholds learnt from
them, then one fit on everything.

Every message is scored by an SVM that never saw it (FOLDS folds; near-duplicates never straddle
a fold), so the calibration and the thresholds rest on thousands of honest predictions rather
than a small held-out slice. The figures reported are cross-fitted too: each fold is measured
with a calibration and thresholds learnt from the other folds only.
"""
from __future__ import annotations

import logging
import time

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from inquiry.classifier import evaluation
from inquiry.classifier.corpus import HEADS, Example
from inquiry.classifier.model import Router
from inquiry.classifier.pipeline import (build_features, build_language_features, build_language_head, combine,
                                         fit_calibrator, fit_scorer, scores, slim)
from inquiry.classifier.text import model_input, normalise

log = logging.getLogger(__name__)

# Routed tickets must be right on topic and audience this often (cross-validated).
ROUTED_ACCURACY = 0.90
URGENT_RECALL = 0.96
SIMILAR = 0.8  # cosine similarity above which two messages count as near-duplicates
FOLDS = 5


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
        close = similarity.data >= SIMILAR  # filtered in NumPy: millions of pairs, a few hundred close
        for i, j in zip(similarity.row[close].tolist(), similarity.col[close].tolist()):
            if start + i != j:
                parent[find(start + i)] = find(j)
    return np.array([find(i) for i in range(len(texts))])


def folds_of(examples: list[Example], k: int = FOLDS, *, seed: int = 2026) -> np.ndarray:
    """A fold number per example; near-duplicates share a fold."""
    groups = near_duplicate_groups([e.text for e in examples])
    unique = np.unique(groups)
    fold_of_group = dict(zip(np.random.RandomState(seed).permutation(unique), np.arange(len(unique)) % k))
    return np.array([fold_of_group[g] for g in groups])


def _documents(examples) -> list[str]:
    return [model_input(e.text, e.channel) for e in examples]


def _labels(examples, head) -> np.ndarray:
    return np.array([e.label(head) for e in examples])


def fit_scorers(examples: list[Example]):
    """Features and one linear SVM per head, fitted on ``examples``."""
    documents = _documents(examples)
    features = build_features(documents)
    matrix = features.transform(documents)
    return features, {head: fit_scorer(matrix, _labels(examples, head)) for head in HEADS}


def cross_scores(examples: list[Example], folds: np.ndarray, *, fit_on=None) -> dict[str, np.ndarray]:
    """Each example's SVM scores from a model fitted on the other folds (only on the examples
    ``fit_on`` accepts, if given). Columns follow the sorted labels of the head."""
    out = {head: None for head in HEADS}
    for fold in np.unique(folds):
        train = [e for e, f in zip(examples, folds) if f != fold and (fit_on is None or fit_on(e))]
        test_index = np.flatnonzero(folds == fold)
        features, scorers = fit_scorers(train)
        matrix = features.transform(_documents([examples[i] for i in test_index]))
        for head in HEADS:
            if out[head] is None:
                out[head] = np.zeros((len(examples), len(scorers[head].classes_)), dtype=np.float32)
            if len(scorers[head].classes_) != out[head].shape[1]:
                raise ValueError(f"a fold lacks a {head} label: too few examples of it")
            out[head][test_index] = scores(scorers[head], matrix)
    return out


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def calibrators_from(held_out: dict[str, np.ndarray], examples: list[Example]) -> dict:
    return {head: fit_calibrator(held_out[head], _labels(examples, head), sorted(set(_labels(examples, head))))
            for head in HEADS}


def _probabilities(calibrators: dict, held_out: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {head: calibrators[head].predict_proba(held_out[head]) for head in HEADS}


def routing_threshold(confidence: np.ndarray, correct: np.ndarray, target: float) -> float:
    """The lowest joint confidence (topic × audience) such that the messages at or above it are
    at least ``target`` right on both labels; 1.0 (route nothing) if no such level exists."""
    order = np.argsort(-confidence, kind="stable")
    accuracy = np.cumsum(correct[order]) / np.arange(1, len(order) + 1)
    good = np.flatnonzero(accuracy >= target)
    return float(confidence[order][good.max()]) if len(good) else 1.0


def thresholds_from(probabilities: dict[str, np.ndarray], classes: dict, examples: list[Example]) -> dict:
    correct = np.ones(len(examples), dtype=bool)
    confidence = np.ones(len(examples))
    for head in ("topic", "audience"):
        proba = probabilities[head]
        correct &= np.asarray(classes[head])[proba.argmax(1)] == _labels(examples, head)
        confidence = confidence * proba.max(1)
    chosen = {"routed": round(routing_threshold(confidence, correct, ROUTED_ACCURACY), 4)}
    p_urgent = probabilities["priority"][:, list(classes["priority"]).index("urgent")]
    urgent = _labels(examples, "priority") == "urgent"
    # Keep URGENT_RECALL of the urgent messages above the threshold; never above 0.5.
    chosen["urgent"] = round(min(float(np.quantile(p_urgent[urgent], 1 - URGENT_RECALL)), 0.5), 4) if urgent.any() else 0.3
    chosen["urgent_lexicon"] = round(chosen["urgent"] / 2, 4)
    return chosen


def calibrate(held_out: dict[str, np.ndarray], examples: list[Example]) -> tuple[dict, dict]:
    """(calibrators, thresholds) learnt from cross-validated scores of ``examples``."""
    calibrators = calibrators_from(held_out, examples)
    classes = {head: calibrators[head].classes_ for head in HEADS}
    return calibrators, thresholds_from(_probabilities(calibrators, held_out), classes, examples)


def fit(examples: list[Example], calibrators: dict) -> dict:
    """The persisted bundle: features, one calibrated linear head per label, the language model."""
    features, scorers = fit_scorers(examples)
    heads = {head: combine(scorers[head], calibrators[head]) for head in HEADS}
    language_examples = [e for e in examples if e.lang]
    language_features = build_language_features()
    language_matrix = language_features.fit_transform([e.text[:1000] for e in language_examples])
    language_head = build_language_head().fit(language_matrix, [e.lang for e in language_examples])
    return slim({"features": features, "heads": heads, "language_features": language_features,
                 "language_head": language_head})


def measure(held_out: dict[str, np.ndarray], examples: list[Example], folds: np.ndarray, router: Router) -> dict:
    """Figures of the whole pipeline on every example, each fold calibrated and thresholded on
    the others only. ``router`` supplies the language model and the safety lexicon."""
    predictions = [None] * len(examples)
    for fold in np.unique(folds):
        rest, this = np.flatnonzero(folds != fold), np.flatnonzero(folds == fold)
        part = [examples[i] for i in rest]
        calibrators, thresholds = calibrate({h: s[rest] for h, s in held_out.items()}, part)
        probabilities = _probabilities(calibrators, {h: s[this] for h, s in held_out.items()})
        found = router.predict_from_probabilities([examples[i] for i in this], probabilities,
                                                  {h: calibrators[h].classes_ for h in HEADS}, thresholds)
        for i, prediction in zip(this, found):
            predictions[i] = prediction
    return evaluation.report(examples, predictions)


def train(examples: list[Example], *, seed: int = 2026, folds: int = FOLDS) -> tuple[dict, dict, dict]:
    """(bundle fitted on everything, thresholds and cross-validated metrics)."""
    started = time.monotonic()
    fold_of = folds_of(examples, folds, seed=seed)
    held_out = cross_scores(examples, fold_of)
    calibrators, thresholds = calibrate(held_out, examples)
    bundle = fit(examples, calibrators)
    metrics = measure(held_out, examples, fold_of, Router(bundle, thresholds))
    log.info("cross-validated: %s", evaluation.summary_line(metrics))
    metrics["training_seconds"] = round(time.monotonic() - started, 1)
    metrics["train_size"] = int(round(len(examples) * (folds - 1) / folds))
    metrics["held_out_size"] = len(examples)
    return bundle, thresholds, metrics
