"""Marian models built with no network, for tests and benchmarks.

No machine that runs the tests can download ``Helsinki-NLP/opus-mt-fr-en``, so
this module builds model directories that go through exactly the same loading
path as the real one: ``MarianMTModel.from_pretrained(dir)`` and
``MarianTokenizer.from_pretrained(dir)``. Three kinds are built (see
``../shared/design/OFFLINE_MODELS.md``, beside the repository): a tiny random
model for shape tests, a tiny model trained to copy its input for alignment
tests, and a random model with opus-mt-fr-en's exact shape for benchmarks.

torch, transformers and sentencepiece are imported inside the functions, so
importing this module costs nothing: collecting the tests does not load them.
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from transformers import MarianMTModel, MarianTokenizer

__all__ = [
    "OPUS_MT_FR_EN_SHAPE",
    "TC_BIG_FR_EN",
    "CopyScore",
    "build_marian",
    "build_opus_shaped",
    "build_tc_big_shaped",
    "build_tiny_random",
    "edit_distance",
    "evaluate_copy",
    "train_copy_model",
    "train_spm",
]

EOS_TOKEN = "</s>"
UNK_TOKEN = "<unk>"
PAD_TOKEN = "<pad>"

OPUS_MT_FR_EN_SHAPE: dict[str, int] = {
    "vocab_size": 59514,
    "d_model": 512,
    "layers": 6,
    "heads": 8,
    "ffn": 2048,
    "max_position_embeddings": 512,
}
"""The architecture of ``Helsinki-NLP/opus-mt-fr-en`` (75.1 M parameters)."""

TC_BIG_FR_EN: dict[str, Any] = {
    "activation_function": "relu",
    "d_model": 1024,
    "encoder_layers": 6,
    "decoder_layers": 6,
    "encoder_attention_heads": 16,
    "decoder_attention_heads": 16,
    "encoder_ffn_dim": 4096,
    "decoder_ffn_dim": 4096,
    "max_position_embeddings": 1024,
    "normalize_embedding": False,
    "scale_embedding": True,
    "share_encoder_decoder_embeddings": True,
    "static_position_embeddings": True,
    "dropout": 0.1,
    "attention_dropout": 0.0,
    "activation_dropout": 0.0,
}
"""The architecture of ``Helsinki-NLP/opus-mt-tc-big-fr-en`` (transformer-big).

From its ``config.json`` (https://huggingface.co/Helsinki-NLP/opus-mt-tc-big-fr-en/
blame/b59b431962379889f440a8840e79b961defa4ef7/config.json). The same file
gives ``vocab_size`` = ``decoder_vocab_size`` = 53017, ``eos_token_id`` =
``forced_eos_token_id`` = 43311 (``</s>`` is *not* id 0 as in opus-mt-fr-en),
``bos_token_id`` 0, ``pad_token_id`` = ``decoder_start_token_id`` = 53016
(the last id), ``bad_words_ids`` [[53016]], ``num_beams`` 4, ``max_length``
512 and ``torch_dtype`` float16; its tokenizer_config.json gives
``source_lang`` fr, ``target_lang`` en, ``model_max_length`` 512 and
``separate_vocabs`` false: one vocab.json for two SentencePiece models of their
own (source.spm 820 kB, target.spm 802 kB). The weights are a float16
``pytorch_model.bin`` (570 MB); the first commit has no generation_config.json.
"""
_TC_BIG_EOS_SHARE = 43311 / 53017
"""Where ``</s>`` sits in opus-mt-tc-big-fr-en's vocabulary, as a share of its size."""

FRENCH_CHARS = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    "àâäçéèêëîïôöùûüÿœæÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ"
    ".,;:!?'\"’«»()[]-–—/%€$&+=*°…@#"
)
"""Characters a French news text is expected to use.

Passed as ``required_chars`` when training the copy model's vocabulary, so a
held-out sentence never meets an ``<unk>`` for a letter the training text
happened to lack.
"""


def train_spm(
    texts: Iterable[str],
    out_dir: Path,
    vocab_size: int,
    *,
    normalization: str = "nmt_nfkc",
    required_chars: str = "",
) -> None:
    """Train one SentencePiece model and write a Marian vocabulary around it.

    Writes ``source.spm`` and ``target.spm`` (the same model: source and target
    share one vocabulary, as in opus-mt-fr-en) and ``vocab.json``. Marian looks
    pieces up in ``vocab.json`` by string, so its ids are independent of the
    SentencePiece ids and follow opus-mt's layout: ``</s>`` is 0, ``<unk>`` is 1,
    the pieces follow, and ``<pad>`` is the last id.

    ``vocab.json`` always holds exactly ``vocab_size`` entries, so the embedding
    matrix has the shape asked for. When the text is too small for that many
    pieces (SentencePiece runs with a soft limit), the gap is filled with dummy
    pieces ``▁dummy00000``, ``▁dummy00001``… placed before ``<pad>``. The
    tokenizer never produces them; a random model may, and they decode as plain
    words.

    Args:
        texts: Training text, one sentence or paragraph per item.
        out_dir: Directory to write into; created if missing.
        vocab_size: Number of entries in ``vocab.json``, ``<pad>`` included.
        normalization: SentencePiece normalisation rule. ``nmt_nfkc``, the
            SentencePiece default, folds compatibility characters (``…`` becomes
            ``...``); ``identity`` keeps every character as written, so decoding
            gives back the input exactly.
        required_chars: Characters that get a piece even if the text lacks them.

    Raises:
        ValueError: If ``texts`` holds no non-blank line or ``vocab_size`` is too
            small to hold the special tokens.
    """
    import sentencepiece as spm

    out_dir = Path(out_dir)
    lines = [line.strip() for line in texts if line.strip()]
    if not lines:
        raise ValueError("train_spm needs at least one non-blank line of text")
    if vocab_size < 8:
        raise ValueError(f"vocab_size={vocab_size} is too small, expected at least 8")
    out_dir.mkdir(parents=True, exist_ok=True)
    data = _spm_model(lines, vocab_size - 1, normalization, required_chars)
    for name in ("source.spm", "target.spm"):
        (out_dir / name).write_bytes(data)

    processor = spm.SentencePieceProcessor(model_proto=data)
    vocab = {EOS_TOKEN: 0, UNK_TOKEN: 1}
    for piece_id in range(processor.get_piece_size()):
        vocab.setdefault(processor.id_to_piece(piece_id), len(vocab))
    dummies = vocab_size - 1 - len(vocab)
    for index in range(dummies):
        vocab[f"▁dummy{index:05d}"] = len(vocab)
    vocab[PAD_TOKEN] = len(vocab)
    if len(vocab) != vocab_size:
        raise ValueError(
            f"vocab_size={vocab_size} is smaller than the {len(vocab)} pieces "
            "SentencePiece needs for the characters of the text"
        )
    (out_dir / "vocab.json").write_text(
        json.dumps(vocab, ensure_ascii=False, indent=2), encoding="utf-8"
    )


def build_marian(
    out_dir: Path,
    *,
    texts: Iterable[str],
    vocab_size: int,
    d_model: int,
    layers: int,
    heads: int,
    ffn: int,
    max_position_embeddings: int = 512,
    num_beams: int = 1,
    max_new_tokens: int | None = None,
    min_new_tokens: int | None = None,
    seed: int = 0,
) -> Path:
    """Build and save a randomly initialised Marian model with its tokenizer.

    The directory holds what a Hub snapshot of opus-mt holds (``config.json``,
    ``generation_config.json``, ``model.safetensors``, ``source.spm``,
    ``target.spm``, ``vocab.json``, ``tokenizer_config.json``), so code under
    test loads it with the same ``from_pretrained`` calls as the real model.

    Args:
        out_dir: Directory to write into; created if missing.
        texts: Text to train the SentencePiece vocabulary on.
        vocab_size: Rows of the shared embedding matrix, ``<pad>`` included.
        d_model: Hidden size.
        layers: Number of encoder layers, and of decoder layers.
        heads: Attention heads per layer.
        ffn: Feed-forward inner size.
        max_position_embeddings: Longest sequence the model accepts. Also the
            tokenizer's ``model_max_length`` and, unless ``max_new_tokens`` is
            given, the generation ``max_length``, as in opus-mt.
        num_beams: Beam size in ``generation_config.json``.
        max_new_tokens: Cap on generated tokens, replacing ``max_length``.
        min_new_tokens: Floor on generated tokens. Random weights rarely emit
            ``</s>``; setting both bounds equal makes every engine do the same
            work per sentence.
        seed: Seed for the weight initialisation.

    Returns:
        ``out_dir``.
    """
    out_dir = Path(out_dir)
    tokenizer = _write_tokenizer(out_dir, texts, vocab_size, max_position_embeddings)
    model = _new_model(
        vocab_size=len(tokenizer.encoder),
        d_model=d_model,
        layers=layers,
        heads=heads,
        ffn=ffn,
        max_position_embeddings=max_position_embeddings,
        num_beams=num_beams,
        max_new_tokens=max_new_tokens,
        min_new_tokens=min_new_tokens,
        seed=seed,
    )
    model.save_pretrained(out_dir)
    return out_dir


def build_tiny_random(
    out_dir: Path,
    *,
    texts: Iterable[str],
    max_position_embeddings: int = 512,
    vocab_size: int = 256,
    num_beams: int = 1,
    max_new_tokens: int | None = None,
    min_new_tokens: int | None = None,
    seed: int = 0,
) -> Path:
    """Build a tiny random Marian model (about 100 K parameters) in about a second.

    Its output is noise: use it to test shapes, counts, order and file formats,
    never to prove that a target came from its source.

    Args:
        out_dir: Directory to write into; created if missing.
        texts: Text to train the SentencePiece vocabulary on; a few sentences do.
        max_position_embeddings: Longest sequence the model and tokenizer accept.
            Set it small (say 32) to exercise input-limit handling.
        vocab_size: Rows of the embedding matrix; padded with dummy pieces if the
            text allows fewer.
        num_beams: Beam size in ``generation_config.json``.
        max_new_tokens: Cap on generated tokens, see :func:`build_marian`.
        min_new_tokens: Floor on generated tokens, see :func:`build_marian`.
        seed: Seed for the weight initialisation.

    Returns:
        ``out_dir``.
    """
    return build_marian(
        out_dir,
        texts=texts,
        vocab_size=vocab_size,
        d_model=32,
        layers=2,
        heads=2,
        ffn=64,
        max_position_embeddings=max_position_embeddings,
        num_beams=num_beams,
        max_new_tokens=max_new_tokens,
        min_new_tokens=min_new_tokens,
        seed=seed,
    )


def build_opus_shaped(
    out_dir: Path,
    *,
    texts: Iterable[str],
    new_tokens: int = 24,
    num_beams: int = 4,
    seed: int = 0,
) -> Path:
    """Build a random model with the exact shape of opus-mt-fr-en, for benchmarks.

    The weights are random, so the output is noise, but each step costs what it
    costs in the real model: same layers, same 59514-row embedding and output
    projection. No text at hand yields 59514 SentencePiece pieces, so the
    vocabulary is padded with dummy pieces (see :func:`train_spm`); the random
    model emits them often and they decode as ``dummyNNNNN`` words.

    ``min_new_tokens = max_new_tokens = new_tokens`` in ``generation_config.json``
    makes every sentence generate exactly ``new_tokens`` tokens, whichever engine
    runs it, because random weights rarely emit ``</s>``. (transformers applies
    opus-mt's ``forced_eos_token_id`` too, so its last token is ``</s>``.)

    The source side is costlier than with the real model: a SentencePiece model
    trained on a few KB splits words into more pieces than opus-mt's does. The
    more French text in ``texts``, the closer source lengths come to the real
    ones.

    Args:
        out_dir: Directory to write into; created if missing. It takes about
            300 MB.
        texts: Text to train the SentencePiece vocabulary on.
        new_tokens: Tokens generated per sentence.
        num_beams: Beam size, 4 as in opus-mt.
        seed: Seed for the weight initialisation.

    Returns:
        ``out_dir``.
    """
    return build_marian(
        out_dir,
        texts=texts,
        **OPUS_MT_FR_EN_SHAPE,
        num_beams=num_beams,
        max_new_tokens=new_tokens,
        min_new_tokens=new_tokens,
        seed=seed,
    )


def build_tc_big_shaped(
    out_dir: Path,
    *,
    french: Iterable[str],
    english: Iterable[str],
    vocab_size: int = 1200,
    new_tokens: int = 8,
    num_beams: int = 4,
    seed: int = 0,
) -> Path:
    """Build a random model shaped and configured as opus-mt-tc-big-fr-en, offline.

    Kept from the real model (:data:`TC_BIG_FR_EN`): every architectural
    setting (d_model 1024, 6 + 6 layers, 16 heads, FFN 4096, ReLU, 1024
    positions, no embedding layer norm, shared embeddings), the token layout
    (``</s>`` at the same share of the vocabulary, not at 0; ``<pad>`` last,
    the decoder start and a banned word), two SentencePiece models, French
    for ``source.spm`` and English for ``target.spm``, under one shared
    ``vocab.json`` (``separate_vocabs`` false), ``source_lang``/``target_lang``
    fr/en, the generation keys in config.json, ``torch_dtype`` float16, and
    the weights as a float16 ``pytorch_model.bin`` (no safetensors file).

    Changed, to keep tests fast: the vocabulary has ``vocab_size`` entries
    instead of 53017 (what the two small SentencePiece models give, padded
    with dummy pieces); the weights are random (seeded); and a
    generation_config.json fixes every output to ``new_tokens`` tokens, the
    last a forced ``</s>``, since random weights rarely end by themselves
    (the real model's config.json says ``max_length`` 512). At this shape
    the weights take about 350 MB (176 M parameters in float16).

    Args:
        out_dir: Directory to write into; created if missing.
        french: Text for ``source.spm``.
        english: Text for ``target.spm``.
        vocab_size: Entries of ``vocab.json``, ``<pad>`` included.
        new_tokens: Tokens generated per sentence, ``</s>`` included.
        num_beams: Beam size, 4 as in the real model.
        seed: Seed for the weight initialisation.

    Returns:
        ``out_dir``.
    """
    import sentencepiece as spm
    import torch
    from transformers import GenerationConfig, MarianConfig, MarianMTModel, MarianTokenizer

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    half = max(8, (vocab_size - 3) // 2)
    pieces: dict[str, None] = {}
    for name, texts in (("source.spm", french), ("target.spm", english)):
        data = _spm_model(texts, half, normalization="nmt_nfkc", required_chars="")
        (out_dir / name).write_bytes(data)
        processor = spm.SentencePieceProcessor(model_proto=data)
        for piece_id in range(processor.get_piece_size()):
            piece = processor.id_to_piece(piece_id)
            if piece not in (EOS_TOKEN, UNK_TOKEN, "<s>"):
                pieces.setdefault(piece, None)
    words = list(pieces)
    words += [f"▁dummy{i:05d}" for i in range(max(0, vocab_size - 3 - len(words)))]
    if len(words) > vocab_size - 3:
        raise ValueError(
            f"vocab_size={vocab_size} is smaller than the {len(words) + 3} pieces and "
            "special tokens the two SentencePiece models need"
        )
    eos_at = round(_TC_BIG_EOS_SHARE * (vocab_size - 1))
    ordered = [*words[:eos_at], EOS_TOKEN, UNK_TOKEN, *words[eos_at:], PAD_TOKEN]
    vocab = {token: index for index, token in enumerate(ordered)}
    (out_dir / "vocab.json").write_text(
        json.dumps(vocab, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    MarianTokenizer(
        vocab=str(out_dir / "vocab.json"),
        source_spm=str(out_dir / "source.spm"),
        target_spm=str(out_dir / "target.spm"),
        source_lang="fr",
        target_lang="en",
        model_max_length=512,
    ).save_pretrained(out_dir)
    # The real folder has this 65-byte file too (transformers 5 no longer writes it).
    special = {"eos_token": EOS_TOKEN, "unk_token": UNK_TOKEN, "pad_token": PAD_TOKEN}
    (out_dir / "special_tokens_map.json").write_text(json.dumps(special), encoding="utf-8")

    eos, pad = vocab[EOS_TOKEN], vocab[PAD_TOKEN]
    config = MarianConfig(
        vocab_size=len(vocab),
        decoder_vocab_size=len(vocab),
        **TC_BIG_FR_EN,
        pad_token_id=pad,
        decoder_start_token_id=pad,
        eos_token_id=eos,
        bos_token_id=0,
        forced_eos_token_id=eos,
        tie_word_embeddings=True,
        architectures=["MarianMTModel"],
    )
    torch.manual_seed(seed)
    model = MarianMTModel(config)
    # An old-style checkpoint: the whole state dict pickled, in float16.
    state = {key: value.half() for key, value in model.state_dict().items()}
    torch.save(state, out_dir / "pytorch_model.bin")
    del model, state
    config.save_pretrained(out_dir)
    written = json.loads((out_dir / "config.json").read_text(encoding="utf-8"))
    written.pop("dtype", None)
    written.update(
        torch_dtype="float16",
        bad_words_ids=[[pad]],
        num_beams=num_beams,
        max_length=512,
    )
    (out_dir / "config.json").write_text(json.dumps(written, indent=2), encoding="utf-8")
    GenerationConfig(
        bad_words_ids=[[pad]],
        bos_token_id=0,
        decoder_start_token_id=pad,
        eos_token_id=eos,
        forced_eos_token_id=eos,
        pad_token_id=pad,
        num_beams=num_beams,
        max_new_tokens=new_tokens,
        min_new_tokens=new_tokens,
    ).save_pretrained(out_dir)
    return out_dir


def save_pytorch_bin(model_dir: Path, *, dtype: str = "float32") -> Path:
    """Replace a model folder's ``model.safetensors`` by an old-style ``pytorch_model.bin``.

    transformers 5 writes safetensors whatever ``safe_serialization`` says, so
    the checkpoint is written as older transformers did: ``torch.save`` of the
    model's whole state dict.

    Args:
        model_dir: A folder written by ``save_pretrained``; changed in place.
        dtype: ``float32`` or ``float16``, the dtype of the saved tensors.

    Returns:
        ``model_dir``.
    """
    import torch
    from transformers import MarianMTModel

    model_dir = Path(model_dir)
    model = MarianMTModel.from_pretrained(model_dir)
    state = {key: value.to(getattr(torch, dtype)) for key, value in model.state_dict().items()}
    torch.save(state, model_dir / "pytorch_model.bin")
    (model_dir / "model.safetensors").unlink()
    return model_dir


def train_copy_model(
    out_dir: Path,
    *,
    texts: Iterable[str],
    steps: int = 2500,
    max_seconds: float | None = None,
    vocab_size: int = 800,
    d_model: int = 96,
    layers: int = 2,
    heads: int = 4,
    ffn: int = 192,
    batch_size: int = 48,
    learning_rate: float = 2e-3,
    dropout: float = 0.0,
    seed: int = 0,
    log: Callable[[str], object] | None = None,
) -> Path:
    """Train a tiny Marian model to copy its input, and save it.

    A model whose target equals its source turns alignment tests into exact
    checks: if row *i*'s target is not row *i*'s source, the batching or order
    restoration is wrong. Source and target share one vocabulary, built with
    the ``identity`` normalisation so that decoding gives back the characters
    that went in.

    The training pairs are ``(s, s)``. Two in five ``s`` are sentences of
    ``texts``, as written or Moses-normalised (what a caller that applies
    ``MarianTokenizer.normalize`` sends, as opus-mt's training data was); two
    in five are random sequences of words from ``texts``; one in five is a
    random sequence of pieces. The random ones teach copying rather than
    recalling, so unseen sentences copy too.

    Args:
        out_dir: Directory to write into; created if missing.
        texts: Sentences to build the vocabulary and the training pairs from.
        steps: Optimiser steps. The result is deterministic for a given
            ``steps``, ``seed``, text and thread count.
        max_seconds: Stop early after this much training time; the result then
            depends on the machine's speed.
        vocab_size: Rows of the embedding matrix.
        d_model: Hidden size.
        layers: Encoder and decoder layers.
        heads: Attention heads.
        ffn: Feed-forward inner size.
        batch_size: Pairs per step.
        learning_rate: Peak AdamW learning rate, reached after a warm-up and
            decayed to zero along a cosine.
        dropout: Dropout during training. Copying random sequences leaves
            little to overfit, and without dropout copying emerges sooner.
        seed: Seed for the initialisation, the data order and dropout.
        log: Called with a progress line every few hundred steps, if given.

    Returns:
        ``out_dir``.
    """
    import torch

    out_dir = Path(out_dir)
    sentences = [line.strip() for line in texts if line.strip()]
    tokenizer = _write_tokenizer(
        out_dir,
        sentences,
        vocab_size,
        512,
        normalization="identity",
        required_chars=FRENCH_CHARS,
    )
    torch.manual_seed(seed)
    model = _new_model(
        vocab_size=len(tokenizer.encoder),
        d_model=d_model,
        layers=layers,
        heads=heads,
        ffn=ffn,
        max_position_embeddings=512,
        num_beams=1,
        max_new_tokens=None,
        min_new_tokens=None,
        seed=seed,
        dropout=dropout,
    )
    # Hugging Face initialises embeddings with std 0.02, made for fine-tuning.
    # Trained from scratch under sqrt(d_model) scaling, tokens then drown in the
    # position signal and copying takes far longer to emerge; Marian and
    # fairseq use std d_model**-0.5.
    embeddings = model.get_input_embeddings().weight
    pad_id = tokenizer.pad_token_id
    with torch.no_grad():
        torch.nn.init.normal_(embeddings, std=d_model**-0.5)
        embeddings[pad_id].zero_()
    sampler = _CopySampler(tokenizer, sentences, random.Random(seed))
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=learning_rate, betas=(0.9, 0.98), eps=1e-9, weight_decay=0.0
    )
    warmup = max(1, steps // 20)
    curriculum = max(1, int(steps * 0.4))

    def schedule(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        progress = (step - warmup) / max(1, steps - warmup)
        return 0.5 * (1.0 + math.cos(math.pi * progress))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
    model.train()
    # Once the model copies well, many activations and gradients are tiny, and
    # subnormal floats make CPU arithmetic many times slower.
    torch.set_flush_denormal(True)
    try:
        started = time.monotonic()
        for step in range(steps):
            # Short sequences first: attention learns to align positions quickly on
            # them, and longer ones then copy with little extra training.
            limit = 8 + (sampler.max_tokens - 8) * min(1.0, step / curriculum)
            batch = sampler.batch(batch_size, int(limit))
            loss = model(**batch).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            # The decoder starts from <pad>, whose embedding must stay zero:
            # CTranslate2 drops that row and starts from a zero vector instead. The
            # tied output projection would otherwise train it.
            with torch.no_grad():
                embeddings[pad_id].zero_()
            elapsed = time.monotonic() - started
            if log is not None and (step % 200 == 0 or step == steps - 1):
                log(f"step {step:5d}  loss {loss.item():.4f}  {elapsed:6.1f}s")
            if max_seconds is not None and elapsed > max_seconds:
                break
    finally:
        torch.set_flush_denormal(False)
    model.eval()
    model.save_pretrained(out_dir)
    return out_dir


@dataclass(frozen=True)
class CopyScore:
    """How faithfully a copy model reproduced a list of sentences.

    Attributes:
        exact_match: Share of outputs equal to their source, whitespace runs
            collapsed (SentencePiece collapses them too).
        edit_ratio: Character edit distance summed over all outputs, divided by
            the total length of the sources.
        outputs: The decoded outputs, in the order of the sources.
    """

    exact_match: float
    edit_ratio: float
    outputs: list[str]


def evaluate_copy(
    model_dir: Path,
    sentences: Sequence[str],
    *,
    normalize: bool = False,
    batch_size: int = 16,
) -> CopyScore:
    """Translate ``sentences`` with a copy model and compare each output to its source.

    Decoding goes through ``tokenizer.batch_decode(..., skip_special_tokens=True)``,
    the path the engines use, so the score includes whatever that path does to
    spacing.

    Args:
        model_dir: A directory written by :func:`train_copy_model`.
        sentences: Sources; at least one.
        normalize: Apply ``MarianTokenizer.normalize`` (Moses punctuation
            normalisation) to each source first, as opus-mt's training data was,
            and compare against the normalised text.
        batch_size: Sentences per ``generate`` call.

    Returns:
        The scores and the outputs.
    """
    import torch
    from transformers import MarianMTModel, MarianTokenizer

    tokenizer = MarianTokenizer.from_pretrained(model_dir)
    model = MarianMTModel.from_pretrained(model_dir).eval()
    sources = [tokenizer.normalize(s) if normalize else s for s in sentences]
    outputs: list[str] = []
    with torch.inference_mode():
        for start in range(0, len(sources), batch_size):
            batch = tokenizer(
                sources[start : start + batch_size], return_tensors="pt", padding=True
            )
            generated = model.generate(**batch)
            outputs += tokenizer.batch_decode(generated, skip_special_tokens=True)
    references = [" ".join(source.split()) for source in sources]
    exact = sum(out == ref for out, ref in zip(outputs, references, strict=True))
    errors = sum(edit_distance(out, ref) for out, ref in zip(outputs, references, strict=True))
    return CopyScore(
        exact_match=exact / len(references),
        edit_ratio=errors / max(1, sum(map(len, references))),
        outputs=outputs,
    )


def edit_distance(a: str, b: str) -> int:
    """Return the Levenshtein distance between two strings, in characters."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        previous = current
    return previous[-1]


def _spm_model(
    texts: Iterable[str], vocab_size: int, normalization: str, required_chars: str
) -> bytes:
    """Train a unigram SentencePiece model the way opus-mt's are laid out; its bytes.

    ``</s>`` is id 1 and ``<unk>`` id 2, no ``<s>`` or ``<pad>`` (Marian's
    vocab.json adds ``<pad>``); ``vocab_size`` is a soft limit.
    """
    import sentencepiece as spm

    lines = [line.strip() for line in texts if line.strip()]
    if not lines:
        raise ValueError("a SentencePiece model needs at least one non-blank line of text")
    model = _BytesSink()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=model,
        vocab_size=vocab_size,
        hard_vocab_limit=False,
        model_type="unigram",
        character_coverage=1.0,
        required_chars=required_chars,
        normalization_rule_name=normalization,
        bos_id=-1,
        eos_id=1,
        unk_id=2,
        pad_id=-1,
        # One thread: the same text then gives the same model, byte for byte.
        num_threads=1,
        minloglevel=2,
    )
    return model.data


class _BytesSink:
    """A writable for ``SentencePieceTrainer.train(model_writer=...)``."""

    def __init__(self) -> None:
        self.data = b""

    def write(self, data: bytes) -> None:
        self.data += data


class _CopySampler:
    """Batches of ``(s, s)`` pairs for :func:`train_copy_model`."""

    max_tokens = 120
    # Shares of real sentences and of word sequences; random pieces take the rest.
    mix = (0.4, 0.4)

    def __init__(
        self, tokenizer: MarianTokenizer, sentences: Sequence[str], rng: random.Random
    ) -> None:
        texts = list(dict.fromkeys([*sentences, *map(tokenizer.normalize, sentences)]))
        self.rng = rng
        self.pad_id = tokenizer.pad_token_id
        self.eos_id = tokenizer.eos_token_id
        self.sentences = [self._encode(tokenizer, text) for text in texts]
        words = sorted({word for text in texts for word in text.split()})
        self.words = [self._encode(tokenizer, word) for word in words]
        used = {piece for ids in self.words for piece in ids}
        self.pieces = sorted(used)

    @staticmethod
    def _encode(tokenizer: MarianTokenizer, text: str) -> list[int]:
        return tokenizer(text, add_special_tokens=False, verbose=False).input_ids

    def example(self, limit: int) -> list[int]:
        kind = self.rng.random()
        if kind < self.mix[0]:
            ids = self.rng.choice(self.sentences)
            start = self.rng.randrange(max(1, len(ids) - limit + 2))
            ids = ids[start:]
        elif kind < self.mix[0] + self.mix[1]:
            ids = []
            length = self.rng.randint(1, limit)
            while len(ids) < length:
                ids += self.rng.choice(self.words)
        else:
            ids = [self.rng.choice(self.pieces) for _ in range(self.rng.randint(1, limit))]
        return [*ids[: limit - 1], self.eos_id]

    def batch(self, size: int, limit: int) -> dict[str, Any]:
        import torch

        rows = [self.example(limit) for _ in range(size)]
        width = max(map(len, rows))
        input_ids = torch.full((size, width), self.pad_id, dtype=torch.long)
        labels = torch.full((size, width), -100, dtype=torch.long)
        mask = torch.zeros((size, width), dtype=torch.long)
        for i, row in enumerate(rows):
            input_ids[i, : len(row)] = torch.tensor(row)
            labels[i, : len(row)] = torch.tensor(row)
            mask[i, : len(row)] = 1
        return {"input_ids": input_ids, "attention_mask": mask, "labels": labels}


def _write_tokenizer(
    out_dir: Path,
    texts: Iterable[str],
    vocab_size: int,
    max_position_embeddings: int,
    **spm_options: str,
) -> MarianTokenizer:
    from transformers import MarianTokenizer

    out_dir = Path(out_dir)
    train_spm(texts, out_dir, vocab_size, **spm_options)
    tokenizer = MarianTokenizer(
        vocab=str(out_dir / "vocab.json"),
        source_spm=str(out_dir / "source.spm"),
        target_spm=str(out_dir / "target.spm"),
        model_max_length=max_position_embeddings,
    )
    tokenizer.save_pretrained(out_dir)
    return tokenizer


def _new_model(
    *,
    vocab_size: int,
    d_model: int,
    layers: int,
    heads: int,
    ffn: int,
    max_position_embeddings: int,
    num_beams: int,
    max_new_tokens: int | None,
    min_new_tokens: int | None,
    seed: int,
    dropout: float = 0.1,
) -> MarianMTModel:
    import torch
    from transformers import GenerationConfig, MarianConfig, MarianMTModel

    pad_id = vocab_size - 1
    config = MarianConfig(
        vocab_size=vocab_size,
        decoder_vocab_size=vocab_size,
        d_model=d_model,
        encoder_layers=layers,
        decoder_layers=layers,
        encoder_attention_heads=heads,
        decoder_attention_heads=heads,
        encoder_ffn_dim=ffn,
        decoder_ffn_dim=ffn,
        max_position_embeddings=max_position_embeddings,
        activation_function="swish",
        scale_embedding=True,
        static_position_embeddings=True,
        share_encoder_decoder_embeddings=True,
        tie_word_embeddings=True,
        pad_token_id=pad_id,
        decoder_start_token_id=pad_id,
        eos_token_id=0,
        bos_token_id=0,
        forced_eos_token_id=0,
        dropout=dropout,
        architectures=["MarianMTModel"],
    )
    torch.manual_seed(seed)
    model = MarianMTModel(config)
    limits: dict[str, int] = {}
    if max_new_tokens is None:
        limits["max_length"] = max_position_embeddings
    else:
        limits["max_new_tokens"] = max_new_tokens
    if min_new_tokens is not None:
        limits["min_new_tokens"] = min_new_tokens
    model.generation_config = GenerationConfig(
        bad_words_ids=[[pad_id]],
        bos_token_id=0,
        decoder_start_token_id=pad_id,
        eos_token_id=0,
        forced_eos_token_id=0,
        pad_token_id=pad_id,
        num_beams=num_beams,
        renormalize_logits=True,
        **limits,
    )
    return model
