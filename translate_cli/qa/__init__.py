"""Quality-assurance flags: which sentence pairs a reviewer should look at first.

A reviewer cannot read every pair of a large corpus, so each pair gets flags
that point at the failures MarianMT (opus-mt-fr-en) is known for. The checks
are cheap, pure heuristics (stdlib only, no model) and lean towards *not*
flagging: a reviewer who meets too many false alarms stops reading flags.
They run on every pair of a run (tens of thousands of pairs per second).

Content checks (:func:`check_pair`), in display order, most serious first.
Each module documents its rules, where they come from, and its known limits,
each a choice of silence over false alarms:

``empty`` (this module)
    The target is empty or whitespace while the source has a letter or digit.
    Beam search occasionally emits only the end-of-sentence token. An empty
    pair gets this flag alone: every other check would only repeat it.

``untranslated`` (:mod:`translate_cli.qa.untranslated`)
    The model copied its input, or answered in French (function words and
    accents; names are exempt).

``repetition`` (:mod:`translate_cli.qa.repetition`)
    The opus-mt hallucination loop: "the the the the", unless the source
    repeats itself as much.

``numbers`` (:mod:`translate_cli.qa.numbers`)
    A number of the source is missing from the target, the formats of both
    languages counting as equal (``3 000`` = ``3,000``, ``8 h 30`` = ``8:30``).

``length`` (:mod:`translate_cli.qa.length`)
    The target/source length ratio is an outlier: dropped clauses
    (truncation) or runaway output.

Model confidence (:func:`confidence_flags`, :mod:`translate_cli.qa.confidence`),
flag ``low-confidence``: the engine's length-normalised log-probability is
below an absolute threshold (default -1.0) or among the run's lowest 5 %.

The untranslated and repetition checks read words the same way
(:mod:`translate_cli.qa.words`), once per pair.

``DESCRIPTIONS`` holds one line per flag, including those other stages set
(``truncated``, ``split``, ``symbols``, ``reviewed``; see
:mod:`translate_cli.translator`), for the README, the HTML legend and XLIFF
notes.

A text-free segment (no letter: ``* * *``, ``102``, ``12/03/2024``) copied
through unchanged gets no content flag: it is its own translation, and a
number or length check on it would only be noise.
"""

from __future__ import annotations

import re

from ..protect import is_text_free
from ..vocabulary import Flag
from .confidence import DEFAULT_CONFIDENCE_TAIL, DEFAULT_CONFIDENCE_THRESHOLD, confidence_flags
from .length import length_flag
from .numbers import numbers_flag, numbers_in
from .repetition import repetition_flag
from .untranslated import looks_french, untranslated_flag
from .words import split_words

__all__ = [
    "DEFAULT_CONFIDENCE_TAIL",
    "DEFAULT_CONFIDENCE_THRESHOLD",
    "DESCRIPTIONS",
    "QA_FLAGS",
    "check_pair",
    "confidence_flags",
    "looks_french",
    "numbers_in",
]

# Most serious first: a reviewer scanning a flag column sees why the pair is
# unusable before the finer points.
QA_FLAGS: tuple[Flag, ...] = (
    Flag.EMPTY,
    Flag.UNTRANSLATED,
    Flag.REPETITION,
    Flag.NUMBERS,
    Flag.LENGTH,
)

DESCRIPTIONS: dict[str, str] = {
    Flag.EMPTY: "the translation is empty although the source has text",
    Flag.TRUNCATED: (
        "the model stopped at its maximum output length: the end of the translation is missing"
    ),
    Flag.UNTRANSLATED: "the translation is a copy of the French source, or is still in French",
    Flag.REPETITION: "the translation repeats a word or phrase in a loop (a model hallucination)",
    Flag.NUMBERS: "a number in the source is missing from the translation",
    Flag.TERM: (
        "the source holds a glossary term whose required English is missing from the translation"
    ),
    Flag.LENGTH: "the translation is much shorter or longer than the source's length predicts",
    Flag.LOW_CONFIDENCE: "the model gave this translation a low probability",
    Flag.SPLIT: (
        "the sentence was too long for the model (its input or output limit) "
        "and was translated in pieces"
    ),
    Flag.SYMBOLS: (
        "an emoji or symbol the model cannot write was put back at a guessed place: check it"
    ),
    Flag.MARKUP: (
        "inline markup or protected text (bold, a link, code, a URL, a handle) was put "
        "on the English by a fallback, not by word alignment: check where it landed"
    ),
    Flag.REVIEWED: "the translation is a reviewer's",
}

# Letters and digits: a source without any has nothing to translate.
_ALNUM = re.compile(r"[^\W_]")


def check_pair(source: str, target: str) -> tuple[str, ...]:
    """The content flags of one sentence pair.

    Args:
        source: The French sentence.
        target: Its English translation.

    Returns:
        The flags that apply, as :class:`~translate_cli.vocabulary.Flag`
        members in ``QA_FLAGS`` order; ``()`` for a clean pair. Typed as
        strings because callers append the flags of other stages.
    """
    if target == source and is_text_free(source):
        return ()
    if not target or target.isspace():
        return (Flag.EMPTY,) if _ALNUM.search(source) else ()
    target_words = split_words(target)
    lowers = target_words[1]
    flags: list[Flag] = []
    if untranslated_flag(source, target, target_words):
        flags.append(Flag.UNTRANSLATED)
    if repetition_flag(source, lowers):
        flags.append(Flag.REPETITION)
    if numbers_flag(source, target, lowers):
        flags.append(Flag.NUMBERS)
    if length_flag(source, target):
        flags.append(Flag.LENGTH)
    return tuple(flags)
