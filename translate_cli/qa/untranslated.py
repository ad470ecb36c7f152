"""The ``untranslated`` check: the model copied its input, or answered in French.

Flagged when either

* the target equals the source once case, spaces and punctuation are
  ignored, and the source reads as a French sentence: at least 3 words,
  not all of them capitalised or name particles (names such as "Emmanuel
  Macron", "OTAN" or "Place de la Concorde" are the same in both
  languages), and more French than English function words, or, with
  none of either, at least 4 words and an accented letter. An English
  quote in a French article ("Make America great again") is rightly
  left as it is; or
* the target reads as French (:func:`looks_french`): it has at least 3
  words, not all names as above, and French function words (le, des,
  est, qu', ...) number at least 2 and more than twice the English ones
  (the, of, is, ...); or there is one French function word, no English
  one, and at least 3 % of its letters carry French accents (é, è, à, ç,
  ...). So a French phrase quoted in English ("C'est la vie," he said)
  is not flagged: 3 French function words against 2 English.

Function words are the cheapest reliable language signal: every sentence
has several, and the two languages barely share any. A capitalised
function word counts only when a lowercase word follows it, so names
such as "Le Pen", "La Poste" or "Les Républicains" are not French
evidence, and all-capital words (UN, LE) are ignored. Words shared by
the two languages (a, on, or, son, me, car) are in neither list.

Known limit, a choice of silence over false alarms: the language detector
is blind to untranslated text without function words, and to all-capital
headlines.
"""

from __future__ import annotations

import re

from .words import Words, split_words, word_set

MIN_WORDS_UNTRANSLATED = 3
FRENCH_ACCENT_SHARE = 0.03

# fmt: off
_FRENCH_WORDS = word_set("""
le la les l' un une des du de d' au aux et est sont ont été était étaient sera
seront être avoir avait avaient ce cet cette ces c' qui que qu' quand dont où il
ils elle elles nous vous leur leurs lui se s' sa ses ne n' pas mais ou donc dans
pour par sur avec sans sous chez selon après avant depuis pendant contre entre
vers à en y très aussi tout tous toute toutes comme même mon ma mes notre nos
votre vos je j' tu m' t' cela ça fait peut doit jusqu' lorsqu' puisqu' déjà
alors ainsi si lors aujourd' puis plus moins
""")
ENGLISH_WORDS = word_set("""
the of and to in is was were are for that with as by at from it its be been has
have had this these those which who whom not will would their they them he she
his her we our us you your said says than also after about into more there but
can could should all if when what while over against during before between
under because do does did where how been being than then such only
""")
# fmt: on
# Lowercase words found inside names ("Charles de Gaulle", "Place de la
# Concorde", "Vive la France"): a segment of capitalised words and these is a
# name, the same in both languages.
_NAME_PARTICLES = word_set("de du des d' la le les von van der den y el al di da dos del bin ben")
_FRENCH_ACCENTS = "àâäçéèêëîïôöùûüÿœæÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ"
_DROP_ACCENTS = str.maketrans("", "", _FRENCH_ACCENTS)
_NON_ALNUM = re.compile(r"[\W_]+")


def _function_words(words: list[str], lowers: list[str]) -> tuple[int, int]:
    """French and English function words among the words of a text.

    A capitalised French function word counts only when a lowercase word
    follows it ("Le gouvernement", not "Le Pen"); all-capital words never do.
    """
    fr = sum(map(_FRENCH_WORDS.__contains__, lowers))
    if fr:
        as_written = sum(map(_FRENCH_WORDS.__contains__, words))
        if as_written < fr:
            last = len(words) - 1
            fr = as_written + sum(
                1
                for k, word in enumerate(words)
                if k < last
                and word[0].isupper()
                and (len(word) == 1 or word[1:] == "'" or word[1:].islower())
                and lowers[k] in _FRENCH_WORDS
                and words[k + 1].islower()
            )
    return fr, sum(map(ENGLISH_WORDS.__contains__, lowers))


def _is_name(words: list[str]) -> bool:
    """Capitalised words and name particles only: "Place de la Concorde"."""
    return not any(w.islower() and w not in _NAME_PARTICLES for w in words)


def _looks_french(text: str, words: list[str], lowers: list[str]) -> bool:
    if len(words) < MIN_WORDS_UNTRANSLATED:
        return False
    fr, en = _function_words(words, lowers)
    if fr >= 2 and fr > 2 * en:
        return not _is_name(words)
    if fr == 1 and en == 0:
        letters = sum(map(len, words))
        accents = len(text) - len(text.translate(_DROP_ACCENTS))
        return accents / letters >= FRENCH_ACCENT_SHARE and not _is_name(words)
    return False


def looks_french(text: str) -> bool:
    """Whether a text reads as French rather than English (rules: module docstring).

    Function words are the cheapest reliable language signal: every sentence
    has several, and the two languages barely share any. Accents back up the
    rare sentence with a single French function word.
    """
    return _looks_french(text, *split_words(text))


def _is_copy(source: str, target: str, target_words: Words) -> bool:
    """The target equals a source that reads as a French sentence (not names)."""
    if source == target:
        words, lowers = target_words
    else:
        if target_words[1]:
            # Cheap rejection first: a copy's first and last words are in the source.
            low = source.lower().replace("’", "'")
            if target_words[1][0] not in low or target_words[1][-1] not in low:
                return False
        key = _NON_ALNUM.sub("", source.casefold())
        if not key or key != _NON_ALNUM.sub("", target.casefold()):
            return False
        words, lowers = split_words(source)
    if len(words) < MIN_WORDS_UNTRANSLATED or _is_name(words):
        return False
    fr, en = _function_words(words, lowers)
    if fr or en:
        return fr > en
    # No function word either way: French only if long enough and accented.
    return len(words) >= 4 and source.translate(_DROP_ACCENTS) != source


def untranslated_flag(source: str, target: str, target_words: Words) -> bool:
    """Whether the target is a copy of a French source, or reads as French.

    Args:
        target_words: ``split_words(target)``, which the caller has already read.
    """
    return _is_copy(source, target, target_words) or _looks_french(target, *target_words)
