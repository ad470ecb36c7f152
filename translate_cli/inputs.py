"""Turning command-line paths into jobs: files, and folders walked."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath

from .document import Document, document_from_text, read_document, safe_name
from .errors import UsageError

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
    """

    name: str
    relative: PurePath
    path: Path | None = None
    text: str | None = None
    size: int = 0

    def read(self) -> Document:
        """Read and decode the input.

        Raises:
            InputError: Unreadable, binary or undecodable file.
        """
        if self.path is None:
            return document_from_text(self.text or "", self.name)
        return read_document(self.path, self.name)


def _hidden(name: str) -> bool:
    return name.startswith(".")


def walk(folder: Path, globs: Sequence[str], skip: Path | None) -> Iterator[Path]:
    """Files under ``folder`` matching ``globs``, in a stable (sorted) order.

    Hidden files and folders are skipped, and so is ``skip`` (the output
    folder, which may sit inside an input folder). Symbolic links to folders
    are not followed, so a link loop cannot trap the walk.
    """
    skip_resolved = skip.resolve() if skip is not None else None
    for root, dirs, files in os.walk(folder):
        root_path = Path(root)
        dirs[:] = sorted(
            d for d in dirs if not _hidden(d) and (root_path / d).resolve() != skip_resolved
        )
        for name in sorted(files):
            path = root_path / name
            if not _hidden(name) and any(path.match(g) for g in globs):
                yield path


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def collect_jobs(
    paths: Sequence[str], globs: Sequence[str], output_dir: Path | None = None
) -> list[Job]:
    """Expand the paths given on the command line into jobs.

    A file's outputs are named after the file itself; a folder's files keep
    their path relative to the folder, mirrored under the output folder.

    Raises:
        UsageError: A path does not exist.
    """
    jobs: list[Job] = []
    for raw in paths:
        if raw == STDIN:
            raise UsageError("'-' (standard input) cannot be mixed with other paths")
        path = Path(raw)
        if path.is_dir():
            for file in walk(path, globs, output_dir):
                # Names that are not UTF-8 become valid text (safe_name) for
                # messages and outputs; ``path`` keeps the real bytes to read.
                relative = PurePath(safe_name(str(file.relative_to(path))))
                jobs.append(Job(safe_name(str(file)), relative, file, size=_size(file)))
        elif path.exists() or path.is_symlink():
            relative = PurePath(safe_name(path.name))
            jobs.append(Job(safe_name(raw), relative, path, size=_size(path)))
        else:
            raise UsageError(f"{safe_name(raw)}: no such file or folder")
    return _disambiguate(jobs)


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
            job = Job(job.name, PurePath(*parts), job.path, job.text, job.size)
        out.append(job)
    return out
