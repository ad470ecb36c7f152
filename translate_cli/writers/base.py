"""The Writer base class, the format registry, and helpers shared by writers."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import Any, ClassVar, TextIO

from ..document import Result
from ..errors import unknown_choice

FORMATS: dict[str, type[Writer]] = {}

# Characters XML 1.0 forbids: C0 controls other than tab/LF/CR, lone
# surrogates, and the two non-characters U+FFFE/U+FFFF.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class Writer(ABC):
    """One output format.

    Attributes:
        name: Format name for ``--format``.
        suffixes: File-name endings, one per stream ``write`` takes. ``{ext}``
            stands for the input's extension (``.txt``, ``.md``).
        description: One line for ``--help`` and the README.
    """

    name: ClassVar[str]
    suffixes: ClassVar[tuple[str, ...]]
    description: ClassVar[str]

    @abstractmethod
    def write(self, results: Iterable[Result], *streams: TextIO) -> None:
        """Write documents to the open text streams, one stream per suffix.

        One document gives the per-input file; several give a combined file
        for a whole run, in the order given. ``results`` is iterated once, so
        a generator keeps memory bounded.
        """


def register(cls: type[Writer]) -> type[Writer]:
    """Class decorator adding a writer to :data:`FORMATS`."""
    FORMATS[cls.name] = cls
    return cls


def get_writer(name: str) -> Writer:
    """Instantiate the writer for a format name.

    Raises:
        UsageError: Unknown format, listing the valid ones.
    """
    try:
        return FORMATS[name]()
    except KeyError:
        raise unknown_choice("format", name, FORMATS) from None


def xml_safe(text: str) -> str:
    """Replace characters XML 1.0 cannot hold with U+FFFD, so output always parses."""
    return XML_ILLEGAL.sub("\ufffd", text)


def source_check(document: str, paragraph: int, sentence: int, source: str) -> str:
    """8 hex digits identifying a sentence and its place (1-based numbers)."""
    data = f"{document}\0{paragraph}\0{sentence}\0{source}".encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()[:8]


def target_check(target: str) -> str:
    """8 hex digits of the machine translation, to tell edited targets apart."""
    return hashlib.sha256(target.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def row_check(document: str, paragraph: int, sentence: int, source: str, target: str) -> str:
    """The ``check`` cell of review files: source and target fingerprints.

    When a reviewer's file is imported, the first half proves that the row
    still holds the sentence it was written with (not edited, not shifted
    to another row), and the second half shows whether the target was edited.
    """
    return source_check(document, paragraph, sentence, source) + target_check(target)


def meta_record(result: Result) -> dict[str, Any]:
    """Provenance plus the input's own facts, for formats that carry metadata."""
    doc = result.document
    return {
        **dataclasses.asdict(result.meta),
        "document": doc.name,
        "encoding": doc.encoding,
        "source_sha256": doc.sha256,
        "paragraphs": len(doc.paragraphs),
        "sentences": len(result.pairs),
        # Only when reading repaired something, so ordinary outputs stay as they were.
        **({"warnings": list(doc.warnings)} if doc.warnings else {}),
    }
