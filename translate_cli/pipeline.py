"""Document → Result, and runs over many files.

The way through, forward only::

    Document ─split─▶ sentences ─dedup─▶ unique texts ─cut if too long─▶ pieces
      ─length-sorted token-budget batches─▶ Engine ─restore order─▶ AlignedPair

Every pair then gets its review flags (:mod:`translate_cli.qa`): numbers,
untranslated, length, repetition, empty and low-confidence checks, plus
``split``, ``memory`` and ``reviewed`` from how it was translated. The
low-confidence tail is taken per document, since a streamed run cannot know
the whole run's scores before writing its first file.

Identical sentences are translated once per run: the :class:`Translator`
keeps what it has translated, so the seed's repeated paragraphs cost nothing
the second time, and neither does a sentence repeated across files.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import hashlib
import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePath

from . import __version__
from .batching import plan_batches, unique
from .config import Settings
from .document import (
    AlignedPair,
    Document,
    Hypothesis,
    Result,
    RunMeta,
    Sentence,
    document_from_text,
    read_document,
)
from .engines import Engine, load_engine, pick_engine
from .engines.marian_files import read_generation
from .errors import TranslateError
from .fsutil import atomic_writer
from .memory import REVIEWED, TranslationMemory
from .models import ModelSource
from .progress import NoProgress, Progress
from .qa import check_pair, confidence_flags
from .segment import cut_spans, split_sentences
from .vocabulary import Flag
from .writers import Writer, get_writer, meta_path, meta_record, output_paths

SPLIT = "split"


def sentence_key(text: str) -> str:
    """What makes two sentences "identical": the same words, whitespace aside."""
    return " ".join(text.split())


def sentences_of(document: Document) -> list[Sentence]:
    """Split every paragraph into sentences, keeping their positions."""
    return [
        Sentence(p, i, text)
        for p, paragraph in enumerate(document.paragraphs)
        for i, text in enumerate(split_sentences(paragraph))
    ]


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
        origin: ``engine``, ``memory`` (a stored machine translation) or
            ``reviewed`` (a reviewer's translation from the memory).
    """

    hypothesis: Hypothesis
    cut: bool = False
    origin: str = "engine"

    @property
    def flags(self) -> tuple[str, ...]:
        origin = () if self.origin == "engine" else (self.origin,)
        return ((SPLIT,) if self.cut else ()) + origin


@dataclass(frozen=True)
class RunPlan:
    """What a run will use, known before the model is loaded.

    Attributes:
        model: Model id or path as given.
        revision: Hub commit or local content fingerprint.
        engine: Engine name (``auto`` resolved).
        beams: Beam size in effect.
        compute_type: CTranslate2 compute type as set ("" for other engines).
    """

    model: str
    revision: str
    engine: str
    beams: int
    compute_type: str = ""

    @property
    def memory_context(self) -> str:
        """Translation-memory context: the settings that change a translation."""
        compute = f"|{self.compute_type}" if self.compute_type else ""
        return f"{self.model}@{self.revision}|{self.engine}{compute}|beams={self.beams}"

    def meta(self, date: str, details: dict[str, str] | None = None) -> RunMeta:
        return RunMeta(
            tool_version=__version__,
            model=self.model,
            revision=self.revision,
            engine=self.engine,
            beams=self.beams,
            date=date,
            extra=dict(details or {}),
        )


def plan_run(settings: Settings, source: ModelSource) -> RunPlan:
    """Resolve the engine and beam size from settings and the model's files."""
    beams = settings.beams or read_generation(source.path).num_beams
    engine = pick_engine(settings.engine)
    compute = settings.compute_type if engine == "ctranslate2" else ""
    return RunPlan(settings.model, source.revision, engine, beams, compute)


def plan_of(engine: Engine) -> RunPlan:
    """The plan of an already loaded engine."""
    compute = engine.details.get("compute_type", "")
    return RunPlan(engine.model, engine.revision, engine.name, engine.beams, compute)


def _utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Translator:
    """Memory lookup, dedup, long-sentence cutting and batching in front of an engine.

    Args:
        load: The engine, or a function returning it, called on first need,
            so a run answered entirely from the memory never loads the model.
        batch_tokens: Padded source tokens per engine call.
        counters: Running totals for the summary.
        memory: Translation memory, or None.
        context: The memory context of this run (:attr:`RunPlan.memory_context`).
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
        self._load = load if callable(load) else lambda: load
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
        if self._engine is None:
            self._engine = self._load()
        return self._engine

    @property
    def loaded(self) -> Engine | None:
        """The engine if it has been loaded, else None."""
        return self._engine

    def _fits(self, text: str) -> bool:
        return self.engine.count_tokens([text])[0] <= self.engine.max_input_tokens

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
        """
        new, _ = unique([k for k in map(sentence_key, texts) if k not in self._memo])
        self.counters.unique += len(new)
        fresh: dict[str, Translation] = {}
        if new and self.memory is not None:
            for key, entry in self.memory.lookup(new, self.context).items():
                origin = "reviewed" if entry.origin == REVIEWED else "memory"
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
        """Translate sentences, repeats allowed, in the order given."""
        fresh = self.prepare(texts)
        self.counters.sentences += len(texts)
        return [fresh.get(k) or self._memo[k] for k in map(sentence_key, texts)]

    def _translate_new(self, new: list[str]) -> dict[str, Translation]:
        engine = self.engine
        tokens = dict(zip(new, engine.count_tokens(new), strict=True))
        pieces = {key: self._pieces(key, tokens[key]) for key in new}
        jobs, _ = unique([p for ps in pieces.values() for p in ps])
        missing = [j for j in jobs if j not in tokens]
        if missing:
            tokens.update(zip(missing, engine.count_tokens(missing), strict=True))
        done: dict[str, Hypothesis] = {}
        for batch in plan_batches([tokens[j] for j in jobs], self.batch_tokens):
            texts = [jobs[i] for i in batch]
            done.update(zip(texts, engine.translate_batch(texts), strict=True))
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


def run_meta(engine: Engine) -> RunMeta:
    """Provenance for outputs: model, revision, engine, beams, version, date."""
    return plan_of(engine).meta(_utc_now(), engine.details)


def align(
    document: Document,
    translator: Translator,
    meta: RunMeta,
    sentences: Sequence[Sentence] | None = None,
) -> Result:
    """Translate one document into aligned pairs, in document order.

    Args:
        sentences: The document's sentences, when already split.
    """
    if sentences is None:
        sentences = sentences_of(document)
    done = translator.translate([s.text for s in sentences])
    unsure = confidence_flags([t.hypothesis.score for t in done])
    pairs = []
    for s, t, low in zip(sentences, done, unsure, strict=True):
        flags = check_pair(s.text, t.hypothesis.text)
        flags += (Flag.LOW_CONFIDENCE,) * (low and t.origin != "reviewed") + t.flags
        translator.counters.flags.update(flags)
        pairs.append(
            AlignedPair(s.paragraph, s.index, s.text, t.hypothesis.text, flags, t.hypothesis.score)
        )
    return Result(document, tuple(pairs), meta)


def write_outputs(
    result: Result,
    output_dir: Path,
    relative: PurePath,
    formats: Iterable[str],
    settings_key: str = "",
) -> list[Path]:
    """Write every chosen format, then the metadata file, each atomically.

    The metadata file is written last and names the outputs and the settings
    that produced them, so its presence marks a complete, up-to-date set
    (see :func:`is_up_to_date`).

    Returns:
        The paths written, metadata file last.
    """
    written: list[Path] = []
    for name in formats:
        writer = get_writer(name)
        written.extend(_write_format(writer, [result], output_paths(output_dir, relative, writer)))
    meta = {
        **meta_record(result),
        "settings_key": settings_key,
        "outputs": [p.name for p in written],
    }
    meta_file = meta_path(output_dir, relative)
    with atomic_writer(meta_file) as fh:
        fh.write(json.dumps(meta, ensure_ascii=False, indent=2) + "\n")
    return [*written, meta_file]


def settings_key(settings: Settings, plan: RunPlan, memory: TranslationMemory | None = None) -> str:
    """A digest of everything that changes the outputs of an unchanged input.

    It includes the memory's reviewed-entries version, so importing a
    reviewer's corrections makes the next run rewrite the affected outputs.
    """
    fields = {
        "plan": dataclasses.astuple(plan),
        "formats": sorted(settings.formats),
        "tool": __version__,
        "memory": None if memory is None else [str(memory.path), memory.reviewed_version()],
    }
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:16]


def is_up_to_date(meta_file: Path, source_sha256: str, key: str) -> bool:
    """Whether a previous run left complete outputs for this input and settings.

    The metadata file records the source hash, the settings key and the
    outputs; all must match and every output must still exist.
    """
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(meta, dict):
        return False
    if meta.get("source_sha256") != source_sha256 or meta.get("settings_key") != key:
        return False
    return all((meta_file.parent / name).is_file() for name in meta.get("outputs", []))


def translate_text(
    text: str, settings: Settings | None = None, engine: Engine | None = None
) -> Result:
    """Translate a French text held in memory.

    Args:
        text: The French text; paragraphs separated by newlines or blank lines.
        settings: Run settings; defaults when None.
        engine: An engine from :func:`load_engine`, to reuse across calls.
    """
    settings = settings or Settings()
    engine = engine or load_engine(settings)
    translator = Translator(engine, settings.batch_tokens)
    return align(document_from_text(text), translator, run_meta(engine))


def translate_file(
    path: Path | str,
    settings: Settings | None = None,
    engine: Engine | None = None,
    output_dir: Path | str | None = None,
) -> Result:
    """Translate one French file, optionally writing its outputs.

    Args:
        path: The input file.
        settings: Run settings; defaults when None.
        engine: An engine from :func:`load_engine`, to reuse across calls.
        output_dir: If given, the chosen formats are written there.

    Raises:
        InputError: The file is unreadable, binary or undecodable.
        ModelError: The model cannot be loaded.
    """
    path = Path(path)
    settings = settings or Settings()
    document = read_document(path)
    engine = engine or load_engine(settings)
    result = align(document, Translator(engine, settings.batch_tokens), run_meta(engine))
    if output_dir is not None:
        write_outputs(result, Path(output_dir), PurePath(path.name), settings.formats)
    return result


@dataclass(frozen=True)
class Job:
    """One input of a run: where to read it and where its outputs go.

    Attributes:
        name: Display name.
        relative: Path mirrored under the output folder.
        path: File to read, or None when ``text`` is given.
        text: Already decoded text (standard input).
        size: Bytes, for progress estimates.
    """

    name: str
    relative: PurePath
    path: Path | None = None
    text: str | None = None
    size: int = 0

    def read(self) -> Document:
        if self.path is None:
            return document_from_text(self.text or "", self.name)
        return read_document(self.path, self.name)


TRANSLATED, SKIPPED, FAILED = "translated", "skipped", "failed"
# Tokens in a typical news sentence for opus-mt's vocabulary; sizes the window.
_TYPICAL_SENTENCE_TOKENS = 32


@dataclass(frozen=True)
class Outcome:
    """What happened to one input in a run.

    Attributes:
        name: The input as displayed.
        status: ``translated``, ``skipped`` (outputs up to date) or ``failed``.
        error: The reason, for failed inputs.
        outputs: Files written.
    """

    name: str
    status: str
    error: str = ""
    outputs: tuple[Path, ...] = ()


@dataclass
class RunReport:
    """Outcomes (in input order) and totals of a run, for the summary and exit code."""

    outcomes: list[Outcome] = field(default_factory=list)
    counters: Counters = field(default_factory=Counters)
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == FAILED]


@dataclass
class _Pending:
    index: int
    job: Job
    document: Document
    sentences: list[Sentence]


class Runner:
    """Translates many inputs with one engine, streaming and resumable.

    Inputs are read a few at a time into a window of about ``window``
    sentences. The window's new sentences are translated together, so short
    files share batches (cross-file batching), and then each file of the window
    is aligned and written at once. Memory therefore stays bounded for any
    number of files, and a file's outputs appear as soon as its window is done.

    Failures are isolated per input: an unreadable, binary or undecodable
    file becomes a ``failed`` outcome and the run goes on. With ``resume``,
    inputs whose outputs are up to date (same source hash and settings, see
    :func:`is_up_to_date`) are skipped, and the engine is not even loaded when
    nothing is left to translate.

    Args:
        settings: Run settings.
        load: The engine, or a function returning it, called on first need.
        plan: What the run will use (:func:`plan_run`); it keys resume and the
            memory. Without a plan, nothing is skipped and the metadata comes
            from the engine.
        resume: Skip inputs whose outputs are up to date.
        progress: Observer of the run (the CLI's progress display).
        window: Sentences read ahead and translated together; by default
            about eight batches' worth, enough for full batches across short
            files while each file's outputs still appear soon after it is read.
        memory: Translation memory to consult and fill, or None.
    """

    def __init__(
        self,
        settings: Settings,
        load: Engine | Callable[[], Engine],
        plan: RunPlan | None = None,
        resume: bool = True,
        progress: Progress | None = None,
        window: int | None = None,
        memory: TranslationMemory | None = None,
    ) -> None:
        self.settings = settings
        self.plan = plan
        self.key = settings_key(settings, plan, memory) if plan else ""
        self.resume = resume and plan is not None
        self.window = window or max(16, settings.batch_tokens // _TYPICAL_SENTENCE_TOKENS * 8)
        self.progress = progress or NoProgress()
        self.counters = Counters()
        context = plan.memory_context if plan else ""
        self.translator = Translator(load, settings.batch_tokens, self.counters, memory, context)
        self._date = _utc_now()

    def meta(self) -> RunMeta:
        """Provenance for this run's outputs."""
        engine = self.translator.loaded
        if self.plan is None:
            return plan_of(self.translator.engine).meta(self._date, self.translator.engine.details)
        return self.plan.meta(self._date, engine.details if engine else {"engine_loaded": "no"})

    def run(
        self, jobs: Sequence[Job], on_outcome: Callable[[Outcome], None] | None = None
    ) -> RunReport:
        """Process every job; returns the outcomes in input order and the totals.

        Raises:
            ModelError: The model cannot be loaded (nothing can be translated).
            EngineError: The engine failed.
        """
        start = time.perf_counter()
        outcomes: dict[int, Outcome] = {}

        def finish(index: int, outcome: Outcome) -> None:
            outcomes[index] = outcome
            self.progress.file_done()
            if on_outcome:
                on_outcome(outcome)

        self.progress.start(len(jobs), sum(j.size for j in jobs))
        window: list[_Pending] = []
        for index, job in enumerate(jobs):
            item = self._read(index, job)
            if isinstance(item, Outcome):
                finish(index, item)
                continue
            window.append(item)
            if sum(len(p.sentences) for p in window) >= self.window:
                for i, outcome in self._flush(window):
                    finish(i, outcome)
                window = []
        for i, outcome in self._flush(window):
            finish(i, outcome)
        self.progress.close()
        return RunReport(
            [outcomes[i] for i in sorted(outcomes)], self.counters, time.perf_counter() - start
        )

    def _read(self, index: int, job: Job) -> _Pending | Outcome:
        try:
            document = job.read()
        except (TranslateError, OSError, UnicodeError) as exc:
            return Outcome(job.name, FAILED, _reason(exc, job))
        if self.resume and job.path is not None:
            meta_file = meta_path(Path(self.settings.output_dir), job.relative)
            if is_up_to_date(meta_file, document.sha256, self.key):
                return Outcome(job.name, SKIPPED)
        sentences = sentences_of(document)
        self.progress.add_sentences(len(sentences), job.size)
        return _Pending(index, job, document, sentences)

    def _flush(self, window: list[_Pending]) -> Iterator[tuple[int, Outcome]]:
        """Translate a window's sentences together, then align and write each file."""
        if not window:
            return
        texts = [s.text for p in window for s in p.sentences]
        translator = self.translator
        # The engine reports distinct texts; scale them to sentences so the bar
        # counts what the user counts, and top it up once the window is done.
        scale = len(texts) / max(len({sentence_key(t) for t in texts}), 1)
        shown = 0.0

        def on_batch(count: int) -> None:
            nonlocal shown
            step = min(count * scale, len(texts) - shown)
            shown += step
            self.progress.advance(step)

        translator.on_batch = on_batch
        try:
            translator.prepare(texts)
        finally:
            translator.on_batch = None
        self.progress.advance(len(texts) - shown)
        meta = self.meta()
        for pending in window:
            try:
                result = align(pending.document, translator, meta, pending.sentences)
                outputs = self._write(result, pending.job)
            except (TranslateError, OSError, UnicodeError) as exc:
                yield pending.index, Outcome(pending.job.name, FAILED, _reason(exc, pending.job))
                continue
            yield pending.index, Outcome(pending.job.name, TRANSLATED, outputs=tuple(outputs))

    def _write(self, result: Result, job: Job) -> list[Path]:
        return write_outputs(
            result, Path(self.settings.output_dir), job.relative, self.settings.formats, self.key
        )


def _reason(exc: BaseException, job: Job) -> str:
    return str(exc).removeprefix(f"{job.name}: ")


def write_combined(
    results: Callable[[], Iterable[Result]], output_dir: Path, name: str, formats: Sequence[str]
) -> list[Path]:
    """Write one file per format covering many documents, in the order given.

    Used for ``--combined``: reviewers work through a whole run in one TSV or
    TMX. ``results`` is called once per format and may return a generator, so
    the run is never held in memory.
    """
    written: list[Path] = []
    for fmt in formats:
        writer = get_writer(fmt)
        paths = output_paths(output_dir, PurePath(name + ".txt"), writer)
        written.extend(_write_format(writer, results(), paths))
    return written


def _write_format(writer: Writer, results: Iterable[Result], paths: list[Path]) -> list[Path]:
    """One format's files, written atomically together: all are renamed or none."""
    with contextlib.ExitStack() as stack:
        streams = [stack.enter_context(atomic_writer(p)) for p in paths]
        writer.write(results, *streams)
    return paths
