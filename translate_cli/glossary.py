"""Glossaries: the English a French term requires, and terms never translated.

A glossary maps French terms to the English a translation must use. It is read
from TSV or CSV files (:meth:`Glossary.load`; columns ``fr``, ``en``, optional
``note``), from TBX term bases (ISO 30042 TermBase eXchange, TBX 2 ``martif``
and TBX 3 ``tbx``) and from do-not-translate (DNT) lists, one term per line.
A term whose English is its French, character for character, is a DNT term:
its translation is the source text as found.

Matching (:meth:`Glossary.find`) finds the terms in a French sentence:

* on whole words only: a word is a run of ``\\w`` characters joined by inner
  hyphens or apostrophes (``porte-parole``, ``aujourd'hui``), and a leading
  elided article or pronoun (``l'``, ``d'``, ``qu'``, ``jusqu'``...) is a word
  of its own, so ``l'Assemblée nationale`` holds ``Assemblée nationale`` but
  ``parole`` is not found in ``porte-parole``;
* ignoring case (Unicode case folding, and ’ read as ');
* with the words' separators as written in the term, whitespace runs equal
  (``centrale\\u00a0nucléaire`` matches, ``centrale, nucléaire`` does not);
* through inflection: two words are the same when their case-folded forms are
  equal, or when the French lemmatiser simplemma (MIT,
  https://github.com/adbar/simplemma) relates them (the same lemma, or one is
  the other's lemma: ``mises`` has the lemma ``mise``, which simplemma itself
  lemmatises to the verb ``miser``) *and* they share a stem (a common prefix,
  accents ignored, of at least two thirds of the shorter word, part by part
  for hyphenated words). The stem guard keeps the lemmatiser's verb lemmas
  from joining unrelated words (``été`` "summer" and ``est`` "is" both have
  the lemma ``être``); it also refuses suppletive plurals (``yeux``/``œil``).
  Words are not tagged: a term matches its homographs (``porte`` "door" in
  ``elle porte`` "she carries");
* longest first: among overlapping occurrences the one with the most words
  (then the most characters) wins, then the earliest; occurrences never overlap.

The English of an occurrence is the glossary's English as written, made plural
(:func:`plural_english`) when the French occurrence is plural and the
glossary's French is not. French number is read on the term's first word that
is not an article or elided word (French adjectives and determiners agree with
their noun, so that word carries it: ``centrales nucléaires``, ``hauts
fonctionnaires``, ``projets de loi``): the word is plural when it ends in ``s``
or ``x``, its lemma does not, and the two share a stem (``nationaux`` /
``national``). An English singular is never made from a plural glossary entry:
``travaux publics`` → ``public works`` stays plural for ``travail public``.

Lemmas are cached (:func:`_lemma`: one lemmatiser call per distinct word form
while the form stays among the 131072 most recent), and the glossary indexes
its terms' first words by form and lemma: only sentence words whose form or
lemma is in that index are compared further, so a sentence without terms costs
two dictionary look-ups per word.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import itertools
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import InputError, read_error

# Bump when matching or pluralising changes, so that resume keys built on the
# fingerprint see the change (the terms alone would not).
MATCHING_VERSION = "1"

_LEMMA_CACHE_SIZE = 1 << 17
# A word: \w runs joined by inner hyphens or apostrophes.
_WORD = re.compile(r"\w+(?:[-‐'’]\w+)*")
# French elided words written against the next one (Grevisse, Le Bon Usage §44).
_ELIDED = re.compile(r"(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu)['’](?=\w)", re.IGNORECASE)
_LETTER = re.compile(r"[^\W\d_]")
_SPACES = re.compile(r"\s+")
# Words that never carry a term's number: articles and elided words.
_NUMBERLESS = frozenset({"le", "la", "les", "l'", "un", "une", "des", "du", "de", "d'"})
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_TERM_CONTAINERS = frozenset({"tig", "ntig", "termSec"})
_ENTRY = frozenset({"termEntry", "conceptEntry"})
_LANG_SECTIONS = frozenset({"langSet", "langSec"})
_NOTES = frozenset({"note", "descrip"})
_DEPRECATED = frozenset({"deprecatedTerm-admn-sts", "supersededTerm-admn-sts"})


@dataclass(frozen=True)
class Term:
    """One glossary entry.

    Attributes:
        french: The French term as written in the glossary (whitespace runs
            collapsed to one space, Unicode NFC).
        english: The English a translation must use for it.
        note: The glossary's note or definition, ``""`` when none.
        source: Where the entry was read, ``file:line`` (``""`` when built in code).
    """

    french: str
    english: str
    note: str = ""
    source: str = ""

    @property
    def dnt(self) -> bool:
        """Whether the term is never translated (its English is its French, exactly)."""
        return self.english == self.french


@dataclass(frozen=True)
class TermMatch:
    """One occurrence of a glossary term in a French text.

    Attributes:
        start: Offset of its first character in the text (``str`` index).
        end: Offset just past its last character: ``text[start:end]`` is the
            occurrence as found.
        term: The glossary entry found.
        english: The English this occurrence requires: the term's English,
            plural when the occurrence is; for a DNT term, ``text[start:end]``.
    """

    start: int
    end: int
    term: Term
    english: str


@dataclass(frozen=True, slots=True)
class _Word:
    start: int
    end: int
    key: str  # the case-folded form
    lemma: str  # the case-folded lemma (the key itself for elided words and numbers)


@dataclass(frozen=True, slots=True)
class _Entry:
    order: int
    term: Term
    words: tuple[_Word, ...]
    gaps: tuple[str, ...]  # normalised separators between consecutive words
    head: int  # index of the word carrying the number
    plural: bool  # whether the glossary's French is itself plural


def _clean(text: str) -> str:
    """NFC with whitespace runs collapsed and the ends stripped."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold().replace("’", "'")


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


@functools.lru_cache(maxsize=_LEMMA_CACHE_SIZE)
def _lemma(word: str) -> str:
    """The case-folded French lemma of one word form, from simplemma (cached).

    simplemma's table gives many feminine singulars as their own lemma while
    it knows their plural (``directrice`` → ``directrice``, ``directrices`` →
    ``directeur``; likewise ``députée``, ``actrice``, ``candidate``,
    ``chanteuse``, ``ouvrière``). A singular that is its own lemma therefore
    takes the lemma of its plural when that is another word: the rule asks
    the lemmatiser's own table, it does not derive forms by suffix.
    """
    folded = _fold(word)
    lemma = _lemmatised(word)
    if lemma == folded and folded[-1:] not in ("s", "x"):
        probe = _lemmatised(word + "s")
        if probe not in (folded, folded + "s"):
            return probe
    return lemma


@functools.lru_cache(maxsize=_LEMMA_CACHE_SIZE)
def _lemmatised(form: str) -> str:
    """simplemma's French lemma of ``form``, case-folded (one call per form while cached)."""
    import simplemma

    return _fold(simplemma.lemmatize(form, lang="fr"))


def _same_stem(a: str, b: str) -> bool:
    """Whether two folded words share a stem, accents ignored.

    A stem is a common prefix of at least two thirds of the shorter word; words
    with the same number of hyphenated parts compare part by part
    (``belles-mères`` / ``belle-mère``).
    """
    a, b = _strip_accents(a), _strip_accents(b)
    parts_a, parts_b = a.split("-"), b.split("-")
    if len(parts_a) != len(parts_b):
        parts_a, parts_b = [a], [b]
    for x, y in zip(parts_a, parts_b, strict=True):
        shared = 0
        for p, q in zip(x, y, strict=False):
            if p != q:
                break
            shared += 1
        if 3 * shared < 2 * min(len(x), len(y)):
            return False
    return True


def _words(text: str) -> list[_Word]:
    """The words of a text with their offsets, keys and lemmas (elided words split off)."""
    words: list[_Word] = []
    for found in _WORD.finditer(text):
        start, end = found.span()
        token = found.group()
        elided = _ELIDED.match(token)
        if elided:
            cut = start + elided.end()
            key = _fold(elided.group())
            words.append(_Word(start, cut, key, key))
            start, token = cut, token[elided.end() :]
        key = _fold(token)
        lemma = _lemma(token) if _LETTER.search(token) else key
        words.append(_Word(start, end, key, lemma))
    return words


def _gap(text: str) -> str:
    return _SPACES.sub(" ", _fold(text))


def _same_word(term: _Word, word: _Word) -> bool:
    """Whether a sentence word is a form of a term word (see the module's rules)."""
    if term.key == word.key:
        return True
    related = term.lemma == word.lemma or word.lemma == term.key or term.lemma == word.key
    return related and _same_stem(term.key, word.key)


def _is_plural(word: _Word) -> bool:
    """Whether a French word is a plural form: -s/-x that its lemma lacks, same stem."""
    key, lemma = word.key, word.lemma
    return (
        key[-1:] in ("s", "x")
        and lemma[-1:] != key[-1:]
        and key != lemma
        and _same_stem(key, lemma)
    )


# English plurals (pluralising the head noun of a term). The rules are those of
# the Cambridge Grammar of English §§ 84-86 restricted to what glossary heads
# need; anything else gets -s.
_IRREGULAR = {
    "man": "men",
    "woman": "women",
    "child": "children",
    "person": "people",
    "foot": "feet",
    "tooth": "teeth",
    "mouse": "mice",
    "goose": "geese",
    "analysis": "analyses",
    "basis": "bases",
    "crisis": "crises",
    "thesis": "theses",
    "hypothesis": "hypotheses",
    "criterion": "criteria",
    "phenomenon": "phenomena",
    "medium": "media",
    "leaf": "leaves",
    "life": "lives",
    "wife": "wives",
    "knife": "knives",
    "half": "halves",
    "shelf": "shelves",
    "thief": "thieves",
    "wolf": "wolves",
    "self": "selves",
}
# Nouns with no distinct plural (mass nouns and zero plurals).
_UNCHANGED = frozenset(
    {
        "aircraft",
        "advice",
        "data",
        "deer",
        "equipment",
        "evidence",
        "fish",
        "furniture",
        "information",
        "legislation",
        "news",
        "police",
        "research",
        "series",
        "sheep",
        "software",
        "species",
        "staff",
    }
)
# Words ending in -man that are not compounds of "man".
_NOT_MAN = frozenset(
    {"human", "german", "roman", "norman", "shaman", "caiman", "talisman", "ottoman"}
)
# Words after which an English noun phrase's head has ended ("head of state").
_POSTHEAD = frozenset(
    {
        "of",
        "for",
        "in",
        "on",
        "at",
        "to",
        "with",
        "from",
        "by",
        "under",
        "against",
        "between",
        "per",
        "and",
        "or",
    }
)


def _plural_word(word: str) -> str:
    lower = word.lower()
    if not _LETTER.search(word) or lower in _UNCHANGED:
        return word
    if word.isupper() and len(word) > 1:
        return word + "s"  # an acronym: NGO → NGOs
    if lower in _IRREGULAR:
        plural = _IRREGULAR[lower]
        return plural.capitalize() if word[0].isupper() else plural
    if lower.endswith("man") and lower not in _NOT_MAN:
        return word[:-3] + "men"  # spokesman → spokesmen
    if lower.endswith(("ss", "us", "is", "as", "x", "z", "ch", "sh")):
        return word + "es"
    if lower.endswith("s"):
        return word  # already plural (affairs)
    if len(lower) > 1 and lower.endswith("y") and lower[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def plural_english(english: str) -> str:
    """The plural of an English noun phrase, made on its head noun.

    The head is the last word before the first preposition or conjunction
    (``member of parliament`` → ``members of parliament``), else the last word
    (``nuclear power plant`` → ``nuclear power plants``); a hyphenated head is
    read the same way (``mother-in-law`` → ``mothers-in-law``, ``by-election``
    → ``by-elections``). Rules: a small irregular table
    (``man``, ``child``, ``person``, ``crisis``, ``criterion``, ``life``...),
    mass nouns unchanged (``information``, ``legislation``...), acronyms +s
    (``NGO`` → ``NGOs``), -man compounds → -men, sibilants +es, consonant+y →
    -ies, a word already in -s unchanged, else +s.

    Args:
        english: The phrase, words separated by single spaces.

    Returns:
        The phrase with its head made plural, other words untouched.
    """
    words = english.split(" ")
    head = len(words) - 1
    for i, word in enumerate(words[1:], start=1):
        if word.lower() in _POSTHEAD:
            head = i - 1
            break
    parts = words[head].split("-")
    part = len(parts) - 1
    for i, word in enumerate(parts[1:], start=1):
        if word.lower() in _POSTHEAD:
            part = i - 1
            break
    parts[part] = _plural_word(parts[part])
    words[head] = "-".join(parts)
    return " ".join(words)


@functools.lru_cache(maxsize=4096)
def _english_pattern(english: str) -> re.Pattern[str]:
    body = r"\s+".join(re.escape(w.replace("’", "'")) for w in english.split())
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)


class Glossary:
    """An immutable set of terms, ready for matching.

    Build one with :meth:`load` (files) or ``Glossary(terms)`` (code). When two
    terms have the same French (case-folded, whitespace collapsed), the later
    one wins; when their English differs, a line in :attr:`warnings` says so.
    """

    def __init__(self, terms: Iterable[Term], warnings: Sequence[str] = ()) -> None:
        """Index ``terms`` (later duplicates win).

        Raises:
            ValueError: A term's French or English holds no word character.
        """
        kept: dict[str, Term] = {}
        notes = list(warnings)
        for term in terms:
            term = Term(_clean(term.french), _clean(term.english), _clean(term.note), term.source)
            if not re.search(r"\w", term.french):
                raise ValueError(f"{term.source or 'term'}: the French term has no word")
            if not term.english:
                raise ValueError(f"{term.source or 'term'}: no English for {term.french!r}")
            key = _gap(term.french)
            old = kept.pop(key, None)
            if old is not None and old.english != term.english:
                notes.append(
                    f"{term.source or 'term'}: {term.french!r} → {term.english!r} replaces "
                    f"{old.english!r} ({old.source or 'earlier term'})"
                )
            kept[key] = term
        self._terms = tuple(kept.values())
        self._warnings = tuple(notes)
        self._index: dict[str, list[_Entry]] = {}
        for order, term in enumerate(self._terms):
            words = _words(term.french)
            gaps = tuple(_gap(term.french[a.end : b.start]) for a, b in itertools.pairwise(words))
            head = next((i for i, w in enumerate(words) if w.key not in _NUMBERLESS), 0)
            entry = _Entry(order, term, tuple(words), gaps, head, _is_plural(words[head]))
            for key in {words[0].key, words[0].lemma}:
                self._index.setdefault(key, []).append(entry)

    @classmethod
    def load(cls, glossary_paths: Sequence[Path], dnt_paths: Sequence[Path] = ()) -> Glossary:
        """Read glossaries and DNT lists, in order (a later file's term wins).

        Args:
            glossary_paths: ``.tsv``/``.csv`` files (UTF-8, BOM or not; a header
                row naming ``fr``, ``en`` and optionally ``note``, in any order,
                case ignored, also as ``fr-FR``, ``French``, ``français``,
                ``English``, ``comment``...; other columns ignored; a CSV may
                use ``;``) and ``.tbx`` files.
            dnt_paths: Plain UTF-8 lists of DNT terms, one per line; blank lines
                and lines starting with ``#`` are skipped. Read after the glossaries.

        Returns:
            The glossary; its :attr:`warnings` name replaced terms and TBX
            entries skipped for lack of a French or an English term.

        Raises:
            InputError: A file cannot be read, has an unknown extension, is not
                UTF-8, has no usable header, or has a bad row or element; the
                reason starts with ``line N:`` where there is a line.
        """
        terms: list[Term] = []
        warnings: list[str] = []
        for path in map(Path, glossary_paths):
            suffix = path.suffix.lower()
            if suffix == ".tbx":
                found, skipped = _read_tbx(path)
                terms += found
                warnings += skipped
            elif suffix in (".tsv", ".csv"):
                terms += _read_table(path, "\t" if suffix == ".tsv" else ",")
            else:
                raise InputError(
                    path, f"unknown glossary type {suffix or '(none)'!r}; expected .tsv, .csv, .tbx"
                )
        for path in map(Path, dnt_paths):
            terms += _read_dnt(path)
        return cls(terms, warnings)

    @property
    def terms(self) -> tuple[Term, ...]:
        """The terms, duplicates resolved, in reading order."""
        return self._terms

    @property
    def warnings(self) -> tuple[str, ...]:
        """One line per replaced term or skipped TBX entries, in reading order."""
        return self._warnings

    @functools.cached_property
    def fingerprint(self) -> str:
        """SHA-256 hex digest of the terms (French, English, note), order-independent.

        Two glossaries with the same terms in any order share it; any edit to a
        term's French, English or note changes it, as does
        :data:`MATCHING_VERSION`. Where a term was read (``source``) is not in it.
        """
        rows = sorted([t.french, t.english, t.note] for t in self._terms)
        payload = json.dumps([MATCHING_VERSION, rows], ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def fingerprint_of(self, matches: Iterable[TermMatch]) -> str:
        """SHA-256 hex digest of what ``matches`` require, ``""`` when there are none.

        It covers each distinct term found (French, English, note) and the
        English each occurrence requires, plus :data:`MATCHING_VERSION`: a
        text's fingerprint changes exactly when an edit to the glossary can
        change that text's translation. Resume keys and translation-memory
        contexts use it per document and per sentence, so an edit to one
        term reruns only what holds it.
        """
        rows = sorted({(m.term.french, m.term.english, m.term.note, m.english) for m in matches})
        if not rows:
            return ""
        payload = json.dumps([MATCHING_VERSION, rows], ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def find(self, text: str) -> list[TermMatch]:
        """The glossary terms in a French text, longest first, in text order.

        Args:
            text: One French sentence (or any text).

        Returns:
            Non-overlapping matches sorted by ``start``; offsets index ``text``.
        """
        if not self._index:
            return []
        words = _words(text)
        found: list[tuple[int, int, int, int, _Entry]] = []
        for i, word in enumerate(words):
            candidates = self._index.get(word.key, [])
            if word.lemma != word.key:
                candidates = candidates + self._index.get(word.lemma, [])
            seen: set[int] = set()
            for entry in candidates:
                n = len(entry.words)
                if entry.order in seen or i + n > len(words):
                    continue
                seen.add(entry.order)
                span = words[i : i + n]
                if all(map(_same_word, entry.words, span)) and all(
                    _gap(text[a.end : b.start]) == gap
                    for a, b, gap in zip(span, span[1:], entry.gaps, strict=False)
                ):
                    length = span[-1].end - span[0].start
                    found.append((-n, -length, i, entry.order, entry))
        taken = [False] * len(words)
        matches: list[TermMatch] = []
        for negative_n, _, i, _, entry in sorted(found, key=lambda f: f[:4]):
            n = -negative_n
            if any(taken[i : i + n]):
                continue
            taken[i : i + n] = [True] * n
            start, end = words[i].start, words[i + n - 1].end
            english = entry.term.english
            if entry.term.dnt:
                english = text[start:end]
            elif not entry.plural and _is_plural(words[i + entry.head]):
                english = plural_english(english)
            matches.append(TermMatch(start, end, entry.term, english))
        return sorted(matches, key=lambda m: m.start)

    def missing(self, source: str, target: str) -> list[TermMatch]:
        """The terms of ``source`` whose required English is not in ``target``.

        Args:
            source: The French sentence.
            target: Its English translation.

        Returns:
            The matches of :meth:`find` on ``source`` that :func:`absent` finds absent.
        """
        return absent(self.find(source), target)


def absent(matches: Iterable[TermMatch], target: str) -> list[TermMatch]:
    """The matches whose required English is not in ``target``.

    The English is looked for as whole words, ignoring case, whitespace runs
    equal; the singular and the plural of the glossary's English are both
    accepted, and for a DNT term its French as found or as written. Each
    occurrence is checked on its own: two occurrences and one English
    counts as present.

    Args:
        matches: Terms found in a French sentence (:meth:`Glossary.find`).
        target: Its English translation.

    Returns:
        Those of ``matches`` with no English in ``target``, in their order.
    """
    target = target.replace("’", "'")
    out: list[TermMatch] = []
    for match in matches:
        term = match.term
        forms = {match.english}
        if term.dnt:
            forms.add(term.french)
        else:
            forms |= {term.english, plural_english(term.english)}
        if not any(_english_pattern(form).search(target) for form in forms):
            out.append(match)
    return out


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise read_error(path, exc) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            path, f"line {line}: not UTF-8 (byte 0x{data[exc.start]:02x}); save it as UTF-8"
        ) from None


def _checked(path: Path, line: int, french: str, english: str, note: str = "") -> Term:
    french, english = _clean(french), _clean(english)
    if not french:
        raise InputError(path, f"line {line}: no French term (fr)")
    if not english:
        raise InputError(path, f"line {line}: no English term (en) for {french!r}")
    if not re.search(r"\w", french):
        raise InputError(path, f"line {line}: the French term {french!r} has no word")
    return Term(french, english, _clean(note), f"{path}:{line}")


# Header cells naming a column, case-folded, beside fr, en and note: language
# tags with a region (BCP 47 ``fr-FR``, POSIX ``fr_FR``), language names in
# English and in French, and the usual names of a comment column.
_COLUMN_NAMES = {
    "french": "fr",
    "français": "fr",
    "francais": "fr",
    "english": "en",
    "anglais": "en",
    "notes": "note",
    "comment": "note",
    "comments": "note",
    "commentaire": "note",
    "definition": "note",
    "définition": "note",
}


def _column_name(cell: str) -> str:
    """The column a header cell names: ``fr``, ``en``, ``note``, or the cell folded."""
    name = cell.casefold()
    tag = re.fullmatch(r"(fr|en)[-_][a-z0-9]{2,8}", name)
    return tag.group(1) if tag else _COLUMN_NAMES.get(name, name)


def _csv_delimiter(text: str) -> str:
    """``;`` for a CSV whose header is cut by semicolons (as spreadsheets set to
    French write CSV, the comma being the decimal mark there), else ``,``."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    names = {_column_name(c.strip()) for c in header.split(";")}
    return ";" if {"fr", "en"} <= names else ","


def _read_table(path: Path, delimiter: str) -> list[Term]:
    """Terms of a TSV or CSV glossary (RFC 4180 quoting in both).

    ``delimiter`` is ``\t`` or ``,``; a CSV whose header is cut by ``;``
    is read with ``;``.
    """
    text = _read_text(path)
    if delimiter == ",":
        delimiter = _csv_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    columns: dict[str, int] | None = None
    terms: list[Term] = []
    try:
        for row in reader:
            line = reader.line_num
            cells = [c.strip() for c in row]
            if not any(cells):
                continue
            if columns is None:
                names = [_column_name(c) for c in cells]
                twice = sorted({n for n in names if n and names.count(n) > 1})
                if twice:
                    raise InputError(path, f"line {line}: column {twice[0]!r} named twice")
                columns = {n: i for i, n in enumerate(names)}
                if "fr" not in columns or "en" not in columns:
                    raise InputError(
                        path,
                        f"line {line}: the header must name the columns fr and en "
                        f"(and optionally note); found {', '.join(cells)}",
                    )
                width = len(cells)
                continue
            if len(cells) > width:
                raise InputError(
                    path,
                    f"line {line}: {len(cells)} cells but the header names {width} columns"
                    + (" (a comma inside an unquoted cell?)" if delimiter == "," else ""),
                )
            cells += [""] * (width - len(cells))
            note = cells[columns["note"]] if "note" in columns else ""
            terms.append(_checked(path, line, cells[columns["fr"]], cells[columns["en"]], note))
    except csv.Error as exc:
        raise InputError(path, f"line {reader.line_num}: {exc}") from None
    if columns is None:
        raise InputError(path, "line 1: no header row (columns fr, en and optionally note)")
    return terms


def _read_dnt(path: Path) -> list[Term]:
    """Terms of a do-not-translate list: one per line, ``#`` comment lines."""
    terms: list[Term] = []
    for line, raw in enumerate(_read_text(path).splitlines(), start=1):
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        if "\t" in text:
            raise InputError(path, f"line {line}: a tab; a DNT list holds one term per line")
        terms.append(_checked(path, line, text, text))
    return terms


def _local(element: Any) -> str:
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _text(element: Any) -> str:
    return _clean("".join(element.itertext()))


def _read_tbx(path: Path) -> tuple[list[Term], list[str]]:
    """Terms of a TBX file: each French term of an entry, with the entry's English.

    Reads TBX 2 (``martif``/``termEntry``/``langSet``/``tig``|``ntig``) and TBX 3
    (``tbx``/``conceptEntry``/``langSec``/``termSec``), namespaced or not. A
    language section counts as French or English by the primary subtag of its
    ``xml:lang`` (``fr-CA``, ``en-GB``). The English is the entry's first
    English term not marked deprecated or superseded (the first one if all
    are), or its preferred term (``preferredTerm-admn-sts``) when there is one.
    The note joins, with ``; ``, the ``note`` and ``descrip`` texts of the
    entry, of its French and English sections, and of the two terms.

    The XML parser resolves no entity, loads no DTD, reaches no network and
    keeps lxml's size limits (no ``huge_tree``); a reference to a declared
    entity is an error rather than text left out.

    Raises:
        InputError: Not well-formed, not TBX, an entity reference or an empty term.
    """
    from lxml import etree

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise read_error(path, exc) from None
    parser = etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        reason = _clean(str(exc.msg or exc)).split(" (line")[0]
        raise InputError(path, f"line {exc.lineno or 1}: not well-formed XML: {reason}") from None
    if _local(root) not in ("martif", "tbx"):
        raise InputError(
            path,
            f"line {root.sourceline}: not TBX: the root is <{_local(root)}>, "
            "expected <martif> or <tbx>",
        )
    for entity in root.iter(etree.Entity):
        raise InputError(
            path, f"line {entity.sourceline}: entity {entity.text} is not expanded; write its text"
        )
    terms: list[Term] = []
    skipped = 0
    for entry in root.iter():
        if _local(entry) not in _ENTRY:
            continue
        found = _tbx_entry(path, entry)
        if found:
            terms += found
        else:
            skipped += 1
    warnings = []
    if skipped:
        entries = "entry" if skipped == 1 else "entries"
        warnings.append(f"{path}: {skipped} {entries} without a French and an English term skipped")
    return terms, warnings


def _tbx_entry(path: Path, entry: Any) -> list[Term]:
    # (language, container, term element) for each term; container is the
    # term's tig/ntig/termSec (the language section when there is none).
    # Keyed by element: the dict keeps the proxies alive, so lxml hands back the same ones.
    sections: dict[Any, str] = {}
    terms: list[tuple[str, Any, Any]] = []
    for section in entry:
        if _local(section) not in _LANG_SECTIONS:
            continue
        language = (section.get(_XML_LANG) or "").replace("_", "-").split("-")[0].casefold()
        sections[section] = language
        for element in section.iter():
            if _local(element) != "term":
                continue
            container = element.getparent()
            while container is not section and _local(container) not in _TERM_CONTAINERS:
                container = container.getparent()
            terms.append((language, container, element))
    french = [(c, t) for lang, c, t in terms if lang == "fr"]
    english = [(c, t) for lang, c, t in terms if lang == "en"]
    if not french or not english:
        return []

    def status(container: Any) -> str:
        for node in container.iter():
            if _local(node) == "termNote" and node.get("type") == "administrativeStatus":
                return _text(node)
        return ""

    chosen = next(
        (e for e in english if status(e[0]) == "preferredTerm-admn-sts"),
        next((e for e in english if status(e[0]) not in _DEPRECATED), english[0]),
    )
    for _, element in [*french, chosen]:
        if not _text(element):
            raise InputError(path, f"line {element.sourceline}: empty <term>")

    def scope(note: Any) -> tuple[str, Any]:
        """(language or "", term container or None) a note belongs to."""
        node, container = note.getparent(), None
        while node is not entry:
            if container is None and _local(node) in _TERM_CONTAINERS:
                container = node
            if node in sections:
                return sections[node], container
            node = node.getparent()
        return "", None

    notes = [(scope(n), _text(n)) for n in entry.iter() if _local(n) in _NOTES and _text(n)]
    english_term = _text(chosen[1])
    result = []
    for container, element in french:
        wanted = [
            text
            for (language, owner), text in notes
            if language == ""
            or (language == "fr" and owner in (None, container))
            or (language == "en" and owner in (None, chosen[0]))
        ]
        note = "; ".join(dict.fromkeys(wanted))
        result.append(_checked(path, element.sourceline, _text(element), english_term, note))
    return result
