"""The ``repetition`` check: the opus-mt hallucination loop.

"the the the the", "of the war of the war of the war". Flagged when an n-gram
of 1 to 6 words is repeated consecutively at least 3 times (a single word at
least 4 times: "very very very" is English), or when one n-gram (n = 1 to 3),
seen at least 3 times, covers at least half of a target of 8 words or more.
Both are forgiven when the source repeats itself ("non, non, non, non" → "no,
no, no, no"; "Allez, allez, allez" → "Come on, come on, come on"): a loop may
exceed the source's own repetition count by one, and a dominated target is
fine when the source repeats something 3 times or is dominated too (35 %).
Words are letters only (:func:`translate_cli.qa.words.split_words`): digits and
punctuation are ignored.

Known limit, a choice of silence over false alarms: loops of digits or
punctuation ("- - - -") are not seen.
"""

from __future__ import annotations

import re
from collections import Counter

from .words import split_words

MAX_NGRAM = 6
MIN_REPEATS = 3
MIN_REPEATS_UNIGRAM = 4
DOMINANT_SHARE = 0.5
DOMINANT_MIN_TOKENS = 8
SOURCE_DOMINANT_SHARE = 0.35

# A loop in a text coded one character per word: one word 4 times, or an
# n-gram of 2 to 6 words 3 times, in a row.
_LOOP = re.compile(r"(.)\1{3}|(.{2,6})\2\2", re.DOTALL)


def _coded(lowers: list[str]) -> tuple[str, int]:
    """One character per word (equal words, equal characters), and how many
    distinct words: lets the regex engine find n-gram loops at C speed."""
    # (Past a million distinct words, codes repeat: harmless, and never met.)
    codes = {w: chr(0x100 + i % 0x100000) for i, w in enumerate(dict.fromkeys(lowers))}
    return "".join(map(codes.__getitem__, lowers)), len(codes)


def _max_repeats(coded: str, thresholds: bool) -> int:
    """The most consecutive repetitions of any n-gram (n = 1..6).

    Args:
        thresholds: Count only loops that reach the flag thresholds (a single
            word 4 times, longer n-grams 3 times); 0 when there is none.
    """
    best = 0 if thresholds else 1
    for n in range(1, MAX_NGRAM + 1):
        run = longest = 0
        for a, b in zip(coded, coded[n:], strict=False):
            if a == b:
                run += 1
                longest = max(longest, run)
            else:
                run = 0
        reps = 1 + longest // n
        if not thresholds or reps >= (MIN_REPEATS_UNIGRAM if n == 1 else MIN_REPEATS):
            best = max(best, reps)
    return best


def _dominance(coded: str, distinct: int) -> float:
    """The largest share of words covered by one n-gram (n = 1..3) seen at
    least 3 times; 0 when there is none."""
    total = len(coded)
    # Copies of one n-gram covering half the words leave at most total/2 + 3
    # distinct words: most sentences are ruled out without counting.
    if total < MIN_REPEATS or distinct > total / 2 + 3:
        return 0.0
    best = 0.0
    for n in range(1, 4):
        grams = Counter(coded[i : i + n] for i in range(total - n + 1))
        if grams:
            copies = grams.most_common(1)[0][1]
            if copies >= MIN_REPEATS:
                best = max(best, copies * n / total)
    return best


def repetition_flag(source: str, target_lowers: list[str]) -> bool:
    """Whether the target loops or is dominated by one n-gram, more than the
    source itself does.

    Args:
        target_lowers: The target's words, lowercased.
    """
    coded, distinct = _coded(target_lowers)
    loop = bool(_LOOP.search(coded))
    dominated = len(coded) >= DOMINANT_MIN_TOKENS and _dominance(coded, distinct) >= DOMINANT_SHARE
    if not loop and not dominated:
        return False
    source_coded, source_distinct = _coded(split_words(source)[1])
    source_reps = _max_repeats(source_coded, thresholds=False)
    if loop and _max_repeats(coded, thresholds=True) > source_reps + 1:
        return True
    return (
        dominated
        and source_reps < MIN_REPEATS
        and _dominance(source_coded, source_distinct) < SOURCE_DOMINANT_SHARE
    )
