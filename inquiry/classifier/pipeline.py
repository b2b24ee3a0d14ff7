"""The learning parts: shared text features, one linear head per label, calibrated into one
linear map + softmax per head.

Each head is a linear SVM (fast and strong on sparse text) whose cross-validated scores are
mapped to probabilities by a small multinomial logistic regression (K scores → K
probabilities). Both steps are linear, so the stored head is one LogisticRegression whose
weights are the product of the two: prediction is one sparse product and a softmax.

Everything persisted is a plain scikit-learn object, NumPy array or builtin (no classes of ours),
so skops can load a model file while refusing anything that could run code.
"""
from __future__ import annotations

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from inquiry.classifier.corpus import HEADS
from inquiry.classifier.features import Features

# Word unigrams and bigrams carry topic words; character n-grams within word boundaries carry
# morphology, typos and scripts without spaces (Chinese, Japanese, Thai).
CHAR_NGRAMS = (2, 5)
CHAR_FEATURES = 200_000
SVM_C = 0.5
CALIBRATION_C = 1.0


def build_features(documents) -> Features:
    return Features.fit(documents, char_ngrams=CHAR_NGRAMS, char_max_features=CHAR_FEATURES)


def fit_scorer(matrix, labels) -> LinearSVC:
    return LinearSVC(C=SVM_C, class_weight="balanced").fit(matrix, labels)


def scores(scorer: LinearSVC, matrix) -> np.ndarray:
    return np.asarray(matrix @ scorer.coef_.T) + scorer.intercept_


def fit_calibrator(held_out_scores: np.ndarray, labels, classes) -> LogisticRegression:
    """Probabilities from scores the SVM gave messages it was not fitted on."""
    calibrator = LogisticRegression(C=CALIBRATION_C, max_iter=2000).fit(held_out_scores, labels)
    if list(calibrator.classes_) != list(classes):
        raise ValueError("a fold lacked a label: the calibrator's classes differ from the head's")
    return calibrator


def combine(scorer: LinearSVC, calibrator: LogisticRegression) -> LogisticRegression:
    """One LogisticRegression equal to calibrator(scorer(x)): softmax(A (W x + b) + c)."""
    head = LogisticRegression(C=CALIBRATION_C)
    a = calibrator.coef_.astype(np.float64)
    head.coef_ = (a @ scorer.coef_).astype(np.float32)
    head.intercept_ = (a @ scorer.intercept_ + calibrator.intercept_).astype(np.float32)
    head.classes_ = scorer.classes_
    head.n_features_in_ = scorer.coef_.shape[1]
    head.n_iter_ = np.zeros(1, dtype=np.int32)
    return head


def build_language_features() -> TfidfVectorizer:
    """Language identity lives in short character sequences, including Latin-script Hindi."""
    return TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, min_df=2,
                           max_features=60_000, dtype=np.float32)


def build_language_head() -> CalibratedClassifierCV:
    return CalibratedClassifierCV(LinearSVC(C=1.0), cv=3, method="sigmoid", ensemble=False)


def slim(bundle: dict) -> dict:
    """Drop what prediction never uses (the language vectorizer's list of discarded terms) and
    keep the language head's weights in float32."""
    vectorizer = bundle.get("language_features")
    if vectorizer is not None and hasattr(vectorizer, "stop_words_"):
        del vectorizer.stop_words_
    for calibrated in getattr(bundle.get("language_head"), "calibrated_classifiers_", []):
        calibrated.estimator.coef_ = calibrated.estimator.coef_.astype(np.float32)
        calibrated.estimator.intercept_ = calibrated.estimator.intercept_.astype(np.float32)
    return bundle


def pack(bundle: dict) -> dict:
    """The bundle as stored: the features as strings and arrays; the language vocabulary as one
    newline-joined string in term-index order (skops would write a dictionary entry by entry)."""
    packed = dict(bundle)
    packed["features"] = bundle["features"].state()
    # The heads' weights as one (features × all classes) matrix, the layout prediction uses: loading
    # it whole and giving each head a view of it keeps a single copy in memory.
    packed["weights"] = bundle["weights"] if "weights" in bundle else weights(bundle["heads"])
    packed["heads"] = {name: _without_coef(head) for name, head in bundle["heads"].items()}
    vectorizer = bundle.get("language_features")
    if vectorizer is not None:
        terms = [""] * len(vectorizer.vocabulary_)
        for term, index in vectorizer.vocabulary_.items():
            terms[index] = term
        packed["language_vocabulary"] = "\n".join(terms)
        packed["language_features"] = _without_vocabulary(vectorizer)
    return packed


def weights(heads: dict) -> np.ndarray:
    """The heads' coefficients side by side (columns: topic's classes, audience's, priority's)."""
    matrix = np.empty((heads[HEADS[0]].coef_.shape[1], sum(len(heads[h].classes_) for h in HEADS)), dtype=np.float32)
    start = 0
    for head in HEADS:
        width = len(heads[head].classes_)
        matrix[:, start:start + width] = heads[head].coef_.T
        start += width
    return matrix


def share_weights(heads: dict, matrix: np.ndarray) -> None:
    """Make each head's coef_ a view of ``matrix`` (no copy)."""
    start = 0
    for head in HEADS:
        width = len(heads[head].classes_)
        heads[head].coef_ = matrix[:, start:start + width].T
        start += width


def _without_coef(head):
    from copy import copy

    stored = copy(head)
    del stored.coef_
    return stored


def _without_vocabulary(vectorizer):
    from copy import copy

    stored = copy(vectorizer)
    del stored.vocabulary_
    return stored


def unpack(packed: dict) -> dict:
    """The inverse of ``pack``, after loading."""
    bundle = dict(packed)
    bundle["features"] = Features.from_state(packed["features"])
    if "weights" in bundle:
        bundle["heads"] = dict(bundle["heads"])
        share_weights(bundle["heads"], bundle["weights"])
    vocabulary = bundle.pop("language_vocabulary", None)
    if vocabulary is not None and bundle.get("language_features") is not None:
        bundle["language_features"].vocabulary_ = {term: i for i, term in enumerate(vocabulary.split("\n"))}
    return bundle
