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
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path, PurePath
from typing import Any

from .document import Result
from .errors import OutputDirError
from .fsutil import host_tag, sha256_file
from .inputs import Job
from .outputs import (
    SourceStamp,
    Written,
    manifest_file,
    output_files,
    read_manifest,
    stamp_verdict,
    write_combined_from_outputs,
    write_outputs,
)
from .storage import Location, delete, kind, object_info, read_bytes, write_bytes
from .writers import META_SUFFIX, get_writer

# The pending record of a manifest: its name with this prefix and suffix.
PENDING_PREFIX, PENDING_SUFFIX = ".", ".pending"
# Manifests larger than this are not read (a manifest lists a few files).
_MANIFEST_LIMIT = 16 << 20


def pending_name(manifest: str) -> str:
    """The pending record's name of the manifest named ``manifest``."""
    return PENDING_PREFIX + manifest + PENDING_SUFFIX


def check_remote_output(root: Location) -> None:
    """Make sure the bucket exists and the folder can hold objects, before any work.

    A probe object (named after this host and process) is written and deleted.

    Raises:
        OutputDirError: The bucket is missing, or the store refuses the write.
    """
    try:
        if kind(Location(root.scheme, root.bucket, root.query)) == "missing":
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

    def fetch(self, meta_file: Path) -> None:
        """Bring a manifest's set into the mirror: manifest, outputs, backup placeholders.

        The pending record's hashes (a run killed while uploading) are
        merged into the manifest's ``pending_sha256``.

        Raises:
            OSError: The store cannot be read.
        """
        meta_file.parent.mkdir(parents=True, exist_ok=True)
        meta = self._json(meta_file)
        pending = self._json(meta_file.parent / pending_name(meta_file.name))
        if not meta and not pending:
            return
        for name in [str(n) for n in meta.get("outputs") or []] + list(
            pending.get("pending_sha256") or {}
        ):
            self.download(meta_file.parent / name)
        for name in meta.get("backups") or []:
            local = meta_file.parent / str(name)
            if object_info(_remote(self.root, self.local, local)) is not None:
                local.touch()  # only its existence counts; never uploaded
        if pending:
            accepted = dict(meta.get("pending_sha256") or {})
            accepted.update(pending.get("pending_sha256") or {})
            meta["pending_sha256"] = accepted
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
        mirror.fetch(meta_file)
        written = write_outputs(result, mirror.local, relative, formats, settings_key, stem, source)
        return mirror.publish(written)


def remote_is_unchanged(
    root: Location, job: Job, stamp: SourceStamp, source_sha256: Callable[[], str]
) -> bool | None:
    """:func:`~translate_cli.outputs.is_unchanged` for outputs in a store.

    Raises:
        OSError: The store cannot be read.
    """
    meta_rel = manifest_file(Path("."), job.relative, job.stem or None)
    meta_at = root / meta_rel.as_posix()
    try:
        meta = json.loads(read_bytes(meta_at, _MANIFEST_LIMIT))
    except FileNotFoundError:
        return False
    except ValueError:
        meta = {}
    folder = root / meta_rel.parent.as_posix()
    return stamp_verdict(
        meta if isinstance(meta, dict) else {},
        stamp,
        lambda name: object_info(folder / name) is not None,
        source_sha256,
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
        mirror.fetch(mirror.local / (name + META_SUFFIX))
        written = write_combined_from_outputs(mirror.local, list(relatives), name, list(stems))
        if not written.paths:
            return written
        return mirror.publish(written)


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
    "remote_source_sha256",
    "write_remote_combined",
    "write_remote_outputs",
]
