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

1. ``replace-unicode-punctuation.perl``: sacremoses'
   ``MosesPunctNormalizer.replace_unicode_punct`` (its
   ``pre_replace_unicode_punct`` table). ``’`` becomes ``'`` here, before
   step 3 could read it as a closing quote. One deliberate difference:
   the Perl script turns a full-width ``１`` into ``"`` (a typo in the
   script); sacremoses, and this module, make it ``1``.
2. ``remove-non-printing-char.perl``: every character of Unicode category C
   (controls, format characters such as U+200B or U+00AD, private use,
   unassigned) becomes a space, as the script's ``s/\\p{C}/ /g`` does.
   sacremoses' ``post_remove_control_chars`` is *not* used: it deletes those
   characters instead (gluing ``a\\tb`` into ``ab``) and runs after step 3
   instead of before.
3. ``normalize-punctuation.perl -l fr``: sacremoses' ``MosesPunctNormalizer``
   for French, except that a guillemet with no-break spaces on both sides
   becomes ``' "'`` / ``'" '`` as in the Perl script (sacremoses' default
   glues it to the neighbouring word; its ``perl_parity`` option does the
   same as here, but older releases implement it by rewriting class
   attributes for the whole process).
4. The ``sed``: runs of spaces become one, and the ends are trimmed.

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
from typing import Any

# The language given to normalize-punctuation.perl: the tool translates French.
SOURCE_LANG = "fr"
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


class _NonPrinting(dict[int, str]):
    """A ``str.translate`` table: category C characters to a space, others kept.

    Filled on demand, since the category of every code point would cost a
    scan of 1.1 million characters at start-up.
    """

    def __missing__(self, code: int) -> str:
        char = chr(code)
        value = " " if unicodedata.category(char)[0] == "C" else char
        if len(self) < _CATEGORY_CACHE:
            self[code] = value
        return value


_NON_PRINTING = _NonPrinting()


def remove_non_printing(text: str) -> str:
    """``remove-non-printing-char.perl``: ``s/\\p{C}/ /g``."""
    # str.isprintable() is false for every category C character (and for
    # spaces other than U+0020): printable text has none to replace.
    return text if text.isprintable() else text.translate(_NON_PRINTING)


@functools.cache
def _moses() -> Any:
    """sacremoses' French normaliser, built on first use (its import takes time)."""
    from sacremoses import MosesPunctNormalizer

    class PerlFrenchQuotes(MosesPunctNormalizer):  # type: ignore[misc]
        # normalize-punctuation.perl, "French quotes": a guillemet between
        # two no-break spaces keeps a space outside the straight quote.
        FRENCH_QUOTES = (
            ("\u00a0«\u00a0", ' "'),
            ("«\u00a0", '"'),
            ("«", '"'),
            ("\u00a0»\u00a0", '" '),
            ("\u00a0»", '"'),
            ("»", '"'),
        )

    return PerlFrenchQuotes(SOURCE_LANG)


def opus_mt_normalize(text: str) -> str:
    """``text`` as OPUS-MT's preprocessing hands it to SentencePiece (see the module doc).

    >>> opus_mt_normalize("L’armée a dit «\u00a0non\u00a0»\u00a0!")
    'L\\'armée a dit "non" !'
    """
    if not text:
        return ""
    moses = _moses()
    text = remove_non_printing(moses.replace_unicode_punct(text))
    text = moses.normalize(text)
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
    "SOURCE_LANG",
    "normalization_label",
    "opus_mt_normalize",
    "remove_non_printing",
    "source_preparer",
]
