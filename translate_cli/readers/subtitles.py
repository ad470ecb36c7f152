"""Subtitles (SubRip ``.srt``, WebVTT ``.vtt``): runs of cues in, English shared back over them.

**Blocks.** The lines of a cue are one text. A sentence spread over several
cues must reach the model whole, so a block is a run of consecutive cues in
which every cue but the last leaves its sentence open: its text (tags
removed) does not end with ``.``, ``!``, ``?``, ``…`` or a music note,
possibly followed by closing quotes or brackets (``»”")]``). A cue ending in
an ellipsis leaves its sentence open when the next cue goes on with an
ellipsis or a lowercase letter (``Je pense que...`` / ``... c'est fini.``),
the subtitling convention for a suspended sentence. A run also ends before a
cue that opens with a speaker dash (a new speaker, a new sentence), when the
next cue starts over :data:`MAX_GAP_MS` after the previous one ends (a
pause: the ending punctuation was probably forgotten), before a cue that
starts earlier than the previous one, and after :data:`MAX_RUN_CUES` cues (a
file with no punctuation at all, such as automatic captions, would otherwise
be one block). A cue with no letter (``♪``, ``...``) is a block of its own.
An empty cue (no text, or only tags) is in no block and is written back as
it was. Block text: the cue texts joined by one space; the layout keeps each
cue's character range in it.

**Inline markup.** Cue tags (``<i>``, ``<b>``, ``<u>``, ``<font ...>``, the
WebVTT ``<c.class>``, ``<lang>``, ``<ruby>``...) are spans written back
around the English words; a closing tag the source left out stays left out
where the element reaches the end of the cue (both formats close elements at
the cue end). What holds no text is protected: a stray closing tag, a WebVTT
karaoke time stamp (``<00:00:05.000>``), an SSA override (``{\\an8}``) in
mid-cue. An SSA override or a voice tag (``<v Speaker>``) that opens a cue is
kept on the cue, not in the block: it is written at the start of the cue's
English (a voice's closing tag at its end), whatever words the cue gets; a
voice closed before the end of the cue's text is a span instead. A
speaker dash at a line start (``- Oui.``) is a protected span holding the
dash; so is a voice tag opening a later line. Both must begin a line: a dash
that began its sentence is put back in front of the English sentence, and a
line break is written before every dash or voice that is not the first thing
of its cue (``- Are you coming?`` / ``- No.``). WebVTT text is unescaped
(``&amp;``) into the block and escaped again on writing; SubRip has no
escapes and is read as it is.

**Render.** Each English sentence is shared out over the cues its French
covers, in proportion to the French characters in each, cut at spaces only
(never inside a word or a protected span, never right after a speaker dash);
every cue that had text gets at least one word when the sentence has enough.
A wrapping element that covered the whole French sentence (an italic cue, a
run of italic cues) covers the whole English one; other spans stay where the
translation layer projected them, clipped to each cue, and written once per
piece; a piece of a wrapping element from another cue is written as the
cue's own element of the same markup where it has one (a run of italic cues
keeps one ``<i>...</i>`` per cue, closing tags as the source had them). A cue
whose text comes back unchanged (a name, a number, ``♪``), or that no
sentence covers, keeps its source lines. Each other cue's English is then
rewrapped (:func:`wrap_lines`): one line when it fits
:data:`MAX_LINE_CHARS` characters, else a balanced split in two lines of at
most :data:`MAX_LINE_CHARS`, preferably after a sentence end or a comma or
before a conjunction or preposition, not after an article; a speaker dash or
voice always opens a line, and each such part is wrapped on its own. The
limits are those of the Netflix Timed Text Style Guide (42 characters a
line, two lines, one line when it fits).

**Kept byte for byte.** Timings, SubRip indexes and their position data,
WebVTT cue identifiers and settings, the ``WEBVTT`` header line and metadata,
``NOTE``, ``STYLE`` and ``REGION`` blocks, blank lines and newline style
(LF or CRLF), a UTF-8 byte order mark. SubRip is parsed by ``srt`` and
written back with ``srt.compose(reindex=False)``, which writes timings as
``HH:MM:SS,mmm`` (a source ``00:00:01.5`` comes back ``00:00:01,500``), an
absent index as ``0`` and one blank line between cues. WebVTT is parsed by
webvtt-py, whose writer rewrites timings, newlines and comments; so the
English cue lines are put in place of the French ones in the source text,
located block by block (blocks end at blank lines) and checked against the
cues webvtt-py parsed, and everything else is the source's bytes.

**Known limits.** Text that cannot fit two lines of 42 characters takes the
fewest lines of at most 42 (more than two; a word longer than 42 characters
has a line of its own, over the limit); so does a cue with more than two
speakers, or speakers whose line does not fit 42 characters (each part gets
its lines). A cue that gets no word (a sentence shorter in English than the
number of cues it spans) is written empty. Cue timings are never changed, so
English much longer than the French reads faster. A cue whose end precedes
its start is kept as it is, with a warning. SubRip text is not unescaped:
``&amp;`` stays as it is. A protected element with no text right after an
element's text (a stray ``</b>`` after ``</i>``) is written inside it (see
:func:`translate_cli.markup.nest`). Cue tags are found as webvtt-py finds
them (``<...>``), by a regular expression, the SSA ``{\\...}`` codes too; the
file structure is left to the libraries. Line breaks follow English grammar
words only (:data:`_BREAK_BEFORE`); a compound noun may be cut. A SubRip
text line holding ``-->`` is taken for a broken timing line.
"""

from __future__ import annotations

import datetime
import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..document import decode_bytes
from ..errors import InputError
from ..markup import PLAIN_TAG, Block, Element, Placed, Span, nest
from .base import BlockBuilder, Parsed, Reader, register

# Netflix Timed Text Style Guide (general requirements): at most 42
# characters a line and two lines a subtitle; text is kept on one line when
# it fits.
MAX_LINE_CHARS = 42
MAX_LINES = 2
# A longer silence between two cues ends a run even without final punctuation.
MAX_GAP_MS = 3000
# The most cues one block holds, for files with no sentence punctuation.
MAX_RUN_CUES = 8

# A cue text that ends its sentence: final punctuation or a music note, then
# closing quotes or brackets (French puts a space before ``»``).
_SENTENCE_END = re.compile(r"[.!?…♪♫][\s»”\"')\]]*$")
_ELLIPSIS_END = re.compile(r"(?:\.\.\.|…)[\s»”\"')\]]*$")
_CONTINUATION = re.compile(r"(?:\.\.\.|…)|[^\W\d_]")
# A speaker dash at the start of a line's text: a dash then a space, or a
# dash right before a word (``-Oui``), not a minus sign (``-5``).
_DASH = re.compile(r"\s*([-‐–—])(\s+|(?=[^\W\d_]|[«\"“'(]))")
# Cue tags: ``<tag ...>``, ``</tag>``, WebVTT time stamps ``<00:00:05.000>``;
# the same ``<...>`` tokens webvtt-py strips from ``Caption.text``.
_TAG = re.compile(r"<(/?)([A-Za-z][^\s>./]*)[^>]*>|<\d[^>]*>")
# SSA/ASS override codes many SubRip files carry (``{\an8}``, ``{\i1}``).
_SRT_TAG = re.compile(rf"{_TAG.pattern}|\{{\\[^}}]*\}}")
_LINE_END = re.compile(r"\r\n|\r|\n")
_SENTENCE_BREAK = ".!?…"
_PUNCT_BREAK = ",;:"
# A two-line split after a sentence end may be this much less balanced, one
# after other punctuation this much, one before a conjunction or preposition
# this much (subtitling practice: break at a sentence, clause or phrase
# boundary, never between an article and its noun).
_SENTENCE_BONUS = 10
# A break after an article or a preposition costs as much as one before a
# preposition gains, and one more character.
_PUNCT_BONUS = 4
_WORD_BONUS = 2
_BREAK_BEFORE = frozenset(
    [
        "and",
        "but",
        "or",
        "nor",
        "so",
        "because",
        "although",
        "though",
        "while",
        "when",
        "where",
        "which",
        "who",
        "whom",
        "whose",
        "that",
        "if",
        "as",
        "than",
        "in",
        "on",
        "at",
        "for",
        "with",
        "without",
        "to",
        "of",
        "from",
        "by",
        "about",
        "into",
        "over",
        "under",
        "after",
        "before",
        "during",
        "since",
        "until",
    ]
)
_NO_BREAK_AFTER = _BREAK_BEFORE | {"a", "an", "the", "my", "your", "his", "her", "our", "their"}


@dataclass
class _Element:
    """An inline element of the source, indexed by its span's tag.

    Attributes:
        open: Raw markup before the element's text; the whole raw text of a
            protected element (a dash, a stray tag, an SSA override).
        close: Raw closing tag; empty when the source left it implicit.
        name: Tag name, lower case (``i``, ``c``, ``v``), for a closing tag
            that has to be written where the source had none.
        wraps: A tag around text; False for a protected element written as
            ``open`` alone.
        line_start: Must begin a line (a speaker dash, a voice in mid-cue).
        gap: For a dash, the whitespace that followed it in the source.
    """

    open: str
    close: str = ""
    name: str = ""
    wraps: bool = True
    line_start: bool = False
    gap: str = ""


@dataclass(frozen=True)
class _Cue:
    """A cue as the layout needs it.

    Attributes:
        lines: Its text lines in the source, without line terminators.
        prefix: Raw markup holding no text that opens the cue (``{\\an8}``,
            ``<v Jean>``), written before the English.
        suffix: The closing tag of a cue-opening voice, written after it.
        block: Index of its block; -1 for an empty cue (kept as it is).
        start: First character of its text in the block.
        end: One past its last character.
    """

    lines: tuple[str, ...]
    prefix: str = ""
    suffix: str = ""
    block: int = -1
    start: int = 0
    end: int = 0


@dataclass(frozen=True)
class _Source:
    """One cue as a parser found it: text lines and times in milliseconds."""

    lines: tuple[str, ...]
    start_ms: int
    end_ms: int


class _CueReader:
    """Reads cue text lines into a :class:`Block`, collecting the elements in one list."""

    def __init__(self, vtt: bool) -> None:
        self.vtt = vtt
        self.elements: list[_Element] = []

    def _add(self, element: _Element) -> int:
        self.elements.append(element)
        return len(self.elements) - 1

    def read(self, lines: Sequence[str]) -> tuple[Block, str, str]:
        """One cue's text.

        A voice opening the cue is kept on the cue (prefix and suffix) when
        it runs to the cue's end; one closed before more text is a span.

        Returns:
            The cue's block (cue-local offsets), its prefix and its suffix
            (see :class:`_Cue`).
        """
        count = len(self.elements)
        block, prefix, suffix, early = self._read(lines, cue_voice=True)
        if early:
            del self.elements[count:]
            block, prefix, suffix, _ = self._read(lines, cue_voice=False)
        return block, prefix, suffix

    def _read(self, lines: Sequence[str], cue_voice: bool) -> tuple[Block, str, str, bool]:
        """:meth:`read`, and whether a cue-opening voice closed before the end of the text."""
        builder = BlockBuilder()
        voice_closed = early = False
        stack: list[tuple[str, int]] = []  # (name, element index; -1: the cue voice)
        prefix, suffix = "", ""
        started = False  # text or an element came in this cue
        token = _SRT_TAG if not self.vtt else _TAG
        for number, line in enumerate(lines):
            if number:
                builder.add_text("\n")
            line_text = False
            position = 0
            for match in token.finditer(line):
                line_text = self._text(builder, line[position : match.start()], line_text)
                started = started or line_text
                early = early or (voice_closed and line_text)
                position = match.end()
                raw = match.group(0)
                name = (match.group(2) or "").lower()
                if raw.startswith("{") or raw[1].isdigit():  # SSA override, time stamp
                    if not started and not stack:
                        prefix += raw
                    else:
                        builder.open(self._add(_Element(raw, wraps=False)), protected=True)
                        builder.close()
                        started = True
                elif match.group(1):  # a closing tag
                    names = [n for n, _ in stack]
                    if name not in names:
                        builder.open(self._add(_Element(raw, wraps=False)), protected=True)
                        builder.close()
                        continue
                    while stack:
                        top, index = stack.pop()
                        if index == -1:
                            suffix = raw if top == name else suffix
                            voice_closed = True
                        else:
                            if top == name:
                                self.elements[index].close = raw
                            builder.close()
                        if top == name:
                            break
                elif name == "v" and cue_voice and not started and not stack:
                    prefix += raw
                    stack.append((name, -1))
                else:
                    index = self._add(
                        _Element(raw, name=name, line_start=name == "v" and not line_text)
                    )
                    builder.open(index)
                    stack.append((name, index))
                    started = True
            line_text = self._text(builder, line[position:], line_text)
            started = started or line_text
            early = early or (voice_closed and bool(line[position:].strip()))
        for _, index in reversed(stack):
            if index != -1:
                builder.close()
        return builder.build(), prefix, suffix, early

    def _text(self, builder: BlockBuilder, text: str, line_text: bool) -> bool:
        """Add a piece of a line's text, a speaker dash first if it opens the line.

        Returns:
            Whether the line has text now.
        """
        if self.vtt:
            text = html.unescape(text)
        if not text.strip():
            builder.add_text(text)
            return line_text
        if not line_text:
            dash = _DASH.match(text)
            if dash:
                index = self._add(
                    _Element(dash.group(1), wraps=False, line_start=True, gap=dash.group(2))
                )
                builder.add_text(text[: dash.start(1)])
                builder.add_protected(dash.group(1), index)
                text = text[dash.end(1) :]
        builder.add_text(text)
        return True


def _has_letter(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def _opens_with_dash(block: Block, elements: Sequence[_Element]) -> bool:
    return any(
        s.start == 0 and not elements[s.tag].wraps and elements[s.tag].line_start
        for s in block.spans
    )


def _continues(text: str, following: str) -> bool:
    """Whether a cue's sentence goes on in the next cue (see the module docstring)."""
    if not _SENTENCE_END.search(text):
        return True
    if _ELLIPSIS_END.search(text):
        start = _CONTINUATION.match(following.lstrip('-‐–— «"“'))
        return start is not None and (not start.group(0).isalpha() or start.group(0).islower())
    return False


def _join(blocks: Sequence[Block]) -> tuple[Block, list[tuple[int, int]]]:
    """Cue blocks joined by one space, and each one's range in the result."""
    spans: list[Span] = []
    ranges = []
    offset = 0
    for block in blocks:
        ranges.append((offset, offset + len(block.text)))
        spans.extend(
            Span(s.start + offset, s.end + offset, s.tag, s.protected) for s in block.spans
        )
        offset += len(block.text) + 1
    ordered = sorted(spans, key=lambda s: (s.start, -s.end))
    return Block(" ".join(b.text for b in blocks), tuple(ordered)), ranges


def _group(
    sources: Sequence[_Source], vtt: bool
) -> tuple[tuple[Block, ...], tuple[_Cue, ...], tuple[_Element, ...]]:
    """The blocks of a subtitle file, its cues for the layout, and its inline elements."""
    reader = _CueReader(vtt)
    read = [reader.read(source.lines) for source in sources]
    elements = reader.elements
    blocks: list[Block] = []
    cues: list[_Cue] = [_Cue(s.lines, r[1], r[2]) for s, r in zip(sources, read, strict=True)]
    run: list[int] = []

    def flush() -> None:
        if run:
            block, ranges = _join([read[i][0] for i in run])
            for i, (start, end) in zip(run, ranges, strict=True):
                cues[i] = _Cue(
                    cues[i].lines, cues[i].prefix, cues[i].suffix, len(blocks), start, end
                )
            blocks.append(block)
            run.clear()

    for i, (source, (block, _, _)) in enumerate(zip(sources, read, strict=True)):
        if not block.text:
            flush()
            continue
        if run:
            last = run[-1]
            previous, before = read[last][0].text, sources[last]
            if (
                not _continues(previous, block.text)
                or not _has_letter(previous)
                or not _has_letter(block.text)
                or _opens_with_dash(block, elements)
                or source.start_ms - before.end_ms > MAX_GAP_MS
                or source.start_ms < before.start_ms
                or len(run) >= MAX_RUN_CUES
            ):
                flush()
        run.append(i)
    flush()
    return tuple(blocks), tuple(cues), tuple(elements)


# -- render -------------------------------------------------------------------


def _well_nested(spans: Sequence[Span], length: int) -> tuple[Span, ...]:
    """The spans inside the text that nest, sorted; a span crossing an earlier one is dropped."""
    kept: list[Span] = []
    stack: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if not 0 <= span.start <= span.end <= length:
            continue
        while stack and stack[-1].end <= span.start:
            stack.pop()
        if stack and stack[-1].end < span.end:
            continue
        kept.append(span)
        stack.append(span)
    return tuple(kept)


def _content(block: Block, start: int, end: int, elements: Sequence[_Element]) -> tuple[int, int]:
    """Where the words of ``block.text[start:end]`` start and end.

    Leading whitespace and line-start markers (speaker dashes) are skipped,
    as is trailing whitespace.
    """
    markers = {
        s.start: s.end
        for s in block.spans
        if 0 <= s.tag < len(elements) and elements[s.tag].line_start and s.start < s.end
    }
    position = start
    while position < end:
        if block.text[position].isspace():
            position += 1
        elif position in markers and markers[position] <= end:
            position = markers[position]
        else:
            break
    last = end
    while last > position and block.text[last - 1].isspace():
        last -= 1
    return position, last


def _alnum(text: str, start: int, end: int) -> tuple[int, int] | None:
    """First and one-past-last letter or digit of ``text[start:end]``."""
    found = [i for i in range(start, end) if text[i].isalnum()]
    return (found[0], found[-1] + 1) if found else None


def _replay(
    builder: BlockBuilder,
    tree: Sequence[str | Element],
    skip: frozenset[int] = frozenset(),
    elements: Sequence[_Element] = (),
) -> None:
    """Feed a :func:`nest` tree to a builder; ``skip``: tags left out with their text.

    With ``elements``, a space is put before a line-start element that is
    not the first thing written.
    """
    for node in tree:
        if isinstance(node, str):
            builder.add_text(node)
            continue
        if node.tag in skip:
            continue
        if 0 <= node.tag < len(elements) and elements[node.tag].line_start and not builder.empty:
            builder.add_text(" ")
        builder.open(node.tag, node.protected)
        _replay(builder, node.children, skip, elements)
        builder.close()


def _sentence(placed: Placed, block: Block, elements: Sequence[_Element]) -> Block:
    """An English sentence made ready to share out: dashes in front, whole-sentence spans widened.

    A speaker dash that began the French sentence is moved to the start of
    the English one. Wrapping elements of the same markup that together
    cover every letter and digit of the French sentence become one span
    over the English sentence (from its first word, or its first letter
    when the French span started at a letter, to its end likewise). Other
    spans keep their place; spans that do not nest are dropped.
    """
    target = placed.target
    spans = _well_nested([s for s in placed.spans if s.tag < len(elements)], len(target))
    source = {s.tag: s for s in block.spans}
    content_start, content_end = _content(block, placed.start, placed.end, elements)
    sentence_start = placed.start
    while sentence_start < content_start and block.text[sentence_start].isspace():
        sentence_start += 1
    # Dashes that began the French sentence go in front of the English one.
    leading = [
        s.tag
        for s in spans
        if s.tag in source
        and s.tag >= 0
        and not elements[s.tag].wraps
        and elements[s.tag].line_start
        and placed.start <= source[s.tag].start
        and source[s.tag].end <= content_start
    ]
    leading = list(dict.fromkeys(leading))
    builder = BlockBuilder()
    for tag in leading:
        builder.add_protected(elements[tag].open, tag)
        builder.add_text(elements[tag].gap)
    _replay(builder, nest(target, spans), frozenset(leading))
    english = builder.build()
    # Whole-sentence spans.
    letters = _alnum(block.text, content_start, content_end)
    t_start, t_end = _content(english, 0, len(english.text), elements)
    t_letters = _alnum(english.text, t_start, t_end)
    if letters is None or t_letters is None:
        return english
    groups: dict[str, list[Span]] = {}
    for span in block.spans:
        element = elements[span.tag] if 0 <= span.tag < len(elements) else None
        if element is None or not element.wraps or element.line_start:
            continue
        if span.end > content_start and span.start < content_end:
            groups.setdefault(element.open, []).append(span)
    out = list(english.spans)
    for group in groups.values():
        covered = all(
            any(s.start <= i < s.end for s in group)
            for i in range(letters[0], letters[1])
            if block.text[i].isalnum()
        )
        if not covered:
            continue
        tags = {s.tag for s in group}
        first = min(group, key=lambda s: s.start)
        start = t_letters[0]
        if first.start <= content_start:
            start = 0 if first.start <= sentence_start else t_start
        end = t_end if max(s.end for s in group) >= content_end else t_letters[1]
        out = [s for s in out if s.tag not in tags]
        out.append(Span(start, end, first.tag))
    return Block(english.text, _well_nested(out, len(english.text)))


def _slice(block: Block, start: int, end: int) -> Block:
    """``block.text[start:end]`` with its spans clipped and shifted."""
    spans = []
    for s in block.spans:
        if s.start == s.end:
            if start <= s.start <= end:
                spans.append(Span(s.start - start, s.end - start, s.tag, s.protected))
        elif s.start < end and s.end > start:
            a, b = max(s.start, start), min(s.end, end)
            spans.append(Span(a - start, b - start, s.tag, s.protected))
    return Block(block.text[start:end], tuple(spans))


def share(
    sentence: Block, weights: Sequence[int], elements: Sequence[_Element] = ()
) -> list[Block]:
    """Cut an English sentence into one piece per cue, in proportion to ``weights``.

    Cuts fall on spaces only: never inside a word or a protected span, and
    never right after a line-start element (a speaker dash stays with its
    word). Each cut goes to the allowed space nearest its proportional
    place, leaving at least one word to every later cue; with fewer words
    than cues, the cues with the most French characters get one word each,
    in order, and the others nothing.

    Args:
        sentence: The English sentence, one line, single spaces.
        weights: For each cue the sentence covers, in order, its number of
            French characters in the sentence (> 0).
        elements: The layout's elements, to find speaker dashes.

    Returns:
        One block per weight, in order; pieces joined by one space give the
        sentence back.
    """
    if len(weights) <= 1:
        return [sentence]
    text = sentence.text
    blocked: set[int] = set()
    for s in sentence.spans:
        if s.protected or s.tag == PLAIN_TAG:
            blocked.update(range(s.start, s.end))
        if 0 <= s.tag < len(elements) and elements[s.tag].line_start and s.start < s.end:
            blocked.add(s.end)
    cuts = [i for i, ch in enumerate(text) if ch == " " and i not in blocked]
    count = len(weights)
    if len(cuts) < count - 1:
        bounds = [-1, *cuts, len(text)]
        words = [_slice(sentence, bounds[k] + 1, bounds[k + 1]) for k in range(len(bounds) - 1)]
        chosen = sorted(sorted(range(count), key=lambda i: (-weights[i], i))[: len(words)])
        pieces = [Block("")] * count
        for word, cue in zip(words, chosen, strict=True):
            pieces[cue] = word
        return pieces
    total = sum(weights)
    chosen_cuts: list[int] = []
    low = 0
    running = 0
    for j in range(1, count):
        running += weights[j - 1]
        ideal = len(text) * running / total
        high = len(cuts) - (count - 1 - j)
        best = min(range(low, high), key=lambda k: (abs(cuts[k] - ideal), k))
        chosen_cuts.append(cuts[best])
        low = best + 1
    bounds = [-1, *chosen_cuts, len(text)]
    return [_slice(sentence, bounds[k] + 1, bounds[k + 1]) for k in range(count)]


def _two_lines(text: str) -> int | None:
    """The space where a balanced two-line split of ``text`` breaks; None when none fits."""
    best: tuple[int, int, int] | None = None
    for i, ch in enumerate(text):
        if ch != " ":
            continue
        top, bottom = i, len(text) - i - 1
        if top > MAX_LINE_CHARS or bottom > MAX_LINE_CHARS:
            continue
        bonus = 0
        if text[i - 1] in _SENTENCE_BREAK:
            bonus = _SENTENCE_BONUS
        elif text[i - 1] in _PUNCT_BREAK:
            bonus = _PUNCT_BONUS
        elif text[i + 1 :].split(" ", 1)[0].lower() in _BREAK_BEFORE:
            bonus = _WORD_BONUS
        if text[:i].rsplit(" ", 1)[-1].lower() in _NO_BREAK_AFTER:
            bonus -= _WORD_BONUS + 1
        # Most balanced, after punctuation if nearly as balanced, top line shorter.
        cost = (max(top, bottom) - bonus, top > bottom, i)
        if best is None or cost < best:
            best = cost
    return None if best is None else best[2]


def _breaks(text: str) -> list[int]:
    """The spaces of one line of text where it is broken (see :func:`wrap_lines`)."""
    if len(text) <= MAX_LINE_CHARS:
        return []
    middle = _two_lines(text) if MAX_LINES >= 2 else None
    if middle is not None:
        return [middle]
    breaks = []
    line_start = 0
    while len(text) - line_start > MAX_LINE_CHARS:
        spaces = [i for i in range(line_start, len(text)) if text[i] == " "]
        if not spaces:
            break
        fitting = [i for i in spaces if i - line_start <= MAX_LINE_CHARS]
        cut = fitting[-1] if fitting else spaces[0]
        breaks.append(cut)
        line_start = cut + 1
    return breaks


def wrap_lines(text: str) -> list[str]:
    """One part of a cue (one speaker) as subtitle lines.

    One line when the text fits :data:`MAX_LINE_CHARS` characters; else the
    most balanced split in two lines of at most that many, preferring a
    break after a sentence end when it costs at most :data:`_SENTENCE_BONUS`
    characters of balance, after other punctuation at most
    :data:`_PUNCT_BONUS`, before a conjunction or preposition when it
    costs at most :data:`_WORD_BONUS`, never one after an article or a
    preposition unless it is clearly better balanced, and a top line shorter
    than the bottom one; else
    (too long for two lines) the fewest lines of at most
    :data:`MAX_LINE_CHARS`, filled greedily. Lines break at spaces only: a
    word longer than the limit gets a line of its own, over the limit. No
    text is lost.

    Args:
        text: One line of text, words separated by single spaces.

    Returns:
        The lines; joined by single spaces they give ``text`` back.
    """
    bounds = [-1, *_breaks(text), len(text)]
    return [text[bounds[k] + 1 : bounds[k + 1]] for k in range(len(bounds) - 1)]


def _line_breaks(cue: Block, elements: Sequence[_Element]) -> str:
    """The cue's text with the spaces where lines break turned into newlines (same length)."""
    text = cue.text
    forced = sorted(
        s.start - 1
        for s in cue.spans
        if 0 <= s.tag < len(elements)
        and elements[s.tag].line_start
        and s.start > 0
        and text[s.start - 1] == " "
    )
    chars = list(text)
    bounds = [-1, *forced, len(text)]
    for k in range(len(bounds) - 1):
        if k:
            chars[bounds[k]] = "\n"
        part = bounds[k] + 1
        for i in _breaks(text[part : bounds[k + 1]]):
            chars[part + i] = "\n"
    return "".join(chars)


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _markup(
    text: str,
    spans: Sequence[Span],
    elements: Sequence[_Element],
    escape: Callable[[str], str],
) -> str:
    """The cue's English with its elements written around the words, raw markup unchanged."""

    def plain(nodes: Sequence[str | Element]) -> str:
        return "".join(n if isinstance(n, str) else plain(n.children) for n in nodes)

    def write(nodes: Sequence[str | Element], cue_end: bool) -> str:
        out = []
        for k, node in enumerate(nodes):
            if isinstance(node, str):
                out.append(escape(node))
                continue
            last = cue_end and k == len(nodes) - 1
            inner = write(node.children, last)
            if not 0 <= node.tag < len(elements):
                out.append(escape(plain(node.children)))
                continue
            element = elements[node.tag]
            if not element.wraps:
                out.append(element.open)
            elif not inner:
                continue  # an element the English left empty
            else:
                close = element.close
                if not close and not last and element.name:
                    close = f"</{element.name}>"
                out.append(element.open + inner + close)
        return "".join(out)

    return write(nest(text, spans), True)


class _SubtitleLayout:
    """Shares the English out over the cues; subclasses write the file.

    Attributes:
        format: ``srt`` or ``vtt``.
    """

    format = ""

    def __init__(
        self,
        blocks: tuple[Block, ...],
        cues: tuple[_Cue, ...],
        elements: tuple[_Element, ...],
        bom: bool,
    ) -> None:
        self._blocks = blocks
        self._cues = cues
        self._elements = elements
        self._bom = bom

    def _escape(self, text: str) -> str:
        return text

    def cue_ranges(self) -> tuple[tuple[int, int, int], ...]:
        """Where each cue's text is: ``(block, start, end)`` per cue, in file order.

        ``block`` is -1 for an empty cue (in no block); ``start``/``end`` are
        character offsets in that block's text.
        """
        return tuple((cue.block, cue.start, cue.end) for cue in self._cues)

    def _cue_texts(self, blocks: Sequence[Sequence[Placed]]) -> list[list[str] | None]:
        """Each cue's English lines; None for a cue written as it was."""
        if len(blocks) != len(self._blocks):
            raise ValueError(f"{len(blocks)} blocks of sentences for {len(self._blocks)} blocks")
        members: list[list[int]] = [[] for _ in self._blocks]
        for i, cue in enumerate(self._cues):
            if cue.block >= 0:
                members[cue.block].append(i)
        out: list[list[str] | None] = [None] * len(self._cues)
        for block, placed, cue_ids in zip(self._blocks, blocks, members, strict=True):
            if not placed:
                continue
            parts: dict[int, list[Block]] = {i: [] for i in cue_ids}
            touched: set[int] = set()
            for sentence in placed:
                english = _sentence(sentence, block, self._elements)
                overlaps = [
                    (i, min(sentence.end, cue.end) - max(sentence.start, cue.start))
                    for i in cue_ids
                    for cue in (self._cues[i],)
                ]
                covered = [(i, n) for i, n in overlaps if n > 0]
                touched.update(i for i, _ in covered)
                if not covered:
                    continue
                pieces = share(english, [n for _, n in covered], self._elements)
                for (i, _), piece in zip(covered, pieces, strict=True):
                    if piece.text:
                        parts[i].append(piece)
            source = {s.tag: s for s in block.spans}
            for i in cue_ids:
                if i not in touched:
                    continue  # no sentence over it: its own lines
                cue = self._cues[i]
                own = self._own_tags(block, cue)
                builder = BlockBuilder()
                for piece in parts[i]:
                    builder.add_text(" ")
                    spans = tuple(
                        Span(s.start, s.end, own.get(self._key(s.tag, source, cue), s.tag))
                        if s.tag not in own.values()
                        else s
                        for s in piece.spans
                    )
                    _replay(builder, nest(piece.text, spans), elements=self._elements)
                cue_english = builder.build()
                spans = _well_nested(cue_english.spans, len(cue_english.text))
                broken = _line_breaks(Block(cue_english.text, spans), self._elements)
                body = _markup(broken, spans, self._elements, self._escape)
                text = cue.prefix + body + cue.suffix if body else ""
                if " ".join(text.split()) == " ".join(" ".join(cue.lines).split()):
                    continue  # unchanged text (a name, a number, ♪): its own lines
                out[i] = text.split("\n") if text else []
        return out

    def _own_tags(self, block: Block, cue: _Cue) -> dict[str, int]:
        """The wrapping elements of a cue by their opening markup: the first of each."""
        own: dict[str, int] = {}
        for span in block.spans:
            element = self._elements[span.tag]
            if cue.start <= span.start and span.end <= cue.end and element.wraps:
                own.setdefault(element.open, span.tag)
        return own

    def _key(self, tag: int, source: dict[int, Span], cue: _Cue) -> str:
        """The opening markup of a wrapping element from another cue; '' for any other span.

        A span of the same markup as one of the cue's own elements is
        written as that element, with its closing tag as the source had it
        (a run of italic cues keeps one ``<i>...</i>`` per cue).
        """
        if not 0 <= tag < len(self._elements) or tag not in source:
            return ""
        element = self._elements[tag]
        inside = cue.start <= source[tag].start and source[tag].end <= cue.end
        return "" if inside or not element.wraps or element.line_start else element.open

    def render(self, blocks: Sequence[Sequence[Placed]]) -> bytes:
        """The English subtitle file, UTF-8 (with a byte order mark if the source had one).

        Raises:
            ValueError: ``blocks`` does not hold one entry per block.
        """
        text = self._write(self._cue_texts(blocks))
        return ("\ufeff" if self._bom else "").encode() + text.encode("utf-8")

    def _write(self, texts: list[list[str] | None]) -> str:
        raise NotImplementedError


class SrtLayout(_SubtitleLayout):
    """Writes SubRip with ``srt.compose``: indexes, timings and position data as parsed."""

    format = "srt"

    def __init__(
        self,
        blocks: tuple[Block, ...],
        cues: tuple[_Cue, ...],
        elements: tuple[_Element, ...],
        bom: bool,
        subtitles: tuple[Any, ...],
        head: str,
        tail: str,
        eol: str,
    ) -> None:
        super().__init__(blocks, cues, elements, bom)
        self._subtitles = subtitles
        self._head, self._tail, self._eol = head, tail, eol

    def _write(self, texts: list[list[str] | None]) -> str:
        import srt

        subtitles = [
            srt.Subtitle(
                index=s.index,
                start=s.start,
                end=s.end,
                content=s.content if lines is None else "\n".join(lines),
                proprietary=s.proprietary,
            )
            for s, lines in zip(self._subtitles, texts, strict=True)
        ]
        composed: str = srt.compose(subtitles, reindex=False, eol=self._eol)
        return self._head + composed.rstrip("\r\n") + self._tail


class VttLayout(_SubtitleLayout):
    """Writes WebVTT as the source text with each cue's text lines replaced."""

    format = "vtt"

    def __init__(
        self,
        blocks: tuple[Block, ...],
        cues: tuple[_Cue, ...],
        elements: tuple[_Element, ...],
        bom: bool,
        lines: tuple[str, ...],
        payloads: tuple[tuple[int, int], ...],
    ) -> None:
        super().__init__(blocks, cues, elements, bom)
        self._lines = lines
        self._payloads = payloads

    def _escape(self, text: str) -> str:
        return _vtt_escape(text)

    def _write(self, texts: list[list[str] | None]) -> str:
        out: list[str] = []
        position = 0
        for (first, last), lines in zip(self._payloads, texts, strict=True):
            if lines is None:
                continue
            out.extend(self._lines[position:first])
            position = last
            if first == last:
                continue
            terminator = _LINE_END.search(self._lines[last - 1])
            end = terminator.group(0) if terminator else ""
            timing = _LINE_END.search(self._lines[first - 1])
            eol = timing.group(0) if timing else "\n"
            out.extend(line + (eol if k < len(lines) - 1 else end) for k, line in enumerate(lines))
        out.extend(self._lines[position:])
        return "".join(out)


# -- read -----------------------------------------------------------------------


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _snippet(line: str) -> str:
    line = line.strip()
    return repr(line if len(line) <= 60 else line[:57] + "...")


def _decode(data: bytes, name: str) -> tuple[str, bool, str, tuple[str, ...]]:
    decoded = decode_bytes(data, name)
    text = decoded.text
    bom = decoded.encoding == "utf-8-sig" or text.startswith("\ufeff")
    return text.removeprefix("\ufeff"), bom, decoded.encoding, decoded.warnings


def _backwards(line: int | None, start: str, end: str) -> str:
    where = f"line {line}: " if line else ""
    return f"{where}cue ends before it starts ({start} --> {end}), kept as it is"


@register
class SRTReader(Reader):
    """SubRip subtitles, parsed by the ``srt`` library."""

    name = "srt"
    extensions = (".srt",)

    def read(self, data: bytes, name: str) -> Parsed:
        """Parse an SRT file into blocks of cues (see the module docstring).

        Raises:
            InputError: Undecodable bytes, a timing line that does not
                parse (``line 12: broken subtitle timing '00:01:xx,000 -->
                ...'``), text that is not SubRip, or no cue at all.
        """
        import srt

        text, bom, encoding, warnings = _decode(data, name)
        timing_lines = []
        for number, line in enumerate(text.split("\n"), start=1):
            if "-->" not in line:
                continue
            left, right = line.split("-->", 1)
            try:
                srt.srt_timestamp_to_timedelta(left.strip())
                srt.srt_timestamp_to_timedelta((right.split() or [""])[0])
            except ValueError:
                raise InputError(
                    name, f"line {number}: broken subtitle timing {_snippet(line)}"
                ) from None
            timing_lines.append(number)
        try:
            subtitles = tuple(srt.parse(text))
        except srt.SRTParseError as exc:
            unmatched = exc.unmatched_content
            skipped = len(unmatched) - len(unmatched.lstrip())
            number = _line_of(text, exc.expected_start + skipped)
            first = unmatched.strip().split("\n")[0]
            if not any(True for _ in srt.parse(text[: exc.expected_start])):
                raise InputError(
                    name, f"not an SRT subtitle file (line {number}: {_snippet(first)})"
                ) from None
            raise InputError(name, f"line {number}: not a subtitle cue {_snippet(first)}") from None
        if not subtitles:
            raise InputError(name, "not an SRT subtitle file (no cue)")
        source_lines = text.split("\n")
        if len(timing_lines) != len(subtitles):
            # srt.parse takes a timing line with no index before it for text
            # of the previous cue: find the first such line.
            j = 0
            for subtitle in subtitles:
                j += 1
                if "-->" in subtitle.content and j < len(timing_lines):
                    bad = timing_lines[j]
                    raise InputError(
                        name,
                        f"line {bad - 1}: expected a cue index and a blank line before the"
                        f" timing of line {bad}, found {_snippet(source_lines[bad - 2])}",
                    )
                j += sum("-->" in line for line in subtitle.content.split("\n"))
        found = list(warnings)
        numbers: list[int | None] = (
            list(timing_lines) if len(timing_lines) == len(subtitles) else [None] * len(subtitles)
        )
        sources = []
        for subtitle, at in zip(subtitles, numbers, strict=True):
            start_ms = subtitle.start // _MILLISECOND
            end_ms = subtitle.end // _MILLISECOND
            if end_ms < start_ms:
                found.append(
                    _backwards(
                        at,
                        srt.timedelta_to_srt_timestamp(subtitle.start),
                        srt.timedelta_to_srt_timestamp(subtitle.end),
                    )
                )
            content = subtitle.content
            sources.append(_Source(tuple(content.split("\n")) if content else (), start_ms, end_ms))
        blocks, cues, elements = _group(sources, vtt=False)
        eol = "\r\n" if "\r\n" in text else "\n"
        head = text[: len(text) - len(text.lstrip())]
        tail = text[len(text.rstrip("\r\n")) :] or ""
        layout = SrtLayout(blocks, cues, elements, bom, subtitles, head, tail, eol)
        return Parsed(blocks, layout, encoding, tuple(found))


_MILLISECOND = datetime.timedelta(milliseconds=1)
_VTT_TIME = re.compile(r"(\d+):(\d{2}):(\d{2})\.(\d{3})")


def _vtt_ms(timestamp: str) -> int:
    """Milliseconds of a webvtt-py time stamp string (``HH:MM:SS.mmm``)."""
    match = _VTT_TIME.fullmatch(timestamp)
    if match is None:
        return 0
    hours, minutes, seconds, millis = (int(g) for g in match.groups())
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis


@register
class VTTReader(Reader):
    """WebVTT subtitles, parsed by webvtt-py; written back by replacing cue text lines only."""

    name = "vtt"
    extensions = (".vtt",)

    def read(self, data: bytes, name: str) -> Parsed:
        """Parse a WebVTT file into blocks of cues (see the module docstring).

        Raises:
            InputError: Undecodable bytes, no ``WEBVTT`` first line, a cue
                whose timing webvtt-py cannot parse (``line 12: broken
                subtitle timing ...``), or a cue with no blank line before it.
        """
        import webvtt
        from webvtt.errors import MalformedCaptionError, MalformedFileError

        text, bom, encoding, warnings = _decode(data, name)
        try:
            captions = list(webvtt.from_string(text).captions)
        except MalformedFileError:
            raise InputError(name, "not a WebVTT file (the first line is not WEBVTT)") from None
        except (MalformedCaptionError, ValueError) as exc:
            raise InputError(name, f"malformed WebVTT: {str(exc).splitlines()[0]}") from None
        lines = tuple(re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text))
        bare = [_LINE_END.sub("", line) for line in lines]
        payloads: list[tuple[int, int]] = []
        sources: list[_Source] = []
        found = list(warnings)
        k = 0
        number = 0
        header = True
        while number < len(bare):
            if not bare[number]:
                number += 1
                continue
            first = number
            while number < len(bare) and bare[number]:
                number += 1
            block = bare[first:number]
            if header:
                header = False
                continue
            arrows = [j for j, line in enumerate(block) if "-->" in line]
            if not arrows:
                continue  # NOTE, STYLE, REGION
            timing = arrows[0]
            if timing > 1 or len(arrows) > 1:
                where = first + arrows[-1 if timing <= 1 else 0] + 1
                raise InputError(
                    name,
                    f"line {where}: cue timing with no blank line before it"
                    f" {_snippet(bare[where - 1])}",
                )
            identifier = block[0] if timing == 1 else None
            payload = tuple(block[timing + 1 :])
            caption = captions[k] if k < len(captions) else None
            if (
                caption is None
                or tuple(caption.lines) != payload
                or (caption.identifier or None) != identifier
            ):
                raise InputError(
                    name,
                    f"line {first + timing + 1}: broken subtitle timing {_snippet(block[timing])}",
                )
            k += 1
            start_ms, end_ms = _vtt_ms(caption.start), _vtt_ms(caption.end)
            if end_ms < start_ms:
                found.append(_backwards(first + timing + 1, caption.start, caption.end))
            payloads.append((first + timing + 1, number))
            sources.append(_Source(payload, start_ms, end_ms))
        if k != len(captions):
            raise InputError(name, f"malformed WebVTT: {len(captions) - k} cue(s) not found")
        blocks, cues, elements = _group(sources, vtt=True)
        layout = VttLayout(blocks, cues, elements, bom, lines, tuple(payloads))
        return Parsed(blocks, layout, encoding, tuple(found))


__all__ = ["MAX_LINES", "MAX_LINE_CHARS", "SRTReader", "VTTReader", "share", "wrap_lines"]
