"""Turning command-line paths into jobs: files, and folders walked."""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePath

from .document import Document, document_from_text, safe_name
from .errors import UsageError
from .fsutil import fit_name
from .readers import read_input
from .storage import Location, list_objects, object_info, read_bytes
from .writers import FORMATS, META_SUFFIX, output_stem

# Output stems are cut (with a hash suffix, see fsutil.fit_name) to this many
# UTF-8 bytes, so that the longest output name, or its backup
# (``STEM.fr-en.edited-20261130T041500Z-2.jsonl``), stays under 255 bytes.
STEM_MAX = 200

STDIN = "-"


@dataclass(frozen=True)
class Job:
    """One input of a run: where to read it and where its outputs go.

    Attributes:
        name: Display name.
        relative: Path mirrored under the output folder.
        path: File to read, or None when ``text`` is given.
        text: Already decoded text (standard input).
        size: Bytes, for progress estimates.
        stem: The stem its outputs share, when it is not the usual one
            derived from the name (see :func:`collect_jobs`); "" otherwise.
        remote: The object to read, for an input in a store
            (:func:`collect_remote_jobs`); None otherwise.
        mtime_ns: The object's modification time when listed (nanoseconds
            since the epoch), for a remote input.
    """

    name: str
    relative: PurePath
    path: Path | None = None
    text: str | None = None
    size: int = 0
    stem: str = ""
    remote: Location | None = None
    mtime_ns: int = 0

    def read(self, input_format: str | None = None) -> Document:
        """Read and decode the input, in its format (:func:`~translate_cli.readers.read_input`).

        Args:
            input_format: Forces a format (one of
                :data:`~translate_cli.vocabulary.INPUT_FORMATS`); None chooses
                by extension. Text given directly is plain text.

        Raises:
            InputError: Unreadable, binary or undecodable file, or not a
                well-formed document of its format.
        """
        if self.remote is not None:
            return _read_remote(self.remote, self.name, input_format)
        if self.path is None:
            return document_from_text(self.text or "", self.name)
        return read_input(self.path, self.name, input_format)


def _read_remote(remote: Location, name: str, input_format: str | None) -> Document:
    """Read an object as the file it would be on disk (the same readers and limits).

    Raises:
        InputError: As :func:`~translate_cli.readers.read_input`.
        OSError: The object cannot be fetched.
    """
    data = read_bytes(remote)
    with tempfile.TemporaryDirectory(prefix="translate-input-") as folder:
        local = Path(folder) / posixpath.basename(remote.path)
        local.write_bytes(data)
        return read_input(local, name, input_format)


def _hidden(name: str) -> bool:
    return name.startswith(".")


def own_outputs(folder: Path) -> set[str]:
    """Names in ``folder`` that this tool wrote: outputs, backups and manifests.

    Every ``*.meta.json`` manifest lists the outputs (and kept backups) of
    its input, so a run whose output folder is, or sits in, an input folder
    never takes its own outputs as inputs, however they are named.
    """
    names: set[str] = set()
    for manifest in folder.glob(f"*{META_SUFFIX}"):
        try:
            meta = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        names.update(_listed(meta, manifest.name))
    return names


def _listed(meta: object, manifest: str) -> set[str]:
    """The manifest's own name and the files it lists, when it is one of ours."""
    # A manifest is written twice: before the renames, with the pending
    # outputs' hashes, then with the outputs; a kill in between leaves
    # the first, which must still mark the outputs as ours.
    keys = ("outputs", "backups", "output_sha256", "pending_sha256")
    if not isinstance(meta, dict) or not any(isinstance(meta.get(k), list | dict) for k in keys):
        return set()
    return {manifest, *(str(n) for key in keys for n in meta.get(key) or ())}


def walk(folder: Path, globs: Sequence[str], skip: Path | None) -> Iterator[Path]:
    """Files under ``folder`` matching ``globs``, in a stable (sorted) order.

    Hidden files and folders are skipped, and so is ``skip`` (the output
    folder, which may sit inside an input folder), and so are this tool's own
    outputs (:func:`own_outputs`). Symbolic links to folders are not
    followed, so a link loop cannot trap the walk.
    """
    skip_resolved = _resolved(skip) if skip is not None else None
    for root, dirs, files in os.walk(folder):
        root_path = Path(root)
        dirs[:] = sorted(
            d for d in dirs if not _hidden(d) and _resolved(root_path / d) != skip_resolved
        )
        ours = own_outputs(root_path)
        for name in sorted(files):
            path = root_path / name
            if not _hidden(name) and name not in ours and any(path.match(g) for g in globs):
                yield path


def _resolved(path: Path) -> str:
    """The real path, or the absolute one when it cannot be resolved (a link loop)."""
    try:
        return str(path.resolve())
    except (OSError, RuntimeError):
        return os.path.abspath(path)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _identity(path: Path) -> tuple[object, ...]:
    """What makes two paths the same file: device and inode, else the real path."""
    try:
        st = path.stat()
    except OSError:
        return ("path", str(path.resolve()))
    return (st.st_dev, st.st_ino)


def collect_jobs(
    paths: Sequence[str], globs: Sequence[str], output_dir: Path | None = None
) -> list[Job]:
    """Expand the paths given on the command line into jobs.

    A file's outputs are named after the file itself; a folder's files keep
    their path relative to the folder, mirrored under the output folder.
    The same file reached twice (given twice, through a symbolic link or a
    ``..`` path) is one job, the first. Files this tool wrote (listed in a
    manifest beside them, :func:`own_outputs`) are never inputs. Inputs whose
    outputs would share a name, or whose outputs would land on an input of
    the run, get distinct names (:func:`_name_outputs`).

    Raises:
        UsageError: A path does not exist, or an input's outputs cannot be
            given a name that collides with nothing.
    """
    jobs: list[Job] = []
    seen: set[tuple[object, ...]] = set()
    ours: dict[Path, set[str]] = {}

    def add(job: Job) -> None:
        assert job.path is not None
        identity = _identity(job.path)
        if identity not in seen:
            seen.add(identity)
            jobs.append(job)

    for raw in paths:
        if raw == STDIN:
            raise UsageError("'-' (standard input) cannot be mixed with other paths")
        path = Path(raw)
        if path.is_dir():
            for file in walk(path, globs, output_dir):
                # Names that are not UTF-8 become valid text (safe_name) for
                # messages and outputs; ``file`` keeps the real bytes to read.
                relative = PurePath(safe_name(str(file.relative_to(path))))
                add(Job(safe_name(str(file)), relative, file, size=_size(file)))
        elif path.exists() or path.is_symlink():
            if path.parent not in ours:
                ours[path.parent] = own_outputs(path.parent)
            if path.name not in ours[path.parent]:
                relative = PurePath(safe_name(path.name))
                add(Job(safe_name(raw), relative, path, size=_size(path)))
        else:
            raise UsageError(f"{safe_name(raw)}: no such file or folder")
    return _name_outputs(_disambiguate(jobs), output_dir)


def collect_remote_jobs(
    locations: Sequence[Location], globs: Sequence[str], output: Location | None = None
) -> list[Job]:
    """The jobs of object-store folders (or single objects), as :func:`collect_jobs` makes them.

    The objects under each folder matching ``globs`` (by their path below
    it), in sorted order, each mirroring its path under the output folder. A
    URI naming one object is that object alone. Hidden names, the objects
    under ``output`` (when it lies inside a folder) and this tool's own
    outputs (listed by a manifest, or by the pending record of an upload
    that was cut short, beside them) are left out. The same object reached
    twice is one job; inputs whose outputs would share names, or land on an
    input, are named apart as local ones are (:func:`_name_outputs`).

    Raises:
        UsageError: An output name cannot be found for an input.
        OSError: The store cannot be listed.
    """
    jobs: list[Job] = []
    seen: set[str] = set()
    for folder in locations:
        for job in _remote_jobs(folder, globs, output):
            key = _where(job) or job.name
            if key not in seen:
                seen.add(key)
                jobs.append(job)
    return _name_outputs(_disambiguate(jobs), output)


def _remote_jobs(folder: Location, globs: Sequence[str], output: Location | None) -> list[Job]:
    single = object_info(folder)
    if single is not None:
        name = PurePath(safe_name(posixpath.basename(folder.path)))
        size, mtime_ns = single.size, single.mtime_ns
        return [Job(str(folder.shown), name, size=size, remote=folder, mtime_ns=mtime_ns)]
    objects = list_objects(folder)
    inside = output is not None and _below(output, folder)
    skip = output.relative_to(folder) + "/" if output is not None and inside else None
    by_folder: dict[str, list[str]] = {}
    for info in objects:
        by_folder.setdefault(posixpath.dirname(info.relative), []).append(info.relative)
    ours = {
        posixpath.join(parent, name)
        for parent, names in by_folder.items()
        for name in _remote_own_outputs(folder, names)
    }
    jobs = []
    for info in objects:
        relative = PurePath(safe_name(info.relative))
        if any(_hidden(part) for part in relative.parts) or info.relative in ours:
            continue
        if skip is not None and info.relative.startswith(skip):
            continue
        if not any(relative.match(g) for g in globs):
            continue
        remote = folder / info.relative
        jobs.append(
            Job(str(remote.shown), relative, size=info.size, remote=remote, mtime_ns=info.mtime_ns)
        )
    return jobs


def _below(inner: Location, outer: Location) -> bool:
    return inner.scheme == outer.scheme and inner.path.startswith(outer.path + "/")


# A manifest's pending record, in a store (translate_cli.remote_outputs): the
# hashes of the outputs an upload is writing, as a local manifest's
# pending_sha256 holds them while its outputs are renamed.
PENDING_PREFIX, PENDING_SUFFIX = ".", ".pending"


def pending_name(manifest: str) -> str:
    """The pending record's name of the manifest named ``manifest``."""
    return PENDING_PREFIX + manifest + PENDING_SUFFIX


def _remote_own_outputs(folder: Location, names: list[str]) -> set[str]:
    """Names in one remote folder that manifests (and pending records) there list.

    See :func:`own_outputs`; a pending record is read as a manifest.
    """
    owned: set[str] = set()
    for relative in names:
        base = posixpath.basename(relative)
        pending = base.startswith(PENDING_PREFIX) and base.endswith(META_SUFFIX + PENDING_SUFFIX)
        if not (relative.endswith(META_SUFFIX) or pending):
            continue
        try:
            meta = json.loads(read_bytes(folder / relative, limit=16 << 20))
        except (OSError, ValueError):
            continue
        owned.update(_listed(meta, base))
    return owned


def _disambiguate(jobs: list[Job]) -> list[Job]:
    """Give inputs that would share output names their full path instead.

    ``a/x.txt`` and ``b/x.txt`` given as files would both be named ``x``;
    each then mirrors its whole path (``a/x``, ``b/x``) under the output folder.
    """
    seen: dict[PurePath, int] = {}
    for job in jobs:
        seen[job.relative] = seen.get(job.relative, 0) + 1
    out = []
    for job in jobs:
        if seen[job.relative] > 1 and job.path is not None:
            parts = [safe_name(p) for p in job.path.parts if p not in ("/", "..", ".")]
            job = replace(job, relative=PurePath(*parts))
        elif seen[job.relative] > 1 and job.remote is not None:  # bucket/key/...
            job = replace(job, relative=PurePath(safe_name(job.remote.path)))
        out.append(job)
    return out


# Naming levels, tried in order until no output name collides.
_LEVELS = 3


def _stem_at(job: Job, level: int) -> str:
    """The outputs' stem of ``job`` at a naming level.

    0: the usual stem (``note.fr.txt`` gives ``note``); 1: the whole file
    name (``note.fr.txt``), when stems collide; 2: the name and 8 hex digits
    of the SHA-256 of the file's real path. Each is cut to :data:`STEM_MAX`.
    """
    name = job.relative.name
    if level == 0:
        stem = output_stem(name)[0]
    elif level == 1:
        stem = name
    else:
        # fsencode: a name that is not UTF-8 holds surrogate escapes.
        real = (
            os.fsencode(_resolved(job.path))
            if job.path is not None
            else (str(job.remote.shown) if job.remote is not None else name).encode()
        )
        stem = f"{name}~{hashlib.sha256(real).hexdigest()[:8]}"
    return fit_name(stem, STEM_MAX)


def _claims(job: Job, stem: str) -> list[PurePath]:
    """Every file name the job's outputs may take, whatever the formats chosen."""
    ext = output_stem(job.relative.name)[1]
    names = [stem + s.format(ext=ext) for w in FORMATS.values() for s in w.suffixes]
    return [job.relative.parent / n for n in [*names, stem + META_SUFFIX]]


def _where(job: Job) -> str | None:
    """Where an input is, comparable with :func:`_landing` (None for text given directly)."""
    if job.remote is not None:
        return f"{job.remote.scheme}://{job.remote.path}"
    return str(Path(_resolved(job.path))) if job.path is not None else None


def _landing(root: Path | Location, claim: PurePath) -> str:
    """Where an output named ``claim`` lands under the output folder ``root``."""
    if isinstance(root, Location):
        return f"{root.scheme}://{(root / str(claim)).path}"
    return str(Path(os.path.normpath(root / claim)))


def _name_outputs(jobs: list[Job], output_dir: Path | Location | None) -> list[Job]:
    """Give each job an output stem that collides with no other job's and no input.

    Stems collide when inputs of one folder differ only by extension or a
    ``.fr`` tag (``note.txt``, ``note.md``, ``note.fr.txt``), and an output
    lands on an input when the output folder is an input folder
    (``rapport.txt`` would write ``rapport.en.txt`` over the user's own).
    Such jobs, and only they, move up a naming level (:func:`_stem_at`):
    the names depend only on the set of inputs, so reruns find them again.
    Every possible format counts, so the names do not change with ``-f``.
    Names are compared case-insensitively (case-insensitive file systems).

    Raises:
        UsageError: No level gives a job names that collide with nothing.
    """
    inputs = {where for job in jobs if (where := _where(job)) is not None}
    root = Path(_resolved(output_dir)) if isinstance(output_dir, Path) else output_dir
    levels = [0] * len(jobs)
    while True:
        owners: dict[str, set[int]] = {}
        bump: set[int] = set()
        for i, job in enumerate(jobs):
            for claim in _claims(job, _stem_at(job, levels[i])):
                owners.setdefault(str(claim).casefold(), set()).add(i)
                if root is not None and _landing(root, claim) in inputs:
                    bump.add(i)
        bump.update(i for group in owners.values() if len(group) > 1 for i in group)
        if not bump:
            break
        for i in sorted(bump):
            levels[i] += 1
            if levels[i] == _LEVELS:
                raise UsageError(
                    f"{jobs[i].name}: no output name for it collides with no other input "
                    "or output; rename it or choose another --output-dir"
                )
    named = []
    for job, level in zip(jobs, levels, strict=True):
        stem = _stem_at(job, level)
        named.append(job if stem == output_stem(job.relative.name)[0] else replace(job, stem=stem))
    return named
