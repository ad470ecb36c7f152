"""MarianTokenizer on ``sentencepiece`` alone, for the CTranslate2 engine's lean path.

Once a model is converted, the CTranslate2 engine tokenizes with this module
and never imports torch or transformers (``tests/test_ctranslate2_engine.py``
checks that in a subprocess). Parity with transformers' ``MarianTokenizer`` is
tested token for token on a few hundred French sentences and edge cases.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sentencepiece

from ..errors import ModelError
from ..models import read_json
from .marian_files import read_tokenizer_files

SPIECE_UNDERLINE = "▁"


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
    ``MosesPunctNormalizer`` with the tokenizer's ``source_lang``). The
    engines do not use it: they apply OPUS-MT's full preprocessing
    (:mod:`.normalize`) to their inputs before tokenising, both in the same
    way, so this class stays a token-for-token copy of ``MarianTokenizer``.

    Args:
        directory: A folder with source.spm, target.spm, vocab.json and the
            tokenizer JSON files.
        target: Encode as ``MarianTokenizer(text_target=...)`` does, with
            ``target.spm`` (the English model in opus-mt-fr-en): what forced
            decoding feeds the decoder. Added tokens, ``<unk>`` and ``</s>``
            stay the source side's; one shared vocabulary is assumed, as
            CTranslate2's Marian converter registers one for both sides.
    """

    def __init__(self, directory: Path, *, target: bool = False) -> None:
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
        self._source = self._load_spm(directory / ("target.spm" if target else "source.spm"))
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
        pieces: list[str] = self._source.encode(text, out_type=str)
        return code + pieces

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


__all__ = ["SPIECE_UNDERLINE", "LeanMarianTokenizer"]
