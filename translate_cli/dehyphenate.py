"""Words cut by a hyphen at a line end, as PDF copies give them.

A PDF is typeset with automatic hyphenation, and copying its text keeps the
line ends: ``la com-`` / ``prend aujourd'hui``. Left as they are, ``com-`` and
``prend`` reach the model as two words and the sentence is mistranslated. But
a hyphen at a line end may also belong to a real compound (``peut-`` /
``être``, ``Saint-`` / ``Étienne``), whose hyphen must stay. Which of the two
a break is can be decided from evidence, in this order:

1. A soft hyphen (U+00AD) is by definition a hyphenation point: always joined.
2. A Capitalised rest (a capital, then a lower-case letter) keeps the hyphen:
   hyphenation never capitalises the second half of a word (``Saint-Étienne``,
   ``Jean-Pierre``). Text in capitals (``GOUVER-`` / ``NEMENT``) says nothing
   by its case, so when both halves are in capitals, the rules below decide on
   the lower-case forms. A one-letter half keeps the hyphen too: typesetters
   leave at least two letters on each side of a break (TeX and LibreOffice
   hyphenation minimums), so ``va-t-`` / ``il`` is the euphonic ``-t-``, not a
   cut. The rest is read through an apostrophe (``aujour-`` / ``d'hui``,
   ``quel-`` / ``qu'un``): an elided word is not a one-letter half, and the
   forms looked up below are ``aujourd'hui`` and ``quelqu'un``.
3. The document's own vocabulary: the joined form written elsewhere in the
   document (``comprend``) counts as a word and wins; the hyphenated form
   written elsewhere unbroken (``sud-ouest``) keeps its hyphen. A document's
   names and terms are often in no dictionary, and it spells them one way.
4. A French word list: pyspellchecker's French frequency list (140,000 forms,
   built from the OpenSubtitles corpus, compounds such as ``vis-à-vis``
   included), loaded on the first break that needs it, never otherwise. A form
   is known when the list has it, or, for a hyphenated form, when the list has
   each of its parts (as Hunspell accepts ``X-Y`` when it knows ``X`` and
   ``Y``), or, for an elided form ``X'Y``, when it has ``X'`` and ``Y``
   (``lorsqu'il``). The joined form wins when it alone is known (``comprend``:
   ``com`` is no word), or when both are known and the list has the joined form
   as an entry more often than the hyphenated one (``autoroute``).
5. The joined form unknown and the first half a prefix that the list writes
   with its hyphen: the hyphen stays (``ex-`` / ``président``, ``vice-`` /
   ``recteur``). The list shows such a prefix either as an entry of its own
   (``ex-``, ``demi-``, ``non-``, ``quasi-``) or as the first element of at
   least three of its compounds (``vice-président``, ``sous-marin``); a
   syllable such as ``com`` or ``gouver`` is the first element of none. A
   prefixed word that French writes joined (``interaction``) is in the list,
   so this rule never sees it.
6. Neither form known (a rare term such as ``électro-`` / ``dynamique``): the
   hyphen goes. A compound of known words would have been known by its
   parts, so what is left is a syllable break.

Nothing is ever guessed from a hand-written list of words.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections import Counter
from collections.abc import Mapping

# A letter, then a hyphen (ASCII, U+2010 HYPHEN or U+00AD SOFT HYPHEN) ending
# the line. A dash after a space (``le chat -``) or a digit (``1990-``) is no
# word break.
_LETTERS = r"[^\W\d_]+"
_COMPOUND = rf"{_LETTERS}(?:[-\u2010]{_LETTERS})*"
_HEAD = re.compile(rf"({_COMPOUND})([-\u2010\u00ad])$")
# The rest of a cut word is read through an apostrophe (``d'hui``), so that
# the joined form is the whole word (``aujourd'hui``).
_APOSTROPHES = "'\u2019"
_TAIL = re.compile(rf"^({_COMPOUND}(?:[{_APOSTROPHES}]{_LETTERS})?)")
_WORD = re.compile(rf"{_COMPOUND}(?:[{_APOSTROPHES}]{_LETTERS})*")
_HYPHENS = ("-", "\u2010", "\u00ad")
_SOFT_HYPHEN = "\u00ad"
# Fewest letters hyphenation leaves on either side of a break.
_MIN_FRAGMENT = 2
# Fewest compounds of the word list starting with ``X-`` that make ``X`` a
# prefix written with its hyphen (rule 5 of the module docstring).
_MIN_PREFIX_COMPOUNDS = 3
# Only this much of a line's end is searched for the cut word, which keeps the
# search linear on a megabyte-long line; no French word is longer.
_WORD_WINDOW = 80


def breaks_word(line: str, following: str) -> bool:
    """Whether ``line`` ends with a word cut by a hyphen that ``following`` completes."""
    return _head(line) is not None and bool(_TAIL.match(following.lstrip()))


def _head(line: str) -> re.Match[str] | None:
    """The cut word ending ``line`` (group 1) and its hyphen (group 2)."""
    if not line.endswith(_HYPHENS):
        return None
    return _HEAD.search(line, max(0, len(line) - _WORD_WINDOW))


def mend(blocks: list[list[str]]) -> list[list[tuple[str, bool]]]:
    """Decide, for each word cut at a line end, whether its hyphen stays.

    Lines are left where they are, so that their lengths, which the paragraph
    rules read, stay those of the input: a hyphen that goes is taken off the
    line's end (``la com-`` gives ``la com``), and the line is marked as
    continued, to be joined to the next one without a space.

    Args:
        blocks: The document's blocks of consecutive lines, leading
            whitespace kept.

    Returns:
        Each block's lines, each with whether it ends inside a word, hence
        continues on the next line without a space whatever the paragraph
        rules say.
    """
    cuts = [[breaks_word(a, b) for a, b in itertools.pairwise(block)] for block in blocks]
    if not any(map(any, cuts)):
        return [[(line, False) for line in block] for block in blocks]
    vocabulary = _document_vocabulary(blocks, cuts)
    mended: list[list[tuple[str, bool]]] = []
    for block, cut in zip(blocks, cuts, strict=True):
        lines = []
        for line, following, is_cut in zip(block[:-1], block[1:], cut, strict=True):
            head, tail = _head(line), _TAIL.match(following.lstrip())
            if is_cut and head is not None and tail is not None:
                keep = _keeps(head.group(1), head.group(2), tail.group(1), vocabulary)
                lines.append((line if keep else line[:-1], True))
            else:
                lines.append((line, False))
        mended.append([*lines, (block[-1], False)])
    return mended


def _keeps(head: str, hyphen: str, tail: str, vocabulary: Mapping[str, int]) -> bool:
    """Whether ``head`` + ``hyphen`` / ``tail`` keeps its hyphen (rules 1 to 6)."""
    if hyphen == _SOFT_HYPHEN:
        return False
    last, first = head.rsplit("-", 1)[-1], tail.split("-", 1)[0]
    in_capitals = head.isupper() and tail.isupper()
    if tail[0].isupper() and not in_capitals:
        return True
    if min(_letters(last), _letters(first)) < _MIN_FRAGMENT:
        return True
    return _keeps_hyphen(_key(head), _key(tail), vocabulary)


def _letters(fragment: str) -> int:
    return sum(c.isalpha() for c in fragment)


def _keeps_hyphen(head: str, tail: str, vocabulary: Mapping[str, int]) -> bool:
    """Rules 3 to 6 of the module docstring, on lower-case forms."""
    joined, hyphenated = head + tail, f"{head}-{tail}"
    seen_joined, seen_hyphenated = vocabulary.get(joined, 0), vocabulary.get(hyphenated, 0)
    if seen_joined or seen_hyphenated:
        return seen_hyphenated >= seen_joined
    words = french_words()
    joined_known, hyphenated_known = _known(joined, words), _known(hyphenated, words)
    if joined_known and hyphenated_known:
        return words.get(hyphenated, 0) >= words.get(joined, 0)
    if joined_known:
        return False
    return hyphenated_known or _is_hyphen_prefix(head.rsplit("-", 1)[-1], words)


def _known(form: str, words: Mapping[str, int]) -> bool:
    """Whether the list has ``form``, or, for ``X-Y`` and ``X'Y``, its parts (rule 4).

    An elided word is no part of a hyphenated form (``lors-qu'il``), unless
    the list has the compound whole (``chef-d'oeuvre``).
    """
    if form in words:
        return True
    if "-" in form:
        return all(part in words for part in form.split("-"))
    elided, apostrophe, rest = form.partition("'")
    return bool(apostrophe) and elided + apostrophe in words and rest in words


def _is_hyphen_prefix(prefix: str, words: Mapping[str, int]) -> bool:
    """Whether the word list writes ``prefix`` with its hyphen (rule 5)."""
    return f"{prefix}-" in words or _hyphen_first_elements()[prefix] >= _MIN_PREFIX_COMPOUNDS


@functools.cache
def _hyphen_first_elements() -> Counter[str]:
    """How many compounds of the word list start with each first element."""
    return Counter(w.split("-", 1)[0] for w in french_words() if "-" in w.strip("-"))


def _key(word: str) -> str:
    return word.lower().replace("\u2010", "-").replace("\u2019", "'")


def _elided(word: str) -> bool:
    return any(a in word for a in _APOSTROPHES)


def _document_vocabulary(blocks: list[list[str]], cuts: list[list[bool]]) -> Counter[str]:
    """How often each word (compounds whole) is written in the document, cut words left out."""
    counts: Counter[str] = Counter()
    for block, cut in zip(blocks, cuts, strict=True):
        for i, line in enumerate(block):
            words = _WORD.findall(line)
            if i > 0 and cut[i - 1]:
                words = words[1:]
            if i < len(cut) and cut[i]:
                words = words[:-1]
            counts.update(_key(w) for w in words)
            # An elided word also counts without its elision: ``l'arc-boutant``
            # spells ``arc-boutant``.
            counts.update(_key(re.split(f"[{_APOSTROPHES}]", w)[-1]) for w in words if _elided(w))
    return counts


@functools.cache
def french_words() -> Mapping[str, int]:
    """pyspellchecker's French word list: form to frequency, loaded once, on first use.

    Imported here rather than at the top so that a document without a word
    cut at a line end, and ``translate --help``, never pay for it.
    """
    from spellchecker import SpellChecker

    return SpellChecker(language="fr", distance=1).word_frequency.dictionary
