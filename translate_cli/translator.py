"""The translation service: memo, memory lookup, protection, cutting and batching before an engine.

The way through, for the distinct sentences of a window of documents::

    sentence keys ─text-free ones copied─▶ keys with text ─memo─▶ new keys
      ─memory─▶ unknown keys ─mask symbols─▶ ─cut if too long─▶ pieces
      ─length-sorted token-budget batches─▶ Engine ─retry truncated ones in halves─▶
      ─rejoin pieces─▶ ─put symbols back─▶ Translation

Each step is a layer the next one does not know about:

* **Text-free segments** (no letter: ``* * *``, ``—``, ``102``,
  ``12/03/2024``) are their own translation: never sent to the engine, never
  stored in the memory, counted as ``copied`` (:mod:`translate_cli.protect`).
* **Symbols the model cannot write** (emoji, box drawing: whatever
  ``Engine.can_write`` refuses, asked once per character and cached) are
  taken out of a sentence before it is cut and batched, and put back into its
  translation; a place guessed from relative position flags the pair
  ``symbols``. Memory keys stay the sentence text, and the memory holds the
  translation with its symbols.
* **Truncation**: a piece whose decoding stopped at the model's output cap is
  cut in two at clause punctuation near its middle and each half translated
  (again, down to :data:`MAX_RETRY_DEPTH` levels); the sentence is flagged
  ``split``, and ``truncated`` when a piece still hits the cap.

A translation flagged ``truncated`` or ``symbols`` is not stored in the
memory: the memory keeps only text, score and ``split``, so a later run would
return it without its flag, and a resumed run's files would differ from an
uninterrupted run's. Such sentences are translated again by each run (the
engine is deterministic, so the result is the same).

Identical sentences are translated once per run: the :class:`Translator`
keeps what it has translated, so the seed's repeated paragraphs cost nothing
the second time, and neither does a sentence repeated across files.

An engine that fails in the middle of a run (a CTranslate2 or torch error, a
CUDA out-of-memory) raises :class:`~translate_cli.errors.EngineError` naming
the model and the cause; the run stops with one line instead of a traceback.
"""

from __future__ import annotations

import collections
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar

from .batching import plan_batches, sentence_key, unique
from .document import Hypothesis
from .engines import Engine
from .errors import EngineError, TranslateError
from .glossary import Glossary, TermMatch, absent
from .memory import Entry, TranslationMemory
from .protect import Masked, is_text_free, mask, protectable, unmask
from .segment import cut_spans
from .terms import Substituted, put_back, remap, substitute, word_origins
from .vocabulary import EntryOrigin, Flag, Origin

T = TypeVar("T")

# How many times a piece that hit the output cap is cut in two again: 4
# levels allow 16 pieces, far beyond what a sentence under the input limit needs.
MAX_RETRY_DEPTH = 4


@dataclass
class Counters:
    """What a run did, for the summary.

    Attributes:
        sentences: Sentences read.
        unique: Distinct sentences with text among them, not seen earlier in the run.
        memory: Distinct sentences found in the translation memory.
        engine_inputs: Texts sent to the engine (a cut sentence counts each piece).
        split: Sentences too long for the model (its input or output limit),
            translated in pieces.
        copied: Sentences with no letter (``* * *``, ``102``), copied through
            unchanged; not among ``unique`` nor sent to the engine.
        flags: How many pairs carry each review flag.
        terms: How many glossary term occurrences ended present, restored or
            missing (:class:`~translate_cli.vocabulary.TermStatus`).
    """

    sentences: int = 0
    unique: int = 0
    memory: int = 0
    engine_inputs: int = 0
    split: int = 0
    copied: int = 0
    flags: collections.Counter[str] = field(default_factory=collections.Counter)
    terms: collections.Counter[str] = field(default_factory=collections.Counter)


@dataclass(frozen=True)
class Translation:
    """A sentence's translation as the run knows it.

    Attributes:
        hypothesis: Text, score, and whether decoding hit the output cap.
        cut: Translated in pieces because it was too long for the model.
        origin: Where it came from (engine, stored machine translation,
            reviewer, or copied because it has no text).
        symbols_guessed: A symbol the model cannot write was put back at a
            place guessed from its relative position.
        restored: The glossary terms (indices into
            :meth:`Translator.terms_of` of the sentence) whose English the
            model did not write and the tool put back
            (:func:`~translate_cli.terms.put_back`).
    """

    hypothesis: Hypothesis
    cut: bool = False
    origin: Origin = Origin.ENGINE
    symbols_guessed: bool = False
    restored: tuple[int, ...] = ()

    @property
    def storable(self) -> bool:
        """Whether the memory can hold it without losing a flag or a term's status.

        See the module doc; a term put back by the tool is shown as such on
        the pair, which a stored entry could not say.
        """
        return not (self.hypothesis.truncated or self.symbols_guessed or self.restored)

    @property
    def flags(self) -> tuple[Flag, ...]:
        """``truncated``, ``split``, ``symbols``, then ``reviewed``, as they apply.

        A stored machine translation carries no flag: memory entries are keyed
        by everything that decides the engine's output (model, revision,
        engine, compute type, beams), so a hit is what the engine would have
        written. Flagging it would make a resumed run's files differ from an
        uninterrupted run's, for no information a reviewer could act on.
        """
        return tuple(
            flag
            for flag, on in (
                (Flag.TRUNCATED, self.hypothesis.truncated),
                (Flag.SPLIT, self.cut),
                (Flag.SYMBOLS, self.symbols_guessed),
                (Flag.REVIEWED, self.origin == Origin.REVIEWED),
            )
            if on
        )


class Translator:
    """Memory lookup, dedup, protection, cutting, retries and batching in front of an engine.

    Args:
        load: The engine, or a function returning it, called on first need,
            so a run answered entirely from the memory never loads the model.
        batch_tokens: Padded source tokens per engine call.
        counters: Running totals for the summary.
        memory: Translation memory, or None.
        context: The memory context of this run
            (:attr:`~translate_cli.provenance.RunPlan.memory_context`).
        memo_size: Most translations kept in RAM for reuse within the run.
            Oldest entries go first, which bounds memory on long runs while
            still catching the repeats that matter (inside a document, and
            across neighbouring files).
        glossary: Terms whose English the translations must use (see
            :mod:`translate_cli.terms`), or None.

    Attributes:
        on_batch: Called with the number of texts each engine call finished.
    """

    def __init__(
        self,
        load: Engine | Callable[[], Engine],
        batch_tokens: int,
        counters: Counters | None = None,
        memory: TranslationMemory | None = None,
        context: str = "",
        memo_size: int = 200_000,
        glossary: Glossary | None = None,
    ) -> None:
        self._load: Callable[[], Engine] = load if callable(load) else lambda: load
        self._engine: Engine | None = None
        self.batch_tokens = batch_tokens
        self.counters = counters or Counters()
        self.memory = memory
        self.context = context
        self.memo_size = memo_size
        self.glossary = glossary
        self.on_batch: Callable[[int], None] | None = None
        self._memo: dict[str, Translation] = {}
        self._alignments: dict[tuple[str, str], tuple[tuple[int, int], ...]] = {}
        self._found: dict[str, tuple[TermMatch, ...]] = {}
        # Characters the engine can write and those it cannot, asked once each.
        self._writable: set[str] = set()
        self._unwritable: set[str] = set()

    @property
    def engine(self) -> Engine:
        """The engine, loaded on first use."""
        if self._engine is None:
            self._engine = self._load()
        return self._engine

    @property
    def loaded(self) -> Engine | None:
        """The engine if it has been loaded, else None."""
        return self._engine

    def terms_of(self, key: str) -> tuple[TermMatch, ...]:
        """The glossary terms in a sentence key, in order (none without a glossary); cached."""
        if self.glossary is None:
            return ()
        found = self._found.get(key)
        if found is None:
            if len(self._found) >= self.memo_size:
                self._found.clear()
            found = self._found[key] = tuple(self.glossary.find(key))
        return found

    def context_of(self, key: str) -> str:
        """A sentence's translation-memory context: the run's, plus what its terms require.

        A sentence without glossary terms has the run's context, so its stored
        translation serves runs with any glossary; one with terms adds the
        digest of what they require (:meth:`Glossary.fingerprint_of
        <translate_cli.glossary.Glossary.fingerprint_of>`), so editing one of
        them makes it translated again, and only it.
        """
        matches = self.terms_of(key)
        if not matches or self.glossary is None:
            return self.context
        return f"{self.context}|terms={self.glossary.fingerprint_of(matches)[:16]}"

    def _by_context(self, keys: Iterable[str]) -> dict[str, list[str]]:
        groups: dict[str, list[str]] = {}
        for key in keys:
            groups.setdefault(self.context_of(key), []).append(key)
        return groups

    def _substituted(self, key: str) -> Substituted | None:
        """The model's input for ``key`` with its terms' English in, or None without terms."""
        matches = self.terms_of(key)
        return substitute(key, matches) if matches else None

    def _call(self, method: Callable[[Engine], T]) -> T:
        """Run one engine call, turning the engine's own failures into EngineError."""
        engine = self.engine
        try:
            return method(engine)
        except TranslateError:
            raise
        except Exception as exc:  # torch, CTranslate2 and CUDA raise many kinds
            cause = " ".join(str(exc).split()) or type(exc).__name__
            raise EngineError(f"{engine.model}: the {engine.name} engine failed: {cause}") from exc

    def _count(self, texts: list[str]) -> list[int]:
        return self._call(lambda engine: engine.count_tokens(texts))

    def _fits(self, text: str) -> bool:
        return self._count([text])[0] <= self.engine.max_input_tokens

    def _pieces(self, key: str, tokens: int) -> list[str]:
        if tokens <= self.engine.max_input_tokens:
            return [key]
        pieces = [key[a:b].strip() for a, b in cut_spans(key, self._fits)]
        return [p for p in pieces if p]

    def prepare(self, texts: Iterable[str]) -> dict[str, Translation]:
        """Translate whatever in ``texts`` is not known yet, in shared batches.

        Sentences of many documents are passed together so they share
        batches; :meth:`translate` then finds them in the memo. The memory is
        asked first; what it lacks goes to the engine and is stored (unless
        flagged ``truncated`` or ``symbols``). Text-free sentences are left
        to :meth:`translate`, which copies them.

        Returns:
            The new translations by sentence key (also remembered).

        Raises:
            EngineError: The engine failed.
            MemoryStoreError: The memory cannot be read or written.
        """
        candidates = map(sentence_key, texts)
        new, _ = unique([k for k in candidates if k not in self._memo and not is_text_free(k)])
        self.counters.unique += len(new)
        fresh: dict[str, Translation] = {}
        if new and self.memory is not None:
            for context, keys in self._by_context(new).items():
                for key, entry in self.memory.lookup(keys, context).items():
                    fresh[key] = _remembered(entry)
            self.counters.memory += len(fresh)
            new = [k for k in new if k not in fresh]
        if new:
            translated = self._translate_new(new)
            fresh.update(translated)
            if self.memory is not None:
                storable = [k for k, t in translated.items() if t.storable]
                for context, keys in self._by_context(storable).items():
                    rows = [(k, translated[k]) for k in keys]
                    self.memory.store(
                        ((k, k, t.hypothesis.text, t.hypothesis.score, t.cut) for k, t in rows),
                        context,
                    )
        for key, value in fresh.items():
            if len(self._memo) >= self.memo_size:
                del self._memo[next(iter(self._memo))]
            self._memo[key] = value
        return fresh

    def translate(self, texts: Sequence[str]) -> list[Translation]:
        """Translate sentences, repeats allowed, in the order given.

        A sentence with no letter is its own translation (origin ``copied``).

        Raises:
            EngineError: The engine failed.
        """
        fresh = self.prepare(texts)
        self.counters.sentences += len(texts)
        out: list[Translation] = []
        for text in texts:
            key = sentence_key(text)
            if is_text_free(key):
                self.counters.copied += 1
                out.append(Translation(Hypothesis(text), origin=Origin.COPIED))
            else:
                out.append(fresh.get(key) or self._memo[key])
        return out

    def reviewed(self, texts: Sequence[str]) -> dict[str, Translation]:
        """Reviewers' translations stored for these sentences, by sentence key.

        A document sentence holding protected text (inline code, a URL, a
        Word field) is translated without it, under another key; a
        reviewer's correction, imported from the TSV or XLIFF, is stored
        under the whole sentence the reviewer saw. This finds it.

        Raises:
            MemoryStoreError: The memory cannot be read.
        """
        if self.memory is None or not texts:
            return {}
        keys = list(dict.fromkeys(map(sentence_key, texts)))
        return {
            key: _remembered(entry)
            for key, entry in self.memory.lookup(keys, self.context).items()
            if entry.origin == EntryOrigin.REVIEWED
        }

    def align(
        self, sources: Sequence[str], targets: Sequence[str]
    ) -> list[tuple[tuple[int, int], ...] | None]:
        """Word alignments of translated sentences (``Engine.align_batch``), cached.

        Args:
            sources: What the model translated (sentence keys).
            targets: Their translations (the engine's, the memory's or a reviewer's).

        A sentence with glossary terms was translated from its input with
        the terms' English in (:func:`~translate_cli.terms.substitute`): that
        input is aligned with the target and the pairs mapped back to the
        sentence's words (:func:`~translate_cli.terms.remap`).

        Returns:
            Pharaoh pairs per sentence, between the words of ``sources`` and
            ``targets``; None for all when the engine cannot align.

        Raises:
            EngineError: The engine failed.
        """
        subs = [self._substituted(source) for source in sources]
        inputs = [sub.text if sub else source for sub, source in zip(subs, sources, strict=True)]
        found = self._aligned(list(zip(inputs, targets, strict=True)))
        if found is None:
            return [None] * len(inputs)
        return [
            remap(links, word_origins(sub)) if sub and sub.text != sub.source else links
            for links, sub in zip(found, subs, strict=True)
        ]

    def _aligned(self, pairs: list[tuple[str, str]]) -> list[tuple[tuple[int, int], ...]] | None:
        """Alignments of (model input, output) pairs, cached; None when the engine cannot align."""
        new, _ = unique([p for p in pairs if p not in self._alignments])
        aligner = getattr(self.engine, "align_batch", None) if new else None
        if new and aligner is None:
            return None
        if new and aligner is not None:
            if len(self._alignments) > self.memo_size:
                self._alignments.clear()
            tokens = self._count([s for s, _ in new])
            for batch in plan_batches(tokens, self.batch_tokens):
                chunk = [new[i] for i in batch]
                sources, targets = [s for s, _ in chunk], [t for _, t in chunk]
                found = self._call(lambda _: aligner(sources, targets))  # noqa: B023
                self._alignments.update(zip(chunk, found, strict=True))
        return [self._alignments[p] for p in pairs]

    def _mask(self, key: str) -> Masked | None:
        """``key`` without the symbols the engine cannot write, or None if it has none.

        The plain path is a set difference and a disjointness test on the
        sentence's characters; the engine is asked only about characters not
        seen before in the run.
        """
        chars = set(key)
        for char in chars - self._writable - self._unwritable:
            writable = not protectable(char) or self._call(lambda e: e.can_write(char))  # noqa: B023
            (self._writable if writable else self._unwritable).add(char)
        if chars.isdisjoint(self._unwritable):
            return None
        return mask(key, self._unwritable)

    def _halves(self, text: str) -> list[str]:
        """``text`` cut near its middle, at clause punctuation if there is some.

        Reuses the long-sentence cutter with a length limit of two thirds:
        it takes the strongest break (``, ; : —``, else a space) in the
        middle third, so the halves are balanced and end at clauses.
        """
        limit = max(1, 2 * len(text) // 3)
        pieces = [text[a:b].strip() for a, b in cut_spans(text, lambda p: len(p) <= limit)]
        return [p for p in pieces if p]

    def _run(self, jobs: list[str], tokens: dict[str, int], done: dict[str, Hypothesis]) -> None:
        """Translate ``jobs`` (distinct, with their token counts) into ``done``.

        A text-free piece (the masked rest of ``🎉 !``, a cut piece ``…``) is
        its own translation and does not reach the engine.
        """
        copies = [j for j in jobs if is_text_free(j)]
        done.update((j, Hypothesis(j)) for j in copies)
        jobs = [j for j in jobs if j not in done]
        for batch in plan_batches([tokens[j] for j in jobs], self.batch_tokens):
            texts = [jobs[i] for i in batch]
            hypotheses = self._call(lambda engine: engine.translate_batch(texts))  # noqa: B023
            done.update(zip(texts, hypotheses, strict=True))
            if self.on_batch:
                self.on_batch(len(texts))
        self.counters.engine_inputs += len(jobs)

    def _counted(self, texts: list[str], tokens: dict[str, int]) -> None:
        missing = [t for t in texts if t not in tokens]
        if missing:
            tokens.update(zip(missing, self._count(missing), strict=True))

    def _translate_new(self, new: list[str]) -> dict[str, Translation]:
        subs = {key: self._substituted(key) for key in new}
        bases = {key: sub.text if sub else key for key, sub in subs.items()}
        masked = {key: self._mask(base) for key, base in bases.items()}
        inputs = {key: m.text if m else bases[key] for key, m in masked.items()}
        tokens: dict[str, int] = {}
        self._counted(list(dict.fromkeys(inputs.values())), tokens)
        pieces = {key: self._pieces(text, tokens[text]) for key, text in inputs.items()}
        jobs, _ = unique([p for ps in pieces.values() for p in ps])
        self._counted(jobs, tokens)
        done: dict[str, Hypothesis] = {}
        self._run(jobs, tokens, done)
        halves: dict[str, list[str]] = {}
        pending = [j for j in jobs if done[j].truncated]
        for _ in range(MAX_RETRY_DEPTH):
            cuts = {j: h for j in pending if len(h := self._halves(j)) > 1}
            if not cuts:
                break
            halves.update(cuts)
            retry, _ = unique([h for hs in cuts.values() for h in hs if h not in done])
            self._counted(retry, tokens)
            self._run(retry, tokens, done)
            pending = [h for h in retry if done[h].truncated]
        fresh: dict[str, Translation] = {}
        for key, parts in pieces.items():
            leaves = [leaf for p in parts for leaf in _leaves(p, halves)]
            hypothesis = _joined([done[leaf] for leaf in leaves])
            cut = len(leaves) > 1
            self.counters.split += int(cut)
            guessed = False
            if (m := masked[key]) is not None:
                text, sure = unmask(m, hypothesis.text)
                hypothesis = Hypothesis(text, hypothesis.score, hypothesis.truncated)
                guessed = not sure
            fresh[key] = Translation(hypothesis, cut=cut, symbols_guessed=guessed)
        self._put_back_terms(fresh, subs)
        return fresh

    def _put_back_terms(
        self, fresh: dict[str, Translation], subs: dict[str, Substituted | None]
    ) -> None:
        """Put back the English of glossary terms the engine's outputs lack, where aligned.

        Only outputs missing an English are aligned, in one batch; an engine
        that cannot align leaves them as they are (the pairs are flagged ``term``).
        """
        todo: dict[str, tuple[Substituted, list[int]]] = {}
        for key, sub in subs.items():
            if sub is not None:
                gone = absent(sub.matches, fresh[key].hypothesis.text)
                if gone:
                    todo[key] = (sub, [i for i, m in enumerate(sub.matches) if m in gone])
        if not todo:
            return
        found = self._aligned(
            [(sub.text, fresh[key].hypothesis.text) for key, (sub, _) in todo.items()]
        )
        if found is None:
            return
        for (key, (sub, missing)), links in zip(todo.items(), found, strict=True):
            done = fresh[key]
            text, restored = put_back(sub, done.hypothesis.text, links, missing)
            if restored:
                fresh[key] = replace(
                    done, hypothesis=replace(done.hypothesis, text=text), restored=restored
                )


def _remembered(entry: Entry) -> Translation:
    """A memory entry as a translation, reviewed or stored machine output."""
    origin = Origin.REVIEWED if entry.origin == EntryOrigin.REVIEWED else Origin.MEMORY
    return Translation(Hypothesis(entry.target, entry.score), entry.cut, origin)


def _leaves(piece: str, halves: dict[str, list[str]]) -> list[str]:
    """The pieces actually translated for ``piece``, after retries in halves."""
    if piece not in halves:
        return [piece]
    return [leaf for half in halves[piece] for leaf in _leaves(half, halves)]


def _joined(parts: list[Hypothesis]) -> Hypothesis:
    """One hypothesis from the translations of consecutive pieces."""
    if len(parts) == 1:
        return parts[0]
    scores = [h.score for h in parts if h.score is not None]
    return Hypothesis(
        " ".join(h.text for h in parts if h.text),
        sum(scores) / len(scores) if scores else None,
        any(h.truncated for h in parts),
    )
