"""Dedup and token-budget batching, with order restoration left to indices.

Padding makes a batch cost about ``len(batch) * longest`` tokens, so sentences
are sorted by length before being cut into batches: neighbours have similar
lengths and little is wasted on padding. Callers keep the indices and put the
results back in document order.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def sentence_key(text: str) -> str:
    """What makes two sentences "identical": the same words, whitespace aside.

    Dedup within a run and translation-memory lookups both use this key.
    """
    return " ".join(text.split())


def unique(keys: Sequence[K]) -> tuple[list[K], list[int]]:
    """Collapse repeated keys.

    Returns:
        The distinct keys in first-seen order, and for each input position the
        index of its key in that list, so ``distinct[where[i]] == keys[i]``.
    """
    position: dict[K, int] = {}
    where = [position.setdefault(k, len(position)) for k in keys]
    return list(position), where


def plan_batches(lengths: Sequence[int], budget: int) -> list[list[int]]:
    """Group item indices into length-sorted batches within a token budget.

    Args:
        lengths: Token count of each item.
        budget: Most padded tokens per batch (``items * longest``). An item
            longer than the budget still gets a batch of its own.

    Returns:
        Batches of indices into ``lengths``, longest items first. Every index
        appears exactly once.
    """
    order = sorted(range(len(lengths)), key=lambda i: lengths[i], reverse=True)
    batches: list[list[int]] = []
    longest = 0
    for i in order:
        if batches and (len(batches[-1]) + 1) * longest <= budget:
            batches[-1].append(i)
        else:
            batches.append([i])
            longest = max(lengths[i], 1)
    return batches
