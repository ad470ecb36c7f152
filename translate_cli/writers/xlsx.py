"""The review workbook (``.xlsx``): the TSV's table, typed as text and protected but the targets.

One row per sentence pair under a header row, in the TSV's columns
(:data:`~translate_cli.writers.text.TSV_COLUMNS`: doc, paragraph, sentence,
source, target, flags, score, check), so ``translate --import-reviewed``
applies the same checks to both. Every cell, numbers included, is a text cell
(an inline string, number format ``@``): a spreadsheet runs no formula
(``=1+1``, ``+1``, ``-1``, ``@SUM(...)`` stay the text they are) and converts
no number or date (``007``, ``1/2``, ``2024``), so no guard backslash is
needed, unlike the TSV. In a text-formatted cell, what a reviewer types stays
text too, in Excel and LibreOffice Calc alike.

The sheet is protected without a password: only the target cells are
unlocked, so a reviewer cannot edit a source, a position or a check by
accident, and can still resize columns and rows and use the header's filter.
It is a guard against slips, not security: Review > Unprotect Sheet lifts it.

Characters XML cannot hold (C0 controls other than tab and line breaks, lone
surrogates, U+FFFE/U+FFFF) are written as ``_xHHHH_``, the escape of
ECMA-376 Part 1, 22.9.2.19 (ST_Xstring), and an ``_x`` that would read as one
has its underscore written ``_x005F_``; :func:`read_xlsx` undoes both, so
every source reads back exactly (:func:`xlsx_unescape` gives the one limit).
openpyxl (MIT) is imported only when a workbook is written or read, so
``--help`` stays light.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, cast

from ..document import Result
from ..errors import InputError, read_error
from .base import XML_ILLEGAL, Writer, register, row_check
from .text import TSV_COLUMNS

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet
    from openpyxl.worksheet.worksheet import Worksheet

SHEET_TITLE = "Review"
# Column widths in characters (Excel's unit: widths of "0" in the default font).
_WIDTHS = {
    "doc": 18,
    "paragraph": 10,
    "sentence": 9,
    "source": 60,
    "target": 60,
    "flags": 16,
    "score": 8,
    "check": 18,
}
_WRAPPED = frozenset({"doc", "source", "target", "flags"})
# Columns holding numbers by design: read back from a number cell too.
_NUMBER_COLUMNS = frozenset({"paragraph", "sentence", "score"})
_TEXT_FORMAT = "@"
# A target cell's fill, so the one editable column stands out (pale yellow).
_EDITABLE_FILL = "FFF9E5"

# An underscore that starts what would read as an escape is itself escaped.
_LITERAL_ESCAPE_RE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")
# What reading undoes: an escaped underscore before an escape's look, and
# the escape of a character XML cannot hold or may not keep as is (C0
# controls, tab, line breaks, surrogates, U+FFFE/U+FFFF). Other ``_xHHHH_``
# are left as text: openpyxl's reading of shared strings (the kind Excel and
# LibreOffice save) already turns ``_x005F_x0041_`` into ``_x0041_``, so a
# literal ``_x0041_`` arrives unescaped there and must stay as it is.
_UNESCAPE_RE = re.compile(
    r"_x005[Ff]_(?=x[0-9A-Fa-f]{4}_)"
    r"|_x(00[01][0-9A-Fa-f]|[Dd][89A-Fa-f][0-9A-Fa-f]{2}|[Ff]{3}[EeFf])_"
)

# Names of openpyxl's cell types (Cell.data_type), for messages.
_KINDS = {"n": "a number", "d": "a date", "b": "a boolean", "e": "an error"}


def xlsx_escape(text: str) -> str:
    """Text as a workbook cell holds it: ``_x`` escapes for what XML cannot hold.

    >>> xlsx_escape("a\\x01b_x0041_")
    'a_x0001_b_x005F_x0041_'
    """
    text = _LITERAL_ESCAPE_RE.sub("_x005F_", text)
    return XML_ILLEGAL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def xlsx_unescape(text: str) -> str:
    """Invert :func:`xlsx_escape`, also on text as openpyxl reads other programs' files.

    ``_xHHHH_`` becomes its character when that is one :func:`xlsx_escape`
    (or Excel, for tab and line breaks) writes escaped, and ``_x005F_``
    becomes ``_`` before what looks like an escape; any other ``_xHHHH_`` is
    text. Limit: in a shared string (a file another program saved), openpyxl
    has already dropped every ``x005F_``, so a literal ``_x005F_`` reads as
    ``_`` and a literal ``_x000D_`` (the look of an escape this function
    undoes) as its character; such a source fails its check and the row is
    rejected, never stored against a changed source.

    >>> xlsx_unescape("a_x000D_b _x005F_x0041_ _x0041_") == "a\\rb _x0041_ _x0041_"
    True
    """
    return _UNESCAPE_RE.sub(lambda m: chr(int(m.group(1), 16)) if m.group(1) else "_", text)


@register
class XLSXWriter(Writer):
    """The review workbook: the TSV's columns, every cell text, the targets alone editable.

    The workbook's bytes go to the stream's binary buffer (the stream the
    output machinery opens is a text file over one), so it is staged,
    hashed and renamed like every other output.
    """

    name = "xlsx"
    suffixes = (".fr-en.xlsx",)
    description = "review workbook: sources locked, targets editable, every cell text"

    def write(self, results: Iterable[Result], *streams: TextIO) -> None:
        """Write every pair of ``results`` as one row of one sheet.

        Raises:
            TypeError: The stream has no binary buffer (an ``io.StringIO``):
                a workbook is bytes.
        """
        buffer = getattr(streams[0], "buffer", None)
        if buffer is None:
            raise TypeError("the xlsx writer needs a stream over a binary file (has .buffer)")
        data = workbook_bytes(results)
        streams[0].flush()
        buffer.write(data)


def workbook_bytes(results: Iterable[Result]) -> bytes:
    """The review workbook of ``results``, as the bytes of an ``.xlsx`` file.

    Rows are streamed (openpyxl's write-only mode), so memory holds the
    finished file, not a model of every cell.
    """
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET_TITLE)
    _prepare(sheet)
    cells = _CellMaker(sheet)
    sheet.append([cells.header(column) for column in TSV_COLUMNS])
    rows = 1
    for result in results:
        name = result.document.name
        for pair in result.pairs:
            values = {
                "doc": name,
                "paragraph": str(pair.paragraph_number),
                "sentence": str(pair.sentence_number),
                "source": pair.source,
                "target": pair.target,
                "flags": ",".join(pair.flags),
                "score": "" if pair.score is None else f"{pair.score:.4f}",
                "check": row_check(
                    name, pair.paragraph_number, pair.sentence_number, pair.source, pair.target
                ),
            }
            sheet.append([cells.text(column, values[column]) for column in TSV_COLUMNS])
            rows += 1
    from openpyxl.utils import get_column_letter

    sheet.auto_filter.ref = f"A1:{get_column_letter(len(TSV_COLUMNS))}{rows}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _prepare(sheet: WriteOnlyWorksheet) -> None:
    """Widths, frozen header and protection: set before the first row is written."""
    from openpyxl.utils import get_column_letter

    # A write-only sheet is set up as a Worksheet is (Worksheet._setup), so it
    # has these attributes at run time; types-openpyxl leaves them out.
    full = cast("Worksheet", sheet)
    for number, column in enumerate(TSV_COLUMNS, 1):
        full.column_dimensions[get_column_letter(number)].width = _WIDTHS[column]
    sheet.freeze_panes = "A2"
    protection = full.protection
    protection.sheet = True
    # In SheetProtection, True means "forbidden while protected".
    protection.formatColumns = False
    protection.formatRows = False
    protection.autoFilter = False


class _CellMaker:
    """Text cells with the column's style; style objects are shared, not rebuilt per cell."""

    def __init__(self, sheet: WriteOnlyWorksheet) -> None:
        from openpyxl.styles import Alignment, Font, PatternFill, Protection

        self._sheet = sheet
        self._wrap = Alignment(wrap_text=True, vertical="top")
        self._top = Alignment(vertical="top")
        self._bold = Font(bold=True)
        self._unlocked = Protection(locked=False)
        self._fill = PatternFill("solid", start_color=_EDITABLE_FILL, end_color=_EDITABLE_FILL)

    def header(self, column: str) -> Cell:
        cell = self._cell(column)
        cell.font = self._bold
        return cell

    def text(self, column: str, value: str) -> Cell:
        cell = self._cell(xlsx_escape(value))
        cell.alignment = self._wrap if column in _WRAPPED else self._top
        if column == "target":
            cell.protection = self._unlocked
            cell.fill = self._fill
        return cell

    def _cell(self, value: str) -> Cell:
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(self._sheet, value=value)
        # openpyxl types a str starting with "=" as a formula; ours are all text.
        cell.data_type = "s"
        cell.number_format = _TEXT_FORMAT
        return cell


@dataclass(frozen=True)
class WorkbookRow:
    """One row of a review workbook, as read.

    Attributes:
        row: The row's number in the sheet (the header is row 1).
        cells: For each required column, the cell's text, ``_x`` escapes
            undone; "" for an empty cell or one that is not text.
        problems: One phrase per cell of a text column that is not text
            (``"cell E5 (target) is a formula"``); empty for a row read normally.
    """

    row: int
    cells: dict[str, str]
    problems: tuple[str, ...] = ()


def read_xlsx(path: Path, required: Sequence[str]) -> Iterator[WorkbookRow]:
    """Read the rows of a review workbook's first sheet, under its header row.

    Only the ``required`` columns are read. Cells are read as stored, never
    evaluated (openpyxl, ``data_only=False``): a cell that became a formula,
    a number, a date or a boolean is reported in :attr:`WorkbookRow.problems`
    rather than turned into text, except in the paragraph, sentence and score
    columns, which hold numbers by design. Blank rows are skipped.

    Args:
        path: The ``.xlsx`` file.
        required: Column names the header must have.

    Raises:
        InputError: Unreadable file, not an ``.xlsx`` workbook (corrupt, another
            format), or no header with the ``required`` columns.
    """
    book = _open(path)
    try:
        rows = _sheet_rows(path, book)
        header = [_header_text(v) for v in next(rows, ())]
        missing = [c for c in required if c not in header]
        if missing:
            raise InputError(
                path, f"not a translate-cli review workbook (missing columns: {', '.join(missing)})"
            )
        at = {name: header.index(name) for name in required}
        for number, row in enumerate(rows, 2):
            if all(value is None or value == "" for value, _ in row):
                continue
            yield _workbook_row(number, row, at)
    finally:
        book.close()


# A cell as read: its value and openpyxl's type letter (s, n, f, d, b, e).
_RawCell = tuple[object, str]


def _open(path: Path) -> Workbook:
    from openpyxl import load_workbook

    try:
        with path.open("rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise read_error(path, exc) from None
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise InputError(path, f"not a readable .xlsx workbook ({_describe(exc)})") from None


def _sheet_rows(path: Path, book: Workbook) -> Iterator[list[_RawCell]]:
    """The first sheet's rows as (value, type) cells; damage found on the way is an InputError."""
    try:
        sheet = book.worksheets[0]
        # The dimension a file records may be wrong; read every row there is.
        sheet.reset_dimensions()
        for row in sheet.iter_rows():
            yield [(cell.value, cell.data_type) for cell in row]
    except InputError:
        raise
    except Exception as exc:
        raise InputError(path, f"not a readable .xlsx workbook ({_describe(exc)})") from None


def _describe(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}"[:160] if text else type(exc).__name__


def _header_text(cell: _RawCell) -> str:
    value, _ = cell
    return value.strip() if isinstance(value, str) else ""


def _workbook_row(number: int, row: list[_RawCell], at: dict[str, int]) -> WorkbookRow:
    from openpyxl.utils import get_column_letter

    cells: dict[str, str] = {}
    problems: list[str] = []
    for column, index in at.items():
        value, kind = row[index] if index < len(row) else (None, "n")
        if value is None:
            cells[column] = ""
        elif kind == "s" and isinstance(value, str):
            cells[column] = xlsx_unescape(value)
        elif column in _NUMBER_COLUMNS and kind == "n" and isinstance(value, int | float):
            cells[column] = str(int(value)) if float(value).is_integer() else str(value)
        else:
            cells[column] = ""
            where = f"cell {get_column_letter(index + 1)}{number} ({column})"
            if kind == "f":
                problems.append(
                    f"{where} is a formula ({str(value)[:40]}), not text; it is not run"
                )
            else:
                problems.append(
                    f"{where} is {_KINDS.get(kind, 'not text')}, not text (a spreadsheet "
                    "converted it, or it was typed in a cell not formatted as text)"
                )
    return WorkbookRow(number, cells, tuple(problems))


__all__ = ["SHEET_TITLE", "WorkbookRow", "XLSXWriter", "read_xlsx", "workbook_bytes"]
