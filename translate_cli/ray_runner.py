"""Corpus runs on a Ray cluster: the local runner's outputs, resume and memory, scaled out.

:func:`run_paths_ray` is :func:`~translate_cli.runner.run_paths` on Ray Data
(``translate corpus/ -o out/ --runner ray``). The driver (this process)
does what needs one place:

1. checks the paths, the output folder and the ``--combined`` name, resolves
   the model, and converts it for CTranslate2 once (workers on this host, or
   sharing its cache folder, then find it converted);
2. filters out inputs whose outputs are up to date *before starting
   anything*, from each manifest's :class:`~translate_cli.outputs.SourceStamp`
   (size and modification time; the SHA-256 confirms when only the time
   differs), so a resume with nothing to do returns at once, without even
   connecting to Ray;
3. takes a read-only snapshot of the translation memory (the entries this
   run can find, :meth:`~translate_cli.memory.TranslationMemory.entries_for`).

Then a Ray Data pipeline streams the inputs left::

    from_items(jobs) ─map: read + split (CPU tasks)─▶
      ─map_batches: translate + align (actor pool, one engine per actor)─▶
      ─map: write outputs, atomically (CPU tasks)─▶ outcome rows ─▶ driver

Each outcome row is small: the input's outcome, the counters of its batch
and the new machine translations its worker made. The driver shows
progress, failure lines and the summary from them, and is the only writer of
the memory (SQLite over a network file system is not safe to share). Then
it builds ``--combined`` from the per-input JSONL as the local runner does.

What differs from the local runner: duplicate sentences are translated once
*per worker* (each worker keeps its own memo and reads the snapshot, not
what other workers translate meanwhile), so the summary's ``unique`` count
is the sum of the workers'. A file finished by one runner is skipped by the
other (the settings key ignores the runner, the workers and the threads).
The outputs equal the local runner's but for the run date with float32. With
int8 a few sentences and scores can differ, because a sentence's int8 result
depends on how far its batch pads it, and each runner batches differently.

Failures: an input that cannot be read, or that makes the engine raise, is a
``failed`` outcome with its reason (caught per input in the worker, as the
local runner does). A worker that dies (killed, out of memory, a crash in
the engine) is restarted at most :data:`MAX_RESTARTS` times and its batch
retried at most :data:`MAX_TASK_RETRIES` times; inputs of a batch that still
cannot finish are ``failed`` ("the worker translating it died"), and the
rest of the run goes on. Outputs are staged and renamed
(:mod:`translate_cli.fsutil`), so a killed driver or worker leaves no
half-written file, and temporary names carry the host name.

Ray is an optional dependency (``pip install 'translate-cli[ray]'``),
imported only when a pipeline starts.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import pickle
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from .align import align, sentences_of, translation_key
from .config import Settings, worker_range
from .document import Document, Sentence
from .engines import Engine, load_engine, pick_engine
from .errors import ModelError, OutputDirError, OutputError, TranslateError, UsageError
from .glossary import Glossary
from .inputs import Job, collect_remote_jobs
from .memory import REVIEWED_CONTEXT, Entry, TranslationMemory, memory_in_use
from .models import ModelSource, resolve_model
from .outputs import (
    SourceStamp,
    check_combined_name,
    check_output_dir,
    is_unchanged,
    manifest_file,
    remove_stale_temporaries,
    settings_key,
    write_outputs,
)
from .progress import CONVERTING, TRANSLATING, NoProgress, Progress
from .provenance import RunPlan, plan_run, utc_now
from .remote_outputs import (
    check_remote_output,
    remote_is_unchanged,
    remote_manifest,
    remote_source_sha256,
    write_remote_outputs,
)
from .runner import (
    Outcome,
    RunReport,
    _glossary_of,
    _input_key,
    _occupied,
    _prepare,
    _reason,
    _up_to_date,
    collect_local_jobs,
    source_stamp,
    with_combined_source,
    write_combined,
)
from .storage import Location, is_uri, kind, list_objects
from .translator import Counters, Translator
from .vocabulary import EntryOrigin, Status
from .writers import META_SUFFIX

# What to install when Ray is missing.
EXTRA = "pip install 'translate-cli[ray]'"
# Inputs translated together by one worker call: their new sentences share
# engine batches (cross-file batching), and a worker that dies takes this
# many inputs' work with it, to be retried. At least DOCS_PER_BATCH, at most
# MAX_DOCS_PER_BATCH, and so that each worker gets CALLS_PER_WORKER calls
# (see docs_per_call): fuller calls fill the engine's batches as the local
# runner's window of ~256 sentences does (8 short inputs padded their
# batches ~10 % more; benchmarks/ray_scaling.py).
DOCS_PER_BATCH = 8
MAX_DOCS_PER_BATCH = 64
CALLS_PER_WORKER = 2
# A dead worker is replaced at most this many times in a run, and a batch it
# held retried at most this many times: an input that crashes the engine
# each time ends as a failed outcome, not an endless retry.
MAX_RESTARTS = 3
MAX_TASK_RETRIES = 2
# CPUs the read and write tasks reserve: none, so they run beside a pool that
# holds every CPU (with any reservation, a full pool starves them and the run
# waits forever); each stage runs at most as many at once as the pool's
# largest size (a task pool).
_IO_CPUS = 0.0
# Ray's lines that a run's console does without (see _Chatter).
_CHATTER = ("Progress bars disabled", "Token authentication is enabled")
_TOKEN_LOGGER = "ray._private.authentication.authentication_token_setup"
_REMOTE_ARGS_DEPRECATED = "`ray_remote_args` is deprecated"

# (key, source, target, score, cut, context): a new machine translation.
MemoryRow = tuple[str, str, str, float | None, bool, str]
EngineLoader = Callable[[Settings, ModelSource], Engine]


def ray_available() -> bool:
    """Whether Ray (with Ray Data) can be imported, found without importing it."""
    try:
        return importlib.util.find_spec("ray.data") is not None
    except ImportError:  # "ray" itself is missing (or blocked)
        return False


def require_ray() -> None:
    """Raise the one-line usage error that names the extra, when Ray is missing.

    Raises:
        UsageError: ``ray`` (or ``ray.data``) cannot be imported.
    """
    if not ray_available():
        raise UsageError(f"--runner ray needs Ray, which is not installed: {EXTRA}")


@dataclass
class _Snapshot:
    """A read-only copy of the memory's entries for a worker, and what it translated.

    Quacks like :class:`~translate_cli.memory.TranslationMemory` for the
    :class:`~translate_cli.translator.Translator`: ``lookup`` answers from
    the snapshot (reviewed entries first), ``store`` keeps the rows for the
    driver to store (:attr:`new`).
    """

    entries: dict[tuple[str, str], Entry] = field(default_factory=dict)
    new: list[MemoryRow] = field(default_factory=list)

    def lookup(self, keys: Sequence[str], context: str) -> dict[str, Entry]:
        found: dict[str, Entry] = {}
        for key in keys:
            entry = self.entries.get((key, REVIEWED_CONTEXT)) or self.entries.get((key, context))
            if entry is not None:
                found[key] = entry
        return found

    def store(
        self,
        entries: Iterable[tuple[str, str, str, float | None, bool]],
        context: str,
        origin: str = EntryOrigin.MACHINE,
    ) -> int:
        rows = [(k, s, t, sc, c, context) for k, s, t, sc, c in entries]
        self.new += rows
        return len(rows)


@dataclass(frozen=True)
class _Read:
    """An input read and split by a CPU task, on its way to a worker."""

    job: Job
    document: Document
    sentences: list[Sentence]
    key: str
    stamp: SourceStamp | None


@dataclass(frozen=True)
class _Translated:
    """An input translated and aligned by a worker, on its way to be written."""

    job: Job
    result: Any  # document.Result
    key: str
    stamp: SourceStamp | None


@dataclass
class _Done:
    """An outcome row: what the driver receives for one input."""

    outcome: Outcome
    sentences: int = 0  # for progress
    counters: Counters | None = None  # the batch's, on its first row
    memory: list[MemoryRow] = field(default_factory=list)  # idem


def run_paths_ray(
    paths: Sequence[str | Path],
    settings: Settings | None = None,
    *,
    force: bool = False,
    combined: str | None = None,
    progress: Progress | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
    glossary: Glossary | None = None,
    engine_loader: EngineLoader = load_engine,
) -> RunReport:
    """Translate files and folders on Ray, as :func:`~translate_cli.runner.run_paths` does.

    Args:
        paths: Files and folders (on a cluster: paths every node sees, a
            shared file system).
        settings: Run settings; ``runner`` is not read (this is the Ray
            runner), ``ray_address``, ``workers``, ``threads`` (CPUs per
            worker, 0 counting as 1) and ``gpus_per_worker`` shape the pool.
        force: Redo inputs whose outputs are up to date.
        combined: Stem of the combined files, or None for none.
        progress: Observer of the run; none by default.
        on_outcome: Called with each input's outcome as soon as the driver
            receives it (in completion order, not input order).
        glossary: As for :func:`~translate_cli.runner.run_paths`.
        engine_loader: What each worker calls, once, to load its engine
            (a picklable function; :func:`~translate_cli.engines.load_engine`).

    Returns:
        The outcomes in input order, the summed counters and the combined files.

    Raises:
        UsageError: Ray is not installed, or as :func:`~translate_cli.runner.run_paths`.
        OutputDirError: The output folder cannot hold outputs.
        OutputError: A per-input JSONL is damaged, or a combined file cannot be written.
        InputError: A glossary or DNT file is missing or malformed.
        ModelError: The model cannot be found, converted or loaded.
        MemoryStoreError: The translation memory cannot be used.
    """
    require_ray()
    settings, jobs = _prepare_anywhere(paths, settings or Settings(), combined)
    output_root = output_root_of(settings)
    glossary = _glossary_of(settings, glossary)
    if isinstance(output_root, Location):
        check_remote_output(output_root)
    else:
        check_output_dir(output_root)
    source = resolve_model(settings.model, settings.revision)
    plan = plan_run(settings, source)
    shown = progress or NoProgress()
    started = time.perf_counter()
    report = RunReport(
        output_dir=output_root.shown if isinstance(output_root, Location) else output_root,
        glossary_terms=None if glossary is None else len(glossary.terms),
    )
    outcomes: dict[int, Outcome] = {}

    def finish(index: int, outcome: Outcome) -> None:
        outcomes[index] = outcome
        shown.file_done()
        if on_outcome:
            on_outcome(outcome)

    with memory_in_use(settings.memory) as memory:
        key = settings_key(settings, plan, memory)
        shown.start(len(jobs), sum(j.size for j in jobs))
        todo: list[tuple[int, Job]] = []
        present = None if force else _listed_outputs(output_root)
        for index, job in enumerate(jobs):
            if not force and _up_to_date_unread(job, settings, key, glossary, present):
                shown.leave_out(job.size)
                finish(index, Outcome(job.name, Status.SKIPPED))
            else:
                todo.append((index, job))
        if todo:
            stream = _Stream(settings, source, plan, key, glossary, memory, engine_loader)
            for index, done in stream.run(todo, shown):
                if done.counters is not None:
                    _add(report.counters, done.counters)
                if done.memory and memory is not None:
                    _store(memory, done.memory)
                if done.outcome.status == Status.TRANSLATED:
                    shown.add_sentences(done.sentences, jobs[index].size)
                    shown.advance(done.sentences)
                else:
                    shown.leave_out(jobs[index].size)
                finish(index, done.outcome)
            report.workers = stream.workers
    shown.close()
    report.outcomes = [outcomes[i] for i in sorted(outcomes)]
    report.seconds = time.perf_counter() - started
    if combined is not None:
        try:
            write_combined(report, jobs, output_root, combined)
        except OSError as exc:
            raise OutputError(
                str(report.output_dir), f"cannot write combined files: {exc}"
            ) from None
    return report


def output_root_of(settings: Settings) -> Path | Location:
    """The output folder: a local path, or a location in an object store."""
    if is_uri(settings.output_dir):
        return Location.parse(settings.output_dir)
    return Path(settings.output_dir)


def _prepare_anywhere(
    paths: Sequence[str | Path], settings: Settings, combined: str | None
) -> tuple[Settings, list[Job]]:
    """:func:`~translate_cli.runner._prepare`, for inputs and outputs in object storage too.

    Inputs are all local paths or all URIs (a run does not mix them); the
    jobs of several URIs must not share output names.

    Raises:
        UsageError: As ``_prepare``; paths and URIs mixed; a URI that holds
            no input, or that the store cannot list.
    """
    uris = [str(p) for p in paths if is_uri(p)]
    if not uris and not is_uri(settings.output_dir):
        return _prepare(paths, settings, combined)
    if uris and len(uris) != len(paths):
        raise UsageError("inputs are local paths or object-store URIs, not both, in one run")
    settings = with_combined_source(settings, combined)
    output = output_root_of(settings)
    bucket_out = output if isinstance(output, Location) else None
    if uris:
        locations = [Location.parse(uri) for uri in uris]
        try:
            jobs = collect_remote_jobs(locations, settings.globs, bucket_out)
            missing = [loc for loc in locations if kind(loc.bucket_location) == "missing"]
        except OSError as exc:
            raise UsageError(str(exc)) from None
        if missing:
            raise UsageError(f"{missing[0].shown}: no such bucket")
        if not jobs:
            where = " ".join(str(loc.shown) for loc in locations)
            raise UsageError(f"no input objects matching {','.join(settings.globs)} in: {where}")
    else:
        jobs = collect_local_jobs(paths, settings.globs, None)
    if combined is not None:
        if bucket_out is not None:
            inputs = {job.path for job in jobs}
            outputs = [p for p in _occupied(jobs, settings, Path()) if p not in inputs]
            try:
                earlier = remote_manifest(bucket_out, combined + META_SUFFIX)
            except OSError as exc:
                raise UsageError(str(exc)) from None
            check_combined_name(combined, Path(), outputs, earlier)
        elif isinstance(output, Path):
            check_combined_name(combined, output, _occupied(jobs, settings, output))
    return settings, jobs


def _listed_outputs(root: Path | Location) -> set[str] | None:
    """Every object below an output folder in a store, listed once for the resume check.

    None for a local folder (its files are looked at one by one).

    Raises:
        OutputDirError: The store cannot be listed.
    """
    if not isinstance(root, Location):
        return None
    try:
        return {info.relative for info in list_objects(root)}
    except OSError as exc:
        raise OutputDirError(f"{root.shown}: cannot list the output folder: {exc}") from None


def _up_to_date_unread(
    job: Job,
    settings: Settings,
    key: str,
    glossary: Glossary | None,
    present: set[str] | None = None,
) -> bool:
    """Whether ``job``'s outputs are up to date, mostly without reading it.

    The manifest's stamp decides (:func:`~translate_cli.outputs.is_unchanged`);
    a manifest written before stamps existed is checked as the local runner
    does, reading the input. Stale temporaries of a skipped input are removed.
    Outputs in an object store are checked against ``present``, the folder
    listed once (:func:`~translate_cli.remote_outputs.remote_is_unchanged`);
    only the manifests of inputs with outputs are read.
    """
    stamp = source_stamp(job, key, glossary)
    if stamp is None:
        return False
    root = output_root_of(settings)
    if isinstance(root, Location):
        try:
            sha = remote_source_sha256(job)
            return bool(remote_is_unchanged(root, job, stamp, sha, present))
        except OSError:
            return False  # the pipeline writes them again, or reports why it cannot
    if job.path is None:
        return False
    meta_file = manifest_file(Path(settings.output_dir), job.relative, job.stem)
    known = is_unchanged(meta_file, job.path, stamp)
    if known is None:
        try:
            document = job.read(settings.input_format)
        except (TranslateError, OSError, UnicodeError):
            return False  # the pipeline reads it again and reports why
        input_key = _input_key(key, glossary, document)[1]
        known = _up_to_date(job, document, settings, input_key) is not None
    if known:
        remove_stale_temporaries(meta_file)
    return known


def _add(total: Counters, part: Counters) -> None:
    total.sentences += part.sentences
    total.unique += part.unique
    total.memory += part.memory
    total.engine_inputs += part.engine_inputs
    total.split += part.split
    total.copied += part.copied
    total.flags.update(part.flags)
    total.terms.update(part.terms)


def _store(memory: TranslationMemory, rows: list[MemoryRow]) -> None:
    """Store workers' new machine translations, grouped by context (the driver only)."""
    by_context: dict[str, list[tuple[str, str, str, float | None, bool]]] = {}
    for key, text, target, score, cut, context in rows:
        by_context.setdefault(context, []).append((key, text, target, score, cut))
    for context, entries in by_context.items():
        memory.store(entries, context)


def docs_per_call(inputs: int, workers: int) -> int:
    """Inputs a worker translates in one call, for a run of ``inputs`` on ``workers``.

    Returns:
        ``inputs // (workers * CALLS_PER_WORKER)`` bounded to
        [:data:`DOCS_PER_BATCH`, :data:`MAX_DOCS_PER_BATCH`].
    """
    share = inputs // max(1, workers * CALLS_PER_WORKER)
    return max(DOCS_PER_BATCH, min(MAX_DOCS_PER_BATCH, share))


def pool_size(workers: str, threads: int, cluster_cpus: float) -> tuple[int, int]:
    """The actor pool's (min, max) size.

    Args:
        workers: The ``workers`` setting (:func:`~translate_cli.config.worker_range`).
        threads: CPUs per worker (at least 1).
        cluster_cpus: CPUs of the cluster (``ray.cluster_resources()["CPU"]``).

    Returns:
        The setting's range, or for ``auto`` 1 to as many workers as the
        cluster's CPUs hold (at least 1).
    """
    asked = worker_range(workers)
    if asked is not None:
        return asked
    return 1, max(1, int(cluster_cpus // max(threads, 1)))


class _Stream:
    """The Ray Data pipeline of one run (see the module docstring)."""

    def __init__(
        self,
        settings: Settings,
        source: ModelSource,
        plan: RunPlan,
        key: str,
        glossary: Glossary | None,
        memory: TranslationMemory | None,
        engine_loader: EngineLoader,
    ) -> None:
        # --threads is the CPUs each worker takes, and its engine's threads:
        # CTranslate2's default (4) would oversubscribe a worker's share.
        self.settings = settings.replace(threads=settings.threads or 1)
        self.source = source
        self.plan = plan
        self.key = key
        self.glossary = glossary
        self.memory = memory
        self.engine_loader = engine_loader
        self.workers = 0  # the pool's largest size, once known
        self.docs_per_call = DOCS_PER_BATCH

    def run(self, todo: list[tuple[int, Job]], progress: Progress) -> Iterable[tuple[int, _Done]]:
        """Stream the inputs through the pipeline; yields ``(index, outcome row)``.

        Inputs whose batch could not finish (its worker died every time) are
        yielded last, as failed.
        """
        import ray

        if _needs_conversion(self.settings, self.source):
            progress.phase(CONVERTING)
            _convert(self.settings, self.source)
        snapshot = _Snapshot(
            {
                (k, ctx): entry
                for k, ctx, entry in (
                    self.memory.entries_for(self.plan.memory_context) if self.memory else []
                )
            }
        )
        ours = not ray.is_initialized()
        if ours:
            start_ray(self.settings.ray_address)
        try:
            progress.phase(TRANSLATING)
            seen: set[int] = set()
            for row in self._dataset(todo, snapshot).iter_rows():
                index, done = int(row["index"]), pickle.loads(row["data"])
                seen.add(index)
                yield index, done
            reason = (
                f"the worker translating it died {MAX_TASK_RETRIES + 1} times; "
                "rerun to retry (outputs of finished inputs are kept)"
            )
            for index, job in todo:
                if index not in seen:
                    yield index, _Done(Outcome(job.name, Status.FAILED, reason))
        finally:
            if ours:
                ray.shutdown()

    def _dataset(self, todo: list[tuple[int, Job]], snapshot: _Snapshot) -> Any:
        import ray
        import ray.data

        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        context.print_on_execution_start = False
        # A batch whose worker died MAX_TASK_RETRIES + 1 times is dropped, not
        # fatal: its inputs are reported failed and the others finish.
        context.max_errored_blocks = len(todo)
        resources: dict[str, float] = ray.cluster_resources()  # type: ignore[no-untyped-call,unused-ignore]
        cpus = float(resources.get("CPU", 1.0))
        low, high = pool_size(self.settings.workers, self.settings.threads, cpus)
        self.workers = high
        self.docs_per_call = docs_per_call(len(todo), high)
        items = [{"index": index, "data": pickle.dumps(job)} for index, job in todo]
        dataset: Any = ray.data.from_items(items, override_num_blocks=len(items))
        read = functools.partial(_read_row, self.settings, self.key, self.glossary)
        # Zero-CPU tasks are not bounded by CPUs: without a cap Ray starts a
        # worker process for each input at once (56 on 2 cores, 64 inputs).
        io_pool = ray.data.TaskPoolStrategy(size=max(high, 1))
        dataset = dataset.map(read, num_cpus=_IO_CPUS, compute=io_pool)
        with warnings.catch_warnings():
            # Ray 2.60 has no named parameter for max_restarts and
            # max_task_retries, and its defaults retry forever; the
            # deprecated **ray_remote_args is the only way to cap them.
            warnings.filterwarnings("ignore", message=_REMOTE_ARGS_DEPRECATED)
            dataset = self._translate_stage(dataset, snapshot, low, high)
        write = functools.partial(_write_row, self.settings)
        return dataset.map(write, num_cpus=_IO_CPUS, compute=io_pool)

    def _translate_stage(self, dataset: Any, snapshot: _Snapshot, low: int, high: int) -> Any:
        import ray
        import ray.data

        return dataset.map_batches(
            _TranslateWorker,
            fn_constructor_kwargs={
                "settings": self.settings,
                "source": self.source,
                "plan": self.plan,
                "glossary": self.glossary,
                "snapshot": [ray.put(snapshot)],
                "date": utc_now(),
                "engine_loader": self.engine_loader,
            },
            batch_size=self.docs_per_call,
            compute=ray.data.ActorPoolStrategy(min_size=low, max_size=high),
            num_cpus=self.settings.threads,
            num_gpus=self.settings.gpus_per_worker or None,
            max_restarts=MAX_RESTARTS,
            max_task_retries=MAX_TASK_RETRIES,
        )


class _Chatter(logging.Filter):
    """Drops Ray's routine lines from the console; warnings and errors pass.

    Ray Data logs each execution's start and end at INFO, and says once that
    progress bars are off (this runner turns them off and shows its own); a
    local cluster says token authentication is on (it is: Ray's default).
    Ray Data's log file in the session folder keeps every line.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return False
        message = record.getMessage()
        return not message.startswith(_CHATTER)


def start_ray(address: str = "") -> None:
    """Start a local cluster, or join ``address``, as a run does; quietly.

    Args:
        address: A cluster address (``auto``, ``ray://head:10001``); empty for
            ``RAY_ADDRESS``, else a new local cluster.
    """
    import ray

    _quiet_ray()
    ray.init(
        address=address or None,
        include_dashboard=False,
        logging_level=logging.WARNING,
        log_to_driver=False,
    )


def _quiet_ray() -> None:
    """Keep Ray's routine lines off the console of a run (errors still show)."""
    import ray.data  # noqa: F401  (configures the "ray.data" logger and its console handler)

    # Ray Data's advice that a stage got fewer inputs than its concurrency
    # (a small run, or the last batches of a large one): nothing to act on.
    for stage in ("tasks", "actors"):
        warnings.filterwarnings(
            "ignore",
            message=f"The m[a-z]+ number of concurrent {stage} for '",
            category=UserWarning,
        )
    consoles = [h for h in logging.getLogger("ray.data").handlers if h.name == "console"]
    for each in [logging.getLogger(_TOKEN_LOGGER), *consoles]:
        if not any(isinstance(f, _Chatter) for f in each.filters):
            each.addFilter(_Chatter())


def _needs_conversion(settings: Settings, source: ModelSource) -> bool:
    """Whether the CTranslate2 engine will convert the model first (not done yet)."""
    from .runner import _needs_conversion as needs

    return needs(settings, source)


def _convert(settings: Settings, source: ModelSource) -> None:
    """Convert the model for CTranslate2 once, here, before any worker loads it.

    The compute type is the one the workers will pick: on GPU workers
    (``gpus_per_worker``) CUDA's, else this host's. A worker whose CPU picks
    another converts its own on first use.

    Raises:
        ModelError: The conversion failed.
    """
    if pick_engine(settings.engine) != "ctranslate2":
        return
    from .engines.ct2_cache import convert
    from .engines.ctranslate2_engine import pick_compute_type, pick_device

    device = "cuda" if settings.gpus_per_worker else pick_device(settings.device)
    try:
        compute = pick_compute_type(settings.compute_type, device)
    except TranslateError:
        return  # the workers report it
    convert(source, compute)


def _row(index: int, payload: object) -> dict[str, Any]:
    return {"index": index, "data": pickle.dumps(payload)}


def _read_row(
    settings: Settings, key: str, glossary: Glossary | None, row: dict[str, Any]
) -> dict[str, Any]:
    """CPU task: read and split one input (a failed outcome when it cannot be read)."""
    index, job = int(row["index"]), pickle.loads(row["data"])
    stamp = source_stamp(job, key, glossary)
    try:
        document = job.read(settings.input_format)
    except (TranslateError, OSError, UnicodeError) as exc:
        return _row(index, _Done(Outcome(job.name, Status.FAILED, _reason(exc, job))))
    sentences, input_key = _input_key(key, glossary, document)
    if sentences is None:
        sentences = sentences_of(document)
    return _row(index, _Read(job, document, sentences, input_key, stamp))


def _write_row(settings: Settings, row: dict[str, Any]) -> dict[str, Any]:
    """CPU task: write one input's outputs, atomically, as the local runner does."""
    index, item = int(row["index"]), pickle.loads(row["data"])
    if isinstance(item, _Done):
        return row
    translated, done = cast(tuple[_Translated, _Done], item)
    job = translated.job
    root = output_root_of(settings)
    write = write_remote_outputs if isinstance(root, Location) else write_outputs
    try:
        written = write(
            translated.result,
            root,  # type: ignore[arg-type]  # a Location goes with write_remote_outputs
            job.relative,
            settings.formats,
            translated.key,
            job.stem,
            translated.stamp,
        )
    except (TranslateError, OSError, UnicodeError) as exc:
        done.outcome = Outcome(job.name, Status.FAILED, _reason(exc, job))
        return _row(index, done)
    done.outcome = Outcome(
        job.name,
        Status.TRANSLATED,
        outputs=tuple(written.paths),
        backups=tuple(written.backups),
        warnings=translated.result.document.warnings,
    )
    return _row(index, done)


class _TranslateWorker:
    """Actor: one engine (loaded on first need), one Translator, a memory snapshot.

    Each call gets a batch of read inputs, translates their new sentences
    together, and aligns each input; an input that makes the engine raise
    is retried alone, and fails alone.
    """

    def __init__(
        self,
        settings: Settings,
        source: ModelSource,
        plan: RunPlan,
        glossary: Glossary | None,
        snapshot: list[Any],
        date: str,
        engine_loader: EngineLoader,
    ) -> None:
        import ray

        self.memory: _Snapshot = ray.get(snapshot[0])
        self.plan = plan
        self.date = date
        self.translator = Translator(
            lambda: engine_loader(settings, source),
            settings.batch_tokens,
            Counters(),
            cast(TranslationMemory, self.memory),
            plan.memory_context,
            glossary=glossary,
        )

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        translator = self.translator
        counters = translator.counters = Counters()
        self.memory.new = []
        rows = [
            (int(i), pickle.loads(d)) for i, d in zip(batch["index"], batch["data"], strict=True)
        ]
        reads = [item for _, item in rows if isinstance(item, _Read)]
        try:
            translator.prepare([translation_key(s) for r in reads for s in r.sentences])
        except ModelError:
            raise
        except TranslateError:
            pass  # each input is tried alone below, and only those at fault fail
        out: list[dict[str, Any]] = []
        for index, item in rows:
            if isinstance(item, _Read):
                out.append(_row(index, self._translate(item)))
            else:
                out.append(_row(index, item))
        first = next((pickle.loads(r["data"]) for r in out), None)
        if out and first is not None:
            done = first if isinstance(first, _Done) else first[1]
            done.counters, done.memory = counters, self.memory.new
            out[0] = _row(out[0]["index"], first)
        return {"index": [r["index"] for r in out], "data": [r["data"] for r in out]}

    def _translate(self, read: _Read) -> _Done | tuple[_Translated, _Done]:
        job = read.job
        try:
            self.translator.prepare([translation_key(s) for s in read.sentences])
            engine = self.translator.loaded
            details = engine.details if engine else {"engine_loaded": "no"}
            result = align(
                read.document, self.translator, self.plan.meta(self.date, details), read.sentences
            )
        except ModelError:
            raise
        except (TranslateError, OSError, UnicodeError) as exc:
            return _Done(Outcome(job.name, Status.FAILED, _reason(exc, job)))
        return _Translated(job, result, read.key, read.stamp), _Done(
            Outcome(job.name, Status.TRANSLATED), sentences=len(read.sentences)
        )


__all__ = ["EXTRA", "pool_size", "ray_available", "require_ray", "run_paths_ray", "start_ray"]
