"""Finding the model's files: a local directory, or a hub id fetched once.

Both engines work from a local directory. A hub id is resolved through
``huggingface_hub.snapshot_download``, which downloads on first use and then
answers from the cache, and which honours ``HF_HUB_OFFLINE=1``. Failing that,
the user gets one line saying how to use a local copy instead.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ModelError

# Files a Marian model needs; anything else in a hub repo (TF/Flax weights,
# READMEs, other formats) is not downloaded.
MODEL_FILES = (
    "config.json",
    "generation_config.json",
    "*.safetensors",
    "pytorch_model.bin",
    "*.spm",
    "vocab.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
)
_FINGERPRINT_EDGE = 1 << 20
# What a Marian folder must hold for both engines: its config, the tokenizer files
# and one weight file; checked before any engine is loaded.
REQUIRED_FILES = ("config.json", "source.spm", "target.spm", "vocab.json")
# JSON files of a Marian folder that must hold an object when present.
JSON_OBJECT_FILES = (
    "config.json",
    "tokenizer_config.json",
    "generation_config.json",
    "special_tokens_map.json",
    "vocab.json",
    "target_vocab.json",
)
# How much of a loader's error message a one-line ModelError keeps.
_CAUSE_CHARS = 200
WEIGHT_PATTERNS = ("*.safetensors", "pytorch_model.bin")
# The console command huggingface_hub (1.x and later) installs for downloads.
HUB_COMMAND = "hf"


@dataclass(frozen=True)
class ModelSource:
    """A model ready to load.

    Attributes:
        name: The id or path the user gave.
        path: Local directory holding the model files.
        revision: Hub commit hash, or ``local-<hash>`` of the files' content.
    """

    name: str
    path: Path
    revision: str


def _looks_like_path(name: str) -> bool:
    return name.startswith((".", "/", "~")) or name.count("/") != 1 or "\\" in name


def fingerprint(directory: Path) -> str:
    """A content hash of a local model directory, cheap even for 300 MB weights.

    Small files are hashed whole; large ones by size plus their first and last
    megabyte, which changes whenever the weights are retrained or re-quantised.
    """
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.iterdir() if p.is_file()):
        size = path.stat().st_size
        digest.update(f"{path.name}\0{size}\0".encode())
        with path.open("rb") as fh:
            if size <= 2 * _FINGERPRINT_EDGE:
                digest.update(fh.read())
            else:
                digest.update(fh.read(_FINGERPRINT_EDGE))
                fh.seek(-_FINGERPRINT_EDGE, 2)
                digest.update(fh.read())
    return "local-" + digest.hexdigest()[:16]


def _offline_hint(name: str, revision: str | None = None) -> str:
    """The one-line error for a hub model that cannot be fetched, with the command to fetch it.

    Args:
        name: The hub id, such as ``Helsinki-NLP/opus-mt-fr-en``.
        revision: The branch, tag or commit the user asked for; the command
            carries it as ``--revision`` so the copy is the one asked for.
    """
    folder = name.rsplit("/", 1)[-1]
    pinned = f" --revision {revision}" if revision else ""
    return (
        f"cannot get model {name!r} from the Hugging Face Hub (offline or unreachable). "
        f"On a machine with network run `{HUB_COMMAND} download {name}{pinned} --local-dir "
        f"./{folder}`, copy that folder here and pass --model ./{folder}"
    )


def check_model_dir(path: Path, name: str | None = None) -> None:
    """Check that a folder holds a Marian model both engines can load.

    Args:
        path: The folder (a local model, or a downloaded hub snapshot).
        name: What the user called it, for the message; ``path`` by default.

    Raises:
        ModelError: ``path`` is a file, or lacks ``config.json``,
            ``source.spm``, ``target.spm``, ``vocab.json`` or a weight file
            (``*.safetensors`` or ``pytorch_model.bin``), or its
            ``config.json`` names another ``model_type`` than ``marian``, or
            one of :data:`JSON_OBJECT_FILES` present is not a JSON object.
            The message names everything missing at once.
    """
    label = name or str(path)
    if path.is_file():
        raise ModelError(f"{label}: is a file; --model takes a model folder or a hub id")
    missing = [f for f in REQUIRED_FILES if not (path / f).is_file()]
    if not any(w.is_file() for pattern in WEIGHT_PATTERNS for w in path.glob(pattern)):
        missing.append(" or ".join(WEIGHT_PATTERNS) + " (weights)")
    if missing:
        raise ModelError(f"{label}: not a Marian model folder: missing {', '.join(missing)}")
    for json_name in JSON_OBJECT_FILES:
        _check_json_object(path / json_name, label)
    model_type = read_json(path / "config.json").get("model_type")
    if model_type != "marian":
        raise ModelError(
            f"{label}: config.json has model_type {model_type!r}; "
            "translate-cli runs Marian models (model_type 'marian') only"
        )


def _check_json_object(path: Path, label: str) -> None:
    """Raise a one-line ModelError unless ``path`` is absent or a JSON object."""
    if not path.is_file():
        return
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{label}: {path.name} is unreadable: {short_cause(exc)}") from None
    if not isinstance(data, dict):
        raise ModelError(f"{label}: {path.name} holds a JSON {type(data).__name__}, not an object")


def short_cause(exc: BaseException) -> str:
    """An exception as one line of at most about 200 characters.

    A weight/config size mismatch from transformers (whose details go to a
    load report we silence) is named as such, so the line stands on its own.
    """
    text = " ".join(str(exc).split())
    if "ignore_mismatched_sizes" in text or "size mismatch" in text:
        return (
            "weights do not match config.json (size mismatch between the weight "
            "file's tensors and the shapes config.json describes)"
        )
    text = text.replace("For details look at the above report!", "").strip()
    text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    if len(text) > _CAUSE_CHARS:
        text = text[: _CAUSE_CHARS - 3].rstrip() + "..."
    return text


def load_error(name: str, exc: BaseException, what: str = "cannot load model") -> ModelError:
    """The one-line ModelError for a model that an engine failed to load."""
    return ModelError(f"{name}: {what}: {short_cause(exc)}")


def resolve_model(name: str, revision: str | None = None) -> ModelSource:
    """Locate a model's files, downloading them on first use.

    Args:
        name: A local directory, or a hub id such as ``Helsinki-NLP/opus-mt-fr-en``.
        revision: Hub branch, tag or commit; ignored for local directories.

    Raises:
        ModelError: The path is a file or a folder without a Marian model (see
            :func:`check_model_dir`), or the hub cannot be reached and the
            model is not cached.
    """
    local = Path(name).expanduser()
    if local.is_dir() or local.is_file():
        check_model_dir(local, name)
        return ModelSource(name, local, fingerprint(local))
    if _looks_like_path(name):
        raise ModelError(f"{name}: model directory not found")
    try:
        from huggingface_hub import snapshot_download
        from huggingface_hub.errors import (
            HfHubHTTPError,
            LocalEntryNotFoundError,
            RepositoryNotFoundError,
            RevisionNotFoundError,
        )
    except ImportError as exc:  # pragma: no cover - transformers always brings it
        raise ModelError(f"huggingface_hub is needed to download {name!r}: {exc}") from None
    try:
        path = Path(snapshot_download(name, revision=revision, allow_patterns=list(MODEL_FILES)))
    except RepositoryNotFoundError:
        raise ModelError(f"{name}: no such model on the Hugging Face Hub") from None
    except RevisionNotFoundError:
        raise ModelError(f"{name}: revision {revision!r} not found") from None
    except (LocalEntryNotFoundError, HfHubHTTPError, OSError):
        raise ModelError(_offline_hint(name, revision)) from None
    except Exception as exc:  # offline mode and connection errors vary across versions
        if "offline" in str(exc).lower() or "connect" in type(exc).__name__.lower():
            raise ModelError(_offline_hint(name, revision)) from None
        raise
    check_model_dir(path, name)
    return ModelSource(name, path, path.name)


def read_json(path: Path) -> dict[str, Any]:
    """Read a JSON file of the model directory, empty when absent."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path}: unreadable model file: {short_cause(exc)}") from None
    if not isinstance(data, dict):
        raise ModelError(f"{path}: holds a JSON {type(data).__name__}, not an object")
    return data
