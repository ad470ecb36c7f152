"""HTML and XHTML documents, read with lxml, written back with the English.

What is a block: each run of text a reader sees as one unit. Every
block-level element (``h1``-``h6``, ``p``, ``li``, ``td``/``th``,
``caption``, ``figcaption``, ``dt``/``dd``, ``title``, ``summary``,
``legend``, ``button``, ``option``, ``address`` ...) holds one or more runs:
its text and inline children up to the next block-level child, so text
written directly in a ``div``, ``section``, ``blockquote``, ``li`` or
``body`` beside block children is a block of its own. Unknown elements
(custom elements) are inline, as in a browser. The translatable attributes
``alt``, ``title``, ``placeholder``, ``aria-label``, the ``value`` of
``input`` buttons and the ``content`` of ``<meta>`` description, ``og:`` and
``twitter:`` title and description are a block each, after the run that
holds their element.

Inline elements (``b``, ``a``, ``span``, ``label`` ...) are spans; the layout
writes them back with all their attributes (``href`` unchanged). An inline
element that holds a block-level element (``<a><div>..</div></a>``) is a
container instead. Protected spans, copied as they were (with their
translatable attributes translated): ``code``, ``kbd``, ``samp``, ``var``
and anything with ``translate="no"`` or the class ``notranslate`` (their text
is in the block's text, never sent to the model); ``img``, ``br``, ``wbr``,
``input``, inline ``svg`` and ``math``, media and embeds, and ``script``,
``style``, ``template`` and comments met inside a paragraph (empty spans,
their content never in block text).

Around an empty element (an image, a line break, an input, a comment...)
the whitespace is written as the source had it: a space the block's text
lost (``Le chat <img> dort`` has one space in its text) is written again
where the English has a word there, and a space the source did not have
(the word break a ``br`` adds to the block's text, a sentence join) is
dropped next to a ``br``, or where the other side of the element already
has whitespace, so no two English words run together.

Kept untouched: ``pre`` (and ``listing``, ``xmp``), ``script``, ``style``,
``template``, comments, processing instructions and CDATA sections, the
doctype. ``noscript`` is translated: its content is what a reader without
JavaScript sees (in ``head`` it only holds ``link``/``style``, which are
kept). The output is UTF-8: ``<meta charset>``, a ``Content-Type`` meta and
the XML declaration say so; ``lang`` (and ``xml:lang`` where present) on
``<html>`` becomes ``en``.

Files that start with an XML declaration are XHTML: parsed with the XML
parser and written back as XML (empty elements as ``<div></div>``, so the
page still works as ``text/html``); one that is not well-formed is read as
HTML, with a warning. Anything else goes through lxml's HTML parser
(libxml2's HTML5 tokenizer), which repairs unclosed tags; what it reports is
in :attr:`Parsed.warnings`.

Known limits: lxml re-serializes the page, so the output is the same tree
and not the same bytes: attribute quoting, character references (``&eacute;``
becomes ``é``; in ``pre``, a raw ``>`` becomes ``&gt;``), whitespace between
the doctype and ``<html>``, and ``<?php ... ?>`` (a comment to an HTML5
parser) are written lxml's way. ``script``, ``style`` and comment contents
are byte-identical, and so is ``pre`` text written with ``&lt;``, ``&gt;``
and ``&amp;``. A fragment (no ``<html>``, ``<head>`` or ``<body>`` tag) is
written back as a fragment, so it gets no ``lang``.
"""

from __future__ import annotations

import codecs
import copy
import html as html_lib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..document import decode_bytes
from ..errors import InputError
from ..markup import PLAIN_TAG, Block, Element, Placed, nest
from .base import BlockBuilder, Parsed, Reader, register

# fmt: off
# Elements that end a run of inline text: their text is a block (or blocks) of its own.
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "button", "caption", "center", "col",
    "colgroup", "datalist", "dd", "details", "dialog", "dir", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "footer", "form", "frame", "frameset", "h1", "h2", "h3", "h4", "h5",
    "h6", "head", "header", "hgroup", "hr", "html", "legend", "li", "main", "menu", "nav",
    "noscript", "ol", "optgroup", "option", "p", "search", "section", "select", "summary",
    "table", "tbody", "td", "tfoot", "th", "thead", "title", "tr", "ul",
})
# Block-level elements copied as they are, never read (preformatted text).
UNTOUCHED_TAGS = frozenset({"pre", "listing", "xmp", "plaintext"})
# Inline elements written back whole, whose text is not in the block (empty spans).
EMPTY_PROTECTED_TAGS = frozenset({
    "area", "audio", "base", "br", "canvas", "embed", "iframe", "img", "input", "link", "map",
    "math", "meta", "object", "param", "picture", "script", "slot", "source", "style", "svg",
    "template", "textarea", "track", "video", "wbr",
})
# Elements that never have content (HTML standard, 13.1.2 "void elements").
VOID_TAGS = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
})
# fmt: on
# Inline elements written back whole, whose text stays in the block (never translated).
TEXT_PROTECTED_TAGS = frozenset({"code", "kbd", "samp", "var"})
# Elements whose attributes are never translated, nor those of what they hold.
OPAQUE_TAGS = frozenset({"math", "script", "style", "svg", "template"}) | UNTOUCHED_TAGS
# Attributes whose value is text for a reader (the WHATWG's list of
# translatable attributes, cut to those a page shows or reads aloud).
TEXT_ATTRIBUTES = ("alt", "title", "placeholder", "aria-label")
# <meta name|property=...> whose content is shown by search engines and link previews.
META_TEXT_NAMES = frozenset(
    {"description", "og:title", "og:description", "twitter:title", "twitter:description"}
)
BUTTON_INPUT_TYPES = frozenset({"button", "submit", "reset"})
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

_BLOCK, _UNTOUCHED, _EMPTY, _TEXT_PROTECTED, _INLINE = range(5)

_DECLARED_CHARSET = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)"""
    rb"""|^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)""",
    re.IGNORECASE,
)
_XML_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*\?>")
_DOCUMENT_TAG = re.compile(r"<(?:html|head|body)[\s/>]", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[A-Za-z!?/]")
_CHARSET_PARAM = re.compile(r"(charset\s*=\s*)[^;\s\"']+", re.IGNORECASE)
_HTML_SPACE = re.compile(r"[ \t\n\r\f]*")
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


@register
class HTMLReader(Reader):
    """HTML and XHTML web pages."""

    name = "html"
    extensions = (".html", ".htm")

    def read(self, data: bytes, name: str) -> Parsed:
        """Parse a page into blocks and a layout.

        Raises:
            InputError: Empty, binary or undecodable bytes, text with no tag
                at all, a page lxml cannot build a tree from, or an XML file
                whose root is not ``<html>``.
        """
        text, encoding, warnings = _decode(data, name)
        source = _Source(text.encode("utf-8"), _XML_DECLARATION.match(text) is not None)
        page, parse_warnings = _parse(source, name)
        walk = _walk(page.root)
        layout = HTMLLayout(source, name, page.xml, page.fragment)
        return Parsed(tuple(walk.blocks), layout, encoding, (*warnings, *parse_warnings))


@dataclass(frozen=True)
class _Source:
    """The page as parsed: UTF-8 bytes, and whether to try the XML parser first."""

    data: bytes
    xml_declared: bool


@dataclass(frozen=True)
class _Page:
    root: Any  # lxml element: <html>
    xml: bool  # parsed (and written) as XML
    fragment: bool  # no <html>, <head> or <body> in the source


def _decode(data: bytes, name: str) -> tuple[str, str, tuple[str, ...]]:
    """The page's text, the encoding it was read with, and what was repaired.

    A charset the page declares (``<meta charset>``, a ``Content-Type``
    meta, the XML declaration; the HTML standard's prescan, in the first
    2048 bytes) is used when the bytes decode with it; ``latin-1`` and
    ``ascii`` mean windows-1252 (WHATWG Encoding standard). Otherwise
    :func:`decode_bytes` detects the encoding.

    Raises:
        InputError: Empty, binary or undecodable.
    """
    if not data.strip():
        raise InputError(name, "malformed HTML: empty document")
    warnings: list[str] = []
    boms = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    match = _DECLARED_CHARSET.search(data[:2048])
    if match and not data.startswith(boms) and b"\x00" not in data[:65536]:
        label = (match.group(1) or match.group(2)).decode("ascii").lower()
        try:
            encoding = codecs.lookup(label).name
        except LookupError:
            warnings.append(f"unknown declared charset {label!r}: encoding detected instead")
        else:
            if encoding in ("latin-1", "iso8859-1", "ascii"):
                encoding = "cp1252"
            if encoding not in ("utf-8", "utf-16", "utf-16-le", "utf-16-be"):
                try:
                    text = data.decode(encoding)
                except UnicodeDecodeError:
                    warnings.append(f"text is not in its declared charset {label}")
                else:
                    if len(_CONTROLS.findall(text[:65536])) > 8:
                        raise InputError(name, "not a text file (binary content)")
                    return text, encoding, tuple(warnings)
    decoded = decode_bytes(data, name)
    return decoded.text, decoded.encoding, (*warnings, *decoded.warnings)


def _parse(source: _Source, name: str) -> tuple[_Page, tuple[str, ...]]:
    """Build the page's tree; the same bytes give the same tree.

    Raises:
        InputError: No tag, no element, an XML root other than ``html``, or
            a parser failure.
    """
    from lxml import etree

    text = source.data.decode("utf-8")
    if not _ANY_TAG.search(text):
        raise InputError(name, "malformed HTML: no tag at all (plain text?)")
    fragment = _DOCUMENT_TAG.search(text) is None
    warnings: list[str] = []
    data = source.data
    if source.xml_declared:
        xml_parser = etree.XMLParser(
            encoding="utf-8",
            strip_cdata=False,
            resolve_entities=False,
            load_dtd=False,
            no_network=True,
            remove_comments=False,
            remove_pis=False,
            huge_tree=False,
        )
        try:
            root = etree.fromstring(data, xml_parser)
        except etree.XMLSyntaxError as exc:
            warnings.append(f"not well-formed XHTML, read as HTML: {_first_line(str(exc))}")
            # An XML declaration means nothing to an HTML parser (it would become a comment).
            data = _XML_DECLARATION.sub("", text, count=1).encode("utf-8")
        else:
            if etree.QName(root).localname.lower() != "html":
                tag = etree.QName(root).localname
                raise InputError(name, f"not an HTML document (XML root element <{tag}>)")
            return _Page(root, True, False), tuple(warnings)
    parser = etree.HTMLParser(
        encoding="utf-8",
        default_doctype=False,
        remove_comments=False,
        remove_pis=False,
        remove_blank_text=False,
        no_network=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except (etree.LxmlError, ValueError) as exc:
        raise InputError(name, f"malformed HTML: {_first_line(str(exc))}") from None
    if root is None:
        raise InputError(name, "malformed HTML: no element (only comments or a doctype)")
    _empty_void_elements(root)
    errors = [e for e in parser.error_log if e.level >= etree.ErrorLevels.ERROR]
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        first = errors[0]
        warnings.append(f"malformed HTML repaired: line {first.line}: {first.message}{more}")
    return _Page(root, False, fragment), tuple(warnings)


# HTML5 void elements libxml2's HTML4 parser does not know: it puts what
# follows them inside them (``<p>a<wbr>b c</p>`` gives ``<wbr>b c</wbr>``).
_HTML5_VOID = ("wbr", "embed", "source", "track")


def _empty_void_elements(root: Any) -> None:
    """Move what the parser put inside an HTML5 void element back after it, as a browser does."""
    for element in list(root.iter(*_HTML5_VOID)):
        children = list(element)
        if not children and not element.text:
            continue
        parent = element.getparent()
        if parent is None:
            continue
        text, tail = element.text or "", element.tail or ""
        element.text = None
        index = parent.index(element)
        for offset, child in enumerate(children, 1):
            parent.insert(index + offset, child)  # moves it, with its tail
        element.tail = text
        last = children[-1] if children else element
        last.tail = (last.tail or "") + tail


def _first_line(message: str) -> str:
    return (message.strip().splitlines() or ["parser error"])[0]


# The walk: shared by the reader and the layout, which re-parses the same bytes.


@dataclass
class _TextSlot:
    """Where a block's text lives: a run of ``container``'s content.

    ``after`` is the block-level child whose tail starts the run (``None``:
    the container's own text); ``nodes`` are the run's inline children.
    """

    container: Any
    after: Any
    nodes: list[Any]
    required: frozenset[int]  # tags of protected spans: written even if dropped


@dataclass(frozen=True)
class _AttributeSlot:
    element: Any
    attribute: str


@dataclass
class _Run:
    container: Any
    after: Any
    builder: BlockBuilder = field(default_factory=BlockBuilder)
    nodes: list[Any] = field(default_factory=list)
    attributes: list[tuple[Any, str]] = field(default_factory=list)
    last: str = ""  # what the source had last: "", _SPACE, _WORD or _EMPTY_ATOM
    pending: list[int] = field(default_factory=list)  # empty elements waiting for what follows


@dataclass
class _Walk:
    blocks: list[Block] = field(default_factory=list)
    slots: list[_TextSlot | _AttributeSlot] = field(default_factory=list)
    tags: list[Any] = field(default_factory=list)  # tag number -> node
    # Empty elements (tag): whether the source had whitespace right before, right after.
    spaced: dict[int, tuple[bool, bool]] = field(default_factory=dict)


# What is next to an empty element, in the source or the English.
_SPACE, _WORD, _EMPTY_ATOM = "space", "word", "empty"


def _walk(root: Any) -> _Walk:
    """Blocks, where each one lives, and the node of each span tag, in document order."""
    walk = _Walk()
    _container(walk, root)
    return walk


def _local(node: Any) -> str:
    """An element's lower-case local name; ``""`` for comments, PIs and entities."""
    tag = node.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].lower()


def _no_translate(node: Any) -> bool:
    """``translate="no"`` or the class ``notranslate`` (Google's and the WHATWG's markers)."""
    if not isinstance(node.tag, str):
        return False
    return (node.get("translate") or "").strip().lower() == "no" or "notranslate" in (
        node.get("class") or ""
    ).split()


def _kind(node: Any) -> int:
    local = _local(node)
    if not local:
        return _EMPTY
    if _no_translate(node):
        return _UNTOUCHED if local in BLOCK_TAGS else _TEXT_PROTECTED
    if local in UNTOUCHED_TAGS:
        return _UNTOUCHED
    if local in BLOCK_TAGS:
        return _BLOCK
    if local in EMPTY_PROTECTED_TAGS:
        return _EMPTY
    if local in TEXT_PROTECTED_TAGS:
        return _TEXT_PROTECTED
    for inner in node.iterdescendants():
        if _local(inner) in BLOCK_TAGS or _local(inner) in UNTOUCHED_TAGS:
            return _BLOCK
    return _INLINE


def _container(walk: _Walk, element: Any) -> None:
    """Read a block-level element: its own attributes, then each run and block child."""
    for attribute in _text_attributes(element):
        _attribute_block(walk, element, attribute)
    run = _Run(element, None)
    _add_text(walk, run, element.text)
    for child in element:
        kind = _kind(child)
        if kind in (_BLOCK, _UNTOUCHED):
            _flush(walk, run)
            if kind == _BLOCK:
                _container(walk, child)
            run = _Run(element, child)
        else:
            run.nodes.append(child)
            _inline(walk, run, child, kind)
        _add_text(walk, run, child.tail)
    _flush(walk, run)


def _add_text(walk: _Walk, run: _Run, text: str | None) -> None:
    """Add source text to the run's block, noting the whitespace next to empty elements."""
    if not text:
        return
    run.builder.add_text(text)
    _next_is(walk, run, _SPACE if text[0].isspace() else _WORD)
    run.last = _SPACE if text[-1].isspace() else _WORD


def _next_is(walk: _Walk, run: _Run, kind: str) -> None:
    """Tell the empty elements waiting for what follows them that it is ``kind``."""
    for tag in run.pending:
        walk.spaced[tag] = (walk.spaced[tag][0], kind == _SPACE)
    run.pending.clear()


def _inline(walk: _Walk, run: _Run, node: Any, kind: int) -> None:
    """Add an inline node to the run's block: text, a span, or a protected span."""
    from lxml import etree

    if isinstance(node, etree._Entity):
        _add_text(walk, run, html_lib.unescape(node.text))
        return
    tag = len(walk.tags)
    walk.tags.append(node)
    text = ""
    if kind == _TEXT_PROTECTED:
        text = etree.tostring(node, method="text", encoding="unicode", with_tail=False)
    if kind == _EMPTY or (kind == _TEXT_PROTECTED and not text.strip()):
        _next_is(walk, run, _EMPTY_ATOM)
        walk.spaced[tag] = (run.last == _SPACE, False)
        run.pending.append(tag)
        run.last = _EMPTY_ATOM
    elif kind == _TEXT_PROTECTED:
        _next_is(walk, run, _WORD)
        run.last = _WORD
    if kind == _EMPTY:
        if _local(node) == "br":
            run.builder.add_text(" ")  # a line break separates words
        run.builder.open(tag, protected=True)
        run.builder.close()
    elif kind == _TEXT_PROTECTED:
        run.builder.add_protected(text, tag)
    else:
        run.builder.open(tag)
        _add_text(walk, run, node.text)
        for child in node:
            _inline(walk, run, child, _kind(child))
            _add_text(walk, run, child.tail)
        run.builder.close()
    if kind == _INLINE:
        run.attributes.extend((node, a) for a in _text_attributes(node))
    elif isinstance(node.tag, str) and not _no_translate(node):
        for inner in _translatable_elements(node):
            run.attributes.extend((inner, a) for a in _text_attributes(inner))


def _translatable_elements(node: Any) -> list[Any]:
    """``node`` and the elements inside it whose attributes are read (not in svg, script...)."""
    if _local(node) in OPAQUE_TAGS or _no_translate(node):
        return []
    found = [node]
    for child in node:
        if isinstance(child.tag, str):
            found.extend(_translatable_elements(child))
    return found


def _text_attributes(element: Any) -> list[str]:
    """The element's attributes that hold translatable text, in a fixed order."""
    local = _local(element)
    if not local or local in OPAQUE_TAGS or _no_translate(element):
        return []
    names: list[str] = []
    if local == "meta":
        kind = (element.get("name") or element.get("property") or "").strip().lower()
        if kind in META_TEXT_NAMES:
            names.append("content")
    elif local not in ("link", "html", "head", "base"):
        names.extend(TEXT_ATTRIBUTES)
        if local == "input" and (element.get("type") or "").lower() in BUTTON_INPUT_TYPES:
            names.append("value")
    return [n for n in names if (element.get(n) or "").strip()]


def _attribute_block(walk: _Walk, element: Any, attribute: str) -> None:
    builder = BlockBuilder()
    builder.add_text(element.get(attribute))
    block = builder.build()
    if block.text:
        walk.blocks.append(block)
        walk.slots.append(_AttributeSlot(element, attribute))


def _flush(walk: _Walk, run: _Run) -> None:
    """End a run: its block if it has text to translate, then its elements' attributes."""
    block = run.builder.build()
    protected = [(s.start, s.end) for s in block.spans if s.protected]
    if any(
        not ch.isspace() and not any(a <= i < b for a, b in protected)
        for i, ch in enumerate(block.text)
    ):
        required = frozenset(s.tag for s in block.spans if s.protected)
        walk.blocks.append(block)
        walk.slots.append(_TextSlot(run.container, run.after, run.nodes, required))
    for element, attribute in run.attributes:
        _attribute_block(walk, element, attribute)


# Writing back.


class HTMLLayout:
    """Writes the page back with the English: re-parses the source on each call.

    Attributes:
        format: ``"html"``.
    """

    format = "html"

    def __init__(self, source: _Source, name: str, xml: bool, fragment: bool) -> None:
        self._source = source
        self._name = name
        self._xml = xml
        self._fragment = fragment

    def render(self, blocks: Sequence[Sequence[Placed]]) -> bytes:
        """The English page, UTF-8.

        Args:
            blocks: Per block, in the reader's order, its translated sentences.

        Returns:
            The page: same tree, blocks' text replaced, ``lang="en"``.

        Raises:
            ValueError: ``blocks`` does not have one entry per block.
        """
        page, _ = _parse(self._source, self._name)
        walk = _walk(page.root)
        if len(blocks) != len(walk.slots):
            raise ValueError(f"{len(blocks)} blocks given for a page of {len(walk.slots)}")
        pairs = list(zip(walk.slots, blocks, strict=True))
        # Attributes first: the elements copied into the text carry them translated.
        for slot, sentences in pairs:
            if isinstance(slot, _AttributeSlot) and sentences:
                slot.element.set(slot.attribute, _plain(sentences))
        for slot, sentences in pairs:
            if isinstance(slot, _TextSlot) and sentences:
                _write_run(slot, sentences, walk.tags, walk.spaced)
        _set_language(page)
        _set_charset(page.root)
        return _serialize(page)


def _plain(sentences: Sequence[Placed]) -> str:
    """Sentences' text joined, markup dropped (attribute values)."""
    return " ".join(p.target.strip() for p in sentences if p.target.strip())


class _Writer:
    """Appends text and nodes into ``parent`` from child ``index`` on, after ``last``.

    ``copies`` maps each protected element copied in (shared by the writers of
    one run) to its tag.
    """

    def __init__(self, parent: Any, index: int, last: Any, copies: dict[Any, int]) -> None:
        self.parent = parent
        self.index = index
        self.last = last
        self.copies = copies

    def text(self, text: str) -> None:
        if not text:
            return
        if self.last is None:
            self.parent.text = (self.parent.text or "") + text
        else:
            self.last.tail = (self.last.tail or "") + text

    def node(self, node: Any) -> None:
        node.tail = None
        self.parent.insert(self.index, node)
        self.index += 1
        self.last = node

    def copy(self, tag: int, tags: list[Any]) -> None:
        """Append a copy of a protected element."""
        node = copy.deepcopy(tags[tag])
        self.copies[node] = tag
        self.node(node)


def _write_run(
    slot: _TextSlot,
    sentences: Sequence[Placed],
    tags: list[Any],
    spaced: dict[int, tuple[bool, bool]],
) -> None:
    """Replace a run's text and inline nodes with the English and its spans.

    Args:
        slot: Where the run lives.
        sentences: Its English sentences.
        tags: The node of each span tag.
        spaced: For each empty element's tag, whether the source had
            whitespace right before and right after it (see :func:`_respace`).
    """
    container = slot.container
    first = container.text if slot.after is None else slot.after.tail
    first = first or ""
    last_text = (slot.nodes[-1].tail if slot.nodes else first) or ""
    leading = _HTML_SPACE.match(first)
    lead = leading.group() if leading else ""
    trail = last_text[len(last_text.rstrip(" \t\n\r\f")) :]
    for node in slot.nodes:
        container.remove(node)
    copies: dict[Any, int] = {}
    if slot.after is None:
        container.text = None
        writer = _Writer(container, 0, None, copies)
        start: tuple[Any, str] = (container, "text")
    else:
        slot.after.tail = None
        writer = _Writer(container, container.index(slot.after) + 1, slot.after, copies)
        start = (slot.after, "tail")
    first_index = writer.index
    writer.text(lead)
    written: set[int] = set()
    pieces = [p for p in sentences if p.target.strip() or p.spans]
    for number, placed in enumerate(pieces):
        if number:
            writer.text(" ")
        _write_tree(writer, nest(placed.target, placed.spans), tags, written)
    for tag in sorted(slot.required - written):
        writer.copy(tag, tags)
    writer.text(trail)
    flow: list[_Piece] = [start]
    for node in container[first_index : writer.index]:
        _flow(node, copies, flow)
    _respace(flow, {n: spaced[t] for n, t in copies.items() if t in spaced})


# One piece of a run's written content, in document order: a text (an
# element and "text" or "tail") or a protected element copied in (and None).
_Piece = tuple[Any, str | None]


def _flow(node: Any, copies: dict[Any, int], out: list[_Piece]) -> None:
    """Append ``node``'s pieces: a copy whole, an element its text, children and tail."""
    if node in copies:
        out.append((node, None))
    else:
        out.append((node, "text"))
        for child in node:
            _flow(child, copies, out)
    out.append((node, "tail"))


def _respace(flow: list[_Piece], spaced: dict[Any, tuple[bool, bool]]) -> None:
    """Make the whitespace next to each empty element what it was in the source.

    The block's text keeps one space where the source had two around an
    image (``Le chat <img> dort``), so the English may lose one; a line
    break adds a space to the block's text (it separates words for the
    model) that the source may not have (``mot<br>suivant``). Around each
    empty element (an image, a line break, an input, a comment...):

    - where the source had whitespace before (after) it and the English has
      a letter, a mark or a protected element with text there, one space is
      added;
    - where the source had none and the English has whitespace, it is
      dropped if the element is a ``br`` (which separates words itself) or
      if the other side of the element is whitespace or the run's edge, so
      two words of the English never run together.

    Args:
        flow: The run's pieces, as :func:`_flow` gives them; edited in place.
        spaced: Each empty element copied in: source whitespace before, after.
    """
    for k, (node, attribute) in enumerate(flow):
        if attribute is not None or node not in spaced:
            continue
        white_before, white_after = spaced[node]
        line_break = _local(node) == "br"
        if white_before and _side(flow, spaced, k, -1) == _WORD:
            _set(flow[k - 1], _get(flow[k - 1]) + " ")
        if white_after and _side(flow, spaced, k, 1) == _WORD:
            _set(flow[k + 1], " " + _get(flow[k + 1]))
        for step, white in ((-1, white_before), (1, white_after)):
            other = _side(flow, spaced, k, -step)
            if (
                not white
                and _side(flow, spaced, k, step) == _SPACE
                and (line_break or other in ("", _SPACE))
            ):
                _trim(flow, spaced, k, step)


def _get(piece: _Piece) -> str:
    node, attribute = piece
    return (node.text if attribute == "text" else node.tail) or ""


def _set(piece: _Piece, text: str) -> None:
    node, attribute = piece
    if attribute == "text":
        node.text = text
    else:
        node.tail = text


def _side(flow: list[_Piece], spaced: dict[Any, tuple[bool, bool]], k: int, step: int) -> str:
    """What is next to ``flow[k]`` on one side (``step`` -1 or 1): ``""`` at the run's edge."""
    j = k + step
    while 0 <= j < len(flow):
        node, attribute = flow[j]
        if attribute is None:
            return _EMPTY_ATOM if node in spaced else _WORD
        text = _get(flow[j])
        if text:
            return _SPACE if text[0 if step > 0 else -1].isspace() else _WORD
        j += step
    return ""


def _trim(flow: list[_Piece], spaced: dict[Any, tuple[bool, bool]], k: int, step: int) -> None:
    """Remove the whitespace next to ``flow[k]`` on one side, up to text or an element."""
    j = k + step
    while 0 <= j < len(flow) and flow[j][1] is not None:
        text = _get(flow[j])
        kept = text.lstrip() if step > 0 else text.rstrip()
        _set(flow[j], kept)
        if kept:
            return
        j += step


def _write_tree(
    writer: _Writer, items: Sequence[str | Element], tags: list[Any], written: set[int]
) -> None:
    for item in items:
        if isinstance(item, str):
            writer.text(item)
        elif item.tag == PLAIN_TAG or not 0 <= item.tag < len(tags):
            writer.text(_text_of(item.children))
        elif item.protected:
            if item.tag not in written:
                writer.copy(item.tag, tags)
            # Its own text is in the copy; a span nested in it is an empty one at
            # the same place (nest() puts the second of two there inside the first).
            nested = [c for c in item.children if isinstance(c, Element)]
            _write_tree(writer, nested, tags, written)
        else:
            original = tags[item.tag]
            attributes = dict(original.attrib)
            if item.tag in written:
                attributes.pop("id", None)  # one element cut in two pieces: one id
            element = original.makeelement(original.tag, attributes)
            children = list(item.children)
            # An empty span at an edge of this one nests in it (see nest()); an
            # image or input that was not inside the element goes beside it.
            inside = set(original.iterdescendants())
            before: list[str | Element] = []
            after: list[str | Element] = []
            while children and _foreign_empty(children[0], tags, inside):
                before.append(children.pop(0))
            while children and _foreign_empty(children[-1], tags, inside):
                after.insert(0, children.pop())
            _write_tree(writer, before, tags, written)
            writer.node(element)
            _write_tree(_Writer(element, 0, None, writer.copies), children, tags, written)
            _write_tree(writer, after, tags, written)
        if not isinstance(item, str) and item.tag != PLAIN_TAG:
            written.add(item.tag)


def _foreign_empty(item: str | Element, tags: list[Any], inside: set[Any]) -> bool:
    """An empty protected span whose element was not inside the one being written."""
    return (
        isinstance(item, Element)
        and item.protected
        and 0 <= item.tag < len(tags)
        and not _text_of(item.children)
        and tags[item.tag] not in inside
    )


def _text_of(items: Sequence[str | Element]) -> str:
    return "".join(i if isinstance(i, str) else _text_of(i.children) for i in items)


def _set_language(page: _Page) -> None:
    root = page.root
    if _local(root) != "html":
        return
    root.set("lang", "en")
    for attribute in (XML_LANG, "xml:lang"):
        if root.get(attribute) is not None:
            root.set(attribute, "en")


def _set_charset(root: Any) -> None:
    """Make every charset declaration in the page say UTF-8, as it now is."""
    for meta in root.iter():
        if _local(meta) != "meta":
            continue
        if meta.get("charset") is not None and meta.get("charset").lower() != "utf-8":
            meta.set("charset", "utf-8")
        content = meta.get("content")
        if (meta.get("http-equiv") or "").lower() == "content-type" and content:
            meta.set("content", _CHARSET_PARAM.sub(r"\g<1>utf-8", content))


def _serialize(page: _Page) -> bytes:
    from lxml import etree

    root = page.root
    if page.xml:
        return _serialize_xml(root)
    if page.fragment:
        parts = [etree.tostring(n, method="html", encoding="unicode") for n in _before(root)]
        for part in root:  # <head> and <body> that the parser added
            parts.append(part.text or "")
            parts.extend(etree.tostring(n, method="html", encoding="unicode") for n in part)
        parts.extend(etree.tostring(n, method="html", encoding="unicode") for n in _after(root))
        return "".join(parts).encode("utf-8")
    text: str = etree.tostring(root.getroottree(), method="html", encoding="unicode")
    return text.encode("utf-8")


def _before(root: Any) -> list[Any]:
    return list(reversed(list(root.itersiblings(preceding=True))))


def _after(root: Any) -> list[Any]:
    return list(root.itersiblings())


def _serialize_xml(root: Any) -> bytes:
    """XHTML as XML, with the XML declaration saying UTF-8.

    The root is copied out of its document first: libxml2 writes a document
    with an XHTML 1.0 doctype in its XHTML mode, which adds a
    ``Content-Type`` meta of its own. Empty non-void elements get empty text
    so that they are written ``<div></div>``, as an HTML parser needs.
    """
    from lxml import etree

    docinfo = root.getroottree().docinfo
    detached = copy.deepcopy(root)
    for element in detached.iter():
        local = _local(element)
        if local and local not in VOID_TAGS and element.text is None and len(element) == 0:
            element.text = ""
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n']
    if docinfo.doctype:
        parts.append(docinfo.doctype + "\n")
    parts.extend(etree.tostring(n, encoding="unicode") + "\n" for n in _before(root))
    parts.append(etree.tostring(detached, encoding="unicode", with_tail=False))
    parts.extend("\n" + etree.tostring(n, encoding="unicode") for n in _after(root))
    return ("".join(parts) + "\n").encode("utf-8")
