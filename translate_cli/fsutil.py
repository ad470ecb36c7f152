"""Atomic file output: a half-written file never exists under its final name."""

from __future__ import annotations

import contextlib
import glob
import hashlib
import os
import re
import socket
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

# File names are limited to 255 bytes on every common file system. A
# temporary name adds a dot, the process id, "@" and the host (at most 24
# bytes, see host_tag), a random part and ".part" (at most 48 bytes in all)
# to the name it stands for, which is cut to fit.
NAME_MAX = 255
_HOST_MAX = 24
_PART_PREFIX_MAX = NAME_MAX - 32 - 1 - _HOST_MAX
# A temporary of another host is removed once this old (seconds): its process
# cannot be asked about, and no write takes a day.
STALE_FOREIGN_S = 24 * 3600


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# mkstemp creates files 0600; finished outputs get the usual 0666 & ~umask.
_FILE_MODE = 0o666 & ~_umask()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def fit_name(name: str, limit: int) -> str:
    """``name`` itself if it takes at most ``limit`` UTF-8 bytes, else a shortened form.

    The shortened form is deterministic: the name cut on a character boundary,
    ``~`` and 12 hex digits of the SHA-256 of the whole name, so two long names
    sharing a beginning stay distinct and a rerun finds the same name.
    """
    raw = name.encode("utf-8")
    if len(raw) <= limit:
        return name
    digest = hashlib.sha256(raw).hexdigest()[:12]
    head = raw[: limit - len(digest) - 1].decode("utf-8", errors="ignore")
    return f"{head}~{digest}"


def host_tag() -> str:
    """This host's name as temporary names carry it: ``[A-Za-z0-9-]``, at most 24 bytes.

    Runs on several machines may write in one shared folder (the Ray
    runner); a process id means something only on its own host.
    """
    name = re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname()) or "host"
    return fit_name(name, _HOST_MAX)


_HOST = host_tag()


def _part_prefix(path: Path) -> str:
    """The start of ``path``'s temporary names: ``.NAME.`` with NAME cut to fit 255 bytes."""
    return f".{fit_name(path.name, _PART_PREFIX_MAX)}."


def remove_stale_parts(path: Path) -> None:
    """Delete temporary files a killed run left for ``path``.

    Temporary names carry the writer's process id and host
    (``.NAME.PID@HOST.RANDOM.part``), so only files whose process is gone
    are removed: this host's when that process no longer exists, another
    host's (whose processes cannot be asked about) only once they are a day
    old (:data:`STALE_FOREIGN_S`). A concurrent run's files are left alone.
    Names without a host (earlier versions) count as this host's.
    """
    prefix = _part_prefix(path)
    for part in path.parent.glob(f"{glob.escape(prefix)}*.part"):
        owner = part.name[len(prefix) :].split(".", 1)[0]
        pid, _, host = owner.partition("@")
        if not pid.isdigit():
            continue
        if host in ("", _HOST):
            stale = not _alive(int(pid))
        else:
            try:
                stale = time.time() - part.stat().st_mtime > STALE_FOREIGN_S
            except FileNotFoundError:
                continue
        if stale:
            with contextlib.suppress(FileNotFoundError):
                part.unlink()


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's bytes, in hex.

    Raises:
        OSError: The file cannot be read.
    """
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class StagedFiles:
    """Files written to temporaries beside their final names, renamed together.

    :meth:`open` writes one file (flushed and fsynced); :meth:`commit` renames
    every staged file into place; leaving the ``with`` block without
    committing removes the temporaries, so final names are never touched.
    Between the two, the caller can look at the new contents
    (:meth:`sha256`) and record them, or keep the old files, first.
    """

    def __init__(self) -> None:
        self._staged: dict[Path, str] = {}

    def __enter__(self) -> StagedFiles:
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()

    @contextlib.contextmanager
    def open(self, path: Path) -> Iterator[TextIO]:
        """A UTF-8 text stream whose content becomes ``path`` on :meth:`commit`.

        Raises:
            OSError: The folder cannot be created or the file written.
        """
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_parts(path)
        fd, tmp = tempfile.mkstemp(
            dir=path.parent, prefix=f"{_part_prefix(path)}{os.getpid()}@{_HOST}.", suffix=".part"
        )
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                yield fh
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, _FILE_MODE)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        self._staged[path] = tmp

    @property
    def paths(self) -> list[Path]:
        """The final paths staged so far, in the order they were opened."""
        return list(self._staged)

    def sha256(self, path: Path) -> str:
        """The SHA-256 of the staged content for ``path``."""
        return sha256_file(Path(self._staged[path]))

    def commit(self) -> None:
        """Rename every staged file into place.

        Raises:
            OSError: A rename failed (the files not yet renamed are removed).
        """
        while self._staged:
            path, tmp = next(iter(self._staged.items()))
            os.replace(tmp, path)
            del self._staged[path]

    def discard(self) -> None:
        """Remove the temporaries not yet committed."""
        for tmp in self._staged.values():
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        self._staged.clear()


@contextlib.contextmanager
def atomic_writer(path: Path) -> Iterator[TextIO]:
    """Open a temporary file beside ``path`` and move it into place on success.

    The temporary file is flushed and fsynced before ``os.replace``, so after a
    crash the final name holds either the old complete file or the new one.
    On error the temporary file is removed and ``path`` is left untouched.
    """
    with StagedFiles() as staged:
        with staged.open(path) as fh:
            yield fh
        staged.commit()
