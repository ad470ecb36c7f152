"""Reading French text into paragraphs, and the dataclasses that travel the pipeline.

A ``Document`` is what the rest of the tool sees of an input: decoded,
NFC-normalised text cut into paragraphs. Paragraph structure is what a reader
of the English output expects to find again, so it is decided here once:

* A file with blank lines between blocks is a *blank-line* document. Inside a
  block, hard-wrapped lines are joined again, except that a short unpunctuated
  line before a capitalised one (a headline) and list items stay paragraphs of
  their own.
* A file without blank lines is a *line* document (one paragraph per line, as
  scraped articles come). A line is joined to the next only when it clearly
  stops mid-sentence: no final punctuation, and the next line starts lowercase.
"""

from __future__ import annotations

import codecs
import hashlib
import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError, read_error

# Characters that end a line that is a complete unit (sentence, headline with
# punctuation, or quote close). A line ending otherwise continues on the next.
_FINAL = '.!?…:;»"”’)]'
_SURROGATE = re.compile("[\ud800-\udfff]")
_LIST_ITEM = re.compile(r"^\s*(?:[-*•–—]|\d{1,3}[.)])\s+")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
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
# A headline is a line clearly shorter than the block's wrap width.
_HEADLINE_RATIO = 0.6


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
    """

    name: str
    paragraphs: tuple[str, ...]
    separator: str = "\n"
    encoding: str = "utf-8"
    sha256: str = ""


@dataclass(frozen=True)
class Sentence:
    """One source sentence and where it sits.

    Attributes:
        paragraph: Index of its paragraph in the document (0-based).
        index: Index of the sentence inside its paragraph (0-based).
        text: The sentence, stripped of surrounding whitespace.
    """

    paragraph: int
    index: int
    text: str


@dataclass(frozen=True)
class Hypothesis:
    """What an engine returns for one source text.

    Attributes:
        text: The translation.
        score: Length-normalised log-probability of ``text`` under the model, or
            None when the engine cannot give one.
    """

    text: str
    score: float | None = None


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
    """

    paragraph: int
    index: int
    source: str
    target: str
    flags: tuple[str, ...] = ()
    score: float | None = None

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
    ) -> AlignedPair:
        """A pair read back from a file, whose numbers start at 1."""
        return cls(paragraph_number - 1, sentence_number - 1, source, target, flags, score)


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
        source_lang: Source language code.
        target_lang: Target language code.
        extra: Other settings worth recording (device, compute type, ...).
    """

    tool_version: str
    model: str
    revision: str
    engine: str
    beams: int
    date: str
    source_lang: str = "fr"
    target_lang: str = "en"
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Result:
    """A translated document: the input, its aligned pairs, and provenance."""

    document: Document
    pairs: tuple[AlignedPair, ...]
    meta: RunMeta

    def paragraph_targets(self) -> list[str]:
        """The English paragraphs, in document order, sentences joined by a space."""
        out: list[list[str]] = [[] for _ in self.document.paragraphs]
        for pair in self.pairs:
            if pair.target:
                out[pair.paragraph].append(pair.target)
        return [" ".join(p) for p in out]


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Decode input bytes, detecting the encoding.

    UTF-8 (with or without BOM) is tried first because it is what nearly every
    modern file is, and a successful strict UTF-8 decode is almost never wrong.
    Other encodings (cp1252, latin-1, UTF-16 ...) are detected by BOM or by
    charset-normalizer.

    Returns:
        The text and the name of the encoding used.

    Raises:
        InputError: The bytes are binary or in no encoding that can be detected.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise InputError(name, f"invalid {encoding} text: {exc.reason}") from None
    sample = data[:65536]
    for encoding, zeros in (("utf-16-le", sample[1::2]), ("utf-16-be", sample[0::2])):
        # BOM-less UTF-16: Latin text has a NUL in every other byte.
        if len(sample) >= 4 and zeros.count(0) > 0.9 * len(zeros):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                break
    controls = len(sample) - len(sample.translate(None, _CONTROLS))
    if b"\x00" in sample or controls > max(8, _BINARY_CONTROL_SHARE * len(sample)):
        raise InputError(name, "not a text file (binary content)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=list(_FRENCH_ENCODINGS)).best()
    if best is not None:
        return str(best), best.encoding
    # The detector gives up on very short texts; cp1252 is then the likeliest.
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        raise InputError(name, "not a text file (no text encoding fits its bytes)") from None


def normalise(text: str) -> str:
    """Unify newlines to LF, apply Unicode NFC (the model's training form), and
    replace lone surrogates (which no UTF-8 file can hold) with U+FFFD."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", _SURROGATE.sub("\ufffd", text))


def _is_final(line: str) -> bool:
    return line.rstrip().endswith(tuple(_FINAL))


def _starts_lower(line: str) -> bool:
    first = line.lstrip()[:1]
    return first.isalpha() and first.islower()


def _unwrap_block(lines: list[str]) -> list[str]:
    """Join the hard-wrapped lines of one blank-line block into paragraphs."""
    width = max(len(line) for line in lines)
    paragraphs: list[list[str]] = [[lines[0]]]
    for prev, line in itertools.pairwise(lines):
        headline = (
            not _is_final(prev) and not _starts_lower(line) and len(prev) < _HEADLINE_RATIO * width
        )
        if headline or _LIST_ITEM.match(line):
            paragraphs.append([line])
        else:
            paragraphs[-1].append(line)
    return [" ".join(p) for p in paragraphs]


def _join_broken_lines(lines: list[str]) -> list[str]:
    """In a line document, rejoin lines that stop mid-sentence."""
    paragraphs: list[str] = []
    for line in lines:
        if paragraphs and not _is_final(paragraphs[-1]) and _starts_lower(line):
            paragraphs[-1] += " " + line
        else:
            paragraphs.append(line)
    return paragraphs


def paragraphs_of(text: str) -> tuple[tuple[str, ...], str]:
    """Cut normalised text into paragraphs.

    Returns:
        The paragraphs (each stripped, inner whitespace runs kept as they are
        except for the joins of unwrapped lines) and the separator to use when
        writing them back.
    """
    lines = [line.strip() for line in text.split("\n")]
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line:
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    blocks = [b for b in blocks if b]
    if len(blocks) > 1:
        return tuple(p for b in blocks for p in _unwrap_block(b)), "\n\n"
    return tuple(_join_broken_lines(blocks[0] if blocks else [])), "\n"


def document_from_text(
    text: str, name: str = "<text>", encoding: str = "utf-8", sha256: str | None = None
) -> Document:
    """Build a Document from already decoded text.

    Args:
        sha256: Digest of the raw bytes, when there were bytes; otherwise the
            digest of the text is used.
    """
    if sha256 is None:
        sha256 = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    paragraphs, separator = paragraphs_of(normalise(text))
    return Document(name, paragraphs, separator, encoding, sha256)


def read_document(path: Path, display: str | None = None) -> Document:
    """Read and decode one input file.

    Raises:
        InputError: Unreadable, binary or undecodable file, naming the path.
    """
    name = display or str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise read_error(name, exc) from None
    text, encoding = decode(data, name)
    return document_from_text(text, name, encoding, hashlib.sha256(data).hexdigest())
