"""MarianMT through CTranslate2: the fast engine, same weights as the reference.

The model is converted once and cached (:mod:`.ct2_cache`); every later run
loads the cached model and tokenizes with :mod:`.marian_tokenizer`, which
needs ``sentencepiece`` alone, so it never imports torch or transformers. That
"lean path" is what makes this engine start in a fraction of a second.

Generation settings come from the model's ``generation_config.json``, mapped
to CTranslate2's options by :func:`ct2_options` (see there); ``--beams``
overrides only the beam count, as in the transformers engine.

Compute type ``auto`` on CPU (see :func:`pick_compute_type`) is int8 only
where int8 matrix products are exact, and float32 elsewhere. On x86 CPUs
without VNNI (AVX2-only, or AVX-512 before Cascade Lake), CTranslate2's int8
GEMM (oneDNN, or MKL on Intel) multiplies u8 activations by s8 weights with
``vpmaddubsw``, which adds each pair of products into a *saturating* int16;
pairs above 32767 are clipped, and the copy model's output is garbled
(``a aééune aide de1515 millionsseuros``). VNNI's ``vpdpbusd`` accumulates
in int32 and does not clip. int16 is not offered on such CPUs unless
CTranslate2 uses Intel MKL (Intel CPUs only), so float32 is the sound choice
there. Its price, measured on an AMD EPYC (avx2 fma f16c, no AVX-512/VNNI),
2 threads on a busy machine (load 4-6), opus-mt-fr-en-shaped random model,
beam 4, 24 tokens, batches of 16, median of 5 runs of 48 sentences: float32
0.96 sentences/s, int8 3.60 (garbled there), int8_float32 2.66 (the same
arithmetic as int8 on CPU; the gap is noise). int8 is about 3.7 times as fast,
which is why ``auto`` keeps it where it is exact.
"""

from __future__ import annotations

import platform
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import ctranslate2

from ..config import Settings
from ..document import Hypothesis
from ..errors import EngineError, TranslateError, unknown_choice
from ..models import ModelSource, load_error
from ..vocabulary import COMPUTE_TYPES
from .alignment import Alignment, alignable, attention_pairs, piece_words
from .base import pieces_writable
from .ct2_cache import convert, read_manifest
from .marian_files import Generation, max_input_tokens, read_generation, read_languages
from .marian_tokenizer import LeanMarianTokenizer
from .normalize import normalization_label, source_preparer

# CPU flags (Linux /proc/cpuinfo names) of the int8 instructions that
# accumulate u8 x s8 products in int32 without saturating.
VNNI_FLAGS = frozenset({"avx512_vnni", "avx_vnni", "amx_int8"})
_ARM = frozenset({"arm64", "aarch64"})
_X86 = frozenset({"x86_64", "amd64", "i386", "i686", "x86"})
# What ``auto`` picks on CUDA, best first; float32 always works.
_AUTO_CUDA = ("int8_float16", "float16", "float32")


def cpu_int8_is_exact(
    cpuinfo: Path = Path("/proc/cpuinfo"), machine: str | None = None
) -> bool | None:
    """Whether CTranslate2's int8 matrix products are exact on this CPU.

    Args:
        cpuinfo: Linux's CPU description, read for its ``flags`` line.
        machine: ``platform.machine()`` by default; a parameter for tests.

    Returns:
        True on 64-bit Arm (CTranslate2 uses Ruy, whose int8 kernels keep
        products of values in [-127, 127] exact and accumulate in int32) and
        on x86 CPUs whose flags include one of :data:`VNNI_FLAGS`. False on
        x86 CPUs without them: there the pairs of u8 x s8 products saturate
        in int16. None when it cannot be told (another architecture, or an
        x86 system without ``/proc/cpuinfo`` such as Windows or macOS).
    """
    arch = (machine if machine is not None else platform.machine()).lower()
    if arch in _ARM:
        return True
    if arch not in _X86:
        return None
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("flags"):
            return not VNNI_FLAGS.isdisjoint(line.partition(":")[2].split())
    return None


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


def pick_compute_type(requested: str, device: str, int8_exact: bool | None = None) -> str:
    """Resolve ``auto`` and check that the device supports the compute type.

    ``auto`` on CPU is int8 where int8 products are exact (VNNI or Arm, see
    :func:`cpu_int8_is_exact`) and float32 otherwise, including when the CPU
    cannot be told: a slower run beats garbled text. An explicit ``int8`` is
    honoured on any CPU. ``auto`` on CUDA is int8_float16, else float16, else
    float32.

    Args:
        requested: One of :data:`translate_cli.vocabulary.COMPUTE_TYPES`.
        device: ``cpu`` or ``cuda`` (already resolved by :func:`pick_device`).
        int8_exact: What :func:`cpu_int8_is_exact` says; computed when None.

    Returns:
        A compute type CTranslate2 supports on ``device``.

    Raises:
        UsageError: Unknown compute type.
        EngineError: The device cannot run it.
    """
    if requested not in COMPUTE_TYPES:
        raise unknown_choice("compute type", requested, COMPUTE_TYPES)
    supported = ctranslate2.get_supported_compute_types(device)
    if requested == "auto":
        if device != "cpu":
            return next((t for t in _AUTO_CUDA if t in supported), "float32")
        exact = cpu_int8_is_exact() if int8_exact is None else int8_exact
        return "int8" if exact and "int8" in supported else "float32"
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
        manifest = read_manifest(entry) or {}
        files = entry / "hf"
        self.model = source.name
        self.revision = source.revision
        try:
            self.tokenizer = LeanMarianTokenizer(files)
            self.generation = read_generation(files)
            self.beams = settings.beams or self.generation.num_beams or 1
            self.max_input_tokens = max_input_tokens(files)
            # (source, target) BCP 47 tags, from the model's tokenizer config.
            self.languages = read_languages(files)
            self.options = ct2_options(
                self.generation,
                self.beams,
                self.tokenizer.target_tokens,
                pad_in_vocabulary=bool(manifest.get("pad_in_vocabulary")),
                pad_token=self.tokenizer.files.pad_token,
            )
        except TranslateError:
            raise
        except Exception as exc:  # a broken file fails in many ways; one line names it
            raise load_error(source.name, exc) from None
        try:
            self._translator = ctranslate2.Translator(
                str(entry),
                device=self.device,
                compute_type=self.compute_type,
                intra_threads=settings.threads,
            )
        except Exception as exc:
            raise load_error(source.name, exc, f"cannot load converted model {entry}") from None
        self.path = entry
        self._target_pieces: frozenset[str] | None = None
        self._target_tokenizer: LeanMarianTokenizer | None = None
        self.details = {
            "device": self.device,
            "compute_type": self.compute_type,
            "ctranslate2": ctranslate2.__version__,
            "normalize": normalization_label(settings.normalize),
        }
        # What the model reads: OPUS-MT's preprocessing, or the text as is.
        self._prepare = source_preparer(settings.normalize)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Token counts including the end-of-sentence token."""
        return [len(t) for t in self.source_tokens(texts)]

    def source_tokens(self, texts: Sequence[str]) -> list[list[str]]:
        """The source tokens the model reads (normalised as set, ``</s>`` appended)."""
        return self.tokenizer.encode_batch(self._prepare(texts))

    def _decode_batch(self, texts: Sequence[str]) -> list[tuple[list[str], float | None, bool]]:
        """Target tokens (``</s>`` excluded), score, and whether ``</s>`` was produced.

        ``return_end_token`` makes CTranslate2 keep ``</s>`` in a hypothesis
        that ended by itself; one stopped by ``max_decoding_length`` has none,
        which is how truncation is told.
        """
        if not texts:
            return []
        results = self._translator.translate_batch(
            self.source_tokens(texts),
            max_input_length=self.max_input_tokens,
            return_scores=True,
            return_end_token=True,
            **self.options,
        )
        eos = self.tokenizer.files.eos_token
        # A fixed-length configuration reaches the cap by design (see the
        # transformers engine): its hypotheses count as ended.
        fixed = self.options["min_decoding_length"] >= self.options["max_decoding_length"]
        decoded: list[tuple[list[str], float | None, bool]] = []
        for r in results:
            tokens: list[str] = r.hypotheses[0]
            ended = bool(tokens) and tokens[-1] == eos
            if ended:
                tokens = tokens[:-1]
            decoded.append((tokens, r.scores[0] if r.scores else None, ended or fixed))
        return decoded

    def generate(self, texts: Sequence[str]) -> list[tuple[list[str], float | None]]:
        """Target tokens (``</s>`` excluded) and score for each text."""
        return [(tokens, score) for tokens, score, _ in self._decode_batch(texts)]

    def translate_batch(self, texts: Sequence[str]) -> list[Hypothesis]:
        """Translations and their length-normalised log-probabilities.

        The score is CTranslate2's: the summed token log-probabilities (``</s>``
        included) divided by length ** length_penalty, which for opus-mt
        (penalty 1) is the mean token log-probability, as in the transformers
        engine. A hypothesis without ``</s>`` stopped at ``max_decoding_length``
        and is marked ``truncated``.
        """
        return [
            Hypothesis(self.tokenizer.decode(tokens).strip(), score, truncated=not ended)
            for tokens, score, ended in self._decode_batch(texts)
        ]

    def target_tokens(self, texts: Sequence[str]) -> list[list[str]]:
        """Target-side tokens of English texts (``target.spm``, normalised, ``</s>`` last)."""
        if self._target_tokenizer is None:
            try:
                self._target_tokenizer = LeanMarianTokenizer(self.path / "hf", target=True)
            except TranslateError:
                raise
            except Exception as exc:  # a broken file fails in many ways; one line names it
                raise load_error(self.model, exc) from None
        return self._target_tokenizer.encode_batch(self._prepare(texts))

    def align_batch(self, sources: Sequence[str], targets: Sequence[str]) -> list[Alignment]:
        """Word alignment by forced decoding of the targets (see ``Engine.align_batch``).

        ``translate_batch`` with each target's pieces as ``target_prefix``,
        greedy, stopping one step after the longest prefix: CTranslate2
        forces the prefix and, with ``return_attention``, returns one
        attention row per target piece, prefix included. That row is the
        converter's alignment head (``alignment_layer=-1``,
        ``alignment_heads=1``: the last decoder layer's first head, the
        one Marian's guided alignment trained; see
        :mod:`translate_cli.engines.alignment`). ``score_batch`` and
        ``forward_batch`` return no attention. The step after the prefix is
        wasted work, and shorter prefixes of a batch decode freely up to the
        longest; their extra rows are ignored. Sources and targets are cut
        at :attr:`max_input_tokens` pieces; target words past the cut get no
        link.
        """
        todo = alignable(sources, targets)
        results: list[Alignment] = [()] * len(sources)
        if not todo:
            return results
        source_tokens = self.source_tokens([sources[i] for i in todo])
        target_tokens = self.target_tokens([targets[i] for i in todo])
        prefixes = [t[:-1][: self.max_input_tokens - 1] for t in target_tokens]
        # A target that normalises to nothing has no piece to align.
        kept = [k for k, p in enumerate(prefixes) if p]
        if not kept:
            return results
        answers = self._translator.translate_batch(
            [source_tokens[k] for k in kept],
            target_prefix=[prefixes[k] for k in kept],
            max_input_length=self.max_input_tokens,
            max_decoding_length=max(len(prefixes[k]) for k in kept) + 1,
            beam_size=1,
            return_attention=True,
        )
        for k, answer in zip(kept, answers, strict=True):
            i = todo[k]
            source_words = piece_words(sources[i], source_tokens[k][:-1])
            target_words = piece_words(targets[i], prefixes[k])
            results[i] = attention_pairs(answer.attention[0], source_words, target_words)
        return results

    def can_write(self, char: str) -> bool:
        """Whether ``char``'s pieces are known to both vocabularies (see ``Engine``)."""
        if self._target_pieces is None:
            self._target_pieces = frozenset(self.tokenizer.target_tokens.values())
        return pieces_writable(
            self.tokenizer.tokenize(char),
            self.tokenizer.vocab,
            self._target_pieces,
            self.tokenizer.files.unk_token,
        )


__all__ = [
    "VNNI_FLAGS",
    "CTranslate2Engine",
    "cpu_int8_is_exact",
    "ct2_options",
    "pick_compute_type",
    "pick_device",
]
