"""The words the tool writes into files and summaries, one type per vocabulary.

Each vocabulary is a :class:`enum.StrEnum`, so a member *is* its on-disk word
(``Flag.LOW_CONFIDENCE == "low-confidence"``) and a typo is a type error
instead of a silent new word. ``tests/test_vocabulary.py`` pins the words:
files written by earlier versions must keep reading the same.

The closed sets of setting values (engines, devices, compute types, output
formats) live here too, so :class:`translate_cli.config.Settings` can
validate them without importing the modules that implement them.
"""

from __future__ import annotations

from enum import StrEnum


class Flag(StrEnum):
    """Review flags on an aligned pair, in display order (most serious first).

    The content checks are documented in :mod:`translate_cli.qa`;
    ``truncated``, ``split`` and ``symbols`` say how the engine's output was
    obtained and ``reviewed`` who wrote it. (Versions before 0.2 also wrote
    ``memory`` for stored machine translations; those carry no flag now.)
    """

    EMPTY = "empty"
    TRUNCATED = "truncated"  # decoding hit the output cap: the end is missing
    UNTRANSLATED = "untranslated"
    REPETITION = "repetition"
    NUMBERS = "numbers"
    TERM = "term"  # a glossary term's required English is missing from the translation
    LENGTH = "length"
    LOW_CONFIDENCE = "low-confidence"
    SPLIT = "split"
    SYMBOLS = "symbols"  # a symbol the model cannot write was put back by guess
    MARKUP = "markup"  # inline markup placed on the English by a fallback, not by alignment
    REVIEWED = "reviewed"


class TermStatus(StrEnum):
    """What became of a glossary term found in a pair's source (see :mod:`translate_cli.terms`)."""

    PRESENT = "present"  # the required English is in the translation
    RESTORED = "restored"  # put in place of the model's words aligned with it
    MISSING = "missing"  # not in the translation: the pair is flagged ``term``


class Status(StrEnum):
    """What a run did with one input."""

    TRANSLATED = "translated"
    SKIPPED = "skipped"  # outputs already up to date
    FAILED = "failed"


class Origin(StrEnum):
    """Where a sentence's translation came from in a run."""

    ENGINE = "engine"
    MEMORY = "memory"  # a stored machine translation
    REVIEWED = "reviewed"  # a reviewer's translation from the memory
    COPIED = "copied"  # a text-free segment (no letter), its own translation


class EntryOrigin(StrEnum):
    """Who wrote a translation-memory entry (the ``origin`` column)."""

    MACHINE = "machine"
    REVIEWED = "reviewed"


ENGINES = ("auto", "transformers", "ctranslate2")
# Who runs a corpus: this process (runner.py) or a Ray cluster (ray_runner.py).
RUNNERS = ("local", "ray")
DEVICES = ("auto", "cpu", "cuda")
# CTranslate2 compute types (weights and arithmetic), as its
# ``get_supported_compute_types`` names them, plus ``auto``.
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
# Output formats; the writer registry (translate_cli.writers) has exactly these.
FORMATS = ("txt", "tsv", "jsonl", "moses", "tmx", "xliff", "html", "xlsx")
# Input formats for --input-format: plain text, then the reader registry
# (translate_cli.readers), which has exactly the others.
INPUT_FORMATS = ("text", "markdown", "html", "docx", "srt", "vtt")
