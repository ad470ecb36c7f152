"""The CTranslate2 conversion cache: one converted model per model, revision and quantization.

The first run converts the model directory with CTranslate2's
``TransformersConverter`` (which needs torch and transformers) and caches the
result; every later run finds the entry and loads it without torch or
transformers.

Cache layout (the root is ``$TRANSLATE_CACHE_DIR``, else
``platformdirs.user_cache_dir("translate-cli")``)::

    <root>/ct2/<model>/<revision>/<quantization>/
        model.bin  config.json  shared_vocabulary.json    CTranslate2's files
        hf/        source.spm target.spm vocab.json, tokenizer and generation JSON
        translate-cli.json                                written last: the entry is complete

``<model>`` is the hub id with ``/`` turned into ``--`` (``local--<folder>``
for a local directory), ``<revision>`` the hub commit or the local content
fingerprint, ``<quantization>`` the compute type. A conversion writes into a
``.tmp-*`` folder beside the entry and renames it into place, so a killed run
leaves no half entry, and two runs converting at once both succeed (the
second rename loses and its copy is dropped).

The conversion swaps CTranslate2's Marian loader for one that keeps a learnt
decoder-start embedding (see :func:`_start_token_loader`). That goes through
the private registry ``ctranslate2.converters.transformers._MODEL_LOADERS``,
which is why ``pyproject.toml`` bounds ``ctranslate2`` from above and
:func:`converter_internals` fails with a clear message when the registry
changes.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

from ..errors import ModelError, TranslateError
from ..models import ModelSource, load_error
from .marian_files import TOKENIZER_FILES, read_tokenizer_files

CACHE_ENV = "TRANSLATE_CACHE_DIR"
MANIFEST = "translate-cli.json"
# Bump when the entry layout changes: older entries are then converted again.
CACHE_FORMAT = 2
# A temporary conversion folder older than this was left by a killed run.
_STALE_SECONDS = 24 * 3600
# CTranslate2's private loader registry that the conversion patches, and the
# names it must hold (module attribute, registry key, loader classes).
LOADER_REGISTRY = "ctranslate2.converters.transformers._MODEL_LOADERS"
_MARIAN_CONFIG = "MarianConfig"
_LOADER_METHODS = ("get_model_spec", "set_config", "set_decoder", "get_vocabulary")
# The versions whose internals were checked; pyproject.toml says the same.
SUPPORTED_CTRANSLATE2 = ">=4.3,<4.9"


def cache_root() -> Path:
    """The cache folder: ``$TRANSLATE_CACHE_DIR``, else the user cache dir."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("translate-cli"))


def _safe(part: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", part).strip("-.") or "model"


def entry_path(source: ModelSource, quantization: str, root: Path | None = None) -> Path:
    """Where the converted model for ``source`` at ``quantization`` lives."""
    if source.revision.startswith("local-"):
        model = "local--" + _safe(Path(source.path).resolve().name)
    else:
        model = "--".join(_safe(p) for p in source.name.split("/"))
    return (root or cache_root()) / "ct2" / model / _safe(source.revision) / _safe(quantization)


def read_manifest(entry: Path) -> dict[str, Any] | None:
    """The entry's manifest if the entry is complete and current, else None.

    Args:
        entry: A cache entry folder, as :func:`entry_path` names it.

    Returns:
        The manifest's keys (``format``, ``model``, ``revision``,
        ``quantization``, ``ctranslate2``, ``pad_in_vocabulary``…), or None
        when the manifest or ``model.bin`` is missing or of an older format.
    """
    try:
        manifest = json.loads((entry / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict):
        return None
    if manifest.get("format") != CACHE_FORMAT or not (entry / "model.bin").is_file():
        return None
    return manifest


def _target_vocabulary(entry: Path) -> list[str]:
    """CTranslate2's target vocabulary as converted (JSON list, or text in old versions)."""
    for name in ("shared_vocabulary", "target_vocabulary"):
        path = entry / f"{name}.json"
        if path.is_file():
            words: list[str] = json.loads(path.read_text(encoding="utf-8"))
            return words
        path = entry / f"{name}.txt"
        if path.is_file():
            return path.read_text(encoding="utf-8").split("\n")
    return []


def _sweep_stale(parent: Path) -> None:
    """Remove temporary folders that killed conversions left behind."""
    now = time.time()
    for path in parent.glob(".tmp-*"):
        try:
            if now - path.stat().st_mtime > _STALE_SECONDS:
                shutil.rmtree(path, ignore_errors=True)
        except OSError:
            pass


def convert(source: ModelSource, quantization: str, root: Path | None = None) -> Path:
    """Return the cached CTranslate2 model for ``source``, converting it on first use.

    Only the first call for a given model, revision and quantization imports
    torch and transformers; later calls find the entry and return at once.

    Raises:
        ModelError: The model cannot be converted.
    """
    entry = entry_path(source, quantization, root)
    if read_manifest(entry) is not None:
        return entry
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        _sweep_stale(entry.parent)
        work = Path(tempfile.mkdtemp(prefix=f".tmp-{entry.name}-", dir=entry.parent))
    except OSError as exc:
        raise ModelError(
            f"cannot write the CTranslate2 cache in {entry.parent}: {exc.strerror or exc}; "
            f"set {CACHE_ENV} to a writable folder"
        ) from None
    try:
        staged = work / "model"
        seconds = _run_converter(source, staged, quantization)
        hf = staged / "hf"
        hf.mkdir()
        for name in TOKENIZER_FILES:
            if (source.path / name).is_file():
                shutil.copy2(source.path / name, hf / name)
        tokens = read_tokenizer_files(hf)
        manifest = {
            "format": CACHE_FORMAT,
            "model": source.name,
            "revision": source.revision,
            "quantization": quantization,
            "ctranslate2": _ct2_version(),
            "converted_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "conversion_seconds": round(seconds, 2),
            # The converter drops <pad> from the vocabulary when it is the last
            # token (opus-mt), so it cannot be generated; otherwise we ban it.
            "pad_in_vocabulary": tokens.pad_token in _target_vocabulary(staged),
        }
        (staged / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        _publish(staged, entry, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return entry


def _publish(staged: Path, entry: Path, work: Path) -> None:
    """Rename the finished conversion into place; a concurrent winner is kept."""
    if entry.exists() and read_manifest(entry) is None:
        # An incomplete or outdated entry (not one of ours mid-write: those
        # live in .tmp-* folders). Move it aside so the rename can land.
        with contextlib.suppress(OSError):
            os.rename(entry, work / "outdated")
    try:
        os.rename(staged, entry)
    except OSError:
        if read_manifest(entry) is None:
            raise ModelError(f"{entry}: cannot write the converted model") from None
        # Another run converted the same model meanwhile; its copy is as good.


def _ct2_version() -> str:
    import ctranslate2

    return str(ctranslate2.__version__)


def converter_internals() -> tuple[dict[str, Any], type, type]:
    """CTranslate2's private Marian loader registry and the classes it holds.

    Returns:
        The registry (config class name to loader instance), the
        ``MarianMTLoader`` class and the ``BartLoader`` class.

    Raises:
        ModelError: The installed CTranslate2 no longer has the registry, its
            ``MarianConfig`` entry, or a loader class or method the conversion
            overrides. The message names :data:`LOADER_REGISTRY` and the
            installed version, so that a CTranslate2 upgrade past the bound in
            ``pyproject.toml`` fails loudly instead of converting wrongly.
    """
    from ctranslate2.converters import transformers as ct2_transformers

    registry = getattr(ct2_transformers, "_MODEL_LOADERS", None)
    marian = getattr(ct2_transformers, "MarianMTLoader", None)
    bart = getattr(ct2_transformers, "BartLoader", None)
    problems = []
    if not isinstance(registry, dict):
        problems.append(f"{LOADER_REGISTRY} is gone")
    elif not isinstance(registry.get(_MARIAN_CONFIG), marian or ()):
        problems.append(f"{LOADER_REGISTRY}[{_MARIAN_CONFIG!r}] is no MarianMTLoader")
    for name, cls in (("MarianMTLoader", marian), ("BartLoader", bart)):
        missing = [m for m in _LOADER_METHODS if not callable(getattr(cls, m, None))]
        if cls is None or missing:
            problems.append(f"{name} lacks {', '.join(missing) or 'itself'}")
    if problems:
        raise ModelError(
            f"ctranslate2 {_ct2_version()} changed the private converter internals that "
            f"translate-cli patches ({'; '.join(problems)}); "
            f"install a supported version: pip install 'ctranslate2{SUPPORTED_CTRANSLATE2}'"
        )
    return registry, marian, bart  # type: ignore[return-value]


def _run_converter(source: ModelSource, out: Path, quantization: str) -> float:
    """Convert; returns the seconds it took, torch and transformers imports included.

    Raises:
        ModelError: The converter internals changed (see
            :func:`converter_internals`) or the conversion failed.
    """
    start = time.perf_counter()
    from ctranslate2.converters import TransformersConverter
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    registry, marian, bart = converter_internals()
    standard = registry[_MARIAN_CONFIG]
    registry[_MARIAN_CONFIG] = _start_token_loader(marian, bart)
    try:
        with warnings.catch_warnings():
            # transformers' Python warnings (defaults used, deprecations) stay off stderr.
            warnings.simplefilter("ignore")
            TransformersConverter(str(source.path)).convert(str(out), quantization=quantization)
    except TranslateError:
        raise
    except Exception as exc:  # a broken file fails in many ways; one line names it
        raise load_error(source.name, exc, "cannot convert for CTranslate2") from None
    finally:
        registry[_MARIAN_CONFIG] = standard
    return time.perf_counter() - start


def _start_token_loader(marian: Any, bart: Any) -> Any:
    """CTranslate2's Marian loader, made right for a learnt decoder-start embedding.

    CTranslate2 assumes a Marian decoder starts from a zero vector, which holds
    for models converted from Marian (opus-mt: the ``<pad>`` row that
    transformers uses as decoder start is all zeros), and drops ``<pad>`` from
    the vocabulary. A model trained or fine-tuned with transformers may have
    learnt a non-zero ``<pad>`` row (the project's copy model has), and the
    standard conversion then translates differently from transformers. For such
    a model the start token is embedded like any other and ``<pad>`` stays in
    the vocabulary; the engine suppresses it so it is never generated.
    """

    class MarianStartTokenLoader(marian):  # type: ignore[misc]
        keep_start = False

        def get_model_spec(self, model: Any) -> Any:
            start = model.config.decoder_start_token_id
            row = model.get_decoder().embed_tokens.weight[start]
            self.keep_start = bool(row.abs().max() > 0)
            if not self.keep_start:
                return super().get_model_spec(model)
            model.config.normalize_before = False
            model.config.normalize_embedding = False
            return bart.get_model_spec(self, model)

        def set_config(self, config: Any, model: Any, tokenizer: Any) -> None:
            super().set_config(config, model, tokenizer)
            if self.keep_start:
                start = model.config.decoder_start_token_id
                config.decoder_start_token = tokenizer.convert_ids_to_tokens(start)

        def set_decoder(self, spec: Any, decoder: Any) -> None:
            super().set_decoder(spec, decoder)
            if self.keep_start:
                spec.start_from_zero_embedding = False

        def get_vocabulary(self, model: Any, tokenizer: Any) -> Any:
            if self.keep_start:
                return bart.get_vocabulary(self, model, tokenizer)
            return super().get_vocabulary(model, tokenizer)

    return MarianStartTokenLoader()


__all__ = [
    "CACHE_ENV",
    "LOADER_REGISTRY",
    "MANIFEST",
    "SUPPORTED_CTRANSLATE2",
    "cache_root",
    "convert",
    "converter_internals",
    "entry_path",
    "read_manifest",
]
