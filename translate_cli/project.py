"""Inline markup carried from a French sentence to its English translation by word alignment.

A sentence of a structured document comes with its inline elements as
:class:`~translate_cli.markup.Span` s. The model sees none of them:

1. :func:`strip_protected` takes the protected spans' text out (inline code,
   URLs, images, fields); what is left is what the model translates.
2. The engine aligns that text with its translation (``Engine.align_batch``:
   the model's cross-attention under forced decoding; opus-mt models are
   trained with guided alignment), giving Pharaoh pairs ``(i, j)`` between
   whitespace-separated words.
3. :func:`project` puts the protected text back beside the English words
   aligned with the French words next to it, and lays each other span over
   the smallest run of English words covering the words aligned with its
   French words. This is the method of bergamot's HTML handling
   (browsermt/bergamot-translator, ``src/translator/html.cpp``), done per
   span rather than per token.

When the alignment leaves a span with no English word, the span covers the
whole sentence; when its English words are not contiguous (another span's
or outside words in between) or two projected spans would cross, the
smallest covering run is taken or the span is nested; each of these makes
the projection *unclear*, and the caller flags the pair ``markup``.

Pure functions on strings and offsets; no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace

from .markup import PLAIN_TAG, Block, Span, nest
from .segment import sentence_spans

Alignment = tuple[tuple[int, int], ...]

# Words, as the engine's alignment counts them (str.split).
_WORD = re.compile(r"\S+")
# Text found in running text and copied byte for byte, never sent to the model
# (issue 16): to a translation model the words of ``@LeMonde``,
# ``#GiletsJaunes`` or ``rapport_final.pdf`` are French words to translate,
# and its pieces may come back respaced or dropped.
# One pattern, tried left to right (the leftmost match wins, then the first
# kind listed); every repetition is possessive and every kind starts only
# where a token starts (the lookbehinds), so a scan is linear in the text's
# length (a text without ``/@#\`` or ``.`` before a letter or digit is not
# even scanned: :func:`_may_protect`). Numbers are never protected: ``3,5 %``,
# ``#1``, ``1/2`` and ``20/03/2024`` stay translatable (the model writes
# ``3.5%``). The rules:
#
# * **URL**: ``http://``, ``https://``, ``ftp://`` or ``www.`` after no word
#   character, then anything but whitespace and ``<>"«»``; it ends before
#   closing punctuation that usually follows it (``voir https://exemple.fr/a.``
#   keeps the full stop outside), except a ``)`` that closes a ``(`` of the
#   URL (``…/wiki/Paris_(France)``).
# * **E-mail address**: a local part of ``\w.+-`` starting a token, ``@``, dot
#   separated labels of ``\w-`` and a last label of two or more ASCII letters
#   (``presse@ville-exemple.fr``; a final full stop stays outside).
# * **Handle**: ``@`` after no word character, ``@`` or ``.``, then word
#   characters with a letter among them, runs joined by single dots
#   (``@LeMonde``, ``@jean_dupont``, ``@jean.dupont``), and the
#   ``@instance.domain`` of a Mastodon address (``@alice@mastodon.social``).
#   A lone ``@`` (``l'@``), ``@ 14 h`` or ``@12`` is not one.
# * **Hashtag**: ``#`` after no word character, ``#`` or ``&`` (an HTML
#   entity), then word characters with a letter among them (``#MeToo``,
#   ``#COP28``, ``#2024Paris``). ``#1`` is a number (``n° 1``): translatable.
# * **Windows path**: a drive letter, ``:\``, then ``\``-separated names
#   (``C:\Users\x\file.txt``), or a UNC path ``\\serveur\partage``. A name
#   holds no space: ``C:\Program Files`` is protected up to ``Program``.
# * **POSIX path**: ``~/``, ``./`` or ``../`` then one name or more
#   (``./build.sh``, ``~/notes.md``), or ``/`` then two names or more
#   (``/etc/hosts``), ``/``-separated, at a token start. A lone ``/tmp`` is
#   not one (``120 €/an``, ``/h``), nor ``et/ou`` or ``km/h`` (no lead).
# * **File name**: names joined by ``/`` or none (``src/main.py``,
#   ``rapport_final.pdf``), ending with an extension of
#   :data:`FILE_EXTENSIONS`, all lower or all upper case, at a token start
#   and not followed by a name character or by ``.`` and one. ``M.Dupont``,
#   ``etc.``, ``J.O.`` and ``Dr.Doc`` are not file names (``Node.js`` is).
#
# A name is one or more runs of ``\w+~-`` joined by single dots, perhaps with
# a leading dot (``.bashrc``); a path ends before a full stop that closes
# its sentence.
# fmt: off
FILE_EXTENSIONS = (
    # documents and data
    "txt", "md", "rst", "pdf", "doc", "docx", "odt", "rtf", "epub", "tex",
    "xls", "xlsx", "ods", "csv", "tsv", "ppt", "pptx", "odp",
    "json", "jsonl", "xml", "yaml", "yml", "toml", "ini", "cfg", "conf", "log",
    "html", "htm", "css", "srt", "vtt", "tmx", "xlf", "xliff", "sqlite", "db",
    # code and scripts
    "py", "ipynb", "js", "ts", "sh", "bat", "ps1", "java", "cpp", "rb", "go",
    "rs", "php", "sql",
    # media
    "jpg", "jpeg", "png", "gif", "svg", "webp", "mp3", "mp4", "wav", "avi",
    "mov", "mkv",
    # archives and packages
    "zip", "tar", "gz", "tgz", "bz2", "xz", "7z", "rar",
    "exe", "msi", "dmg", "iso", "apk", "deb", "rpm",
)
# fmt: on
_NAME_CHAR = r"[\w+~-]"
_NAME = rf"\.?{_NAME_CHAR}++(?:\.{_NAME_CHAR}++)*+"
# Longest first; an extension ends the name (``.tar.gz``: ``tar`` does not).
_EXTENSIONS = sorted(
    {*FILE_EXTENSIONS, *map(str.upper, FILE_EXTENSIONS)}, key=lambda e: (-len(e), e)
)
_EXTENSION = rf"(?:{'|'.join(_EXTENSIONS)})(?!{_NAME_CHAR}|\.{_NAME_CHAR})"
# What never is in a URL, and what may not end one.
_URL_OUT = r"\s<>\"«»"
_URL_STOP = rf"{_URL_OUT}.,;:!?)\]}}'’"
_PROTECTED = re.compile(
    # Every kind starts after no word character: inside a word, one test fails.
    r"(?<!\w)(?:"
    # URL
    rf"(?:https?://|ftp://|www\.)(?:\([^{_URL_OUT}()]*+\)|[^{_URL_STOP}(]++"
    rf"|[.,;:!?()\]}}'’]++(?=[^{_URL_STOP}]))++"
    # e-mail address
    r"|(?<![.+-])[\w.+-]++@(?:[\w-]++\.(?=[\w-]))++[A-Za-z]{2,}+(?![\w-])"
    # handle
    r"|(?<![@.])@(?=[\d_]*+[^\W\d_])\w++(?:\.\w++)*+(?:@[\w-]++(?:\.[\w-]++)++)?+"
    # hashtag
    r"|(?<![#&])#(?=[\d_]*+[^\W\d_])\w++"
    # Windows path, UNC path
    rf"|(?<!\\)(?:[A-Za-z]:\\|\\\\){_NAME}(?:\\{_NAME})*+\\?+"
    # POSIX path
    rf"|(?<![.~/\\:-])(?:(?:~|\.\.?)/(?:\.\./)*+{_NAME}|/{_NAME}/{_NAME})(?:/{_NAME})*+/?+"
    # file name
    rf"|(?<![.~/\\@#+-])(?:{_NAME}/)*+\.?{_NAME_CHAR}++"
    rf"(?:\.(?!{_EXTENSION}){_NAME_CHAR}++)*+\.{_EXTENSION}"
    # inline code between backticks, as Markdown writes it (a backtick glued to
    # a word, a typed apostrophe as in l`homme, opens nothing)
    r"|`(?=[^`\n]*?[^`\s])[^`\n]++`(?![\w`])"
    r")"
)

# A full stop before a letter or digit: what a file name's extension starts with.
_DOT_ALNUM = re.compile(r"\.[^\W_]")

# Punctuation written against the word before it: a protected run removed
# before one of these takes its space with it.
_CLOSING = frozenset(".,;:!?)]}»…”’%")


def _words(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _WORD.finditer(text)]


def _may_protect(text: str) -> bool:
    """Whether ``text`` holds what every match of ``_PROTECTED`` holds.

    That is ``/`` (a URL, a POSIX path), ``@``, ``#``, ``\\``, ``www.``, a
    backtick (inline code), or ``.`` before a letter or digit (an extension). Text with none, most
    prose, is passed over at the cost of a few substring searches: 0.2 ms
    for the 56,000 characters of ``../shared/data/articles``, where the full
    pattern takes 25 ms.
    """
    return (
        "/" in text
        or "@" in text
        or "#" in text
        or "\\" in text
        or "www." in text
        or "`" in text
        or _DOT_ALNUM.search(text) is not None
    )


def plain_protected(text: str, spans: Sequence[Span]) -> tuple[Span, ...]:
    """``spans`` plus a :data:`PLAIN_TAG` protected span for each text of ``_PROTECTED``.

    That is each URL, e-mail address, handle, hashtag, file path, file
    name with a known extension and inline code between backticks (the rules
    are at ``_PROTECTED``).

    An address inside an existing protected span (inline code) or crossing a
    span's edge is left alone; one inside a link's text is protected within it.
    """
    if not _may_protect(text):
        return tuple(spans)
    found = []
    for match in _PROTECTED.finditer(text):
        start, end = match.span()
        if any(
            s.start < end and start < s.end and not (s.start <= start and end <= s.end)
            for s in spans
        ):
            continue
        if any(s.protected and s.start <= start and end <= s.end for s in spans):
            continue
        found.append(Span(start, end, PLAIN_TAG, True))
    if not found:
        return tuple(spans)
    return tuple(sorted((*spans, *found), key=lambda s: (s.start, -s.end)))


@dataclass(frozen=True)
class Run:
    """A protected span taken out of a sentence.

    Attributes:
        span: The span, in the sentence's offsets.
        point: Where it was, in the stripped text's offsets.
        space_before: Whitespace (or the sentence start) stood before it.
        space_after: Whitespace (or the sentence end) stood after it.
    """

    span: Span
    point: int
    space_before: bool
    space_after: bool


@dataclass(frozen=True)
class Stripped:
    """A sentence without its protected spans: what the model sees.

    Attributes:
        text: The sentence with the protected spans' text removed and the
            spaces left around them collapsed.
        runs: The protected spans taken out (outermost ones), in order.
        origin: For each character of ``text``, its offset in the sentence.
    """

    text: str
    runs: tuple[Run, ...]
    origin: tuple[int, ...]


def strip_protected(source: str, spans: Sequence[Span]) -> Stripped:
    """Take the (outermost) protected spans out of ``source``.

    Args:
        source: The sentence.
        spans: Its spans, in its offsets, well nested.
    """
    outer: list[Span] = []
    for candidate in sorted((s for s in spans if s.protected), key=lambda s: (s.start, -s.end)):
        if outer and candidate.start < outer[-1].end:
            continue
        outer.append(candidate)
    chars: list[str] = []
    origin: list[int] = []
    points: list[int] = []
    position = 0
    ends: list[Span | None] = [*outer, None]
    for span in ends:
        stop = len(source) if span is None else span.start
        for i in range(position, stop):
            char = source[i]
            if char.isspace() and (not chars or chars[-1] == " "):
                continue
            chars.append(" " if char.isspace() else char)
            origin.append(i)
        if span is not None:
            # "voir `x`." loses the space with the run: the model sees "voir.".
            if (
                chars
                and chars[-1] == " "
                and span.end > span.start
                and span.end < len(source)
                and source[span.end] in _CLOSING
            ):
                chars.pop()
                origin.pop()
            points.append(len(chars))
            position = span.end
    # A space left at the end (before a run at the end) goes; points after it move.
    while chars and chars[-1] == " ":
        chars.pop()
        origin.pop()
    text = "".join(chars)
    runs = tuple(
        Run(
            span,
            min(point, len(text)),
            span.start == 0 or source[span.start - 1].isspace(),
            span.end == len(source) or source[span.end].isspace(),
        )
        for span, point in zip(outer, points, strict=True)
    )
    return Stripped(text, runs, tuple(origin))


@dataclass(frozen=True)
class Projection:
    """A translation with the source's inline markup laid over it.

    Attributes:
        target: The English with the protected spans' text put back.
        spans: Every span of the source, in ``target``'s offsets, well nested,
            sorted by start and then by decreasing end.
        alignment: Pharaoh pairs between the words (``str.split``) of the
            full source sentence and of ``target``.
        unclear: Some span was placed by a fallback (see the module docstring).
    """

    target: str
    spans: tuple[Span, ...]
    alignment: Alignment
    unclear: bool


def _core(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` without leading and trailing punctuation, if any word character is left."""
    a, b = start, end
    while a < b and not text[a].isalnum():
        a += 1
    while b > a and not text[b - 1].isalnum():
        b -= 1
    return (a, b) if a < b else (start, end)


class _Projector:
    def __init__(
        self, source: str, spans: Sequence[Span], stripped: Stripped, raw: str, links: Alignment
    ) -> None:
        self.source, self.spans, self.stripped, self.raw = source, spans, stripped, raw
        self.src_words = _words(stripped.text)
        self.tgt_words = _words(raw)
        self.links: dict[int, set[int]] = {}
        for i, j in links:
            if i < len(self.src_words) and j < len(self.tgt_words):
                self.links.setdefault(i, set()).add(j)
        self.unclear = False
        self.shift: list[tuple[int, int, int, int]] = []

    # -- protected runs ----------------------------------------------------

    def _anchors(self, runs: Sequence[Run]) -> list[tuple[int, int, bool]]:
        """:meth:`_anchor` of each run; runs touching in the source go together, in order."""
        out: list[tuple[int, int, bool]] = []
        n = 0
        while n < len(runs):
            last = n
            while last + 1 < len(runs) and runs[last + 1].span.start == runs[last].span.end:
                last += 1
            group = Run(runs[n].span, runs[n].point, runs[n].space_before, runs[last].space_after)
            was = self.unclear
            self.unclear = False
            anchor = self._anchor(group)
            moved = self.unclear and anchor[2]
            self.unclear = was or self.unclear
            out += [(anchor[0], anchor[1], moved)] * (last - n + 1)
            n = last + 1
        return out

    def _anchor(self, run: Run) -> tuple[int, int, bool]:
        """Where in the raw target a run goes, 1 when the text after it is its own, and
        whether an unaligned neighbour was skipped.

        In order: inside or against a word copied unchanged, at the same
        character; after the English of the nearest aligned word before it
        (or before that of the nearest one after it, when the run is glued
        to the next word); else at its relative place, at the nearest word
        end, or before a word's closing punctuation when the run stood before
        punctuation (unclear). Skipping an unaligned neighbour makes the
        placement unclear too.
        """
        words, point, text = self.src_words, run.point, self.stripped.text
        for k, (a, b) in enumerate(words):
            touching = (
                a < point < b
                or (point == b and not run.space_before)
                or (point == a and not run.space_after)
            )
            if not touching:
                continue
            for j in sorted(self.links.get(k, ())):
                ta, tb = self.tgt_words[j]
                if self.raw[ta:tb] == text[a:b]:
                    return ta + point - a, int(point == a), False
        before = [k for k, (a, _) in enumerate(words) if a < point]
        after = [k for k, (a, _) in enumerate(words) if a >= point]
        glued_after = not run.space_after and after and words[after[0]][0] == point
        sides = [("before", before[::-1]), ("after", after)]
        if not before or (run.space_before and glued_after):
            sides.reverse()
        for side, candidates in sides:
            for rank, k in enumerate(candidates):
                if not self.links.get(k):
                    continue
                self.unclear = self.unclear or rank > 0
                if side == "after":
                    return self.tgt_words[min(self.links[k])][0], 1, rank > 0
                a, b = self.tgt_words[max(self.links[k])]
                we = words[k][1]
                if rank == 0 and point < we and not any(c.isalnum() for c in text[point:we]):
                    return _core(self.raw, a, b)[1], 0, False
                return b, 0, rank > 0
        if not text:
            return 0, 1, False
        self.unclear = True
        share = point / len(text)
        guess = round(share * len(self.raw))
        # Word ends, and a word's end before its closing punctuation when the
        # run came before punctuation (``de note.md.``: before the full stop).
        closing = point < len(text) and text[point] in _CLOSING
        ends = [0]
        for a, b in self.tgt_words:
            core = _core(self.raw, a, b)[1]
            ends += [core, b] if closing and core < b and self.raw[core] in _CLOSING else [b]
        return min(ends, key=lambda e: abs(e - guess)), 0, True

    # -- spans ---------------------------------------------------------------

    def _stripped_range(self, span: Span) -> tuple[int, int] | None:
        inside = [k for k, o in enumerate(self.stripped.origin) if span.start <= o < span.end]
        return (inside[0], inside[-1] + 1) if inside else None

    def _target_range(self, span: Span) -> tuple[int, int] | None:
        """The raw-target range of a span, or None when it covers no translated word."""
        rng = self._stripped_range(span)
        if rng is None:
            return None
        lo, hi = rng
        covered = [k for k, (a, b) in enumerate(self.src_words) if a < hi and lo < b]
        if not covered:
            return None
        targets = sorted({j for k in covered for j in self.links.get(k, ())})
        if not targets:
            self.unclear = True
            return 0, len(self.raw)
        first, last = targets[0], targets[-1]
        outside = {j for k, js in self.links.items() if k not in covered for j in js}
        gap = set(range(first, last + 1)) - set(targets)
        if gap & outside:
            self.unclear = True
        a, b = self.tgt_words[first][0], self.tgt_words[last][1]
        text = self.stripped.text
        # A word copied unchanged (a name, a number, the copy model) takes the
        # span's edges at the same characters; otherwise punctuation the span
        # left out stays out.
        (sa, sb), (ta, tb) = self.src_words[covered[0]], self.tgt_words[first]
        if text[sa:sb] == self.raw[ta:tb]:
            a = ta + (max(lo, sa) - sa)
        elif text[lo].isalnum():
            a = _core(self.raw, a, b)[0]
        (sa, sb), (ta, tb) = self.src_words[covered[-1]], self.tgt_words[last]
        if text[sa:sb] == self.raw[ta:tb]:
            b = tb - (sb - min(hi, sb))
        elif text[hi - 1].isalnum():
            b = _core(self.raw, a, b)[1]
        else:  # "**4,5 %**." -> "4,5%.": the span ends at its own last character
            while b > a + 1 and self.raw[b - 1] in _CLOSING and self.raw[b - 1] != text[hi - 1]:
                b -= 1
        return (a, b) if a < b else (self.tgt_words[first][0], self.tgt_words[last][1])

    def run(self) -> Projection:
        runs = self.stripped.runs
        anchors = self._anchors(runs)
        # Insert the runs into the raw target, in source order at each point.
        order = sorted(range(len(runs)), key=lambda n: (anchors[n][0], n))
        pieces: list[str] = []
        shift: list[tuple[int, int, int, int]] = []  # raw point, final start, final end, run
        position = 0
        length = 0
        placed: dict[int, tuple[int, int]] = {}
        for n in order:
            point, glue_next, moved = anchors[n]
            run = runs[n]
            pieces.append(self.raw[position:point])
            length += point - position
            position = point
            text = self.source[run.span.start : run.span.end]
            # A run moved past an unaligned neighbour is no longer glued to a word.
            space_before = run.space_before or (moved and not glue_next)
            space_after = run.space_after or (moved and bool(glue_next))
            before = " " if space_before and length and not "".join(pieces).endswith(" ") else ""
            after = " " if glue_next and space_after and point < len(self.raw) else ""
            if not glue_next and run.space_before and point < len(self.raw) and not before:
                after = ""
            insert = before + text + after
            pieces.append(insert)
            start = length + len(before)
            placed[n] = (start, start + len(text))
            shift.append((point, length, length + len(insert), n))
            length += len(insert)
        pieces.append(self.raw[position:])
        target = "".join(pieces)
        self.shift = shift

        def final(x: int, side: int, inside: set[int]) -> int:
            """A raw offset in the final target; ``side`` 0 for a start, 1 for an end."""
            out = x
            for point, a, b, n in shift:
                if point < x or (point == x and (n in inside) == bool(side)):
                    out += b - a
            return out

        result: list[tuple[int, Span]] = []
        deferred: list[tuple[int, Span, set[int]]] = []
        for index, span in enumerate(self.spans):
            own = next((k for k, r in enumerate(runs) if r.span is span), None)
            if own is not None:
                result.append((index, Span(*placed[own], span.tag, True)))
                continue
            holder = next(
                (
                    k
                    for k, r in enumerate(runs)
                    if r.span.start <= span.start
                    and span.end <= r.span.end
                    and (r.span.start < r.span.end or r.span.start < span.end)
                ),
                None,
            )
            if holder is not None:  # inside a run: moves with it, whatever it is
                offset = placed[holder][0] - runs[holder].span.start
                carried = Span(span.start + offset, span.end + offset, span.tag, span.protected)
                result.append((index, carried))
                continue
            inside = {
                k
                for k, r in enumerate(runs)
                if span.start <= r.span.start and r.span.end <= span.end
            }
            rng = self._target_range(span)
            if rng is None:
                deferred.append((index, span, inside))
                continue
            a, b = final(rng[0], 0, inside), final(rng[1], 1, inside)
            result.append((index, Span(a, max(a, b), span.tag)))
        for index, span, inside in deferred:
            if inside:
                a = min(placed[n][0] for n in inside)
                b = max(placed[n][1] for n in inside)
            else:
                self.unclear = True
                a, b = 0, len(target)
            result.append((index, Span(a, b, span.tag)))
        spans = self._nested(result, len(target))
        return Projection(target, spans, self._full_alignment(target, placed), self.unclear)

    def _nested(self, spans: list[tuple[int, Span]], length: int) -> tuple[Span, ...]:
        """Spans made well nested: a span crossing an earlier one is cut or nested.

        Protected spans are never cut: a span crossing one takes it in whole.
        Should that still leave crossings, every unprotected span covers the
        whole sentence (unclear), which always nests.
        """
        out: list[Span] = []
        # Of two spans over the same text, the source's outer one stays outer.
        ordered = [s for _, s in sorted(spans, key=lambda p: (p[1].start, -p[1].end, p[0]))]
        for span in ordered:
            start, end = span.start, span.end
            for k, other in enumerate(out):
                nested = (other.start <= start and end <= other.end) or (
                    start <= other.start and other.end <= end
                )
                if nested or not (other.start < end and start < other.end):
                    continue
                self.unclear = True
                if span.protected:  # the earlier one takes it in
                    out[k] = replace(other, start=min(start, other.start), end=max(end, other.end))
                elif other.protected:
                    start, end = min(start, other.start), max(end, other.end)
                elif start < other.start:  # ends inside the other: stop before it
                    start, end = (start, other.start)
                else:  # starts inside the other: start after it, or take it in
                    start, end = (other.end, end) if other.end < end else (other.start, end)
            out.append(Span(start, end, span.tag, span.protected))
        result = tuple(sorted(out, key=lambda s: (s.start, -s.end)))  # stable: ties keep order
        try:
            nest(" " * length, result)
        except ValueError:
            self.unclear = True
            whole = [s if s.protected else Span(0, length, s.tag) for s in ordered]
            result = tuple(sorted(whole, key=lambda s: (s.start, -s.end)))
        return result

    def _full_alignment(self, target: str, placed: dict[int, tuple[int, int]]) -> Alignment:
        """The alignment between the full source's and the final target's words."""
        source_words = _words(self.source)
        target_words = _words(target)

        def word_at(words: list[tuple[int, int]], a: int, b: int) -> list[int]:
            return [k for k, (x, y) in enumerate(words) if x < b and a < y]

        raw_to_final = self._raw_offsets()
        pairs: set[tuple[int, int]] = set()
        for i, js in self.links.items():
            sa, sb = self.src_words[i]
            src = word_at(source_words, self.stripped.origin[sa], self.stripped.origin[sb - 1] + 1)
            for j in js:
                ta, tb = self.tgt_words[j]
                tgt = word_at(target_words, raw_to_final[ta], raw_to_final[tb - 1] + 1)
                pairs.update((s, t) for s in src for t in tgt)
        for n, run in enumerate(self.stripped.runs):
            a, b = placed[n]
            src = word_at(source_words, run.span.start, run.span.end)
            tgt = word_at(target_words, a, b)
            if len(src) == len(tgt):  # copied as it was: word for word
                pairs.update(zip(src, tgt, strict=True))
            else:
                pairs.update((s, t) for s in src for t in tgt)
        return tuple(sorted(pairs))

    def _raw_offsets(self) -> list[int]:
        """For each raw-target character, its offset in the final target."""
        return [
            x + sum(b - a for point, a, b, _ in self.shift if point <= x)
            for x in range(len(self.raw))
        ]


def project(
    source: str,
    spans: Sequence[Span],
    stripped: Stripped,
    raw: str,
    alignment: Alignment | None,
) -> Projection:
    """Lay a sentence's spans over its translation.

    Args:
        source: The French sentence, protected text included.
        spans: Its spans in its own offsets, well nested.
        stripped: :func:`strip_protected` of ``source`` and ``spans``: what was translated.
        raw: The translation of ``stripped.text``.
        alignment: Pharaoh pairs between the words of ``stripped.text`` and
            of ``raw``, or None when the engine gave none (every span then
            covers the whole sentence and the projection is unclear).

    Returns:
        The target with protected text put back, the spans in its offsets,
        the full alignment, and whether any span was placed by a fallback.
    """
    if alignment is None and any(not s.protected for s in spans):
        alignment = ()
    projector = _Projector(source, spans, stripped, raw, alignment or ())
    if alignment == () and spans:
        projector.unclear = any(not s.protected for s in spans) or bool(stripped.runs)
    return projector.run()


def block_sentences(
    block: Block, abbreviations: AbstractSet[str] | None = None
) -> list[tuple[int, str, tuple[Span, ...]]]:
    """A block cut into sentences, each with its start, text and spans.

    The sentences are those of :func:`~translate_cli.segment.sentence_spans`
    (``abbreviations``: the document's own, as it takes them),
    stripped of surrounding whitespace, except that a boundary inside a
    protected span (a URL or inline code holding ``. ``) is no boundary.
    A span over several sentences is clipped to each; an empty span goes
    to the sentence it touches first. URLs, e-mail addresses, handles,
    hashtags and file paths become protected spans (:func:`plain_protected`).

    Returns:
        ``(start, text, spans)`` per sentence: ``start`` in the block's
        offsets, ``spans`` in the sentence's.
    """
    text = block.text
    spans = plain_protected(text, block.spans)
    if not spans:  # plain prose: the sentences of split_sentences, with their starts
        return [
            (a + len(piece) - len(piece.lstrip()), stripped, ())
            for a, b in sentence_spans(text, abbreviations)
            if (stripped := (piece := text[a:b]).strip())
        ]
    cuts: list[tuple[int, int]] = []
    for a, b in sentence_spans(text, abbreviations):
        if cuts and any(s.protected and s.start < a < s.end for s in spans):
            cuts[-1] = (cuts[-1][0], b)
        else:
            cuts.append((a, b))
    out: list[tuple[int, str, tuple[Span, ...]]] = []
    taken: set[int] = set()
    for a, b in cuts:
        piece = text[a:b]
        start = a + len(piece) - len(piece.lstrip())
        end = a + len(piece.rstrip())
        if start >= end:
            continue
        local = []
        for n, s in enumerate(spans):
            if s.start == s.end:
                if n in taken or not start <= s.start <= end:
                    continue
                taken.add(n)
            elif not (s.start < end and start < s.end):
                continue
            local.append(
                Span(max(s.start, start) - start, min(s.end, end) - start, s.tag, s.protected)
            )
        out.append((start, text[start:end], tuple(local)))
    return out


def model_text(text: str, spans: Sequence[Span]) -> str:
    """What the model translates for a sentence: its text without the protected spans."""
    return strip_protected(text, spans).text if any(s.protected for s in spans) else text
