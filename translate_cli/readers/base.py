"""The Reader base class and the registry of input formats, looked up by name or extension."""

from __future__ import annotations

import re
import unicodedata
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

from ..markup import Block, Layout, Span


@dataclass(frozen=True)
class Parsed:
    """What a reader found in a file.

    Attributes:
        blocks: The blocks to translate, in document order.
        layout: Writes the English file back around them.
        encoding: The encoding the text was decoded with (``binary`` for Word).
        warnings: What was repaired on reading, one line each without the file name.
    """

    blocks: tuple[Block, ...]
    layout: Layout
    encoding: str = "utf-8"
    warnings: tuple[str, ...] = ()


class Reader(ABC):
    """One structured input format.

    Attributes:
        name: Format name for ``--input-format``.
        extensions: File extensions it is chosen for, lower case with the dot.
    """

    name: ClassVar[str]
    extensions: ClassVar[tuple[str, ...]]

    @abstractmethod
    def read(self, data: bytes, name: str) -> Parsed:
        """Parse a file's bytes.

        Args:
            data: The whole file.
            name: Its display name, for messages.

        Raises:
            InputError: The file is not a well-formed document of this
                format, naming the file and the problem in one line.
        """


READERS: dict[str, type[Reader]] = {}


def register(cls: type[Reader]) -> type[Reader]:
    """Class decorator adding a reader to :data:`READERS`."""
    READERS[cls.name] = cls
    return cls


class BlockBuilder:
    """Builds a :class:`Block` from a parser's events: text, elements opened and closed.

    Whitespace runs become one space, none is kept at either end, and the
    text is put in Unicode NFC (the model's training form); span offsets
    follow. An element left with no text is kept as a protected empty span,
    so that it is written back (an anchor, an image, an empty link).

    >>> b = BlockBuilder()
    >>> b.add_text("Les  ")
    >>> b.open(0)
    >>> b.add_text("chiffres\\n")
    >>> b.close()
    >>> b.add_text(" clés")
    >>> b.build()
    Block(text='Les chiffres clés', spans=(Span(start=4, end=12, tag=0, protected=False),))
    """

    def __init__(self) -> None:
        self._chars: list[str] = []
        self._length = 0
        self._space = True  # the text so far ends with a space (or is empty)
        self._open: list[tuple[int, bool, int, int]] = []
        self._opened = 0
        self._spans: list[tuple[int, Span]] = []

    def add_text(self, text: str) -> None:
        """Append text; its whitespace runs become single spaces."""
        for piece in _WHITESPACE.split(unicodedata.normalize("NFC", text)):
            if piece == "":
                continue
            if piece.isspace() or piece == " ":
                if not self._space:
                    self._chars.append(" ")
                    self._length += 1
                    self._space = True
                continue
            self._chars.append(piece)
            self._length += len(piece)
            self._space = False

    def open(self, tag: int, protected: bool = False) -> None:
        """Start an inline element; its span runs until the matching :meth:`close`."""
        self._open.append((tag, protected, self._length, self._opened))
        self._opened += 1

    def close(self) -> None:
        """End the innermost element opened.

        Raises:
            ValueError: No element is open.
        """
        tag, protected, start, order = self._open.pop()
        # Ordered by opening, so that of two spans over the same text the
        # one opened first stays the outer one.
        self._spans.append((order, Span(start, self._length, tag, protected)))

    def add_protected(self, text: str, tag: int) -> None:
        """Append text that is copied byte for byte and never translated (inline code)."""
        self.open(tag, protected=True)
        self.add_text(text)
        self.close()

    @property
    def empty(self) -> bool:
        """Whether nothing but whitespace was added, and no element."""
        return self._length == 0 and not self._spans

    def build(self) -> Block:
        """The block: text trimmed, spans clipped to it and sorted.

        Raises:
            ValueError: An element is still open.
        """
        if self._open:
            raise ValueError("an inline element was never closed")
        text = "".join(self._chars)
        if text.endswith(" "):
            text = text[:-1]
        spans = []
        for order, span in self._spans:
            start, end = min(span.start, len(text)), min(span.end, len(text))
            # A span that starts at the space before its text starts at the text.
            if start < end and text[start] == " ":
                start += 1
            if start < end and text[end - 1] == " ":
                end -= 1
            protected = span.protected or start == end
            spans.append((start, -end, order, Span(start, end, span.tag, protected)))
        return Block(text, tuple(s for *_, s in sorted(spans)))


_WHITESPACE = re.compile(r"(\s+)")
