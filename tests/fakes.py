"""A test double for the Engine protocol, for ordering and writer tests.

Its "translation" is the upper-cased source, so a test can check that every
target came from its own source, which catches sort and dedup bugs.

Like a real model it can be given characters it cannot write (``unknown``:
they vanish from its output, as emoji do from opus-mt's) and an output cap
(``max_words``: longer outputs are cut there and marked ``truncated``).
"""

from __future__ import annotations

from collections.abc import Sequence

from translate_cli.document import Hypothesis


class FakeEngine:
    name = "fake"
    model = "fake-model"
    revision = "fake-rev"
    beams = 1

    def __init__(
        self, max_input_tokens: int = 512, unknown: str = "", max_words: int | None = None
    ) -> None:
        self.max_input_tokens = max_input_tokens
        self.unknown = frozenset(unknown)
        self.max_words = max_words
        self.details = {"device": "none"}
        self.batches: list[list[str]] = []
        self.asked: list[str] = []  # characters can_write was asked about

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(t.split()) + 1 for t in texts]

    def can_write(self, char: str) -> bool:
        self.asked.append(char)
        return char not in self.unknown

    def _hypothesis(self, text: str) -> Hypothesis:
        if self.unknown:
            text = "".join(c for c in text if c not in self.unknown)
        words = text.split()
        if self.max_words is not None and len(words) > self.max_words:
            return Hypothesis(" ".join(words[: self.max_words]).upper(), -0.25, truncated=True)
        return Hypothesis(text.upper(), -0.25)

    def translate_batch(self, texts: Sequence[str]) -> list[Hypothesis]:
        self.batches.append(list(texts))
        return [self._hypothesis(t) for t in texts]

    @property
    def translated(self) -> list[str]:
        return [t for b in self.batches for t in b]


ORIGIN_FLAGS = ("truncated", "split", "symbols", "markup", "reviewed")


def origin_flags(pair) -> tuple[str, ...]:
    """The flags that tell how a pair was translated (QA flags left out)."""
    return tuple(f for f in pair.flags if f in ORIGIN_FLAGS)
