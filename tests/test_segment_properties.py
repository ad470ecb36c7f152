"""Properties of the splitter and the cutter that must hold for any text.

Losslessness is what lets the pipeline put translations back in place, so it
is checked on arbitrary Unicode, including lone surrogates (a file decoded
with ``surrogateescape`` holds them), and on text built from the characters
French punctuation rules look at.
"""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from translate_cli.segment import cut_spans, sentence_spans, split_sentences

# Everything Unicode has. Hypothesis leaves out surrogates unless no category
# is excluded, so the second strategy lets lone surrogates (category Cs) in.
ANY_TEXT = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(exclude_categories=()), max_size=300),
)

# Text dense in what the rules react to: points, quotes, spaces of every kind,
# initials, abbreviations, digits, line breaks.
# fmt: off
FRENCH_BITS = st.sampled_from([
    ".", "!", "?", "…", "...", " ", "\u00a0", "\u202f", "\u2009", "\n", "\n\n", "\t",
    "«", "»", '"', "'", "’", "“", "”", "(", ")", "[", "]", "—", "-", ",", ":", ";",
    "M", "Mme", "etc", "art", "J", "É.-U", "U.R.S.S", "p. ex", "c.-à-d", "av. J.-C",
    "Il", "il", "Le", "la", "1", "3 000", "1er", "iPhone", "a", "b", "www.x.fr",
    "e\u0301", "\ud83d\ude00", "\ud800", "\udfff",
])
# fmt: on
FRENCH_TEXT = st.lists(FRENCH_BITS, max_size=60).map("".join)
TEXTS = st.one_of(ANY_TEXT, FRENCH_TEXT)


def assert_tiles(text: str, spans: list[tuple[int, int]]) -> None:
    """Spans are non-empty, contiguous, in order, and cover ``text`` exactly."""
    if not text:
        assert spans == []
        return
    assert spans[0][0] == 0
    assert spans[-1][1] == len(text)
    for (a, b), (c, _) in itertools.pairwise(spans):
        assert a < b == c
    assert spans[-1][0] < spans[-1][1]
    assert "".join(text[a:b] for a, b in spans) == text


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_sentence_spans_cover_the_text_exactly(text: str) -> None:
    assert_tiles(text, sentence_spans(text))


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_split_sentences_are_the_stripped_spans(text: str) -> None:
    spans = sentence_spans(text)
    assert split_sentences(text) == [text[a:b].strip() for a, b in spans if text[a:b].strip()]


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_only_the_first_span_may_be_blank(text: str) -> None:
    spans = sentence_spans(text)
    assert all(text[a:b].strip() for a, b in spans[1:])


@settings(max_examples=400, deadline=None)
@given(TEXTS, st.integers(min_value=1, max_value=40))
def test_cut_spans_cover_exactly_and_fit(text: str, limit: int) -> None:
    spans = cut_spans(text, lambda piece: len(piece) <= limit)
    assert_tiles(text, spans)
    assert all(len(text[a:b].strip()) <= limit for a, b in spans)
    assert all(text[a:b].strip() for a, b in spans[1:])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["mot", "mots", ",", ";", " ", "»", "xxxxxxxx"]), max_size=80))
def test_cut_spans_never_cut_inside_a_word_when_a_space_fits(parts: list[str]) -> None:
    text = "".join(parts)
    longest_word = max((len(w) for w in text.split()), default=0)
    limit = max(longest_word, 1)
    for a, b in cut_spans(text, lambda piece: len(piece) <= limit):
        piece = text[a:b]
        # Each piece ends at a space or at the end of the text.
        assert b == len(text) or piece[-1].isspace()
