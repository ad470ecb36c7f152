"""Glossary terms enforced around the engine: English in, checked, put back, mapped.

The mechanism, chosen by measurement (``benchmarks/terminology_mechanisms.py``,
500 sentences of ``../shared/data/articles`` holding 237 occurrences of 60
terms, copy-trained Marian model, both engines giving identical outputs):

1. :func:`substitute`: each term found in the sentence (:meth:`Glossary.find
   <translate_cli.glossary.Glossary.find>`) is replaced by the English it
   requires in the model's input. The model reads a meaningful phrase, so the
   words around it can agree with it, and no placeholder form has to survive
   a vocabulary (bracketed and underscore placeholders were lost in 100 % of
   cases with the copy model's vocabulary; ``XT1X`` in 4.2 %). A do-not-translate
   term is left as it is.
2. :func:`~translate_cli.glossary.absent` checks the output; an English the
   model did not write is put back by :func:`put_back` in place of the output
   words aligned (``Engine.align_batch``) with the English in the input.
   Required English present: 19.8 % with no mechanism, 97.0 % with the English
   in the input, 98.7 % with the put-back added (placeholders: 98.3 %).
3. The alignment of what the model read with what it wrote is mapped back to
   the sentence's words (:func:`word_origins`, :func:`remap`), so inline markup
   is projected from a pair the model actually produced: 94.9 % of spans over
   a term exact this way, 65.3 % when the French sentence is aligned with a
   target the model did not translate from it.

The real opus-mt-fr-en could not be run where this was measured; how it
treats English islands in French input is unmeasured (see the README's
"Terminology" section).

Pure functions on strings and offsets; no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .glossary import TermMatch

Alignment = tuple[tuple[int, int], ...]

# Words as the engines' alignments count them (str.split).
_WORD = re.compile(r"\S+")
_ALNUM = re.compile(r"[^\W_]")
# The part of a word that is replaced: from its first to its last word character.
_CORE = re.compile(r"\w(?:.*\w)?", re.DOTALL)


@dataclass(frozen=True)
class Substituted:
    """A sentence with its terms' English in place of their French: the model's input.

    Attributes:
        source: The sentence as given (a sentence key).
        text: The model's input.
        matches: The terms found in ``source``, in order.
        places: For each match, its ``(start, end)`` in ``text``.
    """

    source: str
    text: str
    matches: tuple[TermMatch, ...]
    places: tuple[tuple[int, int], ...]


def substitute(source: str, matches: Sequence[TermMatch]) -> Substituted:
    """Replace each match in ``source`` by the English it requires.

    Args:
        source: A French sentence.
        matches: Non-overlapping terms found in it, sorted by ``start``.

    An English that opens the sentence (no letter or digit before the term)
    gets a capital first letter when the French occurrence has one and the
    English's first word is all lower case (``la Défense`` → ``the Ministry
    of Defence``, but ``La Défense a dit`` → ``The Ministry of Defence a
    dit``; ``eBay`` stays ``eBay``); otherwise it is written as the glossary
    gives it.

    Returns:
        The input for the model and where each English stands in it; a DNT
        term stands as it was.
    """
    parts: list[str] = []
    places: list[tuple[int, int]] = []
    at = length = 0
    for match in matches:
        english = match.english
        opening = not _ALNUM.search(source, 0, match.start)
        if opening and source[match.start].isupper() and english.split()[0].islower():
            english = english[0].upper() + english[1:]
        parts.append(source[at : match.start])
        length += match.start - at
        places.append((length, length + len(english)))
        parts.append(english)
        length += len(english)
        at = match.end
    parts.append(source[at:])
    return Substituted(source, "".join(parts), tuple(matches), tuple(places))


def _spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _WORD.finditer(text)]


def word_origins(substituted: Substituted) -> tuple[tuple[int, ...], ...]:
    """For each word of the input (``str.split``), the words of the source it stands for.

    A word outside the English stands for the source word at the same
    characters; a word of an English stands for every word of the French it
    replaced (many to many: the glossary says which phrase, not which word).

    Returns:
        One tuple of source word indices per input word, in order.
    """
    source_words = _spans(substituted.source)
    # Each input character's range in the source: itself outside the
    # replacements, the whole French inside one.
    edits = [
        (a, b, match.start, match.end)
        for (a, b), match in zip(substituted.places, substituted.matches, strict=True)
    ]
    out: list[tuple[int, ...]] = []
    for start, end in _spans(substituted.text):
        low, high = _origin(start, edits, True), _origin(end, edits, False)
        out.append(tuple(i for i, (a, b) in enumerate(source_words) if a < high and low < b))
    return tuple(out)


def _origin(offset: int, edits: Sequence[tuple[int, int, int, int]], opening: bool) -> int:
    """The source offset of an input offset (a word's start when ``opening``, else its end)."""
    shift = 0
    for a, b, start, end in edits:
        if offset < a or (offset == a and not opening):
            break
        if offset < b or (offset == b and not opening):
            return start if opening else end
        shift = end - b
    return offset + shift


def remap(alignment: Alignment, origins: Sequence[Sequence[int]]) -> Alignment:
    """An alignment of the input with the output, as one of the source with the output.

    Args:
        alignment: Pharaoh pairs ``(input word, output word)``.
        origins: :func:`word_origins` of the input.

    Returns:
        Pairs ``(source word, output word)``, sorted, without repeats.
    """
    pairs = {(i, j) for k, j in alignment if k < len(origins) for i in origins[k]}
    return tuple(sorted(pairs))


def put_back(
    substituted: Substituted,
    output: str,
    alignment: Alignment,
    missing: Sequence[int],
) -> tuple[str, tuple[int, ...]]:
    """Write the required English of missing terms in place of the words aligned with it.

    For each missing term (an index into ``substituted.matches``), the output
    words aligned with the input words of its English are found, less those
    at either end that are also aligned with input words outside it; the run
    of output words from the first to the last of them is replaced by the
    English as the input has it, keeping punctuation before the run's first
    word character and after its last one. A term with no aligned word, or
    whose run overlaps a run already replaced, is left missing.

    Args:
        substituted: The model's input.
        output: The model's translation of ``substituted.text``.
        alignment: Pharaoh pairs between the words of ``substituted.text``
            and those of ``output``.
        missing: The terms to put back.

    Returns:
        The output with the English written in, and the indices of the terms
        put back.
    """
    input_words = _spans(substituted.text)
    output_words = _spans(output)
    runs: list[tuple[int, int, int]] = []
    for index in missing:
        a, b = substituted.places[index]
        inside = {k for k, (s, e) in enumerate(input_words) if s < b and a < e}
        linked = sorted({j for k, j in alignment if k in inside and j < len(output_words)})
        if not linked:
            continue
        # An edge word also aligned with input words outside the English
        # (attention spreading onto a neighbour) is the neighbour's: trim it.
        shared = {j for k, j in alignment if k not in inside}
        own = [j for j in linked if j not in shared]
        first, last = (own[0], own[-1]) if own else (linked[0], linked[-1])
        if any(first <= hi and lo <= last for lo, hi, _ in runs):
            continue
        runs.append((first, last, index))
    text = output
    for first, last, index in sorted(runs, reverse=True):
        start, end = output_words[first][0], output_words[last][1]
        core = _CORE.search(text, start, end)
        if core is not None:
            start, end = core.span()
        a, b = substituted.places[index]
        text = text[:start] + substituted.text[a:b] + text[end:]
    return text, tuple(sorted(index for _, _, index in runs))
