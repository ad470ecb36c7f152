"""Settings: every default defined once, and how overrides are layered.

Precedence, highest first: command-line flags, ``TRANSLATE_*`` environment
variables, a TOML file (``--config``), then the defaults in :class:`Settings`.
``configs/default.toml`` mirrors these defaults for documentation; a test keeps
the two in step.

:data:`OPTIONS` is the one table that ties a setting to its command-line
option, and through :func:`env_var` to its environment variable, named after
the option (``--batch-tokens``: ``TRANSLATE_BATCH_TOKENS``). The CLI's help
and the environment reader both work from it.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from .errors import ConfigError, UsageError, unknown_choice
from .vocabulary import COMPUTE_TYPES, DEVICES, ENGINES, FORMATS, INPUT_FORMATS, RUNNERS

DEFAULT_MODEL = "Helsinki-NLP/opus-mt-fr-en"
# The language pair a model is taken to translate when its files do not say
# (``source_lang``/``target_lang`` in tokenizer_config.json), and the only pair
# the sentence splitter, normalisation and review checks are tuned for.
DEFAULT_SOURCE_LANG = "fr"
DEFAULT_TARGET_LANG = "en"
ENV_PREFIX = "TRANSLATE_"
# Each setting's command-line option. Its environment variable is the
# option's name after ENV_PREFIX (env_var), so the two cannot drift apart.
OPTIONS: dict[str, str] = {
    "model": "--model",
    "revision": "--revision",
    "engine": "--engine",
    "device": "--device",
    "compute_type": "--compute-type",
    "beams": "--beams",
    "batch_tokens": "--batch-tokens",
    "threads": "--threads",
    "formats": "--format",
    "output_dir": "--output-dir",
    "globs": "--glob",
    "input_format": "--input-format",
    "memory": "--tm",
    "normalize": "--normalize",
    "glossaries": "--glossary",
    "dnt": "--dnt",
    "runner": "--runner",
    "ray_address": "--ray-address",
    "workers": "--workers",
    "gpus_per_worker": "--gpus-per-worker",
}
# Settings that hold file paths. In a config file, a relative path is read
# from the file's folder (and one path may stand alone, not in a list); in the
# environment, several paths are separated by os.pathsep (":" on Linux and
# macOS, ";" on Windows), since a path may hold a comma.
PATH_LISTS = frozenset({"glossaries", "dnt"})
# ``--config FILE`` read from the environment when the option is not given.
CONFIG_ENV = ENV_PREFIX + "CONFIG"
# Variables the tool reads that are not settings, so they draw no warning.
# TRANSLATE_CACHE_DIR is engines.ct2_cache.CACHE_ENV (a test keeps them equal;
# config sits below the engines and cannot import it).
OTHER_ENV_VARS = (CONFIG_ENV, ENV_PREFIX + "CACHE_DIR")
# Other names of output formats: the XLIFF files end in .xlf.
FORMAT_ALIASES = {"xlf": "xliff"}
# ``--format all``: every registered output format.
ALL_FORMATS = "all"
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
    # Glossaries: the English a French term requires. .tsv/.csv files with
    # columns fr, en and optionally note, or .tbx term bases; a later file's
    # term wins (see glossary.Glossary.load).
    glossaries: tuple[str, ...] = ()
    # Do-not-translate lists: UTF-8 text files, one French term per line,
    # kept as written in the translation; read after the glossaries.
    dnt: tuple[str, ...] = ()
    # Who runs the corpus: "local" (this process) or "ray" (a Ray Data
    # pipeline: ray_runner.py, with the optional extra translate-cli[ray]).
    runner: str = "local"
    # The Ray cluster to join ("ray://host:10001", "auto"); empty: Ray's own
    # RAY_ADDRESS variable, else a new local cluster for the run.
    ray_address: str = ""
    # Ray workers (one model each): "N", "MIN-MAX" (the pool grows and
    # shrinks between them), or "auto": 1 to the cluster's CPUs / threads.
    workers: str = "auto"
    # GPUs each Ray worker holds; fractions share a GPU (0.5: two per GPU).
    gpus_per_worker: float = 0.0

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise unknown_choice("engine", self.engine, ENGINES)
        if self.device not in DEVICES:
            raise unknown_choice("device", self.device, DEVICES)
        if self.compute_type not in COMPUTE_TYPES:
            raise unknown_choice("compute type", self.compute_type, COMPUTE_TYPES)
        if self.input_format != "auto" and self.input_format not in INPUT_FORMATS:
            raise unknown_choice("input format", self.input_format, ("auto", *INPUT_FORMATS))
        object.__setattr__(self, "formats", format_names(self.formats))
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
        if self.runner not in RUNNERS:
            raise unknown_choice("runner", self.runner, RUNNERS)
        worker_range(self.workers)
        if not isinstance(self.gpus_per_worker, int | float) or self.gpus_per_worker < 0:
            raise ConfigError(f"gpus_per_worker must be 0 or more, got {self.gpus_per_worker!r}")
        for name in sorted(PATH_LISTS):
            paths = getattr(self, name)
            paths = (paths,) if isinstance(paths, str | os.PathLike) else tuple(paths)
            paths = tuple(os.fspath(p) for p in paths)
            if any(not p.strip() for p in paths):
                raise ConfigError(f"{name}: a path is empty")
            object.__setattr__(self, name, paths)

    def replace(self, **changes: Any) -> Settings:
        """Return a copy with ``changes`` applied; ``None`` values are ignored."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})


def worker_range(workers: str) -> tuple[int, int] | None:
    """The pool size a ``workers`` setting asks for.

    Args:
        workers: ``"N"``, ``"MIN-MAX"`` or ``"auto"``.

    Returns:
        ``(N, N)``, ``(MIN, MAX)``, or None for ``auto`` (the Ray runner
        then takes 1 to the cluster's CPUs divided by the threads per worker).

    Raises:
        ConfigError: Not of those forms, a count below 1, or MIN above MAX.
    """
    text = str(workers).strip()
    if text == "auto":
        return None
    low, dash, high = text.partition("-")
    try:
        first, last = int(low), int(high if dash else low)
    except ValueError:
        raise ConfigError(
            f"workers must be N, MIN-MAX or auto (e.g. 4 or 2-8), got {workers!r}"
        ) from None
    if first < 1 or last < first:
        raise ConfigError(f"workers must be at least 1, and MIN at most MAX, got {workers!r}")
    return first, last


def format_names(names: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Output format names as the writer registry spells them, each once, in order given.

    Names are case-insensitive, :data:`FORMAT_ALIASES` are accepted (``xlf``),
    and ``all`` stands for every format of :data:`vocabulary.FORMATS
    <translate_cli.vocabulary.FORMATS>` (which lists exactly the registered
    writers), so a new writer is covered without a change here.

    Raises:
        UsageError: A name is no format, listing the valid ones.
    """
    out: list[str] = []
    for raw in names:
        name = str(raw).strip().lower()
        name = FORMAT_ALIASES.get(name, name)
        if name == ALL_FORMATS:
            found: tuple[str, ...] = FORMATS
        elif name in FORMATS:
            found = (name,)
        else:
            raise unknown_choice("format", str(raw), (*FORMATS, ALL_FORMATS, *FORMAT_ALIASES))
        out += [f for f in found if f not in out]
    return tuple(out)


def env_var(option: str) -> str:
    """The environment variable of a command-line option: ``--batch-tokens`` gives
    ``TRANSLATE_BATCH_TOKENS``."""
    return ENV_PREFIX + option.lstrip("-").upper().replace("-", "_")


# Environment variable -> setting, from OPTIONS.
ENV_VARS: dict[str, str] = {env_var(option): name for name, option in OPTIONS.items()}
# The names read before variables followed the options: the setting's own name
# (TRANSLATE_FORMATS, TRANSLATE_GLOBS, TRANSLATE_MEMORY), still read, below
# the option's. Settings added since have only the option's variable.
LEGACY_ENV_VARS: dict[str, str] = {
    ENV_PREFIX + name.upper(): name for name in ("formats", "globs", "memory")
}


def _field_kinds() -> dict[str, str]:
    return {f.name: str(f.type) for f in fields(Settings)}


def _coerce(name: str, value: Any) -> Any:
    """Turn a TOML or environment value into the field's type.

    A text for a list of paths (:data:`PATH_LISTS`) comes from the environment
    and is split on :data:`os.pathsep`; a config file's single path was made a
    list by :func:`read_toml` first.

    Raises:
        ValueError: The value has the wrong type or shape; the message says
            what was expected.
    """
    kind = _field_kinds()[name]
    if name in PATH_LISTS:
        if isinstance(value, str):
            return tuple(p for p in value.split(os.pathsep) if p.strip())
        if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise ValueError("expected a path or a list of paths")
    if kind.startswith("tuple"):
        if isinstance(value, str):
            return tuple(v for v in (p.strip() for p in value.split(",")) if v)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
        raise ValueError("expected a list of names, or a comma list")
    if kind.startswith("bool"):
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if not isinstance(value, str) or word not in _BOOLEANS:
            raise ValueError(f"expected one of: {', '.join(_BOOLEANS)}")
        return _BOOLEANS[word]
    if name == "workers" and isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # workers = 4 in TOML, as well as "2-8"
    if kind.startswith("float"):
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value.strip())
            except ValueError:
                pass
        raise ValueError("expected a number")
    if kind.startswith("int"):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                pass
        raise ValueError("expected a whole number")
    if not isinstance(value, str):
        raise ValueError("expected a text")
    return None if value == "" and "None" in kind else value


def _setting(source: str, key: str, name: str, value: Any) -> Any:
    """One value of a file or the environment, coerced and checked on its own.

    Each check of :class:`Settings` concerns one field, so building a
    Settings with this value alone finds a bad one, and the message can name
    where it came from.

    Args:
        source: The file, or ``environment variable NAME``.
        key: The key as written there (the file's key, or the variable).
        name: The setting.
        value: The raw value.

    Raises:
        ConfigError: ``SOURCE: KEY: problem``, on one line.
    """
    try:
        value = _coerce(name, value)
        Settings(**{name: value})
    except (ValueError, UsageError) as exc:
        problem = f"invalid value {value!r}; {exc}" if isinstance(exc, ValueError) else str(exc)
        raise ConfigError(f"{source}: {key}: {problem}") from None
    return value


def _closest(name: str, choices: Iterable[str], quote: bool = False, prefix: str = "") -> str:
    """``; did you mean X?`` for the nearest choice (``prefix`` + it), or "" when none is near."""
    near = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    if not near:
        return ""
    found = prefix + near[0]
    return f"; did you mean {found!r}?" if quote else f"; did you mean {found}?"


def read_toml(path: Path) -> dict[str, Any]:
    """Read a settings file: keys at the top level, or all under ``[translate]``.

    Raises:
        ConfigError: One line naming the file and the key: the file is
            missing or not TOML, a key sits outside ``[translate]`` when that
            table exists, a key is no setting, or a value is bad.
    """
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc}") from None
    if "translate" in data:
        table = data["translate"]
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: translate: expected a [translate] table")
        outside = [k for k in data if k != "translate"]
        if outside:
            raise ConfigError(
                f"{path}: {outside[0]}: outside the [translate] table; "
                "put every setting under [translate] (or drop the table)"
            )
        data = table
    known = [f.name for f in fields(Settings)]
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            flag = "--" + key.replace("_", "-")
            named = [name for name, option in OPTIONS.items() if option == flag]
            hint = (
                f"; the {OPTIONS[named[0]]} option is the setting {named[0]!r}"
                if named
                else _closest(key, known, quote=True)
            )
            raise ConfigError(
                f"{path}: unknown setting {key!r}{hint}; "
                f"expected one of: {', '.join(sorted(known))}"
            )
        if key in PATH_LISTS:
            value = _paths_from(path, value)
        out[key] = _setting(str(path), key, key, value)
    return out


def _paths_from(config: Path, value: Any) -> Any:
    """A path setting of a config file, its relative paths read from the file's folder.

    Args:
        config: The config file.
        value: The raw TOML value: one path, or a list of paths.

    Returns:
        A list of paths (``~`` expanded; relative ones joined to the
        config file's folder), or ``value`` unchanged when it is no text nor
        list of texts, for :func:`_setting` to refuse.
    """
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
        return value
    out = []
    for item in items:
        if not item.strip():
            out.append(item)  # refused by Settings, naming the key
            continue
        found = Path(item).expanduser()
        out.append(str(found if found.is_absolute() else config.parent / found))
    return out


def from_env(environ: Mapping[str, str]) -> dict[str, Any]:
    """Collect settings from ``TRANSLATE_*`` variables (:data:`ENV_VARS`).

    A variable named after the option wins over the setting's older name
    (:data:`LEGACY_ENV_VARS`).

    Raises:
        ConfigError: ``environment variable NAME: setting: problem``.
    """
    out: dict[str, Any] = {}
    for var, name in [*ENV_VARS.items(), *LEGACY_ENV_VARS.items()]:
        raw = environ.get(var)
        if raw is not None and name not in out:
            out[name] = _setting(f"environment variable {var}", name, name, raw)
    return out


def unknown_env_vars(environ: Mapping[str, str]) -> list[str]:
    """One warning per ``TRANSLATE_*`` variable the tool does not read.

    Returns:
        ``unknown environment variable NAME ignored; did you mean OTHER?``
        lines (the suggestion only when a known name is close), sorted.
    """
    known = [*ENV_VARS, *LEGACY_ENV_VARS, *OTHER_ENV_VARS]
    # Compared without the shared prefix, which would make any two names look close.
    suffixes = [k.removeprefix(ENV_PREFIX) for k in known]
    lines = []
    for var in sorted(environ):
        if var.startswith(ENV_PREFIX) and var not in known:
            near = _closest(var.removeprefix(ENV_PREFIX), suffixes, prefix=ENV_PREFIX)
            lines.append(f"unknown environment variable {var} ignored{near}")
    return lines


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

    Raises:
        ConfigError: The file or an environment variable holds a bad key or
            value (one line naming the file or variable, and the key).
        UsageError: A command-line value is bad.
    """
    values: dict[str, Any] = {}
    if config is not None:
        values.update(read_toml(config))
    values.update(from_env(os.environ if environ is None else environ))
    given = {k: v for k, v in (overrides or {}).items() if v is not None}
    known = {f.name for f in fields(Settings)}
    for key in given:
        if key not in known:
            raise ConfigError(f"overrides: unknown setting {key!r}")
    values.update(given)
    return Settings(**values)
