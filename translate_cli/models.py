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


def _offline_hint(name: str) -> str:
    return (
        f"cannot get model {name!r} from the Hugging Face Hub (offline or unreachable). "
        f"On a machine with network run `huggingface-cli download {name} --local-dir "
        f"./{name.rsplit('/', 1)[-1]}`, copy that folder here and pass "
        f"--model ./{name.rsplit('/', 1)[-1]}"
    )


def resolve_model(name: str, revision: str | None = None) -> ModelSource:
    """Locate a model's files, downloading them on first use.

    Args:
        name: A local directory, or a hub id such as ``Helsinki-NLP/opus-mt-fr-en``.
        revision: Hub branch, tag or commit; ignored for local directories.

    Raises:
        ModelError: The directory does not hold a model, or the hub cannot be
            reached and the model is not cached.
    """
    local = Path(name).expanduser()
    if local.is_dir():
        if not (local / "config.json").is_file():
            raise ModelError(f"{name}: not a model directory (no config.json)")
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
        raise ModelError(_offline_hint(name)) from None
    except Exception as exc:  # offline mode and connection errors vary across versions
        if "offline" in str(exc).lower() or "connect" in type(exc).__name__.lower():
            raise ModelError(_offline_hint(name)) from None
        raise
    return ModelSource(name, path, path.name)


def read_json(path: Path) -> dict:
    """Read a JSON file of the model directory, empty when absent."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path}: unreadable model file: {exc}") from None
