"""Word alignment from a Marian model's cross-attention, engine-independent part.

OPUS-MT models such as opus-mt-fr-en are Marian ``transformer-align``
models (their model cards say so): trained with *guided alignment*
(``--guided-alignment`` on external word alignments), which pulls one
attention head towards those alignments. Marian takes the first head
(``collectOneHead``: "select first head") of the decoder layer named by
``--transformer-guided-alignment-layer``, ``last`` by default. That head is
therefore a word aligner. CTranslate2's converters expose the same head
through ``return_attention``: ``TransformerSpec(alignment_layer=-1,
alignment_heads=1)``, the default of its transformers converter and what its
Marian converter sets from that option. The transformers engine reads it as
``cross_attentions[-1][:, 0]``. Both engines force-decode a given target
(teacher forcing) and hand the matrix here. Models trained without guided
alignment (the test copy model) have no such head by design; their last
layer's first head may still follow the source, or not.

This module turns that matrix into word pairs:

* :func:`piece_words` maps each SentencePiece piece the model saw to the
  whitespace-separated words (``text.split()``) of the text *as the caller
  wrote it*. The model did not see that text: the engines normalise it first
  (OPUS-MT's Moses preprocessing: ``’`` becomes ``'``, ``«\u00a0oui\u00a0»``
  becomes ``"oui"``, ``12,5 %`` becomes ``12,5%``), SentencePiece
  normalises it again (NFKC: ``ﬁ`` becomes ``fi``), and unknown characters
  come back as ``<unk>``. Rather than follow each rule, the pieces' surfaces
  (``▁`` dropped) are aligned character by character with the text's
  non-space characters (:class:`difflib.SequenceMatcher`); equal runs map
  one to one, replaced runs proportionally, and each piece takes the words
  its characters land in. A bare ``▁`` piece takes the word that follows.
* :func:`attention_pairs` links, for each target piece, the source piece it
  attends to most, then lifts the link to words, in Pharaoh format
  (``(i, j)``: source word ``i``, target word ``j``, sorted), which is what
  fast_align writes.

Plain lists only: no numpy or torch, so importing this costs nothing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from difflib import SequenceMatcher

# SentencePiece's word-start mark.
SPACE_PIECE = "\u2581"

Alignment = tuple[tuple[int, int], ...]


def _surface(piece: str) -> str:
    """The characters a piece stands for, without its word-start mark."""
    return piece.replace(SPACE_PIECE, "")


def project(a: str, b: str) -> list[int]:
    """For each character of ``a``, the index of the character of ``b`` it stands for.

    Args:
        a: One string.
        b: A string close to ``a`` (a normalised copy, or the reverse).

    Returns:
        ``len(a)`` indices into ``b``, non-decreasing; empty when ``b`` is
        empty. Characters of equal runs map one to one; a run of ``a``
        replaced by a run of ``b`` maps proportionally onto it; characters
        of ``a`` that ``b`` lacks map to the next character of ``b`` (the
        last one at the end).
    """
    if not b:
        return []
    if a == b:
        return list(range(len(a)))
    out = [0] * len(a)
    last = len(b) - 1
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out[i1:i2] = range(j1, j2)
        elif tag == "replace":
            for k in range(i2 - i1):
                out[i1 + k] = j1 + k * (j2 - j1) // (i2 - i1)
        elif tag == "delete":
            out[i1:i2] = [min(j1, last)] * (i2 - i1)
    return out


def piece_words(text: str, pieces: Sequence[str]) -> list[tuple[int, ...]]:
    """The words of ``text`` that each piece stands for.

    Args:
        text: The text as the caller wrote it; its words are ``text.split()``.
        pieces: The pieces the model read or wrote for (a normalised copy
            of) ``text``, end-of-sentence token excluded. ``<unk>`` and
            pieces altered by normalisation are placed by their neighbours.

    Returns:
        One tuple per piece: the indices of the words its characters fall
        in, usually one; never empty when ``text`` has a word. All empty
        when ``text`` is blank.
    """
    owner: list[int] = []  # word index of each non-space character of text
    chars: list[str] = []
    word = -1
    in_word = False
    for char in text:
        if char.isspace():
            in_word = False
            continue
        if not in_word:
            word += 1
            in_word = True
        owner.append(word)
        chars.append(char)
    if not owner:
        return [() for _ in pieces]
    surfaces = [_surface(p) for p in pieces]
    where = project("".join(surfaces), "".join(chars))
    last = len(owner) - 1
    out: list[tuple[int, ...]] = []
    pos = 0
    for surface in surfaces:
        if surface:
            words = sorted({owner[k] for k in where[pos : pos + len(surface)]})
            out.append(tuple(range(words[0], words[-1] + 1)))
            pos += len(surface)
        else:  # a bare ▁: the start of the next word
            out.append((owner[where[pos]] if pos < len(where) else owner[last],))
    return out


def attention_pairs(
    attention: Sequence[Sequence[float]],
    source_words: Sequence[tuple[int, ...]],
    target_words: Sequence[tuple[int, ...]],
    threshold: float = 0.0,
) -> Alignment:
    """Word alignment from one sentence pair's attention matrix.

    Args:
        attention: ``[target piece][source piece]`` attention weights (one
            head: rows sum to 1 over the real source pieces). Rows past
            ``len(target_words)`` (the end-of-sentence step, padding) and
            columns past ``len(source_words)`` (the source's ``</s>``,
            padding) are ignored, so the matrix may be larger than the
            sentence; a shorter row (a source cut at the model's input
            limit) is read as far as it goes.
        source_words: :func:`piece_words` of the source, one per column.
        target_words: :func:`piece_words` of the target, one per row.
        threshold: A row whose best weight is not above this links nothing.

    Returns:
        Sorted ``(source word, target word)`` pairs. Each target piece links
        the words of the source piece with the highest weight (the first
        one on a tie). A row links nothing when it is degenerate: holding a
        NaN or infinity, flat (every weight the same, over two pieces or
        more), or not above ``threshold``.
    """
    columns = [c for c, words in enumerate(source_words) if words]
    if not columns:
        return ()
    pairs: set[tuple[int, int]] = set()
    for row, targets in zip(attention, target_words, strict=False):
        if not targets:
            continue
        seen = [c for c in columns if c < len(row)] if len(row) <= columns[-1] else columns
        if not seen:
            continue
        weights = [float(row[c]) for c in seen]
        if not math.isfinite(sum(weights)):  # a NaN or an infinity anywhere
            continue
        best = max(weights)
        if best <= threshold or (len(weights) > 1 and best == min(weights)):
            continue
        column = seen[weights.index(best)]
        pairs.update((s, t) for s in source_words[column] for t in targets)
    return tuple(sorted(pairs))


__all__ = ["SPACE_PIECE", "Alignment", "attention_pairs", "piece_words", "project"]


def alignable(sources: Sequence[str], targets: Sequence[str]) -> list[int]:
    """The indices of the pairs worth aligning: both sides have text.

    Raises:
        ValueError: ``sources`` and ``targets`` differ in length.
    """
    if len(sources) != len(targets):
        raise ValueError(f"{len(sources)} sources but {len(targets)} targets")
    return [
        i for i, (s, t) in enumerate(zip(sources, targets, strict=True)) if s.strip() and t.strip()
    ]
