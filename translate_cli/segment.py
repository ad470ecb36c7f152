"""French sentence splitting with lossless character offsets.

Everything here is a pure function over ``str``: no I/O, no state, stdlib only
(``re``, compiled once; every pattern is linear, with possessive quantifiers
and atomic groups where backtracking could otherwise pile up).

The rules were fitted to kinds of text, never to sentences: newstest2013 and
2014 (news), and the TRAIN splits of the Universal Dependencies French
treebanks Sequoia (Wikipedia, EMEA drug leaflets, Europarl, regional news),
ParTUT (legal text, news, wiki), Rhapsodie and ParisStories (transcribed
speech). ``benchmarks/segmentation.py`` scores them against peers.

The splitter works on one paragraph at a time. Deciding what is a paragraph or
a headline is the job of :mod:`translate_cli.document`, so a line without final
punctuation is never split here, except at a blank line (see below).

How a boundary is found
=======================

A *candidate* is a run of sentence-final punctuation (``.``, ``!``, ``?``,
``…``, ``...``, and stacks such as ``?!`` or the scraped ``. .``), then any
closing quotes or brackets (they stay with the sentence they close), then
whitespace. Without whitespace there is a boundary only between two plain
words (see *glued punctuation* below): ``3.5``, ``www.lemonde.fr``,
``U.R.S.S`` and ``jean.dupont@exemple.fr`` hold points but no break. Each
candidate is judged from both sides.

*The right side*, what the next sentence would start with:

* A closing quote or bracket, or mid-sentence punctuation (``»,``, ``),``),
  means the punctuation was inside a quotation that the sentence goes on
  after. A symbol such as ``|`` or ``/`` does not start a sentence either.
* A capital, a digit, a currency sign, ``#`` or ``@`` (social media), or an
  opening quote, bracket, bullet or dialogue dash may start a sentence; the
  left side decides. Brands such as ``iPhone`` and list labels such as
  ``b. Le second point`` count as capitals.
* A lowercase word starts a sentence more often than French typography
  admits: in reviews and fragments (``Le service était lent. on a
  attendu``), dash list items (``Pièces à fournir. - une copie``) and
  transcribed speech, which hardly capitalises at all. So a lowercase word
  is judged too, by stricter rules (*Lowercase starts* below).

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
  and so whether the point can double as a full stop (see there). After an
  abbreviation an opening *bracket* is a reference or an expansion, not a
  sentence start: ``Dupont et al. (2004) montrent``, ``etc. [3] et``.
* A single capital (``J.``) or a dotted acronym (``É.-U.``, ``U.R.S.S.``,
  ``J.-C.``, ``J-C``) is an initial. When one ends a sentence its point and
  the full stop merge (French never doubles them), so the point is
  ambiguous. It is read as a full stop before a capitalised *function word*
  (``Il``, ``Le``, ``Mais``, ``L'``...): closed-class words are not part of
  names, so their capital can only come from a sentence start, unless a
  capital follows the article (``J.-M. Le Pen``, ``J. de La Fontaine``).
  ``J. K. Rowling`` and ``Vers 800 apr. J.-C. Charlemagne fut couronné``
  stay whole; ``il a quitté l'U.R.S.S. Il`` splits. A dotted acronym after
  a determiner (``aux É.-U.``, ``l'O.N.U.``) names a country or an
  organisation, not a person, so any capitalised word ends it (``aux É.-U.
  Washington a répondu``), except one that a second capital continues
  (``l'U.S. Census Bureau``) or right after the determiner that opens the
  sentence (``Le L.A. Times rapporte``).
* A number of one to three digits, or a lowercase letter, that opens its
  sentence is a list label (``1. Le prix``), not an end; so is a first label
  (``1``, ``a``) right after a colon.
* After any other word the point is a full stop.

Lowercase starts
================

A lowercase word after the punctuation starts a sentence:

* after a plain word's full stop, a detached point or a scraped ``. .``
  (``Paris. et il y vit``, ``cas. ii) la résiliation``). Not after an
  abbreviation, an initial or acronym, a single lowercase letter, a section
  number (``1.8.2.``) or a word the document itself shows to be an
  abbreviation (:func:`learned_abbreviations`): Punkt's orthographic
  evidence, a lowercase word after a point that may be an abbreviation
  point, says the sentence goes on (``etc. et des outils``, ``le p.-d.g.
  de``, ``av. J.-C. la Gaule``), unless the abbreviation is also an
  everyday word and no number comes before it (``trop sec. on``, ``la mer.
  enfin``, but ``30 sec. de pause``). Nor after closing quotes or brackets,
  which an incise follows (``« Je pars. » a-t-il dit``);
* after ``?``, when it opens a question of its own with an interrogative
  word (``? à qui faut-il l'envoyer ?``), not an incise (``Tu viens ?
  demanda-t-elle.``, ``Pourquoi pas ? a répondu le maire.``), an answer
  (``? une dégradation de leur image.``) or the next of a rhetorical series
  (``qu'auraient-ils dit ? qu'auraient-ils pensé ?``);
* in *transcribed speech* (:attr:`_Context.speech`: a paragraph whose
  sentences mostly start lowercase), after ``?``, ``!``, ``…`` and
  ``...`` too, and after any abbreviation but a title (``tous ensemble etc.
  donc on a pris le quad``, ``un bac S. donc``). The profile never switches
  on for capitalised prose.

Semicolons, list labels and glued punctuation
=============================================

* A semicolon ends a sentence of a scraped list before a list label
  (``élus ; 3. Chaque membre``) or a capitalised function word that does not
  begin a name (``vendredi ; Le samedi``, but ``4 % ; Lyon`` and ``; Le
  Havre`` go on). A colon never ends one: a list follows it.
* Punctuation glued to the next sentence (``classiques.Enfin``,
  ``rapide!Le``) ends one when both sides are plain words, lowercase before
  and capitalised after, and the word before is not an abbreviation, so URLs,
  e-mail addresses, numbers, acronyms and ``M.Dupont`` stay whole.

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
from collections.abc import Set as AbstractSet
from types import MappingProxyType
from typing import NamedTuple

__all__ = [
    "ABBREVIATIONS",
    "AbbrevKind",
    "cut_spans",
    "learned_abbreviations",
    "sentence_spans",
    "split_sentences",
]


class AbbrevKind(enum.Enum):
    """What may follow an abbreviation point, hence whether it can end a sentence.

    Before a lowercase word every kind goes on in written prose (Punkt's
    orthographic evidence: a sentence does not start lowercase after an
    abbreviation, Kiss & Strunk 2006); the kinds differ before a capital.
    """

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
    fax*), so before a capital that is not a number the point is read as
    after a plain word: a full stop.
    """

    FINAL = "final"
    """May end a sentence, and then its point doubles as the full stop.

    French typography writes one point when an abbreviation ends a sentence:
    ``…, des pommes, des poires, etc. Puis il partit.`` Mid-sentence such words
    are followed by a lowercase word, a digit (``12 janv. 2013``), punctuation
    or a bracketed reference (``Dupont et al. (2004)``, ``etc. [3]``), and
    almost never by a capital, so a capital or an opening quote after them
    means a new sentence: ``etc. Puis`` splits, ``etc. et``, ``etc.,``,
    ``etc. »`` and ``etc. [3]`` do not.
    """

    NAME = "name"
    """Part of a name: ends a sentence only before a capitalised function word.

    Two-letter initials of given names (``Ch.``, ``Ph.``) and ranks that are
    also common nouns (``col.``, ``cap.``): mid-sentence a capitalised name
    follows them, so only a capital that cannot belong to a name (``Il``,
    ``Le``, ``Mais``) shows a sentence start. Single capitals and dotted
    acronyms get the same rule by their shape, without being listed.
    """

    WORD = "word"
    """A common word cut short, or an everyday word that is also an abbreviation.

    Bibliographic and catalogue abbreviations (``éd.``, ``ill.``,
    ``collab.``, ``imprim.``) are followed by the name of a person or a
    house (``ill. Sempé``), and everyday words that double as abbreviations
    (``ex.`` for *exemple*, ``brig.`` for *brigadier*) end ordinary
    sentences (``Il a croisé son ex. Elle n'avait pas changé.``). Both end a
    sentence only before a capitalised function word, as :attr:`NAME` does.
    """


_T, _N, _F, _M, _W = (
    AbbrevKind.TITLE,
    AbbrevKind.NUMBER,
    AbbrevKind.FINAL,
    AbbrevKind.NAME,
    AbbrevKind.WORD,
)

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
        "Sté", "Éts", "SS",
        # Military ranks that are not also common nouns.
        "gén", "Gén", "lt", "Lt", "lieut", "sgt", "Sgt", "cdt", "Cdt", "cmdt", "cne",
        "adj", "Adj", "capt", "Capt", "maj", "Maj",
        # Words that announce a complement: a reference, an example, a note.
        "cf", "c.-à-d", "c-à-d", "c.à.d", "c.-à.-d", "i.e", "e.g", "p.ex", "p. ex",
        "v", "vs", "av", "apr", "resp", "bd", "Bd", "boul", "pl", "N.B",
        "NB", "P.-S", "P.S", "p.c.c",
    ),
    _N: (
        # Parts of a text or a collection, and numbering words. Several are also
        # ordinary words (l'art, un vol, le fax), hence NUMBER and not TITLE.
        "art", "al", "chap", "ch", "fig", "vol", "t", "p", "pp", "no", "No", "nos", "n",
        "c", "num", "sect", "ss", "éd", "rééd", "ann", "tab", "paragr", "l", "vv", "fasc",
        "liv", "livr", "suppl", "op", "tél", "téléc", "fax", "réf", "bât", "ét", "esc",
        "ca", "fr", "n/réf",
    ),
    _F: (
        # Closers of enumerations and references.
        "etc", "cie", "Cie", "Co", "Inc", "Ltd", "Ltée", "ltée", "Corp", "Jr", "jr",
        "ibid", "id", "op. cit", "loc. cit", "loc.cit", "et al", "coll", "dir", "trad",
        "éds", "ed", "eds", "sq", "sqq", "suiv",
        # Months and days: in dates a digit or a lowercase word follows them.
        "janv", "févr", "fév", "avr", "juil", "juill", "sept", "oct", "nov", "déc",
        "lun", "mar", "mer", "jeu", "ven", "sam", "dim",
        # Quantities, units and places written with a point.
        "hab", "min", "max", "moy", "sec", "mill", "mds", "md", "mln", "hrs", "s",
        "qqch", "qqn", "arr", "dép",
        # Dosage forms of drug leaflets: "1 cp. le matin", "2 gél. 3 fois par jour".
        "cp", "cps", "gél", "amp", "sach", "fl",
    ),
    _M: (
        # Two-letter initials of given names (Charles, Philippe, Thomas...).
        "Ch", "Chr", "Ph", "Th", "Gh", "Cl", "Fr", "Fréd", "Guill", "Jacq", "Edm", "Ed",
        # Ranks that are also common nouns (le col, le cap, un prof), and "Sr",
        # both Sœur before a name and Senior after one.
        "col", "cap", "prof", "Sr",
        # Company legal forms, before the company's name: "la S.A.R.L. Martin".
        "S.A", "S.A.R.L", "S.A.S", "S.A.S.U", "S.N.C", "S.C.I", "E.U.R.L", "S.à r.l",
    ),
    _W: (
        # Everyday words that are also abbreviations: un ex, un brig (a ship).
        "ex", "brig",
        # "environ", "approximativement": before a number mid-sentence, and
        # ending one after a quantity ("en 2 h env. La dose").
        "env", "approx",
        # The sentence-break suppressions of Unicode CLDR for French
        # (common/segments/fr.xml, Unicode License v3) that are common words
        # cut short. Left out: "aux" (a preposition), "Var" (a département),
        # "All", "Comm", "Desc", "Mart", "Op", "DC" (capitalised words and
        # names that end sentences), "quart" and "config" (everyday words).
        "acoust", "adr", "anc", "anon", "append", "broch", "bull", "cam", "categ",
        "collab", "dest", "dict", "doc", "encycl", "exempl", "gouv", "graph", "hôp",
        "ill", "illustr", "imm", "imprim", "indus", "niv", "symb", "synth", "syst",
        "trav. publ", "voit", "édit", "équiv", "éval",
        # The French non-breaking prefixes of Moses (nonbreaking_prefix.fr, as
        # sacremoses ships them) not listed above under another kind.
        "auj", "lib", "contr", "fém", "inf", "masc", "ms", "sing", "sup", "vb",
        "ch.-l", "p.j",
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
the English forms common in translated news) writes it with a point, or
because a maintained lexicon lists it: Unicode CLDR's French sentence-break
suppressions and the French non-breaking prefixes of Moses (which
``tests/test_segment.py`` checks this table against, through sacremoses).
Each is classified by what can follow it in a sentence (see
:class:`AbbrevKind`). Nothing is listed because it was seen in evaluation
data. Initials and dotted acronyms are recognised by their shape and need no
entry. Two-word entries (``p. ex``, ``op. cit``) are matched against the two
words before the point. Abbreviations a document uses but no list holds are
learned from the document itself (:func:`learned_abbreviations`).
"""

# The second words of two-word entries ("ex" of "p. ex"): only these make the
# lookup read the word before.
_SECOND_WORDS = frozenset(key.rsplit(" ", 1)[1] for key in ABBREVIATIONS if " " in key)

# Capitalised, these closed-class words (with number words and civil titles)
# appear at a sentence start (or in a title), never inside a personal or
# place name after an initial: "le cap. Trois mille", "au prof. Madame". They tell an initial or an
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
    deux trois quatre cinq six sept huit neuf dix onze douze quinze vingt
    trente quarante cinquante soixante cent mille monsieur madame mademoiselle
"""
_FUNCTION_WORDS = frozenset(_FUNCTION_WORD_LIST.split())

# Function words that also begin surnames and place names when a capitalised
# word follows them: "J.-M. Le Pen", "J. de La Fontaine", "; Le Havre".
_PARTICLES = frozenset({"le", "la", "les", "de", "du", "des", "d'", "l'"})

# Determiners and prepositions that put a dotted acronym in a noun phrase
# ("aux É.-U.", "la S.N.C.F.", "en U.R.S.S."), where it names a country or an
# organisation, not a person: its point may end the sentence before any
# capital. "de" and "par" are left out: "par J.-M. Dupont" is a person.
_NOUN_DETERMINERS = frozenset(
    {"le", "la", "les", "l'", "au", "aux", "du", "des", "en", "un", "une"}
)

# Determiners: after one, a word that doubles as an abbreviation is a noun.
_DETERMINER_LIST = """
    le la les l' un une des du d' au aux ce cet cette ces mon ma mes ton ta tes
    son sa ses notre nos votre vos leur leurs
"""
_DETERMINERS = frozenset(_DETERMINER_LIST.split())

# Listed abbreviations that are also everyday French words (pyspellchecker's
# French list counts each at least _EVERYDAY_FREQUENCY times; a test checks
# this set against it). Before a lowercase word they read as the word, a
# full stop, unless a number comes first: "trop sec. on", "la mer. enfin",
# "ils étaient sept. on" split, "30 sec. de pause", "le 3 sept. il" do not.
_EVERYDAY_WORDS = frozenset(
    {"art", "cap", "col", "fax", "jeu", "mer", "min", "no", "nos", "sec", "sept", "vol", "voit"}
)
_EVERYDAY_FREQUENCY = 500

# Interrogative words, and prepositions that may come before one ("à qui",
# "depuis quand"). After "?" in written prose a lowercase question starts a
# new sentence only with one of these ("Comment remplir le formulaire ? à
# qui faut-il l'envoyer ?"); a verb or a pronoun starts an incise ("Tu viens ?
# demanda-t-elle.", "Pourquoi pas ? a répondu le maire."), and a noun phrase
# an answer that the question's sentence goes on with.
_INTERROGATIVE_WORD_LIST = """
    qui que qu' quoi quel quelle quels quelles lequel laquelle lesquels
    lesquelles comment où quand pourquoi combien est-ce
"""
_INTERROGATIVES = frozenset(_INTERROGATIVE_WORD_LIST.split())
_PREPOSITION_LIST = """
    à de d' pour par avec sans chez dans sur sous vers depuis jusqu' contre selon en
    pendant durant partir
"""
_PREPOSITIONS = frozenset(_PREPOSITION_LIST.split())

# Horizontal spaces of French typography: the no-break space before ";:!?»"
# and after "«", and the narrow and thin spaces that replace it.
_HSPACE = " \t\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f"
_HSPACE_CLASS = r"[ \t\u00a0\u2000-\u200a\u202f]"
_OPENERS = "«“‘„‹\"'([{¿¡—–-•"
_OPENERS_OR_HSPACE = frozenset(_OPENERS + _HSPACE)
_BRACKETS = "([{"
_CLOSE_OR_MID = "»”’)]}›,;:%"
_TERMINAL_CHARS = ".!?…‽⁇⁈⁉"
_TERMINAL = f"[{_TERMINAL_CHARS}]"
_CLOSERS = "[»”)\\]}›]"
_VOWELS = frozenset("aeiouyàâäéèêëîïôöùûüÿœæAEIOUYÀÂÄÉÈÊËÎÏÔÖÙÛÜŸŒÆ")

# A candidate boundary, one of four alternatives:
# * terminal punctuation: "punct" with its stacks ("?!", the scraped ". ."),
#   "close" the closing quotes and brackets that stay with the sentence,
#   "space" the whitespace after them. A straight quote or apostrophe closes
#   only when glued to the punctuation, or when spaced on both sides (then
#   the caller checks that a quote is open). The atomic group keeps a failed
#   match from handing a closer back as "the next sentence";
# * "semicolon": a semicolon and its whitespace, before a letter or digit
#   (scraped lists: "vendredi ; Le samedi", "; 3. Chaque membre");
# * "glued" instead of "space": terminal punctuation with no space after it,
#   before a letter that is not Latin lowercase ("classiques.Enfin",
#   "rapide!!Le"), or after "!" or "?" before any letter ("bien!je"), judged
#   by _glued_ends;
# * a blank line.
_CANDIDATE = re.compile(
    rf"""
    (?=[{_TERMINAL_CHARS};\n])  # every alternative starts so: the engine skips ahead fast
    (?:
    (?P<punct>{_TERMINAL}++(?:{_HSPACE_CLASS}++{_TERMINAL}++)*+)
    (?P<close>(?>(?:
        {_HSPACE_CLASS}*+{_CLOSERS}
      | ["'’](?=[\s»”)\]}}›]|\Z)
      | {_HSPACE_CLASS}++"(?=\s|\Z)
    )*))
    (?:(?P<space>\s++|\Z)|(?P<glued>(?=[^\W\d_a-zß-öø-ÿ])|(?<=[!?])(?=[a-zß-öø-ÿ])))
    |
    (?P<semicolon>;)(?=\s)\s++(?=[^\W_])
    |
    \n[^\S\n]*+\n\s*+
    )
    """,
    re.VERBOSE,
)
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")
# A straight quote that counts for parity: not between two letters.
_STRAIGHT_QUOTE = re.compile(r'(?<![^\W\d_])"|"(?![^\W\d_])')
_WORD = re.compile(r"[^\W\d_]+(?:['’](?=[^\W\d_]))?")
# A word of letters with inner apostrophes or hyphens, nothing else.
_PLAIN_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*+")
_ELISION = re.compile(r"['’]")
_ROMAN = re.compile(r"[IVXLC]+(?![\w'’])")
# A legal or catalogue code after "art.": "L. 121-1", "R 12", "D-3".
_CODE = re.compile(r"[A-Z](?:\.\s?|-?)\d")
_DOTTED = re.compile(r"(?:[^\W\d_]{1,2}(?:\.-?|-))+[^\W\d_]{1,2}")
_LIST_LABEL = re.compile(r"\d{1,3}|[a-z]|[ivxlc]{2,5}|[IVXLC]{1,5}")
# A section or version number: "1.8.2", "4.1".
_SECTION_NUMBER = re.compile(r"\d+(?:\.\d+)+")
# A lowercase list label opening an item: "b. Le second point", "c) La fin".
_LETTER_LABEL = re.compile(r"[a-z][.)][ \t\u00a0]+([^\W\d_])")
# A list label after a semicolon: "; 3. Chaque", "; 2° Le", "; b) la",
# "; ii) le", "; II. Les", "; B) Le" (a capital with a point is an initial).
_ITEM_LABEL = re.compile(
    r"(?:\d{1,3}[.)°]|[a-z][.)]|[ivxlc]{1,5}[.)]|[IVXLC]{2,5}\.|[IVXLC]{1,5}\)|[A-Z]\))"
    r"[ \t\u00a0]+[^\W_]"
)
# A verb with its subject pronoun after it: the incise "demanda-t-elle".
_INVERSION = re.compile(r"[^\W\d_]+-(?:t-)?(?:il|elle|on|ils|elles|je|tu|nous|vous|ce)(?![\w])")
# A date expression within this many words of the sentence start is fronted.
_FRONTED_WORDS = 4
# Stacked exclamation marks (with or without "?"): reviews end sentences so,
# incises never follow them ("Vraiment nul !!! j'ai demandé").
_EMPHATIC = re.compile(r"(?=[!?]*!)[!?]{2,}")
# The rest of a clause, up to its final punctuation (bounded: a question is short).
_CLAUSE_END = re.compile(r"[^.!?…]{0,300}+([.!?…])")
# Where the clause before a "?" starts: after the last sentence or clause mark.
_CLAUSE_MARK = re.compile(r"[.!?…:;]")
_BRAND = re.compile(r"[a-z]{1,2}[A-Z]")
# Runs of non-space characters longer than this before a point (URLs, e-mail
# addresses) are not abbreviations and are not looked up.
_MAX_TOKEN = 24
# The run of non-space characters that ends where a search stops (its endpos).
_LAST_TOKEN = re.compile(r"(?<!\S)\S*\Z")
# What the speech profile counts: the letter after a word's full stop (the
# word is captured, to leave abbreviations out), and the paragraph's first
# letter (see _Context.speech).
_STOP_THEN_LETTER = re.compile(r"([^\W\d_]{2,}+)\.[\s\"'«“(\[—–-]*+([^\W\d_])")
# The paragraph's first word, when it starts it (not "20 % des", not "eBay").
_FIRST_WORD = re.compile(r"[\s\"'«“(\[—–-]*+([^\W\d_]++)")
# A word of two to seven letters with a point, then what follows it (see
# learned_abbreviations).
_POINTED = re.compile(r"(?<![\w.@/'’-])([^\W\d_]{2,7})\.(?=[ \t\u00a0\u202f]*+(\S))")


def learned_abbreviations(text: str) -> frozenset[str]:
    """Abbreviations a document uses that :data:`ABBREVIATIONS` does not list.

    The per-document check of Punkt (Kiss & Strunk 2006, *Unsupervised
    multilingual sentence boundary detection*), reduced to its strongest
    evidence: a word is an abbreviation when it is seen at least twice with
    a point before a lowercase word, a digit or ``, ; :``, never without the
    point, ends with a consonant, as French abbreviations do (they are cut
    before a vowel: ``boul.``, ``dépt.``), and is not an everyday French word
    (pyspellchecker's French list, loaded on first need). ``voilà`` or
    ``rentré`` ending sentences of a transcript, ``nul`` in ``Service nul.
    accueil nul.``, and a word that also appears bare are not learned.

    Args:
        text: The whole document (or one paragraph).

    Returns:
        The abbreviations, as written, without their point.
    """
    evidence: dict[str, int] = {}
    for match in _POINTED.finditer(text):
        token, after = match.group(1), match.group(2)
        if token[-1] in _VOWELS or token in ABBREVIATIONS:
            continue
        if after.islower() or after.isdigit() or after in ",;:":
            evidence[token] = evidence.get(token, 0) + 1
    candidates = [
        token
        for token, count in evidence.items()
        if count >= 2 and re.search(rf"(?<![\w'’-]){re.escape(token)}(?![\w'’.-])", text) is None
    ]
    if not candidates:
        return frozenset()
    from .dehyphenate import french_words  # 0.4 s, once, and only when needed

    words = french_words()
    return frozenset(t for t in candidates if words.get(t.lower(), 0) < _EVERYDAY_FREQUENCY)


_GROUPS = ("punct", "close", "space", "glued", "semicolon")


class _Candidate(NamedTuple):
    """One match of ``_CANDIDATE`` with terminal punctuation, read once."""

    start: int
    end: int
    """Where the next sentence would start: after the whitespace."""
    punct: str
    close: str
    space: str | None
    """``None`` for glued punctuation."""


class _Next(NamedTuple):
    """What follows a candidate's whitespace, when it may start a sentence."""

    opener: str
    """Opening quotes, brackets and dashes before the word."""
    word: str
    """The first word (letters, with an elision apostrophe), else the first character."""
    start: int
    end: int
    lowercase: bool
    """A lowercase word (not a brand such as ``iPhone`` nor a list label)."""

    @property
    def quoted(self) -> bool:
        """An opening quote or dash came first: a bracket does not count."""
        return any(char not in _BRACKETS for char in self.opener)


class _Context:
    """What a paragraph tells about itself, worked out only when a rule needs it."""

    __slots__ = ("_learned", "_speech", "text")

    def __init__(self, text: str, learned: AbstractSet[str] | None) -> None:
        self.text = text
        self._learned = learned
        self._speech: bool | None = None

    @property
    def learned(self) -> AbstractSet[str]:
        """The document's own abbreviations (:func:`learned_abbreviations`)."""
        if self._learned is None:
            self._learned = learned_abbreviations(self.text)
        return self._learned

    @property
    def speech(self) -> bool:
        """Whether the paragraph reads as transcribed speech.

        Transcripts (Rhapsodie, ParisStories, subtitles of interviews) start
        their sentences lowercase. The paragraph is speech when more of its
        sentence starts are lowercase than capitalised, counting its first
        letter and the letter after each full stop of a word that is not an
        abbreviation (listed or learned); a tie goes to speech when the
        paragraph itself starts lowercase, which prose never does. Only ``.`` is
        counted, never ``?``, ``!`` or ``…``: incises follow those in
        capitalised prose (``Tu viens ? demanda-t-elle.``), so dialogue never
        switches the profile on, and a capitalised paragraph needs more
        lowercase starts after full stops than capitalised ones.
        """
        if self._speech is None:
            lower = upper = 0
            first = _FIRST_WORD.match(self.text)
            opening = first.group(1) if first else ""
            letters = [opening[0]] if opening and not _BRAND.match(opening) else []
            letters += [
                m.group(2)
                for m in _STOP_THEN_LETTER.finditer(self.text)
                if m.group(1) not in ABBREVIATIONS and m.group(1) not in self.learned
            ]
            for letter in letters:
                lower += letter.islower()
                upper += letter.isupper()
            opens_lowercase = bool(letters) and letters[0].islower()
            self._speech = lower > upper or (lower == upper and opens_lowercase)
        return self._speech


def sentence_spans(
    text: str, abbreviations: AbstractSet[str] | None = None
) -> list[tuple[int, int]]:
    """Split a French paragraph into sentence spans that tile it exactly.

    Args:
        text: One paragraph. Any string is accepted; a blank line inside it
            is a hard boundary.
        abbreviations: The document's own abbreviations, from
            :func:`learned_abbreviations` over the whole document; ``None``
            learns them from ``text`` alone.

    Returns:
        ``(start, end)`` offsets in order. They are contiguous, the first
        starts at 0 and the last ends at ``len(text)``, so no character is
        lost or repeated; whitespace between sentences ends the earlier span
        and leading whitespace belongs to the first. An empty text gives
        ``[]``; a whitespace-only text gives one span.
    """
    if not text:
        return []
    context = _Context(text, abbreviations)
    quotes: list[int] | None = None
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _CANDIDATE.finditer(text):
        end = match.end()
        if end >= len(text):
            break
        punct, close, space, glued, semicolon = match.group(*_GROUPS)
        if glued is not None:
            boundary = _glued_ends(text, _Candidate(match.start(), end, punct, close, space))
        elif punct is None:
            if semicolon is not None:
                boundary = _semicolon_ends(text, end)
            else:  # a blank line
                boundary = match.start() > start and not text[start : match.start()].isspace()
        else:
            if close[:1] != '"' and close.strip() == '"':
                # A quote spaced on both sides: it closes only if one is open,
                # otherwise it opens the next sentence and starts its span.
                if quotes is None:
                    quotes = [m.start() for m in _STRAIGHT_QUOTE.finditer(text)]
                quote_at = match.start("close") + close.index('"')
                if bisect.bisect_left(quotes, quote_at) % 2 == 0:
                    end = quote_at
            candidate = _Candidate(match.start(), match.end(), punct, close, space)
            boundary = _is_boundary(text, candidate, start, context)
        if boundary:
            spans.append((start, end))
            start = end
    spans.append((start, len(text)))
    return spans


def split_sentences(text: str, abbreviations: AbstractSet[str] | None = None) -> list[str]:
    """Split a French paragraph into sentences.

    Args:
        text: One paragraph.
        abbreviations: As for :func:`sentence_spans`.

    Returns:
        The sentences in order, stripped of surrounding whitespace, empty ones
        dropped: exactly the non-blank spans of :func:`sentence_spans`.
    """
    return [piece for a, b in sentence_spans(text, abbreviations) if (piece := text[a:b].strip())]


def _is_boundary(text: str, match: _Candidate, sentence_start: int, context: _Context) -> bool:
    """Judge one terminal-punctuation candidate; the module docstring gives the rules."""
    space = match.space or ""
    if "\n" in space and _BLANK_LINE.search(space):
        return True
    following = _next_sentence_start(text, match.end)
    start = match.start
    if following is None or start == 0:
        return False
    if following.lowercase:
        return _ends_before_lowercase(text, match, sentence_start, following, context)
    word, word_end = following.word, following.end
    punct = match.punct
    before = text[start - 1]
    if _is_suspension(punct):
        if before in "[(":
            return False
        return word[0].isupper() or bool(following.opener)
    if punct != "." or before.isspace():
        return True
    token, token_start = _token_before(text, start)
    if not token:
        return True
    if _is_list_label(text, token, sentence_start, token_start) and not (
        token.isupper() and context.speech
    ):
        return False  # transcripts number nothing: "XXX." marks an inaudible word
    kind = _abbreviation_kind(text, token, token_start)
    if kind is AbbrevKind.TITLE and len(token) == 1 and _after_given_name(text, token_start):
        kind = None  # an initial: "la victime, Sophie M. Elle avait 34 ans"
    if kind is AbbrevKind.TITLE:
        return False
    if kind is None and word[0].isdigit() and token in context.learned:
        return False  # "1 cp. 3 fois par jour", where "cp" is learned
    if kind is AbbrevKind.NUMBER:
        numbered = word[0].isdigit() or _ROMAN.match(word) or _CODE.match(text, match.end)
        return not (numbered or _is_designator(text, word, word_end))
    bare = _bare(token)
    abbreviated = kind is not None or _is_initial(bare)
    if abbreviated and following.opener and not following.quoted:
        return False  # a reference or an expansion: "et al. (2004)", "A.B.C. (Ateliers"
    if kind is AbbrevKind.FINAL:
        return word[0].isupper() or following.quoted
    if kind is AbbrevKind.WORD and _after_one_of(text, token, token_start, _DETERMINERS):
        # An everyday noun: "son ex. Marc l'a salué", "le brig. Deux hommes".
        return word[0].isupper() or following.quoted
    if abbreviated:
        if len(word) == 1 and text[word_end : word_end + 1] == ".":
            return False  # the next initial of the same name: "J. K. Rowling"
        if (
            kind is None
            and len(bare) > 1
            and _after_one_of(text, token, token_start, _NOUN_DETERMINERS)
        ):
            # "aux É.-U. Washington a répondu", but "l'U.S. Census Bureau"
            # and "Le L.A. Times rapporte" (no sentence is that short).
            return (
                word[0].isupper()
                and not _capital_follows(text, word_end)
                and len(text[sentence_start:token_start].split()) >= 2
            )
        after_abbreviation = _abbreviation_before(text, token_start)
        if _is_function_word(word):
            return after_abbreviation or not _is_particle(text, word, word_end)
        if after_abbreviation and word[0].isupper():
            # A date closing a sentence ("Auguste meurt en 14 apr. J.-C. Tibère
            # lui succède") or opening one ("Vers 800 apr. J.-C. Charlemagne fut
            # couronné"): only a fronted date stands in the first four words.
            return len(text[sentence_start:token_start].split()) > _FRONTED_WORDS
        return following.quoted and word[0].isupper()
    return True


def _ends_before_lowercase(
    text: str, match: _Candidate, sentence_start: int, following: _Next, context: _Context
) -> bool:
    """Judge a candidate followed by a lowercase word; the module docstring gives the rules."""
    if match.close.strip():
        return False  # "« Je pars. » a-t-il dit", "(pommes, etc.) et"
    punct = match.punct
    start = match.start
    if _is_suspension(punct):
        return text[start - 1] not in "[(" and context.speech
    if punct.strip(". ") != "":  # "?", "!", stacks
        if context.speech:
            return True
        if _EMPHATIC.fullmatch(punct) and not _INVERSION.match(text, following.start):
            return not following.opener  # "Vraiment nul !!! j'ai demandé", not an incise
        return punct.strip() == "?" and _opens_question(text, match, sentence_start, following)
    if punct != "." or text[start - 1].isspace():
        return True  # a scraped ". ." or a detached point
    token, token_start = _token_before(text, start)
    if not token:
        return True
    if (
        _is_list_label(text, token, sentence_start, token_start)
        and not context.speech
        and not token.isupper()  # "XXX. oui": a capital label is followed by a capital
    ):
        return False
    kind = _abbreviation_kind(text, token, token_start)
    if kind is AbbrevKind.TITLE:
        return False
    bare = _bare(token)
    if bare in _EVERYDAY_WORDS and not _number_before(text, token_start):
        return True
    if (
        kind is not None
        or _is_initial(bare)
        or (len(bare) > 1 and _DOTTED.fullmatch(bare) is not None)  # "le p.-d.g. de"
        or (len(bare) == 1 and bare.islower() and bare not in "aày")
        or _SECTION_NUMBER.fullmatch(bare) is not None  # "le Module 1.8.2. de"
        or token in context.learned
    ):
        return context.speech
    return True


def _is_suspension(punct: str) -> bool:
    """``…``, ``...`` or ``…``: suspension marks, not a plain full stop."""
    return punct != "." and punct.strip(".…") == ""


def _opens_question(text: str, match: _Candidate, sentence_start: int, following: _Next) -> bool:
    """Whether a lowercase question after ``?`` is a sentence of its own, in prose.

    It is when it ends with ``?`` itself and opens as a question does: with
    an interrogative word, alone or after prepositions (``à qui``, ``à partir
    de quand``, ``jusqu'à quand``), or with a verb and its inverted subject
    (``y a-t-il``, ``peut-on l'envoyer ?``); an incise with inversion ends
    with a point (``Tu viens ? demanda-t-elle.``). It is not when it repeats
    the first word of the question before it: ``qu'auraient-ils dit ?
    qu'auraient-ils pensé ?`` is one rhetorical series, as newstest's gold
    has it. A dash or an answer (``? une dégradation de leur image``) goes
    on.
    """
    if following.opener:
        return False
    end = _CLAUSE_END.match(text, following.start)
    if end is None or end.group(1) != "?" or not _opens_as_question(text, following.start):
        return False
    first = following.word.lower().replace("’", "'")
    clause_start = sentence_start
    for mark in _CLAUSE_MARK.finditer(text, sentence_start, match.start):
        clause_start = mark.end()
    previous = _WORD.search(text, clause_start, match.start)
    return previous is None or previous.group().lower().replace("’", "'") != first


def _opens_as_question(text: str, pos: int) -> bool:
    """Whether the words from ``pos`` open a question (see :func:`_opens_question`)."""
    for _ in range(4):
        if text.startswith("est-ce", pos) or _INVERSION.match(text, pos):
            return True
        word_match = _WORD.match(text, pos)
        if word_match is None:
            return False
        word = word_match.group().lower().replace("’", "'")
        if word in _INTERROGATIVES:
            return True
        if word not in _PREPOSITIONS and word not in ("y", "a"):
            return False  # "y a-t-il", "à partir de quand": read on
        pos = _skip_space(text, word_match.end())
    return False


def _semicolon_ends(text: str, pos: int) -> bool:
    """Whether a semicolon before ``pos`` ends a sentence of a scraped list.

    It does before a list label (``; 3. Chaque membre``) and before a
    capitalised function word that is not the start of a name (``vendredi ;
    Le samedi``, but ``; Le Havre``); a capital name (``4 % ; Lyon``) or a
    lowercase word continues the sentence. A colon never ends one.
    """
    if _ITEM_LABEL.match(text, pos):
        return True
    word_match = _WORD.match(text, pos)
    if word_match is None or text.startswith(".", word_match.end()):
        return False
    word = word_match.group()
    return _is_function_word(word) and not _is_particle(text, word, word_match.end())


# A straight quote is left out: it may open what follows as well.
_GLUED_CLOSERS = ")]»”"


def _glued_ends(text: str, match: _Candidate) -> bool:
    """Whether punctuation glued to the next sentence ends one: ``classiques.Enfin``.

    Both sides must be plain words, lowercase before and capitalised after
    (or lowercase after ``!`` or ``?``, as reviews write ``Trop bien!je``),
    so that URLs, e-mail addresses, numbers, acronyms and abbreviations
    (``www.Site.fr``, ``A.B.C``, ``ASP.Net``, ``M.Dupont``) stay whole; a
    closing bracket or quote before the point may close anything
    (``(art. R. 421-1).Le``, ``« non ».Le``).
    """
    after_start = match.end
    punct = match.punct
    if match.close or not punct.isprintable():
        return False  # a closing quote or a stack with spaces: not glued
    if not text[after_start].isupper() and "!" not in punct and "?" not in punct:
        return False  # "www.site.fr", "fichier.txt"; but "Trop bien!je recommande"
    token, token_start = _token_before(text, match.start)
    if token[-1:] not in _GLUED_CLOSERS:  # "(art. R. 421-1).Le" ends whatever it holds
        if len(token) < 2 or not token[-2:].islower() or _PLAIN_WORD.fullmatch(token) is None:
            return False
        kind = _abbreviation_kind(text, token, token_start)
        if kind is not None and kind is not AbbrevKind.FINAL:
            return False
    after_end = after_start
    limit = min(len(text), after_start + _MAX_TOKEN)
    while after_end < limit and not text[after_end].isspace():
        after_end += 1
    after = text[after_start:after_end].rstrip(".,;:!?…»”)\"'")
    return _PLAIN_WORD.fullmatch(after) is not None


def _next_sentence_start(text: str, pos: int) -> _Next | None:
    """Look at what follows a candidate's whitespace.

    Returns:
        ``None`` when that cannot start a sentence: a closing or
        mid-sentence mark, or a symbol. Otherwise what comes first (see
        :class:`_Next`); a lowercase word is returned marked ``lowercase``,
        for the rules that let one start a sentence.
    """
    opener = ""
    if pos < len(text) and text[pos] in _OPENERS_OR_HSPACE:
        limit = min(len(text), pos + 6)
        while pos < limit and text[pos] in _OPENERS_OR_HSPACE:
            if text[pos] in _OPENERS:
                opener += text[pos]
            pos += 1
    if pos >= len(text):
        return None
    char = text[pos]
    if char in _CLOSE_OR_MID and not opener:
        return None
    word_match = _WORD.match(text, pos)
    if word_match is None:
        if opener or char.isdigit() or char in "#@" or unicodedata.category(char) in ("Sc", "So"):
            return _Next(opener, char, pos, pos + 1, False)
        return None
    word = word_match.group()
    lowercase = False
    if word[0].islower() and not _BRAND.match(word):
        label = _LETTER_LABEL.match(text, pos)
        lowercase = label is None or not label.group(1).isupper()
    return _Next(opener, word, pos, word_match.end(), lowercase)


def _token_before(text: str, end: int) -> tuple[str, int]:
    """The word glued to a point, less opening quotes and brackets, and its start.

    Returns ``("", start)`` for a run longer than ``_MAX_TOKEN`` (a URL).
    """
    found = _LAST_TOKEN.search(text, max(0, end - _MAX_TOKEN), end)
    if found is None:
        return "", end
    token = found.group().lstrip(_OPENERS)
    return token, end - len(token)


def _abbreviation_kind(text: str, token: str, token_start: int) -> AbbrevKind | None:
    """Classify the word before a point through :data:`ABBREVIATIONS`.

    Tries the two-word form (``p. ex``), the word, its lowercase form when
    only its first letter is a capital (a sentence-initial ``Cf.``), and the
    part after an elision (``l'art``), in that order.
    """
    if token in _SECOND_WORDS and token_start > 1 and text[token_start - 1].isspace():
        previous, _ = _token_before(text, token_start - 1)
        kind = ABBREVIATIONS.get(f"{previous} {token}") if previous else None
        if kind is not None:
            return kind
    kind = ABBREVIATIONS.get(token)
    if kind is None and token[0].isupper() and token[1:].islower():
        kind = ABBREVIATIONS.get(token.lower())
    if kind is None and ("'" in token or "’" in token):
        kind = ABBREVIATIONS.get(_bare(token))
    return kind


def _previous_word(text: str, token_start: int) -> str:
    """The whitespace-separated word before ``token_start``, or ``""``."""
    if token_start < 2 or not text[token_start - 1].isspace():
        return ""
    previous, _ = _token_before(text, token_start - 1)
    return previous


def _abbreviation_before(text: str, token_start: int) -> bool:
    """Whether an abbreviation point ends the word before: ``av. J.-C.``.

    A single capital is left out: it is an initial (``J. M. G. Le Clézio``).
    """
    previous = _previous_word(text, token_start)
    return len(previous) > 2 and previous.endswith(".") and previous[:-1] in ABBREVIATIONS


def _after_given_name(text: str, token_start: int) -> bool:
    """Whether a capitalised word that is not a function word comes before: ``Sophie M.``."""
    previous = _previous_word(text, token_start)
    return (
        previous[:1].isupper()
        and previous.isalpha()
        and not previous.isupper()
        and not _is_function_word(previous)
    )


def _bare(token: str) -> str:
    """A token without its elided article: ``l'art`` → ``art``."""
    return _ELISION.split(token)[-1] if "'" in token or "’" in token else token


def _after_one_of(text: str, token: str, token_start: int, words: frozenset[str]) -> bool:
    """Whether one of ``words`` comes before a token, elided (``l'ex``) or not (``son ex``)."""
    if _ELISION.search(token):
        return _ELISION.split(token)[0].lower() + "'" in words
    return _previous_word(text, token_start).lower() in words


def _number_before(text: str, token_start: int) -> bool:
    """Whether the word before is a number: ``30 sec.``, ``le 3 sept.``."""
    previous = _previous_word(text, token_start)
    return bool(previous) and previous[-1].isdigit()


def _capital_follows(text: str, pos: int) -> bool:
    """Whether the next word after ``pos`` is capitalised: a name goes on."""
    pos = _skip_hspace(text, pos)
    return pos < len(text) and text[pos].isupper()


def _skip_hspace(text: str, pos: int) -> int:
    """The first position at or after ``pos`` that is not a horizontal space."""
    while pos < len(text) and text[pos] in _HSPACE:
        pos += 1
    return pos


def _is_particle(text: str, word: str, word_end: int) -> bool:
    """A function word that begins a name: ``Le Pen``, ``La Fontaine``, ``D'Alembert``."""
    if word.lower().replace("’", "'") not in _PARTICLES:
        return False
    name = _WORD.match(text, _skip_hspace(text, word_end))
    # "Le Pen", "La Fontaine"; an acronym after the article is a noun: "Le FBI".
    return name is not None and name.group()[0].isupper() and not name.group().isupper()


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
    if not token[:1].isupper():
        return False
    return len(token) == 1 or _DOTTED.fullmatch(token) is not None


def _is_function_word(word: str) -> bool:
    """Whether a capitalised word belongs to the French closed classes."""
    return word[0].isupper() and word.lower().replace("’", "'") in _FUNCTION_WORDS


def _is_list_label(text: str, token: str, sentence_start: int, token_start: int) -> bool:
    """Whether a number, a letter or a Roman numeral before a point labels a list item.

    A label opens its sentence (``1. Le prix``, ``b. La qualité``, ``II. Les
    organes``); after a
    colon only a first label (``1``, ``a``) counts, since a list starts there
    and any other number after a colon is more likely a value (``score : 3.``).
    """
    if _LIST_LABEL.fullmatch(token) is None:
        return False
    pos = token_start
    while pos > sentence_start and (text[pos - 1].isspace() or text[pos - 1] in _OPENERS):
        pos -= 1
    return pos == sentence_start or (text[pos - 1] in ":;" and token in ("1", "a", "i", "I"))


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
