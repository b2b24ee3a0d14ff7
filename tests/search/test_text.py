"""Folding and tokens (pure, no app): the same rules for the index and the query."""
import pytest

from inquiry.search.snippets import make_snippet
from inquiry.search.text import contact_text, fold, index_text, index_tokens, is_prefix_term, query_terms


@pytest.mark.parametrize("typed, folded", [
    ("Café CRÈME", "cafe creme"),
    ("Straße", "strasse"),
    ("Ελλάδα", "ελλαδα"),
    ("ёлка", "елка"),
    ("йод", "йод"),  # й is its own letter
    ("Việt Nam", "viet nam"),
    ("أحمد إبراهيم آمنة مدرسة مستشفى", "احمد ابراهيم امنه مدرسه مستشفي"),
    ("مُحَمَّد", "محمد"),
    ("שָׁלוֹם", "שלום"),
    ("ｆｕｌｌ ﾊﾟｽﾎﾟｰﾄ", "full パスポート"),  # full-width Latin, half-width katakana
    ("がっこう", "がっこう"),  # dakuten change the letter: kept
    ("हिन्दी", "हिन्दी"),  # vowel signs and virama kept
])
def test_fold(typed, folded):
    assert fold(typed) == folded


def test_unspaced_runs_become_bigrams_then_single_characters():
    assert index_tokens("我的护照") == ["我的", "的护", "护照", "我", "的", "护", "照"]
    assert index_tokens("护") == ["护"]
    assert index_tokens("iPhone手机") == ["iphone", "手机", "手", "机"]
    # Thai: a letter keeps its vowel and tone marks
    assert index_tokens("หนังสือ")[:4] == ["หนั", "นัง", "งสื", "สือ"]


def test_query_terms_are_words_and_bigram_phrases_and_never_syntax():
    terms = query_terms('护照申请 "Café" NEAR(x) -y:z* OR')
    assert [t.tokens for t in terms] == [("护照", "照申", "申请"), ("cafe",), ("near",), ("x",), ("y",), ("z",), ("or",)]
    assert all(ch not in token for t in terms for token in t.tokens for ch in "\"'*:()-\\")
    assert query_terms("!!! *** ---") == []
    assert [t.tokens for t in query_terms("cafe café CAFE")] == [("cafe",)]


def test_prefix_only_for_a_last_word_of_two_characters():
    assert is_prefix_term(query_terms("my pass"))
    assert not is_prefix_term(query_terms("pass a"))
    assert not is_prefix_term(query_terms("护照"))
    assert not is_prefix_term([])


def test_contact_text_finds_phone_either_way():
    text = contact_text("Dana Reyes", "dana@example.org", "+44 20 7946 0958")
    assert text.split() == ["dana", "reyes", "dana", "example", "org", "44", "20", "7946", "0958", "442079460958"]
    assert index_text(None, "", "Ab") == "ab"


def test_snippet_marks_matches_in_the_original_and_escapes_html():
    terms = query_terms("cafe <b>")
    snippet = make_snippet("Is the <b>Café</b> open?", terms)
    assert str(snippet.html()) == "Is the &lt;<mark>b</mark>&gt;<mark>Café</mark>&lt;/<mark>b</mark>&gt; open?"


def test_snippet_of_a_long_text_is_cut_around_the_first_match_on_word_boundaries():
    text = "word " * 100 + "我的护照丢了 " + "tail " * 100
    snippet = make_snippet(text, query_terms("护照"), width=80)
    assert snippet.text.startswith("…word") and snippet.text.endswith("…")
    assert len(snippet.text) <= 82
    [(start, end)] = snippet.highlights
    assert snippet.text[start:end] == "护照"


def test_snippet_words_match_whole_words_and_the_last_as_a_prefix():
    assert make_snippet("cafeteria cafe", query_terms("cafe")).highlights == ((10, 14),)
    snippet = make_snippet("my passport expired", query_terms("pass"), prefix=True)
    assert [snippet.text[a:b] for a, b in snippet.highlights] == ["passport"]
    assert make_snippet("nothing here", query_terms("zzz")).highlights == ()
