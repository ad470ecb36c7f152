"""Protected text: what the model must not see, kept and put back around its translation.

Two kinds of text never reach the model as written, because a MarianMT model
loses them (``../shared/data/cases/11-blankish-lines.txt``,
``15-emoji-symbols.txt``, ``19-number-only-lines.txt``):

* **Text-free segments** (:func:`is_text_free`): a sentence with no letter
  (Unicode category ``L*``) such as ``* * *``, ``—``, ``…``, ``102``,
  ``12/03/2024``, ``6171-1231-1311-1231`` or ``§ 4`` has nothing to
  translate, and opus-mt drops or garbles it (``102`` came back as
  ``10102``). It is its own translation.
* **Symbols the model cannot write** (:func:`mask`, :func:`unmask`): emoji,
  box drawing and any character the engine encodes as the unknown piece or
  cannot produce in its target vocabulary (``Engine.can_write``). Runs of
  them are removed before translation and put back into the translation.
  Removal beats a placeholder: a placeholder is itself a word the model may
  drop, move or translate, while removal leaves the model a sentence it
  knows; with the copy-trained test model removal gives every case file back
  exactly. An emoji sequence is one unit (:func:`_clusters`): a base with its
  variation selector (U+FE0F, U+FE0E), keycap mark (U+20E3), skin tone or
  tag characters, and ZWJ-joined emoji, protected whole when any part is
  unwritable, so ``❤️`` or ``©️`` never loses its selector; a keycap
  (``1️⃣``, ``#️⃣``) is always protected, since opus-mt drops its marks and
  then the digit or ``#``. Private-use glyphs (U+E000, icon fonts in PDF
  copies) and unassigned code points (emoji newer than Python's Unicode
  tables) are protectable too: input normalisation would make them spaces.

Putting a run back (:func:`unmask`) is certain at the edges: before the first
letter or digit, after the last one (``poster 😀.`` → ``posting 😀.``). Inside
the sentence it goes where the text around it reappears word for word and
once in the target (``300 🎉 euros`` → ``paid 300 🎉 euros``; the whole
sentence when the model copied), else after (or before) a neighbouring word
that appears exactly once on both sides (a name, a cognate), else at the
run's relative position, snapped to a word end; only that last case is
uncertain, and the caller flags the pair ``symbols``.

Pure functions on strings; which characters are unwritable is the engine's to
say, and the caller's to cache (:class:`translate_cli.translator.Translator`).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Container
from dataclasses import dataclass

# Categories never protected: separators and other invisible or control
# characters (spaces, U+200B, U+FEFF, soft hyphen), whose loss changes nothing
# a reader sees, and marks, which belong to the letter before them. Category C
# is refined by _KEPT_OTHER and the emoji parts (_emoji_part) below.
_NEVER = frozenset("ZCM")
# Category C characters that are protected all the same: private use (icon-font
# glyphs copied out of PDFs, U+E000), unassigned (emoji newer than Python's
# Unicode tables, such as U+1FA77 in Unicode 15). Input normalisation would
# turn them into spaces, and they are visible: losing one loses what the user
# wrote. (Lone surrogates never get here: reading turns them into U+FFFD.)
_KEPT_OTHER = frozenset({"Co", "Cn"})
# The parts of an emoji sequence that follow its base: variation selectors
# (U+FE0E text, U+FE0F emoji presentation), the combining keycap U+20E3 and
# the tag characters of flag tag sequences (U+E0020..U+E007F). They are
# protectable so that the engine is asked whether it can write them; a
# sequence is kept whole when any part of it cannot be written (_clusters).
_VARIATION = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")
_KEYCAP_MARK = "\u20e3"
_TAGS = re.compile("[\U000e0020-\U000e007f]")
_SKIN_TONES = re.compile("[\U0001f3fb-\U0001f3ff]")
_ZWJ = "\u200d"
# A keycap (1️⃣, #️⃣, *⃣): always protected whole, since opus-mt drops the two
# marks and then the digit or '#' with them.
_KEYCAP = re.compile("[0-9#*]\ufe0f?\u20e3")
# Characters that stay attached to a protected run when they follow it
# directly: combining marks and format characters (a ZWJ or a soft hyphen
# right after an emoji), so nothing between a run and the text is lost.
_ATTACHED = frozenset({"Mn", "Mc", "Me", "Cf"})
_WORD = re.compile(r"\w+")
# Punctuation that English writes against the word before it: where the
# translation dropped the space the masked text had before one of these, a
# run put back there takes no space after it (``serveur 🎉 !`` → ``server 🎉!``).
_HUGS_LEFT = frozenset(".,;:!?)]}»”’…%")


def is_text_free(text: str) -> bool:
    """Whether ``text`` holds no letter (Unicode category ``L*``).

    Such a segment (punctuation, symbols, digits) is copied through
    unchanged instead of being translated. ``str.isalpha`` is exactly the
    ``L*`` test, and stops at the first letter, so ordinary sentences cost a
    character or two.
    """
    return not any(map(str.isalpha, text))


def _emoji_part(char: str) -> bool:
    """Whether ``char`` continues an emoji sequence (selector, keycap mark, tag, skin tone)."""
    return bool(
        char == _KEYCAP_MARK
        or _VARIATION.match(char)
        or _TAGS.match(char)
        or _SKIN_TONES.match(char)
    )


def protectable(char: str) -> bool:
    """Whether ``char`` is worth keeping when the model cannot write it.

    Letters, digits, punctuation and symbols are; so are private-use
    and unassigned code points (``_KEPT_OTHER``) and the parts of
    emoji sequences (variation selectors, U+20E3, tags). Spaces, control and
    other format characters and other combining marks are not (``_NEVER``).
    """
    category = unicodedata.category(char)
    if category in _KEPT_OTHER or _emoji_part(char):
        return True
    return category[0] not in _NEVER


def _clusters(text: str) -> list[tuple[int, int]]:
    """``text`` cut into units that are protected or not as a whole.

    A unit is a character with the combining marks, variation selectors,
    keycap mark, skin tones and tag characters that follow it, and, for
    emoji, the ZWJ-joined units after it (``👨\u200d👩``): a ZWJ joins two
    units when neither side is a letter, digit or space, so a ZWJ inside a
    word (left to input normalisation) never glues words to symbols.
    """
    units: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        start = i
        i += 1
        if text[start].isspace():
            units.append((start, i))
            continue
        while i < n:
            c = text[i]
            if _emoji_part(c) or unicodedata.category(c)[0] == "M":
                i += 1
            elif (
                c == _ZWJ
                and i + 1 < n
                and not text[start].isalnum()
                and not text[i + 1].isalnum()
                and not text[i + 1].isspace()
                and text[i + 1] != _ZWJ
            ):
                i += 2
            else:
                break
        units.append((start, i))
    return units


def _protected(text: str, start: int, end: int, unwritable: Container[str]) -> int | None:
    """Where the protected part of the unit ``text[start:end]`` starts, or None.

    A keycap is always protected; another unit when any of its characters is
    unwritable. A letter or digit the engine can write keeps its place in the
    text and only what follows it is protected (a stray U+FE0F after a word).
    """
    unit = text[start:end]
    if _KEYCAP.fullmatch(unit):
        return start
    if not any(c in unwritable for c in unit):
        return None
    if text[start].isalnum() and text[start] not in unwritable:
        return start + 1
    return start


@dataclass(frozen=True)
class Run:
    """A run of protected characters and where it sat.

    Attributes:
        text: The characters, as in the source (inner spaces included).
        before: The whitespace between the run and the text before it.
        after: The whitespace between the run and the text after it.
        left_end: Where the text before the run ends in the masked text.
        right_start: Where the text after the run starts in the masked text
            (``left_end`` plus the space that now joins the two sides).
    """

    text: str
    before: str
    after: str
    left_end: int
    right_start: int


@dataclass(frozen=True)
class Masked:
    """A sentence with its protected runs taken out.

    Attributes:
        source: The sentence as given.
        text: What the engine is given: ``source`` without the runs.
        runs: The runs, in source order.
    """

    source: str
    text: str
    runs: tuple[Run, ...]


def _spans(text: str, unwritable: Container[str]) -> list[tuple[int, int]]:
    """Runs of protected units; spaces between two of them join the runs."""
    units = _clusters(text)
    spans: list[tuple[int, int]] = []
    k, count = 0, len(units)
    while k < count:
        first = _protected(text, *units[k], unwritable)
        if first is None:
            k += 1
            continue
        start, end = first, units[k][1]
        k += 1
        j = k
        while j < count:
            a, b = units[j]
            if _protected(text, a, b, unwritable) == a or (
                a == end and all(unicodedata.category(c) in _ATTACHED for c in text[a:b])
            ):
                j += 1
                end = b
                k = j
            elif text[a:b].isspace():
                j += 1
            else:
                break
        spans.append((start, end))
    return spans


def _joiner(left: str, before: str, after: str, right: str) -> str:
    """The space that joins the text on both sides of a removed run.

    A space when the run stood between two spaces, or between two words, or
    when one space was there and a word follows; nothing before punctuation
    (``poster 😀.`` → ``poster.``), so the model sees ordinary text.
    """
    if not left or not right:
        return ""
    word_after = right[0].isalnum()
    if (before and after) or (word_after and (left[-1].isalnum() or before or after)):
        return " "
    return ""


def mask(text: str, unwritable: Container[str]) -> Masked | None:
    """Take out the runs of characters in ``unwritable``.

    Args:
        text: A sentence.
        unwritable: Characters the engine cannot write (only protectable
            ones; see :func:`protectable`). Keycaps are protected whatever
            it holds.

    Returns:
        The masked sentence, or None when there is nothing to protect.
    """
    spans = _spans(text, unwritable)
    if not spans:
        return None
    kept: list[str] = []
    runs: list[Run] = []
    length = 0
    previous = 0
    for number, (start, end) in enumerate(spans):
        segment = text[previous:start]
        core = segment.rstrip() if number == 0 else segment.strip()
        before = segment[len(segment.rstrip()) :]
        following = text[end:]
        after = following[: len(following) - len(following.lstrip())]
        right = text[end + len(after) :]
        if core:
            kept.append(core)
            length += len(core)
        elif number:  # only spaces since the previous run: _spans merged them
            before = ""
        joiner = _joiner("".join(kept[-1:]), before, after, right)
        runs.append(Run(text[start:end], before, after, length, length + len(joiner)))
        if joiner:
            kept.append(joiner)
            length += len(joiner)
        previous = end + len(after)
    kept.append(text[previous:])
    return Masked(text, "".join(kept), tuple(runs))


def _has_alnum(text: str) -> bool:
    return any(map(str.isalnum, text))


def _first_alnum(text: str) -> int:
    return next((i for i, c in enumerate(text) if c.isalnum()), len(text))


def _last_alnum_end(text: str) -> int:
    return next((i + 1 for i in range(len(text) - 1, -1, -1) if text[i].isalnum()), 0)


def _token_start(text: str, i: int) -> int:
    """The start of the whitespace-delimited token before ``i`` (spaces skipped)."""
    while i > 0 and text[i - 1].isspace():
        i -= 1
    while i > 0 and not text[i - 1].isspace():
        i -= 1
    return i


def _token_end(text: str, i: int) -> int:
    """The end of the whitespace-delimited token after ``i`` (spaces skipped)."""
    n = len(text)
    while i < n and text[i].isspace():
        i += 1
    while i < n and not text[i].isspace():
        i += 1
    return i


def _anchor_word(word: str) -> bool:
    """Words distinctive enough to mark a place: numbers, names, longer words."""
    return len(word) >= 4 or word[0].isupper() or any(map(str.isdigit, word))


class _Placer:
    """Finds where each run goes in one translation."""

    def __init__(self, masked: Masked, target: str) -> None:
        self.masked = masked
        self.target = target
        self.source_words = list(_WORD.finditer(masked.text))
        self.target_words = list(_WORD.finditer(target))
        self.source_count = Counter(m.group().casefold() for m in self.source_words)
        self.target_count = Counter(m.group().casefold() for m in self.target_words)

    def place(self, run: Run) -> tuple[int, bool]:
        """The run's position in the target, and whether it is certain."""
        text, target = self.masked.text, self.target
        left, right = text[: run.left_end], text[run.right_start :]
        if not _has_alnum(left):  # at the start, or after leading punctuation
            if not left:
                return 0, True
            return (len(left) if target.startswith(left) else _first_alnum(target)), True
        if not _has_alnum(right):  # at the end, or before final punctuation
            if not right:
                return len(target), True
            if target.endswith(right):
                return len(target) - len(right), True
            return _last_alnum_end(target), True
        found = self._by_context(run)
        if found is None:
            found = self._by_word(run)
        if found is not None:
            return found, True
        return self._by_position(run), False

    def _by_context(self, run: Run) -> int | None:
        """Where the text around the run's place appears once, word for word, in the target.

        The context grows by a whitespace-delimited token on each side until
        it is unique in the target or covers the whole sentence: ``300 euros``
        in ``He paid 300 euros``, or the whole sentence when the model copied.
        """
        text, target = self.masked.text, self.target
        start, end = run.left_end, run.right_start
        while True:
            wider_start = _token_start(text, start)
            wider_end = _token_end(text, end)
            if (wider_start, wider_end) == (start, end):
                return None
            start, end = wider_start, wider_end
            context = text[start:end]
            at = target.find(context)
            if at < 0:
                return None
            if target.find(context, at + 1) < 0:
                return at + run.left_end - start

    def _unique_in_target(self, word: str) -> re.Match[str] | None:
        key = word.casefold()
        if not _anchor_word(word) or self.source_count[key] != 1 or self.target_count[key] != 1:
            return None
        return next(m for m in self.target_words if m.group().casefold() == key)

    def _by_word(self, run: Run) -> int | None:
        """After the word before the run, or before the word after it, when unique."""
        text, target = self.masked.text, self.target
        before = [m for m in self.source_words if m.end() <= run.left_end]
        if before and (hit := self._unique_in_target(before[-1].group())):
            trail = text[before[-1].end() : run.left_end]
            return hit.end() + (len(trail) if target.startswith(trail, hit.end()) else 0)
        after = [m for m in self.source_words if m.start() >= run.right_start]
        if after and (hit := self._unique_in_target(after[0].group())):
            lead = text[run.right_start : after[0].start()]
            start = hit.start() - len(lead)
            return start if start >= 0 and target[start : hit.start()] == lead else hit.start()
        return None

    def _by_position(self, run: Run) -> int:
        """The word end nearest the run's relative place in the source."""
        target = self.target
        want = run.left_end / max(1, len(self.masked.text)) * len(target)
        ends = [0, len(target)]
        ends += [
            i for i in range(1, len(target)) if target[i].isspace() and not target[i - 1].isspace()
        ]
        return min(ends, key=lambda i: (abs(i - want), i))


def unmask(masked: Masked, target: str) -> tuple[str, bool]:
    """Put the protected runs back into the translation of ``masked.text``.

    Each run replaces the whitespace at its place in the target, with the
    spacing it had in the source (a space after it only where a word follows
    or the target had one, so ``serveur 🎉 !`` becomes ``server 🎉!``).
    ``unmask(m, m.text)`` gives ``m.source`` back exactly (tested).

    Returns:
        The target with every run in it, and whether every place was certain
        (False when one was guessed from its relative position).
    """
    placer = _Placer(masked, target)
    groups: dict[int, list[Run]] = {}
    sure = True
    for run in masked.runs:  # source order, so runs sharing a place keep it
        position, certain = placer.place(run)
        sure = sure and certain
        groups.setdefault(position, []).append(run)
    out: list[str] = []
    cursor = 0
    n = len(target)
    for position, runs in sorted(groups.items()):
        start = end = min(max(position, cursor), n)
        while start > cursor and target[start - 1].isspace():
            start -= 1
        while end < n and target[end].isspace():
            end += 1
        out.append(target[cursor:start])
        gap = target[start:end]
        for k, run in enumerate(runs):
            if k:
                out.append(" " if runs[k - 1].after or run.before else "")
            elif start > 0:
                out.append(run.before)
            out.append(run.text)
        last = runs[-1]
        # The translation took out a space that the masked text had before
        # punctuation (French "serveur !" → "server!"): follow it.
        hugged = (
            not gap and end < n and last.right_start > last.left_end and target[end] in _HUGS_LEFT
        )
        if end < n and not hugged:
            out.append(last.after)
        cursor = end
    out.append(target[cursor:])
    return "".join(out), sure


__all__ = ["Masked", "Run", "is_text_free", "mask", "protectable", "unmask"]
