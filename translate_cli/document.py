"""Reading French text into paragraphs, and the dataclasses that travel the pipeline.

A ``Document`` is what the rest of the tool sees of an input: decoded,
NFC-normalised text cut into paragraphs. Paragraph structure is what a reader
of the English output expects to find again, and a sentence cut in two at a
line end is translated as two fragments, so it is decided here once, from
the document's own evidence:

* **Blank lines.** A line of whitespace and invisible format characters only
  (U+200B, U+FEFF, U+2060: Unicode category Cf) is blank: it looks empty in
  every editor. A file with blank lines between blocks is a *blank-line*
  document; blank lines always separate paragraphs.
* **Wrapped or one paragraph per line.** Scraped articles come one paragraph
  per line, lines of hundreds of characters; e-mails, ``fmt`` output and PDF
  copies are hard-wrapped at 60 to 100 columns. A document is read as wrapped
  when at least nine tenths of its running-text lines fit
  :data:`_MAX_WRAP_WIDTH` and either it has blank lines (they mark the
  paragraphs, so breaks inside a block are wraps) or over half of its line
  breaks look like wraps: the line ends without final punctuation, and the
  next line starts lowercase, or a word was cut there, or the line ends with
  a comma or a grammar word, or the line fills most of the width and the next
  line does not start like a new item (a capitalised word followed by neither
  a comma nor another capitalised word: ``Fortes pluies``, not ``Nord,`` or
  ``Marc Henry``). The last condition keeps a file of long headlines, which
  fill the width and all end without punctuation, from reading as one
  wrapped paragraph: merging distinct items is worse than splitting one
  wrapped sentence. Headlines and bylines (short lines that open a block or
  follow a sentence end or another headline, and are followed by a new
  sentence), labels and list items do not vote, since both kinds of file
  have them and their breaks are never wraps.
* **Wrap width** is the longest line, unless it is far longer than the next
  one (over :data:`_WIDTH_OUTLIER` times: one URL, one table row), which no
  wrapping tool wrote; then the next one. Otherwise a single long URL line
  would make every wrapped line look short, hence a headline.
* **A line ending with an emoji or pictographic symbol** ends a paragraph,
  like final punctuation: social posts and chat lines end so, and no
  sentence is cut after one.
* **One paragraph per line.** Each line is a paragraph; a line is joined to
  the next only when it clearly stops mid-sentence: no final punctuation,
  and the next line starts lowercase or the line ends with a comma or a
  grammar word (``de``, ``que``: a closed class that never ends a paragraph).
* **Wrapped text.** A line is joined to the previous one unless the previous
  one ends the paragraph: it is a headline (it starts a paragraph, is short,
  ends with no punctuation and no grammar word such as ``de``, and the next
  line starts a new sentence; see below), or it
  ends a sentence and the next line is indented or, in a file without blank
  lines wrapped by a tool, the next line's first word would have fitted on
  it (a wrapping tool breaks only when the next word does not fit; whether
  the file was wrapped so is read from its breaks inside sentences, since
  lines broken by hand leave room anywhere). A line that ends without
  final punctuation is continued whatever the next line starts with: a
  proper noun, a number or ``«``.
* **Headlines are told from cut sentences** by the line after them. After a
  headline comes a new sentence: a structural line, a grammar word or
  pronoun (``Le``, ``Par``, ``Il``), or a capitalised word. A first line that
  stops mid-sentence is followed by a number (``12 000 visiteurs``,
  ``000 euros``), a word and a comma (``Nord,``), lowercase, or a
  capitalised word after a line ending with one (``Victor`` / ``Hugo``: a
  name cut in two); such a line is no headline however short, since hand
  breaks and PDF copies leave short first lines.
* **Headings after a paragraph.** A short line without final punctuation
  that follows a sentence end and is followed by a new sentence or a list
  item is a heading (``Mesures prises``): headings are never joined to
  their neighbours.
* **Signatures.** The last line of a block, a few capitalised words without
  final punctuation after a short line ending with a comma (``Cordialement,``
  / ``Hélène``), is a paragraph of its own: a closing formula and a name, as
  letters and e-mails end, not a sentence cut at its comma.
* **List continuations.** A line indented deeper than the list item that
  opened the paragraph continues the item, whatever it starts with (a
  hanging indent: ``  Sophie Renard, qui …``); only a new item or a line at
  the item's indent or less ends it.
* **Lines that are never running text**, in both kinds and inside a block,
  stay paragraphs of their own: lines without a letter (``* * *``, ``—``,
  ``12/03/2024``), list items (``- …``, ``1. …``), and short form labels
  (``Nom :``, ``Date : 12 mars``).
* **Words cut by a hyphen** at a line end (:mod:`translate_cli.dehyphenate`)
  always continue on the next line, without a space, hyphen kept or not.
"""

from __future__ import annotations

import codecs
import hashlib
import itertools
import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from . import dehyphenate
from .config import DEFAULT_SOURCE_LANG, DEFAULT_TARGET_LANG
from .errors import InputError, read_error
from .markup import Block, Layout, Placed, Span
from .vocabulary import TermStatus

# Characters that end a line that is a complete unit (sentence, headline with
# punctuation, or quote close). A line ending otherwise continues on the next.
_FINAL = tuple('.!?…:;»"”’)]')
_SURROGATE = re.compile("[\ud800-\udfff]")
_LIST_ITEM = re.compile(r"^\s*(?:[-*•–—]|\d{1,3}[.)])\s+")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# C0 controls other than NUL, tab, newline, vertical tab, form feed and
# carriage return. Scraped text may hold a few stray ones; binary files hold
# NUL bytes, or these in bulk.
_CONTROLS = bytes(range(1, 9)) + bytes(range(14, 32))
_BINARY_CONTROL_SHARE = 0.05
# Single-byte encodings French text is found in. Restricting the detector to
# them avoids the classic misreading of short French text as cp1250 ("ŕ").
_FRENCH_ENCODINGS = ("cp1252", "latin_1", "iso8859_15", "mac_roman", "cp850")
# A headline is a line clearly shorter than the wrap width.
_HEADLINE_RATIO = 0.6
# Ends that show a line stops mid-phrase, so it is no headline.
_NOT_HEADLINE_END = (".", "!", "?", "…", ":", ";", "-")
# Articles, prepositions, conjunctions and determiners: a closed class of
# French grammar words. A line ending with one stops mid-phrase.
# fmt: off
_GRAMMAR_WORDS = frozenset({
    "le", "la", "les", "un", "une", "des", "du", "de", "au", "aux", "à",
    "et", "ou", "ni", "que", "qui", "dont", "mais", "donc", "car",
    "en", "dans", "par", "pour", "sur", "sous", "avec", "sans", "entre", "vers", "chez",
    "ce", "cet", "cette", "ces", "son", "sa", "ses", "leur", "leurs",
    "mon", "ma", "mes", "ton", "ta", "tes", "notre", "nos", "votre", "vos",
})
# fmt: on
_GRAMMAR_WORD_WINDOW = 8
# Words that start a sentence and never continue one cut before a capital:
# grammar words, subject pronouns, and the ``Par`` of a byline.
_SENTENCE_STARTERS = _GRAMMAR_WORDS | {
    "il",
    "elle",
    "ils",
    "elles",
    "on",
    "nous",
    "je",
    "tu",
    "par",
    "selon",
    "après",
    "avant",
}
# A wrap width is the longest line, unless that line is far longer than the
# next one (a URL, a table row): then the next one.
_WIDTH_OUTLIER = 1.2
# A signature after a closing formula (``Cordialement,`` / ``Hélène``).
_SIGNATURE_MAX = 30
_CLOSING_MAX = 40
# Characters a trailing emoji carries after its base: variation selectors,
# joiners, skin-tone modifiers, keycap.
_EMOJI_TAIL = frozenset({"Mn", "Me", "Cf", "Sk"})
# A sentence end: final punctuation, then closing quotes or brackets (French
# sets a space before ``»``).
_SENTENCE_END = re.compile(r"[.!?…][\s»\"”’)\]]*$")
_SENTENCE_END_WINDOW = 20
_FIRST_WORD = re.compile(r"\S+")
# A form label: up to four words, a colon, and perhaps a short value.
_LABEL = re.compile(r"^([^\W\d_][^\s:]*)(?:\s+[^\s:]+){0,3}\s?:(?:\s+\S.*)?$")
# Words a sentence starts with and a label does not: articles and subject pronouns.
_NOT_LABEL_START = _GRAMMAR_WORDS | {"il", "elle", "ils", "elles", "on", "nous", "vous", "je", "tu"}
_LABEL_MAX = 60
# Wrapping tools and mail programs wrap at 60 to 80 columns (fmt 75, git 72,
# RFC 5322 78), PDF copies at up to about 100. One-paragraph-per-line files
# have lines of hundreds of characters.
_MAX_WRAP_WIDTH = 100
# Share of running-text lines that must fit the wrap width in wrapped text
# (the rest: a URL, a table row).
_WRAP_FITTING_SHARE = 0.9
# A wrapped line that ends mid-sentence fills most of the width.
_NEAR_WIDTH = 0.6
# Share of line breaks that must look like wraps in a file without blank lines.
_WRAPPED_SHARE = 0.5
# Share of breaks inside sentences that must be forced by the width for the
# wrap to count as greedy (a PDF copy's proportional font lets a few pass).
_GREEDY_SHARE = 0.9
# Bytes that are not UTF-8, as Python holds them after a ``surrogateescape``
# decode (PEP 383): U+DC80..U+DCFF stand for the bytes 0x80..0xFF.
_ESCAPED_BYTES = re.compile("[\udc80-\udcff]+")
# Damaged spans of a UTF-8 file reported one by one; the rest are counted.
_MAX_DAMAGE_WARNINGS = 5
# Largest input read: a French article is kilobytes; a file over 1 GiB is a
# mistake (a disk image, a log), and reading it whole would exhaust memory.
MAX_INPUT_BYTES = 1 << 30
# Non-blocking, so that a FIFO swapped in after the check cannot hang the run.
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)
_FILE_KINDS = (
    (stat.S_ISFIFO, "FIFO"),
    (stat.S_ISCHR, "character device"),
    (stat.S_ISBLK, "block device"),
    (stat.S_ISSOCK, "socket"),
    (stat.S_ISDIR, "directory"),
)


@dataclass(frozen=True)
class Document:
    """A decoded input, cut into paragraphs.

    Attributes:
        name: Display name (the path as given, or ``<stdin>``).
        paragraphs: Paragraph texts, each on one line, in order.
        separator: What stood between paragraphs: ``"\\n\\n"`` for blank-line
            documents, ``"\\n"`` for line documents. The English document is
            joined with the same separator.
        encoding: The encoding the bytes were decoded with.
        sha256: Hex digest of the raw input bytes (resume and provenance).
        warnings: What was repaired on reading, one line each without the
            file name (``line 3: invalid UTF-8 byte 0xE9 replaced with
            U+FFFD``). The library never prints them; the CLI does.
        blocks: For a structured input (Markdown, HTML, Word, subtitles),
            its blocks with their inline markup, one per paragraph
            (``paragraphs[i] == blocks[i].text``); empty for plain text.
        layout: For a structured input, what writes the English file back
            in its format (:class:`~translate_cli.markup.Layout`); None for
            plain text.
    """

    name: str
    paragraphs: tuple[str, ...]
    separator: str = "\n"
    encoding: str = "utf-8"
    sha256: str = ""
    warnings: tuple[str, ...] = ()
    blocks: tuple[Block, ...] = ()
    layout: Layout | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Sentence:
    """One source sentence and where it sits.

    Attributes:
        paragraph: Index of its paragraph in the document (0-based).
        index: Index of the sentence inside its paragraph (0-based).
        text: The sentence, stripped of surrounding whitespace.
        start: Where ``text`` starts in its paragraph.
        spans: Its inline elements (structured documents) and the protected
            text found in it (URLs, e-mail addresses, handles, hashtags, file
            paths; any document), in ``text``'s offsets.
    """

    paragraph: int
    index: int
    text: str
    start: int = 0
    spans: tuple[Span, ...] = ()


@dataclass(frozen=True)
class Hypothesis:
    """What an engine returns for one source text.

    Attributes:
        text: The translation.
        score: Length-normalised log-probability of ``text`` under the model, or
            None when the engine cannot give one.
        truncated: Decoding stopped at the model's output cap (``max_length`` /
            ``max_new_tokens``) instead of at the end-of-sentence token, so
            ``text`` is probably missing its end. Carried so that a cut can be
            retried and a reviewer told; never silent.
    """

    text: str
    score: float | None = None
    truncated: bool = False


@dataclass(frozen=True)
class TermUse:
    """A glossary term found in a pair's source, and whether the target uses it.

    Attributes:
        source: The French occurrence as written in the sentence.
        target: The English the glossary requires for it (plural when the
            occurrence is; for a do-not-translate term, ``source``).
        status: Present in the target, restored there by the tool, or missing
            (the pair is then flagged ``term``).
        note: The glossary's note on the term, ``""`` when none.
    """

    source: str
    target: str
    status: TermStatus
    note: str = ""


@dataclass(frozen=True)
class AlignedPair:
    """A source sentence with its translation, the unit every writer works on.

    Attributes:
        paragraph: Paragraph index (0-based).
        index: Sentence index inside the paragraph (0-based).
        source: French sentence.
        target: English translation.
        flags: Review flags, e.g. ``split`` when the sentence was too long for
            the model and was translated in pieces.
        score: The model's length-normalised log-probability, when known.
        alignment: Word alignment between ``source`` and ``target`` as
            Pharaoh pairs ``(i, j)`` of word indices (``str.split`` words),
            for pairs of structured documents; None when not computed.
        terms: The glossary terms found in ``source``, in source order
            (empty without a glossary).
    """

    paragraph: int
    index: int
    source: str
    target: str
    flags: tuple[str, ...] = ()
    score: float | None = None
    alignment: tuple[tuple[int, int], ...] | None = None
    terms: tuple[TermUse, ...] = ()

    # Files number paragraphs and sentences from 1; the code counts from 0.
    # These two properties and :meth:`numbered` are the only conversions.
    @property
    def paragraph_number(self) -> int:
        """The paragraph's number as written in files (from 1)."""
        return self.paragraph + 1

    @property
    def sentence_number(self) -> int:
        """The sentence's number inside its paragraph as written in files (from 1)."""
        return self.index + 1

    @classmethod
    def numbered(
        cls,
        paragraph_number: int,
        sentence_number: int,
        source: str,
        target: str,
        flags: tuple[str, ...] = (),
        score: float | None = None,
        alignment: tuple[tuple[int, int], ...] | None = None,
    ) -> AlignedPair:
        """A pair read back from a file, whose numbers start at 1."""
        return cls(
            paragraph_number - 1, sentence_number - 1, source, target, flags, score, alignment
        )


@dataclass(frozen=True)
class RunMeta:
    """Provenance written into every output (cf. sacrebleu's signature).

    Attributes:
        tool_version: translate-cli version.
        model: Model id or local path as given.
        revision: Hub commit hash, or a content fingerprint for local models.
        engine: Engine that produced the translations.
        beams: Beam size used.
        date: UTC timestamp of the run, ISO 8601.
        source_lang: Source language code (BCP 47), the model's (see
            :func:`~translate_cli.engines.marian_files.read_languages`).
        target_lang: Target language code (BCP 47), the model's.
        extra: Other settings worth recording (device, compute type, ...).
    """

    tool_version: str
    model: str
    revision: str
    engine: str
    beams: int
    date: str
    source_lang: str = DEFAULT_SOURCE_LANG
    target_lang: str = DEFAULT_TARGET_LANG
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Result:
    """A translated document: the input, its aligned pairs, and provenance.

    Attributes:
        document: The input.
        pairs: Its sentences with their translations, in document order.
        meta: Provenance.
        placed: For a structured document, each pair's translation with the
            inline markup laid over it, in the same order as ``pairs``
            (what its layout writes); empty for plain text.
    """

    document: Document
    pairs: tuple[AlignedPair, ...]
    meta: RunMeta
    placed: tuple[Placed, ...] = ()

    def rendered(self) -> bytes:
        """The English file of a structured document, written by its layout.

        Raises:
            ValueError: The document has no layout (plain text).
            InputError: The layout could not write it back (one line naming
                the input), so one document fails and not the run.
        """
        layout = self.document.layout
        if layout is None:
            raise ValueError(f"{self.document.name}: plain text has no layout")
        blocks: list[list[Placed]] = [[] for _ in self.document.paragraphs]
        for pair, placed in zip(self.pairs, self.placed, strict=True):
            blocks[pair.paragraph].append(placed)
        for number, block in enumerate(self.document.blocks):
            if not blocks[number] and block.spans:
                blocks[number].append(Placed(0, 0, block.text, block.spans))
        try:
            return layout.render(blocks)
        except Exception as exc:  # a layout's fault on an odd document
            cause = " ".join(str(exc).split()) or type(exc).__name__
            raise InputError(
                self.document.name, f"cannot write the English document: {cause}"
            ) from exc

    def paragraph_targets(self) -> list[str]:
        """The English paragraphs, in document order, sentences joined by a space."""
        out: list[list[str]] = [[] for _ in self.document.paragraphs]
        for pair in self.pairs:
            if pair.target:
                out[pair.paragraph].append(pair.target)
        return [" ".join(p) for p in out]


@dataclass(frozen=True)
class Decoded:
    """Decoded input bytes.

    Attributes:
        text: The text, not yet normalised.
        encoding: The encoding used.
        warnings: What was repaired, one line each (see :attr:`Document.warnings`).
    """

    text: str
    encoding: str
    warnings: tuple[str, ...] = ()


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Decode input bytes, detecting the encoding (:func:`decode_bytes` without warnings).

    Returns:
        The text and the name of the encoding used.

    Raises:
        InputError: The bytes are binary or in no encoding that can be detected.
    """
    decoded = decode_bytes(data, name)
    return decoded.text, decoded.encoding


def decode_bytes(data: bytes, name: str) -> Decoded:
    """Decode input bytes, detecting the encoding.

    UTF-8 (with or without BOM) is tried first because it is what nearly every
    modern file is, and a successful strict UTF-8 decode is almost never wrong.
    When it fails, the evidence decides: a file holding at least as many valid
    multi-byte UTF-8 sequences as invalid bytes is UTF-8 with damage (a cut
    sequence, one stray byte), since single-byte French text almost never
    forms a valid UTF-8 sequence by chance; its invalid bytes become U+FFFD
    and are reported in ``warnings``, rather than the whole file being read
    as cp1252 mojibake (``QuÃ©bec``). Otherwise (high bytes and no UTF-8
    sequences) the file is single-byte text, detected by charset-normalizer
    (cp1252, latin-1 ...). UTF-16 is detected by BOM or NUL pattern.

    Raises:
        InputError: The bytes are binary or in no encoding that can be detected.
    """
    if data.startswith(codecs.BOM_UTF8):
        # The BOM settles the encoding: damage is repaired, never re-guessed.
        return _repaired(*_utf8_damage(data[len(codecs.BOM_UTF8) :]), "utf-8-sig")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data.decode(encoding), encoding)
            except UnicodeDecodeError as exc:
                raise InputError(name, f"invalid {encoding} text: {exc.reason}") from None
    sample = data[:65536]
    for encoding, zeros in (("utf-16-le", sample[1::2]), ("utf-16-be", sample[0::2])):
        # BOM-less UTF-16: Latin text has a NUL in every other byte.
        if len(sample) >= 4 and zeros.count(0) > 0.9 * len(zeros):
            try:
                return Decoded(data.decode(encoding), encoding)
            except UnicodeDecodeError:
                break
    controls = len(sample) - len(sample.translate(None, _CONTROLS))
    if b"\x00" in sample or controls > max(8, _BINARY_CONTROL_SHARE * len(sample)):
        raise InputError(name, "not a text file (binary content)")
    escaped, damage = _utf8_damage(data)
    if not damage:
        return Decoded(escaped, "utf-8")
    if _is_damaged_utf8(escaped, damage):
        return _repaired(escaped, damage, "utf-8")
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=list(_FRENCH_ENCODINGS)).best()
    if best is not None:
        return Decoded(str(best), best.encoding)
    # The detector gives up on very short texts; cp1252 is then the likeliest.
    try:
        return Decoded(data.decode("cp1252"), "cp1252")
    except UnicodeDecodeError:
        raise InputError(name, "not a text file (no text encoding fits its bytes)") from None


def _utf8_damage(data: bytes) -> tuple[str, list[re.Match[str]]]:
    """``data`` decoded as UTF-8 with invalid bytes escaped, and the escaped spans."""
    escaped = data.decode("utf-8", "surrogateescape")
    return escaped, list(_ESCAPED_BYTES.finditer(escaped))


def _is_damaged_utf8(escaped: str, damage: list[re.Match[str]]) -> bool:
    """Whether valid multi-byte sequences are at least as many as invalid bytes."""
    invalid = sum(len(m.group()) for m in damage)
    valid = len(escaped) - len(escaped.encode("ascii", "ignore")) - invalid
    return valid > 0 and valid >= invalid


def _repaired(escaped: str, damage: list[re.Match[str]], encoding: str) -> Decoded:
    """The text with its invalid bytes replaced by U+FFFD, and their report."""
    return Decoded(
        _ESCAPED_BYTES.sub("\ufffd", escaped), encoding, _damage_warnings(escaped, damage)
    )


def _damage_warnings(text: str, damage: list[re.Match[str]]) -> tuple[str, ...]:
    """One line per damaged span (line number and bytes), the rest counted."""
    warnings: list[str] = []
    line, counted = 1, 0
    for match in damage[:_MAX_DAMAGE_WARNINGS]:
        # Lines as a reader counts them: LF, CRLF or a lone CR ends one.
        before = text[counted : match.start()]
        line += before.count("\n") + before.count("\r") - before.count("\r\n")
        counted = match.start()
        raw = [f"0x{ord(ch) - 0xDC00:02X}" for ch in match.group()]
        what = f"byte {raw[0]}" if len(raw) == 1 else "bytes " + " ".join(raw)
        warnings.append(f"line {line}: invalid UTF-8 {what} replaced with U+FFFD")
    if len(damage) > _MAX_DAMAGE_WARNINGS:
        rest = sum(len(m.group()) for m in damage[_MAX_DAMAGE_WARNINGS:])
        places = len(damage) - _MAX_DAMAGE_WARNINGS
        warnings.append(
            f"{rest} more invalid UTF-8 {'byte' if rest == 1 else 'bytes'} replaced with "
            f"U+FFFD in {places} {'place' if places == 1 else 'places'}"
        )
    return tuple(warnings)


def normalise(text: str) -> str:
    """Unify newlines to LF, apply Unicode NFC (the model's training form), and
    replace lone surrogates (which no UTF-8 file can hold) with U+FFFD."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", _SURROGATE.sub("\ufffd", text))


@dataclass(frozen=True)
class _Line:
    """One non-blank input line.

    Attributes:
        text: The line, stripped.
        indent: How many whitespace characters it started with.
        continued: The line ends inside a word cut by a hyphen (the hyphen
            already taken off when it goes): the next line continues it,
            without a space.
    """

    text: str
    indent: int
    continued: bool = False


@dataclass(frozen=True)
class _Layout:
    """What the whole document says about its line breaks.

    Attributes:
        wrapped: Line breaks inside a paragraph are hard wraps.
        width: The wrap width (the longest line within :data:`_MAX_WRAP_WIDTH`,
            one outlier such as a URL line left out; see :func:`_wrap_width`).
        blank_separated: Blank lines mark the paragraphs.
        greedy: The wrap fills lines: its breaks inside sentences come where
            the next word would not have fitted (a wrapping tool's), so a
            sentence end that leaves room for the next word ends a paragraph.
            False for hand-broken lines, and for blank-line documents, whose
            paragraphs the blank lines mark.
    """

    wrapped: bool
    width: int
    blank_separated: bool
    greedy: bool = False


def _is_blank(line: str) -> bool:
    """Whitespace and invisible format characters only (U+200B, U+FEFF, U+2060 …).

    Such a line looks empty in every editor, so it separates paragraphs as an
    empty line does (Unicode category Cf: zero-width and format characters).
    """
    return all(ch.isspace() or unicodedata.category(ch) == "Cf" for ch in line)


def _is_final(line: str) -> bool:
    return line.endswith(_FINAL)


def _ends_sentence(line: str) -> bool:
    return bool(_SENTENCE_END.search(line[-_SENTENCE_END_WINDOW:]))


def _ends_with_symbol(line: str) -> bool:
    """Ends with an emoji or another pictographic symbol (Unicode So, not ``°``).

    A social post or a chat line ends so; no sentence is cut after one.
    """
    text = line.rstrip()
    while text and unicodedata.category(text[-1]) in _EMOJI_TAIL:
        text = text[:-1]
    return bool(text) and text[-1] != "°" and unicodedata.category(text[-1]) == "So"


def _ends_unit(line: str) -> bool:
    """Final punctuation or a trailing symbol: the line ends a complete unit."""
    return _is_final(line) or _ends_with_symbol(line)


def _starts_sentence(prev: _Line, line: _Line) -> bool:
    """Whether ``line`` starts something new rather than continuing ``prev``.

    Used for headlines. A structural line or a grammar word or pronoun
    (``Le``, ``Par``, ``Il``) starts a sentence. A lowercase word, a number
    (``12 000``), a word followed by a comma (``Nord,``) or a capitalised
    word followed by a lowercase one after a line ending with a capitalised
    word (``Victor`` / ``Hugo ouvrira``: a name cut in two) continue one.
    """
    if _structural(line):
        return True
    first = line.text[:1]
    if _starts_lower(line.text) or first.isdigit():
        return False
    if not first.isalpha():
        return True
    word = _FIRST_WORD.match(line.text)
    token = word.group() if word else ""
    if token.endswith(","):
        return False
    if token.lower() in _SENTENCE_STARTERS:
        return True
    # ``Victor`` / ``Hugo ouvrira``: a name cut in two. A line that starts
    # with a full name (``Marie Dupont``) cannot be the end of one.
    last = prev.text.rsplit(maxsplit=1)[-1]
    return not last[:1].isupper() or not _capital_start(line)


def _starts_lower(line: str) -> bool:
    first = line[:1]
    return first.isalpha() and first.islower()


def _stops_mid_phrase(text: str) -> bool:
    """Ends with a comma, an apostrophe or a grammar word (``de``, ``que``): mid-phrase."""
    if text.endswith((",", "'", "’")):
        return True
    return text[-_GRAMMAR_WORD_WINDOW:].rsplit(maxsplit=1)[-1].lower() in _GRAMMAR_WORDS


def _text_free(line: _Line) -> bool:
    """No letter at all: a separator (``* * *``, ``—``), a number, a date, a code."""
    return not any(ch.isalpha() for ch in line.text)


def _label_shaped(line: _Line) -> bool:
    """A short form label or field (``Nom :``, ``Date : 12 mars``).

    A label names a field; a sentence that introduces a quote (``Le
    chercheur note : …``, ``Il conclut : …``) starts with an article or a
    subject pronoun, which no label does.
    """
    text = line.text
    if len(text) > _LABEL_MAX or not text[:1].isupper() or text.endswith(","):
        return False
    match = _LABEL.match(text)
    return match is not None and match.group(1).lower() not in _NOT_LABEL_START


def _structural(line: _Line) -> bool:
    """A line that is never part of running text: text-free, list item or label."""
    return _text_free(line) or bool(_LIST_ITEM.match(line.text)) or _label_shaped(line)


def _fits(prev: _Line, line: _Line, width: int) -> bool:
    """Whether the first word of ``line`` would have fitted on ``prev``.

    A wrapping tool breaks a line only when the next word does not fit, so a
    break before a word that would have fitted was made on purpose.
    """
    first = _FIRST_WORD.match(line.text)
    return len(prev.text) + 1 + (first.end() if first else 0) <= width


def _layout(blocks: list[list[_Line]], blank_separated: bool) -> _Layout:
    """Whether the document's line breaks are hard wraps, from its own evidence.

    Lines longer than any wrap width (a one-paragraph-per-line article) are
    never wrapped text: when over a tenth of the running-text lines exceed
    :data:`_MAX_WRAP_WIDTH`, each line is a paragraph. Otherwise, blank lines
    between blocks mark the paragraphs, so breaks inside a block are wraps.
    Without blank lines the line ends vote: a break is a wrap when the line
    ends without final punctuation or a trailing emoji and either the next
    line starts lowercase, the word was cut, the line ends with a comma or a
    grammar word, or the line comes near the width (over :data:`_NEAR_WIDTH`
    of it), as wrapped lines do, and the next line does not start like a new
    item (:func:`_capital_start`); a file is wrapped when over half of its
    breaks between running-text lines are. Headlines and bylines
    (:func:`_heading_lines`), labels and list items do not vote, since both
    kinds of file have them. The wrap
    is greedy when nearly all breaks inside sentences come where the next
    word would not have fitted; only then does the room left after a
    sentence end tell a paragraph end (hand-broken lines leave room anywhere).
    """
    lengths = [len(line.text) for block in blocks for line in block if not _structural(line)]
    fitting = [n for n in lengths if n <= _MAX_WRAP_WIDTH]
    if not fitting or len(fitting) < _WRAP_FITTING_SHARE * len(lengths):
        return _Layout(False, 0, blank_separated)
    width = _wrap_width(fitting)
    if blank_separated:
        return _Layout(True, width, True)
    breaks = [
        (prev, line)
        for block in blocks
        for i, (prev, line) in enumerate(itertools.pairwise(block))
        if not (_structural(prev) or _structural(line) or i in _heading_lines(block, width))
    ]
    inside = [(prev, line) for prev, line in breaks if not _ends_unit(prev.text)]
    wraps = sum(
        prev.continued
        or _starts_lower(line.text)
        or _stops_mid_phrase(prev.text)
        or (len(prev.text) > _NEAR_WIDTH * width and not _capital_start(line))
        for prev, line in inside
    )
    forced = sum(not _fits(prev, line, width) for prev, line in inside)
    return _Layout(
        wrapped=bool(breaks) and wraps > _WRAPPED_SHARE * len(breaks),
        width=width,
        blank_separated=False,
        greedy=forced >= _GREEDY_SHARE * len(inside),
    )


def _wrap_width(lengths: list[int]) -> int:
    """The wrap width: the longest line, unless it is an outlier (a URL line).

    One line far longer than all others (over :data:`_WIDTH_OUTLIER` times
    the next) is not a wrapped line; up to a tenth of the lines may be so.
    """
    ordered = sorted(lengths, reverse=True)
    for i in range(max(1, len(ordered) // 10)):
        if i + 1 < len(ordered) and ordered[i] > _WIDTH_OUTLIER * ordered[i + 1]:
            return ordered[i + 1]
    return ordered[0]


def _capital_start(line: _Line) -> bool:
    """Starts like a new item: a capitalised word followed by neither a comma
    (``Nord,``) nor another capitalised word (``Marc Henry``: a name, which
    sentences carry anywhere)."""
    words = line.text.split(maxsplit=2)
    if not words or not words[0][:1].isupper() or words[0].endswith(","):
        return False
    return len(words) < 2 or not words[1][:1].isupper()


def _heading_shaped(line: _Line, following: _Line, width: int) -> bool:
    """Short, no final or clause punctuation, and followed by a new sentence."""
    text = line.text
    return (
        not _starts_lower(text)
        and not text.endswith(_NOT_HEADLINE_END)
        and not _ends_with_symbol(text)
        and not _stops_mid_phrase(text)
        and len(text) < _HEADLINE_RATIO * width
        and _starts_sentence(line, following)
    )


def _heading_lines(block: list[_Line], width: int) -> set[int]:
    """Indices of the headings and bylines of a block, which do not vote on wraps.

    A heading opens the block or follows a sentence end, a structural line
    or another heading (a title then its byline).
    """
    found: set[int] = set()
    for i, (line, following) in enumerate(itertools.pairwise(block)):
        opens = (
            i == 0
            or i - 1 in found
            or _ends_sentence(block[i - 1].text)
            or _structural(block[i - 1])
        )
        if opens and _heading_shaped(line, following, width):
            found.add(i)
    return found


def _is_headline(line: _Line, following: _Line, layout: _Layout) -> bool:
    """A short line that starts a paragraph and cannot end in the middle of a phrase.

    Headings, bylines and titles: no final or clause punctuation, no trailing
    article, preposition or conjunction (a closed class of French grammar
    words, which never end a title), shorter than :data:`_HEADLINE_RATIO` of
    the width or broken before a word that would have fitted, and followed by
    a line that starts a new sentence (:func:`_starts_sentence`).
    """
    text = line.text
    return (
        not _starts_lower(text)
        and _starts_sentence(line, following)
        and not text.endswith(_NOT_HEADLINE_END)
        and not _stops_mid_phrase(text)
        and (len(text) < _HEADLINE_RATIO * layout.width or _fits(line, following, layout.width))
    )


def _is_label(line: _Line, following: _Line | None) -> bool:
    return _label_shaped(line) and not (following and _starts_lower(following.text))


def _breaks(block: list[_Line], i: int, first: _Line, layout: _Layout) -> bool:
    """Whether a new paragraph starts at ``block[i]`` (``first`` opened the current one)."""
    prev, line = block[i - 1], block[i]
    if prev.continued:
        return False
    if _text_free(prev) or _text_free(line) or _LIST_ITEM.match(line.text):
        return True
    if _is_label(prev, line):
        return True
    if _LIST_ITEM.match(first.text) and line.indent > first.indent:
        # An indented line under a list item continues it.
        return False
    if _signature(block, i):
        return True
    if not layout.wrapped:
        # One paragraph per line: rejoin only a line stopped mid-sentence.
        return _ends_unit(prev.text) or not (
            _starts_lower(line.text) or _stops_mid_phrase(prev.text)
        )
    if _starts_lower(line.text):
        return False
    if prev is first and _is_headline(prev, line, layout):
        return True
    if _ends_with_symbol(prev.text):
        return True
    if not _ends_sentence(prev.text):
        return False
    # A sentence ends the line: does the paragraph end too?
    following = block[i + 1] if i + 1 < len(block) else None
    if _is_label(line, following):
        return True
    if following and _heading_shaped(line, following, layout.width):
        # A heading after a paragraph is never glued to it.
        return True
    if _LIST_ITEM.match(first.text):
        return line.indent <= first.indent
    if line.indent > prev.indent:
        return True
    return layout.greedy and _fits(prev, line, layout.width)


def _signature(block: list[_Line], i: int) -> bool:
    """``block[i]`` is a signature: the block's last line, a short capitalised
    name after a short closing formula ending with a comma (``Cordialement,``)."""
    prev, line = block[i - 1], block[i]
    words = line.text.split()
    return (
        i == len(block) - 1
        and prev.text.endswith(",")
        and len(prev.text) <= _CLOSING_MAX
        and len(line.text) <= _SIGNATURE_MAX
        and not _ends_unit(line.text)
        and all(word[:1].isupper() for word in words)
    )


def _paragraphs(block: list[_Line], layout: _Layout) -> list[str]:
    """The paragraphs of one block of consecutive non-blank lines."""
    paragraphs: list[list[str]] = []
    first = block[0]
    for i, line in enumerate(block):
        if i == 0 or _breaks(block, i, first, layout):
            paragraphs.append([line.text])
            first = line
        else:
            # A line ending inside a word joins the next without a space.
            paragraphs[-1] += ["" if block[i - 1].continued else " ", line.text]
    return ["".join(p) for p in paragraphs]


def _blocks(text: str) -> list[list[str]]:
    """Runs of non-blank lines (right-stripped), split at blank lines."""
    blocks: list[list[str]] = [[]]
    for line in text.split("\n"):
        if not _is_blank(line):
            blocks[-1].append(line.rstrip())
        elif blocks[-1]:
            blocks.append([])
    return [b for b in blocks if b]


def paragraphs_of(text: str) -> tuple[tuple[str, ...], str]:
    """Cut normalised text into paragraphs (the rules are in the module docstring).

    Returns:
        The paragraphs (each stripped, inner whitespace runs kept as they are
        except for the joins of unwrapped lines) and the separator to use when
        writing them back.
    """
    blocks = [
        [_Line(t.strip(), len(t) - len(t.lstrip()), cont) for t, cont in block]
        for block in dehyphenate.mend(_blocks(text))
    ]
    layout = _layout(blocks, len(blocks) > 1)
    paragraphs = tuple(p for block in blocks for p in _paragraphs(block, layout))
    return paragraphs, "\n\n" if layout.blank_separated else "\n"


def document_from_text(
    text: str,
    name: str = "<text>",
    encoding: str = "utf-8",
    sha256: str | None = None,
    warnings: tuple[str, ...] = (),
) -> Document:
    """Build a Document from already decoded text.

    Args:
        sha256: Digest of the raw bytes, when there were bytes; otherwise the
            digest of the text is used.
        warnings: What decoding repaired (see :attr:`Document.warnings`).
    """
    if sha256 is None:
        sha256 = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    paragraphs, separator = paragraphs_of(normalise(text))
    return Document(name, paragraphs, separator, encoding, sha256, warnings)


def safe_name(name: str) -> str:
    """A file name as valid UTF-8 text, for messages, outputs and their names.

    On POSIX a file name is bytes; Python holds the bytes that are not UTF-8
    as lone surrogates (PEP 383), which no UTF-8 file can contain. Each such
    byte becomes ``%XX`` (``caf\\xe9.txt`` gives ``caf%E9.txt``): distinct
    names stay distinct and the original bytes can be read off. Any other
    lone surrogate becomes U+FFFD. Valid names are returned unchanged.
    """
    if not _SURROGATE.search(name):
        return name
    name = _ESCAPED_BYTES.sub(lambda m: "".join(f"%{ord(c) - 0xDC00:02X}" for c in m.group()), name)
    return _SURROGATE.sub("\ufffd", name)


def read_document(path: Path, display: str | None = None) -> Document:
    """Read and decode one input file.

    Only regular files are opened: a FIFO would block the run for ever and a
    device such as ``/dev/zero`` never ends, so both are refused from their
    metadata, before any open. The file is then opened without blocking and
    checked again (it may have been replaced meanwhile), and at most
    :data:`MAX_INPUT_BYTES` are read.

    Args:
        path: The file.
        display: Name used in messages and outputs; by default the path,
            made valid UTF-8 by :func:`safe_name`.

    Raises:
        InputError: Not a regular file, larger than :data:`MAX_INPUT_BYTES`,
            unreadable, binary or undecodable, naming the path.
    """
    name = display or safe_name(str(path))
    data = read_bounded(path, name)
    decoded = decode_bytes(data, name)
    return document_from_text(
        decoded.text, name, decoded.encoding, hashlib.sha256(data).hexdigest(), decoded.warnings
    )


def _refuse_irregular(mode: int, name: str) -> None:
    if stat.S_ISREG(mode):
        return
    kind = next((kind for test, kind in _FILE_KINDS if test(mode)), "special file")
    if kind == "directory":
        raise InputError(name, "is a directory")
    raise InputError(name, f"not a regular file ({kind})")


def read_bounded(path: Path, name: str) -> bytes:
    """The bytes of a regular file of at most :data:`MAX_INPUT_BYTES`.

    Raises:
        InputError: See :func:`read_document`.
    """
    try:
        _refuse_irregular(os.stat(path).st_mode, name)
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise read_error(name, exc) from None
    try:
        with os.fdopen(fd, "rb") as fh:
            info = os.fstat(fh.fileno())
            _refuse_irregular(info.st_mode, name)
            # The size is checked first; the read is capped too, for files
            # that grow meanwhile or report no size (/proc).
            data = b"" if info.st_size > MAX_INPUT_BYTES else fh.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        raise read_error(name, exc) from None
    if info.st_size > MAX_INPUT_BYTES or len(data) > MAX_INPUT_BYTES:
        raise InputError(name, f"file too large (over {MAX_INPUT_BYTES:,} bytes, the input limit)")
    return data
