"""Measuring a router on labelled examples, in the shape `inquiry classifier evaluate --json` prints."""
from __future__ import annotations

import numpy as np
from sklearn.metrics import accuracy_score, precision_recall_fscore_support


def _head_report(truth, predicted) -> dict:
    labels = sorted(set(truth) | {p for p in predicted if p is not None})
    precision, recall, f1, support = precision_recall_fscore_support(truth, predicted, labels=labels, zero_division=0)
    present = [i for i, label in enumerate(labels) if label in set(truth)]
    return {
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "macro_f1": round(float(np.mean([f1[i] for i in present])) if present else 0.0, 4),
        "per_label": {
            label: {"precision": round(float(precision[i]), 4), "recall": round(float(recall[i]), 4),
                    "f1": round(float(f1[i]), 4), "support": int(support[i])}
            for i, label in enumerate(labels)
        },
    }


def report(examples, predictions) -> dict:
    """Per-head accuracy, macro-F1 and per-label figures (language too); urgent recall/precision;
    the share sent to triage and the topic-and-audience accuracy of the rest."""
    n = len(examples)
    result: dict = {"n": n}
    for head in ("topic", "audience", "priority"):
        truth = [e.label(head) for e in examples]
        predicted = [getattr(p, head).value or "none" for p in predictions]
        result[head] = _head_report(truth, predicted)
    truth_urgent = np.array([e.priority == "urgent" for e in examples])
    said_urgent = np.array([p.priority.value == "urgent" for p in predictions])
    hits = int((truth_urgent & said_urgent).sum())
    result["priority"]["urgent_recall"] = round(hits / max(int(truth_urgent.sum()), 1), 4)
    result["priority"]["urgent_precision"] = round(hits / max(int(said_urgent.sum()), 1), 4)
    result["language"] = {"accuracy": round(float(np.mean([p.language.value == e.lang for e, p in zip(examples, predictions)])), 4) if n else 0.0}
    # Per-language figures on the examples whose language is known (corrections may lack one).
    known = [(e.lang, p.language.value or "none") for e, p in zip(examples, predictions) if e.lang]
    if known:
        language = _head_report([truth for truth, _ in known], [guess for _, guess in known])
        result["language"].update(macro_f1=language["macro_f1"], per_label=language["per_label"])
    routed = [(e, p) for e, p in zip(examples, predictions) if p.is_confident]
    result["triage_rate"] = round(1 - len(routed) / n, 4) if n else 0.0
    result["routed_accuracy"] = round(
        float(np.mean([e.topic == p.topic.value and e.audience == p.audience.value for e, p in routed])), 4
    ) if routed else 0.0
    return result


def summary_line(metrics: dict) -> str:
    return (f"n={metrics['n']} topic F1={metrics['topic']['macro_f1']:.3f} audience F1={metrics['audience']['macro_f1']:.3f} "
            f"urgent R={metrics['priority']['urgent_recall']:.3f} P={metrics['priority']['urgent_precision']:.3f} "
            f"language={metrics['language']['accuracy']:.3f} triage={metrics['triage_rate']:.3f} "
            f"routed={metrics['routed_accuracy']:.3f}")
