"""The Engine protocol: the only thing the pipeline knows about a translator."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from ..document import Hypothesis


@runtime_checkable
class Engine(Protocol):
    """A loaded model that translates batches of sentences.

    Attributes:
        name: Engine name as the user selects it (``transformers``, ...).
        model: Model id or path as given.
        revision: Hub commit hash or local content fingerprint.
        beams: Beam size in use.
        max_input_tokens: Most source tokens (end-of-sentence included) the
            model accepts; longer sentences must be cut by the caller.
        details: Other settings worth recording in outputs (device, ...).
    """

    name: str
    model: str
    revision: str
    beams: int
    max_input_tokens: int
    details: dict[str, str]

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Source-token counts, as the model will see them."""
        ...

    def translate_batch(self, texts: Sequence[str]) -> list[Hypothesis]:
        """Translate one batch; the caller sizes it and keeps the order."""
        ...
