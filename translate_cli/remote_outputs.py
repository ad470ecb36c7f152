"""Outputs in an object store: the local guarantees, kept through a mirror folder.

An ``s3://`` or ``gs://`` output folder (see :mod:`translate_cli.storage`)
gets exactly the files a local one would, with the same manifest, backups
of reviewers' edits, and resume. Each input's outputs are written by the
local code (:func:`~translate_cli.outputs.write_outputs`) into a temporary
*mirror* holding what the store has for that input (its manifest, the
outputs the manifest lists, placeholders for its backups); then what
changed is uploaded, in an order that loses nothing:

1. a *pending record* (``.STEM.meta.json.pending``), naming the hashes of
   the outputs about to be uploaded;
2. the new backups (a reviewer's edited output, copied under its backup
   name before the output is replaced);
3. each output whose bytes changed, one whole object each;
4. the manifest, last;
5. the pending record is deleted.

A run killed between 1 and 4 leaves the old manifest and the pending
record; the next run accepts the hashes of both (as the local manifest's
``pending_sha256`` does), so the outputs it uploaded are not taken for a
reviewer's edits. Every object is written once per run, the manifest last.
An object store has no rename, so a reader may meet new outputs beside the
old manifest for that moment; the manifest is what resume trusts.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import posixpath
import tempfile
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from pathlib import Path, PurePath
from typing import Any

from .document import Result
from .errors import OutputDirError, OutputError
from .fsutil import host_tag, sha256_file
from .inputs import Job, pending_name
from .outputs import (
    SourceStamp,
    Written,
    combined_files,
    manifest_file,
    output_files,
    read_manifest,
    stamp_verdict,
    write_combined_from_outputs,
    write_outputs,
)
from .storage import Location, delete, kind, object_info, read_bytes, write_bytes
from .writers import FORMATS, META_SUFFIX, get_writer

# Manifests larger than this are not read (a manifest lists a few files).
_MANIFEST_LIMIT = 16 << 20


def _plain(name: str) -> bool:
    """Whether ``name`` (read from a manifest in the store) is a plain file name."""
    return bool(name) and name not in (".", "..") and not any(c in name for c in "/\\\0")


def _hashes(meta: dict[str, Any], key: str) -> dict[str, str]:
    value = meta.get(key)
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def check_remote_output(root: Location) -> None:
    """Make sure the bucket exists and the folder can hold objects, before any work.

    A probe object (named after this host and process) is written and deleted.

    Raises:
        OutputDirError: The bucket is missing, or the store refuses the write.
    """
    try:
        if kind(root.bucket_location) == "missing":
            raise OutputDirError(f"{root.shown}: cannot be the output folder: no such bucket")
        if kind(root) == "file":
            raise OutputDirError(
                f"{root.shown}: cannot be the output folder: an object is in its place"
            )
        probe = root / f".translate-probe-{host_tag()}"
        write_bytes(probe, b"")
        delete(probe)
    except OSError as exc:
        raise OutputDirError(f"{root.shown}: cannot write in the output folder: {exc}") from None


def _remote(root: Location, local_root: Path, local: Path) -> Location:
    return root / local.relative_to(local_root).as_posix()


class _Mirror:
    """A temporary local folder standing for an output folder in a store."""

    def __init__(self, root: Location, local: Path) -> None:
        self.root = root
        self.local = local
        self.fetched: dict[Path, str] = {}  # local copy -> SHA-256 of its bytes

    def fetch(self, meta_file: Path, names: Iterable[str] = ()) -> None:
        """Bring what the store has for one manifest into the mirror.

        The manifest, every object the write may replace (``names``: each
        name any format writes for the input, and every name the manifest or
        a pending record knows), and placeholders for its backups (only their
        existence counts; they are never uploaded). Objects that no manifest
        lists come too, so a file the tool never wrote is kept as a backup
        before it is replaced, as on a disk. The pending record's hashes (a
        run killed while uploading) are merged into the manifest's
        ``pending_sha256``. Names from the store that are not plain file
        names (``../x``, ``a/b``) are ignored: a manifest never writes
        outside its folder.

        Raises:
            OSError: The store cannot be read.
        """
        folder = meta_file.parent
        folder.mkdir(parents=True, exist_ok=True)
        meta = self._json(meta_file)
        pending = self._json(folder / pending_name(meta_file.name))
        known = [
            *(str(n) for n in meta.get("outputs") or []),
            *_hashes(meta, "output_sha256"),
            *_hashes(meta, "pending_sha256"),
            *_hashes(pending, "pending_sha256"),
            *names,
        ]
        for name in dict.fromkeys(n for n in known if _plain(n)):
            self.download(folder / name)
        for name in meta.get("backups") or []:
            local = folder / str(name)
            if _plain(str(name)) and object_info(_remote(self.root, self.local, local)):
                local.touch()
        if pending:
            accepted = _hashes(meta, "pending_sha256")
            accepted.update(_hashes(pending, "pending_sha256"))
            meta["pending_sha256"] = accepted
        if meta:
            meta_file.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")

    def _json(self, local: Path) -> dict[str, Any]:
        try:
            data = read_bytes(_remote(self.root, self.local, local), _MANIFEST_LIMIT)
        except FileNotFoundError:
            return {}
        local.write_bytes(data)
        meta = read_manifest(local)
        local.unlink()
        return meta

    def download(self, local: Path) -> bool:
        """Copy one object into the mirror; False when there is none.

        Raises:
            OSError: It exists and cannot be read.
        """
        if local in self.fetched:
            return True
        try:
            data = read_bytes(_remote(self.root, self.local, local))
        except FileNotFoundError:
            return False
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_bytes(data)
        self.fetched[local] = hashlib.sha256(data).hexdigest()
        return True

    def publish(self, written: Written) -> Written:
        """Upload what ``written`` changed in the mirror, in the order of the module docstring.

        Returns:
            ``written`` with the objects' paths (shown as URIs).

        Raises:
            OSError: An object cannot be written (the pending record then
                stays, so the next run accepts what was uploaded).
        """
        manifest, outputs = Path(written.paths[-1]), [Path(p) for p in written.paths[:-1]]
        hashes = {p: sha256_file(p) for p in outputs}
        record = _remote(self.root, self.local, manifest.parent / pending_name(manifest.name))
        body = {"pending_sha256": {p.name: h for p, h in hashes.items()}}
        write_bytes(record, json.dumps(body).encode())
        for backup in written.backups:
            write_bytes(_remote(self.root, self.local, Path(backup)), Path(backup).read_bytes())
        for path, digest in hashes.items():
            if self.fetched.get(path) != digest:
                write_bytes(_remote(self.root, self.local, path), path.read_bytes())
        write_bytes(_remote(self.root, self.local, manifest), manifest.read_bytes())
        delete(record)
        return Written(self._shown(written.paths), self._shown(written.backups))

    def _shown(self, paths: Sequence[PurePath]) -> list[PurePath]:
        return [_remote(self.root, self.local, Path(p)).shown for p in paths]


@contextlib.contextmanager
def _mirror(root: Location) -> Iterator[_Mirror]:
    with tempfile.TemporaryDirectory(prefix="translate-mirror-") as folder:
        yield _Mirror(root, Path(folder))


def write_remote_outputs(
    result: Result,
    root: Location,
    relative: PurePath,
    formats: Sequence[str],
    settings_key: str = "",
    stem: str | None = None,
    source: SourceStamp | None = None,
) -> Written:
    """:func:`~translate_cli.outputs.write_outputs` into an object-store folder.

    Args:
        result: The translated document.
        root: The output folder in the store.
        relative, formats, settings_key, stem, source: As for
            :func:`~translate_cli.outputs.write_outputs`.

    Returns:
        The objects written (manifest last) and the backups kept, as
        :class:`~translate_cli.storage.ObjectPath`.

    Raises:
        OSError: The store cannot be read or written.
    """
    with _mirror(root) as mirror:
        meta_file = manifest_file(mirror.local, relative, stem)
        every = [
            p.name for f in FORMATS for p in output_files(Path(), relative, get_writer(f), stem)
        ]
        mirror.fetch(meta_file, every)
        written = write_outputs(result, mirror.local, relative, formats, settings_key, stem, source)
        return mirror.publish(written)


def remote_is_unchanged(
    root: Location,
    job: Job,
    stamp: SourceStamp,
    source_sha256: Callable[[], str],
    present: Collection[str] | None = None,
) -> bool | None:
    """:func:`~translate_cli.outputs.is_unchanged` for outputs in a store.

    A pending record beside the manifest (an upload cut short: some outputs
    may be another run's) makes the outputs out of date, as a local
    manifest's cleared ``settings_key`` does while its outputs are renamed.

    Args:
        root, job, stamp, source_sha256: The output folder, the input, the
            stamp this run would record, and what hashes the input.
        present: Every object's path below ``root``
            (:func:`~translate_cli.storage.list_objects`, listed once for a
            whole run), or None to ask the store for each name.

    Raises:
        OSError: The store cannot be read.
    """
    meta_rel = manifest_file(Path("."), job.relative, job.stem or None).as_posix()
    folder = posixpath.dirname(meta_rel)

    def exists(relative: str) -> bool:
        if present is not None:
            return relative in present
        return object_info(root / relative) is not None

    if exists(posixpath.join(folder, pending_name(posixpath.basename(meta_rel)))):
        return False
    if present is not None and meta_rel not in present:
        return False
    meta = remote_manifest(root, meta_rel)
    return stamp_verdict(
        meta, stamp, lambda name: exists(posixpath.join(folder, name)), source_sha256
    )


def write_remote_combined(
    root: Location, relatives: Sequence[PurePath], name: str, stems: Sequence[str]
) -> Written:
    """:func:`~translate_cli.outputs.write_combined_from_outputs` for outputs in a store.

    The per-input JSONL files are fetched into a mirror, with the combined
    manifest's set (so an edited combined file is kept as a backup), the
    combined files are written there and uploaded as outputs are.

    Raises:
        OutputError: A JSONL file is missing or damaged.
        OSError: The store cannot be read or written.
    """
    jsonl = get_writer("jsonl")
    with _mirror(root) as mirror:
        for relative, stem in zip(relatives, stems, strict=True):
            mirror.download(output_files(mirror.local, relative, jsonl, stem or None)[0])
        names = [p.name for p in combined_files(Path(), name)]
        mirror.fetch(mirror.local / (name + META_SUFFIX), names)
        try:
            written = write_combined_from_outputs(mirror.local, list(relatives), name, list(stems))
        except OutputError as exc:  # name the object, not the mirror's copy
            if not exc.path.is_relative_to(mirror.local):
                raise
            shown = _remote(root, mirror.local, exc.path).shown
            raise OutputError(str(shown), exc.reason) from None
        if not written.paths:
            return written
        return mirror.publish(written)


def remote_manifest(root: Location, name: str) -> dict[str, Any]:
    """The manifest ``name`` in the store folder ``root``, or {} when none (or not JSON).

    Raises:
        OSError: The store cannot be read.
    """
    try:
        meta = json.loads(read_bytes(root / name, _MANIFEST_LIMIT))
    except FileNotFoundError:
        return {}
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}


def remote_source_sha256(job: Job) -> Callable[[], str]:
    """Hashes ``job``'s input when called, wherever it is."""
    if job.remote is not None:
        remote = job.remote
        return lambda: hashlib.sha256(read_bytes(remote)).hexdigest()
    path = job.path
    assert path is not None
    return lambda: sha256_file(path)


__all__ = [
    "check_remote_output",
    "pending_name",
    "remote_is_unchanged",
    "remote_manifest",
    "remote_source_sha256",
    "write_remote_combined",
    "write_remote_outputs",
]
