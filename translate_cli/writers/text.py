"""Line-oriented formats: the English document, TSV, JSONL and Moses files."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

from ..document import AlignedPair, Document, Result, RunMeta, TermUse
from ..vocabulary import TermStatus
from .base import Writer, meta_record, register, row_check

# Every character that some reader treats as a line break (str.splitlines
# splits on all of these), so escaping them keeps one pair per line.
_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_TSV_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
_TSV_ESCAPES.update({c: f"\\u{ord(c):04x}" for c in _LINE_BREAKS if c not in _TSV_ESCAPES})
_TSV_ESCAPE_RE = re.compile("|".join(re.escape(c) for c in _TSV_ESCAPES))
# The escapes tsv_escape writes, and only those: ``\\ \t \n \r`` and ``\uXXXX``
# for the other line breaks (and for a tab, LF or CR that opens a cell, see
# tsv_escape). Any other backslash in a cell is the reviewer's and is kept.
_TSV_UNESCAPES = {"\\\\": "\\", "\\t": "\t", "\\n": "\n", "\\r": "\r"}
_TSV_UNESCAPES.update(
    {f"\\u{ord(c):04x}": c for c in _LINE_BREAKS + "\t" if f"\\u{ord(c):04x}" not in _TSV_UNESCAPES}
)
_TSV_UNESCAPE_RE = re.compile(
    r"\\[\\tnr]|\\u(?i:" + "|".join(e[2:] for e in _TSV_UNESCAPES if e[1] == "u") + ")"
)
_LINE_BREAK_RE = re.compile(f"[{re.escape(_LINE_BREAKS)}]")

# Cells a spreadsheet would not keep as the text they are, written with a
# leading backslash (which tsv_unescape drops):
#
# * formulas: ``=``, and ``+ - @`` for Excel, also after spaces (the
#   CSV-injection class, OWASP "CSV Injection");
# * a leading quote: Calc reads it as a quoted field and drops the quotes;
# * values: LibreOffice's number recognition (ImpSvNumberInputScan in
#   svl/source/numbers/zforfind.cxx, used by the CSV import with "detect
#   special numbers") and Excel's text import read a cell made only of
#   digits, separators ``. , ' / : -``, spaces, signs, ``( )`` (accounting
#   negatives: ``(1)`` becomes -1), ``%``, an exponent ``e``, currency
#   symbols, month names (English and French, abbreviated or not) and AM/PM
#   as a number, percentage, currency, date, time or fraction; and the
#   boolean words (TRUE/FALSE and their translations in the UI languages) as
#   a boolean. Measured with ``soffice --infilter=CSV:9,34,76,1``: ``(1)`` ->
#   ``-1``, ``true`` -> ``TRUE``, ``$5`` -> ``$5.00``, ``1/2`` -> ``01/02/26``,
#   ``12:30`` -> ``12:30:00 PM``, ``5-`` -> ``-5``, ``Mar 12`` -> ``03/12/26``
#   (tests/test_review_import.py runs a table of such cells through
#   LibreOffice). The rule is wider than any one locale's recognition
#   (``3,5``, ``5 €`` and ``1 000`` are numbers in a French one): a cell of
#   that shape costs only a backslash.
#
# No pattern matches a text that starts with a backslash or with ``u``, so a
# leading backslash followed by a cell of one of these kinds is always the
# guard, never an escape (tsv_escape makes sure of that).
_CURRENCY = "$€£¥¢₹₽₩₺₪₫฿₴₦₱¤"
_MONTHS = (
    "january|february|march|april|june|july|august|september|october|november|december"
    "|janvier|février|fevrier|avril|juillet|août|aout|septembre|octobre|novembre|décembre"
    "|decembre|janv|févr|fevr|juil|sept|jan|feb|fév|fev|mar|mars|apr|avr|may|mai|jun|juin"
    "|jul|aug|aoû|sep|oct|nov|dec|déc"
)
_BOOLEANS = "true|false|vrai|faux|wahr|falsch|verdadero|falso|vero|waar|onwaar"
_VALUE_PATTERN = (
    rf"(?=\D*\d)(?:[\s\d.,'’/:()%‰+\-−e{re.escape(_CURRENCY)}]"
    rf"|(?:{_MONTHS}|am|pm|a|p)\.?(?![^\W\d_]))+$"
    rf"|\s*(?:{_BOOLEANS})\s*$"
)
_SPREADSHEET_VALUE_RE = re.compile(_VALUE_PATTERN, re.IGNORECASE)
_SPREADSHEET_GUARD_RE = re.compile(r'\s*[=+\-@]|"|' + _VALUE_PATTERN, re.IGNORECASE)
# A tab, LF or CR opening a cell is written as \u0009, \u000a, \u000d when
# its short escape would make the cell read as guarded (\true, \nov 12).
_FIRST_ESCAPE = {"\\t": "\\u0009", "\\n": "\\u000a", "\\r": "\\u000d"}

TSV_COLUMNS = ("doc", "paragraph", "sentence", "source", "target", "flags", "score", "check")


def tsv_escape(text: str) -> str:
    """Escape a text cell: one line, no tab, and kept as text by spreadsheets.

    Backslash, tab and line breaks become backslash escapes, so a row stays
    one line of cells. A cell that a spreadsheet would run as a formula, strip
    of its quotes or read as a value (number, percentage, currency, date,
    time, fraction, boolean) gets a leading backslash (``\\=1+1``,
    ``\\"Oui"``, ``\\2024``, ``\\(1)``, ``\\true``), so opening the TSV never
    runs a formula and saving it gives the text back.
    """
    escaped = _TSV_ESCAPE_RE.sub(lambda m: _TSV_ESCAPES[m.group()], text)
    if _SPREADSHEET_GUARD_RE.match(escaped):
        return "\\" + escaped
    if escaped[:2] in _FIRST_ESCAPE and _SPREADSHEET_GUARD_RE.match(escaped[1:]):
        return _FIRST_ESCAPE[escaped[:2]] + escaped[2:]
    return escaped


def tsv_unescape(cell: str) -> str:
    """Invert :func:`tsv_escape`, undoing only the escapes it writes.

    The rule: a leading backslash before a cell a spreadsheet would change
    (see :func:`tsv_escape`) is the guard and is dropped; then ``\\\\``,
    ``\\t``, ``\\n``, ``\\r`` and the ``\\uXXXX`` of a line break or tab stand
    for that character. Any other backslash is text and stays as written, so
    a reviewer's ``C:\\dossier`` or ``a \\ b`` imports as typed. Ambiguity: a
    typed backslash before ``t``, ``n``, ``r`` or another backslash reads as
    an escape (``C:\\new`` is ``C:`` and a line break, then ``ew``); write
    ``\\\\`` for a backslash there.
    """
    if cell.startswith("\\") and _SPREADSHEET_GUARD_RE.match(cell, 1):
        cell = cell[1:]
    return _TSV_UNESCAPE_RE.sub(lambda m: _TSV_UNESCAPES[m.group().lower()], cell)


def spreadsheet_value(cell: str) -> bool:
    """Whether a cell, as found in a file, is one a spreadsheet reads as a value.

    Such a cell without the guard backslash may be what a spreadsheet wrote
    for another text (``(1)`` saved as ``-1``, ``1/2`` as ``01/02/26``).
    """
    return bool(_SPREADSHEET_VALUE_RE.match(cell))


_JSON_LINE_BREAKS = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_JSON_LINE_BREAK_RE = re.compile("[\x85\u2028\u2029]")


def json_line(record: dict[str, Any]) -> str:
    """One JSON object on one line, safe for every line-splitting reader.

    ``ensure_ascii=False`` keeps French readable, but would leave U+0085,
    U+2028 and U+2029 raw, which ``str.splitlines`` and some JSON-lines
    readers treat as line ends; those three are escaped.
    """
    text = json.dumps(record, ensure_ascii=False)
    return _JSON_LINE_BREAK_RE.sub(lambda m: _JSON_LINE_BREAKS[m.group()], text) + "\n"


def one_line(text: str) -> str:
    """Replace line breaks with spaces, for formats with one segment per line."""
    return _LINE_BREAK_RE.sub(" ", text)


def pair_record(doc: str, pair: AlignedPair) -> dict[str, object]:
    """The JSON-ready form of a pair; paragraph and sentence numbers start at 1.

    A pair of a structured document also has ``alignment``: its word
    alignment in Pharaoh format (``"0-0 1-2 2-1"``: source word ``i`` is
    aligned with target word ``j``, words counted by whitespace from 0), as
    fast_align and Moses write it.

    A pair whose source holds glossary terms also has ``terms``, in source
    order: ``[{"source": "centrale nucléaire", "target": "nuclear power
    plant", "status": "missing", "note": "..."}]`` (``status`` a
    :class:`~translate_cli.vocabulary.TermStatus`; ``note`` only when the
    glossary has one). Without a glossary no record has it, so such outputs
    are as they were before glossaries.
    """
    record: dict[str, object] = {
        "doc": doc,
        "paragraph": pair.paragraph_number,
        "sentence": pair.sentence_number,
        "source": pair.source,
        "target": pair.target,
        "flags": list(pair.flags),
        "score": None if pair.score is None else round(pair.score, 4),
    }
    if pair.alignment is not None:
        record["alignment"] = pharaoh(pair.alignment)
    if pair.terms:
        record["terms"] = [_term_record(term) for term in pair.terms]
    return record


def _term_record(term: TermUse) -> dict[str, str]:
    record = {"source": term.source, "target": term.target, "status": str(term.status)}
    if term.note:
        record["note"] = term.note
    return record


def terms_from_records(records: object) -> tuple[TermUse, ...]:
    """Invert the ``terms`` of :func:`pair_record`.

    Args:
        records: The record's ``terms`` value: a list of objects with string
            ``source``, ``target`` and ``status`` (a :class:`TermStatus`
            value), and optionally a string ``note``.

    Returns:
        The terms, in the order given.

    Raises:
        ValueError: ``records`` is not such a list (a damaged file).
    """
    if not isinstance(records, list):
        raise ValueError("terms: not a list")
    terms = []
    for record in records:
        fields = record if isinstance(record, dict) else {}
        source, target, status = fields.get("source"), fields.get("target"), fields.get("status")
        note = fields.get("note", "")
        if not (
            isinstance(source, str)
            and isinstance(target, str)
            and isinstance(status, str)
            and isinstance(note, str)
        ):
            raise ValueError(f"terms: not a term record: {record!r}")
        terms.append(TermUse(source, target, TermStatus(status), note))
    return tuple(terms)


def pharaoh(alignment: Iterable[tuple[int, int]]) -> str:
    """Word alignment pairs in Pharaoh format: ``[(0, 0), (1, 2)]`` gives ``"0-0 1-2"``."""
    return " ".join(f"{i}-{j}" for i, j in alignment)


def from_pharaoh(text: str) -> tuple[tuple[int, int], ...]:
    """Invert :func:`pharaoh`.

    Raises:
        ValueError: A link is not two numbers joined by ``-``.
    """
    links = []
    for link in text.split():
        i, j = link.split("-")
        links.append((int(i), int(j)))
    return tuple(links)


@register
class DocumentWriter(Writer):
    """The English document, in the input's format, paragraphs in the places they had.

    A structured document (Markdown, HTML, Word, subtitles) is written by its
    layout (:meth:`~translate_cli.document.Result.rendered`), as bytes, to
    the stream's binary buffer; plain text as its paragraphs.
    """

    name = "txt"
    suffixes = (".en{ext}",)
    description = "English document in the input's format, structure kept"

    def write(self, results: Iterable[Result], *streams: TextIO) -> None:
        for number, result in enumerate(results):
            if result.document.layout is not None:
                _write_bytes(streams[0], result.rendered())
                continue
            if number:
                streams[0].write("\n")
            paragraphs = result.paragraph_targets()
            if paragraphs:
                streams[0].write(result.document.separator.join(paragraphs) + "\n")


def _write_bytes(stream: TextIO, data: bytes) -> None:
    """Write bytes to a text stream: to its binary buffer, or decoded when it has none."""
    buffer = getattr(stream, "buffer", None)
    if buffer is None:  # io.StringIO in tests: text formats only
        stream.write(data.decode("utf-8"))
        return
    stream.flush()
    buffer.write(data)


# Columns that hold numbers by design: a spreadsheet may read them as numbers.
_NUMBER_COLUMNS = frozenset({"paragraph", "sentence", "score"})


def _tsv_cell(column: str, value: object) -> str:
    return str(value) if column in _NUMBER_COLUMNS else tsv_escape(str(value))


@register
class TSVWriter(Writer):
    """Sentence-aligned table with a header row; cells escaped with backslashes."""

    name = "tsv"
    suffixes = (".fr-en.tsv",)
    description = "sentence-aligned table for review (source, target, flags, score, ...)"

    def write(self, results: Iterable[Result], *streams: TextIO) -> None:
        out = streams[0]
        out.write("\t".join(TSV_COLUMNS) + "\n")
        for result in results:
            for pair in result.pairs:
                rec = pair_record(result.document.name, pair)
                rec["flags"] = ",".join(pair.flags)
                rec["score"] = "" if rec["score"] is None else f"{rec['score']:.4f}"
                rec["check"] = row_check(
                    result.document.name,
                    pair.paragraph_number,
                    pair.sentence_number,
                    pair.source,
                    pair.target,
                )
                out.write("\t".join(_tsv_cell(c, rec[c]) for c in TSV_COLUMNS) + "\n")


@register
class JSONLWriter(Writer):
    """Per document, a ``{"type": "meta"}`` record then one ``{"type": "pair"}`` per pair."""

    name = "jsonl"
    suffixes = (".fr-en.jsonl",)
    description = "one JSON object per pair, after a metadata record"

    def write(self, results: Iterable[Result], *streams: TextIO) -> None:
        out = streams[0]
        for result in results:
            out.write(json_line({"type": "meta", **meta_record(result)}))
            for pair in result.pairs:
                out.write(json_line({"type": "pair", **pair_record(result.document.name, pair)}))


@register
class MosesWriter(Writer):
    """Line-aligned parallel files: line *n* of ``.fr`` is translated by line *n* of ``.en``."""

    name = "moses"
    suffixes = (".fr-en.fr", ".fr-en.en")
    description = "Moses parallel files, one sentence per line"

    def write(self, results: Iterable[Result], *streams: TextIO) -> None:
        source, target = streams
        for result in results:
            for pair in result.pairs:
                source.write(one_line(pair.source) + "\n")
                target.write(one_line(pair.target) + "\n")


def read_jsonl(path: Path) -> Iterator[Result]:
    """Read a JSONL output back into Results, one per meta record.

    The paragraph texts are not stored in JSONL, so the documents come back
    with empty paragraphs; pairs (their glossary terms included), metadata
    and names are complete.

    Raises:
        ValueError: A pair's alignment or terms are damaged.
    """
    meta_fields = set(RunMeta.__dataclass_fields__)
    current: tuple[Document, RunMeta] | None = None
    pairs: list[AlignedPair] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if rec.get("type") == "meta":
                if current is not None:
                    yield Result(current[0], tuple(pairs), current[1])
                meta = RunMeta(**{k: v for k, v in rec.items() if k in meta_fields})
                doc = Document(
                    rec["document"],
                    ("",) * int(rec.get("paragraphs", 0)),
                    encoding=rec.get("encoding", ""),
                    sha256=rec.get("source_sha256", ""),
                )
                current, pairs = (doc, meta), []
            elif rec.get("type") == "pair":
                pair = AlignedPair.numbered(
                    rec["paragraph"],
                    rec["sentence"],
                    rec["source"],
                    rec["target"],
                    tuple(rec.get("flags", ())),
                    rec.get("score"),
                    from_pharaoh(rec["alignment"]) if "alignment" in rec else None,
                )
                if "terms" in rec:
                    pair = replace(pair, terms=terms_from_records(rec["terms"]))
                pairs.append(pair)
    if current is not None:
        yield Result(current[0], tuple(pairs), current[1])
