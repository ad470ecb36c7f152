"""The translation service: memo, memory lookup, cutting and batching in front of an engine.

The way through, for the distinct sentences of a window of documents::

    sentence keys ─memo─▶ new keys ─memory─▶ unknown keys ─cut if too long─▶ pieces
      ─length-sorted token-budget batches─▶ Engine ─rejoin pieces─▶ Translation

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
from dataclasses import dataclass, field
from typing import TypeVar

from .batching import plan_batches, sentence_key, unique
from .document import Hypothesis
from .engines import Engine
from .errors import EngineError, TranslateError
from .memory import TranslationMemory
from .segment import cut_spans
from .vocabulary import EntryOrigin, Flag, Origin

T = TypeVar("T")


@dataclass
class Counters:
    """What a run did, for the summary.

    Attributes:
        sentences: Sentences read.
        unique: Distinct sentences among them not seen earlier in the run.
        memory: Distinct sentences found in the translation memory.
        engine_inputs: Texts sent to the engine (a cut sentence counts each piece).
        split: Sentences too long for the model, translated in pieces.
        flags: How many pairs carry each review flag.
    """

    sentences: int = 0
    unique: int = 0
    memory: int = 0
    engine_inputs: int = 0
    split: int = 0
    flags: collections.Counter[str] = field(default_factory=collections.Counter)


@dataclass(frozen=True)
class Translation:
    """A sentence's translation as the run knows it.

    Attributes:
        hypothesis: Text and score.
        cut: Translated in pieces because it was too long for the model.
        origin: Where it came from (engine, stored machine translation, reviewer).
    """

    hypothesis: Hypothesis
    cut: bool = False
    origin: Origin = Origin.ENGINE

    @property
    def flags(self) -> tuple[Flag, ...]:
        """``split``, then ``reviewed``, as they apply.

        A stored machine translation carries no flag: memory entries are keyed
        by everything that decides the engine's output (model, revision,
        engine, compute type, beams), so a hit is what the engine would have
        written. Flagging it would make a resumed run's files differ from an
        uninterrupted run's, for no information a reviewer could act on.
        """
        cut = (Flag.SPLIT,) if self.cut else ()
        return cut + ((Flag.REVIEWED,) if self.origin == Origin.REVIEWED else ())


class Translator:
    """Memory lookup, dedup, long-sentence cutting and batching in front of an engine.

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
    ) -> None:
        self._load: Callable[[], Engine] = load if callable(load) else lambda: load
        self._engine: Engine | None = None
        self.batch_tokens = batch_tokens
        self.counters = counters or Counters()
        self.memory = memory
        self.context = context
        self.memo_size = memo_size
        self.on_batch: Callable[[int], None] | None = None
        self._memo: dict[str, Translation] = {}

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
        asked first; what it lacks goes to the engine and is stored.

        Returns:
            The new translations by sentence key (also remembered).

        Raises:
            EngineError: The engine failed.
            MemoryStoreError: The memory cannot be read or written.
        """
        new, _ = unique([k for k in map(sentence_key, texts) if k not in self._memo])
        self.counters.unique += len(new)
        fresh: dict[str, Translation] = {}
        if new and self.memory is not None:
            for key, entry in self.memory.lookup(new, self.context).items():
                origin = Origin.REVIEWED if entry.origin == EntryOrigin.REVIEWED else Origin.MEMORY
                fresh[key] = Translation(Hypothesis(entry.target, entry.score), entry.cut, origin)
            self.counters.memory += len(fresh)
            new = [k for k in new if k not in fresh]
        if new:
            translated = self._translate_new(new)
            fresh.update(translated)
            if self.memory is not None:
                self.memory.store(
                    (
                        (k, k, t.hypothesis.text, t.hypothesis.score, t.cut)
                        for k, t in translated.items()
                    ),
                    self.context,
                )
        for key, value in fresh.items():
            if len(self._memo) >= self.memo_size:
                del self._memo[next(iter(self._memo))]
            self._memo[key] = value
        return fresh

    def translate(self, texts: Sequence[str]) -> list[Translation]:
        """Translate sentences, repeats allowed, in the order given.

        Raises:
            EngineError: The engine failed.
        """
        fresh = self.prepare(texts)
        self.counters.sentences += len(texts)
        return [fresh.get(k) or self._memo[k] for k in map(sentence_key, texts)]

    def _translate_new(self, new: list[str]) -> dict[str, Translation]:
        tokens = dict(zip(new, self._count(new), strict=True))
        pieces = {key: self._pieces(key, tokens[key]) for key in new}
        jobs, _ = unique([p for ps in pieces.values() for p in ps])
        missing = [j for j in jobs if j not in tokens]
        if missing:
            tokens.update(zip(missing, self._count(missing), strict=True))
        done: dict[str, Hypothesis] = {}
        for batch in plan_batches([tokens[j] for j in jobs], self.batch_tokens):
            texts = [jobs[i] for i in batch]
            hypotheses = self._call(lambda engine: engine.translate_batch(texts))  # noqa: B023
            done.update(zip(texts, hypotheses, strict=True))
            if self.on_batch:
                self.on_batch(len(texts))
        self.counters.engine_inputs += len(jobs)
        fresh: dict[str, Translation] = {}
        for key, parts in pieces.items():
            if len(parts) == 1:
                fresh[key] = Translation(done[parts[0]])
                continue
            self.counters.split += 1
            scores = [s for s in (done[p].score for p in parts) if s is not None]
            joined = " ".join(t for t in (done[p].text for p in parts) if t)
            score = sum(scores) / len(scores) if scores else None
            fresh[key] = Translation(Hypothesis(joined, score), cut=True)
        return fresh
