"""Document → Result, and runs over many files.

The way through, forward only::

    Document ─split─▶ sentences ─dedup─▶ unique texts ─cut if too long─▶ pieces
      ─length-sorted token-budget batches─▶ Engine ─restore order─▶ AlignedPair

Identical sentences are translated once per run: the :class:`Translator`
keeps what it has translated, so the seed's repeated paragraphs cost nothing
the second time, and neither does a sentence repeated across files.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Sequence
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
from .engines import Engine, load_engine
from .errors import TranslateError
from .fsutil import atomic_writer
from .segment import cut_spans, split_sentences
from .writers import get_writer, meta_path, meta_record, output_paths

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
        unique: Distinct sentences among them.
        engine_inputs: Texts sent to the engine (a cut sentence counts each piece).
        split: Sentences too long for the model, translated in pieces.
    """

    sentences: int = 0
    unique: int = 0
    engine_inputs: int = 0
    split: int = 0


@dataclass
class Translator:
    """Dedup, long-sentence cutting and batching in front of an engine.

    Attributes:
        engine: The loaded engine.
        batch_tokens: Padded source tokens per engine call.
        counters: Running totals for the summary.
    """

    engine: Engine
    batch_tokens: int
    counters: Counters = field(default_factory=Counters)
    _memo: dict[str, tuple[Hypothesis, bool]] = field(default_factory=dict)

    def _fits(self, text: str) -> bool:
        return self.engine.count_tokens([text])[0] <= self.engine.max_input_tokens

    def _pieces(self, key: str, tokens: int) -> list[str]:
        if tokens <= self.engine.max_input_tokens:
            return [key]
        pieces = [key[a:b].strip() for a, b in cut_spans(key, self._fits)]
        return [p for p in pieces if p]

    def translate(self, texts: Sequence[str]) -> list[tuple[Hypothesis, bool]]:
        """Translate sentences; returns each one's hypothesis and whether it was cut.

        Args:
            texts: Sentences in any order, repeats allowed.
        """
        keys = [sentence_key(t) for t in texts]
        distinct, _ = unique(keys)
        new = [k for k in distinct if k not in self._memo]
        self.counters.sentences += len(keys)
        self.counters.unique += len(new)
        if new:
            self._translate_new(new)
        return [self._memo[k] for k in keys]

    def _translate_new(self, new: list[str]) -> None:
        tokens = dict(zip(new, self.engine.count_tokens(new), strict=True))
        pieces = {key: self._pieces(key, tokens[key]) for key in new}
        jobs, _ = unique([p for ps in pieces.values() for p in ps])
        missing = [j for j in jobs if j not in tokens]
        if missing:
            tokens.update(zip(missing, self.engine.count_tokens(missing), strict=True))
        done: dict[str, Hypothesis] = {}
        for batch in plan_batches([tokens[j] for j in jobs], self.batch_tokens):
            texts = [jobs[i] for i in batch]
            done.update(zip(texts, self.engine.translate_batch(texts), strict=True))
        self.counters.engine_inputs += len(jobs)
        for key, parts in pieces.items():
            if len(parts) == 1:
                self._memo[key] = (done[parts[0]], False)
                continue
            self.counters.split += 1
            scores = [s for s in (done[p].score for p in parts) if s is not None]
            joined = " ".join(t for t in (done[p].text for p in parts) if t)
            score = sum(scores) / len(scores) if scores else None
            self._memo[key] = (Hypothesis(joined, score), True)


def run_meta(engine: Engine) -> RunMeta:
    """Provenance for outputs: model, revision, engine, beams, version, date."""
    return RunMeta(
        tool_version=__version__,
        model=engine.model,
        revision=engine.revision,
        engine=engine.name,
        beams=engine.beams,
        date=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        extra=dict(engine.details),
    )


def align(document: Document, translator: Translator, meta: RunMeta) -> Result:
    """Translate one document into aligned pairs, in document order."""
    sentences = sentences_of(document)
    hyps = translator.translate([s.text for s in sentences])
    pairs = tuple(
        AlignedPair(s.paragraph, s.index, s.text, h.text, (SPLIT,) if cut else (), h.score)
        for s, (h, cut) in zip(sentences, hyps, strict=True)
    )
    return Result(document, pairs, meta)


def write_outputs(
    result: Result, output_dir: Path, relative: PurePath, formats: Iterable[str]
) -> list[Path]:
    """Write every chosen format plus the metadata file, each atomically.

    Returns:
        The paths written, metadata file last (its presence marks the set complete).
    """
    import json

    written: list[Path] = []
    for name in formats:
        writer = get_writer(name)
        paths = output_paths(output_dir, relative, writer)
        with _open_all(paths) as streams:
            writer.write([result], *streams)
        written.extend(paths)
    meta = {**meta_record(result), "outputs": [p.name for p in written]}
    meta_file = meta_path(output_dir, relative)
    with atomic_writer(meta_file) as fh:
        fh.write(json.dumps(meta, ensure_ascii=False, indent=2) + "\n")
    return [*written, meta_file]


class _open_all:
    """Open several atomic writers together; all are committed or none."""

    def __init__(self, paths: Sequence[Path]) -> None:
        self._cms = [atomic_writer(p) for p in paths]

    def __enter__(self) -> list:
        return [cm.__enter__() for cm in self._cms]

    def __exit__(self, *exc: object) -> None:
        # Commit in reverse so an error in one still rolls back the others.
        error = exc
        for cm in reversed(self._cms):
            try:
                cm.__exit__(*error)
            except BaseException as e:  # pragma: no cover - disk full and the like
                error = (type(e), e, e.__traceback__)
        if error is not exc and error[1] is not None:
            raise error[1]  # type: ignore[misc]


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
class Outcome:
    """What happened to one input in a run.

    Attributes:
        name: The input as displayed.
        status: ``translated`` or ``failed``.
        error: The reason, for failed inputs.
        outputs: Files written.
    """

    name: str
    status: str
    error: str = ""
    outputs: tuple[Path, ...] = ()


@dataclass
class RunReport:
    """Outcomes and totals of a run, for the summary and the exit code."""

    outcomes: list[Outcome] = field(default_factory=list)
    counters: Counters = field(default_factory=Counters)
    seconds: float = 0.0

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]


@dataclass(frozen=True)
class Job:
    """One input of a run: where to read it and where its outputs go.

    Attributes:
        name: Display name.
        relative: Path mirrored under the output folder.
        path: File to read, or None when ``text`` is given.
        text: Already decoded text (standard input).
    """

    name: str
    relative: PurePath
    path: Path | None = None
    text: str | None = None

    def read(self) -> Document:
        if self.path is None:
            return document_from_text(self.text or "", self.name)
        return read_document(self.path, self.name)


class Runner:
    """Translates inputs one after another with one engine and one memo.

    Failures are isolated per input: an unreadable or undecodable file becomes
    a ``failed`` outcome and the run goes on.

    Args:
        settings: Run settings.
        engine: The loaded engine, shared by every input.
        on_result: Called with each translated document and its job; returns
            the paths written. Defaults to writing ``settings.formats`` under
            ``settings.output_dir``.
    """

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        on_result: Callable[[Result, Job], Sequence[Path]] | None = None,
    ) -> None:
        self.settings = settings
        self.translator = Translator(engine, settings.batch_tokens)
        self.meta = run_meta(engine)
        self._on_result = on_result or self._write

    def _write(self, result: Result, job: Job) -> Sequence[Path]:
        return write_outputs(
            result, Path(self.settings.output_dir), job.relative, self.settings.formats
        )

    def process(self, job: Job) -> Outcome:
        """Translate one input and hand the result on; never raises for bad input."""
        try:
            result = align(job.read(), self.translator, self.meta)
            outputs = tuple(self._on_result(result, job))
        except (TranslateError, OSError, UnicodeError) as exc:
            return Outcome(job.name, "failed", str(exc).removeprefix(f"{job.name}: "))
        return Outcome(job.name, "translated", outputs=outputs)

    def run(
        self, jobs: Iterable[Job], on_outcome: Callable[[Outcome], None] | None = None
    ) -> RunReport:
        """Process every job and collect the outcomes, totals and wall time."""
        report = RunReport(counters=self.translator.counters)
        start = time.perf_counter()
        for job in jobs:
            outcome = self.process(job)
            report.outcomes.append(outcome)
            if on_outcome:
                on_outcome(outcome)
        report.seconds = time.perf_counter() - start
        return report
