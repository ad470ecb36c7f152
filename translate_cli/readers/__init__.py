"""Input formats: plain text, and structured documents read into blocks and a layout.

A reader per format, registered by name and chosen by the file's extension
(``--input-format`` forces one). Plain text is read by
:func:`translate_cli.document.read_document`; every other format gives a
:class:`~translate_cli.document.Document` whose paragraphs are its blocks'
texts and whose layout writes the English file back.
"""

from __future__ import annotations

import hashlib
from pathlib import Path, PurePath

from ..document import Document, read_bounded, read_document, safe_name
from ..errors import InputError, TranslateError, unknown_choice
from ..vocabulary import INPUT_FORMATS
from . import html, markdown, subtitles, word  # noqa: F401  (registers the readers)
from .base import READERS, Parsed, Reader, register

# The name of the plain-text format, read by translate_cli.document.
TEXT_FORMAT = INPUT_FORMATS[0]


def input_formats() -> tuple[str, ...]:
    """Every ``--input-format`` name, plain text first."""
    return (TEXT_FORMAT, *READERS)


def format_of(path: str | PurePath, forced: str | None = None) -> str:
    """The input format of a file: ``forced`` if given, else by extension, else plain text.

    Args:
        path: The file's name.
        forced: A format name, or None or ``auto`` to choose by extension.

    Raises:
        UsageError: ``forced`` names no format, listing the valid ones.
    """
    if forced not in (None, "auto"):
        if forced not in input_formats():
            raise unknown_choice("input format", str(forced), input_formats())
        return str(forced)
    ext = PurePath(path).suffix.lower()
    return next((n for n, cls in READERS.items() if ext in cls.extensions), TEXT_FORMAT)


def read_input(path: Path, display: str | None = None, input_format: str | None = None) -> Document:
    """Read one input file in its format.

    Raises:
        InputError: Unreadable, too large, or not a well-formed file of its
            format, naming the file.
        UsageError: ``input_format`` names no format.
    """
    name = display or safe_name(str(path))
    fmt = format_of(path, input_format)
    if fmt == TEXT_FORMAT:
        return read_document(path, name)
    return parse_document(read_bounded(path, name), name, fmt)


def parse_document(data: bytes, name: str, input_format: str) -> Document:
    """A structured document from its bytes (standard input, an archive member...).

    Args:
        data: The whole file.
        name: Its display name, for messages and outputs.
        input_format: A reader's name (not ``text``).

    Raises:
        InputError: Not a well-formed document of that format.
        UsageError: ``input_format`` names no reader.
    """
    if input_format not in READERS:
        raise unknown_choice("input format", input_format, READERS)
    try:
        parsed = READERS[input_format]().read(data, name)
    except TranslateError:
        raise
    except Exception as exc:  # parsers raise many kinds on odd files; one file fails, not the run
        cause = " ".join(str(exc).split()) or type(exc).__name__
        raise InputError(name, f"cannot read as {input_format}: {cause}") from exc
    return Document(
        name,
        tuple(block.text for block in parsed.blocks),
        "\n\n",
        parsed.encoding,
        hashlib.sha256(data).hexdigest(),
        parsed.warnings,
        parsed.blocks,
        parsed.layout,
    )


__all__ = [
    "READERS",
    "TEXT_FORMAT",
    "Parsed",
    "Reader",
    "format_of",
    "input_formats",
    "parse_document",
    "read_input",
    "register",
]
