"""The Engine protocol: the only thing the pipeline knows about a translator."""

from __future__ import annotations

from collections.abc import Container, Sequence
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
        """Translate one batch; the caller sizes it and keeps the order.

        A hypothesis that stopped at the output cap (``max_length`` /
        ``max_new_tokens``) without the end-of-sentence token has
        ``truncated`` set, so the caller can retry it in pieces.
        """
        ...

    def align_batch(
        self, sources: Sequence[str], targets: Sequence[str]
    ) -> list[tuple[tuple[int, int], ...]]:
        """Word alignment of each (source, target) pair, from the model's attention.

        The target is any English text (the engine's own output, a memory's
        or a reviewer's): the model is force-decoded on it (teacher forcing)
        and the cross-attention head OPUS-MT trained as an aligner (guided
        alignment: last decoder layer, first head) is read, see
        :mod:`translate_cli.engines.alignment`.

        Args:
            sources: French texts, as given to :meth:`translate_batch`.
            targets: English texts, one per source.

        Returns:
            For each pair, sorted ``(i, j)`` pairs (Pharaoh format, as
            fast_align writes it): source word ``i`` is aligned with target
            word ``j``, words being ``text.split()``. Every target word gets
            at least one link unless the attention is degenerate, or the
            target is longer than the model's limit (words past it get
            none). ``()`` when either text is blank.

        Raises:
            ValueError: ``sources`` and ``targets`` differ in length.
        """
        ...

    def can_write(self, char: str) -> bool:
        """Whether the model can take ``char`` in and give it back.

        False for a character the tokenizer maps to the unknown piece, or
        whose pieces are missing from the source or target vocabulary (emoji,
        box drawing in opus-mt): the model would drop it. The translator
        protects such characters (:mod:`translate_cli.protect`) and caches
        the answer per character, so this may be slow-ish.
        """
        ...


# SentencePiece's word-start mark: alone it stands for a space, not a character.
_SPACE_PIECE = "\u2581"


def pieces_writable(
    pieces: Sequence[str], source: Container[str], target: Container[str], unknown: str
) -> bool:
    """:meth:`Engine.can_write` from a character's SentencePiece pieces.

    Args:
        pieces: The character's pieces before vocabulary lookup.
        source: The source vocabulary (what the encoder has an embedding for).
        target: The target vocabulary (what the decoder can produce).
        unknown: The unknown piece (``<unk>``).

    Returns:
        True when the character encodes to at least one real piece and every
        piece is known on both sides. A character that encodes to nothing
        (removed by SentencePiece's normalisation) cannot be written either.
    """
    real = [p for p in pieces if p != _SPACE_PIECE]
    return bool(real) and all(p != unknown and p in source and p in target for p in real)
