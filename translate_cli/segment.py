"""French sentence splitting with lossless character offsets.

Everything here is a pure function over ``str``: no I/O, no state, stdlib only
(``re``, compiled once; every pattern is linear, with possessive quantifiers
and atomic groups where backtracking could otherwise pile up).

The splitter works on one paragraph at a time. Deciding what is a paragraph or
a headline is the job of :mod:`translate_cli.document`, so a line without final
punctuation is never split here, except at a blank line (see below).

How a boundary is found
=======================

A *candidate* is a run of sentence-final punctuation (``.``, ``!``, ``?``,
``…``, ``...``, and stacks such as ``?!`` or the scraped ``. .``), then any
closing quotes or brackets (they stay with the sentence they close), then
whitespace. Without whitespace there is never a boundary: ``3.5``,
``www.lemonde.fr``, ``U.R.S.S`` and ``jean.dupont@exemple.fr`` hold points
but no break. Each candidate is judged from both sides.

*The right side*, what the next sentence would start with:

* A lowercase word means the sentence goes on, because French capitalises
  every sentence: ``« Je pars ! » a-t-il dit`` (an incise), ``etc. et puis``,
  ``Tu viens ? demanda-t-elle`` stay whole. Two exceptions start lowercase
  and still open a sentence: brands such as ``iPhone``, and list labels such
  as ``b. Le second point``.
* A closing quote or bracket, or mid-sentence punctuation (``»,``, ``),``),
  means the punctuation was inside a quotation that the sentence goes on
  after. A symbol such as ``|`` or ``/`` does not start a sentence either.
* A capital, a digit, a currency sign, ``#`` or ``@`` (social media), or an
  opening quote, bracket, bullet or dialogue dash may start a sentence; the
  left side decides.

*The left side*, what the punctuation ends:

* ``?``, ``!``, stacks, and a point detached from the word before it (scraped
  text writes ``l'escalade .``) are punctuation and nothing else: they end
  the sentence whenever the right side allows.
* ``…`` and ``...`` are suspension marks that often trail off mid-sentence
  (``revendu... 1,6 million``): they end it only before a capital or an
  opening quote. Inside brackets (``[...]``, ``(…)``) they mark an omission
  in a quotation and never end anything.
* A point glued to a word may be an abbreviation point. The word is looked up
  in :data:`ABBREVIATIONS`; its :class:`AbbrevKind` says what may follow it,
  and so whether the point can double as a full stop (see there).
* A single capital (``J.``) or a dotted acronym (``É.-U.``, ``U.R.S.S.``,
  ``J.-C.``) is an initial. When one ends a sentence its point and the full
  stop merge (French never doubles them), so the point is ambiguous. It is
  read as a full stop only before a capitalised *function word* (``Il``,
  ``Le``, ``Mais``, ``L'``...): closed-class words are not part of names, so
  their capital can only come from a sentence start. ``J. K. Rowling`` and
  ``Vers 800 apr. J.-C. Charlemagne fut couronné`` stay whole; ``il a quitté
  l'U.R.S.S. Il`` splits.
* A number of one to three digits, or a lowercase letter, that opens its
  sentence is a list label (``1. Le prix``), not an end; so is a first label
  (``1``, ``a``) right after a colon.
* After any other word the point is a full stop.

A blank line (two line breaks) is a hard boundary whatever precedes it: no
sentence runs across a paragraph break. A single line break counts as a space,
because scraped and hard-wrapped text breaks lines mid-sentence.

Straight double quotes do not say whether they open or close. One glued to
the punctuation (``l'escalade."``) closes; one glued to the next word
(``. "Les``) opens the next sentence; one spaced on both sides closes only if
an odd number of quotes precede it. Quotes between two letters (``l"équipe``,
a keyboard's stand-in for an apostrophe) are not counted.

Lossless offsets
================

:func:`sentence_spans` returns ``(start, end)`` pairs that tile the input: the
first starts at 0, each starts where the previous ended, the last ends at
``len(text)``. Whitespace after a sentence belongs to that sentence, leading
whitespace to the first. Joining the spans gives back the input exactly, which
is what lets the pipeline put translations back in place.

Over-long sentences
===================

:func:`cut_spans` cuts one sentence that a model cannot take whole, preferring
clause punctuation, then spaces, then (only for an unbroken run such as a long
URL) a cut between two characters. It has the same lossless tiling.
"""

from __future__ import annotations

import bisect
import enum
import re
import unicodedata
from collections.abc import Callable, Mapping
from types import MappingProxyType

__all__ = [
    "ABBREVIATIONS",
    "AbbrevKind",
    "cut_spans",
    "sentence_spans",
    "split_sentences",
]


class AbbrevKind(enum.Enum):
    """What may follow an abbreviation point, hence whether it can end a sentence."""

    TITLE = "title"
    """Never ends a sentence: it exists to announce what follows.

    Titles before a name (``M.``, ``Mme``, ``Dr``, ``Mgr``, ``St``), and words
    that introduce a complement (``cf.``, ``c.-à-d.``, ``p. ex.``, ``av.`` and
    ``apr.`` before ``J.-C.``, ``env.`` before a number). A sentence cannot
    stop on them, so their point is never a full stop, even before a name
    that starts with a function word (``M. Le Pen``).
    """

    NUMBER = "number"
    """Introduces a number: no boundary before a digit, Roman numeral, code or letter.

    ``art. 3``, ``p. 12``, ``chap. IV``, ``vol. 2``, ``no. 5``, ``art. L. 121``,
    ``esc. B``. Many of these are also ordinary words (*l'art*, *un vol*, *le
    fax*), so before anything but a number the point is read as after a plain
    word: a full stop.
    """

    FINAL = "final"
    """May end a sentence, and then its point doubles as the full stop.

    French typography writes one point when an abbreviation ends a sentence:
    ``…, des pommes, des poires, etc. Puis il partit.`` Mid-sentence such words
    are followed by a lowercase word, a digit (``12 janv. 2013``) or
    punctuation, and almost never by a capital, so a capital or an opening
    quote after them means a new sentence: ``etc. Puis`` splits, ``etc. et``,
    ``etc.,`` and ``etc. »`` do not.
    """

    NAME = "name"
    """Part of a name: ends a sentence only before a capitalised function word.

    Two-letter initials of given names (``Ch.``, ``Ph.``) and ranks that are
    also common nouns (``col.``, ``cap.``): mid-sentence a capitalised name
    follows them, so only a capital that cannot belong to a name (``Il``,
    ``Le``, ``Mais``) shows a sentence start. Single capitals and dotted
    acronyms get the same rule by their shape, without being listed.
    """


_T, _N, _F, _M = AbbrevKind.TITLE, AbbrevKind.NUMBER, AbbrevKind.FINAL, AbbrevKind.NAME

# The abbreviations, without their final point, grouped by kind. Lookup tries
# the exact case first, then the lowercase form of a capitalised word (a
# sentence-initial "Cf." or "Art."). Titles are case-sensitive on purpose:
# "Me" is the lawyer's title, "me" a pronoun.
# fmt: off
_ABBREVIATION_TABLE: dict[AbbrevKind, tuple[str, ...]] = {
    _T: (
        # Civil, religious and academic titles, in the Imprimerie nationale forms
        # (no point: "Mme", "Dr") that writers also use with one, English titles
        # met in translated news, and place-name prefixes (St. Louis, Ft. Meade).
        "M", "MM", "Mme", "Mmes", "Mlle", "Mlles", "Dr", "Drs", "Pr", "Prs", "Me", "Mes",
        "Mgr", "Mgrs", "St", "Ste", "Sts", "Stes", "Vve", "Rév", "R.P", "Prof", "Mr", "Mrs",
        "Ms", "Sen", "Gov", "Gen", "Rev", "Hon", "Ft", "Mt", "S.A.R", "S.M", "LL.MM", "ép",
        "Sté", "Éts",
        # Military ranks that are not also common nouns.
        "gén", "Gén", "lt", "Lt", "lieut", "sgt", "Sgt", "cdt", "Cdt", "cmdt", "cne",
        "adj", "Adj", "brig", "capt", "Capt", "maj", "Maj",
        # Words that announce a complement: a reference, an example, a note.
        "cf", "c.-à-d", "c-à-d", "c.à.d", "c.-à.-d", "i.e", "e.g", "ex", "p.ex", "p. ex",
        "v", "vs", "env", "approx", "av", "apr", "resp", "bd", "Bd", "boul", "pl", "N.B",
        "NB", "P.-S", "P.S",
    ),
    _N: (
        # Parts of a text or a collection, and numbering words. Several are also
        # ordinary words (l'art, un vol, le fax), hence NUMBER and not TITLE.
        "art", "al", "chap", "ch", "fig", "vol", "t", "p", "pp", "no", "No", "nos", "n",
        "c", "num", "sect", "ss", "éd", "rééd", "ann", "tab", "paragr", "l", "vv", "fasc",
        "liv", "livr", "suppl", "op", "tél", "téléc", "fax", "réf", "bât", "ét", "esc",
    ),
    _F: (
        # Closers of enumerations and references.
        "etc", "cie", "Cie", "Co", "Inc", "Ltd", "Ltée", "ltée", "Corp", "Jr", "jr",
        "ibid", "id", "op. cit", "loc. cit", "et al", "coll", "dir", "trad", "éds", "ed",
        "eds", "sq", "sqq",
        # Months and days: in dates a digit or a lowercase word follows them.
        "janv", "févr", "fév", "avr", "juil", "juill", "sept", "oct", "nov", "déc",
        "lun", "mar", "mer", "jeu", "ven", "sam", "dim",
        # Quantities, units and places written with a point.
        "hab", "min", "max", "moy", "sec", "mill", "mds", "md", "mln", "hrs", "s",
        "qqch", "qqn", "arr", "dép",
    ),
    _M: (
        # Two-letter initials of given names (Charles, Philippe, Thomas...).
        "Ch", "Chr", "Ph", "Th", "Gh", "Cl", "Fr", "Fréd", "Guill", "Jacq", "Edm", "Ed",
        # Ranks that are also common nouns (le col, le cap, un prof), and "Sr",
        # both Sœur before a name and Senior after one.
        "col", "cap", "prof", "Sr", "S.à r.l",
    ),
}
# fmt: on


def _flatten(table: Mapping[AbbrevKind, tuple[str, ...]]) -> dict[str, AbbrevKind]:
    """One entry per abbreviation; one listed twice keeps its first kind."""
    result: dict[str, AbbrevKind] = {}
    for kind, words in table.items():
        for word in words:
            result.setdefault(word, kind)
    return result


ABBREVIATIONS: Mapping[str, AbbrevKind] = MappingProxyType(_flatten(_ABBREVIATION_TABLE))
"""French abbreviations (without their final point) and what may follow them.

Policy: a word is listed because French usage (the *Lexique des règles
typographiques en usage à l'Imprimerie nationale*, press style guides, and
the English forms common in translated news) writes it with a point, and it
is classified by what can follow it in a sentence (see :class:`AbbrevKind`).
Nothing is listed because it was seen in evaluation data. Initials and dotted
acronyms are recognised by their shape and need no entry. Two-word entries
(``p. ex``, ``op. cit``) are matched against the two words before the point.
"""

# Capitalised, these closed-class words appear at a sentence start (or in a
# title), never inside a personal or place name. They tell an initial or an
# acronym that ends a sentence from one inside a name. Elided forms end with
# the apostrophe, as the next word is read ("L'armée" is read as "L'").
_FUNCTION_WORD_LIST = """
    le la les l' un une des du de d' au aux à a ce cet cette ces c' ceci cela ça
    celui celle ceux celles il ils elle elles on nous vous je j' tu me m' te t'
    se s' y en ne n' qui que qu' quoi dont où quel quelle quels quelles lequel
    laquelle lesquels lesquelles mon ma mes ton ta tes son sa ses notre nos votre
    vos leur leurs et ou mais donc or ni car si comme quand lorsque lorsqu'
    puisque puisqu' pourquoi comment combien selon pour par dans sur sous avec
    sans chez entre vers après avant depuis pendant durant contre malgré parmi
    lors alors ainsi puis ensuite enfin cependant pourtant toutefois néanmoins
    aussi également encore déjà même bien très plus moins tout tous toute toutes
    aucun aucune chaque plusieurs certains certaines autre autres oui non voici
    voilà hier aujourd' demain désormais ici là toujours jamais peu beaucoup
    trop tant autant parfois souvent surtout notamment seulement quelque
    quelques
"""
_FUNCTION_WORDS = frozenset(_FUNCTION_WORD_LIST.split())

# Horizontal spaces of French typography: the no-break space before ";:!?»"
# and after "«", and the narrow and thin spaces that replace it.
_HSPACE = " \t\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f"
_HSPACE_CLASS = r"[ \t\u00a0\u2000-\u200a\u202f]"
_OPENERS = "«“‘„‹\"'([{¿¡—–-•"
_CLOSE_OR_MID = "»”’)]}›,;:%"
_TERMINAL = "[.!?…‽⁇⁈⁉]"
_CLOSERS = "[»”)\\]}›]"

# A candidate boundary. "punct" is the terminal punctuation with its stacks
# ("?!", the scraped ". ."); "close" the closing quotes and brackets that stay
# with the sentence; "space" the whitespace after them. A straight quote or
# apostrophe closes only when glued to the punctuation, or when spaced on both
# sides (then the caller checks that a quote is open). The atomic group keeps
# a failed match from handing a closer back as "the next sentence". The other
# alternative is a blank line.
_CANDIDATE = re.compile(
    rf"""
    (?P<punct>{_TERMINAL}++(?:{_HSPACE_CLASS}++{_TERMINAL}++)*+)
    (?P<close>(?>(?:
        {_HSPACE_CLASS}*+{_CLOSERS}
      | ["'’](?=[\s»”)\]}}›]|\Z)
      | {_HSPACE_CLASS}++"(?=\s|\Z)
    )*))
    (?P<space>\s++|\Z)
    |
    \n[^\S\n]*+\n\s*+
    """,
    re.VERBOSE,
)
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")
# A straight quote that counts for parity: not between two letters.
_STRAIGHT_QUOTE = re.compile(r'(?<![^\W\d_])"|"(?![^\W\d_])')
_WORD = re.compile(r"[^\W\d_]+(?:['’](?=[^\W\d_]))?")
_ELISION = re.compile(r"['’]")
_ROMAN = re.compile(r"[IVXLC]+(?![\w'’])")
# A legal or catalogue code after "art.": "L. 121-1", "R 12", "D-3".
_CODE = re.compile(r"[A-Z](?:\.\s?|-?)\d")
_DOTTED = re.compile(r"(?:[^\W\d_]{1,2}\.-?)+[^\W\d_]{1,2}")
_LIST_LABEL = re.compile(r"\d{1,3}|[a-z]")
# A lowercase list label opening an item: "b. Le second point", "c) La fin".
_LETTER_LABEL = re.compile(r"[a-z][.)][ \t\u00a0]+([^\W\d_])")
_BRAND = re.compile(r"[a-z]{1,2}[A-Z]")
# Runs of non-space characters longer than this before a point (URLs, e-mail
# addresses) are not abbreviations and are not looked up.
_MAX_TOKEN = 24


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Split a French paragraph into sentence spans that tile it exactly.

    Args:
        text: One paragraph. Any string is accepted; a blank line inside it
            is a hard boundary.

    Returns:
        ``(start, end)`` offsets in order. They are contiguous, the first
        starts at 0 and the last ends at ``len(text)``, so no character is
        lost or repeated; whitespace between sentences ends the earlier span
        and leading whitespace belongs to the first. An empty text gives
        ``[]``; a whitespace-only text gives one span.
    """
    if not text:
        return []
    quotes: list[int] | None = None
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _CANDIDATE.finditer(text):
        end = match.end()
        if end >= len(text):
            break
        if match.group("punct") is None:  # a blank line
            if match.start() > start and not text[start : match.start()].isspace():
                spans.append((start, end))
                start = end
            continue
        close = match.group("close")
        if close[:1] != '"' and close.strip() == '"':
            # A quote spaced on both sides: it closes only if one is open,
            # otherwise it opens the next sentence and starts its span.
            if quotes is None:
                quotes = [m.start() for m in _STRAIGHT_QUOTE.finditer(text)]
            quote_at = match.start("close") + close.index('"')
            if bisect.bisect_left(quotes, quote_at) % 2 == 0:
                end = quote_at
        if _is_boundary(text, match, start):
            spans.append((start, end))
            start = end
    spans.append((start, len(text)))
    return spans


def split_sentences(text: str) -> list[str]:
    """Split a French paragraph into sentences.

    Args:
        text: One paragraph.

    Returns:
        The sentences in order, stripped of surrounding whitespace, empty ones
        dropped: exactly the non-blank spans of :func:`sentence_spans`.
    """
    return [piece for a, b in sentence_spans(text) if (piece := text[a:b].strip())]


def _is_boundary(text: str, match: re.Match[str], sentence_start: int) -> bool:
    """Judge one punctuation candidate; the module docstring gives the rules."""
    space = match.group("space")
    if "\n" in space and _BLANK_LINE.search(space):
        return True
    following = _next_sentence_start(text, match.end())
    start = match.start()
    if following is None or start == 0:
        return False
    opened, word, word_end = following
    punct = match.group("punct")
    before = text[start - 1]
    if punct != "." and punct.strip(".…") == "":  # "...", "…", "…."
        if before in "[(":
            return False
        return word[0].isupper() or opened
    if punct != "." or before.isspace():
        return True
    token, token_start = _token_before(text, start)
    if not token:
        return True
    if _is_list_label(text, token, sentence_start, token_start):
        return False
    kind = _abbreviation_kind(text, token, token_start)
    if kind is AbbrevKind.TITLE:
        return False
    if kind is AbbrevKind.NUMBER:
        numbered = word[0].isdigit() or _ROMAN.match(word) or _CODE.match(text, match.end())
        return not (numbered or _is_designator(text, word, word_end))
    if kind is AbbrevKind.FINAL:
        return word[0].isupper() or opened
    bare = _ELISION.split(token)[-1] if "'" in token or "’" in token else token
    if kind is AbbrevKind.NAME or _is_initial(bare):
        if len(word) == 1 and text[word_end : word_end + 1] == ".":
            return False  # the next initial of the same name: "J. K. Rowling"
        return _is_function_word(word) or (opened and word[0].isupper())
    return True


def _next_sentence_start(text: str, pos: int) -> tuple[bool, str, int] | None:
    """Look at what follows a candidate's whitespace.

    Returns:
        ``None`` when that cannot start a sentence: a lowercase word, a
        closing or mid-sentence mark, or a symbol. Otherwise a triple: whether
        an opening quote, bracket or dash came first; the first word (letters,
        with an elision apostrophe) or, if it is not a letter, the first
        character; and the offset just after it.
    """
    limit = min(len(text), pos + 6)
    opened = False
    while pos < limit and (text[pos] in _OPENERS or text[pos] in _HSPACE):
        opened = opened or text[pos] in _OPENERS
        pos += 1
    if pos >= len(text):
        return None
    char = text[pos]
    if char in _CLOSE_OR_MID and not opened:
        return None
    word_match = _WORD.match(text, pos)
    if word_match is None:
        if opened or char.isdigit() or char in "#@" or unicodedata.category(char) in ("Sc", "So"):
            return opened, char, pos + 1
        return None
    word = word_match.group()
    if word[0].islower() and not _BRAND.match(word):
        label = _LETTER_LABEL.match(text, pos)
        if label is None or not label.group(1).isupper():
            return None
    return opened, word, word_match.end()


def _token_before(text: str, end: int) -> tuple[str, int]:
    """The word glued to a point, less opening quotes and brackets, and its start.

    Returns ``("", start)`` for a run longer than ``_MAX_TOKEN`` (a URL).
    """
    lower = max(0, end - _MAX_TOKEN - 1)
    start = end
    while start > lower and not text[start - 1].isspace():
        start -= 1
    if start == lower and start > 0 and not text[start - 1].isspace():
        return "", start
    token = text[start:end].lstrip(_OPENERS)
    return token, end - len(token)


def _abbreviation_kind(text: str, token: str, token_start: int) -> AbbrevKind | None:
    """Classify the word before a point through :data:`ABBREVIATIONS`.

    Tries the two-word form (``p. ex``), the word, its lowercase form when
    only its first letter is a capital (a sentence-initial ``Cf.``), and the
    part after an elision (``l'art``), in that order.
    """
    if token_start > 1 and text[token_start - 1].isspace():
        previous, _ = _token_before(text, token_start - 1)
        kind = ABBREVIATIONS.get(f"{previous} {token}") if previous else None
        if kind is not None:
            return kind
    kind = ABBREVIATIONS.get(token)
    if kind is None and token[0].isupper() and token[1:].islower():
        kind = ABBREVIATIONS.get(token.lower())
    if kind is None and ("'" in token or "’" in token):
        kind = ABBREVIATIONS.get(_ELISION.split(token)[-1])
    return kind


def _is_designator(text: str, word: str, word_end: int) -> bool:
    """A lone capital naming an item after a numbering word: ``bât. B``, ``ann. C.``

    ``A`` and ``Y`` are also words (*À* written without its accent, *y*), so
    they count only when punctuation or the end follows (``l'art. A Paris``
    is two sentences).
    """
    if len(word) != 1 or not word.isupper():
        return False
    after = text[word_end : word_end + 1]
    return not _is_function_word(word) or after == "" or after in ".,;:)"


def _is_initial(token: str) -> bool:
    """A single capital (``J``) or a dotted acronym (``É.-U``, ``U.R.S.S``)."""
    if len(token) <= 1:
        return token.isupper()
    return token[0].isupper() and _DOTTED.fullmatch(token) is not None


def _is_function_word(word: str) -> bool:
    """Whether a capitalised word belongs to the French closed classes."""
    return word[0].isupper() and word.lower().replace("’", "'") in _FUNCTION_WORDS


def _is_list_label(text: str, token: str, sentence_start: int, token_start: int) -> bool:
    """Whether a number or lowercase letter before a point labels a list item.

    A label opens its sentence (``1. Le prix``, ``b. La qualité``); after a
    colon only a first label (``1``, ``a``) counts, since a list starts there
    and any other number after a colon is more likely a value (``score : 3.``).
    """
    if _LIST_LABEL.fullmatch(token) is None:
        return False
    pos = token_start
    while pos > sentence_start and (text[pos - 1].isspace() or text[pos - 1] in _OPENERS):
        pos -= 1
    return pos == sentence_start or (text[pos - 1] in ":;" and token in ("1", "a"))


# Where cut_spans may cut, strongest first. A match ends a piece's visible
# text; the whitespace after it joins that piece.
# Clause marks: sentence and clause punctuation, dashes (and a hyphen between
# spaces, used as a dash), closing quotes and brackets, each before a space.
_CLAUSE_BREAK = re.compile(r"""(?:[.!?…;:,—–»”)\]}›"]|(?<=\s)-)(?=\s)""")
# The first breakable space after visible text. No-break spaces are left out:
# French typography puts them where a line must not break ("3 000", "8 h 30",
# "« Bonjour »"), and that holds for a translation unit as well.
_SPACE_BREAK = re.compile(r"(?<![^\S\u00a0\u202f\u2007])[^\S\u00a0\u202f\u2007]")
_WHITESPACE = re.compile(r"\s*")


def _skip_space(text: str, pos: int) -> int:
    """Index of the first non-whitespace character at or after ``pos``."""
    match = _WHITESPACE.match(text, pos)
    return match.end() if match else pos


# How far a hard cut may move back to fall between two graphemes.
_GRAPHEME_LOOKBACK = 16
# The first guess of a piece's length, before galloping; later pieces start
# from the previous piece's length.
_FIRST_GUESS = 64


def cut_spans(text: str, fits: Callable[[str], bool]) -> list[tuple[int, int]]:
    """Cut an over-long sentence into pieces that each satisfy ``fits``.

    Each piece is the longest prefix of the rest that fits, ended at the
    strongest break near that limit: clause punctuation (``; : ,``, dashes,
    sentence punctuation, closing quotes and brackets, each before a space),
    else a space, else (for a run with no space at all, such as a long URL)
    a cut between two characters that keeps surrogate pairs, combining marks
    and joiner sequences whole. A break counts as near when it lies beyond the
    first third of the fitting length; a weaker break near the limit beats a
    stronger one far from it, so no piece is a crumb left before a distant
    comma, and pieces stay balanced-ish.

    ``fits`` is typically a tokenizer count and costly, so it is called
    O(log n) times per piece (galloping from the previous piece's length,
    then bisecting, plus one check of the chosen cut), never per character.
    It is assumed monotone (a prefix of a fitting text fits); where it is
    not, the cut falls back to the longest prefix known to fit.

    Args:
        text: The text to cut, usually one sentence.
        fits: Whether a piece's stripped text is short enough.

    Returns:
        ``(start, end)`` spans tiling ``text`` exactly, as
        :func:`sentence_spans` does: contiguous, in order, whitespace going
        to the earlier piece. ``[]`` for an empty text. A character that does
        not fit even alone still makes a piece, since nothing smaller exists.
    """
    length = len(text)
    spans: list[tuple[int, int]] = []
    start = 0
    guess = _FIRST_GUESS
    while start < length:
        content = _skip_space(text, start)
        if content == length:  # trailing whitespace ends the previous piece
            spans[-1:] = [(spans[-1][0] if spans else start, length)]
            break
        limit = _fitting_end(text, start, content, fits, guess)
        if limit == length:
            spans.append((start, length))
            break
        guess = max(1, limit - content)
        cut = _best_cut(text, content, limit)
        if cut != limit and not fits(text[start:cut].strip()):
            cut = limit
        spans.append((start, cut))
        start = cut
    return spans


def _fitting_end(
    text: str, start: int, content: int, fits: Callable[[str], bool], guess: int
) -> int:
    """The largest ``end`` such that ``text[start:end]`` fits; at least one grapheme.

    Gallops from ``guess`` and then bisects, so the number of ``fits`` calls
    grows with the log of the piece length, not of the text length, and no
    call sees much more than twice the piece.
    """
    length = len(text)
    good, bad = content, length + 1
    step = guess
    while True:
        end = min(length, content + step)
        if not fits(text[start:end].strip()):
            bad = end
            break
        good = end
        if end == length:
            return length
        step *= 2
    while bad - good > 1:
        middle = (good + bad) // 2
        if fits(text[start:middle].strip()):
            good = middle
        else:
            bad = middle
    if good == content:  # not even one character fits: emit one grapheme anyway
        good += 1
        while good < length and not _is_grapheme_boundary(text, good):
            good += 1
    return good


def _best_cut(text: str, content: int, limit: int) -> int:
    """Where to end a piece whose visible text runs from ``content`` to ``limit``."""
    third = content + (limit - content) // 3
    far_breaks: list[int] = []
    for pattern, is_clause in ((_CLAUSE_BREAK, True), (_SPACE_BREAK, False)):
        near = far = 0
        for match in pattern.finditer(text, content + 1, limit + 1):
            visible_end = match.end() if is_clause else match.start()
            if visible_end > third:
                near = visible_end
            elif visible_end > content:
                far = visible_end
        if near:
            return _skip_space(text, near)
        if far:
            far_breaks.append(far)
    if far_breaks:
        return _skip_space(text, far_breaks[0])
    cut = limit
    while cut > content + 1 and limit - cut < _GRAPHEME_LOOKBACK:
        if _is_grapheme_boundary(text, cut):
            return cut
        cut -= 1
    return limit


def _is_grapheme_boundary(text: str, index: int) -> bool:
    """Whether a cut before ``text[index]`` keeps user-perceived characters whole.

    An approximation of Unicode grapheme clusters covering what a hard cut
    meets in practice: surrogate pairs, combining marks, variation selectors,
    zero-width joiners, emoji skin-tone modifiers, and CR LF.
    """
    previous, char = text[index - 1], text[index]
    if "\ud800" <= previous <= "\udbff" and "\udc00" <= char <= "\udfff":
        return False
    if previous == "\u200d" or char == "\u200d" or (previous == "\r" and char == "\n"):
        return False
    if "\ufe00" <= char <= "\ufe0f" or "\U0001f3fb" <= char <= "\U0001f3ff":
        return False
    return unicodedata.category(char) not in ("Mn", "Mc", "Me")
