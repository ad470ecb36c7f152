"""Runs: many inputs through one engine, streamed, resumable, one outcome per input.

:func:`run_paths` is the whole run a user asks for: walk the paths, plan,
translate, write, and the ``--combined`` files. The CLI makes that one call;
a Python user can too. :func:`translate_file` and :func:`translate_text`
translate a single document with an engine the caller may reuse.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import cast

from .align import align, sentences_of, translation_key
from .batching import sentence_key
from .config import Settings
from .document import Document, Result, RunMeta, Sentence, document_from_text
from .engines import Engine, load_engine, pick_engine
from .errors import ModelError, OutputDirError, TranslateError, UsageError
from .glossary import Glossary
from .inputs import Job, collect_jobs
from .memory import DEFAULT as MEMORY_DEFAULT
from .memory import OFF as MEMORY_OFF
from .memory import TranslationMemory, memory_in_use
from .memory import default_path as default_memory_path
from .models import MODEL_FILES, ModelSource, check_model_dir, resolve_model
from .models import _looks_like_path as looks_like_path
from .outputs import (
    COMBINED_SOURCE_FORMAT,
    SourceStamp,
    check_combined_name,
    check_output_dir,
    combined_files,
    document_key,
    is_up_to_date,
    manifest_file,
    output_files,
    remove_stale_temporaries,
    settings_key,
    write_combined_from_outputs,
    write_outputs,
)
from .progress import CONVERTING, LOADING, TRANSLATING, NoProgress, Progress
from .provenance import RunPlan, engine_meta, plan_run, utc_now
from .readers import read_input
from .remote_outputs import write_remote_combined
from .storage import Location, is_uri, redact
from .translator import Counters, Translator
from .vocabulary import Status
from .writers import get_writer

# Tokens in a typical news sentence for opus-mt's vocabulary; sizes the window.
_TYPICAL_SENTENCE_TOKENS = 32


@dataclass(frozen=True)
class Outcome:
    """What happened to one input in a run.

    Attributes:
        name: The input as displayed.
        status: Translated, skipped (outputs up to date) or failed.
        error: The reason, for failed inputs.
        outputs: Files written.
        warnings: What was repaired while reading (``line 3: invalid UTF-8
            byte 0xE9 replaced with U+FFFD``), also kept in the metadata.
        backups: Outputs edited since the tool wrote them (or files it never
            wrote), kept under a backup name before being overwritten.
    """

    name: str
    status: Status
    error: str = ""
    outputs: tuple[PurePath, ...] = ()
    warnings: tuple[str, ...] = ()
    backups: tuple[PurePath, ...] = ()


@dataclass
class RunReport:
    """Outcomes (in input order) and totals of a run, for the summary and exit code.

    Attributes:
        outcomes: One per input, in input order.
        counters: Sentence and flag totals.
        seconds: Wall-clock time of the translation loop.
        output_dir: Where the outputs went.
        combined: The ``--combined`` files written, if any.
        combined_backups: Edited combined files kept as backups first.
        glossary_terms: How many terms the run's glossary holds (DNT terms
            included), or None when it used none.
        workers: Ray workers that shared the run (each removes only the
            duplicates it sees itself), or 0 for a local run.
    """

    outcomes: list[Outcome] = field(default_factory=list)
    counters: Counters = field(default_factory=Counters)
    seconds: float = 0.0
    output_dir: PurePath | None = None
    combined: tuple[PurePath, ...] = ()
    combined_backups: tuple[PurePath, ...] = ()
    glossary_terms: int | None = None
    workers: int = 0

    def count(self, status: Status) -> int:
        """How many inputs ended with ``status``."""
        return sum(o.status == status for o in self.outcomes)

    @property
    def backups(self) -> list[PurePath]:
        """Every edited output kept as a backup before being rewritten, in order."""
        return [b for o in self.outcomes for b in o.backups] + list(self.combined_backups)

    @property
    def failed(self) -> list[Outcome]:
        """The failed inputs, in input order."""
        return [o for o in self.outcomes if o.status == Status.FAILED]


@dataclass
class _Pending:
    index: int
    job: Job
    document: Document
    sentences: list[Sentence]
    key: str  # the input's resume key (document_key)
    stamp: SourceStamp | None = None  # recorded so a later run can skip it unread


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
    :func:`~translate_cli.outputs.is_up_to_date`) are skipped, and the engine
    is not even loaded when nothing is left to translate. With a glossary,
    each input's key also covers the terms it holds
    (:func:`~translate_cli.outputs.document_key`): a glossary edit reruns the
    inputs holding an edited term, and only those.

    Args:
        settings: Run settings.
        load: The engine, or a function returning it, called on first need.
        plan: What the run will use (:func:`~translate_cli.provenance.plan_run`);
            it keys resume and the memory. Without a plan, nothing is skipped
            and the plan is taken from the engine once loaded.
        resume: Skip inputs whose outputs are up to date.
        progress: Observer of the run (the CLI's progress display).
        window: Sentences read ahead and translated together; by default
            about eight batches' worth, enough for full batches across short
            files while each file's outputs still appear soon after it is read.
        memory: Translation memory to consult and fill, or None.
        glossary: Terms the translations must follow (given to the
            :class:`~translate_cli.translator.Translator`), or None for none.
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
        glossary: Glossary | None = None,
    ) -> None:
        self.settings = settings
        self.glossary = glossary
        self.plan = plan
        self.key = settings_key(settings, plan, memory) if plan else ""
        self.resume = resume and plan is not None
        self.window = window or max(16, settings.batch_tokens // _TYPICAL_SENTENCE_TOKENS * 8)
        self.progress = progress or NoProgress()
        self.counters = Counters()
        context = plan.memory_context if plan else ""
        self.translator = Translator(
            load, settings.batch_tokens, self.counters, memory, context, glossary=glossary
        )
        self._date = utc_now()

    def meta(self) -> RunMeta:
        """Provenance for this run's outputs."""
        engine = self.translator.loaded
        if self.plan is None:
            return engine_meta(self.translator.engine, self._date)
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
            [outcomes[i] for i in sorted(outcomes)],
            self.counters,
            time.perf_counter() - start,
            Path(self.settings.output_dir),
            glossary_terms=None if self.glossary is None else len(self.glossary.terms),
        )

    def _read(self, index: int, job: Job) -> _Pending | Outcome:
        self.progress.current(job.name)
        stamp = source_stamp(job, self.key, self.glossary)
        try:
            document = job.read(self.settings.input_format)
        except (TranslateError, OSError, UnicodeError) as exc:
            self.progress.leave_out(job.size)
            return Outcome(job.name, Status.FAILED, _reason(exc, job))
        sentences, key = _input_key(self.key, self.glossary, document)
        if self.resume:
            meta_file = _up_to_date(job, document, self.settings, key)
            if meta_file is not None:
                remove_stale_temporaries(meta_file)
                self.progress.leave_out(job.size)
                return Outcome(job.name, Status.SKIPPED)
        if sentences is None:
            sentences = sentences_of(document)
        self.progress.add_sentences(len(sentences), job.size)
        return _Pending(index, job, document, sentences, key, stamp)

    def _flush(self, window: list[_Pending]) -> Iterator[tuple[int, Outcome]]:
        """Translate a window's sentences together, then align and write each file."""
        if not window:
            return
        texts = [translation_key(s) for p in window for s in p.sentences]
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
            job = pending.job
            try:
                result = align(pending.document, translator, meta, pending.sentences)
                written = write_outputs(
                    result,
                    Path(self.settings.output_dir),
                    job.relative,
                    self.settings.formats,
                    pending.key,
                    job.stem,
                    pending.stamp,
                )
            except (TranslateError, OSError, UnicodeError) as exc:
                yield pending.index, Outcome(job.name, Status.FAILED, _reason(exc, job))
                continue
            outcome = Outcome(
                job.name,
                Status.TRANSLATED,
                outputs=tuple(written.paths),
                backups=tuple(written.backups),
                warnings=pending.document.warnings,
            )
            yield pending.index, outcome


def source_stamp(job: Job, key: str, glossary: Glossary | None) -> SourceStamp | None:
    """What ``job``'s manifest records of its file, taken before it is read.

    None for text given directly, or without a run key (no resume).
    """
    if not key:
        return None
    if job.remote is not None:  # as the store listed it
        return SourceStamp(job.size, job.mtime_ns, key, glossary.fingerprint if glossary else "")
    if job.path is None:
        return None
    return SourceStamp.of(job.path, key, glossary)


def _reason(exc: BaseException, job: Job) -> str:
    return str(exc).removeprefix(f"{job.name}: ")


def _input_key(
    key: str, glossary: Glossary | None, document: Document
) -> tuple[list[Sentence] | None, str]:
    """An input's resume key (:func:`~translate_cli.outputs.document_key`), and
    its sentences when the key needed them.

    Without a glossary (or without a run key: no resume) the key is the
    run's and the input is not segmented here, so an input skipped as up to
    date costs no segmentation; with one, the key covers the terms its
    sentences hold.
    """
    if not key or glossary is None:
        return None, key
    sentences = sentences_of(document)
    return sentences, document_key(key, glossary, _term_texts(sentences))


def _term_texts(sentences: Sequence[Sentence]) -> Iterator[str]:
    """The texts of an input the glossary is matched on, for its resume key.

    Each sentence as written (its pairs' terms) and, when protected spans
    are taken out, as the translator gets it (:func:`~translate_cli.align.
    translation_key`), so the key covers every term the run can act on.
    """
    for sentence in sentences:
        yield sentence.text
        key = translation_key(sentence)
        if key != sentence.text:
            yield key


def load_glossary(settings: Settings) -> Glossary | None:
    """The glossary the files of ``settings.glossaries`` and ``settings.dnt`` make.

    Paths have ``~`` expanded; a relative one is read from the current folder
    (a config file's were already made relative to its folder by
    :func:`~translate_cli.config.read_toml`).

    Returns:
        The glossary (:meth:`Glossary.load <translate_cli.glossary.Glossary.load>`,
        its :attr:`~translate_cli.glossary.Glossary.warnings` to show), or
        None when the settings name no file.

    Raises:
        InputError: A file is missing, unreadable or malformed: one line
            naming the file and, where there is one, the line.
    """
    if not settings.glossaries and not settings.dnt:
        return None
    return Glossary.load(
        [Path(p).expanduser() for p in settings.glossaries],
        [Path(p).expanduser() for p in settings.dnt],
    )


def _glossary_of(settings: Settings, glossary: Glossary | None) -> Glossary | None:
    """``glossary`` when given, else the one ``settings`` names (:func:`load_glossary`)."""
    return glossary if glossary is not None else load_glossary(settings)


def _up_to_date(job: Job, document: Document, settings: Settings, key: str) -> Path | None:
    """The manifest of ``job``'s outputs when they are up to date for ``key``, else None."""
    if job.path is None:
        return None
    meta_file = manifest_file(Path(settings.output_dir), job.relative, job.stem)
    return meta_file if is_up_to_date(meta_file, document.sha256, key) else None


def _loader(
    settings: Settings, source: ModelSource, progress: Progress | None
) -> Callable[[], Engine]:
    """Load the engine when first needed, telling ``progress`` the phase."""
    shown = progress or NoProgress()

    def load() -> Engine:
        shown.phase(CONVERTING if _needs_conversion(settings, source) else LOADING)
        engine = load_engine(settings, source)
        shown.phase(TRANSLATING)
        return engine

    return load


def _needs_conversion(settings: Settings, source: ModelSource) -> bool:
    """Whether loading will first convert the model for CTranslate2 (its first use).

    Asks the same functions the engine will (device, compute type, cache
    entry); called only just before the engine loads, which imports
    ctranslate2 anyway. Any doubt answers False: the engine then reports.
    """
    if pick_engine(settings.engine) != "ctranslate2":
        return False
    from .engines.ct2_cache import entry_path, read_manifest
    from .engines.ctranslate2_engine import pick_compute_type, pick_device

    try:
        compute = pick_compute_type(settings.compute_type, pick_device(settings.device))
    except TranslateError:
        return False
    return read_manifest(entry_path(source, compute)) is None


def run_paths(
    paths: Sequence[str | Path],
    settings: Settings | None = None,
    *,
    force: bool = False,
    combined: str | None = None,
    progress: Progress | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
    glossary: Glossary | None = None,
) -> RunReport:
    """Translate files and folders end to end, as ``translate PATH... -o DIR`` does.

    Walks the paths (folders recursively, for ``settings.globs``), skips
    inputs whose outputs are up to date (unless ``force``), loads the model
    only if something is left, writes each input's outputs under
    ``settings.output_dir``, and with ``combined`` also writes
    ``NAME.fr-en.tsv``, ``NAME.fr-en.tmx`` and ``NAME.review.html`` covering
    every input that did not fail, in input order.

    Args:
        paths: Files and folders.
        settings: Run settings; defaults when None.
        force: Redo inputs whose outputs are up to date.
        combined: Stem of the combined files, or None for none.
        progress: Observer of the run; none by default.
        on_outcome: Called with each input's outcome as soon as it is known.
        glossary: Terms the translations must follow; None loads the files
            ``settings.glossaries`` and ``settings.dnt`` name (:func:`load_glossary`),
            once, before any input.

    Returns:
        The outcomes in input order, the totals and the combined files.
        A failed input does not raise: it is a ``failed`` outcome.

    Everything that can be checked without the model is checked first: the
    paths, the names the outputs will take, the ``combined`` name and the
    output folder (it must be a folder, or creatable, and hold a new file).

    Raises:
        UsageError: No input found, a path does not exist, ``combined`` is
            not a plain name or would overwrite an input or per-file output,
            or inputs' outputs cannot be given distinct names.
        OutputDirError: The output folder cannot hold outputs (a UsageError).
        OutputError: A per-input JSONL is damaged, or a combined file cannot
            be written (the per-input outputs are complete).
        InputError: A glossary or DNT file is missing or malformed (before
            any input is read).
        ModelError: The model cannot be found or loaded.
        EngineError: The engine failed.
        MemoryStoreError: The translation memory cannot be used.
    """
    settings, jobs = _prepare(paths, settings or Settings(), combined)
    output_root = Path(settings.output_dir)
    glossary = _glossary_of(settings, glossary)
    check_output_dir(output_root)
    source = resolve_model(settings.model, settings.revision)
    with memory_in_use(settings.memory) as memory:
        runner = Runner(
            settings,
            _loader(settings, source, progress),
            plan_run(settings, source),
            resume=not force,
            progress=progress,
            memory=memory,
            glossary=glossary,
        )
        report = runner.run(jobs, on_outcome=on_outcome)
    if combined is not None:
        write_combined(report, jobs, output_root, combined)
    return report


def write_combined(
    report: RunReport, jobs: Sequence[Job], output_root: Path | Location, combined: str
) -> None:
    """Build the ``--combined`` files from the outputs of the inputs that did not fail.

    Both runners call it once their outcomes are in ``report``, in ``jobs`` order;
    it records the files written and the backups kept in ``report``. An output
    folder in an object store (the Ray runner's) gets them as its outputs do
    (:func:`~translate_cli.remote_outputs.write_remote_combined`).

    Raises:
        OutputError: An output cannot be read back or a combined file written.
        OSError: The object store cannot be read or written.
    """
    done = [
        job
        for job, outcome in zip(jobs, report.outcomes, strict=True)
        if outcome.status != Status.FAILED
    ]
    relatives, stems = [j.relative for j in done], [j.stem for j in done]
    if isinstance(output_root, Location):
        written = write_remote_combined(output_root, relatives, combined, stems)
    else:
        written = write_combined_from_outputs(output_root, relatives, combined, stems)
    report.combined, report.combined_backups = tuple(written.paths), tuple(written.backups)


def with_combined_source(settings: Settings, combined: str | None) -> Settings:
    """``settings`` with the per-input format ``--combined`` is built from, when needed."""
    if combined is not None and COMBINED_SOURCE_FORMAT not in settings.formats:
        return settings.replace(formats=(*settings.formats, COMBINED_SOURCE_FORMAT))
    return settings


def _prepare(
    paths: Sequence[str | Path], settings: Settings, combined: str | None
) -> tuple[Settings, list[Job]]:
    """The settings a run really uses and its jobs, with the checks that need neither
    the model nor a write (see :func:`run_paths` for what they raise)."""
    remote = [str(p) for p in (*paths, settings.output_dir) if is_uri(p)]
    if remote:
        raise UsageError(
            f"{redact(remote[0])}: inputs and outputs in object storage need the Ray runner "
            "(--runner ray), without --dry-run"
        )
    settings = with_combined_source(settings, combined)
    output_root = Path(settings.output_dir)
    jobs = collect_local_jobs(paths, settings.globs, output_root)
    if combined is not None:
        check_combined_name(combined, output_root, _occupied(jobs, settings, output_root))
    return settings, jobs


def collect_local_jobs(
    paths: Sequence[str | Path], globs: Sequence[str], output_dir: Path | None
) -> list[Job]:
    """:func:`~translate_cli.inputs.collect_jobs`, refusing a run with no input.

    Raises:
        UsageError: As ``collect_jobs``, or no file matches ``globs``.
    """
    jobs = collect_jobs([str(p) for p in paths], globs, output_dir)
    if not jobs:
        raise UsageError(
            f"no input files matching {','.join(globs)} in: " + " ".join(str(p) for p in paths)
        )
    return jobs


@dataclass
class DryRunReport:
    """What a run would do, found without loading the model or writing anything.

    Attributes:
        outcomes: One per input, in input order, as the run would end it:
            ``translated`` (would be translated; ``outputs`` are the files it
            would write), ``skipped`` (outputs up to date) or ``failed``
            (refused; ``error`` says why: unreadable, not a document of its
            format, an output clash).
        output_dir: Where the outputs would go.
        combined: The ``--combined`` files that would be written.
        undecided: Why it cannot be told which inputs are up to date, or ""
            when it can: the model cannot be located without downloading it
            (or at all, and then the real run fails). Every readable input is
            then listed as to translate.
        glossary_terms: How many terms the glossary holds (DNT terms
            included), or None when the run would use none.
    """

    outcomes: list[Outcome] = field(default_factory=list)
    output_dir: Path = Path()
    combined: tuple[Path, ...] = ()
    undecided: str = ""
    glossary_terms: int | None = None

    def count(self, status: Status) -> int:
        """How many inputs would end with ``status``."""
        return sum(o.status == status for o in self.outcomes)

    @property
    def refused(self) -> list[Outcome]:
        """The inputs a run would fail on, in input order."""
        return [o for o in self.outcomes if o.status == Status.FAILED]


def dry_run(
    paths: Sequence[str | Path],
    settings: Settings | None = None,
    *,
    force: bool = False,
    combined: str | None = None,
    glossary: Glossary | None = None,
) -> DryRunReport:
    """What :func:`run_paths` would do with the same arguments, doing none of it.

    Every input is read (so unreadable and malformed ones are found) and
    compared with its manifest, as a run does, but the model is not loaded,
    not downloaded and not converted, and nothing is written: not the output
    folder, not the translation memory. torch, transformers and ctranslate2
    are not imported.

    Args:
        paths: Files and folders.
        settings: Run settings; defaults when None.
        force: Every readable input would be translated.
        combined: Stem of the combined files, or None for none.
        glossary: As for :func:`run_paths`: None loads the files the settings name.

    Returns:
        The outcome each input would have, and where the outputs would go.

    Raises:
        UsageError: As :func:`run_paths` before any work: no input, a missing
            path, a bad ``combined`` name, an output folder that cannot be.
        InputError: A glossary or DNT file is missing or malformed.
    """
    settings, jobs = _prepare(paths, settings or Settings(), combined)
    output_root = Path(settings.output_dir)
    glossary = _glossary_of(settings, glossary)
    _check_output_dir_unchanged(output_root)
    key, undecided = "", ""
    if not force:
        try:
            key = _offline_key(settings)
        except TranslateError as exc:
            undecided = str(exc)
    report = DryRunReport(
        output_dir=output_root,
        undecided=undecided,
        glossary_terms=None if glossary is None else len(glossary.terms),
    )
    for job in jobs:
        try:
            document = job.read(settings.input_format)
        except (TranslateError, OSError, UnicodeError) as exc:
            report.outcomes.append(Outcome(job.name, Status.FAILED, _reason(exc, job)))
            continue
        planned = [
            path
            for fmt in settings.formats
            for path in output_files(output_root, job.relative, get_writer(fmt), job.stem)
        ]
        folders = [path for path in planned if path.is_dir()]
        input_key = _input_key(key, glossary, document)[1] if key and not folders else ""
        if folders:
            reason = f"output clash: {folders[0]} is a folder"
            report.outcomes.append(Outcome(job.name, Status.FAILED, reason))
        elif input_key and _up_to_date(job, document, settings, input_key) is not None:
            report.outcomes.append(Outcome(job.name, Status.SKIPPED))
        else:
            report.outcomes.append(Outcome(job.name, Status.TRANSLATED, outputs=tuple(planned)))
    if combined is not None:
        report.combined = tuple(combined_files(output_root, combined))
    return report


def _check_output_dir_unchanged(output_dir: Path) -> None:
    """:func:`~translate_cli.outputs.check_output_dir` without creating anything.

    Raises:
        OutputDirError: A file is where the folder (or one above it) should
            be, or the nearest existing folder cannot be written to.
    """
    for folder in (output_dir, *output_dir.parents):
        if folder.exists() or folder.is_symlink():
            if not folder.is_dir():
                where = "a file is in its place" if folder == output_dir else f"{folder} is a file"
                raise OutputDirError(f"{output_dir}: cannot be the output folder: {where}")
            if not os.access(folder, os.W_OK | os.X_OK):
                raise OutputDirError(
                    f"{output_dir}: cannot write in the output folder: permission denied"
                )
            return


def _offline_key(settings: Settings) -> str:
    """The settings key a run would compare manifests with, found offline.

    The model is located as :func:`~translate_cli.models.resolve_model` does,
    but a hub id only in the local cache: a dry run downloads nothing. The
    memory is read only if it exists (a run would create an empty one).

    Raises:
        ModelError: The model is not there, or not in the cache.
        MemoryStoreError: The memory cannot be read.
    """
    source = _locate_offline(settings.model, settings.revision)
    plan = plan_run(settings, source)
    if settings.memory == MEMORY_OFF:
        return settings_key(settings, plan, None)
    path = default_memory_path() if settings.memory == MEMORY_DEFAULT else Path(settings.memory)
    if not path.expanduser().is_file():
        # An empty memory: its key part is its path and no reviewed entry.
        return settings_key(settings, plan, cast(TranslationMemory, _EmptyMemory(path)))
    with memory_in_use(settings.memory) as memory:
        return settings_key(settings, plan, memory)


@dataclass(frozen=True)
class _EmptyMemory:
    """What :func:`~translate_cli.outputs.settings_key` reads of a memory not yet created."""

    path: Path

    def reviewed_version(self) -> str:
        return "0:"  # TranslationMemory.reviewed_version of an empty memory


def _locate_offline(name: str, revision: str | None) -> ModelSource:
    """:func:`~translate_cli.models.resolve_model` without the network.

    Raises:
        ModelError: A local folder is missing or no model, or a hub model is
            not in the local cache.
    """
    if Path(name).expanduser().exists() or looks_like_path(name):
        return resolve_model(name, revision)
    from huggingface_hub import snapshot_download

    try:
        found = snapshot_download(
            name, revision=revision, allow_patterns=list(MODEL_FILES), local_files_only=True
        )
    except (OSError, ValueError):  # not cached (LocalEntryNotFoundError), or a bad id
        raise ModelError(
            f"{name}: not in the local Hugging Face cache (a run downloads it)"
        ) from None
    path = Path(found)
    check_model_dir(path, name)
    return ModelSource(name, path, path.name)


def _occupied(jobs: Sequence[Job], settings: Settings, output_dir: Path) -> list[Path]:
    """The inputs of a run and every output path they will have."""
    paths = [job.path for job in jobs if job.path is not None]
    for job in jobs:
        paths.append(manifest_file(output_dir, job.relative, job.stem))
        for fmt in settings.formats:
            paths += output_files(output_dir, job.relative, get_writer(fmt), job.stem)
    return paths


def translate_text(
    text: str,
    settings: Settings | None = None,
    engine: Engine | None = None,
    *,
    glossary: Glossary | None = None,
) -> Result:
    """Translate a French text held in memory.

    Args:
        text: The French text; paragraphs separated by newlines or blank lines.
        settings: Run settings; defaults when None.
        engine: An engine from :func:`~translate_cli.engines.load_engine`, to
            reuse across calls.
        glossary: Terms the translation must follow, to reuse across calls;
            None loads the files ``settings.glossaries`` and ``settings.dnt``
            name (:func:`load_glossary`; none by default).

    Raises:
        InputError: A glossary or DNT file is missing or malformed.
        ModelError: The model cannot be loaded.
        EngineError: The engine failed.
    """
    return translate_document(document_from_text(text), settings, engine, glossary=glossary)


def translate_document(
    document: Document,
    settings: Settings | None = None,
    engine: Engine | None = None,
    *,
    use_memory: bool = False,
    glossary: Glossary | None = None,
) -> Result:
    """Translate a document already read (:func:`~translate_cli.readers.read_input`).

    Args:
        document: The document.
        settings: Run settings; defaults when None.
        engine: An engine to reuse across calls.
        use_memory: Use the translation memory ``settings.memory`` names, as a
            run does (reviewed translations win; what is translated is
            stored); off by default for library calls.
        glossary: Terms the translation must follow; None loads the files
            the settings name (:func:`load_glossary`; none by default).

    Raises:
        InputError: A glossary or DNT file is missing or malformed.
        ModelError: The model cannot be loaded.
        EngineError: The engine failed.
        MemoryStoreError: The translation memory cannot be used.
    """
    settings = settings or Settings()
    glossary = _glossary_of(settings, glossary)
    if not use_memory:
        engine = engine or load_engine(settings)
        translator = Translator(engine, settings.batch_tokens, glossary=glossary)
        return align(document, translator, engine_meta(engine))
    source = resolve_model(settings.model, settings.revision)
    with memory_in_use(settings.memory) as memory:
        runner = Runner(
            settings,
            engine or _loader(settings, source, None),
            plan_run(settings, source),
            resume=False,
            memory=memory,
            glossary=glossary,
        )
        return align(document, runner.translator, runner.meta())


def translate_file(
    path: Path | str,
    settings: Settings | None = None,
    engine: Engine | None = None,
    output_dir: Path | str | None = None,
    *,
    glossary: Glossary | None = None,
) -> Result:
    """Translate one French file, optionally writing its outputs.

    Args:
        path: The input file.
        settings: Run settings; defaults when None.
        engine: An engine from :func:`~translate_cli.engines.load_engine`, to
            reuse across calls.
        output_dir: If given, the chosen formats are written there.
        glossary: Terms the translation must follow, to reuse across calls;
            None loads the files the settings name (:func:`load_glossary`;
            none by default).

    Raises:
        InputError: The file is unreadable, binary or undecodable, or a
            glossary or DNT file is missing or malformed.
        ModelError: The model cannot be loaded.
        EngineError: The engine failed.
    """
    path = Path(path)
    settings = settings or Settings()
    glossary = _glossary_of(settings, glossary)
    document = read_input(path, input_format=settings.input_format)
    engine = engine or load_engine(settings)
    translator = Translator(engine, settings.batch_tokens, glossary=glossary)
    result = align(document, translator, engine_meta(engine))
    if output_dir is not None:
        write_outputs(result, Path(output_dir), PurePath(path.name), settings.formats)
    return result
