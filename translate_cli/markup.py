"""Structured documents: blocks of text a reader sees, with their inline markup as spans.

A document reader (:mod:`translate_cli.readers`) turns a Markdown, HTML, Word
or subtitle file into :class:`Block` s, the units a reader sees as one run of
text (a heading, a paragraph, a table cell, a list item, an ``alt``
attribute, a run of subtitle cues), and a :class:`Layout`, which knows
everything else in the file and writes it back around the English.

Inline markup is never sent to the model. A block's :attr:`Block.text` is
the plain text (what a reader sees), and each inline element (bold, italic,
a link, a span, a Word run with its own formatting) is a :class:`Span` over a
character range of it. After translation each span is projected onto the
English words aligned with its French words (:mod:`translate_cli.project`),
and the layout writes the element around them: the approach of bergamot's
HTML handling, where Argos Translate's file add-on translates tag by tag and
so cuts a sentence at every bold word.

Protected spans (:attr:`Span.protected`: inline code, Word fields, images,
and the URLs, e-mail addresses, handles, hashtags and file paths the
translation layer finds in any text, plain text included) are copied byte
for byte and never reach the model either: the sentence is translated
without them, and they are put back next to the English words aligned with
the French words beside them.

Pure data, no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

# The tag of a protected span the translation layer found by itself (a URL, an
# e-mail address, a handle, a hashtag or a file path in the text): layouts
# write its text as it is, with no markup around it.
PLAIN_TAG = -1


@dataclass(frozen=True)
class Span:
    """An inline element over ``block.text[start:end]``.

    Attributes:
        start: First character (0-based, in the block's text).
        end: One past the last character; ``start == end`` for an element
            with no text (an image inside a paragraph, a line break).
        tag: The layout's own number for the element (an index into its
            list of inline elements), handed back unchanged with the span's
            place in the English; :data:`PLAIN_TAG` for protected text the
            translation layer found itself.
        protected: The span's text is copied byte for byte and never sent to
            the model (inline code, a URL, a Word field, an image).
    """

    start: int
    end: int
    tag: int
    protected: bool = False


@dataclass(frozen=True)
class Block:
    """One unit of text a reader sees, with its inline elements.

    Attributes:
        text: The plain text, on one line: markup removed, soft line breaks
            and runs of spaces as single spaces, no leading or trailing space.
        spans: Inline elements, well nested (two spans either nest or do not
            overlap), sorted by start and then by decreasing end.
    """

    text: str
    spans: tuple[Span, ...] = ()


@dataclass(frozen=True)
class Placed:
    """One sentence of a block, translated, as a layout writes it.

    Attributes:
        start: Where the French sentence starts in its block's text.
        end: Where it ends (exclusive).
        target: The English sentence, protected spans' text included.
        spans: The block's spans that overlap the sentence, in the English's
            character offsets, with their tags; well nested and sorted as in
            :class:`Block`. A span that runs over several sentences appears
            in each, clipped to it.
    """

    start: int
    end: int
    target: str
    spans: tuple[Span, ...] = ()


class Layout(Protocol):
    """Everything of a structured file that is not translated, and how to write it back.

    Attributes:
        format: The reader's name (``markdown``, ``html``, ``docx``, ``srt``, ``vtt``).
    """

    format: str

    def render(self, blocks: Sequence[Sequence[Placed]]) -> bytes:
        """The English file, as bytes.

        Args:
            blocks: For each block of the document, in order, its sentences
                translated (an empty sequence for a block with no text).

        Returns:
            The whole file in the input's format; text formats in UTF-8.
            Calling it again gives the same bytes.
        """
        ...


@dataclass(frozen=True)
class Element:
    """A span with what it holds, for writing out: see :func:`nest`.

    Attributes:
        tag: The span's tag.
        protected: Whether it is a protected span.
        children: Text and nested elements, in order.
    """

    tag: int
    protected: bool
    children: tuple[str | Element, ...]


def nest(text: str, spans: Sequence[Span]) -> tuple[str | Element, ...]:
    """``text`` with its well-nested ``spans`` as a tree, for a layout to write out.

    Args:
        text: A sentence or a block's text.
        spans: Well nested, sorted by start then by decreasing end (as in
            :class:`Block` and :class:`Placed`).

    Returns:
        Text pieces and :class:`Element` s in order; joining the text of the
        tree gives ``text`` back.

    Raises:
        ValueError: Two spans overlap without nesting, or one leaves the text.
    """
    ordered = sorted(enumerate(spans), key=lambda p: (p[1].start, -p[1].end, p[0]))
    position = 0

    def build(end: int, inner: list[tuple[int, Span]]) -> tuple[str | Element, ...]:
        nonlocal position
        out: list[str | Element] = []
        while inner and (inner[0][1].start < end or inner[0][1].start == inner[0][1].end == end):
            span = inner.pop(0)[1]
            if span.start < position or span.end > end:
                raise ValueError(f"span {span} overlaps another without nesting")
            if span.start > position:
                out.append(text[position : span.start])
            position = span.start
            children = build(span.end, inner)
            out.append(Element(span.tag, span.protected, children))
            position = span.end
        if end > position:
            out.append(text[position:end])
            position = end
        return tuple(out)

    for _, span in ordered:
        if not 0 <= span.start <= span.end <= len(text):
            raise ValueError(f"span {span} lies outside a text of {len(text)} characters")
    return build(len(text), list(ordered))
