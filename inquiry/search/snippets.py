"""The words around a match with the matched words marked: what a search result shows of a message.

Matches are found in folded text (``text.fold_with_offsets``) and marked in the original, so
"cafe" marks "Café" and "护照" marks 护照 inside a longer sentence.
"""
from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from inquiry.search.text import WORD, Term, char_class, fold_with_offsets

WIDTH = 200  # characters of the message shown
LEAD = 60  # of which before the first match, when the message is longer


@dataclass(frozen=True)
class Snippet:
    text: str
    # (start, end) offsets in ``text`` of each match, in order, not overlapping.
    highlights: tuple[tuple[int, int], ...] = ()

    def html(self) -> Markup:
        """The text, escaped, with each match in a <mark> element."""
        parts, pos = [], 0
        for start, end in self.highlights:
            parts += [escape(self.text[pos:start]), Markup("<mark>"), escape(self.text[start:end]), Markup("</mark>")]
            pos = end
        parts.append(escape(self.text[pos:]))
        return Markup("").join(parts)


def _is_word_at(folded: str, i: int) -> bool:
    return 0 <= i < len(folded) and char_class(folded[i]) == WORD


def _folded_spans(folded: str, terms: list[Term], prefix: bool) -> list[tuple[int, int]]:
    """Where each term occurs in ``folded``: words on word boundaries (the last one also as the
    start of a longer word when ``prefix``), runs of unspaced script anywhere."""
    spans = []
    for n, term in enumerate(terms):
        as_prefix = prefix and n == len(terms) - 1
        start = folded.find(term.surface)
        while start != -1:
            end = start + len(term.surface)
            if not term.is_word:
                spans.append((start, end))
            elif not _is_word_at(folded, start - 1):
                if as_prefix:
                    while _is_word_at(folded, end):
                        end += 1
                if not _is_word_at(folded, end):
                    spans.append((start, end))
            start = folded.find(term.surface, start + 1)
    return spans


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def make_snippet(text: str, terms: list[Term], *, prefix: bool = False, width: int = WIDTH) -> Snippet:
    """At most ``width`` characters of ``text`` around its first match, with every match marked;
    the opening of ``text`` if nothing matches. Cut ends are shown by an ellipsis."""
    text = (text or "").replace("\r", " ").replace("\n", " ").replace("\t", " ")
    folded, starts, ends = fold_with_offsets(text)
    spans = _merged([(starts[a], ends[b - 1]) for a, b in _folded_spans(folded, terms, prefix)])
    begin, end = 0, len(text)
    if len(text) > width:
        first = spans[0][0] if spans else 0
        begin = max(0, first - LEAD)
        space = text.find(" ", begin, first)
        if begin > 0 and space != -1:
            begin = space + 1  # start on a word
        end = min(len(text), begin + width)
        space = text.rfind(" ", begin + width // 2, end)
        if end < len(text) and space != -1:
            end = space  # end on a word
    lead = "…" if begin > 0 else ""
    shown = lead + text[begin:end] + ("…" if end < len(text) else "")
    shift = len(lead) - begin
    highlights = tuple(
        (max(start, begin) + shift, min(stop, end) + shift) for start, stop in spans if start < end and stop > begin
    )
    return Snippet(shown, highlights)
