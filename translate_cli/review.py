"""Bringing a reviewer's corrections back into the translation memory.

A reviewer edits the ``target`` column of a TSV (or the targets of an XLIFF,
or the targets on the review page, which exports them as JSON) written by
this tool. Importing the file stores every edited target as a
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

import csv
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .batching import sentence_key
from .errors import InputError, UsageError, read_error
from .memory import TranslationMemory, open_memory
from .writers.base import source_check, target_check
from .writers.text import TSV_COLUMNS, spreadsheet_value, tsv_unescape

_QUOTING = "quoting problem"
_QUOTING_HINT = "save the file again as tab-separated text, quotes as text delimiter; not imported"
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
        problem: Why the row cannot be read as written (wrong cell count,
            quoting), or "" for a row read normally.
        values: The text columns (doc, source, target) whose cell, as found
            in the file, is one a spreadsheet reads as a value (number, date,
            time, boolean...) and lacks the guard backslash the writer puts
            on such cells: a spreadsheet may have converted it.
    """

    line: int
    document: str
    paragraph: int
    sentence: int
    source: str
    target: str
    check: str = ""
    reviewed: bool = False
    problem: str = ""
    values: tuple[str, ...] = ()


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


def _read_tsv_text(path: Path) -> str:
    """The text of a TSV as a spreadsheet may have saved it: UTF-8 (BOM or not) or UTF-16 with BOM.

    Raises:
        InputError: Unreadable, or in another encoding.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise read_error(path, exc) from None
    # Excel's "Unicode text" is UTF-16 with a BOM and tabs: the same table.
    encoding = "utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeError:
        raise InputError(path, "not UTF-8 text; save the TSV as UTF-8") from None


@dataclass(frozen=True)
class _Record:
    """One row of cells as split from the file, before unescaping."""

    line: int
    cells: list[str]


def _plain_records(text: str) -> list[_Record]:
    """Rows as this tool writes them: one line each, cells split on every tab."""
    records = []
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if line:
            records.append(_Record(number, line.split("\t")))
    return records


def _quoted_records(text: str) -> list[_Record]:
    """Rows as a spreadsheet saves them: a cell may be quoted (``"a ""b"" c"``).

    A quoted cell may hold tabs and line breaks; a record then spans several
    lines and carries the number of its first.
    """
    # The csv module refuses fields over 128 KiB by default; a sentence cell
    # can be longer (a paragraph without punctuation), and the whole text is
    # in memory anyway.
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t", quotechar='"', strict=False)
    records = []
    first = 1
    for cells in reader:
        if cells:
            records.append(_Record(first, cells))
        first = reader.line_num + 1
    return records


def _source_ok(record: _Record, at: dict[str, int]) -> bool:
    """Whether a record's cells match its check (the source half)."""
    if len(record.cells) <= max(at.values()):
        return False
    row = _row(record, at)
    return source_check(row.document, row.paragraph, row.sentence, row.source) == row.check[:8]


def _row(record: _Record, at: dict[str, int], problem: str = "") -> ReviewedRow:
    cells = record.cells
    try:
        paragraph = int(tsv_unescape(cells[at["paragraph"]]))
        sentence = int(tsv_unescape(cells[at["sentence"]]))
    except ValueError:
        paragraph = sentence = 0
    return ReviewedRow(
        record.line,
        tsv_unescape(cells[at["doc"]]),
        paragraph,
        sentence,
        tsv_unescape(cells[at["source"]]),
        tsv_unescape(cells[at["target"]]),
        tsv_unescape(cells[at["check"]]),
        problem=problem,
        values=tuple(c for c in ("doc", "source", "target") if spreadsheet_value(cells[at[c]])),
    )


def _columns(records: list[_Record]) -> dict[str, int] | None:
    """Column positions from a header record, or None when columns are missing."""
    header = records[0].cells if records else []
    if any(name not in header for name in _REQUIRED):
        return None
    return {name: header.index(name) for name in TSV_COLUMNS if name in header}


def read_tsv_rows(path: Path) -> Iterator[ReviewedRow]:
    """Read a TSV written by this tool, as written or as a spreadsheet saved it.

    Spreadsheets (LibreOffice Calc, Excel) save a cell holding a quote, a tab
    or a line break in quotes, with the quotes inside doubled (RFC 4180); this
    tool writes no quotes and escapes with backslashes. The file is read both
    ways and the reading under which more rows match their check is kept, so
    a file is never half-read as one and half as the other. A row that reads
    correctly only the other way is marked as a quoting problem.

    Raises:
        InputError: Unreadable file, or not a translate-cli TSV.
    """
    text = _read_tsv_text(path)
    readings = [_plain_records(text), _quoted_records(text)]
    columns = [_columns(records) for records in readings]
    if columns[0] is None and columns[1] is None:
        header = readings[0][0].cells if readings[0] else []
        missing = [c for c in _REQUIRED if c not in header]
        raise InputError(path, f"not a translate-cli TSV (missing columns: {', '.join(missing)})")
    matches = [
        -1 if at is None else sum(_source_ok(r, at) for r in records[1:])
        for records, at in zip(readings, columns, strict=True)
    ]
    chosen = 0 if matches[0] >= matches[1] else 1
    records, at = readings[chosen], columns[chosen]
    assert at is not None
    other_at = columns[1 - chosen]
    other = {r.line: r for r in readings[1 - chosen][1:]}
    width = len(records[0].cells)
    for record in records[1:]:
        if _source_ok(record, at):
            yield _row(record, at)
            continue
        alternative = other.get(record.line)
        read_otherwise = (
            alternative is not None and other_at is not None and _source_ok(alternative, other_at)
        ) or _source_ok(_Record(record.line, [_unquote(c) for c in record.cells]), at)
        if len(record.cells) != width:
            problem = f"has {len(record.cells)} cells, expected {width} as in the header"
            as_read = record.cells + (alternative.cells if alternative else [])
            if read_otherwise or '"' in "".join(as_read):
                problem = f"{_QUOTING}: {problem}; {_QUOTING_HINT}"
            yield ReviewedRow(record.line, "", 0, 0, "", "", problem=problem)
        elif read_otherwise:
            problem = f"{_QUOTING}: the source matches its check only read with other quoting"
            yield _row(record, at, f"{problem}; {_QUOTING_HINT}")
        else:
            yield _row(record, at)


def _unquote(cell: str) -> str:
    """A cell with one layer of spreadsheet quoting removed, if it has one."""
    if len(cell) >= 2 and cell[0] == cell[-1] == '"':
        return cell[1:-1].replace('""', '"')
    return cell


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


def _xlsx_rows(path: Path) -> Iterator[ReviewedRow]:
    """Review workbook rows (numbered as in the sheet); a cell that is not text is a problem.

    A formula is never evaluated and a number or date never turned back into
    text: the row is rejected, naming the cell (see
    :func:`translate_cli.writers.xlsx.read_xlsx`).
    """
    from .writers.xlsx import read_xlsx

    for row in read_xlsx(path, _REQUIRED):
        cells = row.cells
        try:
            paragraph, sentence = int(cells["paragraph"]), int(cells["sentence"])
        except ValueError:
            paragraph = sentence = 0
        problem = ""
        if row.problems:
            problem = f"{'; '.join(row.problems)}; not imported"
        yield ReviewedRow(
            row.row,
            cells["doc"],
            paragraph,
            sentence,
            cells["source"],
            cells["target"],
            cells["check"],
            problem=problem,
        )


_PAGE_FIELDS: tuple[tuple[str, type], ...] = (
    ("doc", str),
    ("paragraph", int),
    ("sentence", int),
    ("source", str),
    ("target", str),
    ("check", str),
    ("reviewed", bool),
)


def read_page_rows(path: Path) -> Iterator[ReviewedRow]:
    """Read the corrections the review page exports (``NAME.corrections.json``).

    The file is a JSON object ``{"format": CORRECTIONS_FORMAT, "version": 1,
    "rows": [...]}``; each row has ``doc``, ``paragraph``, ``sentence``,
    ``source``, ``target``, ``check`` (as in the TSV) and ``reviewed`` (the
    reviewer's mark: a row marked reviewed imports even when its target is
    the machine one). See :mod:`translate_cli.writers.html`. A row is
    numbered by its place in ``rows``, from 1; a row whose fields are
    missing or of the wrong type is a problem row, reported, not imported.

    Raises:
        InputError: Unreadable, not JSON, or not a corrections file of this
            tool's review page (another ``format``, or a newer ``version``).
    """
    from .writers.html import CORRECTIONS_FORMAT, CORRECTIONS_VERSION

    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except OSError as exc:
        raise read_error(path, exc) from None
    except UnicodeError:
        raise InputError(path, "not UTF-8 text; export the corrections again") from None
    except ValueError as exc:
        raise InputError(path, f"not JSON ({exc}); export the corrections again") from None
    if not isinstance(data, dict) or data.get("format") != CORRECTIONS_FORMAT:
        raise InputError(path, "not corrections exported from a translate-cli review page")
    version = data.get("version")
    if type(version) is not int or version != CORRECTIONS_VERSION:
        raise InputError(
            path,
            f"corrections file version {version!r}; this translate reads version "
            f"{CORRECTIONS_VERSION}: update translate-cli",
        )
    rows = data.get("rows")
    if not isinstance(rows, list):
        raise InputError(path, "corrections file without a list of rows")
    for number, row in enumerate(rows, 1):
        # bool is an int in Python: compare types exactly.
        bad = [
            name
            for name, kind in _PAGE_FIELDS
            if not isinstance(row, dict) or type(row.get(name)) is not kind
        ]
        if bad:
            problem = f"not a row of the review page (bad or missing: {', '.join(bad)})"
            yield ReviewedRow(number, "", 0, 0, "", "", problem=f"{problem}; not imported")
            continue
        yield ReviewedRow(
            number,
            row["doc"],
            row["paragraph"],
            row["sentence"],
            row["source"],
            row["target"],
            row["check"],
            reviewed=row["reviewed"],
        )


def _rows(path: Path) -> Iterator[ReviewedRow]:
    suffix = path.suffix.lower()
    if suffix == ".tsv":
        return read_tsv_rows(path)
    if suffix == ".json":
        return read_page_rows(path)
    if suffix in (".xlf", ".xliff"):
        return _xliff_rows(path)
    if suffix == ".xlsx":
        return _xlsx_rows(path)
    raise InputError(
        path,
        "cannot import this file type; expected a .tsv, .xlf, .xlsx or review-page "
        ".corrections.json written by translate",
    )


_CHANGED = "source, document or position changed since export; not imported"
_CONVERTED = (
    "a spreadsheet changed this cell (number/date detection): {cells}; "
    "import the columns as Text (or type a leading backslash: \\1/2); not imported"
)


def _verdict(row: ReviewedRow) -> str:
    """``import``, ``unchanged``, or the reason for rejecting the row."""
    if row.problem:
        return row.problem
    if len(row.check) != 16:
        return "has no valid check cell; export the file again from translate"
    if source_check(row.document, row.paragraph, row.sentence, row.source) != row.check[:8]:
        converted = [c for c in row.values if c != "target"]
        return _CONVERTED.format(cells=", ".join(converted)) if converted else _CHANGED
    if target_check(row.target) == row.check[8:] and not row.reviewed:
        return "unchanged"
    if "target" in row.values:
        # A bare value in the target may be the machine target as a
        # spreadsheet rewrote it (1/2 saved as 01/02/26, true as TRUE): never
        # stored as a reviewer's translation.
        return _CONVERTED.format(cells="target")
    if not row.target.strip():
        return "empty target; not imported"
    return "import"


def _moved_from(row: ReviewedRow, places: list[tuple[int, str, int, int, str]]) -> int | None:
    """The line of another row whose check matches this row's cells, whole or source only."""
    held = source_check(row.document, row.paragraph, row.sentence, row.source)
    for line, document, paragraph, sentence, check in places:
        if line != row.line and (
            held == check or source_check(document, paragraph, sentence, row.source) == check
        ):
            return line
    return None


def import_reviewed(path: Path, memory: TranslationMemory) -> ImportReport:
    """Store a reviewed file's edited targets in the memory as ``reviewed``.

    A rejected row says why: a quoting problem (the file was saved with
    quotes this reader cannot undo), cells moved between rows (its source,
    document and position are those another row's check was made for), a
    cell a spreadsheet converted (a number, date, time or boolean without
    the guard backslash, in the source or document of a row whose check no
    longer matches, or in an edited target), or a source, document or
    position edited since export.

    Raises:
        InputError: The file cannot be read or is not a review file of this tool.
    """
    report = ImportReport()
    accepted: list[tuple[str, str, str]] = []
    rejected: list[tuple[int, str]] = []
    # Positions and check halves of all rows, and the changed rows: a changed
    # row whose cells match another row's check had its cells moved.
    places: list[tuple[int, str, int, int, str]] = []
    changed: list[ReviewedRow] = []
    for row in _rows(path):
        verdict = _verdict(row)
        if len(row.check) == 16:
            places.append((row.line, row.document, row.paragraph, row.sentence, row.check[:8]))
        if verdict == "import":
            accepted.append((sentence_key(row.source), row.source, row.target))
        elif verdict == "unchanged":
            report.unchanged += 1
        elif verdict == _CHANGED:
            changed.append(row)
        else:
            rejected.append((row.line, verdict))
    for row in changed:
        origin = _moved_from(row, places)
        reason = _CHANGED
        if origin is not None:
            reason = (
                f"moved row: its cells belong to the row whose check is on line {origin} "
                "(cells moved between rows); not imported"
            )
        rejected.append((row.line, reason))
    report.rejected = [f"{path}:{line}: {reason}" for line, reason in sorted(rejected)]
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
