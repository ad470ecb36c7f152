"""XLIFF 2.0: the bilingual file CAT tools open for post-editing, and reading it back.

One ``<file>`` per document (``original`` is the document's name), one
``<unit id="pN">`` per paragraph and one ``<segment id="pN-sM">`` per
sentence, numbered from 1 as in the other formats::

    <xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0"
           srcLang="fr" trgLang="en">
    <file id="f1" original="article.fr.txt" canResegment="no">
      <mda:metadata xmlns:mda="urn:oasis:names:tc:xliff:metadata:2.0">
        <mda:metaGroup category="translate-cli">
          <mda:meta type="model">Helsinki-NLP/opus-mt-fr-en</mda:meta> ...
      </mda:metadata>
      <notes><note category="provenance">Machine translation by ...</note></notes>
      <unit id="p1">
        <notes>
          <note id="p1-s1-qa" category="qa">sentence 1: flags split; score -0.5000</note>
        </notes>
        <segment id="p1-s1" state="translated">
          <source>Bonjour.</source>
          <target>Hello.</target>
        </segment>
        <ignorable>
          <source xml:space="preserve"> </source>
          <target xml:space="preserve"> </target>
        </ignorable>
        <segment id="p1-s2" state="translated">
          <source>Il pleut.</source>
          <target>It is raining.</target>
        </segment>
      </unit>
    </file>
    </xliff>

Where things go follows the core schema: ``<segment>`` may hold only
``<source>`` and ``<target>``, so a sentence's flags and score are a note of
its unit, tied to it by the note's id and text, and so is each glossary term
found in its source (``<note id="p1-s1-term1" category="term">sentence 1:
term centrale nucléaire → nuclear power plant (missing)</note>``); the run's metadata is the
Metadata module (``mda``) for programs and a note for people.
``canResegment="no"`` asks CAT tools not to join or split segments, whose ids
carry the paragraph and sentence numbers back through :func:`read_xliff`.

What stood between the sentences of the paragraph (a space, two, a no-break
space) is an ``<ignorable>`` between their segments, the core schema's place
for "content that is not included in a segment", with the same text as
``<source>`` and ``<target>``: read in order, a unit's sources are exactly
the paragraph, and a CAT tool that writes the target paragraph from the
targets does not glue sentences together (``heures.Les élus``). Whitespace
before the first sentence or after the last is an ignorable too. The
whitespace is found by locating each sentence in the paragraph text; where
the paragraph is not known, as for documents read back from JSONL
(:func:`~translate_cli.writers.text.read_jsonl` gives empty paragraphs, so
combined files written from the JSONL outputs are in this case), a single
space stands between sentences. :func:`read_xliff` skips ignorables.
``state`` is ``reviewed`` when the pair is flagged ``reviewed``, otherwise
``translated``; ``final`` is the reviewer's to set. ``xml:space="preserve"``
is written only on a source or target that XML whitespace normalisation would
change, so the reader can normalise all the others, undoing what an editor's
reformatting does to them.

Units are written an element at a time (see :func:`_write_unit`), so memory follows
the largest paragraph, not the document. Characters XML cannot hold travel as
``<cp hex="..."/>``, the XLIFF 2.0 way, and come back exactly.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO
from xml.sax.saxutils import quoteattr

from lxml import etree

from ..document import AlignedPair, Result, TermUse
from ..errors import InputError, read_error
from .base import XML_ILLEGAL, Writer, meta_record, register, row_check, xml_safe

XLIFF_NS = "urn:oasis:names:tc:xliff:document:2.0"
MDA_NS = "urn:oasis:names:tc:xliff:metadata:2.0"
CHECK_CATEGORY = "translate-cli-check"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_XML_WHITESPACE = re.compile("[ \t\r\n]+")
# Attribute values keep these only as character references.
_ATTR_ENTITIES = {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
_UNIT_ID = re.compile(r"p(\d+)")
_SEGMENT_ID = re.compile(r"p(\d+)-s(\d+)")
_TAG = {name: f"{{{XLIFF_NS}}}{name}" for name in ("xliff", "file", "unit", "segment")}


@dataclass(frozen=True)
class ReviewedSegment:
    """One segment of an XLIFF file as a reviewer left it.

    Attributes:
        document: The ``original`` of its ``<file>`` (the input's name), or the
            file id when a tool dropped it.
        paragraph: Paragraph number, from 1 (the unit id ``pN``).
        sentence: Sentence number inside the paragraph, from 1 (the segment id
            ``pN-sM``; its position in the unit when a tool dropped the id).
        source: The source text.
        target: The target text, with inline markup reduced to its text; empty
            when the segment has no target.
        state: ``initial``, ``translated``, ``reviewed`` or ``final``
            (``initial`` when absent, as the standard says).
        check: The segment's check (:func:`translate_cli.writers.base.row_check`)
            from the unit's ``mda`` metadata, or "" when a tool dropped it.
    """

    document: str
    paragraph: int
    sentence: int
    source: str
    target: str
    state: str
    check: str = ""


def normalise_space(text: str) -> str:
    """What XML whitespace handling may make of ``text`` without xml:space="preserve".

    Only the four XML whitespace characters count: the no-break spaces of
    French typography are text.
    """
    return _XML_WHITESPACE.sub(" ", text).strip(" ")


def _attr(value: object) -> str:
    return quoteattr(xml_safe(str(value)), _ATTR_ENTITIES)


def _serialise(element: etree._Element, level: int = 1) -> str:
    """One element, indented at ``level`` (two spaces each). Leaf text is never touched."""
    etree.indent(element, space="  ", level=level)
    text: str = etree.tostring(element, encoding="unicode")
    return "  " * level + text + "\n"


def _text_element(parent: etree._Element, tag: str, text: str) -> etree._Element:
    """A ``<source>`` or ``<target>`` holding ``text`` exactly.

    Characters XML cannot hold (C0 controls, U+FFFE, U+FFFF, lone
    surrogates) are written as XLIFF 2.0 ``<cp hex="..."/>`` elements, which
    :func:`read_xliff` turns back into them, so the segment's check still
    matches on import.
    """
    element = etree.SubElement(parent, tag)
    if normalise_space(text) != text:
        element.set(_XML_SPACE, "preserve")
    pieces = XML_ILLEGAL.split(text)
    element.text = pieces[0]
    for char, tail in zip(XML_ILLEGAL.findall(text), pieces[1:], strict=True):
        etree.SubElement(element, "cp", hex=f"{ord(char):04X}").tail = tail
    return element


def _segment_id(pair: AlignedPair) -> str:
    return f"p{pair.paragraph_number}-s{pair.sentence_number}"


def _qa_note(pair: AlignedPair) -> str:
    parts = []
    if pair.flags:
        parts.append("flags " + ", ".join(pair.flags))
    if pair.score is not None and not math.isnan(pair.score):
        parts.append(f"score {pair.score:.4f}")
    return f"sentence {pair.sentence_number}: " + "; ".join(parts)


def _term_note(pair: AlignedPair, term: TermUse) -> str:
    text = f"sentence {pair.sentence_number}: term {term.source} → {term.target} ({term.status})"
    return text + (f"; note: {term.note}" if term.note else "")


def _notes(pair: AlignedPair) -> Iterator[etree._Element]:
    """A pair's notes: its flags and score (``pN-sM-qa``), then one per glossary term.

    A term's note (``pN-sM-term1``, category ``term``) reads ``sentence 2:
    term centrale nucléaire → nuclear power plant (missing); note: ...``.
    """
    if pair.flags or (pair.score is not None and not math.isnan(pair.score)):
        note = etree.Element("note", id=_segment_id(pair) + "-qa", category="qa")
        note.text = xml_safe(_qa_note(pair))
        yield note
    for number, term in enumerate(pair.terms, 1):
        note = etree.Element("note", id=f"{_segment_id(pair)}-term{number}", category="term")
        note.text = xml_safe(_term_note(pair, term))
        yield note


def paragraph_gaps(paragraph: str, sources: Sequence[str]) -> list[str]:
    """What stands before, between and after the sentences of a paragraph.

    Args:
        paragraph: The paragraph's text, or "" when it is not known.
        sources: Its sentences in order, each stripped, as
            :func:`~translate_cli.segment.split_sentences` gives them.

    Returns:
        ``len(sources) + 1`` strings of whitespace: before the first sentence,
        between each two, after the last. When the sentences are not found
        in order in ``paragraph`` with only whitespace around them (the
        paragraph is unknown, or is not the one they were split from), ""
        at the ends and one space between sentences.
    """
    unknown = ["", *[" "] * (len(sources) - 1), ""] if sources else [""]
    gaps: list[str] = []
    cursor = 0
    for source in sources:
        at = paragraph.find(source, cursor) if source else -1
        if at < 0 or not _blank(paragraph[cursor:at]):
            return unknown
        gaps.append(paragraph[cursor:at])
        cursor = at + len(source)
    gaps.append(paragraph[cursor:])
    return gaps if _blank(gaps[-1]) else unknown


def _blank(text: str) -> bool:
    return not text or text.isspace()


def _ignorable(text: str) -> str:
    """An ``<ignorable>`` whose source and target are ``text``, indented as segments are."""
    ignorable = etree.Element("ignorable")
    ignorable.text = "\n      "
    _text_element(ignorable, "source", text).tail = "\n      "
    _text_element(ignorable, "target", text).tail = "\n    "
    xml: str = etree.tostring(ignorable, encoding="unicode")
    return "    " + xml + "\n"


def _write_unit(
    out: TextIO,
    document: str,
    paragraph_number: int,
    pairs: Sequence[AlignedPair],
    paragraph: str = "",
) -> None:
    """Write one paragraph's unit, a line or an element at a time.

    A paragraph may hold megabytes of text (a long file without blank
    lines is one paragraph): building the unit as one tree and one string
    took about 70 times the text's size, so each check, note and segment is
    serialised and written on its own. Elements are written without a
    namespace inside ``<xliff xmlns="...">``, so they land in the XLIFF
    namespace without a declaration on each. ``paragraph`` is the
    paragraph's text, for the whitespace between sentences (see
    :func:`paragraph_gaps`).
    """
    out.write(f'  <unit id="p{paragraph_number}">\n')
    # Per-segment checks, so an import can prove each segment still holds the
    # sentence it was exported with (see translate_cli.review). Ids and
    # checks are ASCII letters, digits and hyphens: nothing to escape.
    out.write(f'    <mda:metadata xmlns:mda="{MDA_NS}">\n')
    out.write(f'      <mda:metaGroup category="{CHECK_CATEGORY}">\n')
    for pair in pairs:
        check = row_check(
            document, pair.paragraph_number, pair.sentence_number, pair.source, pair.target
        )
        out.write(f'        <mda:meta type="{_segment_id(pair)}">{check}</mda:meta>\n')
    out.write("      </mda:metaGroup>\n    </mda:metadata>\n")
    # Serialised one at a time, as made: a paragraph's notes are never all in memory.
    notes = (note for pair in pairs for note in _notes(pair))
    first = next(notes, None)
    if first is not None:
        out.write("    <notes>\n")
        for note in itertools.chain((first,), notes):
            out.write(_serialise(note, level=3))
        out.write("    </notes>\n")
    gaps = paragraph_gaps(paragraph, [pair.source for pair in pairs])
    for pair, before in zip(pairs, gaps, strict=False):
        if before:
            out.write(_ignorable(before))
        state = "reviewed" if "reviewed" in pair.flags else "translated"
        segment = etree.Element("segment", id=_segment_id(pair), state=state)
        # Indented by hand: etree.indent would also indent inside a source
        # holding <cp> elements, changing its text.
        segment.text = "\n      "
        _text_element(segment, "source", pair.source).tail = "\n      "
        _text_element(segment, "target", pair.target).tail = "\n    "
        out.write("    " + etree.tostring(segment, encoding="unicode") + "\n")
    if gaps[-1]:
        out.write(_ignorable(gaps[-1]))
    out.write("  </unit>\n")


def _empty_unit() -> str:
    # The schema wants at least one unit in a file, and a unit needs a segment
    # or an <ignorable>: an empty document gets an empty ignorable, which
    # read_xliff skips.
    unit = etree.Element("unit", id="empty", translate="no")
    etree.SubElement(etree.SubElement(unit, "ignorable"), "source")
    return _serialise(unit)


def _file_start(number: int, result: Result) -> str:
    meta = result.meta
    record = meta_record(result)
    extra = record.pop("extra")
    metadata = etree.Element(f"{{{MDA_NS}}}metadata", nsmap={"mda": MDA_NS})
    group = etree.SubElement(metadata, f"{{{MDA_NS}}}metaGroup", category="translate-cli")
    items = [*record.items(), *((f"extra.{k}", v) for k, v in sorted(extra.items()))]
    for key, value in items:
        etree.SubElement(group, f"{{{MDA_NS}}}meta", type=key).text = xml_safe(str(value))
    notes = etree.Element("notes")
    etree.SubElement(notes, "note", category="provenance").text = xml_safe(
        f"Machine translation by translate-cli {meta.tool_version} with {meta.model} "
        f"(revision {meta.revision}), engine {meta.engine}, {meta.beams} beams, "
        f"on {meta.date}."
    )
    return (
        f'<file id="f{number}" original={_attr(result.document.name)} canResegment="no">\n'
        + _serialise(metadata)
        + _serialise(notes)
    )


@register
class XLIFFWriter(Writer):
    """XLIFF 2.0 for CAT tools: a file per document, a unit per paragraph, a segment per sentence.

    The root's languages come from the first document's metadata.
    """

    name = "xliff"
    suffixes = (".fr-en.xlf",)
    description = "XLIFF 2.0 for post-editing in CAT tools (read back with read_xliff)"

    def write(self, results: Iterable[Result], *streams: TextIO) -> None:
        out = streams[0]
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        number = 0
        for number, result in enumerate(results, 1):
            if number == 1:
                out.write(
                    f'<xliff xmlns="{XLIFF_NS}" version="2.0" '
                    f"srcLang={_attr(result.meta.source_lang)} "
                    f"trgLang={_attr(result.meta.target_lang)}>\n"
                )
            out.write(_file_start(number, result))
            # Pairs come in document order; a stable sort (a copy) only when a
            # paragraph's sentences arrive interleaved.
            pairs: Sequence[AlignedPair] = result.pairs
            if any(a.paragraph > b.paragraph for a, b in itertools.pairwise(pairs)):
                pairs = sorted(pairs, key=lambda pair: pair.paragraph)
            texts = result.document.paragraphs
            for index, group in itertools.groupby(pairs, key=lambda pair: pair.paragraph):
                unit = list(group)
                text = texts[index] if 0 <= index < len(texts) else ""
                _write_unit(out, result.document.name, unit[0].paragraph_number, unit, text)
            if not pairs:
                out.write(_empty_unit())
            out.write("</file>\n")
        if not number:
            raise ValueError("an XLIFF file needs at least one document")
        out.write("</xliff>\n")


def _inline_text(element: etree._Element) -> str:
    """The text of a source or target, inline elements (mrk, pc, ...) reduced to their text."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str):  # not a comment or processing instruction
            if etree.QName(child).localname == "cp":
                parts.append(_code_point(child.get("hex", "")))
            else:
                parts.append(_inline_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _code_point(hex_value: str) -> str:
    """``<cp hex="0001"/>``: a character XML cannot hold as text."""
    try:
        return chr(int(hex_value, 16))
    except (ValueError, OverflowError):
        return "\ufffd"


def _content(element: etree._Element | None) -> str:
    if element is None:
        return ""
    text = _inline_text(element)
    for node in itertools.chain([element], element.iterancestors()):
        space = node.get(_XML_SPACE)
        if space is not None:
            return text if space == "preserve" else normalise_space(text)
    return normalise_space(text)


def _segments(path: Path, document: str, unit: etree._Element) -> Iterator[ReviewedSegment]:
    segments = unit.findall(_TAG["segment"])
    if not segments:
        return
    unit_id = unit.get("id", "")
    match = _UNIT_ID.fullmatch(unit_id)
    if not match:
        raise InputError(
            path, f"unit id {unit_id!r} in {document!r} is not pN, as translate-cli writes"
        )
    paragraph = int(match[1])
    checks = {
        meta.get("type"): (meta.text or "").strip()
        for meta in unit.iterfind(
            f"{{{MDA_NS}}}metadata/{{{MDA_NS}}}metaGroup[@category='{CHECK_CATEGORY}']/{{{MDA_NS}}}meta"
        )
    }
    for position, segment in enumerate(segments, 1):
        segment_id = segment.get("id")
        sentence = position
        if segment_id is not None:
            found = _SEGMENT_ID.fullmatch(segment_id)
            if not found or int(found[1]) != paragraph:
                raise InputError(
                    path,
                    f"segment id {segment_id!r} in unit {unit_id!r} of {document!r} "
                    f"is not p{paragraph}-sN, as translate-cli writes",
                )
            sentence = int(found[2])
        source = segment.find(f"{{{XLIFF_NS}}}source")
        if source is None:
            raise InputError(
                path, f"segment {segment_id or position} of {document!r} has no source"
            )
        yield ReviewedSegment(
            document,
            paragraph,
            sentence,
            _content(source),
            _content(segment.find(f"{{{XLIFF_NS}}}target")),
            segment.get("state", "initial"),
            checks.get(segment_id or "", ""),
        )


def _check_root(path: Path, root: etree._Element) -> None:
    qname = etree.QName(root)
    if qname.localname == "xliff" and (qname.namespace or "").startswith(
        "urn:oasis:names:tc:xliff:document:1."
    ):
        raise InputError(path, f"XLIFF {root.get('version', '1.x')} file; expected XLIFF 2.0")
    if root.tag != _TAG["xliff"]:
        raise InputError(path, f"not an XLIFF 2.0 file: its root element is {root.tag!r}")
    version = root.get("version", "")
    if not version.startswith("2."):
        raise InputError(path, f"XLIFF version {version!r}; expected 2.0")


def read_xliff(path: Path | str) -> Iterator[ReviewedSegment]:
    """Read the segments of an XLIFF 2.0 file, as translate-cli wrote it or a CAT tool saved it.

    Tolerates what CAT tools do to a file: whitespace reformatted between and
    (without ``xml:space="preserve"``) inside elements, attributes and
    elements of other namespaces, units wrapped in ``<group>``, and inline
    ``<mrk>``/``<pc>``/``<ph>``/``<cp>`` markup, of which the text is kept.
    The file is streamed unit by unit, so its size does not matter.

    Raises:
        InputError: The file is unreadable, not XML, not XLIFF 2.0, or its unit
            and segment ids are not those translate-cli writes.
    """
    path = Path(path)
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise read_error(path, exc) from None
    with handle:
        # No DTD, no entities, no network: a hostile file can neither read
        # local files nor call out.
        events = etree.iterparse(
            handle,
            events=("start", "end"),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
        )
        document = ""
        root: etree._Element | None = None
        try:
            for event, element in events:
                if root is None:
                    root = element
                    _check_root(path, root)
                elif event == "start" and element.tag == _TAG["file"]:
                    document = element.get("original") or element.get("id") or ""
                elif event == "end" and element.tag == _TAG["unit"]:
                    yield from _segments(path, document, element)
                    # Free what was read: the unit and the siblings before it.
                    element.clear(keep_tail=True)
                    parent = element.getparent()
                    while parent is not None and element.getprevious() is not None:
                        del parent[0]
        except etree.XMLSyntaxError as exc:
            raise InputError(path, f"not well-formed XML: {exc}") from None
