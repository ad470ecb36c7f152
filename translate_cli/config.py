"""Settings: every default defined once, and how overrides are layered.

Precedence, highest first: command-line flags, ``TRANSLATE_*`` environment
variables, a TOML file (``--config``), then the defaults in :class:`Settings`.
``configs/default.toml`` mirrors these defaults for documentation; a test keeps
the two in step.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from .errors import ConfigError, unknown_choice
from .vocabulary import COMPUTE_TYPES, DEVICES, ENGINES, FORMATS, INPUT_FORMATS

DEFAULT_MODEL = "Helsinki-NLP/opus-mt-fr-en"
ENV_PREFIX = "TRANSLATE_"
# How a yes/no setting may be written in the environment (TOML has booleans).
_BOOLEANS = {
    **dict.fromkeys(("1", "true", "yes", "on"), True),
    **dict.fromkeys(("0", "false", "no", "off"), False),
}


@dataclass(frozen=True)
class Settings:
    """Everything that shapes a run. Fields documented in configs/default.toml."""

    # Hub id or local directory of a Marian model (MarianMTModel + MarianTokenizer).
    model: str = DEFAULT_MODEL
    # Hub revision (branch, tag or commit); None takes the default branch.
    revision: str | None = None
    # Translation engine: auto picks the fastest one installed.
    engine: str = "auto"
    # Where the model runs: auto uses CUDA when torch sees a GPU.
    device: str = "auto"
    # CTranslate2 weights and arithmetic: "auto" lets the engine choose for the
    # device and CPU, or one of vocabulary.COMPUTE_TYPES.
    compute_type: str = "auto"
    # Beam size; None keeps the model's generation_config.json (4 for opus-mt).
    beams: int | None = None
    # Source tokens per batch, padding included. Bigger batches amortise the
    # per-call overhead; on CPU gains flatten out past about a thousand.
    batch_tokens: int = 1024
    # CPU threads for the engine; 0 lets the engine decide.
    threads: int = 0
    # Output formats written for each input (see translate_cli.writers.FORMATS).
    formats: tuple[str, ...] = ("txt", "tsv", "jsonl", "moses", "tmx", "xliff", "html")
    # Folder for outputs; each input's relative path is mirrored below it.
    output_dir: str = "translations"
    # File patterns picked up when a folder is given (walked recursively).
    globs: tuple[str, ...] = (
        "*.txt",
        "*.md",
        "*.markdown",
        "*.html",
        "*.htm",
        "*.docx",
        "*.srt",
        "*.vtt",
    )
    # Input format of every file (one of vocabulary.INPUT_FORMATS); "auto"
    # chooses by extension, plain text for any other.
    input_format: str = "auto"
    # Translation memory: "default" (memory.sqlite in the user data folder),
    # "off", or the path of a SQLite file.
    memory: str = "default"
    # Apply OPUS-MT's training-time preprocessing (Moses punctuation
    # normalisation for French, non-printing characters to spaces) to what the
    # model reads; outputs keep the source as written. See engines/normalize.py.
    normalize: bool = True

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise unknown_choice("engine", self.engine, ENGINES)
        if self.device not in DEVICES:
            raise unknown_choice("device", self.device, DEVICES)
        if self.compute_type not in COMPUTE_TYPES:
            raise unknown_choice("compute type", self.compute_type, COMPUTE_TYPES)
        if self.input_format != "auto" and self.input_format not in INPUT_FORMATS:
            raise unknown_choice("input format", self.input_format, ("auto", *INPUT_FORMATS))
        for name in self.formats:
            if name not in FORMATS:
                raise unknown_choice("format", name, FORMATS)
        if self.beams is not None and self.beams < 1:
            raise ConfigError(f"beams must be at least 1, got {self.beams}")
        if self.batch_tokens < 1:
            raise ConfigError(f"batch_tokens must be at least 1, got {self.batch_tokens}")
        if self.threads < 0:
            raise ConfigError(f"threads must be 0 or more, got {self.threads}")
        if not self.output_dir.strip():
            raise ConfigError("output_dir must name a folder; it is empty")
        if not self.formats:
            raise ConfigError("formats must name at least one output format")
        if not isinstance(self.normalize, bool):
            raise ConfigError(f"normalize must be true or false, got {self.normalize!r}")

    def replace(self, **changes: Any) -> Settings:
        """Return a copy with ``changes`` applied; ``None`` values are ignored."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})


def _coerce(name: str, value: Any) -> Any:
    """Turn a TOML or environment value into the field's type."""
    field = {f.name: f for f in fields(Settings)}[name]
    kind = str(field.type)
    try:
        if kind.startswith("tuple"):
            if isinstance(value, str):
                value = [v for v in (p.strip() for p in value.split(",")) if v]
            return tuple(str(v) for v in value)
        if kind.startswith("bool"):
            if isinstance(value, bool):
                return value
            word = str(value).strip().lower()
            if word not in _BOOLEANS:
                raise ConfigError(
                    f"setting {name!r} has an invalid value {value!r}; "
                    f"expected one of: {', '.join(_BOOLEANS)}"
                )
            return _BOOLEANS[word]
        if kind.startswith("int"):
            if isinstance(value, bool):
                raise ValueError(value)
            return int(value)
        return None if value == "" and "None" in kind else str(value)
    except (TypeError, ValueError):
        raise ConfigError(f"setting {name!r} has an invalid value {value!r}") from None


def _check_keys(source: str, values: Mapping[str, Any]) -> None:
    known = {f.name for f in fields(Settings)}
    for key in values:
        if key not in known:
            raise ConfigError(
                f"{source}: unknown setting {key!r}; expected one of: {', '.join(sorted(known))}"
            )


def read_toml(path: Path) -> dict[str, Any]:
    """Read a settings file; keys may sit at the top level or under ``[translate]``."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc}") from None
    data = data.get("translate", data)
    _check_keys(str(path), data)
    return {k: _coerce(k, v) for k, v in data.items()}


def from_env(environ: Mapping[str, str]) -> dict[str, Any]:
    """Collect ``TRANSLATE_<FIELD>`` overrides, e.g. ``TRANSLATE_MODEL``."""
    out: dict[str, Any] = {}
    for f in fields(Settings):
        raw = environ.get(ENV_PREFIX + f.name.upper())
        if raw is not None:
            out[f.name] = _coerce(f.name, raw)
    return out


def load_settings(
    config: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Build the settings for a run: defaults < file < environment < overrides.

    Args:
        config: A TOML file, or None for none.
        overrides: Values from the command line; ``None`` means "not given".
        environ: The environment to read (``os.environ`` by default).
    """
    values: dict[str, Any] = {}
    if config is not None:
        values.update(read_toml(config))
    values.update(from_env(os.environ if environ is None else environ))
    given = {k: v for k, v in (overrides or {}).items() if v is not None}
    _check_keys("overrides", given)
    values.update(given)
    return Settings(**values)
