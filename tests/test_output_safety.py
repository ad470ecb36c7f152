"""Outputs never overwrite inputs, each other, or a reviewer's edits.

Real files and real CLI runs throughout; the engine is the fake one (its
translation is the upper-cased source) except in the end-to-end review loop,
which uses the committed copy model. ``loads`` counts engine loads, so a test
can show that a refusal came before any translation work.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from translate_cli.cli import app
from translate_cli.errors import OutputError
from translate_cli.fsutil import NAME_MAX
from translate_cli.inputs import collect_jobs
from translate_cli.outputs import write_combined_from_outputs

from .conftest import COPY_MODEL
from .fakes import FakeEngine

invoke = CliRunner().invoke


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[FakeEngine]:
    """Every engine the run loads; the fake engine stands in for the model."""
    loaded: list[FakeEngine] = []

    def load(settings, source=None):
        loaded.append(FakeEngine())
        return loaded[-1]

    monkeypatch.setattr("translate_cli.runner.load_engine", load)
    return loaded


def cli(*args: object, model: Path = COPY_MODEL):
    return invoke(
        app, [*map(str, args), "--model", str(model), "--engine", "transformers", "--no-tm"]
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- 1. The output folder is, holds or sits in the input folder -------------


@pytest.mark.parametrize("where", ["same", "inside", "around"])
def test_output_folder_in_out_or_around_the_input_folder(tmp_path, loads, where):
    corpus = tmp_path / "in"
    write(corpus / "rapport.txt", "Le maire est venu. Il a parlé.\n")
    own = write(corpus / "rapport.en.txt", "My own English version.\n")
    write(corpus / "sub" / "b.txt", "Une phrase.\n")
    out = {"same": corpus, "inside": corpus / "out", "around": tmp_path}[where]
    inputs = {p: p.read_bytes() for p in corpus.rglob("*.txt")}

    first = cli(corpus, "-o", out)
    assert first.exit_code == 0, first.stderr
    assert "files: 3 translated" in first.stderr
    assert all(p.read_bytes() == b for p, b in inputs.items())  # no input overwritten
    assert own.read_text() == "My own English version.\n"
    after_first = snapshot(tmp_path)

    second = cli(corpus, "-o", out)
    assert second.exit_code == 0, second.stderr
    assert "files: 0 translated, 3 skipped (up to date)" in second.stderr
    assert snapshot(tmp_path) == after_first  # settled: no x.en.en.txt, nothing new
    assert len(loads) == 1


def test_shell_glob_over_the_output_folder_skips_own_outputs(tmp_path, loads):
    """``translate in/*.txt -o in/`` run twice: the shell now lists outputs too."""
    folder = tmp_path / "in"
    write(folder / "a.txt", "Bonjour.\n")
    write(folder / "rapport.en.txt", "Mine.\n")
    assert cli(*sorted(folder.glob("*.txt")), "-o", folder).exit_code == 0
    listed = sorted(folder.glob("*.txt"))
    assert folder / "a.en.txt" in listed
    again = cli(*listed, "-o", folder)
    assert again.exit_code == 0, again.stderr
    assert "files: 0 translated, 2 skipped" in again.stderr
    # rapport.en.txt is the user's, so it is translated (rapport.en.en.txt);
    # outputs never are (no a.en.en.txt, no rapport.en.en.en.txt).
    assert not list(folder.glob("a.en.en.*")) and not list(folder.glob("*.en.en.en.*"))


def test_an_output_landing_on_an_input_takes_a_longer_name(tmp_path):
    folder = tmp_path / "in"
    write(folder / "rapport.txt", "Un.\n")
    write(folder / "rapport.en.txt", "Mine.\n")
    jobs = collect_jobs([str(folder)], ("*.txt",), folder)
    assert {j.relative.name: j.stem for j in jobs} == {
        "rapport.en.txt": "",  # its outputs (rapport.en.en.txt...) hit nothing
        "rapport.txt": "rapport.txt",  # rapport.en.txt is an input
    }
    # With another output folder nothing collides and names stay the usual ones.
    assert {j.stem for j in collect_jobs([str(folder)], ("*.txt",), tmp_path / "o")} == {""}


# --- 2. Inputs whose outputs would share names ----------------------------


def test_stems_that_collide_keep_their_extension_and_settle(tmp_path, loads):
    folder = tmp_path / "in"
    for name in ("note.txt", "note.md", "note.fr.txt", "other.fr.txt"):
        write(folder / name, f"Texte de {name}.\n")
    out = tmp_path / "out"
    result = cli(folder, "-o", out, "-f", "txt,tsv")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.glob("*.fr-en.tsv")) == [
        "note.fr.txt.fr-en.tsv",
        "note.md.fr-en.tsv",
        "note.txt.fr-en.tsv",
        "other.fr-en.tsv",  # no collision: the usual name
    ]
    # The file names in the texts are protected text: copied as written.
    assert (out / "note.md.en.md").read_text() == "TEXTE DE note.md.\n"
    assert (out / "note.txt.en.txt").read_text() == "TEXTE DE note.txt.\n"
    again = cli(folder, "-o", out, "-f", "txt,tsv")
    assert "files: 0 translated, 4 skipped" in again.stderr


def test_names_differing_only_by_case_get_a_hash_suffix(tmp_path, loads):
    """They would collide on case-insensitive file systems, at every level."""
    folder = tmp_path / "in"
    write(folder / "note.txt", "Un.\n")
    write(folder / "NOTE.txt", "Deux.\n")
    out = tmp_path / "out"
    assert cli(folder, "-o", out, "-f", "tsv").exit_code == 0
    names = sorted(p.name for p in out.glob("*.tsv"))
    assert len({n.casefold() for n in names}) == 2
    assert [n.split("~")[0] for n in names] == ["NOTE.txt", "note.txt"]
    assert "0 translated, 2 skipped" in cli(folder, "-o", out, "-f", "tsv").stderr


def test_names_do_not_depend_on_the_order_or_the_formats(tmp_path):
    folder = tmp_path / "in"
    files = [str(write(folder / n, "Un.\n")) for n in ("x.txt", "x.md", "y.txt")]
    one = {j.relative: j.stem for j in collect_jobs(files, ("*",), tmp_path / "o")}
    two = {j.relative: j.stem for j in collect_jobs(files[::-1], ("*",), tmp_path / "o")}
    assert one == two
    assert sorted(one.values()) == ["", "x.md", "x.txt"]


def test_same_name_in_two_folders_given_as_files(tmp_path, loads, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a" / "x.txt", "Un.\n")
    write(tmp_path / "b" / "x.txt", "Deux.\n")
    result = cli("a/x.txt", "b/x.txt", "-o", "out", "-f", "txt")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "out/a/x.en.txt").read_text() == "UN.\n"
    assert (tmp_path / "out/b/x.en.txt").read_text() == "DEUX.\n"


# --- 4. The same file reached twice -----------------------------------------


def test_the_same_file_reached_twice_is_translated_once(tmp_path, loads, monkeypatch):
    corpus = tmp_path / "corpus"
    write(corpus / "b" / "x.txt", "Une seule fois.\n")
    write(corpus / "c.txt", "Autre.\n")
    (tmp_path / "link").symlink_to(corpus, target_is_directory=True)
    (corpus / "alias.txt").symlink_to(corpus / "c.txt")
    monkeypatch.chdir(corpus / "b")
    paths = [
        "x.txt",
        "../b/x.txt",
        str(corpus / "b" / "x.txt"),
        str(corpus),
        str(tmp_path / "link"),
    ]
    jobs = collect_jobs(paths, ("*.txt",), tmp_path / "out")
    assert [j.name for j in jobs] == ["x.txt", str(corpus / "alias.txt")]
    result = cli(*paths, "-o", tmp_path / "out", "-f", "tsv")
    assert result.exit_code == 0, result.stderr
    assert "files: 2 translated" in result.stderr
    assert sum(len(b) for b in loads[0].batches) == 2


# --- 3. --combined must be a plain, free name -------------------------------


@pytest.mark.parametrize(
    "name",
    [
        *["", " ", ".", "..", "../up", "sub/all", "/tmp/abs", "a\\b", "x", "X", "sub"],
        *["new\nline", "tab\there", "M" * 250],
    ],
)
def test_bad_combined_names_are_refused_before_any_work(tmp_path, loads, name):
    corpus = tmp_path / "in"
    write(corpus / "x.txt", "Un.\n")
    write(corpus / "sub" / "y.txt", "Deux.\n")
    out = tmp_path / "out"
    (out / "sub").mkdir(parents=True)
    # An earlier run's per-file outputs for another input, sub.txt.
    (out / "sub.meta.json").write_text(json.dumps({"outputs": [], "source_sha256": "0"}))
    before = snapshot(tmp_path)
    result = cli(corpus, "-o", out, "--combined", name)
    assert result.exit_code == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "--combined" in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(tmp_path) == before and loads == []


def test_a_free_combined_name_works_and_its_files_are_not_inputs_next_time(tmp_path, loads):
    folder = tmp_path / "in"
    write(folder / "x.txt", "Un.\n")
    assert cli(folder, "-o", folder, "--combined", "all", "--glob", "*").exit_code == 0
    assert (folder / "all.fr-en.tsv").is_file()
    again = cli(folder, "-o", folder, "--combined", "all", "--glob", "*")
    assert "files: 0 translated, 1 skipped" in again.stderr, again.stderr


# --- 5. Output folder problems, before the model loads ----------------------


def test_output_folder_problems_are_found_before_the_model_loads(tmp_path, loads, monkeypatch):
    src = write(tmp_path / "a.txt", "Un.\n")
    blocker = write(tmp_path / "file", "I am a file.\n")
    for out in (blocker, blocker / "below", blocker / "below" / "deeper"):
        result = cli(src, "-o", out, model=tmp_path / "no-such-model")
        assert result.exit_code == 2, result.stderr
        assert result.stderr.startswith(f"translate: error: {out}: cannot be the output folder")
        assert result.stderr.count("\n") == 1
    assert blocker.read_text() == "I am a file.\n"

    # A folder that cannot hold a new file (read-only, full): root ignores
    # permission bits, so the refusal of the file system is simulated.
    locked = tmp_path / "locked"
    locked.mkdir()
    import tempfile

    real_mkstemp = tempfile.mkstemp

    def mkstemp(*args, **kwargs):
        if Path(kwargs.get("dir", "")) == locked:
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_mkstemp(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    result = cli(src, "-o", locked)
    assert result.exit_code == 2
    assert (
        result.stderr
        == f"translate: error: {locked}: cannot write in the output folder: Permission denied\n"
    )
    assert loads == [] and list(locked.iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes in chmod 555 folders")
def test_read_only_output_folder(tmp_path, loads):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    result = cli(write(tmp_path / "a.txt", "Un.\n"), "-o", locked)
    assert result.exit_code == 2 and "cannot write in the output folder" in result.stderr
    assert loads == []


# --- 6. Orphan temporaries and long names ------------------------------------


def test_orphan_parts_beside_skipped_outputs_are_removed(tmp_path, loads):
    src = write(tmp_path / "in" / "a.txt", "Un.\n")
    out = tmp_path / "out"
    assert cli(src, "-o", out, "-f", "tsv,txt").exit_code == 0
    dead = [out / ".a.fr-en.tsv.999999999.x1.part", out / ".a.meta.json.999999999.x2.part"]
    live = out / f".a.en.txt.{os.getpid()}.x3.part"
    for part in [*dead, live]:
        part.write_text("partial")
    result = cli(src, "-o", out, "-f", "tsv,txt")
    assert "1 skipped" in result.stderr
    assert not any(p.exists() for p in dead)
    assert live.exists()  # a live process's temporary is left alone


def test_a_250_byte_input_name_gives_outputs_and_temporaries_under_255_bytes(tmp_path, loads):
    name = "é" * 123 + ".txt"  # 250 bytes
    assert len(name.encode()) == 250
    src = write(tmp_path / "in" / name, "Un long nom.\n")
    out = tmp_path / "out"
    result = cli(src, "-o", out)
    assert result.exit_code == 0, result.stderr
    names = [p.name for p in out.iterdir()]
    assert len(names) == 9 and all(len(n.encode()) <= NAME_MAX for n in names)
    stem = json.loads(next(out.glob("*.meta.json")).read_text())["outputs"][0].split(".")[0]
    assert stem.startswith("é" * 50) and "~" in stem
    assert "1 skipped" in cli(src, "-o", out).stderr  # the shortened name is stable
    # An edited output of that name still gets a backup name that fits.
    tsv = next(out.glob("*.fr-en.tsv"))
    tsv.write_text(tsv.read_text() + "edit\n")
    assert cli(src, "-o", out, "--force").exit_code == 0
    assert all(len(p.name.encode()) <= NAME_MAX for p in out.iterdir())
    assert len(list(out.glob("*.edited-*.tsv"))) == 1


# --- 7. Edited outputs are kept as backups ------------------------------------


def test_edited_output_is_kept_as_a_backup_on_force(tmp_path, loads):
    src = write(tmp_path / "a.txt", "Le maire est venu.\n")
    out = tmp_path / "out"
    assert cli(src, "-o", out, "-f", "tsv,txt").exit_code == 0
    tsv = out / "a.fr-en.tsv"
    meta = json.loads((out / "a.meta.json").read_text())
    assert set(meta["output_sha256"]) == {"a.fr-en.tsv", "a.en.txt"}
    edited = tsv.read_text().replace("LE MAIRE EST VENU.", "The mayor came.")
    tsv.write_text(edited)
    untouched = (out / "a.en.txt").read_bytes()

    result = cli(src, "-o", out, "-f", "tsv,txt", "--force")
    assert result.exit_code == 0, result.stderr
    (backup,) = out.glob("a.fr-en.edited-*.tsv")
    assert backup.read_text() == edited
    assert f"kept edited output as backup: {backup}" in result.stderr
    assert "The mayor came." not in tsv.read_text()
    assert (out / "a.en.txt").read_bytes() == untouched and not list(out.glob("a.en.edited-*"))
    assert backup.name in json.loads((out / "a.meta.json").read_text())["backups"]

    # Edited again: a new backup, the first one is never overwritten.
    tsv.write_text(edited + "x\n")
    result = cli(src, "-o", out, "-f", "tsv,txt", "--force")
    backups = sorted(out.glob("a.fr-en.edited-*.tsv"))
    assert len(backups) == 2 and backup.read_text() == edited
    # Unedited: nothing more.
    assert cli(src, "-o", out, "-f", "tsv,txt", "--force").exit_code == 0
    assert len(list(out.glob("*.edited-*"))) == 2


def test_a_file_the_tool_never_wrote_is_kept_too(tmp_path, loads):
    src = write(tmp_path / "a.txt", "Un.\n")
    out = tmp_path / "out"
    foreign = write(out / "a.fr-en.tsv", "someone else's table\n")
    result = cli(src, "-o", out, "-f", "tsv")
    assert result.exit_code == 0
    (backup,) = out.glob("a.fr-en.edited-*.tsv")
    assert backup.read_text() == "someone else's table\n"
    assert foreign.read_text().startswith("doc\t")


def kill_before_final_manifest(monkeypatch: pytest.MonkeyPatch):
    """Make the next run die (as from Ctrl-C) after its renames, before its final
    manifest; returns the real manifest writer, to put back."""
    from translate_cli import outputs

    real = outputs._write_manifest
    calls: list[Path] = []

    def dies_on_final_manifest(meta_file, meta):
        calls.append(meta_file)
        if len(calls) == 2:
            raise KeyboardInterrupt
        real(meta_file, meta)

    monkeypatch.setattr(outputs, "_write_manifest", dies_on_final_manifest)
    return real


def test_a_run_killed_while_renaming_keeps_no_needless_backups(tmp_path, loads, monkeypatch):
    """Killed after the outputs were renamed, before the final manifest."""
    from translate_cli import outputs

    src = write(tmp_path / "a.txt", "Un.\n")
    out = tmp_path / "out"
    assert cli(src, "-o", out, "-f", "tsv,txt").exit_code == 0
    real = kill_before_final_manifest(monkeypatch)
    src.write_text("Deux.\n")
    assert cli(src, "-o", out, "-f", "tsv,txt").exit_code == 130
    assert (out / "a.en.txt").read_text() == "DEUX.\n"  # renamed, manifest not final
    monkeypatch.setattr(outputs, "_write_manifest", real)
    result = cli(src, "-o", out, "-f", "tsv,txt")
    assert "1 translated" in result.stderr
    assert not list(out.glob("*.edited-*")) and "backup" not in result.stderr


def test_review_loop_keeps_another_reviewers_edits(tmp_path, copy_model):
    """README loop: translate, edit, import one reviewer's TSV, rerun the folder."""
    corpus = tmp_path / "corpus"
    write(corpus / "a.txt", "Le chat dort.\n")
    write(corpus / "b.txt", "Le chien court.\n")
    out, tm = tmp_path / "out", tmp_path / "tm.sqlite"

    def run(*args: object):
        return invoke(
            app,
            [
                *map(str, args),
                "--model",
                str(copy_model),
                "--engine",
                "transformers",
                "--tm",
                str(tm),
            ],
        )

    assert run(corpus, "-o", out, "-f", "tsv,txt").exit_code == 0
    a_tsv, b_tsv = out / "a.fr-en.tsv", out / "b.fr-en.tsv"
    a_tsv.write_text(
        a_tsv.read_text().replace(
            "\tLe chat dort.\tuntranslated", "\tThe cat sleeps.\tuntranslated"
        )
    )
    b_edit = b_tsv.read_text().replace(
        "\tLe chien court.\tuntranslated", "\tThe dog runs.\tuntranslated"
    )
    assert b_edit != b_tsv.read_text()
    b_tsv.write_text(b_edit)  # reviewer 2, in place, not imported

    imported = run("--import-reviewed", a_tsv)
    assert imported.exit_code == 0 and "1 reviewed" in imported.stderr, imported.stderr
    rerun = run(corpus, "-o", out, "-f", "tsv,txt")
    assert rerun.exit_code == 0, rerun.stderr
    assert "The cat sleeps." in a_tsv.read_text()  # the import took effect
    (b_backup,) = out.glob("b.fr-en.edited-*.tsv")
    assert b_backup.read_text() == b_edit  # reviewer 2's work survives
    assert f"kept edited output as backup: {b_backup}" in rerun.stderr
    settled = run(corpus, "-o", out, "-f", "tsv,txt")
    assert "0 translated, 2 skipped" in settled.stderr


# --- 15. Damaged JSONL and full disk while building --combined ---------------


@pytest.mark.parametrize(
    "damage",
    [
        lambda t: t[: len(t) // 2],  # truncated mid-line
        lambda t: t.rsplit("\n", 2)[0] + "\n",  # truncated at a line end
        lambda t: t + "not json\n",
        lambda t: t + '{"type": "pair", "paragraph": 1}\n',
        lambda t: '["a list"]\n' + t,
        lambda t: "",
        lambda t: t.replace('"flags"', '"terms": [{"source": "Un"}], "flags"', 1),
        lambda t: t.replace('"flags"', '"terms": "Un", "flags"', 1),
    ],
    ids=[
        "mid-line",
        "line-end",
        "not-json",
        "wrong-record",
        "not-object",
        "empty",
        "term",
        "terms",
    ],
)
def test_damaged_jsonl_while_combining_is_one_line(tmp_path, loads, damage):
    corpus = tmp_path / "in"
    write(corpus / "a.txt", "Un. Deux. Trois.\n")
    write(corpus / "b.txt", "Quatre.\n")
    out = tmp_path / "out"
    assert cli(corpus, "-o", out, "--combined", "all").exit_code == 0
    jsonl = out / "a.fr-en.jsonl"
    jsonl.write_text(damage(jsonl.read_text()))
    combined_before = (out / "all.fr-en.tsv").read_bytes()
    others = snapshot(out)
    result = cli(corpus, "-o", out, "--combined", "all")
    assert result.exit_code == 1
    (line,) = [x for x in result.stderr.splitlines() if "error" in x]
    assert line.startswith(f"translate: error: {jsonl}: ") and "JSONL" in line
    assert "Traceback" not in result.output
    assert (out / "all.fr-en.tsv").read_bytes() == combined_before
    assert snapshot(out) == others


def test_full_disk_while_writing_combined_files(tmp_path, loads, monkeypatch):
    from translate_cli.writers.tmx import TMXWriter

    corpus = tmp_path / "in"
    write(corpus / "a.txt", "Un.\n")
    out = tmp_path / "out"
    assert cli(corpus, "-o", out, "--combined", "all").exit_code == 0
    before = snapshot(out)

    def full(self, results, *streams):
        streams[0].write("<?xml")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(TMXWriter, "write", full)
    result = cli(corpus, "-o", out, "--combined", "all")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        f"translate: error: {out / 'all'}: cannot write combined files: No space left on device"
    )
    assert snapshot(out) == before  # nothing half-written, the TSV not replaced alone
    assert not list(out.glob(".*.part"))


def test_write_combined_from_outputs_raises_output_error(tmp_path):
    from pathlib import PurePath

    with pytest.raises(OutputError, match="cannot read: No such file"):
        write_combined_from_outputs(tmp_path, [PurePath("gone.txt")], "all")


def test_output_folder_names_that_cannot_exist_are_one_line(tmp_path, loads):
    src = write(tmp_path / "a.txt", "Un.\n")
    loop = tmp_path / "loopB"
    loop.symlink_to(tmp_path / "loopC")
    (tmp_path / "loopC").symlink_to(loop)
    for out in (tmp_path / ("N" * 300), tmp_path / "x" / ("N" * 300) / "y", loop):
        result = cli(tmp_path, "-o", out, "--glob", "a.txt")
        assert result.exit_code == 2, result.output
        assert result.stderr.count("\n") == 1 and "cannot be the output folder" in result.stderr
        assert "Traceback" not in result.output
    assert not (tmp_path / "x").exists()  # nothing created on the way
    assert loads == []
    empty = cli(src, "-o", "")
    assert empty.exit_code == 2 and "output_dir must name a folder" in empty.stderr


def test_outputs_of_a_run_killed_before_its_final_manifest_are_never_inputs(
    tmp_path, loads, monkeypatch
):
    """First run of a file, killed after the renames: only the pending manifest exists."""
    from translate_cli import outputs

    folder = tmp_path / "in"
    write(folder / "a.txt", "Un.\n")
    real = kill_before_final_manifest(monkeypatch)
    assert cli(folder, "-o", folder, "-f", "txt,tsv").exit_code == 130
    assert (folder / "a.en.txt").is_file()
    monkeypatch.setattr(outputs, "_write_manifest", real)
    result = cli(folder, "-o", folder, "-f", "txt,tsv")
    assert "files: 1 translated" in result.stderr, result.stderr
    assert not list(folder.glob("a.en.en*")) and not list(folder.glob("a.txt.*"))


def test_non_utf8_names_that_collide_get_distinct_hashed_names(tmp_path, loads):
    folder = tmp_path / "in"
    folder.mkdir()
    root = os.fsencode(folder)
    for raw in (b"caf\xe9.txt", b"CAF\xe9.txt", b"caf%E9.txt"):
        with open(root + b"/" + raw, "w") as fh:
            fh.write("Un caf\u00e9.\n")
    out = tmp_path / "out"
    result = cli(folder, "-o", out, "-f", "tsv")
    assert result.exit_code == 0, result.output
    assert "files: 3 translated" in result.stderr
    assert len(list(out.rglob("*.tsv"))) == 3
    assert "files: 0 translated, 3 skipped" in cli(folder, "-o", out, "-f", "tsv").stderr
