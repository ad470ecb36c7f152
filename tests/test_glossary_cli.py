"""Glossaries on the command line, in settings and in the library: loading, errors, resume.

Whether a translation uses a term is the translator's part (tests/test_glossary.py
and the terms tests); here: which files are read, how problems are reported,
and that a glossary edit reruns exactly the inputs holding an edited term.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from translate_cli.cli import app
from translate_cli.config import load_settings, read_toml, unknown_env_vars
from translate_cli.errors import ConfigError, InputError

from .conftest import SEED
from .fakes import FakeEngine

runner = CliRunner()

# The terms stand in a later sentence of a later paragraph.
NUCLEAR = (
    "Le chantier a duré dix ans. Il est fini.\n\n"
    "Le moteur tourne. La centrale nucléaire de Flamanville a redémarré.\n"
)
ASSEMBLY = "L'Assemblée nationale a voté le projet de loi mardi.\n"
GLOSSARY = (
    "fr\ten\tnote\n"
    "centrale nucléaire\tnuclear power plant\t\n"
    "Assemblée nationale\tNational Assembly\t\n"
)


def _run(*args: str, env: dict[str, str] | None = None, stdin: str | None = None):
    return runner.invoke(app, [*args], input=stdin, env={"TRANSLATE_TM": "off", **(env or {})})


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- settings -----------------------------------------------------------------


def test_precedence_command_line_over_environment_over_file_over_default(tmp_path):
    cfg = _write(tmp_path / "c.toml", 'glossaries = ["file.tsv"]\ndnt = "file.txt"\n')
    env = {"TRANSLATE_GLOSSARY": "env.tsv", "TRANSLATE_DNT": "env.txt"}
    assert load_settings(None, {}, environ={}).glossaries == ()
    assert load_settings(None, {}, environ={}).dnt == ()
    from_file = load_settings(cfg, {}, environ={})
    assert from_file.glossaries == (str(tmp_path / "file.tsv"),)
    assert from_file.dnt == (str(tmp_path / "file.txt"),)
    from_env = load_settings(cfg, {}, environ=env)
    assert (from_env.glossaries, from_env.dnt) == (("env.tsv",), ("env.txt",))
    given = {"glossaries": ("cli.tsv", "cli2.tbx"), "dnt": ("cli.txt",)}
    from_cli = load_settings(cfg, given, environ=env)
    assert (from_cli.glossaries, from_cli.dnt) == (("cli.tsv", "cli2.tbx"), ("cli.txt",))
    # Only the one given is overridden.
    mixed = load_settings(cfg, {"glossaries": ("cli.tsv",), "dnt": None}, environ={})
    assert (mixed.glossaries, mixed.dnt) == (("cli.tsv",), (str(tmp_path / "file.txt"),))


def test_environment_separates_paths_with_the_path_separator(tmp_path):
    value = os.pathsep.join(["a.tsv", "with, comma.csv", "", "c.tbx"])
    s = load_settings(None, {}, environ={"TRANSLATE_GLOSSARY": value, "TRANSLATE_DNT": ""})
    assert s.glossaries == ("a.tsv", "with, comma.csv", "c.tbx")
    assert s.dnt == ()  # set and empty: none, over a config file's


def test_config_file_paths_are_read_from_its_folder(tmp_path):
    cfg = _write(
        tmp_path / "project" / "settings.toml",
        "[translate]\n"
        'glossaries = ["terms.tsv", "sub/base.tbx", "/abs/x.csv", "~/home.tsv"]\n'
        'dnt = "../names.txt"\n',
    )
    values = read_toml(cfg)
    folder = tmp_path / "project"
    assert values["glossaries"] == (
        str(folder / "terms.tsv"),
        str(folder / "sub" / "base.tbx"),
        str(Path("/abs/x.csv")),
        str(Path("~/home.tsv").expanduser()),
    )
    assert values["dnt"] == (str(folder / ".." / "names.txt"),)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("glossaries = 3\n", "glossaries: invalid value 3; expected a path or a list of paths"),
        ("dnt = [1]\n", "dnt: invalid value [1]; expected a path or a list of paths"),
        ('glossaries = [""]\n', "glossaries: glossaries: a path is empty"),
        ('glossary = ["a.tsv"]\n', "the --glossary option is the setting 'glossaries'"),
    ],
)
def test_bad_glossary_setting_in_a_config_file(tmp_path, text, message):
    cfg = _write(tmp_path / "c.toml", text)
    with pytest.raises(ConfigError, match="^" + str(cfg).replace("\\", "\\\\") + ": ") as info:
        load_settings(cfg, {}, environ={})
    assert message in str(info.value)


def test_only_the_options_variables_are_read():
    # TRANSLATE_GLOSSARIES was never a name; it is unknown, with the right one suggested.
    assert unknown_env_vars({"TRANSLATE_GLOSSARIES": "a.tsv", "TRANSLATE_DNT": "x"}) == [
        "unknown environment variable TRANSLATE_GLOSSARIES ignored; "
        "did you mean TRANSLATE_GLOSSARY?"
    ]


def test_help_shows_the_options_in_the_review_panel():
    text = runner.invoke(app, ["--help"], env={"COLUMNS": "200"}).stdout
    review = text[text.index("─ Memory and review ─") : text.index("─ Other ─")]
    flat = " ".join(review.replace("│", " ").split())
    assert "--glossary FILE" in flat and "--dnt FILE" in flat
    assert "columns fr, en and optionally note, or a .tbx" in flat
    assert "one French term per line" in flat
    assert f"paths separated by '{os.pathsep}' [env var: TRANSLATE_GLOSSARY]" in flat
    assert "[env var: TRANSLATE_DNT]" in flat


# --- errors and warnings ------------------------------------------------------------


@pytest.mark.parametrize(("option", "kind"), [("--glossary", "glossary"), ("--dnt", "DNT")])
def test_missing_file_is_a_usage_error(tmp_path, option, kind):
    out = tmp_path / "out"
    missing = tmp_path / "missing.tsv"
    result = _run(str(SEED), "-m", "./absent", "-o", str(out), option, str(missing))
    assert result.exit_code == 2, result.output
    assert result.stderr == f"translate: error: {missing}: no such {kind} file\n"
    dry = _run(str(SEED), "-m", "./absent", "-o", str(out), option, str(missing), "--dry-run")
    assert (dry.exit_code, dry.stderr, dry.stdout) == (2, result.stderr, "")
    assert not out.exists()


def test_missing_file_named_in_the_environment_is_a_usage_error(tmp_path):
    missing = tmp_path / "gone.tbx"
    result = _run(str(SEED), "--dry-run", env={"TRANSLATE_GLOSSARY": str(missing)})
    assert result.exit_code == 2, result.output
    assert result.stderr == f"translate: error: {missing}: no such glossary file\n"


@pytest.mark.parametrize(
    ("name", "text", "reason"),
    [
        ("terms.tsv", "source\ttarget\nchat\tcat\n", "line 1: the header must name the columns"),
        ("terms.csv", "fr,en\nchat,cat,animal\n", "line 2: 3 cells but the header names 2"),
        ("terms.tbx", "<martif><text>", "not well-formed XML"),
        ("terms.txt", "fr\ten\n", "unknown glossary type '.txt'"),
    ],
)
def test_bad_glossary_is_one_line_naming_the_file(tmp_path, copy_model, name, text, reason):
    bad = _write(tmp_path / name, text)
    out = tmp_path / "out"
    result = _run(str(SEED), "-m", str(copy_model), "-o", str(out), "--glossary", str(bad))
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"translate: error: {bad}: ")
    assert reason in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert not out.exists()  # found before any input is translated


def test_bad_dnt_list_is_one_line_naming_the_file(tmp_path):
    bad = _write(tmp_path / "names.txt", "Flamanville\nLe\tMonde\n")
    result = _run(str(SEED), "-m", "./absent", "--dnt", str(bad), "--dry-run")
    assert result.exit_code == 1, result.output
    assert result.stderr == (
        f"translate: error: {bad}: line 2: a tab; a DNT list holds one term per line\n"
    )


def test_warnings_are_one_line_each_and_the_dry_run_counts_the_terms(tmp_path):
    first = _write(tmp_path / "a.tsv", "fr\ten\ncentrale nucléaire\tnuclear plant\n")
    second = _write(tmp_path / "b.csv", "en,fr\nnuclear power plant,centrale nucléaire\n")
    tbx = _write(
        tmp_path / "c.tbx",
        '<martif type="TBX"><text><body>'
        '<termEntry><langSet xml:lang="fr"><tig><term>Sénat</term></tig></langSet>'
        '<langSet xml:lang="en"><tig><term>Senate</term></tig></langSet></termEntry>'
        '<termEntry><langSet xml:lang="de"><tig><term>Bundestag</term></tig></langSet>'
        "</termEntry></body></text></martif>",
    )
    names = _write(tmp_path / "names.txt", "# names\nFlamanville\n")
    args = [str(SEED), "-m", "./absent", "-o", str(tmp_path / "out"), "--dry-run"]
    args += ["--glossary", str(first), "--glossary", str(second), "--glossary", str(tbx)]
    args += ["--dnt", str(names)]
    result = _run(*args)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"translate: warning: {tbx}: 1 entry skipped: no French term, or no English term "
        "that is not deprecated",
        f"translate: warning: {second}:2: 'centrale nucléaire' → 'nuclear power plant' "
        f"replaces 'nuclear plant' ({first}:2)",
    ]
    assert "glossary: 3 terms" in result.stdout.splitlines()
    quiet = _run(*args, "-q")
    assert (quiet.exit_code, quiet.stderr, quiet.stdout) == (0, "", "")
    without = _run(*args[:6])
    assert not any(line.startswith("glossary:") for line in without.stdout.splitlines())


def test_dry_run_to_standard_output_counts_the_terms(tmp_path):
    glossary = _write(tmp_path / "g.tsv", GLOSSARY)
    result = _run("-", "-o", "-", "--glossary", str(glossary), "--dry-run", stdin=NUCLEAR)
    assert result.exit_code == 0, result.output
    assert "glossary: 2 terms" in result.stdout.splitlines()


def test_dry_run_with_a_glossary_imports_no_heavy_library(tmp_path):
    glossary = _write(tmp_path / "g.tsv", GLOSSARY)
    code = (
        "import sys; from translate_cli.cli import app\n"
        "try:\n"
        f"    app([{str(SEED)!r}, '-m', './absent', '--glossary', {str(glossary)!r},\n"
        "         '--dry-run'])\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        "heavy = ('torch', 'transformers', 'ctranslate2', 'ray', 'openpyxl')\n"
        "print('HEAVY', [m for m in heavy if m in sys.modules], 'CODE', code)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, check=True
    )
    assert "HEAVY [] CODE 0" in out.stdout, out.stdout + out.stderr
    assert "glossary: 2 terms" in out.stdout


# --- resume -------------------------------------------------------------------


def _meta(out: Path, stem: str) -> dict:
    return json.loads((out / f"{stem}.meta.json").read_text(encoding="utf-8"))


def test_a_glossary_edit_reruns_exactly_the_files_holding_an_edited_term(tmp_path, copy_model):
    nuclear = _write(tmp_path / "in" / "nuclear.txt", NUCLEAR)
    assembly = _write(tmp_path / "in" / "assembly.txt", ASSEMBLY)
    plain = _write(tmp_path / "in" / "plain.txt", "Il pleut depuis trois jours.\n")
    glossary = _write(tmp_path / "terms.tsv", GLOSSARY)
    out = tmp_path / "out"
    base = [str(tmp_path / "in"), "-m", str(copy_model), "-o", str(out), "-f", "tsv"]

    def run(*extra: str) -> dict[str, str]:
        result = _run(*base, *extra)
        assert result.exit_code == 0, result.output
        return {stem: _meta(out, stem)["settings_key"] for stem in ("nuclear", "assembly", "plain")}

    def plan(*extra: str) -> list[str]:
        result = _run(*base, *extra, "--dry-run")
        assert result.exit_code == 0, result.output
        lines = result.stdout.splitlines()[:3]
        return [f"{line.split()[0]} {Path(line.split()[1]).stem}" for line in lines]

    bare = run()
    # A glossary reruns the files holding its terms; a file holding none keeps its key.
    assert plan("--glossary", str(glossary)) == [
        "translate assembly",
        "translate nuclear",
        "skip plain",
    ]
    first = run("--glossary", str(glossary))
    assert first["plain"] == bare["plain"]
    assert first["nuclear"] != bare["nuclear"] and first["assembly"] != bare["assembly"]

    # A term no file holds: nothing to do.
    glossary.write_text(GLOSSARY + "Sénat\tSenate\t\n", encoding="utf-8")
    result = _run(*base, "--glossary", str(glossary))
    assert result.exit_code == 0, result.output
    assert "nothing to do: 3 files up to date" in result.stderr

    # An edited term, in the nuclear file only: that file alone is redone.
    glossary.write_text(GLOSSARY.replace("nuclear power plant", "nuclear plant"), encoding="utf-8")
    assert plan("--glossary", str(glossary)) == ["skip assembly", "translate nuclear", "skip plain"]
    result = _run(*base, "--glossary", str(glossary))
    assert result.exit_code == 0, result.output
    assert "files: 1 translated, 2 skipped (up to date), 0 failed" in result.stderr
    assert "glossary: 2 terms; in the text: 1 present, 0 restored, 0 missing" in (
        result.stderr.splitlines()
    )
    edited = run("--glossary", str(glossary))
    assert edited["nuclear"] != first["nuclear"]
    assert (edited["assembly"], edited["plain"]) == (first["assembly"], first["plain"])

    # A DNT term is a term like any other: it reruns the file holding it.
    names = _write(tmp_path / "names.txt", "Flamanville\n")
    result = _run(*base, "--glossary", str(glossary), "--dnt", str(names))
    assert "files: 1 translated, 2 skipped (up to date), 0 failed" in result.stderr
    assert _meta(out, "nuclear")["settings_key"] != edited["nuclear"]

    # Without the glossary, the files holding terms go back to the bare key.
    assert run() == bare
    assert nuclear.exists() and assembly.exists() and plain.exists()


# --- library ------------------------------------------------------------------


def test_the_library_exports_glossary():
    import translate_cli
    from translate_cli.glossary import Glossary

    assert translate_cli.Glossary is Glossary
    assert "Glossary" in translate_cli.__all__


@pytest.fixture
def given_glossaries(monkeypatch):
    """The glossary each Translator the runner builds is given, in order."""
    from translate_cli import runner as runner_module
    from translate_cli.translator import Translator

    seen: list[object] = []

    class Recording(Translator):
        def __init__(self, *args, **kwargs):
            seen.append(kwargs.get("glossary"))
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(runner_module, "Translator", Recording)
    return seen


def test_library_calls_take_a_glossary_or_the_settings_files(
    tmp_path, copy_model, given_glossaries
):
    from translate_cli import (
        Glossary,
        Settings,
        read_input,
        run_paths,
        translate_file,
        translate_text,
    )
    from translate_cli.runner import translate_document

    path = _write(tmp_path / "terms.tsv", GLOSSARY)
    source = _write(tmp_path / "in" / "nuclear.txt", NUCLEAR)
    given = Glossary.load([path])
    settings = Settings(model=str(copy_model), glossaries=(str(path),), memory="off")
    engine = FakeEngine()
    translate_text(NUCLEAR, Settings(), engine, glossary=given)
    translate_text(NUCLEAR, settings, engine)
    translate_text(NUCLEAR, Settings(), engine)
    translate_file(source, settings, engine)
    translate_file(source, Settings(), engine, glossary=given)
    document = read_input(source)
    translate_document(document, settings, engine, use_memory=True)
    run_paths([source], settings.replace(output_dir=str(tmp_path / "out"), formats=("tsv",)))
    assert given_glossaries[0] is given
    loaded = [g for g in given_glossaries[1:] if g is not None and g is not given]
    assert [g.fingerprint for g in loaded] == [given.fingerprint] * 4
    assert [g is None for g in given_glossaries] == [False, False, True, False, False, False, False]


def test_library_calls_report_a_bad_glossary_named_in_the_settings(tmp_path):
    from translate_cli import Settings, translate_text

    bad = _write(tmp_path / "terms.csv", "fr|en\nchat|cat\n")
    with pytest.raises(InputError, match=f"^{bad}: line 1: the header must name"):
        translate_text("Le chat.", Settings(glossaries=(str(bad),)), FakeEngine())


def test_many_glossary_warnings_are_counted_after_ten(tmp_path):
    rows = "".join(f"terme {i}\tterm {i}\nterme {i}\tother {i}\n" for i in range(15))
    glossary = _write(tmp_path / "dupes.tsv", "fr\ten\n" + rows)
    result = _run(str(SEED), "--dry-run", "--glossary", str(glossary))
    warnings = [x for x in result.stderr.splitlines() if x.startswith("translate: warning:")]
    assert len(warnings) == 11
    assert warnings[-1] == "translate: warning: ... and 5 more glossary warnings"
