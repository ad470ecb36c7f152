"""Line-oriented formats: the English document, TSV, JSONL and Moses files."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from ..document import AlignedPair, Document, Result, RunMeta
from .base import Writer, meta_record, register, row_check

# Every character that some reader treats as a line break (str.splitlines
# splits on all of these), so escaping them keeps one pair per line.
_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_TSV_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
_TSV_ESCAPES.update({c: f"\\u{ord(c):04x}" for c in _LINE_BREAKS if c not in _TSV_ESCAPES})
_TSV_ESCAPE_RE = re.compile("|".join(re.escape(c) for c in _TSV_ESCAPES))
_TSV_UNESCAPE_RE = re.compile(r"\\(u[0-9a-fA-F]{4}|.)", re.DOTALL)
_TSV_UNESCAPES = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}
_LINE_BREAK_RE = re.compile(f"[{re.escape(_LINE_BREAKS)}]")
# Cells a spreadsheet would not keep as the text they are: formulas (``=``,
# and ``+ - @`` for Excel, also after spaces: the CSV-injection class), a
# leading quote (Calc reads it as a quoted field and drops the quotes), and
# numbers (``007`` comes back as ``7``, a check like ``0123e456...`` as
# ``1.8E+308``). Such a cell is written with a leading backslash, which
# tsv_unescape drops like any other backslash escape.
_SPREADSHEET_GUARD_RE = re.compile(r'\s*[=+\-@]|"|\s*[\d.,]*\d[\d.,]*(?:[eE][+-]?\d+)?%?\s*$')

TSV_COLUMNS = ("doc", "paragraph", "sentence", "source", "target", "flags", "score", "check")


def tsv_escape(text: str) -> str:
    """Escape a text cell: one line, no tab, and kept as text by spreadsheets.

    Backslash, tab and line breaks become backslash escapes, so a row stays
    one line of cells. A cell that a spreadsheet would run as a formula, strip
    of its quotes or turn into a number gets a leading backslash (``\\=1+1``,
    ``\\"Oui"``, ``\\2024``), so opening the TSV never runs a formula and
    saving it gives the text back.
    """
    escaped = _TSV_ESCAPE_RE.sub(lambda m: _TSV_ESCAPES[m.group()], text)
    if _SPREADSHEET_GUARD_RE.match(escaped):
        return "\\" + escaped
    return escaped


def tsv_unescape(cell: str) -> str:
    """Invert :func:`tsv_escape`: a backslash before any other character stands for it."""

    def one(m: re.Match[str]) -> str:
        code = m.group(1)
        if len(code) == 5:
            return chr(int(code[1:], 16))
        return _TSV_UNESCAPES.get(code, code)

    return _TSV_UNESCAPE_RE.sub(one, cell)


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
    """The JSON-ready form of a pair; paragraph and sentence numbers start at 1."""
    return {
        "doc": doc,
        "paragraph": pair.paragraph_number,
        "sentence": pair.sentence_number,
        "source": pair.source,
        "target": pair.target,
        "flags": list(pair.flags),
        "score": None if pair.score is None else round(pair.score, 4),
    }


@register
class DocumentWriter(Writer):
    """The English document, paragraphs in the places they had in the source."""

    name = "txt"
    suffixes = (".en{ext}",)
    description = "English document, paragraphs kept"

    def write(self, results: Iterable[Result], *streams: TextIO) -> None:
        for number, result in enumerate(results):
            if number:
                streams[0].write("\n")
            paragraphs = result.paragraph_targets()
            if paragraphs:
                streams[0].write(result.document.separator.join(paragraphs) + "\n")


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
    with empty paragraphs; pairs, metadata and names are complete.
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
                pairs.append(
                    AlignedPair.numbered(
                        rec["paragraph"],
                        rec["sentence"],
                        rec["source"],
                        rec["target"],
                        tuple(rec.get("flags", ())),
                        rec.get("score"),
                    )
                )
    if current is not None:
        yield Result(current[0], tuple(pairs), current[1])
