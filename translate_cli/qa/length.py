"""The ``length`` check: the target/source length ratio is an outlier.

An outlier ratio means dropped clauses (truncation) or runaway output. The
ratio is taken on characters, outer spaces stripped. English is about 0.9
times as long as French. Short segments vary more, so the band depends on the
source length: below 12 characters nothing is checked; 12-39 characters:
flagged outside [0.4, 2.5]; 40 and more: outside [0.5, 1.8].
"""

from __future__ import annotations

# (minimum source length in characters, lowest ratio, highest ratio), longest
# first. Shorter sources get a wider band: "Lire aussi :" → "Read also:".
LENGTH_BANDS: tuple[tuple[int, float, float], ...] = ((40, 0.5, 1.8), (12, 0.4, 2.5))


def _length_band(source_length: int) -> tuple[float, float] | None:
    for minimum, low, high in LENGTH_BANDS:
        if source_length >= minimum:
            return low, high
    return None


def length_flag(source: str, target: str) -> bool:
    """Whether the target/source length ratio is outside the band for the
    source's length (never for sources under 12 characters)."""
    s, t = len(source.strip()), len(target.strip())
    band = _length_band(s)
    return band is not None and not band[0] <= t / s <= band[1]
