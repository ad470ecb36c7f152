"""Writing a document's outputs, the resume ledger, and the combined files of a run.

Every output is written atomically (a temporary file renamed into place), and
each input's metadata file (``<stem>.meta.json``) is written last. It is the
ledger entry of resume: it names the outputs and records the source hash and a
key of the settings that produced them, so its presence marks a complete,
up-to-date set (:func:`is_up_to_date`).

It also records the SHA-256 of every output, so that an output edited since
the tool wrote it (or a file the tool never wrote) is never overwritten
silently: it is first kept as a backup beside it (:func:`backup_name`).
While outputs are being renamed into place, the manifest accepts both the old
and the new hashes, so a run killed in between and rerun keeps no needless
backups.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import astuple, dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePath
from typing import Any

from ._version import __version__
from .config import Settings
from .document import Result
from .errors import OutputDirError, OutputError, UsageError
from .fsutil import NAME_MAX, StagedFiles, fit_name, remove_stale_parts, sha256_file
from .glossary import Glossary
from .memory import TranslationMemory
from .provenance import RunPlan
from .writers import META_SUFFIX, Writer, get_writer, meta_record, output_stem
from .writers.text import read_jsonl, terms_from_records

# Formats of the files --combined writes for a whole run.
COMBINED_FORMATS = ("tsv", "tmx", "html")
# The per-input format the combined files are assembled from.
COMBINED_SOURCE_FORMAT = "jsonl"
# Characters a --combined name may not hold: path separators (both, on any
# system, so a command means the same everywhere) and NUL.
_SEPARATORS = ("/", "\\", "\0")
# Room a backup name needs beyond its output's: ".edited-20261130T041500Z-99".
_BACKUP_EXTRA = 28


@dataclass
class Written:
    """What :func:`write_outputs` did.

    Attributes:
        paths: The files written, metadata file last (local :class:`~pathlib.Path`
            objects, or :class:`~translate_cli.storage.ObjectPath` in a store).
        backups: Edited (or foreign) files kept under a backup name first.
    """

    paths: list[PurePath] = field(default_factory=list)
    backups: list[PurePath] = field(default_factory=list)


def output_files(
    output_dir: Path, relative: PurePath, writer: Writer, stem: str | None = None
) -> list[Path]:
    """Where ``writer`` puts its files for the input at ``relative``.

    Like :func:`translate_cli.writers.output_paths`, with the stem chosen by
    the run (:attr:`translate_cli.inputs.Job.stem`) when given.
    """
    usual, ext = output_stem(relative.name)
    folder = output_dir / relative.parent
    return [folder / ((stem or usual) + s.format(ext=ext)) for s in writer.suffixes]


def manifest_file(output_dir: Path, relative: PurePath, stem: str | None = None) -> Path:
    """The per-input metadata file (``<stem>.meta.json``), beside the outputs."""
    return output_dir / relative.parent / ((stem or output_stem(relative.name)[0]) + META_SUFFIX)


@dataclass(frozen=True)
class SourceStamp:
    """What lets a later run tell an input unchanged without reading it.

    Recorded in the input's manifest (:func:`write_outputs`) and compared by
    :func:`is_unchanged`, which the Ray runner's driver uses to filter a
    corpus before it starts any worker.

    Attributes:
        size: The input's size in bytes when it was read.
        mtime_ns: Its modification time, in nanoseconds since the epoch.
        run_key: :func:`settings_key` of the run (without the glossary).
        glossary: :attr:`Glossary.fingerprint <translate_cli.glossary.Glossary.fingerprint>`
            of the run's glossary, "" without one.
    """

    size: int
    mtime_ns: int
    run_key: str
    glossary: str = ""

    @classmethod
    def of(cls, path: Path, run_key: str, glossary: Glossary | None) -> SourceStamp | None:
        """The stamp of ``path`` now, or None when it cannot be stat'ed."""
        try:
            st = path.stat()
        except OSError:
            return None
        return cls(st.st_size, st.st_mtime_ns, run_key, glossary.fingerprint if glossary else "")

    def record(self) -> dict[str, Any]:
        """The manifest fields."""
        return {
            "source_size": self.size,
            "source_mtime_ns": self.mtime_ns,
            "run_key": self.run_key,
            "glossary": self.glossary,
        }


def write_outputs(
    result: Result,
    output_dir: Path,
    relative: PurePath,
    formats: Iterable[str],
    settings_key: str = "",
    stem: str | None = None,
    source: SourceStamp | None = None,
) -> Written:
    """Write every chosen format, then the metadata file, each atomically.

    An existing output whose bytes differ from the hash the manifest recorded
    (a reviewer edited it), or that no manifest lists, is first kept as a
    backup (:func:`backup_name`); the backups are listed in the manifest.

    Args:
        result: The translated document.
        output_dir: The run's output folder.
        relative: The input's path mirrored under ``output_dir``.
        formats: Format names (see :data:`translate_cli.vocabulary.FORMATS`).
        settings_key: :func:`settings_key` of the run, recorded for resume.
        stem: The outputs' stem, when not the usual one derived from ``relative``.
        source: The input's size, time and run keys, recorded so a later run
            can skip it unread (:func:`is_unchanged`); None records none.

    Returns:
        The paths written (metadata file last) and the backups kept.

    Raises:
        OSError: A file cannot be written (nothing is left half-written).
    """
    write = _format_stager(formats, output_dir, relative, lambda: [result], stem)
    fields = {**meta_record(result), "settings_key": settings_key}
    if source is not None:
        fields.update(source.record())
    return _write_guarded(manifest_file(output_dir, relative, stem), write, fields)


def read_manifest(meta_file: Path) -> dict[str, Any]:
    """The manifest's record, or {} when it is missing or not a JSON object."""
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}


def _write_manifest(meta_file: Path, meta: dict[str, Any]) -> None:
    with StagedFiles() as staged:
        with staged.open(meta_file) as fh:
            fh.write(json.dumps(meta, ensure_ascii=False, indent=2) + "\n")
        staged.commit()


def _hashes(meta: dict[str, Any], key: str) -> dict[str, str]:
    value = meta.get(key)
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def _is_edited(path: Path, old: dict[str, Any]) -> bool:
    """Whether ``path`` holds bytes the tool did not write there.

    Its hash must be one the manifest recorded (or, while a run was renaming
    files into place, was about to record). Manifests of versions before the
    hashes were recorded vouch for the outputs they list.
    """
    if not path.exists():
        return False
    accepted = {
        h for key in ("output_sha256", "pending_sha256") if (h := _hashes(old, key).get(path.name))
    }
    if not accepted:
        return path.name not in (old.get("outputs") or [])
    return sha256_file(path) not in accepted


def backup_name(path: Path, stamp: str, number: int = 1) -> Path:
    """The name an edited output is kept under before it is rewritten.

    ``article.fr-en.tsv`` edited gives ``article.fr-en.edited-20261130T041500Z.tsv``
    (the UTC time of the run; ``-2``, ``-3``... when that name is taken), so
    the backup opens in the same program and sorts beside its output.
    """
    base, suffix = path.stem, path.suffix
    tag = f".edited-{stamp}" + (f"-{number}" if number > 1 else "")
    base = fit_name(base, NAME_MAX - len(suffix.encode()) - _BACKUP_EXTRA)
    return path.with_name(f"{base}{tag}{suffix}")


def _free_backup_name(path: Path, stamp: str, taken: set[Path]) -> Path:
    number = 1
    while (candidate := backup_name(path, stamp, number)).exists() or candidate in taken:
        number += 1
    taken.add(candidate)
    return candidate


def _keep_backup(path: Path, backup: Path) -> None:
    """Keep ``path``'s bytes as ``backup``, never replacing an existing file.

    Raises:
        OSError: The backup cannot be made, or its name was taken meanwhile.
    """
    try:
        os.link(path, backup)
    except FileExistsError:
        raise
    except OSError:  # file systems without hard links
        with path.open("rb") as src, backup.open("xb") as dst:
            shutil.copyfileobj(src, dst)


def _write_guarded(
    meta_file: Path, write: Callable[[StagedFiles], None], fields: dict[str, Any]
) -> Written:
    """Stage outputs with ``write``, keep edited ones as backups, rename, record.

    The steps are ordered so that a run killed at any point loses nothing and
    leaves nothing unrecorded: the outputs are staged; a manifest accepting
    the old and the new hashes, and naming the backups to come, is written;
    the backups are made; the outputs renamed; the final manifest written.
    """
    old = read_manifest(meta_file)
    folder = meta_file.parent
    with StagedFiles() as staged:
        write(staged)
        new = {p.name: staged.sha256(p) for p in staged.paths}
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        taken: set[Path] = set()
        edited = [p for p in staged.paths if _is_edited(p, old)]
        backups = [(p, _free_backup_name(p, stamp, taken)) for p in edited]
        kept = [n for n in old.get("backups") or [] if (folder / str(n)).exists()]
        kept += [b.name for _, b in backups]
        recorded = {n: h for n, h in _hashes(old, "output_sha256").items() if (folder / n).exists()}
        _write_manifest(
            meta_file,
            {
                **old,
                "settings_key": None,
                "output_sha256": recorded,
                "pending_sha256": new,
                "backups": kept,
            },
        )
        for path, backup in backups:
            _keep_backup(path, backup)
        staged.commit()
    outputs = list(new)
    meta = {**fields, "outputs": outputs, "output_sha256": {**recorded, **new}, "backups": kept}
    _write_manifest(meta_file, meta)
    paths: list[PurePath] = [folder / n for n in outputs]
    return Written([*paths, meta_file], [b for _, b in backups])


def settings_key(settings: Settings, plan: RunPlan, memory: TranslationMemory | None = None) -> str:
    """A digest (16 hex digits) of everything that changes the outputs of an unchanged input.

    It includes the memory's reviewed-entries version, so importing a
    reviewer's corrections makes the next run rewrite the affected outputs.
    """
    fields = {
        "plan": astuple(plan),
        "formats": sorted(settings.formats),
        "input_format": settings.input_format,
        "tool": __version__,
        "memory": None if memory is None else [str(memory.path), memory.reviewed_version()],
    }
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:16]


def document_key(key: str, glossary: Glossary | None, texts: Iterable[str]) -> str:
    """One input's resume key: the run's key, with what the glossary requires of it.

    The glossary enters an input's key only through the terms found in it
    (:meth:`Glossary.fingerprint_of <translate_cli.glossary.Glossary.fingerprint_of>`
    of :meth:`~translate_cli.glossary.Glossary.find` on each text), so adding,
    editing or removing a term reruns exactly the inputs holding it (or, once
    added, holding it now), and an input holding no term keeps the key it has
    without a glossary.

    Args:
        key: :func:`settings_key` of the run (16 hex digits).
        glossary: The run's glossary, or None.
        texts: The input's texts the run matches terms on (its sentences).

    Returns:
        ``key`` itself when there is no glossary or no term is found; else
        16 hex digits of the SHA-256 of ``key`` and the terms' fingerprint.
    """
    if glossary is None:
        return key
    terms = glossary.fingerprint_of(match for text in texts for match in glossary.find(text))
    if not terms:
        return key
    return hashlib.sha256(f"{key}|glossary={terms}".encode()).hexdigest()[:16]


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


def is_unchanged(meta_file: Path, source: Path, stamp: SourceStamp) -> bool | None:
    """Whether an input's outputs are up to date, told without reading the input.

    The manifest must carry a :class:`SourceStamp` with the same run key and
    glossary fingerprint (the same glossary gives an unchanged input the same
    :func:`document_key`), be complete (its ``settings_key`` set, every
    output there), and the input must be unchanged: the same size and
    modification time, or, when only the time differs (a copy, a ``touch``),
    the same SHA-256 as recorded (the file is then hashed, not parsed).

    Args:
        meta_file: The input's manifest (:func:`manifest_file`).
        source: The input file.
        stamp: The stamp this run would record for it (:meth:`SourceStamp.of`).

    Returns:
        True when up to date, False when not, None when the manifest predates
        stamps (or is unreadable in part): only reading the input can tell
        (:func:`is_up_to_date`).
    """
    return stamp_verdict(
        read_manifest(meta_file),
        stamp,
        lambda name: (meta_file.parent / name).is_file(),
        lambda: sha256_file(source),
    )


def stamp_verdict(
    meta: dict[str, Any],
    stamp: SourceStamp,
    exists: Callable[[str], bool],
    source_sha256: Callable[[], str],
) -> bool | None:
    """:func:`is_unchanged` on a manifest read from anywhere (a folder, an object store).

    Args:
        meta: The manifest ({} when missing or unreadable).
        stamp: The stamp this run would record for the input.
        exists: Whether the output of that name (beside the manifest) exists.
        source_sha256: Hashes the input; called only when its time differs.

    Returns:
        As :func:`is_unchanged`; False when hashing the input fails (OSError).
    """
    if not meta:
        return False
    if "run_key" not in meta or "source_size" not in meta:
        return None
    if meta.get("run_key") != stamp.run_key or meta.get("glossary") != stamp.glossary:
        return False
    if not meta.get("settings_key") or not isinstance(meta.get("outputs"), list):
        return False
    if not all(exists(str(name)) for name in meta["outputs"]):
        return False
    if meta.get("source_size") != stamp.size:
        return False
    if meta.get("source_mtime_ns") == stamp.mtime_ns:
        return True
    try:
        return source_sha256() == meta.get("source_sha256")
    except OSError:
        return False


def check_output_dir(output_dir: Path) -> None:
    """Make sure the output folder exists and can hold files, before any work.

    A file probe (created and removed) finds read-only folders and file
    systems, and full disks of the kind that refuse new files.

    Raises:
        OutputDirError: A file is where the folder (or a folder above it)
            should be, or the folder cannot be created or written to.
    """
    too_long = [p for p in output_dir.parts if len(os.fsencode(p)) > NAME_MAX]
    if too_long:
        raise OutputDirError(
            f"{output_dir}: cannot be the output folder: a name is longer than "
            f"{NAME_MAX} bytes ({too_long[0][:40]}…)"
        )
    try:
        for folder in (output_dir, *output_dir.parents):
            if folder.exists() or folder.is_symlink():
                if not folder.is_dir():
                    where = (
                        "a file is in its place" if folder == output_dir else f"{folder} is a file"
                    )
                    raise OutputDirError(f"{output_dir}: cannot be the output folder: {where}")
                break
        output_dir.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=output_dir, prefix=".translate-probe-", suffix=".part")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise OutputDirError(
            f"{output_dir}: cannot write in the output folder: {exc.strerror or exc}"
        ) from None


def combined_files(output_dir: Path, name: str) -> list[Path]:
    """The files ``--combined NAME`` writes, in :data:`COMBINED_FORMATS` order."""
    return [
        path
        for fmt in COMBINED_FORMATS
        for path in output_files(output_dir, PurePath(name + ".txt"), get_writer(fmt))
    ]


def check_combined_name(
    name: str,
    output_dir: Path,
    taken: Iterable[Path] = (),
    earlier: dict[str, Any] | None = None,
) -> None:
    """Refuse a ``--combined`` name that is not a plain name, or whose files are taken.

    Args:
        name: The stem given to ``--combined``.
        output_dir: The run's output folder.
        taken: Paths the run's per-input outputs and inputs occupy.
        earlier: The manifest already at ``NAME.meta.json`` when it is not in
            ``output_dir`` on this disk (an output folder in a bucket); None
            reads it there.

    Raises:
        UsageError: ``name`` is empty, has a path separator or is ``.``/``..``,
            or its files would overwrite an input, a per-input output of
            this run, or the outputs of an input of an earlier run.
    """
    if (
        not name.strip()
        or name in (".", "..")
        or any(c in name for c in _SEPARATORS)
        or any(unicodedata.category(c) == "Cc" for c in name)
    ):
        raise UsageError(
            f"--combined {name!r}: expected a plain file name (no folder, no control "
            "character, not empty, not '..'); the files go in the output folder"
        )
    longest = max(len(os.fsencode(p.name)) for p in combined_files(output_dir, name))
    if longest > NAME_MAX:
        raise UsageError(
            f"--combined {name[:40]!r}…: too long; its files' names would exceed {NAME_MAX} bytes"
        )
    claimed = {os.path.abspath(p).casefold() for p in taken}
    manifest = output_dir / (name + META_SUFFIX)
    if earlier is None:
        earlier = read_manifest(manifest)
    per_file = bool(earlier) and not earlier.get("combined")
    for path in [*combined_files(output_dir, name), manifest]:
        if per_file or os.path.abspath(path).casefold() in claimed:
            raise UsageError(
                f"--combined {name!r}: {path} is an input or a per-file output; choose another name"
            )


def remove_stale_temporaries(meta_file: Path) -> None:
    """Delete temporaries dead runs left beside an input's outputs and manifest.

    Called for inputs a rerun skips as up to date, whose outputs are not
    rewritten (rewriting an output removes its stale temporaries anyway).
    """
    meta = read_manifest(meta_file)
    for name in [*(meta.get("outputs") or []), meta_file.name]:
        remove_stale_parts(meta_file.parent / str(name))


def write_combined(
    results: Callable[[], Iterable[Result]],
    output_dir: Path,
    name: str,
    formats: Sequence[str] = COMBINED_FORMATS,
) -> Written:
    """Write one file per format covering many documents, in the order given.

    Used for ``--combined``: reviewers work through a whole run in one TSV or
    TMX. ``results`` is called once per format and may return a generator, so
    the run is never held in memory. ``NAME.meta.json`` records their hashes,
    so an edited combined file is kept as a backup before it is rewritten.

    Returns:
        The paths written (the manifest last) and the backups kept.

    Raises:
        OSError: A file cannot be written (nothing is left half-written).
    """
    write = _format_stager(formats, output_dir, PurePath(name + ".txt"), results)
    fields = {"combined": True, "tool_version": __version__}
    return _write_guarded(output_dir / (name + META_SUFFIX), write, fields)


def _check_jsonl(path: Path) -> None:
    """Make sure ``path`` is a JSONL output as this tool writes it, whole.

    Raises:
        OutputError: It cannot be read, a line is not JSON or not a meta or
            pair record with its fields (glossary terms included), or it holds fewer pairs than its
            meta record counts (truncated at a line end).
    """
    expected, pairs = 0, 0
    try:
        with path.open(encoding="utf-8") as fh:
            for number, line in enumerate(fh, 1):
                try:
                    rec = json.loads(line)
                except ValueError:
                    raise OutputError(path, f"line {number}: damaged JSONL (not JSON)") from None
                kind = rec.get("type") if isinstance(rec, dict) else None
                if kind not in ("meta", "pair") or (number == 1) != (kind == "meta"):
                    raise OutputError(path, f"line {number}: damaged JSONL (unexpected record)")
                need = _JSONL_FIELDS[kind]
                if any(not isinstance(rec.get(k), t) for k, t in need):
                    raise OutputError(path, f"line {number}: damaged JSONL (wrong {kind} record)")
                if kind == "pair" and "terms" in rec:
                    try:
                        terms_from_records(rec["terms"])
                    except ValueError as exc:
                        raise OutputError(path, f"line {number}: damaged JSONL ({exc})") from None
                if kind == "meta":
                    expected = rec.get("sentences") if isinstance(rec.get("sentences"), int) else 0
                pairs += kind == "pair"
    except UnicodeError:
        raise OutputError(path, "damaged JSONL (not UTF-8)") from None
    except OSError as exc:
        raise OutputError(path, f"cannot read: {exc.strerror or exc}") from None
    if pairs == 0 and expected == 0 and path.stat().st_size == 0:
        raise OutputError(path, "damaged JSONL (empty, no meta record)")
    if pairs < expected:
        raise OutputError(path, f"damaged JSONL (truncated: {pairs} of {expected} pairs)")


# The fields each JSONL record must have, with their types.
_JSONL_FIELDS: dict[str, tuple[tuple[str, type | tuple[type, ...]], ...]] = {
    "meta": (("document", str),),
    "pair": (("paragraph", int), ("sentence", int), ("source", str), ("target", str)),
}


def write_combined_from_outputs(
    output_dir: Path, relatives: Sequence[PurePath], name: str, stems: Sequence[str] = ()
) -> Written:
    """The ``--combined NAME`` files, assembled from each input's JSONL output.

    Reading the per-input JSONL (rather than keeping results in memory) keeps
    memory bounded and lets inputs skipped as up to date appear too.

    Args:
        output_dir: The run's output folder.
        relatives: The inputs to include (their mirrored paths), in order.
        name: The combined files' stem.
        stems: Each input's output stem ("" for the usual one), if any differ.

    Returns:
        The paths written and the backups kept; none when ``relatives`` is empty.

    Raises:
        OutputError: A JSONL file is missing, unreadable or damaged (truncated,
            not JSON, a wrong record), or a combined file cannot be written
            (a full disk): one line naming the file. The combined files are
            then left as they were.
    """
    jsonl = get_writer(COMBINED_SOURCE_FORMAT)
    names = list(stems) or [""] * len(relatives)
    sources = [
        output_files(output_dir, relative, jsonl, stem or None)[0]
        for relative, stem in zip(relatives, names, strict=True)
    ]
    if not sources:
        return Written()
    for path in sources:
        _check_jsonl(path)

    def results() -> Iterable[Result]:
        for path in sources:
            yield from read_jsonl(path)

    try:
        return write_combined(results, output_dir, name)
    except OSError as exc:
        raise OutputError(
            exc.filename or output_dir / name, f"cannot write combined files: {exc.strerror or exc}"
        ) from None


def _format_stager(
    formats: Iterable[str],
    output_dir: Path,
    relative: PurePath,
    results: Callable[[], Iterable[Result]],
    stem: str | None = None,
) -> Callable[[StagedFiles], None]:
    """A function staging every format's files for ``relative`` (see :func:`_write_guarded`)."""

    def write(staged: StagedFiles) -> None:
        for name in formats:
            writer = get_writer(name)
            paths = output_files(output_dir, relative, writer, stem)
            _stage_format(staged, writer, results(), paths)

    return write


def _stage_format(
    staged: StagedFiles, writer: Writer, results: Iterable[Result], paths: list[Path]
) -> None:
    """One format's files, staged together (renamed with the others on commit)."""
    with contextlib.ExitStack() as stack:
        streams = [stack.enter_context(staged.open(p)) for p in paths]
        writer.write(results, *streams)


__all__ = [
    "COMBINED_FORMATS",
    "OutputDirError",
    "OutputError",
    "SourceStamp",
    "Written",
    "backup_name",
    "check_combined_name",
    "check_output_dir",
    "combined_files",
    "document_key",
    "is_unchanged",
    "is_up_to_date",
    "manifest_file",
    "output_files",
    "remove_stale_temporaries",
    "settings_key",
    "write_combined",
    "write_combined_from_outputs",
    "write_outputs",
]
