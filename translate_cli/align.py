"""Alignment: a document's sentences paired with their translations, with review flags.

Every pair gets its review flags (:mod:`translate_cli.qa`): numbers,
untranslated, length, repetition, empty and low-confidence checks, plus
``truncated``, ``split``, ``symbols`` and ``reviewed`` from how it was
translated, in :class:`~translate_cli.vocabulary.Flag` order (most serious
first, so ``truncated`` comes right after ``empty``). The low-confidence tail
is taken per document, since a streamed run cannot know the whole run's
scores before writing its first file.
"""

from __future__ import annotations

from collections.abc import Sequence

from .document import AlignedPair, Document, Result, RunMeta, Sentence
from .qa import check_pair, confidence_flags
from .segment import split_sentences
from .translator import Translator
from .vocabulary import Flag, Origin

# A flag's place in the display order, for sorting a pair's flags.
_ORDER: dict[str, int] = {flag: rank for rank, flag in enumerate(Flag)}


def sentences_of(document: Document) -> list[Sentence]:
    """Split every paragraph into sentences, keeping their positions."""
    return [
        Sentence(p, i, text)
        for p, paragraph in enumerate(document.paragraphs)
        for i, text in enumerate(split_sentences(paragraph))
    ]


def align(
    document: Document,
    translator: Translator,
    meta: RunMeta,
    sentences: Sequence[Sentence] | None = None,
) -> Result:
    """Translate one document into aligned pairs, in document order.

    Args:
        document: The document.
        translator: The run's translation service; sentences it already
            translated (:meth:`Translator.prepare`) are not translated again.
        meta: Provenance recorded in the result.
        sentences: The document's sentences, when already split.

    Raises:
        EngineError: The engine failed.
    """
    if sentences is None:
        sentences = sentences_of(document)
    done = translator.translate([s.text for s in sentences])
    unsure = confidence_flags([t.hypothesis.score for t in done])
    pairs = []
    for s, t, low in zip(sentences, done, unsure, strict=True):
        flags = check_pair(s.text, t.hypothesis.text)
        flags += (Flag.LOW_CONFIDENCE,) * (low and t.origin != Origin.REVIEWED) + t.flags
        flags = tuple(sorted(flags, key=_ORDER.__getitem__))
        translator.counters.flags.update(flags)
        pairs.append(
            AlignedPair(s.paragraph, s.index, s.text, t.hypothesis.text, flags, t.hypothesis.score)
        )
    return Result(document, tuple(pairs), meta)
