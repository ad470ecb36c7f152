"""Model folders that cannot work, and the hint for a model the hub cannot give.

Each broken folder is a copy of the committed copy model with one thing wrong.
It must fail through the CLI, with either engine, as one stderr line naming
what is wrong, exit code 1 (as every other model error) and no traceback.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from importlib.metadata import distribution
from pathlib import Path

import pytest
from typer.testing import CliRunner

from translate_cli.cli import EXIT_FAILED, app
from translate_cli.errors import ModelError
from translate_cli.models import _offline_hint, check_model_dir

from .conftest import COPY_MODEL, SEED


def _drop(name: str) -> Callable[[Path], Path]:
    def breaks(folder: Path) -> Path:
        (folder / name).unlink()
        return folder

    return breaks


def _model_type(value: str) -> Callable[[Path], Path]:
    def breaks(folder: Path) -> Path:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        config["model_type"] = value
        (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
        return folder

    return breaks


def _write(name: str, data: bytes) -> Callable[[Path], Path]:
    def breaks(folder: Path) -> Path:
        (folder / name).write_bytes(data)
        return folder

    return breaks


def _truncate(name: str, size: int) -> Callable[[Path], Path]:
    def breaks(folder: Path) -> Path:
        with (folder / name).open("r+b") as fh:
            fh.truncate(size)
        return folder

    return breaks


def _d_model(folder: Path) -> Path:
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    config["d_model"] = config["d_model"] // 2
    (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
    return folder


def _a_file(folder: Path) -> Path:
    return folder / "model.safetensors"


# (case, how to break a copy of the copy model, what the message must say)
BROKEN = [
    ("no source.spm", _drop("source.spm"), "missing source.spm"),
    ("no target.spm", _drop("target.spm"), "missing target.spm"),
    ("no vocab.json", _drop("vocab.json"), "missing vocab.json"),
    ("no weights", _drop("model.safetensors"), "missing *.safetensors or pytorch_model.bin"),
    ("no config.json", _drop("config.json"), "missing config.json"),
    ("a BERT config", _model_type("bert"), "config.json has model_type 'bert'"),
    ("no model_type", _model_type(""), "config.json has model_type ''"),
    ("a file", _a_file, "is a file; --model takes a model folder"),
    ("config.json a list", _write("config.json", b"[1, 2]"), "config.json holds a JSON list"),
    (
        "tokenizer_config.json a string",
        _write("tokenizer_config.json", b'"x"'),
        "tokenizer_config.json holds a JSON str",
    ),
    ("vocab.json a list", _write("vocab.json", b"[1]"), "vocab.json holds a JSON list"),
    (
        "generation_config.json a list",
        _write("generation_config.json", b"[]"),
        "generation_config.json holds a JSON list",
    ),
    ("config.json not JSON", _write("config.json", b"{"), "config.json is unreadable"),
    ("truncated weights", _truncate("model.safetensors", 5000), "SafetensorError"),
    ("garbage source.spm", _write("source.spm", bytes(range(256)) * 8), "source.spm"),
    ("d_model changed", _d_model, "weights do not match config.json"),
]


@pytest.mark.parametrize("engine", ["transformers", "ctranslate2"])
@pytest.mark.parametrize(("breaks", "message"), [c[1:] for c in BROKEN], ids=[c[0] for c in BROKEN])
def test_broken_model_folder_is_one_line_exit_1(tmp_path, monkeypatch, engine, breaks, message):
    monkeypatch.setenv("TRANSLATE_MEMORY", "off")
    model = breaks(Path(shutil.copytree(COPY_MODEL, tmp_path / "model")))
    args = [str(SEED), "-o", str(tmp_path / "out"), "--model", str(model), "--engine", engine]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == EXIT_FAILED, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert message in lines[0]
    assert lines[0].startswith(f"translate: error: {model}: ")
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.mark.parametrize("engine", ["transformers", "ctranslate2"])
def test_no_generation_config_translates_quietly(tmp_path, monkeypatch, engine):
    """Without generation_config.json both engines use transformers' defaults, silently."""
    monkeypatch.setenv("TRANSLATE_MEMORY", "off")
    monkeypatch.setenv("TRANSLATE_CACHE_DIR", str(tmp_path / "cache"))
    model = _drop("generation_config.json")(Path(shutil.copytree(COPY_MODEL, tmp_path / "model")))
    args = [str(SEED), "-o", str(tmp_path / "out"), "--model", str(model), "--engine", engine]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Warning" not in result.stderr, result.stderr
    assert "Traceback" not in result.output


def test_both_engines_agree_without_generation_config(tmp_path):
    from translate_cli.config import Settings
    from translate_cli.engines.marian_files import read_generation
    from translate_cli.engines.transformers_engine import TransformersEngine
    from translate_cli.models import resolve_model

    model = _drop("generation_config.json")(Path(shutil.copytree(COPY_MODEL, tmp_path / "model")))
    generation = read_generation(model)
    engine = TransformersEngine(resolve_model(str(model)), Settings(device="cpu"))
    config = engine._model.generation_config
    assert generation.max_new_tokens == 19  # transformers' max_length 20, start token included
    assert config.max_new_tokens is None
    assert (config.max_length or 20) - 1 == generation.max_new_tokens
    assert (config.num_beams or 1) == generation.num_beams


def test_every_missing_file_is_named_at_once(tmp_path):
    model = Path(shutil.copytree(COPY_MODEL, tmp_path / "model"))
    for name in ("source.spm", "vocab.json", "model.safetensors"):
        (model / name).unlink()
    with pytest.raises(ModelError, match=r"missing source\.spm, vocab\.json, \*\.safetensors"):
        check_model_dir(model)


def test_pytorch_weights_are_accepted(tmp_path):
    model = Path(shutil.copytree(COPY_MODEL, tmp_path / "model"))
    (model / "model.safetensors").rename(model / "pytorch_model.bin")
    check_model_dir(model)


def test_the_committed_model_passes():
    check_model_dir(COPY_MODEL)


# --- The hint for a hub model that cannot be fetched ---------------------------

NAME = "Helsinki-NLP/opus-mt-fr-en"


def _command(hint: str) -> list[str]:
    (command,) = re.findall(r"`([^`]+)`", hint)
    return command.split()


@pytest.mark.parametrize(
    ("revision", "expected"),
    [
        (None, f"hf download {NAME} --local-dir ./opus-mt-fr-en"),
        ("v1.2", f"hf download {NAME} --revision v1.2 --local-dir ./opus-mt-fr-en"),
        ("0123abcd" * 5, f"hf download {NAME} --revision {'0123abcd' * 5} --local-dir"),
    ],
)
def test_hint_gives_the_download_command(revision, expected):
    hint = _offline_hint(NAME, revision)
    assert " ".join(_command(hint)).startswith(expected)
    assert hint.endswith("--model ./opus-mt-fr-en")
    assert "\n" not in hint


def test_hint_command_is_installed_by_huggingface_hub():
    scripts = {
        e.name for e in distribution("huggingface_hub").entry_points if e.group == "console_scripts"
    }
    assert _command(_offline_hint(NAME))[0] in scripts, scripts


def test_offline_hub_id_with_revision_hints_that_revision(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("TRANSLATE_MEMORY", "off")
    args = [str(SEED), "-o", str(tmp_path), "--engine", "transformers", "--revision", "v9"]
    result = CliRunner().invoke(app, [*args, "--model", NAME])
    assert result.exit_code == EXIT_FAILED
    (line,) = result.stderr.strip().splitlines()
    assert f"`hf download {NAME} --revision v9 --local-dir ./opus-mt-fr-en`" in line
