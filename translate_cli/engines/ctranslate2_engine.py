"""MarianMT through CTranslate2: the fast engine, same weights as the reference.

The first run converts the model directory with CTranslate2's
``TransformersConverter`` (which needs torch and transformers) and caches the
result; every later run loads the cached model and tokenizes with
``sentencepiece`` alone, so it never imports torch or transformers. That "lean
path" is what makes this engine start in a fraction of a second.

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

Generation settings come from the model's ``generation_config.json``, mapped
to CTranslate2's options by :func:`ct2_options` (see there); ``--beams``
overrides only the beam count, as in the transformers engine.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import ctranslate2
import sentencepiece

from ..config import Settings
from ..document import Hypothesis
from ..errors import EngineError, ModelError, unknown_choice
from ..models import ModelSource, read_json
from .marian_files import (
    TOKENIZER_FILES,
    Generation,
    max_input_tokens,
    read_generation,
    read_tokenizer_files,
)

CACHE_ENV = "TRANSLATE_CACHE_DIR"
MANIFEST = "translate-cli.json"
# Bump when the entry layout changes: older entries are then converted again.
CACHE_FORMAT = 2
# A temporary conversion folder older than this was left by a killed run.
_STALE_SECONDS = 24 * 3600
SPIECE_UNDERLINE = "▁"

COMPUTE_TYPES = (
    "auto",
    "int8",
    "int8_float32",
    "int8_float16",
    "int8_bfloat16",
    "int16",
    "float16",
    "bfloat16",
    "float32",
)
# What ``auto`` picks, best first; float32 always works.
_AUTO_COMPUTE = {"cpu": ("int8", "float32"), "cuda": ("int8_float16", "float16", "float32")}


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


def _read_manifest(entry: Path) -> dict[str, Any] | None:
    """The entry's manifest if the entry is complete and current, else None."""
    try:
        manifest = json.loads((entry / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if manifest.get("format") != CACHE_FORMAT or not (entry / "model.bin").is_file():
        return None
    return manifest


def _target_vocabulary(entry: Path) -> list[str]:
    """CTranslate2's target vocabulary as converted (JSON list, or text in old versions)."""
    for name in ("shared_vocabulary", "target_vocabulary"):
        path = entry / f"{name}.json"
        if path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))
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
    if _read_manifest(entry) is not None:
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
            "ctranslate2": ctranslate2.__version__,
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
    if entry.exists() and _read_manifest(entry) is None:
        # An incomplete or outdated entry (not one of ours mid-write: those
        # live in .tmp-* folders). Move it aside so the rename can land.
        with contextlib.suppress(OSError):
            os.rename(entry, work / "outdated")
    try:
        os.rename(staged, entry)
    except OSError:
        if _read_manifest(entry) is None:
            raise ModelError(f"{entry}: cannot write the converted model") from None
        # Another run converted the same model meanwhile; its copy is as good.


def _run_converter(source: ModelSource, out: Path, quantization: str) -> float:
    """Convert; returns the seconds it took, torch and transformers imports included."""
    start = time.perf_counter()
    from ctranslate2.converters import TransformersConverter
    from ctranslate2.converters import transformers as ct2_transformers
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    loaders = getattr(ct2_transformers, "_MODEL_LOADERS", {})
    standard = loaders.get("MarianConfig")
    if standard is not None:
        loaders["MarianConfig"] = _start_token_loader(ct2_transformers)
    try:
        TransformersConverter(str(source.path)).convert(str(out), quantization=quantization)
    except (OSError, ValueError, KeyError, NotImplementedError, RuntimeError) as exc:
        raise ModelError(f"{source.name}: cannot convert for CTranslate2: {exc}") from None
    finally:
        if standard is not None:
            loaders["MarianConfig"] = standard
    return time.perf_counter() - start


def _start_token_loader(ct2_transformers: Any) -> Any:
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
    bart = ct2_transformers.BartLoader

    class MarianStartTokenLoader(ct2_transformers.MarianMTLoader):
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


class LeanMarianTokenizer:
    """``MarianTokenizer`` rebuilt on ``sentencepiece`` alone (no torch, no transformers).

    It reproduces transformers 5.x token for token:

    * The text is split on added tokens (``</s>``, ``<unk>``, ``<pad>``…), which
      are kept whole, as ``PreTrainedTokenizer.tokenize`` does.
    * Each other segment goes through ``MarianTokenizer._tokenize``: a leading
      language code ``>>xx<<`` is kept as one token, and the rest is encoded
      by ``source.spm``.
    * Pieces missing from ``vocab.json`` become ``<unk>``, and ``</s>`` is
      appended, which is what ``convert_ids_to_tokens(tokenizer(text).input_ids)``
      returns.
    * Decoding drops special tokens and joins pieces with SentencePiece, as
      ``decode(ids, skip_special_tokens=True)`` does. Like transformers, it
      decodes with ``source.spm`` when the vocabulary is shared
      (``separate_vocabs`` false, as in opus-mt-fr-en) and ``target.spm``
      otherwise.

    Moses punctuation normalisation is *not* applied by encoding: in
    transformers 5.x ``MarianTokenizer.__call__`` never calls its
    ``normalize`` method. :meth:`normalize` reproduces that method (sacremoses
    ``MosesPunctNormalizer`` with the tokenizer's ``source_lang``) for callers
    that want it; the engines must then both apply it to stay in step.

    Args:
        directory: A folder with source.spm, target.spm, vocab.json and the
            tokenizer JSON files.
    """

    def __init__(self, directory: Path) -> None:
        self.files = read_tokenizer_files(directory)
        vocab = read_json(directory / "vocab.json")
        if not vocab:
            raise ModelError(f"{directory}: vocab.json is missing or empty")
        if self.files.unk_token not in vocab:
            raise ModelError(f"{directory}: vocab.json has no {self.files.unk_token!r} token")
        self.vocab: dict[str, int] = vocab
        target_vocab = (
            read_json(directory / "target_vocab.json") if self.files.separate_vocabs else vocab
        )
        self.target_tokens: dict[int, str] = {i: t for t, i in target_vocab.items()}
        self._source = self._load_spm(directory / "source.spm")
        self._decoder = (
            self._load_spm(directory / "target.spm") if self.files.separate_vocabs else self._source
        )
        # Several pieces sharing one id come back as the last of them, as
        # convert_ids_to_tokens does after the dict inversion.
        inverse = {i: t for t, i in vocab.items()}
        self._alias = {t: inverse[i] for t, i in vocab.items() if inverse[i] != t}
        added = sorted(self.files.added_tokens, key=len, reverse=True)
        self._added = frozenset(added)
        self._split = re.compile("(" + "|".join(map(re.escape, added)) + ")") if added else None
        self._triggers = frozenset(t[0] for t in added) | {">"}
        self._normalizer: Any = None

    @staticmethod
    def _load_spm(path: Path) -> sentencepiece.SentencePieceProcessor:
        try:
            return sentencepiece.SentencePieceProcessor(model_file=str(path))
        except (OSError, RuntimeError) as exc:
            raise ModelError(f"{path}: cannot load SentencePiece model: {exc}") from None

    def normalize(self, text: str) -> str:
        """``MarianTokenizer.normalize``: Moses punctuation normalisation."""
        if self._normalizer is None:
            from sacremoses import MosesPunctNormalizer

            self._normalizer = MosesPunctNormalizer(self.files.source_lang).normalize
        return self._normalizer(text) if text else ""

    def _segment(self, text: str) -> list[str]:
        """``MarianTokenizer._tokenize`` on a segment free of added tokens."""
        code: list[str] = []
        if text.startswith(">>") and (end := text.find("<<")) != -1:
            code.append(text[: end + 2])
            text = text[end + 2 :]
        return code + self._source.encode(text, out_type=str)

    def tokenize(self, text: str) -> list[str]:
        """``MarianTokenizer.tokenize``: pieces before vocabulary lookup."""
        if self._split is None or not any(c in text for c in self._triggers):
            return self._source.encode(text, out_type=str) if text else []
        pieces: list[str] = []
        for part in self._split.split(text):
            if not part:
                continue
            if part in self._added:
                pieces.append(part)
            else:
                pieces.extend(self._segment(part))
        return pieces

    def _to_model(self, pieces: list[str]) -> list[str]:
        vocab, added, alias, unk = self.vocab, self._added, self._alias, self.files.unk_token
        out = [p if p in vocab or p in added else unk for p in pieces]
        if alias:
            out = [alias.get(p, p) for p in out]
        out.append(self.files.eos_token)
        return out

    def encode(self, text: str) -> list[str]:
        """Source tokens as the model sees them, ``</s>`` appended."""
        return self._to_model(self.tokenize(text))

    def encode_batch(self, texts: Sequence[str]) -> list[list[str]]:
        """:meth:`encode` for many texts; plain ones go to SentencePiece in one call."""
        plain = [i for i, t in enumerate(texts) if t and not any(c in t for c in self._triggers)]
        pieces: list[list[str] | None] = [None] * len(texts)
        if plain:
            encoded = self._source.encode([texts[i] for i in plain], out_type=str)
            for i, p in zip(plain, encoded, strict=True):
                pieces[i] = p
        return [
            self._to_model(p if p is not None else self.tokenize(t))
            for p, t in zip(pieces, texts, strict=True)
        ]

    def decode(self, tokens: Sequence[str]) -> str:
        """Target tokens to text, like ``decode(ids, skip_special_tokens=True)``."""
        special = self.files.special_tokens
        kept = [t for t in tokens if t not in special]
        text = self._decoder.decode_pieces(kept) if kept else ""
        text = text.replace(SPIECE_UNDERLINE, " ").strip()
        if self.files.clean_up_tokenization_spaces:
            text = _clean_up_tokenization(text)
        return text


def _clean_up_tokenization(text: str) -> str:
    """transformers' ``clean_up_tokenization``, for tokenizers that ask for it."""
    for old, new in (
        (" .", "."),
        (" ?", "?"),
        (" !", "!"),
        (" ,", ","),
        (" ' ", "'"),
        (" n't", "n't"),
        (" 'm", "'m"),
        (" 's", "'s"),
        (" 've", "'ve"),
        (" 're", "'re"),
    ):
        text = text.replace(old, new)
    return text


def ct2_options(
    generation: Generation,
    beams: int,
    target_tokens: Mapping[int, str],
    pad_in_vocabulary: bool = False,
    pad_token: str = "<pad>",
) -> dict[str, Any]:
    """Map a model's generation settings onto ``Translator.translate_batch`` options.

    =========================  ===============================================
    generation_config.json     CTranslate2
    =========================  ===============================================
    num_beams                  ``beam_size`` (``--beams`` overrides)
    max_new_tokens             ``max_decoding_length`` = max_new_tokens, minus
                               1 when ``forced_eos_token_id`` is the EOS: the
                               last step is then ``</s>``, which CTranslate2
                               does not return
    max_length                 as max_new_tokens = max_length - 1 (transformers
                               counts the decoder start token); 20 if unset
    min_new_tokens             ``min_decoding_length`` (0 allows an empty
                               output, as transformers does; capped by the max)
    min_length                 as min_new_tokens = min_length - 1
    length_penalty             ``length_penalty``: both divide the summed
                               log-probability by length ** penalty
    repetition_penalty         ``repetition_penalty`` (same CTRL rule)
    no_repeat_ngram_size       ``no_repeat_ngram_size``
    bad_words_ids              ``suppress_sequences`` as token strings. The pad
                               token needs none: the converter removes it from
                               the vocabulary, so it cannot be generated (if a
                               model keeps it, it is suppressed)
    do_sample, top_k, top_p,   ``sampling_topk``/``sampling_topp``/
    temperature                ``sampling_temperature`` with ``beam_size`` 1
    forced_eos_token_id        see max_new_tokens
    renormalize_logits         no effect on the search; scores come from
                               CTranslate2's log-softmax
    early_stopping             no equivalent: the search ends once ``beam_size``
                               hypotheses are finished
    =========================  ===============================================
    """
    max_length = generation.max_new_tokens - (1 if generation.forced_eos else 0)
    max_length = max(1, max_length)
    options: dict[str, Any] = {
        "beam_size": beams,
        "max_decoding_length": max_length,
        "min_decoding_length": min(generation.min_new_tokens, max_length),
        "length_penalty": generation.length_penalty,
        "repetition_penalty": generation.repetition_penalty,
        "no_repeat_ngram_size": generation.no_repeat_ngram_size,
    }
    suppress: list[list[str]] = []
    for ids in generation.bad_words_ids:
        if generation.pad_token_id in ids and not pad_in_vocabulary:
            continue
        tokens = [target_tokens.get(i) for i in ids]
        if all(tokens):
            suppress.append([t for t in tokens if t])
    if pad_in_vocabulary and [pad_token] not in suppress:
        suppress.append([pad_token])
    if suppress:
        options["suppress_sequences"] = suppress
    if generation.do_sample:
        options.update(
            beam_size=1,
            sampling_topk=generation.top_k,
            sampling_topp=generation.top_p,
            sampling_temperature=generation.temperature,
        )
    return options


def pick_device(requested: str) -> str:
    """Resolve ``auto`` and check that CUDA is there when asked for."""
    gpus = ctranslate2.get_cuda_device_count()
    if requested == "auto":
        return "cuda" if gpus > 0 else "cpu"
    if requested == "cuda" and gpus == 0:
        raise EngineError(
            "device 'cuda' requested but CTranslate2 sees no CUDA GPU; use --device cpu"
        )
    return requested


def pick_compute_type(requested: str, device: str) -> str:
    """Resolve ``auto`` (int8 on CPU, int8_float16 on CUDA) and check support.

    Raises:
        UsageError: Unknown compute type.
        EngineError: The device cannot run it.
    """
    if requested not in COMPUTE_TYPES:
        raise unknown_choice("compute type", requested, COMPUTE_TYPES)
    supported = ctranslate2.get_supported_compute_types(device)
    if requested == "auto":
        return next((t for t in _AUTO_COMPUTE[device] if t in supported), "float32")
    if requested not in supported:
        raise EngineError(
            f"compute type {requested!r} is not supported on {device}; "
            f"expected one of: {', '.join(sorted(supported))}"
        )
    return requested


class CTranslate2Engine:
    """Translate with ``ctranslate2.Translator`` on the converted Marian model.

    Args:
        source: Where the model files are.
        settings: Run settings (device, compute type, beams, threads).
    """

    name = "ctranslate2"

    def __init__(self, source: ModelSource, settings: Settings) -> None:
        self.device = pick_device(settings.device)
        self.compute_type = pick_compute_type(settings.compute_type, self.device)
        entry = convert(source, self.compute_type)
        manifest = _read_manifest(entry) or {}
        files = entry / "hf"
        self.tokenizer = LeanMarianTokenizer(files)
        self.generation = read_generation(files)
        self.model = source.name
        self.revision = source.revision
        self.beams = settings.beams or self.generation.num_beams or 1
        self.max_input_tokens = max_input_tokens(files)
        self.options = ct2_options(
            self.generation,
            self.beams,
            self.tokenizer.target_tokens,
            pad_in_vocabulary=bool(manifest.get("pad_in_vocabulary")),
            pad_token=self.tokenizer.files.pad_token,
        )
        try:
            self._translator = ctranslate2.Translator(
                str(entry),
                device=self.device,
                compute_type=self.compute_type,
                intra_threads=settings.threads,
            )
        except (RuntimeError, ValueError) as exc:
            raise ModelError(f"{source.name}: cannot load converted model {entry}: {exc}") from None
        self.path = entry
        self.details = {
            "device": self.device,
            "compute_type": self.compute_type,
            "ctranslate2": ctranslate2.__version__,
        }

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Token counts including the end-of-sentence token."""
        return [len(t) for t in self.tokenizer.encode_batch(texts)]

    def generate(self, texts: Sequence[str]) -> list[tuple[list[str], float | None]]:
        """Target tokens (``</s>`` excluded) and score for each text."""
        if not texts:
            return []
        results = self._translator.translate_batch(
            self.tokenizer.encode_batch(texts),
            max_input_length=self.max_input_tokens,
            return_scores=True,
            **self.options,
        )
        return [(r.hypotheses[0], r.scores[0] if r.scores else None) for r in results]

    def translate_batch(self, texts: Sequence[str]) -> list[Hypothesis]:
        """Translations and their length-normalised log-probabilities.

        The score is CTranslate2's: the summed token log-probabilities (``</s>``
        included) divided by length ** length_penalty, which for opus-mt
        (penalty 1) is the mean token log-probability, as in the transformers
        engine.
        """
        return [
            Hypothesis(self.tokenizer.decode(tokens).strip(), score)
            for tokens, score in self.generate(texts)
        ]


__all__ = [
    "CACHE_ENV",
    "COMPUTE_TYPES",
    "CTranslate2Engine",
    "LeanMarianTokenizer",
    "cache_root",
    "convert",
    "ct2_options",
    "entry_path",
    "pick_compute_type",
    "pick_device",
]
