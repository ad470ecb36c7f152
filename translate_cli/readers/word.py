"""Word documents (``.docx``): each paragraph is a block, its runs' formatting is spans.

Read with python-docx (the package: parts, relationships, saving) and its lxml
element tree for what python-docx does not expose (hyperlinks, fields, notes).

**Blocks.** Every paragraph (``w:p``) with text to translate, in this order:
the body (table cells and nested tables included, where they stand), the
headers and footers of every section (each header or footer part once, in
section order), then the footnotes and the endnotes. Paragraphs of text boxes
(``w:txbxContent``) come after the paragraph that holds the box; the copy
inside ``mc:Fallback`` (the VML twin of a DrawingML text box, for Word 2007)
is not read and stays French. A paragraph whose text is all protected (an
image alone, a page number) is no block and is kept as it is. The alternative
text of each drawing (``wp:docPr``: ``descr``, the "alt text" typed in Word,
then ``title``) is a block of plain text of its own, right after the block of
the paragraph holding the drawing (at the paragraph's place when it is no
block); an empty or blank attribute is none.

**Spans.** The paragraph's most common run formatting (``w:rPr``, counted in
characters) is its base; each stretch of runs with another ``w:rPr`` is a
span whose tag stands for that ``w:rPr`` (one tag per distinct formatting);
each ``w:hyperlink`` is a span (one tag per link) holding its runs' spans.
Protected spans, written back as the original XML elements, in place, are:
fields (``w:fldSimple``; complex fields from ``w:fldChar`` begin to end, with
the field code and the result, whose text is the span's text), drawings and
pictures, footnote and endnote references, symbols, tabs and breaks (text
``" "``; the space beside them is not doubled on writing), bookmarks,
comment ranges (a ``w:commentReference`` run right after its range's end is
one span with it), content controls (``w:sdt``), equations and any element
this module does not know. A hyperlink with no text (a linked image) is one
protected span.

**Tracked changes** are accepted in the English: insertions (``w:ins``,
``w:moveTo``) are read and written as plain text; deletions (``w:del``,
``w:moveFrom``, with their ``w:delText`` runs) are not read and are dropped
from every paragraph written. Marks of a deleted or inserted paragraph mark
(``w:pPr/w:rPr/w:del``), formatting changes (``w:rPrChange``) and the
move range markers (``w:moveFromRangeStart``...) stay as they are. A paragraph with
nothing but deleted text is no block and keeps its deletion.

**Kept.** Paragraph properties (``w:pPr``: style, numbering, alignment) and
everything outside the paragraphs' inline content, byte for byte where
python-docx does not re-serialise the part (images, fonts...). Text goes back
in new runs: text outside spans with the base ``w:rPr``, span text with the
span's ``w:rPr``, links as new ``w:hyperlink`` elements with the original's
attributes (the relationship, hence the address, never changes). A drawing's
English ``descr`` or ``title`` goes into the ``wp:docPr`` attribute, and into
the same attribute of the drawing's ``cNvPr`` elements (``pic:cNvPr``...) that
held the same French text; an English text equal to the block's text leaves
the attribute as it was.

**Known limits.** Spelling marks (``w:proofErr``), soft hyphens and
``w:lastRenderedPageBreak`` are dropped; a non-breaking hyphen reads and
writes as ``-``; the proofing language of the runs (``w:lang``) stays French;
comments' own text is not translated. A ``cNvPr`` whose alternative text differs from its drawing's
``wp:docPr`` (a shape inside a group), and VML ``alt`` text in ``mc:Fallback``,
stay French. A paragraph where a complex field starts inside a hyperlink and
ends outside it is kept in French, with a warning. A field running over
several paragraphs (a table of contents) is protected in each of them, so
its paragraphs are kept.
"""

from __future__ import annotations

import io
import operator
import zipfile
from collections import Counter
from collections.abc import Sequence
from copy import deepcopy
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from ..markup import Block, Element, Placed, nest
from .base import BlockBuilder, Parsed, Reader, register

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.opc.part import Part

# An lxml element (lxml ships no type information the project installs).
_Node = Any

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_RT_FOOTNOTES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
_RT_ENDNOTES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/endnotes"
_WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
_DOCPR, _WP_FRAMES = _WP + "docPr", (_WP + "inline", _WP + "anchor")
# Attributes of wp:docPr read as blocks, in this order (ECMA-376 Part 1, 20.4.2.5 docPr).
_ALT_ATTRIBUTES = ("descr", "title")

_P, _PPR, _R, _RPR, _T = _W + "p", _W + "pPr", _W + "r", _W + "rPr", _W + "t"
_HYPERLINK, _FLDCHAR, _FLDTYPE = _W + "hyperlink", _W + "fldChar", _W + "fldCharType"
_TXBX, _SECTPR = _W + "txbxContent", _W + "sectPr"
_HEADER_REFS = (_W + "headerReference", _W + "footerReference")
# Run children that separate words: a protected span with text " ".
_SEPARATORS = frozenset(_W + n for n in ("tab", "ptab", "br", "cr"))
# Inline wrappers read through and not written back.
_TRANSPARENT = frozenset(_W + n for n in ("ins", "moveTo", "smartTag", "customXml", "dir", "bdo"))
# Properties of the paragraph or of a wrapper: not inline content.
_PROPERTIES = frozenset(_W + n for n in ("pPr", "smartTagPr", "customXmlPr"))
# Inline elements dropped on writing: they describe the French text's layout or spelling,
# or are tracked deletions and moved-away text (the English accepts every tracked change).
_DROPPED = frozenset(
    _W + n for n in ("proofErr", "lastRenderedPageBreak", "softHyphen", "del", "moveFrom")
)
_COMMENT_END, _COMMENT_REF = _W + "commentRangeEnd", _W + "commentReference"


@dataclass
class _Text:
    """Text of one ``w:t`` (or a non-breaking hyphen) with its run's formatting."""

    text: str
    rpr: _Node | None
    key: bytes
    link: int | None


@dataclass
class _Keep:
    """Inline XML written back as it was: whole elements, or (run, child) pieces of runs.

    A piece ``(None, element)`` is a whole paragraph-level element; ``(run,
    child)`` is one child of a run, written in a run with that run's ``w:rPr``
    (the original run itself when all its children are kept together).
    """

    pieces: list[tuple[_Node | None, _Node]]
    texts: list[str]
    link: int | None
    separator: bool = False

    @property
    def text(self) -> str:
        return " " if self.separator else "".join(self.texts)


@dataclass(frozen=True)
class _Format:
    """A span tag's formatting: the ``w:rPr`` of its runs (``None``: no ``w:rPr``)."""

    rpr: _Node | None
    key: bytes


@dataclass(frozen=True)
class _Link:
    """A span tag's hyperlink: the index of the ``w:hyperlink`` in the paragraph."""

    index: int


@dataclass
class _Attribute:
    """A drawing's alternative text read as a block, with the elements that carry it.

    ``elements`` is the ``wp:docPr`` first, then the drawing's ``cNvPr``
    elements whose attribute ``name`` held the same French text.
    """

    elements: list[_Node]
    name: str
    block: Block


@dataclass
class _Paragraph:
    """What one paragraph reads as, with the live elements its tags stand for.

    ``attributes`` are its drawings' alternative texts, blocks that come after
    ``block`` (or at its place when it is ``None``).
    """

    element: _Node
    block: Block | None
    tags: list[_Format | _Link | _Keep] = field(default_factory=list)
    base: _Format = _Format(None, b"")
    links: list[_Node] = field(default_factory=list)
    warning: str | None = None
    edges: tuple[bool, bool] = (False, False)
    attributes: list[_Attribute] = field(default_factory=list)

    def blocks(self) -> list[Block]:
        """The paragraph's block, if any, then its drawings' attribute blocks."""
        own = [] if self.block is None else [self.block]
        return own + [a.block for a in self.attributes]


def _key(rpr: _Node | None) -> bytes:
    """A ``w:rPr``'s identity: its canonical XML (``b""`` for none)."""
    if rpr is None:
        return b""
    from lxml import etree

    return bytes(etree.tostring(rpr, method="c14n"))


def _texts(element: _Node) -> list[str]:
    """The ``w:t`` texts inside an element, in order."""
    return [t.text or "" for t in element.iter(_T)]


def _field_balance(element: _Node) -> int:
    """Complex fields begun minus ended inside an element."""
    balance = 0
    for char in element.iter(_FLDCHAR):
        kind = char.get(_FLDTYPE)
        balance += 1 if kind == "begin" else -1 if kind == "end" else 0
    return balance


class _Walker:
    """Reads a paragraph's inline content into text and kept items, in order.

    ``depth`` is the nesting of complex fields open when the paragraph starts
    (a field running over paragraphs); everything inside a field is one kept item.
    """

    def __init__(self, depth: int) -> None:
        self.items: list[_Text | _Keep] = []
        self.links: list[_Node] = []
        self.depth = depth
        self.group: _Keep | None = _Keep([], [], None) if depth > 0 else None
        self.broken = False

    def walk(self, container: _Node, link: int | None) -> None:
        for child in container:
            tag = child.tag
            if not isinstance(tag, str) or tag in _PROPERTIES:
                continue
            if tag == _R:
                self._run(child, link)
            elif self.group is not None:
                self.group.pieces.append((None, child))
                self.group.texts.extend(_texts(child))
                self._count(_field_balance(child))
            elif tag == _HYPERLINK and link is None:
                self._hyperlink(child)
            elif tag in _TRANSPARENT:
                self.walk(child, link)
            elif tag not in _DROPPED:
                self.items.append(_Keep([(None, child)], _texts(child), link))

    def finish(self) -> int:
        """Close a field left open at the paragraph's end; the depth to carry on."""
        if self.group is not None:
            self.items.append(self.group)
            self.group = None
            return self.depth
        return 0

    def _hyperlink(self, element: _Node) -> None:
        index, first = len(self.links), len(self.items)
        self.links.append(element)
        self.walk(element, index)
        if self.group is not None and self.group.link == index:
            self.broken = True  # a field starts in the link and ends after it
        added = self.items[first:]
        if not any(isinstance(i, _Text) and i.text.strip() for i in added) and not self.broken:
            # No text to translate (a linked image): the whole link is kept.
            texts = [t for i in added for t in ([i.text] if isinstance(i, _Text) else i.texts)]
            del self.items[first:]
            self.items.append(_Keep([(None, element)], texts, None))

    def _run(self, run: _Node, link: int | None) -> None:
        rpr = run.find(_RPR)
        for child in run:
            tag = child.tag
            if not isinstance(tag, str) or tag == _RPR:
                continue
            if self.group is not None:
                self.group.pieces.append((run, child))
                if tag == _T:
                    self.group.texts.append(child.text or "")
                elif tag == _FLDCHAR:
                    self._count(_field_balance(child))
            elif tag == _T:
                self.items.append(_Text(child.text or "", rpr, _key(rpr), link))
            elif tag == _W + "noBreakHyphen":
                self.items.append(_Text("-", rpr, _key(rpr), link))
            elif tag in _DROPPED:
                continue
            elif tag in _SEPARATORS:
                self.items.append(_Keep([(run, child)], [], link, separator=True))
            elif tag == _FLDCHAR and child.get(_FLDTYPE) == "begin":
                self.group = _Keep([(run, child)], [], link)
                self.depth = 1
            elif tag == _COMMENT_REF and (end := self._comment_end(child, link)) is not None:
                end.pieces.append((run, child))
            else:
                self.items.append(_Keep([(run, child)], [], link))

    def _comment_end(self, reference: _Node, link: int | None) -> _Keep | None:
        """The last item, when it ends with the range of this comment reference, in its link.

        The reference joins that kept item, so that it stays right after the
        range's end whatever the English does around it.
        """
        last = self.items[-1] if self.items else None
        if not isinstance(last, _Keep) or last.link != link or last.separator:
            return None
        end = last.pieces[-1][1]
        same = end.tag == _COMMENT_END and end.get(_W + "id") == reference.get(_W + "id")
        return last if same else None

    def _count(self, balance: int) -> None:
        self.depth += balance
        if self.depth <= 0 and self.group is not None:
            self.depth = 0
            self.items.append(self.group)
            self.group = None


def _analyse(paragraph: _Node, depth: int) -> tuple[_Paragraph, int]:
    """A paragraph's block (``None`` when it has no text to translate) and span tags.

    Args:
        paragraph: A ``w:p`` element.
        depth: Complex fields open when it starts.

    Returns:
        The analysis, whose tags hold live elements of ``paragraph``, and the
        field depth at its end.
    """
    walker = _Walker(depth)
    walker.walk(paragraph, None)
    depth = walker.finish()
    if walker.broken:
        warning = "a paragraph whose field starts inside a link and ends after it is kept in French"
        return _Paragraph(paragraph, None, warning=warning), depth
    items = walker.items
    weights: Counter[bytes] = Counter()
    first_rpr: dict[bytes, _Node | None] = {}
    for item in items:
        if isinstance(item, _Text) and item.text.strip():
            weights[item.key] += len(item.text)
            first_rpr.setdefault(item.key, item.rpr)
    if not weights:
        return _Paragraph(paragraph, None), depth
    base_key = max(weights, key=lambda k: (weights[k], -list(weights).index(k)))
    result = _Paragraph(paragraph, None, base=_Format(first_rpr[base_key], base_key))
    result.links = walker.links
    result.block = _build(items, base_key, result.tags)
    result.edges = (_edge_space(items, 0), _edge_space(items[::-1], -1))
    return result, depth


def _edge_space(items: Sequence[_Text | _Keep], side: int) -> bool:
    """Whether kept elements open the paragraph and whitespace parts them from its text.

    A footnote's text starts so (the note's number, a space, the text); a
    block's text has no edge spaces, so the layout puts this one back.

    Args:
        items: The paragraph's items, reversed to look at its end.
        side: ``0`` at the start, ``-1`` at the end: the side of the first
            text that faces the kept elements.
    """
    kept = space = False
    for item in items:
        if isinstance(item, _Keep):
            kept, space = True, False
        elif item.text.strip():
            return kept and (space or item.text[side].isspace())
        else:
            space = space or bool(item.text)
    return False


def _build(items: list[_Text | _Keep], base: bytes, tags: list[_Format | _Link | _Keep]) -> Block:
    """The block of a paragraph's items; fills ``tags`` with what each tag stands for."""
    builder = BlockBuilder()
    format_tags: dict[bytes, int] = {}
    link: int | None = None
    fmt: bytes | None = None
    open_link = open_fmt = False

    def wanted(item: _Text) -> bytes | None:
        return None if item.key == base else item.key

    for i, item in enumerate(items):
        if item.link != link:
            if open_fmt:
                builder.close()
                open_fmt, fmt = False, None
            if open_link:
                builder.close()
                open_link = False
            link = item.link
            if link is not None:
                builder.open(len(tags))
                tags.append(_Link(link))
                open_link = True
        if isinstance(item, _Text) and item.text.strip():
            want = wanted(item)
        else:
            # Spaces and kept elements stay in the current formatting if the
            # next text in the same link has it, else they go outside.
            after = next(
                (n for n in items[i + 1 :] if isinstance(n, _Text) and n.text.strip()), None
            )
            same = after is not None and after.link == item.link and wanted(after) == fmt
            want = fmt if same else None
        if want != fmt:
            if open_fmt:
                builder.close()
                open_fmt = False
            if want is not None:
                if want not in format_tags:  # only text opens a formatting span
                    assert isinstance(item, _Text)
                    format_tags[want] = len(tags)
                    tags.append(_Format(item.rpr, want))
                builder.open(format_tags[want])
                open_fmt = True
            fmt = want
        if isinstance(item, _Text):
            builder.add_text(item.text)
        else:
            tags.append(item)
            builder.add_protected(item.text, len(tags) - 1)
    if open_fmt:
        builder.close()
    if open_link:
        builder.close()
    return builder.build()


@dataclass
class _Story:
    """A part's root element holding paragraphs, and the part to write it back to."""

    root: _Node
    part: Part | None = None  # a part python-docx keeps as bytes (footnotes, endnotes)

    def commit(self) -> None:
        if self.part is not None:
            from docx.opc.oxml import serialize_part_xml

            self.part._blob = serialize_part_xml(self.root)


def _stories(document: DocxDocument) -> list[_Story]:
    """The body, each header and footer part once (section order), footnotes, endnotes.

    Raises:
        lxml.etree.XMLSyntaxError: A notes part is not well-formed XML.
    """
    from docx.opc.part import XmlPart

    main = document.part
    stories = [_Story(main.element)]
    seen: set[str] = set()

    def add(part: Part) -> None:
        if str(part.partname) in seen:
            return
        seen.add(str(part.partname))
        if isinstance(part, XmlPart):
            stories.append(_Story(part.element))
        else:
            from docx.oxml.parser import parse_xml

            stories.append(_Story(parse_xml(part.blob), part))

    related = main.related_parts
    for section in main.element.iter(_SECTPR):
        for ref in section:
            rid = ref.get(_R_ID)
            if ref.tag in _HEADER_REFS and rid in related:
                add(related[rid])
    for reltype in (_RT_FOOTNOTES, _RT_ENDNOTES):
        for rel in main.rels.values():
            if rel.reltype == reltype and not rel.is_external:
                add(rel.target_part)
    return stories


def _paragraphs(story: _Story) -> list[_Paragraph]:
    """Every paragraph of a story in document order, analysed before any is changed."""
    depths: dict[Any, int] = {}
    out = []
    for p in story.root.iter(_P):
        container, fallback = story.root, False
        for ancestor in p.iterancestors():
            fallback = fallback or ancestor.tag == _MC_FALLBACK
            if ancestor.tag == _TXBX and container is story.root:
                container = ancestor  # fields do not run from a text box to the body
        if fallback:
            continue
        analysis, depths[container] = _analyse(p, depths.get(container, 0))
        analysis.attributes = _attributes(p)
        out.append(analysis)
    return out


def _attributes(paragraph: _Node) -> list[_Attribute]:
    """The alternative texts of the drawings a paragraph holds itself, in order.

    A drawing inside a text box belongs to the text box's paragraph; one under
    ``mc:Fallback`` is not read. For each ``wp:docPr``, ``descr`` then
    ``title``, when not empty or blank once whitespace is collapsed.
    """
    out = []
    for docpr in paragraph.iter(_DOCPR):
        if next(docpr.iterancestors(_P, _MC_FALLBACK), None) is not paragraph:
            continue
        frame = docpr.getparent()
        for name in _ALT_ATTRIBUTES:
            value = docpr.get(name)
            if value is None or not value.strip():
                continue
            builder = BlockBuilder()
            builder.add_text(value)
            block = builder.build()
            if not block.text:
                continue
            twins = [
                e
                for e in frame.iter()
                if isinstance(e.tag, str)
                and e.tag.endswith("}cNvPr")
                and e.get(name) == value
                and next(e.iterancestors(*_WP_FRAMES), None) is frame
            ]
            out.append(_Attribute([docpr, *twins], name, block))
    return out


def _open(data: bytes, name: str) -> tuple[DocxDocument, list[list[_Paragraph]], list[_Story]]:
    """Open a .docx and analyse its paragraphs.

    Raises:
        InputError: Not a zip, no main document part, corrupt XML, not a Word file.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise InputError(name, "not a Word document (not a zip file)") from None
    if "[Content_Types].xml" not in names:
        raise InputError(name, "not a Word document (no [Content_Types].xml in the zip)")
    try:
        import docx

        document = docx.Document(io.BytesIO(data))
        stories = _stories(document)
        paragraphs = [_paragraphs(story) for story in stories]
    except Exception as exc:  # python-docx and lxml raise KeyError, ValueError, XMLSyntaxError...
        raise InputError(name, _reason(exc, names)) from None
    return document, paragraphs, stories


def _reason(exc: Exception, names: set[str]) -> str:
    """One line saying why python-docx could not open a zip as a Word document."""
    if "word/document.xml" not in names and not any(n.startswith("word/document") for n in names):
        return "not a Word document (no word/document.xml in the zip)"
    kind = type(exc).__name__
    message = str(exc).splitlines()[0] if str(exc) else kind
    if kind == "XMLSyntaxError":
        return f"not a Word document (corrupt XML: {message})"
    if isinstance(exc, ValueError) and "content type" in message:
        return f"not a Word document ({message.split(', ', 1)[-1]})"
    return f"not a Word document ({kind}: {message})"


@register
class WordReader(Reader):
    """Word 2007+ documents (``.docx``)."""

    name = "docx"
    extensions = (".docx",)

    def read(self, data: bytes, name: str) -> Parsed:
        """Read a .docx file's paragraphs into blocks.

        Raises:
            InputError: Not a zip file, no ``word/document.xml``, a part of
                corrupt XML, or a zip of another kind (a spreadsheet).
        """
        _, stories, _ = _open(data, name)
        flat = [p for story in stories for p in story]
        blocks = tuple(b for p in flat for b in p.blocks())
        warnings = tuple(dict.fromkeys(p.warning for p in flat if p.warning))
        return Parsed(blocks, WordLayout(data, name, len(blocks)), "docx", warnings)


class WordLayout:
    """Writes the English .docx: the source re-opened, each block's paragraph's runs replaced.

    Attributes:
        format: ``docx``.
    """

    format = "docx"

    def __init__(self, data: bytes, name: str, count: int) -> None:
        self._data = data
        self._name = name
        self._count = count

    def render(self, blocks: Sequence[Sequence[Placed]]) -> bytes:
        """The English document.

        Args:
            blocks: For each block, in order, its translated sentences; a
                block with none keeps its paragraph (or attribute) as it is.

        Returns:
            The .docx file's bytes.

        Raises:
            ValueError: ``blocks`` does not have one entry per block, or a
                sentence's spans are not well nested.
        """
        if len(blocks) != self._count:
            raise ValueError(f"{len(blocks)} blocks given for a document of {self._count}")
        document, stories, parts = _open(self._data, self._name)
        placed = iter(blocks)
        for story, paragraphs in zip(parts, stories, strict=True):
            for paragraph in paragraphs:
                if paragraph.block is not None:
                    _write(paragraph, next(placed))
                for attribute in paragraph.attributes:
                    _write_attribute(attribute, next(placed))
            story.commit()
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()


@dataclass
class _Out:
    """One piece of a paragraph to write: text with its link and formatting, or a kept item."""

    link: int | None
    fmt: _Format | None = None
    text: str = ""
    keep: _Keep | None = None
    join: bool = False


def _write(paragraph: _Paragraph, sentences: Sequence[Placed]) -> None:
    """Replace a paragraph's inline content by its English sentences."""
    if not sentences:
        return
    tags = paragraph.tags
    out: list[_Out] = []
    used: set[int] = set()

    def flatten(tree: Sequence[str | Element], link: int | None, fmt: _Format | None) -> None:
        for node in tree:
            if isinstance(node, str):
                out.append(_Out(link, fmt, node))
                continue
            entry = tags[node.tag] if 0 <= node.tag < len(tags) else None
            if isinstance(entry, _Link):
                flatten(node.children, entry.index, fmt)
            elif isinstance(entry, _Format):
                flatten(node.children, link, entry)
            elif isinstance(entry, _Keep):
                if node.tag not in used:
                    used.add(node.tag)
                    out.append(_Out(link, keep=entry))
                # A kept item holds no span, but ``nest`` puts an empty span
                # that follows an empty one at the same point inside it (a
                # footnote reference, then a tab): write those right after it.
                flatten([c for c in node.children if isinstance(c, Element)], link, fmt)
            else:  # PLAIN_TAG: text the pipeline protected, written as it is
                flatten(node.children, link, fmt)

    for i, sentence in enumerate(sentences):
        if i:
            out.append(_Out(None, text=" ", join=True))
        flatten(nest(sentence.target, sentence.spans), None, None)
    for tag, entry in enumerate(tags):  # kept elements the sentences lost go at the end
        if isinstance(entry, _Keep) and tag not in used:
            out.append(_Out(None, keep=entry))
    _tidy(out)
    for pieces, at_start in ((out, True), (out[::-1], False)):
        if paragraph.edges[not at_start]:
            _edge(pieces, at_start)
    _emit(paragraph, out)


def _write_attribute(attribute: _Attribute, sentences: Sequence[Placed]) -> None:
    """Set a drawing's alternative text to its English sentences, joined by one space.

    Spans (text the pipeline protected) are written as their text. An English
    text equal to the block's text (nothing translated) leaves the attribute,
    whitespace included, as it was.
    """
    text = " ".join(t for t in (s.target.strip() for s in sentences) if t)
    if not text or text == attribute.block.text:
        return
    for element in attribute.elements:
        element.set(attribute.name, text)


def _edge(pieces: Sequence[_Out], at_start: bool) -> None:
    """Put back the space between kept elements at a paragraph's edge and its text."""
    if not pieces or pieces[0].keep is None:
        return
    text = next((o for o in pieces if o.keep is None and o.text), None)
    if text is None:
        return
    if at_start and not text.text[0].isspace():
        text.text = " " + text.text
    elif not at_start and not text.text[-1].isspace():
        text.text += " "


def _tidy(out: list[_Out]) -> None:
    """Give joining spaces their neighbours' context; drop the space beside a tab or break."""
    for i, piece in enumerate(out):
        if piece.join and 0 < i < len(out) - 1:
            before, after = out[i - 1], out[i + 1]
            if (before.link, before.fmt) == (after.link, after.fmt) and before.keep is None:
                piece.link, piece.fmt = before.link, before.fmt
    for i, piece in enumerate(out):
        if piece.keep is None or not piece.keep.separator:
            continue
        prev = next((o for o in reversed(out[:i]) if o.keep is not None or o.text), None)
        succ = next((o for o in out[i + 1 :] if o.keep is not None or o.text), None)
        if prev is not None and prev.keep is None and prev.text.endswith(" "):
            prev.text = prev.text[:-1]
        elif succ is not None and succ.keep is None and succ.text.startswith(" "):
            succ.text = succ.text[1:]


def _emit(paragraph: _Paragraph, out: list[_Out]) -> None:
    """Write the pieces as the paragraph's runs and hyperlinks, after its ``w:pPr``."""
    from lxml import etree

    p = paragraph.element
    for child in list(p):
        if child.tag != _PPR:
            p.remove(child)
    container = p
    link: int | None = None
    run_text: _Node | None = None  # the w:t of the last run written, to extend
    run_fmt: _Format | None = None
    written: list[_Node] = []
    for piece in out:
        if piece.keep is None and not piece.text:
            continue
        if piece.link != link:
            link = piece.link
            if link is None:
                container = p
            else:
                original = paragraph.links[link]
                container = etree.SubElement(p, _HYPERLINK, attrib=dict(original.attrib))
            run_text = None
        if piece.keep is not None:
            _emit_keep(container, piece.keep)
            run_text = None
            continue
        fmt = piece.fmt or paragraph.base
        if run_text is None or fmt is not run_fmt:
            run = etree.SubElement(container, _R)
            if fmt.rpr is not None:
                run.append(deepcopy(fmt.rpr))
            run_text = etree.SubElement(run, _T)
            run_text.text = ""
            run_fmt = fmt
            written.append(run_text)
        run_text.text += piece.text
    for t in written:
        if t.text and t.text != t.text.strip():
            t.set(_XML_SPACE, "preserve")


def _emit_keep(container: _Node, keep: _Keep) -> None:
    """Move a kept item's original elements into ``container``, runs rebuilt around pieces."""
    from lxml import etree

    pieces = keep.pieces
    i = 0
    while i < len(pieces):
        owner, element = pieces[i]
        if owner is None:
            container.append(element)
            i += 1
            continue
        run: _Node = owner
        children = []
        while i < len(pieces) and pieces[i][0] is run:
            children.append(pieces[i][1])
            i += 1
        whole = [c for c in run if isinstance(c.tag, str) and c.tag != _RPR]
        if len(children) == len(whole) and all(map(operator.is_, children, whole)):
            container.append(run)  # the original run, untouched
            continue
        new = etree.SubElement(container, _R)
        rpr = run.find(_RPR)
        if rpr is not None:
            new.append(deepcopy(rpr))
        for child in children:
            new.append(child)


__all__ = ["WordLayout", "WordReader"]
