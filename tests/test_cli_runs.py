"""The command line explains its runs: dry runs, standard output, the summary, progress."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys

from typer.testing import CliRunner

from translate_cli.cli import app
from translate_cli.progress import CONVERTING, LOADING, TRANSLATING, LogProgress, RichProgress

from .conftest import ROOT, SEED

runner = CliRunner()
NO_MODEL = "./no-such-model"


def _run(*args: str, env: dict[str, str] | None = None, stdin: str | None = None):
    return runner.invoke(app, [*args], input=stdin, env={"TRANSLATE_TM": "off", **(env or {})})


# --- summary ----------------------------------------------------------------


def test_summary_says_where_outputs_went_then_nothing_to_do(tmp_path, copy_model):
    out = tmp_path / "out"
    args = (str(SEED), "-m", str(copy_model), "-o", str(out), "-f", "tsv", "--combined", "rev")
    first = _run(*args)
    assert first.exit_code == 0, first.output
    last = first.stderr.strip().splitlines()[-1]
    assert (
        last == f"outputs: {out}{os.sep} (combined: rev.fr-en.tsv, rev.fr-en.tmx, rev.review.html)"
    )
    second = _run(*args)
    assert second.exit_code == 0, second.output
    assert second.stderr.splitlines() == [
        "files: 0 translated, 1 skipped (up to date), 0 failed",
        "nothing to do: 1 file up to date (--force to redo)",
        last,
    ]
    quiet = _run(*args, "-q")
    assert quiet.stderr == "" and quiet.stdout == ""


def test_format_names_any_case_and_xlf_on_the_command_line(tmp_path, copy_model):
    out = tmp_path / "out"
    result = _run(str(SEED), "-m", str(copy_model), "-o", str(out), "-f", "TSV,Xlf", "-q")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "deconfliction.fr-en.tsv",
        "deconfliction.fr-en.xlf",
        "deconfliction.meta.json",
    ]


# --- progress ---------------------------------------------------------------


def test_progress_in_a_pipe_has_no_control_sequence(tmp_path, copy_model):
    result = _run(str(SEED), "-m", str(copy_model), "-o", str(tmp_path), "-f", "tsv")
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stderr and "\r" not in result.stderr
    assert any(line.startswith("progress: files 1/1") for line in result.stderr.splitlines())


def test_log_progress_names_slow_phases_and_the_current_file():
    stream = io.StringIO()
    progress = LogProgress(stream, every=0.0)
    progress.start(2, 100)
    progress.current("corpus/a.txt")
    progress.phase(CONVERTING)
    progress.phase(TRANSLATING)
    progress.add_sentences(5, 50)
    progress.advance(2)
    lines = stream.getvalue().splitlines()
    assert lines[0] == f"progress: {CONVERTING}: done in 0 s"
    assert lines[-1].startswith("progress: files 0/2, sentences 2/10")
    assert lines[-1].endswith(", file corpus/a.txt")
    assert lines[-1].count("ETA") == 1
    quick = io.StringIO()
    progress = LogProgress(quick, every=5.0)  # a phase shorter than that is not logged
    progress.phase(LOADING)
    progress.phase(TRANSLATING)
    assert quick.getvalue() == ""


def test_terminal_display_shows_phase_file_and_one_eta():
    from rich.console import Console

    progress = RichProgress()
    progress.files_total = 2
    progress._bar.update(progress._files, total=2)
    progress.current("corpus/a.txt")
    progress.phase(CONVERTING)
    progress.add_sentences(10, 50)
    progress.phase(TRANSLATING)
    progress.started -= 2  # two seconds of translating
    progress.advance(4)
    buffer = io.StringIO()
    Console(file=buffer, width=160, color_system=None).print(
        progress._bar.make_tasks_table(progress._bar.tasks)
    )
    sentences, files = buffer.getvalue().splitlines()[:2]
    assert sentences.startswith(TRANSLATING) and "4/" in sentences and "sentences/s" in sentences
    assert files.startswith("files") and "0/2" in files and "corpus/a.txt" in files
    assert buffer.getvalue().count("ETA") == 1 and "ETA" in sentences
    progress.close()


# --- dry run ----------------------------------------------------------------


def test_dry_run_with_a_missing_model_loads_nothing_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    code = (
        "import sys; from translate_cli.cli import app\n"
        "try:\n"
        f"    app([{str(SEED)!r}, '--model', {NO_MODEL!r}, '-o', {str(out)!r}, '--dry-run'])\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        "heavy = ('torch', 'transformers', 'ctranslate2', 'ray', 'openpyxl')\n"
        "print('HEAVY', [m for m in heavy if m in sys.modules], 'CODE', code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, check=True
    )
    assert "HEAVY [] CODE 0" in result.stdout, result.stdout + result.stderr
    assert f"translate  {SEED}" in result.stdout
    assert "no model loaded" in result.stdout
    assert f"{NO_MODEL}: model directory not found" in result.stdout  # why it cannot tell
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_dry_run_lists_translate_skip_and_refuse_with_reasons(tmp_path, copy_model):
    out = tmp_path / "out"
    done = _run(str(SEED), "-m", str(copy_model), "-o", str(out), "-f", "tsv", "-q")
    assert done.exit_code == 0, done.output
    new = tmp_path / "nouveau.txt"
    new.write_text("Bonjour. Au revoir.\n")
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\x00\x01\x02")
    clash = tmp_path / "clash.txt"
    clash.write_text("Un texte.\n")
    (out / "clash.fr-en.tsv").mkdir()
    before = sorted(p.name for p in out.iterdir())
    paths = [str(SEED), str(new), str(binary), str(clash)]
    result = _run(*paths, "-m", str(copy_model), "-o", str(out), "-f", "tsv", "--dry-run")
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines() == [
        f"skip       {SEED} (up to date)",
        f"translate  {new}",
        f"refuse     {binary}: not a text file (binary content)",
        f"refuse     {clash}: output clash: {out / 'clash.fr-en.tsv'} is a folder",
        f"dry run: 1 to translate, 1 up to date, 2 refused; outputs in {out}{os.sep} "
        "(nothing written, no model loaded)",
    ]
    assert sorted(p.name for p in out.iterdir()) == before
    forced = _run(str(SEED), "-m", str(copy_model), "-o", str(out), "-f", "tsv", "--dry-run",
                  "--force", "--combined", "all-in-one")  # fmt: skip
    assert forced.exit_code == 0, forced.output
    assert forced.stdout.splitlines()[0] == f"translate  {SEED}"
    assert "combined: all-in-one.fr-en.tsv, all-in-one.fr-en.tmx, all-in-one.review.html" in (
        forced.stdout
    )
    quiet = _run(*paths, "-m", str(copy_model), "-o", str(out), "-f", "tsv", "--dry-run", "-q")
    assert [line.split()[0] for line in quiet.stdout.splitlines()] == ["refuse", "refuse"]


def test_dry_run_reports_run_level_problems_like_a_run(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = _run(str(SEED), "-m", NO_MODEL, "-o", str(blocker), "--dry-run")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"translate: error: {blocker}: cannot be the output folder: a file is in its place"
    )


# --- standard output --------------------------------------------------------


def test_output_dash_writes_the_english_document_of_one_file(tmp_path, copy_model):
    written = _run(str(SEED), "-m", str(copy_model), "-o", str(tmp_path), "-f", "txt", "-q")
    assert written.exit_code == 0, written.output
    result = _run(str(SEED), "-m", str(copy_model), "-o", "-")
    assert result.exit_code == 0, result.output
    assert result.stdout == (tmp_path / "deconfliction.en.txt").read_text(encoding="utf-8")
    assert result.stderr == ""
    markdown = ROOT / "tests" / "fixtures" / "documents" / "blog-post.fr.md"
    md = _run(str(markdown), "-m", str(copy_model), "-o", "-", "-f", "tsv", "--combined", "x")
    assert md.exit_code == 0, md.output
    # The Markdown document, structure kept: front matter, headings.
    assert md.stdout.startswith("---\ntitle:")
    assert any(line.startswith("# ") for line in md.stdout.splitlines())
    assert md.stderr.splitlines() == [
        "translate: warning: --format is ignored when the English goes to standard output",
        "translate: warning: --combined is ignored when the English goes to standard output",
    ]


def test_output_dash_is_refused_for_several_inputs_or_a_folder(tmp_path):
    cases = [
        ([str(SEED), str(SEED)], "not several inputs"),
        ([str(tmp_path)], "not a folder"),
        (["-", str(SEED)], "not several inputs"),
    ]
    for paths, message in cases:
        result = _run(*paths, "-m", NO_MODEL, "-o", "-")
        assert result.exit_code == 2, result.output
        assert result.stderr.strip() == (
            f"translate: error: -o - writes one input's English to standard output, {message}"
        )
        assert result.stdout == ""


def test_stdin_warns_about_each_ignored_option(copy_model, tmp_path):
    result = _run(
        "-", "-m", str(copy_model), "-f", "tsv", "-o", str(tmp_path), "--glob", "*.md",
        "--force", "--no-tm",
        env={"TRANSLATE_FORMAT": "tmx"},  # from the environment: not a warning
        stdin="Bonjour.\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.strip()
    # --no-tm is used: the memory applies to standard output as to a run.
    ignored = ["--format", "--glob", "--force", "--output-dir"]
    assert result.stderr.splitlines() == [
        f"translate: warning: {option} is ignored when the English goes to standard output"
        for option in ignored
    ]
    assert list(tmp_path.iterdir()) == []


def test_stdin_on_a_terminal_says_it_is_reading(copy_model, tmp_path):
    leader, follower = pty.openpty()
    env = {**os.environ, "TRANSLATE_TM": "off"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "translate_cli", "-", "-m", str(copy_model)],
        stdin=follower,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=tmp_path,
    )
    os.close(follower)
    os.write(leader, b"Bonjour.\n\x04")  # a line, then Ctrl-D on an empty line
    out, err = proc.communicate(timeout=120)
    os.close(leader)
    assert proc.returncode == 0, err
    assert err.decode().splitlines()[0] == (
        "translate: reading French from standard input; end with Ctrl-D"
    )
    assert out.decode().strip()


def test_stdin_from_a_pipe_says_nothing(copy_model):
    result = _run("-", "-m", str(copy_model), stdin="Bonjour.\nAu revoir.\n")
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 2
    assert result.stderr == ""


def test_dry_run_to_standard_output_reads_nothing_from_stdin(tmp_path):
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\x00\x01\x02")
    piped = _run("-", "-m", NO_MODEL, "--dry-run", stdin="Bonjour.\n")
    assert piped.exit_code == 0, piped.output
    assert piped.stdout.splitlines()[0] == "translate  standard input (to standard output)"
    one = _run(str(SEED), "-m", NO_MODEL, "-o", "-", "--dry-run")
    assert one.exit_code == 0, one.output
    assert one.stdout.splitlines()[0] == f"translate  {SEED} (to standard output)"
    bad = _run(str(binary), "-m", NO_MODEL, "-o", "-", "--dry-run")
    assert bad.exit_code == 1
    assert bad.stdout == f"refuse     {binary}: not a text file (binary content)\n"


def test_dry_run_imports_nothing_and_a_missing_import_is_a_usage_error(tmp_path, copy_model):
    out, memory = tmp_path / "out", tmp_path / "tm.sqlite"
    done = _run(str(SEED), "-m", str(copy_model), "-o", str(out), "-f", "tsv", "--no-tm", "-q")
    assert done.exit_code == 0, done.output
    tsv = next(out.rglob("*.tsv"))
    dry = _run("--import-reviewed", str(tsv), "--dry-run", "--tm", str(memory))
    assert dry.exit_code == 0, dry.output
    assert f"dry run: would import {tsv} (nothing stored)" in dry.output
    assert not memory.exists()
    missing = _run("--import-reviewed", str(tmp_path / "nope.tsv"), "--tm", str(memory))
    assert missing.exit_code == 2
    assert "nope.tsv: no such file to import" in missing.output
    assert not memory.exists()


def test_output_dash_uses_the_reviewed_translations_of_the_memory(tmp_path, copy_model):
    """``-o -`` gives the same English as a run into a folder: reviewed targets win."""
    out, memory = tmp_path / "out", tmp_path / "tm.sqlite"
    text = tmp_path / "a.txt"
    text.write_text("Le chat dort. Il fait beau.\n", encoding="utf-8")
    common = ("-m", str(copy_model), "--tm", str(memory))
    assert _run(str(text), *common, "-o", str(out), "-f", "tsv", "-q").exit_code == 0
    tsv = out / "a.fr-en.tsv"
    lines = tsv.read_text(encoding="utf-8").splitlines()
    cells = lines[1].split("\t")
    cells[4] = "The cat is asleep."
    tsv.write_text("\n".join([lines[0], "\t".join(cells), *lines[2:]]) + "\n", encoding="utf-8")
    assert _run("--import-reviewed", str(tsv), *common[2:]).exit_code == 0
    piped = _run(str(text), *common, "-o", "-")
    assert piped.exit_code == 0, piped.output
    assert piped.stdout.startswith("The cat is asleep. Il fait beau.")
    assert "ignored" not in piped.output
