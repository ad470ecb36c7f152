"""TMX 1.4b: the translation-memory exchange format every CAT tool reads."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TextIO

from lxml import etree

from ..document import AlignedPair, Result
from .base import Writer, meta_record, register, xml_safe

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# Run metadata repeated as header props (the rest is in header attributes).
_HEADER_PROPS = ("model", "revision", "engine", "beams", "date")


def tmx_date(iso: str) -> str:
    """ISO 8601 ``2026-11-24T20:15:00Z`` to TMX's ``20261124T201500Z``."""
    return iso.replace("-", "").replace(":", "").split(".")[0].rstrip("Z") + "Z"


def _prop(parent: etree._Element, kind: str, value: object) -> None:
    etree.SubElement(parent, "prop", type=f"x-{kind}").text = xml_safe(str(value))


def _serialise(element: etree._Element) -> str:
    text: str = etree.tostring(element, encoding="unicode", pretty_print=True)
    return text


def _header(result: Result) -> str:
    meta = meta_record(result)
    header = etree.Element(
        "header",
        creationtool="translate-cli",
        creationtoolversion=result.meta.tool_version,
        segtype="sentence",
        datatype="plaintext",
        adminlang="en",
        srclang=result.meta.source_lang,
        creationdate=tmx_date(result.meta.date),
    )
    header.set("o-tmf", "translate-cli")
    for key in _HEADER_PROPS:
        _prop(header, key, meta[key])
    return _serialise(header)


def _unit(number: int, document: str, pair: AlignedPair, lang: Sequence[str]) -> str:
    tu = etree.Element("tu", tuid=str(number))
    _prop(tu, "document", document)
    _prop(tu, "paragraph", pair.paragraph_number)
    _prop(tu, "sentence", pair.sentence_number)
    if pair.flags:
        _prop(tu, "flags", ",".join(pair.flags))
    if pair.score is not None:
        _prop(tu, "score", f"{pair.score:.4f}")
    for code, text in zip(lang, (pair.source, pair.target), strict=True):
        tuv = etree.SubElement(tu, "tuv", {_XML_LANG: code})
        etree.SubElement(tuv, "seg").text = xml_safe(text)
    return _serialise(tu)


@register
class TMXWriter(Writer):
    """One ``tu`` per sentence pair, with document, paragraph and flags as props.

    Units are serialised one at a time, so a combined file for a large run
    never holds the whole tree in memory. The header carries the run's
    metadata (from the first document); each unit names its document.
    """

    name = "tmx"
    suffixes = (".fr-en.tmx",)
    description = "TMX 1.4b translation memory for CAT tools"

    def write(self, results: Iterable[Result], *streams: TextIO) -> None:
        out = streams[0]
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write('<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n<tmx version="1.4">\n')
        number = 0
        started = False
        for result in results:
            if not started:
                out.write(_header(result))
                out.write("<body>\n")
                started = True
            lang = (result.meta.source_lang, result.meta.target_lang)
            for pair in result.pairs:
                number += 1
                out.write(_unit(number, result.document.name, pair, lang))
        if not started:
            raise ValueError("a TMX file needs at least one document for its header")
        out.write("</body>\n</tmx>\n")
