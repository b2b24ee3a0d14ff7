"""The scikit-learn parts: shared text features, one calibrated linear head per label.

Everything persisted is a plain scikit-learn object (no classes of ours), so skops can load a
model file while refusing anything that could run code.
"""
from __future__ import annotations

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC

# Word unigrams and bigrams carry topic words; character n-grams within word boundaries carry
# morphology, typos and scripts without spaces (Chinese, Japanese, Thai).
WORD_NGRAMS = (1, 2)
CHAR_NGRAMS = (2, 5)
CHAR_FEATURES = 200_000


def build_features() -> FeatureUnion:
    return FeatureUnion([
        ("word", TfidfVectorizer(analyzer="word", ngram_range=WORD_NGRAMS, sublinear_tf=True,
                                 token_pattern=r"(?u)\b\w+\b", min_df=1, dtype=np.float32)),
        ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=CHAR_NGRAMS, sublinear_tf=True, min_df=2,
                                 max_features=CHAR_FEATURES, dtype=np.float32)),
    ])


def build_head(c: float = 0.5) -> CalibratedClassifierCV:
    """A linear SVM (fast, strong on sparse text) with sigmoid-calibrated probabilities."""
    # ensemble=False: one SVM fitted on all the data, calibrated on cross-validated scores; a third
    # of the size and prediction time of keeping the three fold models.
    return CalibratedClassifierCV(LinearSVC(C=c, class_weight="balanced"), cv=3, method="sigmoid", ensemble=False)


def build_language_features() -> TfidfVectorizer:
    """Language identity lives in short character sequences, including Latin-script Hindi."""
    return TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, min_df=2,
                           max_features=60_000, dtype=np.float32)


def build_language_head() -> CalibratedClassifierCV:
    return CalibratedClassifierCV(LinearSVC(C=1.0), cv=3, method="sigmoid", ensemble=False)


def slim(bundle: dict) -> dict:
    """Drop what prediction never uses: the vectorizers' lists of discarded terms (often larger
    than the vocabulary itself) and float64 precision in the weights; store the vocabulary compactly."""
    import numpy as np

    vectorizers = [t for _, t in bundle["features"].transformer_list] + [bundle.get("language_features")]
    for vectorizer in vectorizers:
        if vectorizer is None:
            continue
        if hasattr(vectorizer, "stop_words_"):
            del vectorizer.stop_words_

    heads = list(bundle["heads"].values()) + [bundle.get("language_head")]
    for head in heads:
        for calibrated in getattr(head, "calibrated_classifiers_", []):
            estimator = calibrated.estimator
            estimator.coef_ = estimator.coef_.astype(np.float32)
            estimator.intercept_ = estimator.intercept_.astype(np.float32)
    return bundle


def _vectorizers(bundle: dict) -> dict:
    found = dict(bundle["features"].transformer_list)
    if bundle.get("language_features") is not None:
        found["language"] = bundle["language_features"]
    return found


def pack(bundle: dict) -> dict:
    """The bundle as stored: each vocabulary as one newline-joined string in term-index order
    (skops would write a dictionary of half a million terms entry by entry, hundreds of MB)."""
    packed = dict(bundle)
    packed["vocabularies"] = {}
    for name, vectorizer in _vectorizers(bundle).items():
        terms = [""] * len(vectorizer.vocabulary_)
        for term, index in vectorizer.vocabulary_.items():
            terms[index] = term
        packed["vocabularies"][name] = "\n".join(terms)
        del vectorizer.vocabulary_
    return packed


def unpack(packed: dict) -> dict:
    """The inverse of ``pack``, after loading."""
    bundle = dict(packed)
    vocabularies = bundle.pop("vocabularies", {})
    for name, vectorizer in _vectorizers(bundle).items():
        vectorizer.vocabulary_ = {term: index for index, term in enumerate(vocabularies[name].split("\n"))}
    return bundle
