"""Bringing a reviewer's corrections back into the translation memory.

A reviewer edits the ``target`` column of a TSV (or the targets of an XLIFF)
written by this tool. Importing the file stores every edited target as a
``reviewed`` translation of its source; later runs use it and mark the pair
``reviewed``.

Each row carries a ``check`` (see :func:`translate_cli.writers.base.row_check`):
its first half fingerprints the document, position and source text, so a row
whose source was edited, or whose cells were shifted to another row, is
rejected and reported instead of being stored against the wrong sentence. Its
second half fingerprints the machine target, so rows the reviewer left alone
are not mistaken for reviewed ones.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .batching import sentence_key
from .errors import InputError, UsageError, read_error
from .memory import TranslationMemory, open_memory
from .writers.base import source_check, target_check
from .writers.text import TSV_COLUMNS, tsv_unescape

_REQUIRED = ("doc", "paragraph", "sentence", "source", "target", "check")


@dataclass(frozen=True)
class ReviewedRow:
    """One row of a reviewed file, as read.

    Attributes:
        line: Line (TSV) or segment number in the file (XLIFF), for messages.
        document: Document name.
        paragraph: 1-based paragraph number.
        sentence: 1-based sentence number.
        source: Source text.
        target: Target text as the reviewer left it.
        check: The row's check, or "" when the format carries none.
        reviewed: Whether the file itself marks the row as reviewed (XLIFF state).
    """

    line: int
    document: str
    paragraph: int
    sentence: int
    source: str
    target: str
    check: str = ""
    reviewed: bool = False


@dataclass
class ImportReport:
    """What an import did.

    Attributes:
        imported: Rows stored as reviewed translations.
        unchanged: Rows whose target the reviewer did not edit.
        rejected: ``"FILE:LINE: reason"`` for each refused row.
    """

    imported: int = 0
    unchanged: int = 0
    rejected: list[str] = field(default_factory=list)


def read_tsv_rows(path: Path) -> Iterator[ReviewedRow]:
    """Read a TSV written by this tool (and perhaps saved by a spreadsheet).

    Raises:
        InputError: Unreadable file, or not a translate-cli TSV.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise read_error(path, exc) from None
    except UnicodeError:
        raise InputError(path, "not UTF-8 text; save the TSV as UTF-8") from None
    lines = text.split("\n")
    header = lines[0].rstrip("\r").split("\t")
    missing = [c for c in _REQUIRED if c not in header]
    if missing:
        raise InputError(path, f"not a translate-cli TSV (missing columns: {', '.join(missing)})")
    at = {name: header.index(name) for name in TSV_COLUMNS if name in header}
    for number, line in enumerate(lines[1:], start=2):
        line = line.rstrip("\r")
        if not line:
            continue
        cells = line.split("\t")
        if len(cells) != len(header):
            yield ReviewedRow(number, "", 0, 0, "", "", check=f"!{len(cells)} cells")
            continue
        try:
            paragraph, sentence = int(cells[at["paragraph"]]), int(cells[at["sentence"]])
        except ValueError:
            paragraph = sentence = 0
        yield ReviewedRow(
            number,
            tsv_unescape(cells[at["doc"]]),
            paragraph,
            sentence,
            tsv_unescape(cells[at["source"]]),
            tsv_unescape(cells[at["target"]]),
            cells[at["check"]],
        )


def _xliff_rows(path: Path) -> Iterator[ReviewedRow]:
    """XLIFF segments as rows; ``reviewed`` and ``final`` states count as reviewed."""
    from .writers.xliff import read_xliff

    for number, seg in enumerate(read_xliff(path), 1):
        yield ReviewedRow(
            number,
            seg.document,
            seg.paragraph,
            seg.sentence,
            seg.source,
            seg.target,
            seg.check,
            reviewed=seg.state in ("reviewed", "final"),
        )


def _rows(path: Path) -> Iterator[ReviewedRow]:
    suffix = path.suffix.lower()
    if suffix == ".tsv":
        return read_tsv_rows(path)
    if suffix in (".xlf", ".xliff"):
        return _xliff_rows(path)
    raise InputError(
        path, "cannot import this file type; expected a .tsv or .xlf written by translate"
    )


def _verdict(row: ReviewedRow) -> str:
    """``import``, ``unchanged``, or the reason for rejecting the row."""
    if row.check.startswith("!"):
        return f"has {row.check[1:]}, expected as many as the header"
    if len(row.check) != 16:
        return "has no valid check cell; export the file again from translate"
    if source_check(row.document, row.paragraph, row.sentence, row.source) != row.check[:8]:
        return "source, document or position changed since export (or cells moved); not imported"
    if target_check(row.target) == row.check[8:] and not row.reviewed:
        return "unchanged"
    if not row.target.strip():
        return "empty target; not imported"
    return "import"


def import_reviewed(path: Path, memory: TranslationMemory) -> ImportReport:
    """Store a reviewed file's edited targets in the memory as ``reviewed``.

    Raises:
        InputError: The file cannot be read or is not a review file of this tool.
    """
    report = ImportReport()
    accepted: list[tuple[str, str, str]] = []
    for row in _rows(path):
        verdict = _verdict(row)
        if verdict == "import":
            accepted.append((sentence_key(row.source), row.source, row.target))
        elif verdict == "unchanged":
            report.unchanged += 1
        else:
            report.rejected.append(f"{path}:{row.line}: {verdict}")
    report.imported = memory.store_reviewed(accepted)
    return report


def import_reviewed_files(
    paths: Sequence[Path], memory_setting: str
) -> Iterator[tuple[Path, ImportReport, Path]]:
    """Import several reviewed files into the memory named by ``memory_setting``.

    Yields, for each file in turn, its report and the memory file's path.

    Raises:
        UsageError: The memory is off (``--no-tm``).
        InputError: A file cannot be read or is not a review file of this tool.
        MemoryStoreError: The memory cannot be opened or written.
    """
    memory = open_memory(memory_setting)
    if memory is None:
        raise UsageError("--import-reviewed needs the translation memory; drop --no-tm")
    with memory:
        for path in paths:
            yield path, import_reviewed(path, memory), memory.path
