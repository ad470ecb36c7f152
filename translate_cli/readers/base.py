"""The Reader base class and the registry of input formats, looked up by name or extension."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

from ..markup import Block, Layout


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
