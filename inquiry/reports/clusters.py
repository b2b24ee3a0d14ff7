"""Near-identical texts, found cheaply: normalise, character n-gram sets, cosine, star clusters.

Pure (no app, no database). Two messages about the same scam rarely match word for word: the
amount, the link, the tracking number and a few words differ. Masking numbers, links, e-mail
addresses and @handles, folding case and accents, and comparing character 3–5-grams makes
"Your parcel is held, pay 2,99 EUR at http://x.io/a" and "my PARCEL is held — pay €3.49 on
https://y.biz/b" neighbours, while two ordinary questions stay apart.

Clusters are stars, not chains: the text with the most neighbours and the neighbours it has not
lost to an earlier star form a cluster. Chaining (A≈B, B≈C, so A≈C) would let a few generic
greetings glue unrelated messages together.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import HashingVectorizer

_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|net|org|info|biz|xyz|io|co|me|ly|top|site|"
                  r"online|shop|link|app|[a-z]{2})/\S*", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+")
_HANDLE = re.compile(r"(?<!\w)@\w+")
_NUMBER = re.compile(r"\d+(?:[.,:/ -]\d+)*")
_SPACE = re.compile(r"\s+")
MAX_CHARS = 1000  # the start of a long message says what it is about; the rest only costs time


def normalise(text: str | None) -> str:
    """Case and accents folded; links, e-mail addresses, @handles and numbers masked; spaces collapsed."""
    text = (text or "")[:MAX_CHARS]
    text = _URL.sub(" ‹url› ", text)
    text = _EMAIL.sub(" ‹email› ", text)
    text = _HANDLE.sub(" ‹handle› ", text)
    text = _NUMBER.sub("0", text)
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return _SPACE.sub(" ", folded).strip()


def vectorise(texts: list[str]):
    """The set of character 3–5-grams (within word boundaries) of each normalised text, hashed,
    as L2-normalised rows: a dot product of two rows is their cosine (Ochiai) similarity.

    No IDF weighting: in near-duplicates the rare n-grams are the ones that differ (a link, a
    name), and weighting them up pushes copies of one scam apart. Hashing needs no vocabulary,
    so texts vectorised in separate calls are comparable and the job stays fast."""
    return _VECTORISER.transform([normalise(t) or "-" for t in texts])


_VECTORISER = HashingVectorizer(analyzer="char_wb", ngram_range=(3, 5), n_features=2**20, binary=True, norm="l2",
                                alternate_sign=False, lowercase=False, dtype=np.float32)


@dataclass(frozen=True)
class Cluster:
    centre: int  # index of the text with the most neighbours
    members: tuple[int, ...]  # indices, the centre first


def star_clusters(vectors, threshold: float, min_size: int) -> list[Cluster]:
    """Clusters of at least ``min_size`` texts whose cosine similarity to their centre is ≥ threshold,
    largest first. Each text belongs to one cluster at most."""
    count = vectors.shape[0]
    if count < min_size:
        return []
    similar = (vectors @ vectors.T).toarray() >= threshold
    degree = similar.sum(axis=1)
    taken = np.zeros(count, dtype=bool)
    clusters = []
    for centre in np.argsort(-degree, kind="stable"):
        if degree[centre] < min_size:
            break  # sorted by degree: no later centre can gather enough
        if taken[centre]:
            continue
        members = np.flatnonzero(similar[centre] & ~taken)
        if len(members) < min_size:
            continue
        taken[members] = True
        ordered = (int(centre), *(int(m) for m in members if m != centre))
        clusters.append(Cluster(int(centre), ordered))
    return sorted(clusters, key=lambda c: -len(c.members))


def matches(vectors, members: tuple[int, ...], others, threshold: float) -> np.ndarray:
    """For each row of ``others`` (same vocabulary), whether it is as close to any of ``members``
    as a cluster member must be to its centre."""
    if others.shape[0] == 0 or not members:
        return np.zeros(others.shape[0], dtype=bool)
    similarity = (others @ vectors[list(members)].T).toarray()
    return similarity.max(axis=1) >= threshold
