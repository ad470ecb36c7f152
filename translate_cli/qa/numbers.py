"""The ``numbers`` check: a number of the source is missing from the target.

It is the error that costs most in news. Numbers of both sides are read into
normalised values and compared as multisets; a number only in the target is
never flagged. The readers accept the formats of both languages, so these
count as equal:

* ``3 000`` (space, no-break space U+00A0 or narrow no-break space U+202F
  between groups of three) = ``3,000`` = ``3000``; ``3,5`` = ``3.5``.
* ``3,5 %`` = ``3.5%`` = ``3.5 percent`` (units are not compared).
* ``1er``/``1re`` = ``1st``/``1``/``first``; ``2e``/``2ème`` =
  ``2nd``/``second``; Roman ordinals ``IIe``, ``XXIe``, ``Ier`` =
  ``2nd``, ``21st``/``twenty-first``, ``Francis I``.
* ``8 h 30`` = ``8h30`` = ``8:30`` = ``8.30`` = ``8:30 a.m.`` =
  ``8.30am``; ``20 h`` = ``20:00`` = ``8 p.m.`` = ``8 o'clock`` = "8 in
  the evening", and ``48 h`` = "48 hours" (an ``h`` can be a duration).
  ``12 h`` = noon, ``0 h`` = midnight. A bare ``8:30`` in the target also
  stands for 20:30, since writers leave "in the evening" to words.
  Durations: ``2 h 30`` = "2.5 hours" = "2 hours 30 minutes".
* Scale words multiply: ``2 milliards`` = ``2 billion`` = ``2bn`` =
  ``2,000,000,000``; ``3,5 millions`` = ``3.5 million`` = ``€3.5m``;
  ``15 000`` = ``15 thousand``. So ``2 milliards`` → ``2 million`` *is*
  flagged. (French ``billion`` is 10¹², English ``trillion``.)
* English number words: zero to nineteen, the tens and their compounds
  ("twenty-five"), their ordinals ("fifth", "twenty-first"), "half",
  "dozen", "twice", "both", and "a"/"one" before a scale ("a million");
  decades: ``années 60`` = ``1960s`` = ``sixties``.

Where a format is ambiguous the reader keeps every reading (``1.500`` is
1500 or 1.5), and a source number is matched when any reading agrees.

Known limits, each a choice of silence over false alarms: numbers written as
French words in the source ("deux") are not read; dates with a month name on
one side only ("14/07" → "July 14") and ``49-3`` → ``49.3`` are flagged; a
dropped number is missed when the target happens to hold the same value
elsewhere ("both", "one").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from decimal import Decimal

from .untranslated import ENGLISH_WORDS
from .words import word_set

_SP = "[ \u00a0\u202f]"  # space, no-break space, narrow no-break space
_NO_LETTER = r"(?![^\W\d_])"
_WORD_START = r"(?<![^\W_])"
_ROMAN = r"(?=[MDCLXVI])M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})"
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}

# Formats with a clock time in them. "h" is French ("8 h 30"); English copies
# of it are read too, since the model sometimes keeps the French format.
_H_TIME = rf"(?P<th>\d{{1,2}}){_SP}?[hH](?:{_SP}?(?P<tm>[0-5]\d)(?!\d)|{_NO_LETTER})"
_COLON_TIME = r"(?P<ch>\d{1,2}):(?P<cm>[0-5]\d)(?!\d)"

_FR_SCALE = (
    rf"(?P<scale>(?i:milliards?|millions?|billions?|mille|mds?|mrds?){_NO_LETTER}"
    rf"|(?:Md|M|k)(?={_SP}?[€$£]))"
)
# A digit not preceded by a digit: where a number may start. Scanning for it
# first and trying the number patterns only there is several times faster
# than letting the big patterns scan (they begin with look-behinds, which
# the regex engine cannot skip ahead for).
_NUMBER_START = re.compile(r"\d(?<!\d\d)")
_FR_DIGITS = re.compile(
    rf"""
      {_H_TIME}
    | (?P<hh>\d{{1,2}}){_SP}?heures?{_NO_LETTER}(?:{_SP}?(?P<hm>[0-5]\d)(?!\d))?
    | {_COLON_TIME}
    | (?:
          (?P<sp>\d{{1,3}}(?:{_SP}\d{{3}}(?!\d))+)(?:,(?P<spf>\d+))?
        | (?P<dot>\d{{1,3}}(?:\.\d{{3}}(?!\d))+)(?:,(?P<dotf>\d+))?
        | (?P<com>\d{{1,3}}(?:,\d{{3}}(?!\d)){{2,}})(?:\.(?P<comf>\d+))?
        | (?P<dw>\d+)[.,](?P<df>\d+)
        | (?P<int>\d+)
      )(?:{_SP}?{_FR_SCALE})?
    """,
    re.VERBOSE,
)
# Roman ordinals: "XXIe siècle", "Ve République", "Napoléon Ier". The hint
# is a fast pre-check: a Roman ordinal ends in I, V or X before its suffix
# (centuries and republics do), which leaves out "Le", "Ce", "De", "Me".
_FR_ROMAN_HINT = re.compile(r"[IVX][eè]")
_FR_ROMAN = re.compile(
    rf"{_WORD_START}(?P<roman>{_ROMAN})(?P<rsuf>ères?|ers?|res?|èmes?|emes?|es?){_NO_LETTER}"
)
_FIRST_SUFFIXES = frozenset({"er", "ers", "re", "res", "ère", "ères"})

# fmt: off
_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
          "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen",
          "sixteen", "seventeen", "eighteen", "nineteen"]
_UNIT_ORDINALS = ["zeroth", "first", "second", "third", "fourth", "fifth", "sixth",
                  "seventh", "eighth", "ninth", "tenth", "eleventh", "twelfth",
                  "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
                  "eighteenth", "nineteenth"]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
# fmt: on
_WORD_VALUES: dict[str, str] = {"half": "0.5", "dozen": "12", "twice": "2", "both": "2"}
for _i, (_u, _o) in enumerate(zip(_UNITS, _UNIT_ORDINALS, strict=True)):
    _WORD_VALUES[_u] = _WORD_VALUES[_o] = str(_i)
_TENS_VALUES: dict[str, int] = {}
for _i, _t in enumerate(_TENS, start=2):
    _TENS_VALUES[_t] = _TENS_VALUES[_t[:-1] + "ieth"] = _TENS_VALUES[_t[:-1] + "ies"] = 10 * _i
_EN_SCALE_EXP = {
    "hundred": 2,
    "thousand": 3,
    "k": 3,
    "million": 6,
    "mn": 6,
    "mln": 6,
    "m": 6,
    "billion": 9,
    "bn": 9,
    "trillion": 12,
}
_FR_SCALE_EXP = {
    "mille": 3,
    "k": 3,
    "million": 6,
    "millions": 6,
    "m": 6,
    "milliard": 9,
    "milliards": 9,
    "md": 9,
    "mds": 9,
    "mrd": 9,
    "mrds": 9,
    "billion": 12,
    "billions": 12,
}


def _alternation(words: list[str]) -> str:
    # Longest first, so "fourteen" is tried before "four".
    return "|".join(sorted(words, key=len, reverse=True))


_EN_WORDS_RE = _alternation([w for w in _WORD_VALUES if w != "dozen"] + ["a"])
_EN_TENS_RE = _alternation(list(_TENS_VALUES))
_EN_UNITS_RE = _alternation(_UNITS[1:10] + _UNIT_ORDINALS[1:10])
_EN_DIGITS = re.compile(
    rf"""
      (?P<ah>\d{{1,2}})(?:[:.](?P<am>[0-5]\d))?{_SP}?(?P<ap>[aApP])\.?{_SP}?[mM]\.?{_NO_LETTER}
    | (?P<oh>\d{{1,2}}){_SP}?o['’]clock
    | (?P<decade>\d\d(?P<dd>\d0))s{_NO_LETTER}
    | {_H_TIME}
    | {_COLON_TIME}
    | (?:
          (?P<com>\d{{1,3}}(?:,\d{{3}}(?!\d))+)(?:\.(?P<comf>\d+))?
        | (?P<sp>\d{{1,3}}(?:{_SP}\d{{3}}(?!\d))+)(?:[.,](?P<spf>\d+))?
        | (?P<dw>\d+)(?P<dsep>[.,])(?P<df>\d+)
        | (?P<int>\d+)
      )(?:{_SP}?(?P<scale>(?i:thousand|million|billion|trillion|hundred|bn|mln|mn|m|k))
        {_NO_LETTER})?
    """,
    re.VERBOSE,
)
_EN_WORDS = re.compile(
    rf"""
      {_WORD_START}(?i:
          (?P<wt>{_EN_TENS_RE})(?:[-{_SP[1:-1]}](?P<wu>{_EN_UNITS_RE}))?
        | (?P<ww>{_EN_WORDS_RE})
      )(?P<wscale>(?:{_SP}(?i:hundred|thousand|million|billion|trillion|dozen)){{1,3}})?
      {_NO_LETTER}
    | {_WORD_START}(?i:(?P<noon>noon|midday)|(?P<midnight>midnight)){_NO_LETTER}
    """,
    re.VERBOSE,
)
# Lowercase words that make _EN_WORDS worth running ("a" counts only before
# a scale word, which is in the set).
_EN_WORD_HINT = (
    frozenset(_WORD_VALUES)
    | frozenset(_TENS_VALUES)
    | word_set("hundred thousand million billion trillion noon midday midnight")
)
_EN_WORD_STARTS = _EN_WORD_HINT | {"a"}
_ASCII_WORD = re.compile(r"[a-z]+")
# Letter runs: where a number word may start. Trying _EN_WORDS only there is
# faster than letting it scan (it begins with a look-behind).
_EN_LETTERS = re.compile(r"[A-Za-z]+")
# Roman numerals: "World War II", "Louis XIV", "21st" → "XXIst"; a single I,
# V or X only after a capitalised name ("Francis I", "Charles V").
_EN_ROMAN_HINT = re.compile(r"[IVXLCDM](?:[IVXLCDM]|(?<=[a-z][ \u00a0\u202f][IVX]))")
_NOT_NAMES = ENGLISH_WORDS | word_set("so now yes no here today yesterday or")
_EN_ROMAN = re.compile(rf"{_WORD_START}(?P<roman>{_ROMAN})(?:st|nd|rd|th)?{_NO_LETTER}")

# A mention: its main normalised value, and every value it may stand for.
_Mention = tuple[str, frozenset[str]]


def _canon(whole: str, frac: str = "", exp: int = 0) -> str:
    """A decimal in one spelling: no leading or trailing zeros, ``.`` as point.

    Works on the digit strings, so a 5,000-digit number neither overflows nor
    rounds, and ``exp`` shifts the point for scale words (3.5 million → 3500000).
    """
    if exp:
        digits = whole + frac
        point = len(whole) + exp
        if point >= len(digits):
            whole, frac = digits + "0" * (point - len(digits)), ""
        else:
            whole, frac = digits[:point], digits[point:]
    whole = whole.lstrip("0") or "0"
    frac = frac.rstrip("0")
    return f"{whole}.{frac}" if frac else whole


def _roman_value(numeral: str) -> int:
    total = 0
    for char, following in zip(numeral, [*numeral[1:], ""], strict=True):
        value = _ROMAN_VALUES[char]
        total += -value if following and _ROMAN_VALUES[following] > value else value
    return total


def _mention(*values: str) -> _Mention:
    return values[0], frozenset(values)


_QUARTERS = {"15": "25", "30": "5", "45": "75"}


def _hour_mentions(hour: str, minute: str | None, bare: bool) -> list[_Mention]:
    """A clock time read from "8 h 30", "20 heures" or "8:30" (24-hour clock).

    Args:
        bare: The hour may also be written alone in the target ("48 h" =
            "48 hours", "20 heures" = "8 in the evening").
    """
    h = int(hour)
    if h > 24:
        # Not a clock time: a duration ("35 h") or a score/ratio ("35:12").
        out = [_mention(_canon(hour))]
        return out + ([_mention(_canon(minute))] if minute is not None else [])
    mm = minute or "00"
    values = [f"{h}:{mm}"]
    if h == 24:
        values.append(f"0:{mm}")
    if minute is None and bare:
        values.append(str(h))
        if h > 12:
            values.append(str(h - 12))
    elif bare and minute in _QUARTERS:
        # A duration: "2 h 30" = "2.5 hours".
        values.append(_canon(hour, _QUARTERS[minute]))
    return [_mention(*values)]


def _en_clock(hour: str, minute: str | None) -> _Mention:
    """A target time without a.m./p.m.: either half of the day."""
    h, mm = int(hour), minute or "00"
    if h > 24:
        return _mention(_canon(hour))
    values = [f"{h}:{mm}"]
    if h < 12:
        values.append(f"{h + 12}:{mm}")
    elif h in (12, 24):
        values.append(f"0:{mm}")
    return _mention(*values)


def _is_clock(hour: str, minute: str) -> bool:
    return len(hour) <= 2 and int(hour) <= 24 and len(minute) == 2 and minute < "60"


def _grouped(digits: str, fraction: str | None, sep: str, exp: int) -> list[str]:
    """Readings of a number grouped with ``sep`` ("1,500", "1.500").

    The separator is read as a thousands separator first; with a single
    separator and no other decimals it may also be the decimal mark, so
    "1,500" is a thousand five hundred in English and 1.5 in French.
    """
    values = [_canon(digits.replace(sep, ""), fraction or "", exp)]
    if digits.count(sep) == 1 and not fraction:
        head, tail = digits.split(sep)
        values.append(_canon(head, tail, exp))
    return values


def _number_values(m: re.Match[str], exp: int, lang: str) -> list[str]:
    """Every reading of a written number, the likeliest first."""
    if m["sp"]:
        return [_canon(re.sub(_SP, "", m["sp"]), m["spf"] or "", exp)]
    if m["com"]:
        return _grouped(m["com"], m["comf"], ",", exp)
    if lang == "fr" and m["dot"]:
        return _grouped(m["dot"], m["dotf"], ".", exp)
    if m["dw"]:
        whole, frac = m["dw"], m["df"]
        values = [_canon(whole, frac, exp)]
        if len(frac) == 3 and len(whole) <= 3:
            # "1,500" or "1.500": the other language's thousands separator.
            values.append(_canon(whole + frac, "", exp))
        # "8.30" is also the British spelling of 8:30.
        if lang == "en" and m["dsep"] == "." and not exp and _is_clock(whole, frac):
            values.extend(_en_clock(whole, frac)[1])
        return values
    return [_canon(m["int"], "", exp)]


def _at_number_starts(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """Like ``pattern.finditer`` for patterns that start at a number's first digit."""
    end = 0
    for start in _NUMBER_START.finditer(text):
        pos = start.start()
        if pos >= end and (m := pattern.match(text, pos)):
            end = m.end()
            yield m


def _fr_mentions(text: str) -> list[_Mention]:
    out: list[_Mention] = []
    for m in _at_number_starts(_FR_DIGITS, text):
        if m["th"]:
            out.extend(_hour_mentions(m["th"], m["tm"], bare=True))
        elif m["hh"]:
            out.extend(_hour_mentions(m["hh"], m["hm"], bare=True))
        elif m["ch"]:
            out.extend(_hour_mentions(m["ch"], m["cm"], bare=False))
        else:
            scale = m["scale"]
            exp = _FR_SCALE_EXP[scale.lower()] if scale else 0
            out.append(_mention(*_number_values(m, exp, "fr")))
    if _FR_ROMAN_HINT.search(text):
        for m in _FR_ROMAN.finditer(text):
            numeral = m["roman"]
            # "Le", "Ce", "Des", "Mes" are words, and so is "Vers": only I
            # takes "er"/"re" (Ier, Ire).
            if numeral in ("L", "C", "D", "M"):
                continue
            if m["rsuf"] in _FIRST_SUFFIXES and numeral != "I":
                continue
            out.append(_mention(str(_roman_value(numeral))))
    return out


def _en_digit_mention(m: re.Match[str]) -> _Mention:
    if m["ah"]:
        h, mm = int(m["ah"]), m["am"] or "00"
        if not 1 <= h <= 12:
            return _en_clock(m["ah"], m["am"])
        h24 = h % 12 + (12 if m["ap"] in "pP" else 0)
        return _mention(f"{h24}:{mm}", *([str(h)] if m["am"] is None else []))
    if m["oh"]:
        primary, clock = _en_clock(m["oh"], None)
        return primary, clock | {str(int(m["oh"]))}
    if m["th"]:
        return _hour_mentions(m["th"], m["tm"], bare=True)[0]
    if m["ch"]:
        return _en_clock(m["ch"], m["cm"])
    if m["decade"]:
        # "the 1960s" for "les années 60".
        return _mention(_canon(m["decade"]), _canon(m["dd"]))
    scale = m["scale"]
    if not scale:
        return _mention(*_number_values(m, 0, "en"))
    values = _number_values(m, _EN_SCALE_EXP[scale.lower()], "en")
    if scale in ("m", "M", "k", "K"):
        # "5 m" may be metres, "5k" a race: keep the plain reading too.
        values += _number_values(m, 0, "en")
    return _mention(*values)


def _en_word_mention(m: re.Match[str]) -> _Mention | None:
    if m["noon"]:
        return _mention("12:00", "12")
    if m["midnight"]:
        return _mention("0:00", "24:00", "0", "24", "12")
    if m["wt"]:
        value = _TENS_VALUES[m["wt"].lower()]
        if m["wu"]:
            value += int(_WORD_VALUES[m["wu"].lower()])
        number = str(value)
    elif m["ww"].lower() == "a":
        if not m["wscale"]:
            return None
        number = "1"
    else:
        number = _WORD_VALUES[m["ww"].lower()]
    for word in (m["wscale"] or "").lower().split():
        if word == "dozen":
            whole, _, frac = format(Decimal(number) * 12, "f").partition(".")
            number = _canon(whole, frac)
        else:
            whole, _, frac = number.partition(".")
            number = _canon(whole, frac, _EN_SCALE_EXP[word])
    return _mention(number)


def _en_roman_mention(m: re.Match[str], text: str) -> _Mention | None:
    numeral = m["roman"]
    if len(numeral) == 1:
        # A lone I, V or X is a numeral only right after a name: "Francis I",
        # not "Then I said", "Paris, I think" or "I'm".
        before = text[max(0, m.start() - 40) : m.start()]
        words = before.split()
        if (
            numeral not in "IVX"
            or not before[-1:].isspace()
            or not words
            or not words[-1][:1].isupper()
            or not words[-1][-1:].isalpha()
            or words[-1].lower() in _NOT_NAMES
            or text[m.end() : m.end() + 1] in ("'", "’")
        ):
            return None
    return _mention(str(_roman_value(numeral)))


def _en_mentions(text: str, words: Sequence[str] | None = None) -> list[_Mention]:
    out = [_en_digit_mention(m) for m in _at_number_starts(_EN_DIGITS, text)]
    if words is None:
        words = _ASCII_WORD.findall(text.lower())
    if not _EN_WORD_HINT.isdisjoint(words):
        end = 0
        for word in _EN_LETTERS.finditer(text):
            if word.start() >= end and word[0].lower() in _EN_WORD_STARTS:
                m = _EN_WORDS.match(text, word.start())
                if m and (mention := _en_word_mention(m)):
                    end = m.end()
                    out.append(mention)
    if _EN_ROMAN_HINT.search(text):
        out += filter(None, (_en_roman_mention(m, text) for m in _EN_ROMAN.finditer(text)))
    return out


def _mentions(text: str, lang: str) -> list[_Mention]:
    if lang == "fr":
        return _fr_mentions(text)
    if lang == "en":
        return _en_mentions(text)
    raise ValueError(f"unknown language {lang!r}, expected one of: fr, en")


def numbers_in(text: str, lang: str) -> Counter[str]:
    """The numbers of a text as normalised values, for tests and debugging.

    Each number counts once, under its likeliest reading: ``"3 000"`` →
    ``"3000"``, ``"3,5 millions"`` → ``"3500000"``, ``"8 h 30"`` → ``"8:30"``,
    ``"8 p.m."`` → ``"20:00"``, ``"XXIe"`` → ``"21"``. The ``numbers`` check
    also uses the other readings of ambiguous spellings (see the module
    docstring), which this view leaves out.

    Args:
        text: The text to read.
        lang: ``"fr"`` (source conventions) or ``"en"`` (target conventions,
            which also accept the French spellings a model may copy).

    Raises:
        ValueError: ``lang`` is neither ``"fr"`` nor ``"en"``.
    """
    return Counter(primary for primary, _ in _mentions(text, lang))


def _all_matched(source: list[_Mention], target: list[_Mention]) -> bool:
    """Whether every source number can be paired with its own target number.

    A bipartite matching: a target "8:30" can stand for 8:30 or 20:30 but only
    once. Greedy first (nearly always enough), then augmenting paths, which
    are skipped on absurdly long inputs to stay fast.
    """
    by_value: dict[str, list[int]] = {}
    for j, (_, values) in enumerate(target):
        for value in values:
            by_value.setdefault(value, []).append(j)
    used: set[int] = set()
    for _, values in sorted(source, key=lambda mention: len(mention[1])):
        free = next((j for v in values for j in by_value.get(v, ()) if j not in used), None)
        if free is None:
            break
        used.add(free)
    else:
        return True
    if len(source) * len(target) > 2500:
        return False
    owner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for v in source[i][1]:
            for j in by_value.get(v, ()):
                if j not in seen:
                    seen.add(j)
                    if j not in owner or augment(owner[j], seen):
                        owner[j] = i
                        return True
        return False

    return all(augment(i, set()) for i in range(len(source)))


def _split_durations(source: list[_Mention], target: list[_Mention]) -> list[_Mention]:
    """Read "2 h 30" as the two numbers of "2 hours 30 minutes" where the
    target has those and not the clock time."""
    found = set().union(*(values for _, values in target))
    out: list[_Mention] = []
    for primary, values in source:
        hour, colon, minute = primary.partition(":")
        if colon and minute != "00" and values.isdisjoint(found) and {hour, minute} <= found:
            out += [_mention(hour), _mention(_canon(minute))]
        else:
            out.append((primary, values))
    return out


def numbers_flag(source: str, target: str, target_words: Sequence[str]) -> bool:
    """Whether a number of the source has no counterpart in the target.

    Args:
        target_words: The target's words, lowercased (to skip the number
            words pass when there is none).
    """
    if source == target:
        return False  # a copy keeps its numbers (and is flagged untranslated)
    src = _fr_mentions(source)
    if not src:
        return False
    tgt = _en_mentions(target, target_words)
    return not _all_matched(src, tgt) and not _all_matched(_split_durations(src, tgt), tgt)
