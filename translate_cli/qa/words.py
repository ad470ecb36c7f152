"""Words as the content checks read them: letters only, elisions split off.

The untranslated and repetition checks and :func:`translate_cli.qa.check_pair`
share one reading of the target, so it is split into words once per pair.
"""

from __future__ import annotations

import re

# A text's words as written, and lowercased.
Words = tuple[list[str], list[str]]

# Words (letters only) with an optional elision apostrophe: "l'homme" → "l'",
# "homme". Digits and underscores are not letters.
_WORD = re.compile(r"[^\W\d_]+['’]?")


def word_set(text: str) -> frozenset[str]:
    """The whitespace-separated words of a list written as one string."""
    return frozenset(text.split())


def split_words(text: str) -> Words:
    """The letter words of a text as written, and lowercased.

    Elisions are words of their own ("l'homme" → "l'", "homme"), with the
    typographic apostrophe made straight. Digits are not words.
    """
    joined = " ".join(_WORD.findall(text)).replace("’", "'")
    return joined.split(), joined.lower().split()
