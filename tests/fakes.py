"""A test double for the Engine protocol, for ordering and writer tests.

Its "translation" is the upper-cased source, so a test can check that every
target came from its own source, which catches sort and dedup bugs.
"""

from __future__ import annotations

from collections.abc import Sequence

from translate_cli.document import Hypothesis


class FakeEngine:
    name = "fake"
    model = "fake-model"
    revision = "fake-rev"
    beams = 1

    def __init__(self, max_input_tokens: int = 512) -> None:
        self.max_input_tokens = max_input_tokens
        self.details = {"device": "none"}
        self.batches: list[list[str]] = []

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(t.split()) + 1 for t in texts]

    def translate_batch(self, texts: Sequence[str]) -> list[Hypothesis]:
        self.batches.append(list(texts))
        return [Hypothesis(t.upper(), -0.25) for t in texts]

    @property
    def translated(self) -> list[str]:
        return [t for b in self.batches for t in b]


ORIGIN_FLAGS = ("split", "reviewed")


def origin_flags(pair) -> tuple[str, ...]:
    """The flags that tell how a pair was translated (QA flags left out)."""
    return tuple(f for f in pair.flags if f in ORIGIN_FLAGS)
