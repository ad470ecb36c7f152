"""What a Marian model directory says, read from its JSON files alone.

Both engines need the same facts about a model: how long an input may be, how
generation is configured, which tokens are special. transformers answers
through objects that cost a torch import; the CTranslate2 engine must not pay
that once its model is converted. So this module reads the JSON files
directly (stdlib only) and resolves them with transformers' own rules, and
both engines can share it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import DEFAULT_SOURCE_LANG, DEFAULT_TARGET_LANG
from ..models import read_json

# Tokenizers that set no limit report a huge sentinel instead.
NO_LIMIT = 1_000_000
# MarianTokenizer's ``model_max_length`` when tokenizer_config.json is silent.
MARIAN_MAX_LENGTH = 512
# transformers' GenerationConfig default ``max_length`` (decoder start included).
HF_DEFAULT_MAX_LENGTH = 20

# Files of a Marian model directory that tokenizing and generating read.
# The weights are not listed: an engine that converts them keeps only these.
TOKENIZER_FILES = (
    "config.json",
    "generation_config.json",
    "source.spm",
    "target.spm",
    "vocab.json",
    "target_vocab.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
)

# Generation keys that older checkpoints keep in config.json when they have no
# generation_config.json; transformers falls back on them the same way.
_LEGACY_GENERATION_KEYS = (
    "num_beams",
    "max_length",
    "max_new_tokens",
    "min_length",
    "min_new_tokens",
    "length_penalty",
    "repetition_penalty",
    "no_repeat_ngram_size",
    "bad_words_ids",
    "forced_eos_token_id",
    "eos_token_id",
    "pad_token_id",
    "decoder_start_token_id",
    "do_sample",
    "top_k",
    "top_p",
    "temperature",
    "early_stopping",
)


def max_input_tokens(model_dir: Path) -> int:
    """Most source tokens (``</s>`` included) the model accepts.

    The smaller of the tokenizer's ``model_max_length`` and the model's
    ``max_position_embeddings``, ignoring "no limit" sentinels; 512 if neither
    says. This is what ``TransformersEngine`` computes from the loaded objects.
    """
    tokenizer = read_json(model_dir / "tokenizer_config.json")
    config = read_json(model_dir / "config.json")
    limits = (
        tokenizer.get("model_max_length", MARIAN_MAX_LENGTH),
        config.get("max_position_embeddings"),
    )
    return min(
        (int(v) for v in limits if isinstance(v, int | float) and 0 < v < NO_LIMIT),
        default=MARIAN_MAX_LENGTH,
    )


def generation_config(model_dir: Path) -> dict[str, Any]:
    """The raw generation settings: generation_config.json, else config.json's."""
    data = read_json(model_dir / "generation_config.json")
    if data:
        return data
    config = read_json(model_dir / "config.json")
    return {k: config[k] for k in _LEGACY_GENERATION_KEYS if config.get(k) is not None}


def _ids(value: Any) -> tuple[int, ...]:
    if value is None:
        return ()
    if isinstance(value, int):
        return (value,)
    return tuple(int(v) for v in value)


@dataclass(frozen=True)
class Generation:
    """A model's generation settings, resolved as transformers resolves them.

    Lengths count *new* tokens, the end-of-sentence token included, whatever
    the file used (``max_length``/``min_length`` count the decoder start token
    too; ``max_new_tokens``/``min_new_tokens`` take precedence when set).

    Attributes:
        num_beams: Beam size (1 = greedy).
        max_new_tokens: Most tokens generated, ``</s>`` included.
        min_new_tokens: Tokens generated before ``</s>`` is allowed.
        forced_eos: The last allowed position is forced to ``</s>``
            (``forced_eos_token_id`` names the EOS token, as in opus-mt).
        length_penalty: Exponent of the length in the beam score.
        repetition_penalty: CTRL-style penalty on already generated tokens.
        no_repeat_ngram_size: Forbid repeating n-grams of this size (0 = off).
        bad_words_ids: Token-id sequences that must never be generated.
        eos_token_id: End-of-sentence ids.
        pad_token_id: Padding id (opus-mt's decoder start token), or None.
        do_sample: Sample instead of searching.
        top_k: Sampling: keep the k most probable tokens.
        top_p: Sampling: nucleus mass.
        temperature: Sampling temperature.
    """

    num_beams: int = 1
    max_new_tokens: int = HF_DEFAULT_MAX_LENGTH - 1
    min_new_tokens: int = 0
    forced_eos: bool = False
    length_penalty: float = 1.0
    repetition_penalty: float = 1.0
    no_repeat_ngram_size: int = 0
    bad_words_ids: tuple[tuple[int, ...], ...] = ()
    eos_token_id: tuple[int, ...] = ()
    pad_token_id: int | None = None
    do_sample: bool = False
    top_k: int = 50
    top_p: float = 1.0
    temperature: float = 1.0

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Generation:
        """Resolve raw generation settings (see :func:`generation_config`).

        Like transformers 5, keys missing from generation_config.json are not
        taken from config.json: they get GenerationConfig's defaults.
        """

        def get(key: str, default: Any) -> Any:
            value = data.get(key)
            return default if value is None else value

        if data.get("max_new_tokens") is not None:
            max_new = int(data["max_new_tokens"])
        else:
            max_new = int(get("max_length", HF_DEFAULT_MAX_LENGTH)) - 1
        if data.get("min_new_tokens") is not None:
            min_new = int(data["min_new_tokens"])
        else:
            min_new = max(0, int(get("min_length", 0)) - 1)
        eos = _ids(data.get("eos_token_id"))
        forced = _ids(data.get("forced_eos_token_id"))
        pad = data.get("pad_token_id")
        return cls(
            num_beams=int(get("num_beams", 1)),
            max_new_tokens=max(1, max_new),
            min_new_tokens=max(0, min_new),
            forced_eos=bool(forced) and (not eos or set(forced) <= set(eos)),
            length_penalty=float(get("length_penalty", 1.0)),
            repetition_penalty=float(get("repetition_penalty", 1.0)),
            no_repeat_ngram_size=int(get("no_repeat_ngram_size", 0)),
            bad_words_ids=tuple(_ids(seq) for seq in get("bad_words_ids", ()) if seq),
            eos_token_id=eos,
            pad_token_id=None if pad is None else int(pad),
            do_sample=bool(get("do_sample", False)),
            top_k=int(get("top_k", 50)),
            top_p=float(get("top_p", 1.0)),
            temperature=float(get("temperature", 1.0)),
        )


def read_generation(model_dir: Path) -> Generation:
    """The model's resolved generation settings."""
    return Generation.from_dict(generation_config(model_dir))


def _content(token: Any) -> str | None:
    """A token as tokenizer_config.json writes it: a string or an AddedToken dict."""
    if isinstance(token, str):
        return token
    if isinstance(token, Mapping):
        content = token.get("content")
        if isinstance(content, str):
            return content
    return None


@dataclass(frozen=True)
class TokenizerFiles:
    """What MarianTokenizer reads from tokenizer_config.json and friends.

    Attributes:
        eos_token: End-of-sentence token, appended to every source.
        unk_token: What unknown pieces become.
        pad_token: Padding token (never generated).
        special_tokens: Tokens ``decode(skip_special_tokens=True)`` drops.
        added_tokens: Tokens the text is split on before SentencePiece.
        source_lang: Language given to sacremoses by ``normalize``.
        separate_vocabs: Source and target use different vocab files.
        clean_up_tokenization_spaces: Apply transformers' space clean-up
            after decoding.
    """

    eos_token: str = "</s>"
    unk_token: str = "<unk>"
    pad_token: str = "<pad>"
    special_tokens: frozenset[str] = frozenset()
    added_tokens: frozenset[str] = frozenset()
    source_lang: str | None = None
    separate_vocabs: bool = False
    clean_up_tokenization_spaces: bool = False


def read_tokenizer_files(model_dir: Path) -> TokenizerFiles:
    """Read the tokenizer settings a Marian model directory holds."""
    config = {
        **read_json(model_dir / "special_tokens_map.json"),
        **read_json(model_dir / "tokenizer_config.json"),
    }
    eos = _content(config.get("eos_token")) or "</s>"
    unk = _content(config.get("unk_token")) or "<unk>"
    pad = _content(config.get("pad_token")) or "<pad>"
    extra: list[str] = []
    for key in ("additional_special_tokens", "extra_special_tokens"):
        value = config.get(key) or ()
        # transformers 5 writes extra_special_tokens as a {name: token} mapping.
        values = value.values() if isinstance(value, Mapping) else value
        extra.extend(c for c in map(_content, values) if c)
    added = [c for c in map(_content, (config.get("added_tokens_decoder") or {}).values()) if c]
    special = frozenset([eos, unk, pad, *extra])
    return TokenizerFiles(
        eos_token=eos,
        unk_token=unk,
        pad_token=pad,
        special_tokens=special,
        added_tokens=frozenset([*special, *added]),
        source_lang=config.get("source_lang"),
        separate_vocabs=bool(config.get("separate_vocabs", False)),
        clean_up_tokenization_spaces=bool(config.get("clean_up_tokenization_spaces", False)),
    )


# A language label as Marian tokenizer configs write it: ``fr``, ``fra``, ``fr_BE``,
# ``pt-BR``; several are joined by ``+`` (opus-mt-ROMANCE-en's ``fr+fr_BE+...+la``).
_LANGUAGE = re.compile(r"([A-Za-z]{2,3})((?:[-_][A-Za-z0-9]{2,8})*)")
# ISO 639-2/3 codes of the default pair; BCP 47 wants the two-letter code when
# there is one (RFC 5646, section 2.2.1).
_TWO_LETTER = {"fra": "fr", "fre": "fr", "eng": "en"}
# ISO 639-2's code for several languages, for a list without the default.
MULTIPLE = "mul"


def language_tag(label: Any, default: str) -> str:
    """A model's language label as a BCP 47 tag, or ``default``.

    Args:
        label: ``source_lang`` or ``target_lang`` as the model's files give it.
        default: The tag when the label is absent or names no language
            (``opus-mt-tc-base-en``), and when a list of several labels holds it.

    Returns:
        ``fr``, ``fr-BE``, ``pt-BR``... (``_`` becomes ``-``, region in capitals,
        ``fra``/``eng`` their two-letter codes); for several labels joined by
        ``+``, ``default`` when one of them is ``default``'s language, else
        :data:`MULTIPLE`.
    """
    if not isinstance(label, str):
        return default
    tags: list[str] = []
    for part in label.strip().split("+"):
        match = _LANGUAGE.fullmatch(part.strip())
        if match is None:
            return default
        language = match.group(1).lower()
        language = _TWO_LETTER.get(language, language)
        subtags = [t for t in re.split(r"[-_]", match.group(2)) if t]
        subtags = [t.upper() if len(t) == 2 else t for t in subtags]
        tags.append("-".join([language, *subtags]))
    if len(tags) == 1:
        return tags[0]
    primary = default.split("-")[0]
    return primary if any(t.split("-")[0] == primary for t in tags) else MULTIPLE


def read_languages(model_dir: Path) -> tuple[str, str]:
    """The model's source and target languages, as BCP 47 tags.

    Read from ``source_lang``/``target_lang`` in tokenizer_config.json (what
    ``MarianTokenizer`` saves; opus-mt-fr-en and opus-mt-tc-big-fr-en say
    ``fr`` and ``en``), else config.json, through :func:`language_tag`;
    French → English (:data:`~translate_cli.config.DEFAULT_SOURCE_LANG`,
    :data:`~translate_cli.config.DEFAULT_TARGET_LANG`) where they are silent.

    Raises:
        ModelError: One of the two files is unreadable.
    """
    tokenizer = read_json(model_dir / "tokenizer_config.json")
    config = read_json(model_dir / "config.json")

    def label(key: str) -> Any:
        value = tokenizer.get(key)
        return value if value is not None else config.get(key)

    return (
        language_tag(label("source_lang"), DEFAULT_SOURCE_LANG),
        language_tag(label("target_lang"), DEFAULT_TARGET_LANG),
    )


__all__ = [
    "MULTIPLE",
    "NO_LIMIT",
    "TOKENIZER_FILES",
    "Generation",
    "TokenizerFiles",
    "generation_config",
    "language_tag",
    "max_input_tokens",
    "read_generation",
    "read_languages",
    "read_tokenizer_files",
]
