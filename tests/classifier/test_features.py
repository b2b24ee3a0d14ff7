"""The NumPy text features are scikit-learn's TF-IDF, computed faster (pure: no app, no model)."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from inquiry.classifier.features import CharBlock, Features, _HashTable

DOCS = ["Where is the webinar recording?", "Ayuda: me robaron el pasaporte en el aeropuerto",
        "请问怎么举报诈骗网站？", "Помогите, где найти отчёт?", "zzchx hello  hello\tworld\nagain",
        "a", "", "   ", "😀😀 ok", "Bonjour 你好 مرحبا hello", "İstanbul ǅ ß straße", "the webinar, the webinar!"]


def reference(features: Features) -> FeatureUnion:
    return FeatureUnion([
        ("word", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"(?u)\b\w+\b",
                                 vocabulary=features.word.terms, dtype=np.float32)),
        ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(features.char.low, features.char.high), sublinear_tf=True,
                                 vocabulary=features.char.terms, dtype=np.float32)),
    ]).fit(DOCS)


@pytest.fixture(scope="module")
def features():
    return Features.fit(DOCS, char_ngrams=(2, 5), char_min_df=1)


def test_vocabulary_and_idf_match_scikit_learn(features):
    word = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), token_pattern=r"(?u)\b\w+\b").fit(DOCS)
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True).fit(DOCS)
    assert features.word.terms == sorted(word.vocabulary_) and features.char.terms == sorted(char.vocabulary_)
    assert np.allclose(features.char.idf, char.idf_[[char.vocabulary_[t] for t in features.char.terms]])


def test_matrix_matches_scikit_learn(features):
    assert abs(features.transform(DOCS) - reference(features).transform(DOCS)).max() < 1e-6


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=80), min_size=1, max_size=4))
def test_any_text_matches_scikit_learn(features, texts):
    assert abs(features.transform(texts) - reference(features).transform(texts)).max() < 1e-6


def test_state_round_trip(features):
    again = Features.from_state(features.state())
    assert abs(again.transform(DOCS) - features.transform(DOCS)).max() == 0


def test_char_ngrams_start_at_two():
    with pytest.raises(ValueError):
        CharBlock(["a"], np.ones(1), 1, 3)


def test_hash_table_finds_every_key_and_nothing_else():
    rng = np.random.default_rng(7)
    keys = np.unique(rng.integers(0, 2**63, 5000, dtype=np.int64).astype(np.uint64))
    table = _HashTable(keys)
    assert (table.find(keys) == np.arange(len(keys))).all()
    others = rng.integers(0, 2**63, 5000, dtype=np.int64).astype(np.uint64)
    assert (table.find(others[~np.isin(others, keys)]) == -1).all()
