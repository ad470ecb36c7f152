"""Markdown documents (CommonMark with GFM tables and strikethrough, front matter, footnotes).

Parsed with markdown-it-py (``MarkdownIt("commonmark")`` with the ``table``
and ``strikethrough`` rules, and mdit-py-plugins' front matter and footnote
plugins), the parser behind MyST and Jupyter Book.

Blocks, in document order:

- the text of each heading (ATX ``#`` and setext ``===``), paragraph (also
  inside list items at any depth, block quotes at any depth and footnote
  definitions) and table cell (header and body; empty cells give none);
- after the block that holds them, the ``alt`` text of each image and the
  ``title`` of each inline link or image that has one, as blocks of their
  own (plain text, no spans).

Inline elements are spans of their block:

- emphasis, strong emphasis and strikethrough (``*`` ``_`` ``**`` ``__``
  ``~~``) and links (inline ``[text](url "title")``, full, collapsed and
  shortcut reference links): spans over their text, written back with the
  delimiters the source used and the link's destination exactly as written;
  a collapsed or shortcut reference link whose text changed becomes a full
  reference link ``[English][label]`` so that it still finds its definition;
- protected, copied byte for byte: inline code (its text is the code),
  autolinks ``<https://...>`` (their text is the address), inline HTML,
  footnote references ``[^1]`` and inline footnotes ``^[...]`` (empty spans);
- images: protected empty spans, written back as ``![English alt](url
  "English title")`` with the destination as written;
- hard breaks: protected (text a space), written back with the source's
  marker (trailing spaces or backslash) and the next line's container
  prefix (``> ``, indentation).

Kept byte for byte: everything outside those blocks (front matter, code
blocks fenced and indented, HTML blocks, thematic breaks, link reference
definitions, blank lines, newline style), the container prefix of each
block's first line (``> ``, list markers, indentation), an ATX heading's
closing ``#`` s, the underline of a setext heading, table pipes and
padding. A block whose English is what the source would give (the identity
translation) is copied as it was, so an untranslated document comes out
byte-identical (re-encoded in UTF-8; a UTF-8 BOM is kept).

English text is escaped where Markdown would read it as markup (``*``,
``_`` at a word edge, backticks, brackets, ``<``, backslashes, ``~~``,
entities, ``|`` in a table cell; ``#``, ``>``, ``-``, ``+``, ``1.`` and
similar at the start of a line; closing ``#`` s at the end of a heading).

Around an element the source had whitespace next to, a space is written
again where the block's text lost it (an image between two words); an
empty element (image, footnote) that :func:`~translate_cli.markup.nest`
puts at the edge of a link or emphasis it was not in is written beside it.

Known limits: a paragraph or setext heading wrapped over several source
lines becomes one line in English (a hard break still starts a new line);
newlines inside inline code or inline HTML become spaces then. Titles in
link reference definitions and the text of inline footnotes ``^[...]`` are
not translated. ``alt`` text loses any markup it had once translated.
Emphasis whose delimiters only parse thanks to the French text around them
(``**_*x*``-like runs, a closing ``*`` glued to a letter) may read
differently around other words. Markdown has no malformed documents (any
text is valid Markdown); only undecodable or binary bytes are refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from ..markup import PLAIN_TAG, Block, Element, Placed, Span, nest
from .base import BlockBuilder, Parsed, Reader, register

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

# Token.meta keys set by the position-tracking rule wrappers.
# An inline HTML line break (<br>, <br/>, <BR />): a word break in the text.
_LINE_BREAK_TAG = re.compile(r"<br\b[^>]*>$", re.IGNORECASE)
_SRC = "translate_cli_src"  # (start, end) of an inline token's source in its inline content
_LABEL_END = "translate_cli_label_end"  # a link's or image's closing "]" in the same
_ROWS = "translate_cli_rows"  # table_open: {line: offset of the row's text in the source}

_WRAPS = {
    "em_open": "em_close",
    "strong_open": "strong_close",
    "s_open": "s_close",
}
_CLOSES = {"em_close", "strong_close", "s_close", "link_close"}
_LINE_SPLIT = re.compile(r"(\r\n|\r|\n)")  # markdown-it's own line breaks (its normalize rule)
_NEWLINES = re.compile(r"\r\n|\r|\n")
_BlockRule = Callable[[Any, int, int, bool], bool]


@dataclass(frozen=True)
class _Element:
    """One inline element of the source, looked up by its span's tag.

    Attributes:
        kind: ``wrap`` (emphasis, strong, strikethrough), ``link``, ``image``,
            ``raw`` (copied as it was) or ``break`` (hard break).
        open: ``wrap``: the opening delimiter; ``raw``: the source markup;
            ``break``: the marker before the newline (spaces or a backslash).
        close: ``wrap``: the closing delimiter; ``break``: the newline and
            the next line's container prefix.
        label: ``link`` / ``image``: the source between the brackets.
        suffix: ``link`` / ``image``: the source after ``]`` up to the title.
        title: The title with its delimiters as in the source, or ``""``.
        tail: The source after the title (``)``).
        short_ref: A collapsed or shortcut reference: the label is the reference.
        alt_block: The block holding an image's alt text, or -1.
        title_block: The block holding the title, or -1.
        space_before: The element had whitespace before it in the source (the
            block's text loses one of two spaces around an element with no
            text, and the space before an element that ends the text).
        space_after: The same, after it.
    """

    kind: str
    open: str = ""
    close: str = ""
    label: str = ""
    suffix: str = ""
    title: str = ""
    tail: str = ""
    short_ref: bool = False
    alt_block: int = -1
    title_block: int = -1
    space_before: bool = False
    space_after: bool = False


@dataclass(frozen=True)
class _Region:
    """Where a block's text lies in the source lines.

    Attributes:
        kind: ``paragraph``, ``atx``, ``setext`` or ``cell``.
        first: Its first line (0-based).
        last: One past its last line.
        start: Where the text starts in line ``first`` (characters).
        end: Where it ends in line ``last - 1``.
        block: Its block's index, or -1 for a text holding only images.
        source: Its text and spans as read.
    """

    kind: str
    first: int
    last: int
    start: int
    end: int
    block: int
    source: Block


def _split_lines(text: str) -> list[tuple[str, str]]:
    """Lines as (text, newline) pairs, broken where markdown-it breaks them."""
    parts = _LINE_SPLIT.split(text)
    lines = [(parts[i], parts[i + 1]) for i in range(0, len(parts) - 1, 2)]
    lines.append((parts[-1], ""))
    return lines


def _parser() -> MarkdownIt:
    """The markdown-it parser, its inline rules and table rule noting source positions."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin
    from mdit_py_plugins.front_matter import front_matter_plugin

    md = (
        MarkdownIt("commonmark")
        .enable(["table", "strikethrough"])
        .use(front_matter_plugin)
        .use(footnote_plugin, move_to_end=False)
    )
    for rule in list(md.inline.ruler.__rules__):
        md.inline.ruler.at(rule.name, _track_inline(rule.name, rule.fn), {"alt": rule.alt})
    index = md.block.ruler.__find__("table")
    table = md.block.ruler.__rules__[index]
    md.block.ruler.at("table", _track_table(table.fn), {"alt": table.alt})
    return md


def _track_inline(name: str, fn: Callable[[Any, bool], bool]) -> Callable[[Any, bool], bool]:
    """An inline rule that also notes, on the first token it pushes, the source it consumed."""

    def rule(state: Any, silent: bool) -> bool:
        start, count = state.pos, len(state.tokens)
        if not fn(state, silent):
            return False
        if not silent:
            token = next((t for t in state.tokens[count:] if t.type != "text"), None)
            if token is not None:
                token.meta[_SRC] = (start, state.pos)
                if name == "link" and token.type == "link_open" and token.markup != "autolink":
                    token.meta[_LABEL_END] = state.md.helpers.parseLinkLabel(state, start, True)
                elif name == "image" and token.type == "image":
                    token.meta[_LABEL_END] = state.md.helpers.parseLinkLabel(state, start + 1)
        return True

    return rule


def _track_table(
    fn: Callable[[Any, int, int, bool], bool],
) -> Callable[[Any, int, int, bool], bool]:
    """The table rule, also noting where each row's text starts (after ``>`` and indentation)."""

    def rule(state: Any, start_line: int, end_line: int, silent: bool) -> bool:
        count = len(state.tokens)
        if not fn(state, start_line, end_line, silent):
            return False
        if not silent and count < len(state.tokens):
            state.tokens[count].meta[_ROWS] = {
                line: state.bMarks[line] + state.tShift[line]
                for line in range(start_line, state.line)
            }
        return True

    return rule


@register
class MarkdownReader(Reader):
    """Markdown: headings, paragraphs, list items, quotes, table cells, alt texts and titles."""

    name = "markdown"
    extensions = (".md", ".markdown")

    def read(self, data: bytes, name: str) -> Parsed:
        """Parse a Markdown file.

        Args:
            data: The whole file.
            name: Its display name, for messages.

        Returns:
            Its blocks (see the module docstring) and a layout writing the
            English file back around them.

        Raises:
            InputError: The bytes are binary or in no encoding that can be
                detected (any text is valid Markdown).
        """
        from ..document import decode_bytes

        decoded = decode_bytes(data, name)
        try:
            built = _Builder(decoded.text, _parser().parse(decoded.text))
            layout = MarkdownLayout(
                built.lines,
                tuple(built.regions),
                tuple(built.elements),
                tuple(built.blocks),
                {tag: frozenset(tags) for tag, tags in built.inside.items()},
                decoded.encoding == "utf-8-sig",
            )
        except (RecursionError, ValueError, IndexError, KeyError) as exc:  # pragma: no cover
            # Any text is Markdown: this would be a parser limit (nesting depth).
            raise InputError(name, f"Markdown too deeply nested or not parsable: {exc}") from None
        return Parsed(
            tuple(built.blocks),
            layout,
            decoded.encoding,
            (*decoded.warnings, *built.warnings),
        )


class _Builder:
    """Walks markdown-it's tokens into blocks, regions and inline elements."""

    def __init__(self, text: str, tokens: Sequence[Token]) -> None:
        self.lines = _split_lines(text)
        self.line_starts: list[int] = []
        position = 0
        for body, _ in self.lines:
            self.line_starts.append(position)
            position += len(body) + 1  # markdown-it's normalized newline
        self.blocks: list[Block] = []
        self.regions: list[_Region] = []
        self.elements: list[_Element] = []
        self.warnings: list[str] = []
        self.inside: dict[int, set[int]] = {}  # tag: its own and the tags of what it holds
        self.open_tags: list[int] = []
        rows: dict[int, int] = {}
        cells: list[Token] = []
        for i, token in enumerate(tokens):
            if token.type == "table_open":
                rows = token.meta.get(_ROWS, {})
            elif token.type == "tr_open":
                cells = []
            elif token.type == "tr_close":
                self._row(cells, rows)
            elif token.type == "inline" and token.map is not None:
                parent = tokens[i - 1].type if i else ""
                if parent in ("th_open", "td_open"):
                    cells.append(token)
                elif parent == "heading_open":
                    kind = "atx" if tokens[i - 1].markup.startswith("#") else "setext"
                    self._lines_block(token, kind)
                else:
                    self._lines_block(token, "paragraph")

    def _lines_block(self, token: Token, kind: str) -> None:
        """A heading's or paragraph's text, located on its source lines."""
        assert token.map is not None
        first = token.map[0]
        content_lines = token.content.split("\n")
        if not token.content.strip() or first + len(content_lines) > len(self.lines):
            return
        prefixes: list[int] = []
        end = 0
        for k, content in enumerate(content_lines):
            found = self._locate_line(self.lines[first + k][0], content.strip(), kind)
            if found is None:
                self.warnings.append(
                    f"line {first + k + 1}: text not found in its line; left untranslated"
                )
                return
            prefixes.append(found[0])
            end = found[1]
        self._block(token, kind, first, first + len(content_lines), prefixes, end)

    @staticmethod
    def _locate_line(body: str, core: str, kind: str) -> tuple[int, int] | None:
        """(start, end) of a content line's text ``core`` in its source line ``body``."""
        candidates = [body.rstrip()]
        if kind == "atx":
            bare = candidates[0].rstrip("#")
            if bare != candidates[0] and (bare == "" or bare[-1] in " \t"):
                candidates.insert(0, bare.rstrip())
        for candidate in candidates:
            start = len(candidate) - len(core)
            if start < 0 or not candidate.endswith(core):
                continue
            if kind == "atx" and not re.search(r"#[ \t]+$", candidate[:start]):
                continue
            return start, len(candidate)
        return None

    def _row(self, cells: Sequence[Token], rows: dict[int, int]) -> None:
        """A table row's cells, located left to right after the row's container prefix."""
        if not cells or cells[0].map is None:
            return
        line = cells[0].map[0]
        body = self.lines[line][0]
        position = rows.get(line, self.line_starts[line]) - self.line_starts[line]
        for cell in cells:
            if not cell.content.strip():
                continue
            # markdown-it takes the backslash off an escaped pipe in a cell.
            pattern = re.compile(r"\\\|".join(re.escape(p) for p in cell.content.split("|")))
            match = pattern.search(body, position)
            if match is None:
                self.warnings.append(f"line {line + 1}: table cell not found; left untranslated")
                return
            position = match.end()
            self._block(cell, "cell", line, line + 1, [match.start()], match.end())

    def _block(
        self, token: Token, kind: str, first: int, last: int, prefixes: Sequence[int], end: int
    ) -> None:
        """Read an inline token's children into a block, its attribute blocks and a region."""
        src = token.content
        builder = BlockBuilder()
        attributes: list[str] = []  # alt texts and titles, in order
        patches: list[tuple[int, str, int]] = []  # (tag, field, index in attributes)
        children = list(token.children or ())
        spaced: dict[int, tuple[bool, bool]] = {}  # tag: whitespace before, after it
        for i, child in enumerate(children):
            kind_ = child.type
            if kind_ in _CLOSES and self.open_tags:
                tag = self.open_tags[-1]
                spaced[tag] = (spaced.get(tag, (False, False))[0], _white(children, i + 1, 0))
            count = len(self.elements)
            if kind_ in ("text", "text_special"):
                builder.add_text(child.content)
            elif kind_ == "softbreak":
                builder.add_text(" ")
            elif kind_ in _WRAPS:
                builder.open(self._add(_Element("wrap", child.markup, child.markup), True))
            elif kind_ in _CLOSES:
                builder.close()
                self.open_tags.pop()
            elif kind_ == "link_open" and child.markup == "autolink":
                builder.open(self._add(_Element("raw", _raw(child, src)), True), protected=True)
            elif kind_ in ("link_open", "image"):
                element = _link(child, src)
                tag = self._add(element, kind_ == "link_open")
                if kind_ == "image":
                    alt = _alt_text(child)
                    if alt:
                        patches.append((tag, "alt_block", len(attributes)))
                        attributes.append(alt)
                title = _one_line(child.attrs.get("title"))
                if title and element.title:
                    patches.append((tag, "title_block", len(attributes)))
                    attributes.append(title)
                builder.open(tag, protected=kind_ == "image")
                if kind_ == "image":
                    builder.close()
            elif kind_ == "hardbreak":
                line = src.count("\n", 0, child.meta.get(_SRC, (0, 0))[0])
                marker = "\\" if _raw(child, src).startswith("\\") else "  "
                if marker == "  ":
                    before = src[: child.meta.get(_SRC, (0, 0))[0]]
                    marker = before[len(before.rstrip(" ")) :] or "  "
                following = first + line + 1
                prefix = ""
                if following < last and line + 1 < len(prefixes):
                    prefix = self.lines[following][0][: prefixes[line + 1]]
                eol = self.lines[first + line][1] or "\n"
                builder.add_protected(" ", self._add(_Element("break", marker, eol + prefix)))
            elif kind_ == "code_inline":
                raw = _raw(child, src) or child.markup + child.content + child.markup
                builder.add_protected(child.content, self._add(_Element("raw", raw)))
            else:  # html_inline, footnote_ref, and any other token with source
                raw = _raw(child, src)
                if raw and _LINE_BREAK_TAG.match(raw):
                    # <br> separates words as a hard break does: the model
                    # must not read "mot<br>suivant" as one word.
                    builder.add_protected(" ", self._add(_Element("raw", raw)))
                elif raw:
                    builder.open(self._add(_Element("raw", raw)), protected=True)
                    builder.close()
                else:
                    builder.add_text(child.content)
            if len(self.elements) > count:
                after = _white(children, i + 1, 0) and child.nesting == 0
                spaced[count] = (_white(children, i - 1, -1), after)
        block = _widened(builder.build(), self.inside)
        for span in block.spans:
            if span.tag in spaced:
                white_before, white_after = spaced[span.tag]
                self.elements[span.tag] = replace(
                    self.elements[span.tag], space_before=white_before, space_after=white_after
                )
        index = -1
        if block.text:
            index = len(self.blocks)
            self.blocks.append(block)
        base = len(self.blocks)
        for tag, field, position in patches:
            if field == "alt_block":
                self.elements[tag] = replace(self.elements[tag], alt_block=base + position)
            else:
                self.elements[tag] = replace(self.elements[tag], title_block=base + position)
        self.blocks.extend(Block(text) for text in attributes)
        if block.text or block.spans:
            self.regions.append(_Region(kind, first, last, prefixes[0], end, index, block))

    def _add(self, element: _Element, opens: bool = False) -> int:
        """Note an inline element (``opens``: one that holds others until its close); its tag."""
        tag = len(self.elements)
        self.elements.append(element)
        for outer in self.open_tags:
            self.inside[outer].add(tag)
        self.inside[tag] = {tag}
        if opens:
            self.open_tags.append(tag)
        return tag


def _widened(block: Block, inside: dict[int, set[int]]) -> Block:
    """A block whose links and emphases cover again the empty elements they hold.

    :class:`BlockBuilder` trims the spaces at a span's ends, which leaves out an
    image or a footnote just past them (``[Texte ![icône](i.png)](url)``).
    Elements over the same text are sorted outer first (the one opened first,
    with the smaller tag), which is how :func:`nest` reads them.
    """
    extent = {span.tag: (span.start, span.end) for span in block.spans}
    for tag in sorted(extent, reverse=True):  # inner elements first
        held = [extent[t] for t in inside.get(tag, ()) if t in extent]
        if held:
            extent[tag] = (min(s for s, _ in held), max(e for _, e in held))
    spans = (Span(*extent[s.tag], s.tag, s.protected) for s in block.spans)
    return Block(block.text, tuple(sorted(spans, key=lambda s: (s.start, -s.end, s.tag))))


def _white(children: Sequence[Token], index: int, side: int) -> bool:
    """Whether ``children[index]`` is a line break or text whose first (0) or last (-1)
    character is whitespace."""
    if not 0 <= index < len(children):
        return False
    child = children[index]
    if child.type in ("softbreak", "hardbreak"):
        return True
    return child.type in ("text", "text_special") and child.content[side:][:1].isspace()


def _raw(token: Token, src: str) -> str:
    """The source markup of an inline token, or ``""`` if its position is unknown."""
    position = token.meta.get(_SRC)
    return src[position[0] : position[1]] if position else ""


def _one_line(text: Any) -> str:
    """An attribute's text as a block's text: whitespace runs as one space, NFC."""
    if not isinstance(text, str):
        return ""
    builder = BlockBuilder()
    builder.add_text(text)
    return builder.build().text


def _alt_text(image: Token) -> str:
    """An image's alt text as markdown-it renders it: its text, markup removed."""

    def texts(tokens: Sequence[Token]) -> list[str]:
        out: list[str] = []
        for token in tokens:
            if token.type in ("text", "text_special", "code_inline"):
                out.append(token.content)
            elif token.type in ("softbreak", "hardbreak"):
                out.append(" ")
            elif token.type == "image":
                out.extend(texts(token.children or ()))
        return out

    return _one_line("".join(texts(image.children or ())))


def _link(token: Token, src: str) -> _Element:
    """A link's or an image's element: label, destination and title as in the source."""
    from markdown_it.helpers import parseLinkDestination, parseLinkTitle

    start, end = token.meta.get(_SRC, (0, 0))
    label_end = token.meta.get(_LABEL_END, -1)
    label_start = start + (2 if token.type == "image" else 1)
    kind = "image" if token.type == "image" else "link"
    if label_end < label_start or label_end >= end:
        return _Element(kind, label=token.content, suffix="()")  # not expected
    label = src[label_start:label_end]
    suffix = src[label_end + 1 : end]
    if not suffix.startswith("("):
        return _Element(kind, label=label, suffix=suffix, short_ref=suffix in ("", "[]"))
    position = _skip_space(src, label_end + 2, end)
    destination = parseLinkDestination(src, position, end)
    if destination.ok:
        position = destination.pos
    after_destination = position
    position = _skip_space(src, position, end)
    title = parseLinkTitle(src, position, end)
    if position == after_destination or not title.ok or not token.attrs.get("title"):
        return _Element(kind, label=label, suffix=suffix)
    return _Element(
        kind,
        label=label,
        suffix=src[label_end + 1 : position],
        title=src[position : title.pos],
        tail=src[title.pos : end],
    )


def _skip_space(src: str, position: int, end: int) -> int:
    """The first position at or after ``position`` that is not a space, tab or newline."""
    while position < end and src[position] in " \t\n":
        position += 1
    return position


class MarkdownLayout:
    """The source lines and where each block's text lies in them.

    Attributes:
        format: ``markdown``.
    """

    format = "markdown"

    def __init__(
        self,
        lines: Sequence[tuple[str, str]],
        regions: Sequence[_Region],
        elements: Sequence[_Element],
        blocks: Sequence[Block],
        inside: dict[int, frozenset[int]],
        bom: bool,
    ) -> None:
        self._lines = tuple(lines)
        self._regions = tuple(regions)
        self._elements = tuple(elements)
        self._blocks = tuple(blocks)
        self._inside = inside
        self._bom = bom
        self._source_elements: dict[int, Element] = {}
        for region in self._regions:
            tree = self.tree(region.source.text, region.source.spans)
            _index_elements(tree, self._source_elements)
        source_attributes = {i: b.text for i, b in enumerate(self._blocks)}
        self._source_text = tuple(
            self._write(region, _whole(region.source), source_attributes)
            for region in self._regions
        )

    def render(self, blocks: Sequence[Sequence[Placed]]) -> bytes:
        """The English Markdown file.

        Args:
            blocks: For each block, its translated sentences (empty: keep the source).

        Returns:
            The file in UTF-8 (with a BOM if the input had one); every line
            outside the blocks' text as it was.

        Raises:
            ValueError: Not one entry per block, or a span with an unknown tag.
        """
        if len(blocks) != len(self._blocks):
            raise ValueError(f"expected {len(self._blocks)} blocks, got {len(blocks)}")
        attributes = {
            i: " ".join(p.target for p in placed) if placed else self._blocks[i].text
            for i, placed in enumerate(blocks)
        }
        lines = [body for body, _ in self._lines]
        edits: list[tuple[_Region, str]] = []
        for region, source in zip(self._regions, self._source_text, strict=True):
            placed = blocks[region.block] if region.block >= 0 else ()
            text = self._write(region, placed or _whole(region.source), attributes)
            if text != source:
                edits.append((region, text))
        # Right to left, so that cells of one row keep their offsets.
        for region, text in sorted(edits, key=lambda e: (-e[0].first, -e[0].start)):
            tail = lines[region.last - 1][region.end :]
            lines[region.first] = lines[region.first][: region.start] + text + tail
        dropped = {line for region, _ in edits for line in range(region.first + 1, region.last)}
        out = "".join(
            body + eol
            for i, (body, (_, eol)) in enumerate(zip(lines, self._lines, strict=True))
            if i not in dropped
        )
        return (("\ufeff" if self._bom else "") + out).encode("utf-8")

    def tree(self, text: str, spans: Sequence[Span]) -> list[str | Element]:
        """:func:`nest`, with empty elements put back beside the elements they were not in.

        ``nest`` puts an empty span at the start or end of another span inside it (an
        image just before a link, a footnote just after emphasis); the source says
        which elements each link or emphasis really held.
        """
        return self._lift(nest(text, spans))

    def _lift(self, nodes: Sequence[str | Element]) -> list[str | Element]:
        out: list[str | Element] = []
        for node in nodes:
            if isinstance(node, str) or node.tag == PLAIN_TAG:
                out.append(node)
                continue
            children = self._lift(node.children)
            kind = self._elements[node.tag].kind if 0 <= node.tag < len(self._elements) else ""
            before: list[str | Element] = []
            after: list[str | Element] = []
            if kind in ("wrap", "link"):
                inside = self._inside.get(node.tag, frozenset())
                while children and _stray(children[0], inside):
                    before.append(children.pop(0))
                while children and _stray(children[-1], inside):
                    after.insert(0, children.pop())
            else:  # raw, image, break: nothing is inside them
                text = next((i for i, c in enumerate(children) if isinstance(c, str)), None)
                for i, child in enumerate(children):
                    if isinstance(child, Element):
                        early = child.tag < node.tag if text is None else i < text
                        (before if early else after).append(child)
                children = [c for c in children if isinstance(c, str)]
            out.extend((*before, Element(node.tag, node.protected, tuple(children)), *after))
        return out

    def _write(self, region: _Region, placed: Sequence[Placed], attributes: dict[int, str]) -> str:
        """A block's text in Markdown, on one line except at hard breaks."""
        writer = _Writer(self, region, attributes)
        for i, sentence in enumerate(placed):
            if i:
                writer.text(" ", escape=False)
            writer.walk(self.tree(sentence.target, sentence.spans))
        text = "".join(writer.parts).rstrip(" \t")
        if region.kind == "cell":
            text = text.replace("|", "\\|")
        elif region.kind == "atx":
            # A run of "#" ending a heading would be read as its closing sequence.
            text = re.sub(r"(^|[ \t])(#+[ \t]*)$", r"\1\\\2", text)
        return text


def _whole(block: Block) -> tuple[Placed, ...]:
    """A block as one sentence, untranslated."""
    return (Placed(0, len(block.text), block.text, block.spans),)


def _index_elements(nodes: Sequence[str | Element], into: dict[int, Element]) -> None:
    """Note each element of a source tree by its tag."""
    for node in nodes:
        if isinstance(node, Element):
            into.setdefault(node.tag, node)
            _index_elements(node.children, into)


def _tags(node: Element) -> set[int]:
    """The tags of an element and of everything inside it."""
    tags = {node.tag}
    for child in node.children:
        if isinstance(child, Element):
            tags |= _tags(child)
    return tags


def _has_content(nodes: Sequence[str | Element]) -> bool:
    """Whether a tree holds visible text or any element."""
    return any(isinstance(n, Element) or n.strip() for n in nodes)


def _stray(node: str | Element, inside: frozenset[int]) -> bool:
    """Whether a child is an empty element that the source did not have inside its parent."""
    return (
        isinstance(node, Element)
        and node.tag != PLAIN_TAG
        and node.tag not in inside
        and not _plain(node.children)
    )


def _plain(nodes: Sequence[str | Element]) -> str:
    """The text of a tree."""
    return "".join(n if isinstance(n, str) else _plain(n.children) for n in nodes)


class _Writer:
    """Writes one block's sentences as Markdown."""

    def __init__(self, layout: MarkdownLayout, region: _Region, attributes: dict[int, str]) -> None:
        self.layout = layout
        self.attributes = attributes
        self.parts: list[str] = []
        self.line_start = region.kind in ("paragraph", "setext")
        self.follows = ""  # "space" or "shortcut": what the next text must mind
        self.consumed: set[int] = set()

    def text(self, text: str, escape: bool = True) -> None:
        """Append text, escaped unless ``escape`` is false (protected text the pipeline found)."""
        text = _NEWLINES.sub(" ", text)
        if self.line_start:
            text = text.lstrip(" \t")
        if not text:
            return
        escaped = _escape(text, self.line_start) if escape else text
        if self.follows == "space" and text[0].isalnum():
            escaped = " " + escaped
        elif text[0] == "(" and "".join(self.parts[-2:]).endswith("]"):
            escaped = "\\" + escaped  # "[label](" or "[^1](" would make an inline link
        self.parts.append(escaped)
        self.line_start = False
        self.follows = ""

    def markup(self, text: str, follows: str = "") -> None:
        """Append markup, on the current line; ``follows`` says what the next text must mind."""
        self.before_markup(text)
        self.parts.append(_NEWLINES.sub(" ", text))
        self.line_start = False
        self.follows = follows

    def before_markup(self, markup: str) -> None:
        """Write what the last element owes before more markup."""
        if self.follows == "shortcut" and markup.startswith("["):
            self.parts.append("[]")  # "[label][^1]" would read as a full reference link
        elif self.follows == "space":
            self.parts.append(" ")  # the space after an image, as in the source
        self.follows = ""

    def space_before(self, element: _Element) -> None:
        """Write the space the source had before an element with no text, if missing."""
        written = "".join(self.parts[-2:])
        if element.space_before and written and not written[-1].isspace():
            self.before_markup("")
            self.parts.append(" ")

    def space_after(self, element: _Element, follows: str = "") -> str:
        """What the text after an element must mind (see :meth:`text`)."""
        return "space" if element.space_after and not follows else follows

    def walk(self, nodes: Sequence[str | Element]) -> None:
        """Append a tree of text and elements."""
        for node in nodes:
            if isinstance(node, str):
                self.text(node)
            else:
                self.element(node)

    def element(self, node: Element) -> None:
        """Append one element with what it holds."""
        if node.tag == PLAIN_TAG:
            self.text(_plain(node.children), escape=False)
            return
        if node.tag in self.consumed:
            return
        if not 0 <= node.tag < len(self.layout._elements):
            raise ValueError(f"span with unknown tag {node.tag}")
        element = self.layout._elements[node.tag]
        if element.kind == "raw":
            self.space_before(element)
            self.markup(element.open, self.space_after(element))
        elif element.kind == "break":
            while self.parts and self.parts[-1].endswith((" ", "\t")):
                self.parts[-1] = self.parts[-1].rstrip(" \t")
            self.parts.append(element.open + element.close)
            self.line_start = True
        elif element.kind == "image":
            self.space_before(element)
            self.markup(self.image(element), self.space_after(element))
        else:
            restored = self.restore(node)
            self.wrap(element, restored.children)
            if restored is not node:
                self.consumed |= _tags(restored)  # the pipeline may place them beside it too
            return

    def restore(self, node: Element) -> Element:
        """A link or emphasis, or its source form if its text was lost (or was only an image)."""
        if not _has_content(node.children):
            source = self.layout._source_elements.get(node.tag)
            if source is not None and _has_content(source.children):
                return source
        return node

    def wrap(self, element: _Element, children: Sequence[str | Element]) -> None:
        """Append a link or an emphasis around ``children``."""
        self.space_before(element)
        self.before_markup("[" if element.kind == "link" else element.open)
        mark, was_start = len(self.parts), self.line_start
        self.parts.append("")
        self.line_start = False
        self.walk(children)
        inner = "".join(self.parts[mark + 1 :])
        del self.parts[mark:]
        if element.kind == "link":
            suffix = element.suffix + self.title(element) + element.tail
            if element.short_ref and inner != element.label:
                suffix = f"[{element.label}]"
            self.markup(f"[{inner}]{suffix}", "shortcut" if not suffix else "")
            self.follows = self.space_after(element, self.follows)
            return
        core = inner.strip(" \t")
        if not core:
            self.parts.append(inner)
            self.line_start = was_start and not inner
            return
        lead = "" if was_start else inner[: len(inner) - len(inner.lstrip(" \t"))]
        trail = inner[len(inner.rstrip(" \t")) :]
        self.parts.extend((lead, element.open, core, element.close, trail))
        self.line_start = False
        self.follows = self.space_after(element)

    def image(self, element: _Element) -> str:
        """An image's markup, with its alt text and title translated."""
        alt = element.label
        if element.alt_block >= 0:
            english = self.attributes[element.alt_block]
            if english != self.layout._blocks[element.alt_block].text:
                alt = _escape(_NEWLINES.sub(" ", english), False)
        suffix = element.suffix + self.title(element) + element.tail
        if element.short_ref and alt != element.label:
            suffix = f"[{element.label}]"
        return f"![{alt}]{suffix}"

    def title(self, element: _Element) -> str:
        """A link's or image's title, translated, with its source delimiters."""
        if element.title_block < 0 or not element.title:
            return element.title
        english = self.attributes[element.title_block]
        if english == self.layout._blocks[element.title_block].text:
            return element.title
        opening = element.title[0]
        closing = {"(": ")"}.get(opening, opening)
        escaped = re.sub(r"([\\" + re.escape(opening + closing) + "])", r"\\\1", english)
        return opening + _NEWLINES.sub(" ", escaped) + closing


_INLINE_SPECIAL = re.compile(r"[\\`*\[\]<]|~(?=~|$)|(?<=~)~|^~|\^(?=\[|$)|&(?=#?[0-9A-Za-z]+;)")
_ORDERED = re.compile(r"(\d{1,9})([.)])(?=[ \t]|$)")


def _escape(text: str, line_start: bool) -> str:
    """English text escaped so that Markdown reads it as text, not markup.

    Args:
        text: One line of plain text.
        line_start: The text starts a line (a paragraph's, or after a hard break).

    Returns:
        ``text`` with backslashes before the characters that would start
        markup: always ``\\ ` * [ ] <``, ``~`` next to another or at an end,
        ``^`` before ``[`` or at the end, ``&`` of an entity, ``_`` unless
        inside a word; at the start of a line ``#`` (heading), ``>`` (quote),
        ``-``/``+``/``=`` (list item, thematic break, setext underline) and
        ``1.``/``1)`` (ordered list). Source: CommonMark 0.31, sections 2.4
        (backslash escapes), 4 and 5 (block starts) and 6.2 (emphasis).
    """
    out = _INLINE_SPECIAL.sub(lambda m: "\\" + m.group(0), text)
    out = re.sub(r"_", lambda m: "_" if _inside_word(out, m.start()) else "\\_", out)
    if line_start:
        if re.match(r"#|>|[-+][ \t]|[-+]$|--|==*[ \t]*$", out):
            out = "\\" + out
        else:
            out = _ORDERED.sub(r"\1\\\2", out, count=1) if _ORDERED.match(out) else out
    return out


def _inside_word(text: str, index: int) -> bool:
    """Whether ``text[index]`` has a letter or digit on both sides (so cannot be emphasis)."""
    return 0 < index < len(text) - 1 and text[index - 1].isalnum() and text[index + 1].isalnum()
