"""Search text: how messages, subjects and names are folded into index tokens, and queries alike.

Pure functions, no app: the index, the query and the migration that backfills the index must
fold text the same way, or a word written one way is not found when typed another.

- Case is folded (``casefold``: ß = ss, Σ = σ = ς) and compatibility forms unified (NFKC:
  full-width Latin, half-width katakana, ligatures, Arabic presentation forms).
- Accents are dropped from Latin, Greek and Cyrillic letters (café = cafe, Ø = o, æ = ae), and
  Arabic and Hebrew pointing is ignored, with Arabic letter variants unified as search engines
  commonly do (أ إ آ = ا, ة = ه, ى = ي). Marks of other scripts (Devanagari vowel signs, Japanese dakuten)
  change the letter and are kept.
- Scripts written without spaces between words (Han, kana, Hangul, Thai, Lao, Khmer, Myanmar)
  cannot be cut into words without a dictionary, so each run of them is indexed as its
  overlapping character bigrams (护照签证 → 护照 照签 签证) followed by its single characters; a
  query's run must then appear as consecutive bigrams (a phrase), and a one-character query
  matches the single characters.
- Everything else that is not a letter, mark or digit separates tokens, so quotes, ``*``, ``:``,
  ``-`` or parentheses in a query are never search syntax.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Code point ranges of scripts written without spaces between words.
_UNSPACED = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x1780, 0x17FF),  # Khmer
    (0x3005, 0x3007),  # 々 〆 〇
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x3130, 0x318F),  # Hangul compatibility Jamo
    (0x31F0, 0x31FF),  # Katakana phonetic extensions
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xA960, 0xA97F),  # Hangul Jamo extended A
    (0xAC00, 0xD7FF),  # Hangul syllables, Jamo extended B
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0x20000, 0x3FFFF),  # CJK extensions B and later
)
# Accents are dropped after letters below this code point (Latin, Greek, Cyrillic) …
_ACCENTED_BELOW = 0x0530
# … and after Latin Extended Additional (Vietnamese), which NFKD leaves as base letters.
_ACCENTED_EXTRA = (0x1E00, 0x1FFF)
# Letters folded by table: Latin letters with a stroke or ligatures, which have no decomposition
# (Ø is not O + accent to Unicode, but is to anyone typing "Ostergaard"); Arabic teh marbuta,
# alef maksura and the tatweel that stretches words.
_LETTERS = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ħ": "h",
                          "ı": "i", "ŧ": "t", "ة": "ه", "ى": "ي", "ـ": None})
# Vowel points and cantillation: written on some words, left off on most.
_POINTING = ((0x0591, 0x05C7), (0x0610, 0x061A), (0x064B, 0x065F), (0x0670, 0x0670), (0x06D6, 0x06ED))

SEPARATOR, WORD, UNSPACED = 0, 1, 2
_ASCII_WORD = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=65536)
def char_class(ch: str) -> int:
    """SEPARATOR, WORD (letters, marks and digits of spaced scripts) or UNSPACED."""
    code = ord(ch)
    if any(low <= code <= high for low, high in _UNSPACED):
        return UNSPACED
    return WORD if unicodedata.category(ch)[0] in "LMN" else SEPARATOR


def _is_pointing(code: int) -> bool:
    return any(low <= code <= high for low, high in _POINTING)


def _is_accent(base: int, mark: int) -> bool:
    if 0x0400 <= base <= 0x04FF and mark == 0x0306:
        return False  # й is a letter of its own, not an и with an accent
    return base < _ACCENTED_BELOW or _ACCENTED_EXTRA[0] <= base <= _ACCENTED_EXTRA[1]


def fold(text: str) -> str:
    """``text`` with case, compatibility forms, accents and pointing folded away (see above)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    out: list[str] = []
    base = 0  # code point of the last letter kept: whether a mark after it is an accent
    for ch in unicodedata.normalize("NFKD", text):
        code = ord(ch)
        if unicodedata.category(ch) == "Mn":
            if _is_pointing(code) or _is_accent(base, code):
                continue
        else:
            base = code
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out)).translate(_LETTERS)


@dataclass(frozen=True)
class Term:
    """One thing a query asks for: a word, or a run of unspaced script as its bigram phrase."""

    tokens: tuple[str, ...]
    surface: str  # the folded text as typed, to find it again in a message for the snippet
    is_word: bool


def _runs(folded: str):
    """(class, text) of each maximal run of WORD or UNSPACED characters, in order."""
    start, kind = 0, SEPARATOR
    for i, ch in enumerate(folded):
        cls = char_class(ch)
        if cls != kind:
            if kind != SEPARATOR:
                yield kind, folded[start:i]
            start, kind = i, cls
    if kind != SEPARATOR:
        yield kind, folded[start:]


def _units(run: str) -> list[str]:
    """The characters of an unspaced run, each with its combining marks (Thai vowels and tones)."""
    units: list[str] = []
    for ch in run:
        if units and unicodedata.category(ch)[0] == "M":
            units[-1] += ch
        else:
            units.append(ch)
    return units


def _bigrams(units: list[str]) -> list[str]:
    return [units[i] + units[i + 1] for i in range(len(units) - 1)] or units


def index_tokens(text: str) -> list[str]:
    """The tokens the index keeps for ``text``, in order."""
    if text.isascii():  # most messages: the same result, ten times faster
        return _ASCII_WORD.findall(text.lower())
    tokens: list[str] = []
    for kind, run in _runs(fold(text)):
        if kind == WORD:
            tokens.append(run)
        else:
            units = _units(run)
            tokens += _bigrams(units)
            if len(units) > 1:
                tokens += units  # after the bigrams, so those stay adjacent for phrase queries
    return tokens


def index_text(*parts: str | None) -> str:
    """What the search table stores for a document: its tokens separated by spaces."""
    return " ".join(token for part in parts if part for token in index_tokens(part))


def contact_text(display_name: str | None, email: str | None, phone: str | None) -> str:
    """A contact as a search document: name, e-mail address, and the phone number also as one
    run of digits, so "+44 20 7946 0958" is found as typed either way."""
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    return index_text(display_name, email, phone, digits if len(digits) > 1 else None)


def query_terms(query: str) -> list[Term]:
    """The terms of a search query, each to be found (AND); duplicates dropped, order kept."""
    terms: list[Term] = []
    for kind, run in _runs(fold(query or "")):
        term = Term((run,), run, True) if kind == WORD else Term(tuple(_bigrams(_units(run))), run, False)
        if term not in terms:
            terms.append(term)
    return terms


def is_prefix_term(terms: list[Term]) -> bool:
    """Whether the last term is also matched as a prefix ("pass" finds "passport"): when it is a
    word of two or more characters. Runs of unspaced script match anywhere already."""
    return bool(terms) and terms[-1].is_word and len(terms[-1].surface) >= 2


def fold_with_offsets(text: str) -> tuple[str, list[int], list[int]]:
    """``fold(text)`` built letter by letter, with where in ``text`` each folded character starts
    and ends, so that a match found in folded text can be marked in the original."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i = 0
    while i < len(text):
        j = i + 1
        while j < len(text) and unicodedata.category(text[j])[0] == "M":
            j += 1  # a letter with its combining marks folds as one
        folded = fold(text[i:j])
        out.append(folded)
        starts += [i] * len(folded)
        ends += [j] * len(folded)
        i = j
    return "".join(out), starts, ends
