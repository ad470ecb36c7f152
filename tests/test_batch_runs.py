"""Folder runs: walking, mirrored outputs, resume, failure isolation, kill and rerun."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path, PurePath

from lxml import etree
from typer.testing import CliRunner

from translate_cli.cli import app
from translate_cli.config import Settings
from translate_cli.inputs import Job, collect_jobs
from translate_cli.progress import LogProgress
from translate_cli.provenance import RunPlan
from translate_cli.runner import Runner

from .conftest import slow_corpus_command
from .fakes import FakeEngine

runner = CliRunner()


def make_tree(root: Path) -> Path:
    """A nested corpus: two article.txt in different folders, hidden files, a bad file."""
    (root / "a").mkdir(parents=True)
    (root / "b" / "deep").mkdir(parents=True)
    (root / ".hidden").mkdir()
    (root / "a" / "article.txt").write_text("Le maire est venu. Il a parlé.\n")
    (root / "b" / "article.txt").write_text("La ministre est partie. Elle reviendra.\n")
    (root / "b" / "deep" / "notes.md").write_text("Une note. Une autre note.\n")
    (root / "b" / "deep" / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00")
    (root / "b" / "broken.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (root / ".hidden" / "secret.txt").write_text("Caché.\n")
    (root / ".dot.txt").write_text("Caché aussi.\n")
    return root


def test_walk_mirrors_relative_paths_and_skips_hidden_and_output(tmp_path):
    corpus = make_tree(tmp_path / "corpus")
    out = corpus / "out"  # the output folder sits inside the input folder
    (out / "old").mkdir(parents=True)
    (out / "old" / "x.en.txt").write_text("An earlier output.\n")
    jobs = collect_jobs([str(corpus)], ("*.txt", "*.md"), out)
    assert [str(j.relative) for j in jobs] == [
        "a/article.txt",
        "b/article.txt",
        "b/broken.txt",
        "b/deep/notes.md",
    ]


def test_same_file_name_given_twice_gets_distinct_outputs(tmp_path):
    corpus = make_tree(tmp_path / "c")
    jobs = collect_jobs(
        [str(corpus / "a" / "article.txt"), str(corpus / "b" / "article.txt")], ("*.txt",)
    )
    assert len({j.relative for j in jobs}) == 2


def test_nested_tree_with_a_bad_file(tmp_path, tiny_model):
    corpus = make_tree(tmp_path / "corpus")
    out = tmp_path / "out"
    args = [str(corpus), "-o", str(out), "--model", str(tiny_model), "-f", "tsv,txt"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert f"{corpus / 'b' / 'broken.txt'}: not a text file" in result.stderr
    assert "files: 3 translated, 0 skipped (up to date), 1 failed" in result.stderr
    assert "sentences: 6 (6 unique, 0 from memory, 6 sent to the engine)" in result.stderr
    assert (out / "a" / "article.fr-en.tsv").is_file()
    assert (out / "b" / "article.fr-en.tsv").is_file()
    assert (out / "b" / "deep" / "notes.en.md").is_file()
    assert not (out / "b" / "broken.fr-en.tsv").exists()
    assert not list(out.rglob("*secret*"))


def test_rerun_skips_up_to_date_files_without_loading_the_model(tmp_path):
    corpus = make_tree(tmp_path / "corpus")
    (corpus / "b" / "broken.txt").unlink()
    settings = Settings(output_dir=str(tmp_path / "out"), formats=("tsv", "jsonl"))
    jobs = collect_jobs([str(corpus)], settings.globs, Path(settings.output_dir))
    loads: list[FakeEngine] = []

    def load() -> FakeEngine:
        loads.append(FakeEngine())
        return loads[-1]

    k1, k2 = RunPlan("m", "rev1", "fake", 1), RunPlan("m", "rev2", "fake", 1)
    first = Runner(settings, load, k1).run(jobs)
    assert [o.status for o in first.outcomes] == ["translated"] * 3
    second = Runner(settings, load, k1).run(jobs)
    assert [o.status for o in second.outcomes] == ["skipped"] * 3
    assert len(loads) == 1  # the rerun never loaded the engine

    # A changed source, or changed settings, make the file stale again.
    (corpus / "a" / "article.txt").write_text("Le maire est revenu.\n")
    third = Runner(settings, load, k1).run(jobs)
    assert [o.status for o in third.outcomes] == ["translated", "skipped", "skipped"]
    fourth = Runner(settings, load, k2).run(jobs)
    assert [o.status for o in fourth.outcomes] == ["translated"] * 3
    forced = Runner(settings, load, k2, resume=False).run(jobs)
    assert [o.status for o in forced.outcomes] == ["translated"] * 3

    # A deleted output makes its input stale.
    (tmp_path / "out" / "b" / "article.fr-en.tsv").unlink()
    fifth = Runner(settings, load, k2).run(jobs)
    assert [o.status for o in fifth.outcomes] == ["skipped", "translated", "skipped"]


def test_short_files_share_batches(tmp_path):
    files = []
    for i in range(6):
        path = tmp_path / f"f{i}.txt"
        path.write_text(f"Phrase {i} du fichier. Autre phrase {i}.\n")
        files.append(path)
    engine = FakeEngine()
    settings = Settings(output_dir=str(tmp_path / "out"), formats=("tsv",), batch_tokens=4096)
    jobs = [Job(str(p), PurePath(p.name), p) for p in files]
    report = Runner(settings, lambda: engine).run(jobs)
    assert report.count("translated") == 6
    assert len(engine.batches) == 1 and len(engine.batches[0]) == 12


def test_window_writes_files_before_the_run_ends(tmp_path):
    files = []
    for i in range(4):
        path = tmp_path / f"f{i}.txt"
        path.write_text(" ".join(f"Phrase {i} numéro {k}." for k in range(10)) + "\n")
        files.append(path)
    out = tmp_path / "out"
    seen: list[int] = []

    class Watching(FakeEngine):
        def translate_batch(self, texts):
            seen.append(len(list(out.glob("*.tsv"))))
            return super().translate_batch(texts)

    settings = Settings(output_dir=str(out), formats=("tsv",), batch_tokens=4096)
    jobs = [Job(str(p), PurePath(p.name), p) for p in files]
    Runner(settings, Watching, window=10).run(jobs)
    assert seen == [0, 1, 2, 3]


def test_combined_tsv_and_tmx_cover_the_run_in_order(tmp_path, tiny_model, tmx_dtd):
    corpus = make_tree(tmp_path / "corpus")
    (corpus / "b" / "broken.txt").unlink()
    out = tmp_path / "out"
    args = [str(corpus), "-o", str(out), "--model", str(tiny_model), "--combined", "all"]
    assert runner.invoke(app, args).exit_code == 0
    rows = (out / "all.fr-en.tsv").read_text().splitlines()
    docs = [r.split("\t")[0] for r in rows[1:]]
    assert docs == sorted(
        docs,
        key=lambda d: ["a/", "b/article", "b/deep"].index(
            next(k for k in ["a/", "b/article", "b/deep"] if k in d)
        ),
    )
    assert len(rows) == 7
    tmx = etree.parse(str(out / "all.fr-en.tmx"))
    assert etree.DTD(str(tmx_dtd)).validate(tmx)
    assert len(tmx.findall("body/tu")) == 6
    page = (out / "all.review.html").read_text()
    assert page.count('<tr class="pair') == 6
    assert page.index("a/article.txt") < page.index("b/deep/notes.md")
    # A rerun skips every file but still writes the combined files in full.
    (out / "all.fr-en.tsv").unlink()
    again = runner.invoke(app, args)
    assert "0 translated, 3 skipped" in again.stderr
    assert len((out / "all.fr-en.tsv").read_text().splitlines()) == 7


def test_log_progress_when_not_a_terminal():
    import io

    stream = io.StringIO()
    progress = LogProgress(stream, every=0.0)
    progress.start(2, 100)
    progress.add_sentences(5, 50)
    progress.advance(5)
    progress.file_done()
    progress.close()
    lines = stream.getvalue().splitlines()
    assert lines[-1].startswith("progress: files 1/2, sentences 5/10")
    assert "\x1b" not in stream.getvalue()


def test_progress_total_leaves_out_skipped_and_unreadable_inputs():
    import io

    stream = io.StringIO()
    progress = LogProgress(stream, every=0.0)
    progress.start(3, 300)
    progress.leave_out(100)  # up to date
    progress.add_sentences(5, 50)
    progress.leave_out(150)  # unreadable
    progress.advance(5)
    for _ in range(3):
        progress.file_done()
    progress.close()
    assert stream.getvalue().splitlines()[-1].startswith("progress: files 3/3, sentences 5/5")


def test_quiet_prints_nothing_but_errors(tmp_path, tiny_model):
    corpus = make_tree(tmp_path / "corpus")
    args = [str(corpus), "-o", str(tmp_path / "o"), "--model", str(tiny_model), "-q", "-f", "tsv"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"translate: error: {corpus / 'b' / 'broken.txt'}: not a text file (binary content)"
    ]


def _outputs(folder: Path) -> dict[str, str]:
    """Output contents, with the run's date and timings left out."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.name.startswith("."):
            continue
        text = path.read_text()
        if path.suffix == ".jsonl":
            text = "\n".join(
                line for line in text.splitlines() if json.loads(line)["type"] == "pair"
            )
        elif path.suffix in (".tmx", ".json", ".xlf", ".html"):
            continue  # these record the run's date
        out[str(path.relative_to(folder))] = text
    return out


def test_kill_mid_run_then_rerun_completes_everything(tmp_path, tiny_model):
    base = slow_corpus_command(tmp_path, tiny_model, files=10)
    reference = tmp_path / "reference"
    subprocess.run([*base, "-o", str(reference)], check=True, timeout=300)

    out = tmp_path / "out"
    proc = subprocess.Popen([*base, "-o", str(out)])
    deadline = time.monotonic() + 120
    while not list(out.rglob("*.meta.json")) and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    written = len(list(out.rglob("*.meta.json")))
    assert 0 < written < 10, "the kill must land mid-run"
    # Whatever exists under a final name is complete: every TMX parses.
    for tmx in out.rglob("*.tmx"):
        etree.parse(str(tmx))

    rerun = subprocess.run([*base, "-o", str(out)], capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert _outputs(out) == _outputs(reference)
    assert not list(out.rglob(".*.part")), "the rerun clears the killed run's temporary files"
    for tmx in out.rglob("*.tmx"):
        etree.parse(str(tmx))
