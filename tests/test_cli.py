"""The command line: exit codes, one-line errors, stdout kept clean, fast help."""

from __future__ import annotations

import json
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
        "heavy = [m for m in ('torch', 'transformers', 'ctranslate2') if m in sys.modules]\n"
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
        ([str(SEED), "--format", "tsv,xlsb"], 2, "unknown format 'xlsb'"),
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
