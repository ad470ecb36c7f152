"""Writing a document's outputs, the resume ledger, and the combined files of a run.

Every output is written atomically (a temporary file renamed into place), and
each input's metadata file (``<stem>.meta.json``) is written last. It is the
ledger entry of resume: it names the outputs and records the source hash and a
key of the settings that produced them, so its presence marks a complete,
up-to-date set (:func:`is_up_to_date`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import astuple
from pathlib import Path, PurePath

from ._version import __version__
from .config import Settings
from .document import Result
from .fsutil import atomic_writer
from .memory import TranslationMemory
from .provenance import RunPlan
from .writers import Writer, get_writer, meta_path, meta_record, output_paths
from .writers.text import read_jsonl

# Formats of the files --combined writes for a whole run.
COMBINED_FORMATS = ("tsv", "tmx", "html")
# The per-input format the combined files are assembled from.
COMBINED_SOURCE_FORMAT = "jsonl"


def write_outputs(
    result: Result,
    output_dir: Path,
    relative: PurePath,
    formats: Iterable[str],
    settings_key: str = "",
) -> list[Path]:
    """Write every chosen format, then the metadata file, each atomically.

    Args:
        result: The translated document.
        output_dir: The run's output folder.
        relative: The input's path mirrored under ``output_dir``.
        formats: Format names (see :data:`translate_cli.vocabulary.FORMATS`).
        settings_key: :func:`settings_key` of the run, recorded for resume.

    Returns:
        The paths written, metadata file last.

    Raises:
        OSError: A file cannot be written (nothing is left half-written).
    """
    written: list[Path] = []
    for name in formats:
        writer = get_writer(name)
        written.extend(_write_format(writer, [result], output_paths(output_dir, relative, writer)))
    meta = {
        **meta_record(result),
        "settings_key": settings_key,
        "outputs": [p.name for p in written],
    }
    meta_file = meta_path(output_dir, relative)
    with atomic_writer(meta_file) as fh:
        fh.write(json.dumps(meta, ensure_ascii=False, indent=2) + "\n")
    return [*written, meta_file]


def settings_key(settings: Settings, plan: RunPlan, memory: TranslationMemory | None = None) -> str:
    """A digest (16 hex digits) of everything that changes the outputs of an unchanged input.

    It includes the memory's reviewed-entries version, so importing a
    reviewer's corrections makes the next run rewrite the affected outputs.
    """
    fields = {
        "plan": astuple(plan),
        "formats": sorted(settings.formats),
        "tool": __version__,
        "memory": None if memory is None else [str(memory.path), memory.reviewed_version()],
    }
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:16]


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


def write_combined(
    results: Callable[[], Iterable[Result]],
    output_dir: Path,
    name: str,
    formats: Sequence[str] = COMBINED_FORMATS,
) -> list[Path]:
    """Write one file per format covering many documents, in the order given.

    Used for ``--combined``: reviewers work through a whole run in one TSV or
    TMX. ``results`` is called once per format and may return a generator, so
    the run is never held in memory.

    Returns:
        The paths written.
    """
    written: list[Path] = []
    for fmt in formats:
        writer = get_writer(fmt)
        paths = output_paths(output_dir, PurePath(name + ".txt"), writer)
        written.extend(_write_format(writer, results(), paths))
    return written


def write_combined_from_outputs(
    output_dir: Path, relatives: Sequence[PurePath], name: str
) -> list[Path]:
    """The ``--combined NAME`` files, assembled from each input's JSONL output.

    Reading the per-input JSONL (rather than keeping results in memory) keeps
    memory bounded and lets inputs skipped as up to date appear too.

    Args:
        output_dir: The run's output folder.
        relatives: The inputs to include (their mirrored paths), in order.
        name: The combined files' stem.

    Returns:
        The paths written; none when ``relatives`` is empty.

    Raises:
        OSError: A JSONL file cannot be read or a combined file written.
    """
    jsonl = get_writer(COMBINED_SOURCE_FORMAT)
    sources = [output_paths(output_dir, relative, jsonl)[0] for relative in relatives]
    if not sources:
        return []

    def results() -> Iterable[Result]:
        for path in sources:
            yield from read_jsonl(path)

    return write_combined(results, output_dir, name)


def _write_format(writer: Writer, results: Iterable[Result], paths: list[Path]) -> list[Path]:
    """One format's files, written atomically together: all are renamed or none."""
    with contextlib.ExitStack() as stack:
        streams = [stack.enter_context(atomic_writer(p)) for p in paths]
        writer.write(results, *streams)
    return paths


__all__ = [
    "COMBINED_FORMATS",
    "is_up_to_date",
    "settings_key",
    "write_combined",
    "write_combined_from_outputs",
    "write_outputs",
]
