"""The Writer base class, the format registry, and helpers shared by writers."""

from __future__ import annotations

import dataclasses
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import Any, ClassVar, TextIO

from ..document import Result
from ..errors import unknown_choice

FORMATS: dict[str, type[Writer]] = {}

# Characters XML 1.0 forbids: C0 controls other than tab/LF/CR, lone
# surrogates, and the two non-characters U+FFFE/U+FFFF.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


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
    return _XML_ILLEGAL.sub("\ufffd", text)


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
    }
