"""Alignment: a document's sentences paired with their translations, with review flags.

Every pair gets its review flags (:mod:`translate_cli.qa`): numbers,
untranslated, length, repetition, empty and low-confidence checks, plus
``truncated``, ``split``, ``symbols`` and ``reviewed`` from how it was
translated and ``term`` when a glossary term's required English is missing
from the target (:func:`term_uses`), in :class:`~translate_cli.vocabulary.Flag`
order (most serious first, so ``truncated`` comes right after ``empty``). The
low-confidence tail is taken per document, since a streamed run cannot know
the whole run's scores before writing its first file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from .batching import sentence_key
from .document import AlignedPair, Document, Result, RunMeta, Sentence, TermUse
from .glossary import TermMatch, absent
from .markup import Block, Placed, Span
from .project import block_sentences, model_text, project, strip_protected
from .protect import is_text_free
from .qa import check_pair, confidence_flags
from .segment import learned_abbreviations
from .translator import Translation, Translator
from .vocabulary import Flag, Origin, TermStatus

# A flag's place in the display order, for sorting a pair's flags.
_ORDER: dict[str, int] = {flag: rank for rank, flag in enumerate(Flag)}


def sentences_of(document: Document) -> list[Sentence]:
    """Split every paragraph into sentences, keeping their positions.

    Every sentence carries its start in its paragraph and its spans
    (:func:`~translate_cli.project.block_sentences`): a structured
    document's inline markup, and in any document the URLs, e-mail
    addresses, handles, hashtags and file paths found in the text, as
    protected spans (:func:`~translate_cli.project.plain_protected`). A
    plain paragraph is a block without markup, so its sentences are those
    of :func:`~translate_cli.segment.split_sentences`, except that no
    sentence ends inside protected text. Abbreviations the document uses
    and no list holds are learned from the whole document first
    (:func:`~translate_cli.segment.learned_abbreviations`).
    """
    blocks = document.blocks or tuple(Block(p) for p in document.paragraphs)
    known = learned_abbreviations("\n\n".join(block.text for block in blocks))
    return [
        Sentence(p, i, text, start, spans)
        for p, block in enumerate(blocks)
        for i, (start, text, spans) in enumerate(block_sentences(block, known))
    ]


def translation_key(sentence: Sentence) -> str:
    """What is sent to the translator for a sentence: its text without protected spans."""
    return model_text(sentence.text, sentence.spans)


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
    keys = [translation_key(s) for s in sentences]
    done = translator.translate(keys)
    done = _with_reviewed(sentences, keys, done, translator)
    unsure = confidence_flags([t.hypothesis.score for t in done])
    if document.blocks:
        placed, alignments, unclear = _placed(sentences, keys, done, translator)
        targets = [p.target for p in placed]
    else:
        placed = []
        targets, unclear = _plain_targets(sentences, keys, done, translator)
        alignments = [None] * len(sentences)
    pairs = []
    for s, key, t, target, low, links, fallback in zip(
        sentences, keys, done, targets, unsure, alignments, unclear, strict=True
    ):
        terms = term_uses(translator.terms_of(key), key, t, target)
        flags = check_pair(s.text, target)
        flags += (Flag.LOW_CONFIDENCE,) * (low and t.origin != Origin.REVIEWED) + t.flags
        flags += (Flag.MARKUP,) * fallback
        flags += (Flag.TERM,) * any(u.status == TermStatus.MISSING for u in terms)
        flags = tuple(sorted(flags, key=_ORDER.__getitem__))
        translator.counters.flags.update(flags)
        translator.counters.terms.update(u.status for u in terms)
        pairs.append(
            AlignedPair(
                s.paragraph, s.index, s.text, target, flags, t.hypothesis.score, links, terms
            )
        )
    return Result(document, tuple(pairs), meta, tuple(placed))


def term_uses(
    matches: Sequence[TermMatch], key: str, done: Translation, target: str
) -> tuple[TermUse, ...]:
    """What became of each glossary term of a sentence in its final target.

    Checked on every pair, whoever wrote the target (engine, memory,
    reviewer): a term is missing when :func:`~translate_cli.glossary.absent`
    finds its English absent from ``target``, restored when the tool put it
    there (:attr:`Translation.restored`), present otherwise.

    Args:
        matches: The terms found in ``key`` (:meth:`Translator.terms_of`).
        key: The sentence as translated.
        done: Its translation.
        target: The pair's target, protected text and markup text included.
    """
    gone = absent(matches, target)
    return tuple(
        TermUse(
            key[m.start : m.end],
            m.english,
            TermStatus.MISSING
            if m in gone
            else TermStatus.RESTORED
            if n in done.restored
            else TermStatus.PRESENT,
            m.term.note,
        )
        for n, m in enumerate(matches)
    )


def _with_reviewed(
    sentences: Sequence[Sentence],
    keys: Sequence[str],
    done: Sequence[Translation],
    translator: Translator,
) -> list[Translation]:
    """``done``, with reviewers' corrections of sentences holding protected text.

    Such a sentence is translated without its protected text, under
    another key, while a correction imported from the TSV or XLIFF is
    stored under the whole sentence the reviewer saw. The correction
    replaces the translation, with the protected text it repeats taken out
    (the projection puts it back).
    """
    out = list(done)
    shown = {n: s.text for n, s in enumerate(sentences) if keys[n] != s.text}
    reviewed = translator.reviewed(list(shown.values()))
    for n, text in shown.items():
        if (entry := reviewed.get(sentence_key(text))) is not None:
            raw = _without_protected(entry.hypothesis.text, sentences[n])
            out[n] = replace(entry, hypothesis=replace(entry.hypothesis, text=raw))
    return out


def _without_protected(target: str, sentence: Sentence) -> str:
    """A reviewed target without the protected texts of its source, each once, where found.

    They are taken out as :func:`~translate_cli.project.strip_protected`
    takes them out of the source, so the projection puts them back alike.
    """
    found: list[Span] = []
    for span in sentence.spans:
        text = sentence.text[span.start : span.end]
        at = target.find(text) if span.protected and text.strip() else -1
        while at >= 0 and any(at < s.end and s.start < at + len(text) for s in found):
            at = target.find(text, at + 1)
        if at >= 0:
            found.append(Span(at, at + len(text), span.tag, True))
    return strip_protected(target, found).text


def _plain_targets(
    sentences: Sequence[Sentence],
    keys: Sequence[str],
    done: Sequence[Translation],
    translator: Translator,
) -> tuple[list[str], list[bool]]:
    """Plain-text sentences' translations, with their protected text put back.

    Only sentences holding protected text are aligned (:func:`_placed`);
    the others are their translations as they came, so a text without any
    costs no alignment. The alignment places the protected text and is not
    kept: plain-text pairs record none, as before.

    Returns:
        The targets, and for each sentence whether its protected text was
        placed by a fallback (flag ``markup``).
    """
    targets = [t.hypothesis.text for t in done]
    unclear = [False] * len(sentences)
    held = [n for n, s in enumerate(sentences) if s.spans]
    if held:
        placed, _, fallback = _placed(
            [sentences[n] for n in held],
            [keys[n] for n in held],
            [done[n] for n in held],
            translator,
        )
        for n, one, guessed in zip(held, placed, fallback, strict=True):
            targets[n], unclear[n] = one.target, guessed
    return targets, unclear


def _placed(
    sentences: Sequence[Sentence],
    keys: Sequence[str],
    done: Sequence[Translation],
    translator: Translator,
) -> tuple[list[Placed], list[tuple[tuple[int, int], ...] | None], list[bool]]:
    """Structured sentences: their translations with the inline markup laid over them.

    A sentence with nothing to translate (no letter once its protected
    spans are out) is its own translation, spans and all.
    """
    todo = [n for n, key in enumerate(keys) if not is_text_free(key)]
    found = translator.align([keys[n] for n in todo], [done[n].hypothesis.text for n in todo])
    links = dict(zip(todo, found, strict=True))
    placed: list[Placed] = []
    alignments: list[tuple[tuple[int, int], ...] | None] = []
    unclear: list[bool] = []
    for n, s in enumerate(sentences):
        end = s.start + len(s.text)
        if n not in links:
            words = len(s.text.split())
            placed.append(Placed(s.start, end, s.text, s.spans))
            alignments.append(tuple((i, i) for i in range(words)))
            unclear.append(False)
            continue
        stripped = strip_protected(s.text, s.spans)
        projection = project(s.text, s.spans, stripped, done[n].hypothesis.text, links[n])
        placed.append(Placed(s.start, end, projection.target, projection.spans))
        alignments.append(projection.alignment if links[n] is not None else None)
        unclear.append(projection.unclear)
    return placed, alignments, unclear
