"""OPUS-MT's input preprocessing, applied to what the model sees in both engines.

The OPUS-MT models (``Helsinki-NLP/opus-mt-fr-en`` among them, released
2020-02) were trained on text passed through Moses' preprocessing before
SentencePiece. Helsinki-NLP's ``Opus-MT/train/preprocess-spm.sh`` runs::

    replace-unicode-punctuation.perl |
    remove-non-printing-char.perl |
    normalize-punctuation.perl -l $lang |
    sed 's/  */ /g;s/^ *//g;s/ *$//g' |
    spm_encode --model source.spm

and Opus-MT's own server (``content_processor.py``) runs the Moses
punctuation normaliser on every input before SentencePiece. transformers'
``MarianTokenizer`` ships that normaliser as ``normalize()`` but never
applies it when called, so without this module the model reads text unlike
its training data: ``l’armée`` (U+2019) where training had ``l'armée``,
``«\u00a0oui\u00a0»`` where it had ``"oui"``, ``heures\u00a0?`` where it had
``heures?``.

:func:`opus_mt_normalize` reproduces the four steps, in the script's order:

1. ``replace-unicode-punctuation.perl``: the table sacremoses'
   ``MosesPunctNormalizer`` applies with ``pre_replace_unicode_punct=True``.
   ``’`` becomes ``'`` here, before step 3 could read it as a closing
   quote. One deliberate difference from the Perl script, as in sacremoses:
   a full-width ``１`` becomes ``1``, not ``"`` (a typo in the script).
2. ``remove-non-printing-char.perl``: every character of Unicode category C
   (controls, format characters such as U+200B) becomes a space, as the
   script's ``s/\\p{C}/ /g`` does, with three deliberate differences (see
   :func:`remove_non_printing`): a soft hyphen is deleted, a format character
   between two letters is deleted (``gouver\u00adnement``, ``mot\u200bclef``
   stay one word), and private-use or unassigned code points are kept.
   sacremoses' ``post_remove_control_chars`` does not match it: it deletes
   those characters (gluing ``a\\tb`` into ``ab``) and runs after step 3.
3. ``normalize-punctuation.perl -l fr``: the substitutions of sacremoses'
   ``MosesPunctNormalizer("fr")``, except that a guillemet with no-break
   spaces on both sides becomes ``' "'`` / ``'" '`` as in the Perl script
   (sacremoses' default glues the quote to the neighbouring word).
4. The ``sed``: runs of spaces become one, and the ends are trimmed.

The tables are copied here rather than taken from sacremoses at run time:
importing sacremoses costs about 0.65 s (it pulls in joblib and numpy and
compiles its tokenizer's patterns), which is 6 % of a 300-sentence
CTranslate2 run, while the substitutions themselves cost 0.1 ms a sentence.
``tests/test_normalize.py`` checks the tables against sacremoses' and the
output against a sacremoses-based pipeline on a few hundred sentences.

OPUS-MT-train's later ``scripts/preprocess-spm.sh`` (for models trained
after 2020) drops step 3 and keeps 1, 2 and 4; this module follows the script
of opus-mt-fr-en's generation.

Normalisation only changes what the model reads: outputs keep the source
text as written. ``--no-normalize`` (``Settings.normalize``) turns it off.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Sequence

# How the setting is recorded in outputs' metadata and engine details.
NORMALIZATION_ON = "opus-mt-moses-fr"
NORMALIZATION_OFF = "off"
# Sentences kept per normaliser: each one is normalised for count_tokens and
# again for translate_batch, so the second time is a cache hit.
CACHE_SIZE = 8192
# Distinct characters whose Unicode category is remembered (bounded, so a
# hostile text of a million different code points cannot grow it for ever).
_CATEGORY_CACHE = 65536
_SPACES = re.compile(" {2,}")


def normalization_label(enabled: bool) -> str:
    """The word recorded in metadata for the setting (``opus-mt-moses-fr`` or ``off``)."""
    return NORMALIZATION_ON if enabled else NORMALIZATION_OFF


# What remove_non_printing does with a character.
_KEEP, _SPACE, _FORMAT = 0, 1, 2
# Category C characters kept as they are: private use (icon-font glyphs) and
# unassigned (emoji newer than Python's Unicode tables). They are visible;
# the translator masks them before the engine when the model cannot write
# them, and turning one into a space would lose it.
_KEPT_OTHER = frozenset({"Co", "Cn"})
SOFT_HYPHEN = "\u00ad"


class _NonPrinting(dict[int, int]):
    """What to do with each character: keep it, make it a space, or (format) see the text.

    Filled on demand, since the category of every code point would cost a
    scan of 1.1 million characters at start-up.
    """

    def __missing__(self, code: int) -> int:
        category = unicodedata.category(chr(code))
        if category[0] != "C" or category in _KEPT_OTHER:
            value = _KEEP
        else:
            value = _FORMAT if category == "Cf" else _SPACE
        if len(self) < _CATEGORY_CACHE:
            self[code] = value
        return value


_NON_PRINTING = _NonPrinting()


def _in_word(char: str) -> bool:
    """A letter, or a combining mark on one."""
    return char.isalpha() or unicodedata.category(char)[0] == "M"


def remove_non_printing(text: str) -> str:
    """``remove-non-printing-char.perl`` (``s/\\p{C}/ /g``), with three deviations.

    Category C characters become spaces, except:

    * a soft hyphen (U+00AD) is deleted: it is an invisible hyphenation
      hint, and ``gouver\u00adnement`` is one word to a reader;
    * format characters (category Cf: U+200B, U+200C, U+200D, U+2060,
      U+FEFF...) between two letters are deleted, so ``mot\u200bclef`` stays
      one word instead of becoming two; elsewhere they become a space;
    * private-use and unassigned code points are kept (they are visible;
      see ``_KEPT_OTHER``).

    The Perl script turned every one into a space, splitting words the user
    never split; those inputs are rare in OPUS-MT's training data, so reading
    the word whole is closer to training than reading two fragments. The
    output keeps the source as written: this only changes what the model
    reads. A ZWJ inside an emoji sequence never gets here: the translator
    masks the whole sequence first.
    """
    # str.isprintable() is false for every category C character (and for
    # spaces other than U+0020): printable text has none to replace.
    if text.isprintable():
        return text
    out: list[str] = []
    i, n = 0, len(text)
    table = _NON_PRINTING
    while i < n:
        char = text[i]
        kind = table[ord(char)]
        if kind == _KEEP:
            out.append(char)
            i += 1
        elif kind == _SPACE:
            out.append(" ")
            i += 1
        else:
            j = i + 1
            while j < n and table[ord(text[j])] == _FORMAT:
                j += 1
            if not (i > 0 and j < n and _in_word(text[i - 1]) and _in_word(text[j])):
                out.extend(" " for c in text[i:j] if c != SOFT_HYPHEN)
            i = j
    return "".join(out)


# replace-unicode-punctuation.perl, as sacremoses ports it
# (``MosesPunctNormalizer.REPLACE_UNICODE_PUNCTUATION``), in order.
_REPLACE_UNICODE_PUNCTUATION = (
    ("，", ","),
    (r"。\s*", ". "),
    ("、", ","),
    ("”", '"'),
    ("“", '"'),
    ("∶", ":"),
    ("：", ":"),
    ("？", "?"),
    ("《", '"'),
    ("》", '"'),
    ("）", ")"),
    ("！", "!"),
    ("（", "("),
    ("；", ";"),
    ("」", '"'),
    ("「", '"'),
    *((chr(0xFF10 + d), str(d)) for d in range(10)),  # full-width digits
    (r"．\s*", ". "),
    ("～", "~"),
    ("’", "'"),
    ("…", "..."),
    ("━", "-"),
    ("〈", "<"),
    ("〉", ">"),
    ("【", "["),
    ("】", "]"),
    ("％", "%"),
)

# normalize-punctuation.perl -l fr, as sacremoses' MosesPunctNormalizer("fr")
# ports it (penn, quote-comma and number rules on), in order; the French
# quotes are the Perl script's (see the module doc).
_NORMALIZE_PUNCTUATION_FR = (
    # remove extra spaces
    (r"\r", ""),
    (r"\(", " ("),
    (r"\)", ") "),
    (r" +", " "),
    (r"\) ([.!:?;,])", r")\g<1>"),
    (r"\( ", "("),
    (r" \)", ")"),
    (r"(\d) %", r"\g<1>%"),
    (r" :", ":"),
    (r" ;", ";"),
    # Penn Treebank quotes
    (r"`", "'"),
    (r"''", ' " '),
    # normalize unicode punctuation
    ("„", '"'),
    ("“", '"'),
    ("”", '"'),
    ("–", "-"),
    ("—", " - "),
    (r" +", " "),
    ("´", "'"),
    ("([a-zA-Z])‘([a-zA-Z])", r"\g<1>'\g<2>"),
    ("([a-zA-Z])’([a-zA-Z])", r"\g<1>'\g<2>"),
    ("‘", "'"),
    ("‚", "'"),
    ("’", "'"),
    (r"''", '"'),
    ("´´", '"'),
    ("…", "..."),
    # French quotes
    ("\u00a0«\u00a0", ' "'),
    ("«\u00a0", '"'),
    ("«", '"'),
    ("\u00a0»\u00a0", '" '),
    ("\u00a0»", '"'),
    ("»", '"'),
    # handle pseudo-spaces
    ("\u00a0%", "%"),
    ("nº\u00a0", "nº "),
    ("\u00a0:", ":"),
    ("\u00a0ºC", " ºC"),
    ("\u00a0cm", " cm"),
    ("\u00a0\\?", "?"),
    ("\u00a0\\!", "!"),
    ("\u00a0;", ";"),
    (",\u00a0", ", "),
    (r" +", " "),
    # German/Spanish/French "quotation", followed by comma, style
    (r',"', '",'),
    (r'(\.+)"(\s*[^<])', r'"\g<1>\g<2>'),  # don't fix period at end of sentence
    # numbers: a no-break space between digits is a thousands separator
    ("(\\d)\u00a0(\\d)", r"\g<1>,\g<2>"),
)

Rules = tuple[tuple[re.Pattern[str], str], ...]


@functools.cache
def _compiled() -> tuple[Rules, Rules]:
    """Both tables compiled, on first use (``translate --help`` never needs them)."""

    def compile_all(table: tuple[tuple[str, str], ...]) -> Rules:
        return tuple((re.compile(pattern), replacement) for pattern, replacement in table)

    return compile_all(_REPLACE_UNICODE_PUNCTUATION), compile_all(_NORMALIZE_PUNCTUATION_FR)


def _apply(rules: Rules, text: str) -> str:
    for pattern, replacement in rules:
        text = pattern.sub(replacement, text)
    return text


def opus_mt_normalize(text: str) -> str:
    """``text`` as OPUS-MT's preprocessing hands it to SentencePiece (see the module doc).

    >>> opus_mt_normalize("L’armée a dit «\u00a0non\u00a0»\u00a0!")
    'L\\'armée a dit "non" !'
    """
    if not text:
        return ""
    unicode_punctuation, punctuation = _compiled()
    text = remove_non_printing(_apply(unicode_punctuation, text))
    text = _apply(punctuation, text).strip()
    return _SPACES.sub(" ", text).strip(" ")


def source_preparer(enabled: bool) -> Callable[[Sequence[str]], list[str]]:
    """What an engine applies to its inputs before tokenising them.

    Both engines call the returned function in ``count_tokens`` and in
    ``translate_batch``, so token counts (which size batches and decide where
    over-long sentences are cut) and translations see the same text. With
    normalisation on, results are cached per sentence (:data:`CACHE_SIZE`):
    each unique sentence is normalised once although both methods see it.

    Args:
        enabled: ``Settings.normalize``.
    """
    if not enabled:
        return list
    cached = functools.lru_cache(maxsize=CACHE_SIZE)(opus_mt_normalize)

    def prepare(texts: Sequence[str]) -> list[str]:
        return [cached(t) for t in texts]

    return prepare


__all__ = [
    "CACHE_SIZE",
    "NORMALIZATION_OFF",
    "NORMALIZATION_ON",
    "normalization_label",
    "opus_mt_normalize",
    "remove_non_printing",
    "source_preparer",
]
