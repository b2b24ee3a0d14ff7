"""The router at prediction time: a loaded bundle plus its thresholds, compiled into one weight
matrix for all heads (features are computed once per message, then one product and a softmax
per head)."""
from __future__ import annotations

import numpy as np
from scipy import sparse

from inquiry.classifier import language, safety
from inquiry.classifier.pipeline import share_weights, weights
from inquiry.classifier.service import Label, Prediction
from inquiry.classifier.text import model_input

HEADS = ("topic", "audience", "priority")
WHY_TERMS = 5


def calibrated_proba(head, features) -> np.ndarray:
    """``head.predict_proba(features)`` of a sigmoid-calibrated SVM (the language head), computed
    directly from its weights: scikit-learn validates its input once per class calibrator, which
    costs more than the arithmetic on one message."""
    calibrated = head.calibrated_classifiers_
    if len(calibrated) != 1 or len(head.classes_) < 3:
        return head.predict_proba(features)
    estimator = calibrated[0].estimator
    scores = np.asarray(features @ estimator.coef_.T) + estimator.intercept_
    a = np.array([c.a_ for c in calibrated[0].calibrators])
    b = np.array([c.b_ for c in calibrated[0].calibrators])
    proba = 1.0 / (1.0 + np.exp(a * scores + b))
    total = proba.sum(axis=1, keepdims=True)
    uniform = np.full_like(proba, 1.0 / proba.shape[1])
    return np.where(total == 0, uniform, proba / np.where(total == 0, 1, total))


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    return z / z.sum(axis=1, keepdims=True)


class Router:
    """Predicts every head for a message. ``bundle`` is what training made and skops stores."""

    def __init__(self, bundle: dict, thresholds: dict, model_id: str = ""):
        self.features = bundle["features"]
        self.heads = bundle["heads"]
        self.language_features = bundle.get("language_features")
        self.language_head = bundle.get("language_head")
        self.thresholds = thresholds
        self.model_id = model_id
        self.classes = {head: np.asarray(self.heads[head].classes_) for head in HEADS}
        # One (features × all classes) matrix; each head's coef_ is a view of it (a single copy).
        self._weights = bundle.get("weights")
        if self._weights is None:
            self._weights = weights(self.heads)
            share_weights(self.heads, self._weights)
        self._bias = np.concatenate([self.heads[h].intercept_ for h in HEADS]).astype(np.float32)
        self._columns, start = {}, 0
        for head in HEADS:
            self._columns[head] = slice(start, start + len(self.classes[head]))
            start += len(self.classes[head])
        self._word_names = np.array(self.features.word.terms + [""], dtype=object)
        self._quiet_word = np.array([t.startswith("zzch") for t in self.features.word.terms], dtype=bool)

    # --- public -------------------------------------------------------------------------------

    def predict(self, text: str, *, channel: str | None = None, language_hint: str | None = None) -> Prediction:
        return self.predict_many([text], channels=[channel], language_hints=[language_hint])[0]

    def predict_many(self, texts, *, channels=None, language_hints=None) -> list[Prediction]:
        texts = [t or "" for t in texts]
        channels = channels or [None] * len(texts)
        language_hints = language_hints or [None] * len(texts)
        doc, feature, value = self.features.pairs([model_input(t, c) for t, c in zip(texts, channels)])
        scores = self._scores(doc, feature, value, len(texts))
        probabilities = {head: softmax(scores[:, self._columns[head]]) for head in HEADS}
        why = self._why({head: probabilities[head].argmax(axis=1) for head in HEADS}, doc, feature, value, len(texts))
        languages = language.detect_many(texts, vectorizer=self.language_features, head=self.language_head,
                                          fallbacks=language_hints)
        return self._assemble(texts, probabilities, self.classes, self.thresholds, why, languages)

    def predict_from_probabilities(self, examples, probabilities: dict, classes: dict, thresholds: dict) -> list[Prediction]:
        """Predictions from head probabilities computed elsewhere (cross-validation), with this
        router's language model and safety net; no "why"."""
        texts = [e.text for e in examples]
        languages = language.detect_many(texts, vectorizer=self.language_features, head=self.language_head,
                                          fallbacks=[None] * len(texts))
        return self._assemble(texts, probabilities, classes, thresholds, None, languages)

    # --- parts --------------------------------------------------------------------------------

    def _scores(self, doc, feature, value, n: int) -> np.ndarray:
        if n == 1:  # NumPy alone: scipy's per-call checks cost more than the product for one row
            return (value @ self._weights[feature] + self._bias)[None, :]
        matrix = sparse.csr_matrix((value, (doc, feature)), shape=(n, self.features.n_features))
        return matrix @ self._weights + self._bias

    def _why(self, predicted: dict, doc, feature, value, n: int) -> dict[str, list[tuple[str, ...]]]:
        """Per head and message, the words that pushed hardest towards its predicted label."""
        is_word = feature < self.features.n_word
        doc, feature, value = doc[is_word], feature[is_word], value[is_word]
        loud = ~self._quiet_word[feature]
        doc, feature, value = doc[loud], feature[loud], value[loud]
        rows = self._weights[feature]
        found = {}
        for head in HEADS:
            push = value * rows[np.arange(len(feature)), self._columns[head].start + predicted[head][doc]]
            keep = push > 0
            d, f, p = doc[keep], feature[keep], push[keep]
            order = np.lexsort((-p, d))
            d, f = d[order], f[order]
            top = (np.arange(len(d)) - np.searchsorted(d, d)) < WHY_TERMS  # rank within the message
            terms: list[list[str]] = [[] for _ in range(n)]
            for i, term in zip(d[top].tolist(), self._word_names[f[top]].tolist()):
                terms[i].append(term)
            found[head] = [tuple(t) for t in terms]
        return found

    def _assemble(self, texts, probabilities, classes, thresholds, why, languages) -> list[Prediction]:
        urgent = list(classes["priority"]).index("urgent")
        results = []
        for row, text in enumerate(texts):
            if not text.strip():
                results.append(Prediction(reason="empty message"))
                continue
            labels = {}
            for head in ("topic", "audience"):
                best = int(np.argmax(probabilities[head][row]))
                labels[head] = Label(str(classes[head][best]), round(float(probabilities[head][row][best]), 4),
                                     why[head][row] if why else ())
            labels["priority"] = self._priority(probabilities["priority"][row], classes["priority"], urgent,
                                                thresholds, text, why["priority"][row] if why else ())
            code, confidence = languages[row]
            labels["language"] = Label(code, round(confidence, 4))
            joint = labels["topic"].confidence * labels["audience"].confidence
            confident = joint >= thresholds["routed"]
            reason = "" if confident else (f"low confidence: topic {labels['topic'].confidence:.2f} × audience "
                                           f"{labels['audience'].confidence:.2f} = {joint:.2f} < {thresholds['routed']:.2f}")
            results.append(Prediction(**labels, is_confident=confident, reason=reason))
        return results

    @staticmethod
    def _priority(proba, classes, urgent: int, thresholds: dict, text: str, why: tuple) -> Label:
        """Urgent when the model says so at its recall-tuned threshold, or when the safety lexicon
        finds danger-now phrases and the model does not rule urgency out. The lexicon is only read
        when it can change the answer or explain it."""
        p_urgent = float(proba[urgent])
        likeliest = int(np.argmax(proba))  # ``why`` explains this label
        if p_urgent >= thresholds["urgent_lexicon"]:
            terms = safety.danger_terms(text)
            if p_urgent >= thresholds["urgent"] or terms:
                return Label("urgent", round(p_urgent, 4), tuple(terms[:WHY_TERMS]) or (why if likeliest == urgent else ()))
        best = max((i for i in range(len(classes)) if i != urgent), key=lambda i: proba[i])
        return Label(str(classes[best]), round(float(proba[best]), 4), why if best == likeliest else ())
