from __future__ import annotations

from pathlib import Path

import pytest

from translate_cli.config import Settings, load_settings, read_toml
from translate_cli.errors import ConfigError, UsageError

ROOT = Path(__file__).resolve().parents[1]


def test_default_toml_documents_exactly_the_defaults():
    values = read_toml(ROOT / "configs" / "default.toml")
    assert Settings(**values) == Settings()
    documented = set(values) | {"beams"}  # beams is commented out: None is not TOML
    assert documented == set(Settings.__dataclass_fields__)


def test_precedence_cli_over_env_over_file(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('model = "from-file"\nbeams = 2\nthreads = 3\n')
    env = {"TRANSLATE_BEAMS": "5", "TRANSLATE_THREADS": "4"}
    s = load_settings(cfg, {"threads": 1, "model": None}, environ=env)
    assert (s.model, s.beams, s.threads) == ("from-file", 5, 1)


def test_env_list_value_is_split_on_commas():
    s = load_settings(None, {}, environ={"TRANSLATE_FORMATS": "tsv, tmx"})
    assert s.formats == ("tsv", "tmx")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('modle = "x"', "unknown setting 'modle'"),
        ("beams = 'many'", "invalid value"),
        ("beams = 0", "beams must be at least 1"),
        ('engine = "fast"', "unknown engine 'fast'; expected one of"),
        ("[[x", "cannot read config file"),
    ],
)
def test_bad_config_names_the_problem(tmp_path, text, message):
    cfg = tmp_path / "bad.toml"
    cfg.write_text(text)
    with pytest.raises(UsageError, match=message):
        load_settings(cfg, {}, environ={})


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "nope.toml", {}, environ={})


def _documented_list(text: str, after: str) -> set[str]:
    """The comma list that follows ``after`` in a comment block, across lines."""
    block = text[text.index(after) + len(after) :].split(".", 1)[0]
    words = block.replace("#", " ").replace("\n", " ").split(",")
    return {w.strip() for w in words if w.strip()}


def test_compute_types_are_listed_once_and_documented_from_that_list():
    from translate_cli import config
    from translate_cli.vocabulary import COMPUTE_TYPES

    toml = (ROOT / "configs" / "default.toml").read_text(encoding="utf-8")
    assert _documented_list(toml, "or\n# one of:") == set(COMPUTE_TYPES) - {"auto"}
    assert "vocabulary.COMPUTE_TYPES" in Path(config.__file__).read_text(encoding="utf-8")
