"""The command line: exit codes, one-line errors, stdout kept clean, fast help."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from translate_cli.cli import app

from .conftest import SEED

runner = CliRunner()


def test_help_imports_no_heavy_library():
    code = (
        "import sys; from translate_cli.cli import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = ('torch', 'transformers', 'ctranslate2', 'ray', 'openpyxl')\n"
        "heavy = [m for m in heavy if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in out.stdout
    assert "--model" in out.stdout


def test_python_dash_m_works():
    out = subprocess.run(
        [sys.executable, "-m", "translate_cli", "--version"], capture_output=True, text=True
    )
    assert out.returncode == 0
    assert out.stdout.startswith("translate-cli ")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["missing.txt"], 2, "missing.txt: no such file or folder"),
        ([str(SEED), "--engine", "fast"], 2, "unknown engine 'fast'"),
        ([str(SEED), "--format", "tsv,pdf"], 2, "unknown format 'pdf'"),
        (
            [str(SEED), "--model", "./no-such-model"],
            1,
            "./no-such-model: model directory not found",
        ),
    ],
)
def test_errors_are_one_line_with_exit_code(args, code, message, tmp_path):
    result = runner.invoke(app, [*args, "-o", str(tmp_path)])
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_offline_hub_id_says_how_to_use_a_local_copy(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    result = runner.invoke(app, [str(SEED), "-o", str(tmp_path), "--engine", "transformers"])
    assert result.exit_code == 1
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1
    assert "Helsinki-NLP/opus-mt-fr-en" in line
    assert "--model ./opus-mt-fr-en" in line


def test_bad_file_fails_the_run_but_not_the_others(tmp_path, tiny_model):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02binary")
    out = tmp_path / "out"
    result = runner.invoke(
        app, [str(bad), str(SEED), "-o", str(out), "--model", str(tiny_model), "-f", "jsonl"]
    )
    assert result.exit_code == 1
    assert f"{bad}: not a text file" in result.stderr
    assert "1 translated, 0 skipped (up to date), 1 failed" in result.stderr
    assert (out / "deconfliction.fr-en.jsonl").is_file()


def test_stdin_to_stdout(tiny_model):
    result = runner.invoke(app, ["-", "--model", str(tiny_model)], input="Bonjour.\nAu revoir.\n")
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) == 2
    assert result.stderr == ""


def test_config_file_is_used(tmp_path, tiny_model):
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'model = "{tiny_model}"\nformats = ["jsonl"]\nbeams = 2\n')
    result = runner.invoke(app, [str(SEED), "-c", str(cfg), "-o", str(tmp_path / "o")])
    assert result.exit_code == 0, result.stderr
    meta = json.loads((tmp_path / "o" / "deconfliction.fr-en.jsonl").read_text().splitlines()[0])
    assert meta["beams"] == 2
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == [
        "deconfliction.fr-en.jsonl",
        "deconfliction.meta.json",
    ]


# --- help -----------------------------------------------------------------


def _help_text(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_short_h_is_help():
    assert _help_text("-h") == _help_text("--help")


def test_help_groups_options_in_panels_with_examples_and_exit_codes():
    text = _help_text("--help")
    titles = ["Input and output", "Model and engine", "Memory and review", "Other"]
    positions = [text.index(f"─ {title} ─") for title in titles]
    assert positions == sorted(positions)
    # Each option sits in its panel.
    parts = re.split("|".join(f"─ {t} ─" for t in titles), text)[1:]
    panels = dict(zip(titles, parts, strict=True))
    assert "--output-dir" in panels["Input and output"]
    assert "--dry-run" in panels["Input and output"]
    assert "--batch-tokens" in panels["Model and engine"]
    assert "--import-reviewed" in panels["Memory and review"]
    assert "--quiet" in panels["Other"] and "-h" in panels["Other"]
    epilog = text[text.index("Examples:") :]
    assert len(re.findall(r"^\s+(?:cat .*\| )?translate ", epilog, re.M)) == 3
    assert "Exit codes: 0" in epilog and "130 interrupted" in " ".join(epilog.split())
    assert "\x1b" not in text  # not a terminal: no control sequence
    assert "…" not in text  # nothing cut off


def test_help_shows_every_settings_environment_variable():
    from translate_cli.config import CONFIG_ENV, OPTIONS, env_var

    text = _help_text("--help")
    for option in OPTIONS.values():
        assert f"{env_var(option)}]" in text.replace("\n", " ").replace("│", " "), option
    assert env_var("--batch-tokens") == "TRANSLATE_BATCH_TOKENS"
    assert env_var("--output-dir") == "TRANSLATE_OUTPUT_DIR"
    assert CONFIG_ENV in text


def test_every_setting_has_its_option_on_the_command_line():
    import typer.main

    from translate_cli.config import OPTIONS, Settings

    command = typer.main.get_command(app)
    opts = {o for param in command.params for o in (*param.opts, *param.secondary_opts)}
    assert set(OPTIONS) == set(Settings.__dataclass_fields__)
    assert set(OPTIONS.values()) <= opts


def test_help_in_a_pipe_has_panels_and_no_control_sequence():
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "PY_COLORS")}
    out = subprocess.run(
        [sys.executable, "-m", "translate_cli", "-h"], capture_output=True, env=env, check=True
    )
    assert b"\x1b" not in out.stdout
    assert "─ Model and engine ─" in out.stdout.decode()


# --- environment and config file -------------------------------------------


def _dry(args, tmp_path, env=None):
    return runner.invoke(app, [str(SEED), "--model", "./absent-model", "--dry-run", *args], env=env)


def test_precedence_command_line_over_environment_over_file_over_default(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cfg = tmp_path / "c.toml"
    cfg.write_text('[translate]\noutput_dir = "from-file"\n')
    env = {"TRANSLATE_OUTPUT_DIR": "from-env"}
    cases = [
        ([], None, "translations"),
        (["-c", str(cfg)], None, "from-file"),
        (["-c", str(cfg)], env, "from-env"),
        (["-c", str(cfg), "-o", "from-cli"], env, "from-cli"),
        ([], {"TRANSLATE_CONFIG": str(cfg)}, "from-file"),
    ]
    for args, environ, folder in cases:
        result = _dry(args, tmp_path, environ)
        assert result.exit_code == 0, result.output
        assert f"outputs in {folder}{os.sep} " in result.stdout, (args, environ)
    assert not any(p.is_dir() for p in tmp_path.iterdir())  # a dry run creates nothing


def test_environment_variables_follow_the_option_names(tmp_path):
    from translate_cli.config import load_settings

    env = {"TRANSLATE_BATCH_TOKENS": "64", "TRANSLATE_FORMAT": "TSV,xlf", "TRANSLATE_TM": "off"}
    s = load_settings(None, {}, environ=env)
    assert (s.batch_tokens, s.formats, s.memory) == (64, ("tsv", "xliff"), "off")
    # The older names (the settings' own) are still read, below the option's.
    old = {"TRANSLATE_FORMATS": "tmx", "TRANSLATE_MEMORY": "off", "TRANSLATE_GLOBS": "*.md"}
    s = load_settings(None, {}, environ=old)
    assert (s.formats, s.memory, s.globs) == (("tmx",), "off", ("*.md",))
    s = load_settings(None, {}, environ={**old, "TRANSLATE_FORMAT": "tsv"})
    assert s.formats == ("tsv",)


def test_the_cache_variable_is_known():
    from translate_cli.config import OTHER_ENV_VARS
    from translate_cli.engines.ct2_cache import CACHE_ENV

    assert CACHE_ENV in OTHER_ENV_VARS


def test_unknown_environment_variable_gets_one_line_with_the_closest_name(tmp_path):
    env = {"TRANSLATE_BATCH_TOKEN": "64", "TRANSLATE_COLOUR": "blue"}
    result = _dry(["-o", str(tmp_path / "o")], tmp_path, env)
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert warnings == [
        "translate: warning: unknown environment variable TRANSLATE_BATCH_TOKEN ignored; "
        "did you mean TRANSLATE_BATCH_TOKENS?",
        "translate: warning: unknown environment variable TRANSLATE_COLOUR ignored",
    ]
    quiet = _dry(["-o", str(tmp_path / "o"), "-q"], tmp_path, env)
    assert quiet.stderr == ""


@pytest.mark.parametrize(
    ("var", "value", "message"),
    [
        ("TRANSLATE_BEAMS", "many", "TRANSLATE_BEAMS: beams: invalid value 'many'"),
        ("TRANSLATE_ENGINE", "fast", "TRANSLATE_ENGINE: engine: unknown engine 'fast'"),
        ("TRANSLATE_NORMALIZE", "maybe", "TRANSLATE_NORMALIZE: normalize: invalid value"),
        ("TRANSLATE_FORMAT", "tsv,pdf", "TRANSLATE_FORMAT: formats: unknown format 'pdf'"),
        ("TRANSLATE_THREADS", "-1", "TRANSLATE_THREADS: threads: threads must be 0 or more"),
    ],
)
def test_bad_environment_value_is_one_line_and_exit_2(tmp_path, var, value, message):
    result = _dry(["-o", str(tmp_path)], tmp_path, {var: value})
    assert result.exit_code == 2, result.output
    assert (
        result.stderr.strip()
        == f"translate: error: environment variable {message}"
        + (result.stderr.strip().split(message, 1)[1])
    )
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('model = "x"\n[translate]\nbeams = 2\n', "model: outside the [translate] table"),
        ("[translate]\nbatch_token = 64\n", "unknown setting 'batch_token'; did you mean"),
        ("beam = 2\n", "unknown setting 'beam'; did you mean 'beams'?"),
        ('[translate]\nbeams = "many"\n', "beams: invalid value 'many'"),
        ("formats = 3\n", "formats: invalid value 3; expected a list"),
        ("model = 5\n", "model: invalid value 5; expected a text"),
        ('formats = ["tsv", "docx"]\n', "formats: unknown format 'docx'"),
        ("translate = 1\n", "translate: expected a [translate] table"),
    ],
)
def test_bad_config_file_is_one_line_naming_file_and_key(tmp_path, text, message):
    cfg = tmp_path / "settings.toml"
    cfg.write_text(text)
    result = _dry(["-c", str(cfg), "-o", str(tmp_path / "o")], tmp_path)
    assert result.exit_code == 2, result.output
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1
    assert line.startswith(f"translate: error: {cfg}: ")
    assert message in line


def test_format_names_are_case_insensitive_with_all_and_xlf():
    from translate_cli.config import load_settings
    from translate_cli.vocabulary import FORMATS
    from translate_cli.writers import FORMATS as REGISTERED

    def formats(value: str) -> tuple[str, ...]:
        return load_settings(None, {"formats": tuple(value.split(","))}, environ={}).formats

    assert formats("TSV,Tmx") == ("tsv", "tmx")
    assert formats("xlf,XLIFF,tsv") == ("xliff", "tsv")
    assert formats("all") == FORMATS
    assert set(FORMATS) == set(REGISTERED)  # every writer, whatever its registration order
    assert formats("tsv,ALL") == ("tsv", *(f for f in FORMATS if f != "tsv"))
