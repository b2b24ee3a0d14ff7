"""TF-IDF text features computed with whole-array NumPy operations instead of per-n-gram Python.

Same definitions as scikit-learn's TfidfVectorizer (sublinear tf, smooth idf, l2 norm per block;
``char_wb`` n-grams: each lower-cased, whitespace-split word padded with one space either side;
words: ``\\b\\w+\\b`` tokens and their bigrams), so a vectorizer given the same vocabulary and idf
gives the same matrix (tests check it). Character n-grams are found by 64-bit polynomial hashes
of code points, computed for every window of every message of a batch at once, and looked up in a
sorted array of the vocabulary's hashes.
"""
from __future__ import annotations

import re

import numpy as np
from scipy import sparse

_P = np.uint64(0x100000001B3)
_SPACE = 32
_TOKEN = re.compile(r"(?u)\b\w+\b")


def _hash_strings(terms: list[str]) -> np.ndarray:
    """The hash of each term, equal to the hash of the same text as a window (see _windows)."""
    lengths = np.fromiter(map(len, terms), dtype=np.int64, count=len(terms))
    out = np.zeros(len(terms), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for length in np.unique(lengths):
            chosen = np.flatnonzero(lengths == length)
            points = _codepoints("".join(terms[i] for i in chosen)).reshape(len(chosen), length)
            h = np.zeros(len(chosen), dtype=np.uint64)
            for column in range(length):
                h = h * _P + points[:, column]
            out[chosen] = h + np.uint64(length) * _P ** np.uint64(length)
    return out


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)


def _padded(docs) -> tuple[str, np.ndarray]:
    """All documents as one string, each ' word word … ' lower-cased; and each one's length."""
    parts = [" " + " ".join(d.lower().split()) + " " for d in docs]
    return "".join(parts), np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))


def char_windows(docs, low: int, high: int, *, where: bool = False):
    """(doc ids, hashes) of every char_wb n-gram of ``docs``; with ``where``, also each one's
    start, length and the joined text (to read the n-gram back when fitting).

    Documents are joined with their padding spaces, so a window belongs to one padded word exactly
    when no space lies strictly inside it (which also keeps windows inside one document), and a
    two-space window is the gap between documents. That is scikit-learn's set: words shorter than
    the window count once, as the whole padded word, at the first length that covers them."""
    text, lengths = _padded(docs)
    points = _codepoints(text)
    n = len(points)
    doc_of = np.repeat(np.arange(len(lengths)), lengths)
    is_space = points == _SPACE
    spaces = np.concatenate(([0], np.cumsum(is_space)))
    found_doc, found_hash, found_start, found_len = [], [], [], []
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for m in range(1, high + 1):
            h = h[: n - m + 1] * _P + points[m - 1:]
            if m < low:
                continue
            k = n - m + 1
            if m > 2:
                starts = np.flatnonzero(spaces[m - 1: m - 1 + k] == spaces[1: 1 + k])
            else:
                starts = np.flatnonzero(~(is_space[:k] & is_space[m - 1:]))
            found_doc.append(doc_of[starts])
            found_hash.append(h[starts] + np.uint64(m) * _P ** np.uint64(m))
            if where:
                found_start.append(starts)
                found_len.append(np.full(len(starts), m, dtype=np.int64))
    doc, hashes = np.concatenate(found_doc), np.concatenate(found_hash)
    if not where:
        return doc, hashes
    return doc, hashes, np.concatenate(found_start), np.concatenate(found_len), text


def word_terms(doc: str, bigrams: bool = True) -> list[str]:
    tokens = _TOKEN.findall(doc.lower())
    if bigrams:
        tokens += [a + " " + b for a, b in zip(tokens, tokens[1:])]
    return tokens


def _idf(df: np.ndarray, n_docs: int) -> np.ndarray:
    return (np.log((1 + n_docs) / (1 + df)) + 1).astype(np.float32)


class _HashTable:
    """Open addressing with linear probing over 64-bit keys, probed for a whole array of keys at
    once: one or two gathers per key instead of a binary search's twenty."""

    _MIX = np.uint64(0x9E3779B97F4A7C15)

    def __init__(self, keys: np.ndarray):
        self.bits = max(4, int(np.ceil(np.log2(max(len(keys), 1) * 2.5))))
        size = 1 << self.bits
        self.keys = np.zeros(size, dtype=np.uint64)
        self.values = np.full(size, -1, dtype=np.int32)
        slot = self._slot(keys)
        pending = np.arange(len(keys))
        while len(pending):
            free = pending[self.values[slot[pending]] == -1]
            taken, first = np.unique(slot[free], return_index=True)  # one key per free slot per round
            placed = free[first]
            self.keys[taken], self.values[taken] = keys[placed], placed
            pending = np.setdiff1d(pending, placed, assume_unique=True)
            slot[pending] = (slot[pending] + 1) & (size - 1)
        if len(np.unique(keys)) != len(keys):
            raise ValueError("two character n-grams share a hash")

    def _slot(self, keys: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            return ((keys * self._MIX) >> np.uint64(64 - self.bits)).astype(np.int64)

    def find(self, keys: np.ndarray) -> np.ndarray:
        """The value of each key; -1 where absent."""
        slot = self._slot(keys)
        found = self.values[slot]
        todo = np.flatnonzero((found >= 0) & (self.keys[slot] != keys))
        while len(todo):
            slot[todo] = (slot[todo] + 1) & (len(self.keys) - 1)
            found[todo] = self.values[slot[todo]]
            todo = todo[(found[todo] >= 0) & (self.keys[slot[todo]] != keys[todo])]
        return found


class CharBlock:
    """char_wb n-grams of lengths ``low``..``high``."""

    def __init__(self, terms: list[str], idf: np.ndarray, low: int, high: int):
        if low < 2:
            raise ValueError("char n-grams start at length 2 (a lone space is not counted like scikit-learn)")
        self.terms, self.idf, self.low, self.high = terms, np.asarray(idf, dtype=np.float32), low, high
        self._table = _HashTable(_hash_strings(terms))

    @classmethod
    def fit(cls, docs, low: int, high: int, min_df: int = 2, max_features: int | None = None) -> "CharBlock":
        doc, hashes, starts, lengths, text = char_windows(docs, low, high, where=True)
        # Sorting by (hash, doc) groups each n-gram's occurrences, documents in order within it.
        order = np.lexsort((doc, hashes))
        hashes, doc = hashes[order], doc[order]
        new_term = np.concatenate(([True], hashes[1:] != hashes[:-1]))
        new_pair = new_term | np.concatenate(([True], doc[1:] != doc[:-1]))
        term_of = np.cumsum(new_term) - 1
        first = order[new_term]  # an occurrence of each n-gram, to read its text back
        total = np.bincount(term_of)
        df = np.bincount(term_of[new_pair])
        keep = np.flatnonzero(df >= min_df)
        if max_features and len(keep) > max_features:
            keep = keep[np.argsort(-total[keep], kind="stable")[:max_features]]
        terms = [text[s:s + m] for s, m in zip(starts[first[keep]].tolist(), lengths[first[keep]].tolist())]
        order = sorted(range(len(terms)), key=terms.__getitem__)
        return cls([terms[i] for i in order], _idf(df[keep][order], len(docs)), low, high)

    def pairs(self, docs) -> tuple[np.ndarray, np.ndarray]:
        """(doc, feature) per in-vocabulary occurrence."""
        doc, hashes = char_windows(docs, self.low, self.high)
        index = self._table.find(hashes)
        hit = index >= 0
        return doc[hit], index[hit]

    def transform(self, docs) -> sparse.csr_matrix:
        return _matrix(_tfidf_pairs(*self.pairs(docs), [self.idf], len(docs)), len(docs), len(self.terms))


class WordBlock:
    """Word unigrams and bigrams."""

    def __init__(self, terms: list[str], idf: np.ndarray):
        self.terms, self.idf = terms, np.asarray(idf, dtype=np.float32)
        self.vocabulary = {t: i for i, t in enumerate(terms)}

    @classmethod
    def fit(cls, docs, min_df: int = 1) -> "WordBlock":
        from collections import Counter

        df = Counter()
        for d in docs:
            df.update(set(word_terms(d)))
        terms = sorted(t for t, c in df.items() if c >= min_df)
        return cls(terms, _idf(np.array([df[t] for t in terms]), len(docs)))

    def pairs(self, docs) -> tuple[np.ndarray, np.ndarray]:
        get, found, counts = self.vocabulary.get, [], []
        for d in docs:
            before = len(found)
            found.extend(map(get, word_terms(d)))
            counts.append(len(found) - before)
        feature = np.array(found, dtype=object)
        doc = np.repeat(np.arange(len(docs)), counts)
        known = feature != None  # noqa: E711 (element-wise)
        return doc[known], feature[known].astype(np.int64)

    def transform(self, docs) -> sparse.csr_matrix:
        return _matrix(_tfidf_pairs(*self.pairs(docs), [self.idf], len(docs)), len(docs), len(self.terms))


class Features:
    """Word and character blocks side by side, each block l2-normalised (like a FeatureUnion of two
    TfidfVectorizers). Stored as plain strings and arrays (``state``), so skops loads it safely."""

    def __init__(self, word: WordBlock, char: CharBlock):
        self.word, self.char = word, char
        self.n_word = len(word.terms)
        self.n_features = self.n_word + len(char.terms)
        self._idf, self._edges = np.concatenate((word.idf, char.idf)), np.array([self.n_word])

    @classmethod
    def fit(cls, documents, *, char_ngrams=(2, 5), char_min_df: int = 2, char_max_features: int | None = 200_000) -> "Features":
        return cls(WordBlock.fit(documents), CharBlock.fit(documents, *char_ngrams, min_df=char_min_df,
                                                           max_features=char_max_features))

    def pairs(self, documents) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(doc, feature, value) of every non-zero entry, sorted by doc then feature: the matrix
        without scipy's per-call overhead, which costs more than the arithmetic for one message."""
        word_doc, word_feature = self.word.pairs(documents)
        char_doc, char_feature = self.char.pairs(documents)
        return _tfidf_rows(np.concatenate((word_doc, char_doc)), np.concatenate((word_feature, char_feature + self.n_word)),
                           self._idf, self._edges, len(documents))

    def transform(self, documents) -> sparse.csr_matrix:
        return _matrix(self.pairs(documents), len(documents), self.n_features)

    def state(self) -> dict:
        return {"word_terms": "\n".join(self.word.terms), "word_idf": self.word.idf,
                "char_terms": "\n".join(self.char.terms), "char_idf": self.char.idf,
                "char_ngrams": [self.char.low, self.char.high]}

    @classmethod
    def from_state(cls, state: dict) -> "Features":
        split = lambda text: text.split("\n") if text else []  # noqa: E731
        low, high = state["char_ngrams"]
        return cls(WordBlock(split(state["word_terms"]), state["word_idf"]),
                   CharBlock(split(state["char_terms"]), state["char_idf"], int(low), int(high)))


def _tfidf_pairs(doc, feature, idfs: list[np.ndarray], n_docs: int):
    """Sublinear tf × idf as (doc, feature, value) sorted by doc and feature, from one (doc, feature)
    pair per occurrence. Features are numbered block after block (``idfs``, one per block); each
    document's entries in each block are l2-normalised separately."""
    if not len(doc):
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32)
    idf = idfs[0] if len(idfs) == 1 else np.concatenate(idfs)
    return _tfidf_rows(doc, feature, idf, np.cumsum([len(i) for i in idfs])[:-1], n_docs)


def _tfidf_rows(doc, feature, idf: np.ndarray, edges, n_docs: int):
    """``_tfidf_pairs`` with the blocks' idf already joined and their first feature numbers (but
    the first block's) in ``edges``."""
    if not len(doc):
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32)
    width = len(idf)
    key = np.sort(doc.astype(np.int64) * width + feature)
    first = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
    counts = np.diff(np.append(first, len(key)))
    key = key[first]
    doc, feature = key // width, key % width
    value = (np.log(counts) + 1).astype(np.float32) * idf[feature]
    blocks = len(edges) + 1
    slot = doc * blocks + np.searchsorted(edges, feature, side="right")
    norms = np.sqrt(np.bincount(slot, value.astype(np.float64) ** 2, minlength=n_docs * blocks)).astype(np.float32)
    value /= norms[slot]
    return doc, feature, value


def _matrix(pairs, n_docs: int, n_features: int) -> sparse.csr_matrix:
    doc, feature, value = pairs
    return sparse.csr_matrix((value, (doc, feature)), shape=(n_docs, n_features))
