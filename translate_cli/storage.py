"""Object storage: ``s3://`` and ``gs://`` folders, read and written through ``pyarrow.fs``.

A corpus run on Ray (:mod:`translate_cli.ray_runner`) may read its inputs
from, and write its outputs to, a bucket instead of a file system that every
node mounts. This module is the only one that talks to the store; it knows
objects and their paths, nothing of documents.

A location is written as a URI, ``s3://bucket/prefix`` or
``gs://bucket/prefix``, with the options ``pyarrow.fs.FileSystem.from_uri``
reads after a ``?``: for S3 ``region``, ``endpoint_override``, ``scheme``
(``http`` for a local server), ``allow_bucket_creation``...; for GCS
``endpoint_override``, ``scheme`` and ``retry_limit_seconds``. Credentials
come from the environment as Arrow's clients read them (``AWS_*`` variables
and files, an instance role; Google's application default credentials),
never from the URI, which messages show. One convention is added
for GCS: when :data:`GCS_EMULATOR_ENV` names an emulator
(``http://127.0.0.1:4443``, as Google's own clients read it), ``gs://``
goes there anonymously, since ``from_uri`` has no anonymous option.

Objects are written whole, from bytes held in memory, in one upload that
Arrow completes only on close, so a reader sees the old object or the new
one, never a part (S3's and GCS's uploads are atomic). Paths in a URI may
be percent-encoded (``%23`` for ``#``, ``%3F`` for ``?``).
Sources: Arrow's filesystem docs, "Filesystem Interface" and "Using
Arrow's HDFS/S3/GCS file systems" (pyarrow 26).
"""

from __future__ import annotations

import functools
import os
import posixpath
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from .errors import UsageError

# URI schemes of object stores, and what they are.
SCHEMES = {"s3": "Amazon S3 or an S3-compatible store", "gs": "Google Cloud Storage"}
# The variable Google's clients read to reach a storage emulator.
GCS_EMULATOR_ENV = "STORAGE_EMULATOR_HOST"
_URI = re.compile(r"^([a-z][a-z0-9+.-]*)://", re.IGNORECASE)


def is_uri(text: object) -> bool:
    """Whether ``text`` is an object-store URI (``s3://...``, ``gs://...``), not a path."""
    return scheme_of(text) in SCHEMES


def redact(text: object) -> str:
    """``text`` fit for a message: a URI without credentials, options or fragment.

    ``s3://KEY:SECRET@bucket/a?endpoint_override=h`` gives ``s3://bucket/a``;
    anything that is not a URI is returned as it is.
    """
    raw = str(text)
    if not scheme_of(raw):
        return raw
    parts = urlsplit(raw)
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}{parts.path}"


def scheme_of(text: object) -> str:
    """The URI scheme of ``text`` (lower case), or "" for a plain path."""
    match = _URI.match(str(text))
    return match.group(1).lower() if match else ""


class ObjectPath(PurePosixPath):
    """An object's path shown as its URI (``s3://bucket/key``), for messages and reports.

    A :class:`~pathlib.PurePosixPath` of ``bucket/key`` whose ``str`` adds the
    scheme, so ``.name``, ``.parent`` and ``/`` work as on any path.
    """

    scheme = ""

    def __str__(self) -> str:
        return f"{self.scheme}://{super().__str__()}"


class S3Path(ObjectPath):
    """An ``s3://`` object path."""

    scheme = "s3"


class GsPath(ObjectPath):
    """A ``gs://`` object path."""

    scheme = "gs"


_PATH_CLASSES: dict[str, type[ObjectPath]] = {"s3": S3Path, "gs": GsPath}


@dataclass(frozen=True)
class Location:
    """A folder or object in a store: scheme, ``bucket/key`` path, and the URI's options.

    Attributes:
        scheme: ``s3`` or ``gs``.
        path: ``bucket`` or ``bucket/key/...``, without slashes at either end.
        query: The URI's options after ``?`` (kept for every child), or "".

    Only :attr:`shown` (no options) is for messages.
    """

    scheme: str
    path: str
    query: str = ""

    @classmethod
    def parse(cls, uri: str) -> Location:
        """Parse ``s3://bucket/prefix?options``.

        Raises:
            UsageError: Not an object-store URI, or one without a bucket.
        """
        scheme = scheme_of(uri)
        shown = redact(uri)
        if scheme not in SCHEMES:
            raise UsageError(f"{shown}: not an object-store URI (s3://... or gs://...)")
        parts = urlsplit(uri)
        if "@" in parts.netloc:
            raise UsageError(
                f"{shown}: credentials do not go in the URI; set them in the environment "
                "(AWS_ACCESS_KEY_ID..., GOOGLE_APPLICATION_CREDENTIALS)"
            )
        if parts.fragment or uri.endswith("#"):
            raise UsageError(f"{shown}: '#' starts a fragment in a URI; write it as %23")
        path = (parts.netloc + "/" + unquote(parts.path).lstrip("/")).strip("/")
        if not parts.netloc or any(p in ("", ".", "..") for p in path.split("/")):
            raise UsageError(f"{shown}: an object-store URI needs a bucket and a clean path")
        return cls(scheme, path, parts.query)

    @property
    def uri(self) -> str:
        """The URI with its options."""
        return f"{self.scheme}://{self.path}" + (f"?{self.query}" if self.query else "")

    @property
    def shown(self) -> ObjectPath:
        """The location for messages: its URI without the options."""
        return _PATH_CLASSES[self.scheme](self.path)

    @property
    def bucket(self) -> str:
        """The bucket's name."""
        return self.path.split("/", 1)[0]

    @property
    def bucket_location(self) -> Location:
        """The bucket itself, with this location's options."""
        return Location(self.scheme, self.bucket, self.query)

    def __truediv__(self, relative: str | PurePosixPath) -> Location:
        """The location ``relative`` (a ``/``-separated path) below this one.

        Raises:
            ValueError: ``relative`` leads out of this location (``../x``, ``/x``).
        """
        joined = posixpath.normpath(posixpath.join(self.path, str(relative)))
        if joined != self.path and not joined.startswith(self.path + "/"):
            raise ValueError(f"{relative}: not below {self.shown}")
        return Location(self.scheme, joined, self.query)

    def relative_to(self, root: Location) -> str:
        """This location's path below ``root`` (``a/b.txt``).

        Raises:
            ValueError: It is not below ``root``.
        """
        if not self.path.startswith(root.path + "/"):
            raise ValueError(f"{self.shown} is not below {root.shown}")
        return self.path[len(root.path) + 1 :]


@functools.lru_cache(maxsize=16)
def _filesystem(scheme: str, bucket: str, query: str) -> Any:
    """The ``pyarrow.fs`` file system of a URI's scheme and options (one per process)."""
    import pyarrow.fs as pafs

    emulator = os.environ.get(GCS_EMULATOR_ENV, "")
    if scheme == "gs" and emulator and not query:
        parts = urlsplit(emulator if "://" in emulator else f"http://{emulator}")
        return pafs.GcsFileSystem(
            anonymous=True, scheme=parts.scheme or "http", endpoint_override=parts.netloc
        )
    return pafs.FileSystem.from_uri(f"{scheme}://{bucket}" + (f"?{query}" if query else ""))[0]


def filesystem(location: Location) -> Any:
    """The ``pyarrow.fs.FileSystem`` that reaches ``location``.

    Raises:
        OSError: The URI's options are not understood, or credentials cannot be found.
    """
    try:
        return _filesystem(location.scheme, location.bucket, location.query)
    except (OSError, ValueError) as exc:  # pyarrow.ArrowInvalid is a ValueError
        raise OSError(f"{location.shown}: {_short(exc)}") from None


def _short(exc: BaseException) -> str:
    """An Arrow error's first line, without the C++ client's details."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text.split(" error_info=")[0][:300]


@dataclass(frozen=True)
class ObjectInfo:
    """An object found by :func:`list_objects`.

    Attributes:
        relative: Its path below the listed folder (``/``-separated).
        size: Bytes.
        mtime_ns: Last modification, nanoseconds since the epoch (S3 gives
            whole seconds).
    """

    relative: str
    size: int
    mtime_ns: int


def list_objects(folder: Location) -> list[ObjectInfo]:
    """Every object below ``folder``, sorted by path; empty when there is none.

    Raises:
        OSError: The store cannot be reached or listed (one line naming the folder).
    """
    import pyarrow.fs as pafs

    fs = filesystem(folder)
    try:
        infos = fs.get_file_info(
            pafs.FileSelector(folder.path, recursive=True, allow_not_found=True)
        )
    except (OSError, ValueError) as exc:
        raise OSError(f"{folder.shown}: cannot list: {_short(exc)}") from None
    found = []
    for info in infos:
        if info.type == pafs.FileType.File:
            relative = info.path[len(folder.path) + 1 :]
            found.append(ObjectInfo(relative, int(info.size or 0), int(info.mtime_ns or 0)))
    return sorted(found, key=lambda o: o.relative)


def _info(location: Location) -> Any:
    fs = filesystem(location)
    try:
        return fs.get_file_info(location.path)
    except (OSError, ValueError) as exc:
        raise OSError(f"{location.shown}: {_short(exc)}") from None


def kind(location: Location) -> str:
    """``file``, ``folder`` (a prefix with objects, or a bucket) or ``missing``.

    Raises:
        OSError: The store cannot be reached.
    """
    import pyarrow.fs as pafs

    info = _info(location)
    if info.type == pafs.FileType.File:
        return "file"
    return "folder" if info.type == pafs.FileType.Directory else "missing"


def object_info(location: Location) -> ObjectInfo | None:
    """Size and time of the object at ``location``, or None when it is no object.

    Raises:
        OSError: The store cannot be reached.
    """
    import pyarrow.fs as pafs

    info = _info(location)
    if info.type != pafs.FileType.File:
        return None
    return ObjectInfo(
        posixpath.basename(location.path), int(info.size or 0), int(info.mtime_ns or 0)
    )


def read_bytes(location: Location, limit: int | None = None) -> bytes:
    """The whole object.

    Args:
        location: The object.
        limit: Refuse objects larger than this many bytes; None for no limit.

    Raises:
        FileNotFoundError: No such object.
        OSError: It cannot be read, or is larger than ``limit``.
    """
    fs = filesystem(location)
    try:
        with fs.open_input_stream(location.path) as stream:
            data: bytes = stream.read() if limit is None else stream.read(limit + 1)
    except FileNotFoundError:
        raise FileNotFoundError(f"{location.shown}: no such object") from None
    except (OSError, ValueError) as exc:
        raise OSError(f"{location.shown}: cannot read: {_short(exc)}") from None
    if limit is not None and len(data) > limit:
        raise OSError(f"{location.shown}: larger than {limit} bytes")
    return data


def write_bytes(location: Location, data: bytes) -> None:
    """Write the whole object in one upload (readers see the old or the new one).

    Arrow's S3 client uploads even small objects as a multipart upload that
    it completes on close; one cut short leaves no object (and, on S3, an
    incomplete upload that a bucket lifecycle rule removes).

    Raises:
        OSError: It cannot be written (nothing is left in its place but the old object).
    """
    fs = filesystem(location)
    try:
        stream = fs.open_output_stream(location.path)
        stream.write(data)
        stream.close()
    except (OSError, ValueError) as exc:
        raise OSError(f"{location.shown}: cannot write: {_short(exc)}") from None


def delete(location: Location) -> None:
    """Delete an object; one already gone is no error.

    Raises:
        OSError: It exists and cannot be deleted.
    """
    fs = filesystem(location)
    try:
        fs.delete_file(location.path)
    except FileNotFoundError:
        return
    except (OSError, ValueError) as exc:
        raise OSError(f"{location.shown}: cannot delete: {_short(exc)}") from None


__all__ = [
    "GCS_EMULATOR_ENV",
    "SCHEMES",
    "GsPath",
    "Location",
    "ObjectInfo",
    "ObjectPath",
    "S3Path",
    "delete",
    "filesystem",
    "is_uri",
    "kind",
    "list_objects",
    "object_info",
    "read_bytes",
    "redact",
    "scheme_of",
    "write_bytes",
]
