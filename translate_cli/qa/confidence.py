"""Model confidence: the ``low-confidence`` flag.

The engine's length-normalised log-probability is below an absolute threshold
(default -1.0) or among the run's lowest 5 %. Unlike the content checks this
judges a whole run at once (:func:`confidence_flags`), since the tail is
relative to the run.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

# Sequence scores of opus-mt with beam search (mean log-probability per token)
# sit around -0.1 to -0.5 for fluent, faithful output; below about -1.0 the
# model was guessing (rare names, garbled input, hallucination). A heuristic:
# it has not been calibrated against human judgements here.
DEFAULT_CONFIDENCE_THRESHOLD = -1.0
DEFAULT_CONFIDENCE_TAIL = 0.05
# Below this many scored pairs the tail is not used: a short run would always
# flag its worst sentence, however good.
MIN_SCORED_FOR_TAIL = 20


def confidence_flags(
    scores: Sequence[float | None],
    *,
    threshold: float = DEFAULT_CONFIDENCE_THRESHOLD,
    tail: float = DEFAULT_CONFIDENCE_TAIL,
) -> list[bool]:
    """Which pairs of a run the model itself was unsure of.

    A score is the length-normalised log-probability of the translation (≤ 0;
    nearer 0 is surer). A pair is flagged when its score is below
    ``threshold``, or among the lowest ``tail`` fraction of the run's scores.
    The tail adapts to the run (a hard text lowers every score), but is only
    used with at least 20 scored pairs, and only below the run's median: ties
    are treated alike, so a run of equal scores flags nothing by rank.

    The default threshold of -1.0 is a heuristic for opus-mt with beam search
    (good translations score about -0.1 to -0.5); it is not calibrated.

    Args:
        scores: One score per pair; None (or NaN) where the engine gave none,
            which is never flagged.
        threshold: Absolute cut on the score.
        tail: Fraction of the run's scored pairs flagged by rank (0 disables).

    Returns:
        One boolean per score.
    """
    valid = [s for s in scores if s is not None and not math.isnan(s)]
    cutoff = -math.inf
    count = int(tail * len(valid)) if tail > 0 else 0
    if len(valid) >= MIN_SCORED_FOR_TAIL and count > 0:
        ordered = sorted(valid)
        if ordered[count - 1] < statistics.median(ordered):
            cutoff = ordered[count - 1]
    return [s is not None and not math.isnan(s) and (s < threshold or s <= cutoff) for s in scores]
