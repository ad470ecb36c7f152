"""OPUS-MT input normalisation: the rules, the setting, and where it is recorded.

The expected strings follow the preprocessing OPUS-MT's training data went
through (``Opus-MT/train/preprocess-spm.sh``: replace-unicode-punctuation.perl,
remove-non-printing-char.perl, normalize-punctuation.perl -l fr, then spaces
squeezed); each row names the rule it checks. Engine parity with normalisation
on is in tests/test_ctranslate2_engine.py.
"""

from __future__ import annotations

import json
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from translate_cli.cli import app
from translate_cli.config import Settings, load_settings, read_toml
from translate_cli.engines import normalize as norm
from translate_cli.engines.normalize import (
    NORMALIZATION_OFF,
    NORMALIZATION_ON,
    opus_mt_normalize,
    remove_non_printing,
    source_preparer,
)
from translate_cli.errors import ConfigError
from translate_cli.outputs import settings_key
from translate_cli.provenance import RunPlan

from .fakes import FakeEngine

NBSP = "\u00a0"
NNBSP = "\u202f"

# (French as written, what the model reads): the French typography of real
# articles comes out as OPUS-MT's training data had it.
RULES = [
    # replace-unicode-punctuation: the typographic apostrophe is ASCII.
    ("L’armée qu’elle a vue", "L'armée qu'elle a vue"),
    ("aujourd’hui", "aujourd'hui"),
    # normalize-punctuation, French quotes: guillemets with their no-break
    # spaces become straight quotes glued to the quoted words.
    (
        f"une ligne de «{NBSP}déconfliction{NBSP}» à la syrienne",
        'une ligne de "déconfliction" à la syrienne',
    ),
    (f"dit{NBSP}«{NBSP}non{NBSP}»{NBSP}!", 'dit "non" !'),
    # ... with plain spaces the quotes stay apart, as in the script.
    ("de « déconfliction » à", 'de " déconfliction " à'),
    # Curly double quotes.
    ("“quoi” et „là“", '"quoi" et "là"'),
    # No-break space before ? ! : ; removed ("handle pseudo-spaces").
    (f"Quelle heure{NBSP}?", "Quelle heure?"),
    (f"Attention{NBSP}!", "Attention!"),
    (f"Bilan{NBSP}: trois morts", "Bilan: trois morts"),
    (f"un{NBSP}; deux", "un; deux"),
    # A plain space before : and ; goes too; before ? and ! it stays.
    ("Bilan : trois ; quatre ?", "Bilan: trois; quatre ?"),
    # A narrow no-break space is no pseudo-space for the script: kept
    # (SentencePiece's NFKC turns it into a space).
    (f"Vraiment{NNBSP}?", f"Vraiment{NNBSP}?"),
    # Numbers: a no-break space between digits becomes a comma for French;
    # before % it goes.
    (f"3{NBSP}000 euros, 50{NBSP}%", "3,000 euros, 50%"),
    # Dashes and ellipsis.
    ("Paris – Lyon — enfin…", "Paris - Lyon - enfin..."),
    # Quotation followed by a comma: the comma goes after the quote.
    ('le "oui," puis', 'le "oui", puis'),
    # Non-printing characters become spaces (then squeezed), but a soft
    # hyphen or a format character inside a word is deleted (see below).
    ("un\tdeux", "un deux"),
    ("un \u200bdeux\ufeff", "un deux"),
    ("in\u00adcroyable", "incroyable"),
    # Spaces squeezed and trimmed.
    ("  deux   espaces  ", "deux espaces"),
    ("Plain text stays.", "Plain text stays."),
    ("", ""),
]


@pytest.mark.parametrize(("raw", "expected"), RULES)
def test_french_typography_comes_out_as_in_opus_mt_training(raw, expected):
    assert opus_mt_normalize(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a\tb\nc\rd", "a b c d"),
        ("bell\x07 del\x7f c1\x85", "bell  del  c1 "),
        (f"kept{NBSP}é😀中", f"kept{NBSP}é😀中"),
        # Deviations from the Perl script (see remove_non_printing): visible
        # code points in category C are kept, not turned into spaces.
        ("private\ue000 icon\uf0e0", "private\ue000 icon\uf0e0"),
        ("unassigned\U000e0fff new emoji \U0001fa77", "unassigned\U000e0fff new emoji \U0001fa77"),
    ],
)
def test_non_printing_characters_become_spaces(raw, expected):
    assert remove_non_printing(raw) == expected


# Invisible characters inside a word (k3_shy_inline.txt): the word stays one
# word for the model; elsewhere a format character is a space as in Perl.
INVISIBLE_IN_WORDS = [
    # the tester's examples
    ("Le gouver\u00adnement a annoncé un plan", "Le gouvernement a annoncé un plan"),
    ("de dévelop\u00adpement inter\u00adnational.", "de développement international."),
    ("Le mot\u200bclef est caché.", "Le motclef est caché."),
    # more of the kind: ZWNJ, ZWJ, word joiner, BOM, several in a row, accents
    ("porte\u200cmanteau", "portemanteau"),
    ("grand\u200dmère", "grandmère"),
    ("anti\u2060constitution\ufeffnellement", "anticonstitutionnellement"),
    ("é\u200b\u00ad\u200bté", "été"),
    ("e\u0301\u200bte", "e\u0301te"),
    # a soft hyphen is always deleted, even at a word's end
    ("fin\u00ad de ligne", "fin de ligne"),
    ("\u00adDébut", "Début"),
    # not between two letters: a space, as the Perl script does
    ("un\u200b deux", "un deux"),
    ("12\u200b34", "12 34"),
    ("mot\u200b.", "mot ."),
    ("\ufeffBonjour", "Bonjour"),
    ("🎉\u200d🎉", "🎉 🎉"),
]


@pytest.mark.parametrize(("raw", "expected"), INVISIBLE_IN_WORDS)
def test_invisible_characters_inside_a_word_keep_it_whole(raw, expected):
    assert opus_mt_normalize(raw) == expected


NOT_PRINTING = {"Cc", "Cf"}


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_normalised_text_has_no_control_characters_and_no_double_spaces(text):
    out = opus_mt_normalize(text)
    assert not any(unicodedata.category(c) in NOT_PRINTING for c in out)
    assert "  " not in out
    assert out == out.strip(" ")
    # Visible code points of category C (private use, unassigned) are kept.
    kept = [c for c in text if unicodedata.category(c) in {"Co", "Cn"}]
    assert [c for c in out if unicodedata.category(c) in {"Co", "Cn"}] == kept


# --- Against sacremoses ------------------------------------------------------


def test_tables_are_sacremoses_with_the_perl_french_quotes():
    from sacremoses import MosesPunctNormalizer

    assert list(norm._REPLACE_UNICODE_PUNCTUATION) == (
        MosesPunctNormalizer.REPLACE_UNICODE_PUNCTUATION
    )
    ours, theirs = list(norm._NORMALIZE_PUNCTUATION_FR), MosesPunctNormalizer("fr").substitutions
    differ = [(a, b) for a, b in zip(ours, theirs, strict=True) if a != b]
    assert differ == [
        (("\u00a0«\u00a0", ' "'), ("\u00a0«\u00a0", '"')),
        (("\u00a0»\u00a0", '" '), ("\u00a0»\u00a0", '"')),
    ]


def sacremoses_pipeline(text: str) -> str:
    """Opus-MT's preprocess-spm.sh built on sacremoses, as the reference."""
    from sacremoses import MosesPunctNormalizer

    # normalize-punctuation.perl's "French quotes", as sacremoses' perl_parity
    # option sets them (that option rewrites the class tables in older releases).
    perl_quotes = dict(MosesPunctNormalizer.FRENCH_QUOTES)
    perl_quotes.update({"\u00a0«\u00a0": ' "', "\u00a0»\u00a0": '" '})

    class PerlQuotes(MosesPunctNormalizer):
        FRENCH_QUOTES = tuple(perl_quotes.items())

    moses = PerlQuotes("fr")
    if not text:
        return ""
    text = moses.normalize(remove_non_printing(moses.replace_unicode_punct(text)))
    return " ".join(part for part in text.split(" ") if part)


def test_same_output_as_sacremoses_on_french_articles():
    from .test_ctranslate2_engine import SENTENCES

    texts = [*SENTENCES, *(raw for raw, _ in RULES)]
    assert [opus_mt_normalize(t) for t in texts] == [sacremoses_pipeline(t) for t in texts]


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        st.sampled_from("aé1 .,:;!?%()\"'`´‘’‚„“”«»–—…\u00a0\u202f\t\u200b\u00ad\u2060<cmºCn"),
        max_size=30,
    )
)
def test_same_output_as_sacremoses_on_punctuation_soup(text):
    assert opus_mt_normalize(text) == sacremoses_pipeline(text)


def test_preparer_off_passes_text_through_and_on_caches(monkeypatch):
    texts = ["L’été.", "L’été.", "Autre’s."]
    assert source_preparer(False)(texts) == texts
    calls: list[str] = []

    def counting(text: str) -> str:
        calls.append(text)
        return text.upper()

    monkeypatch.setattr(norm, "opus_mt_normalize", counting)
    prepare = source_preparer(True)
    assert prepare(texts) == ["L’ÉTÉ.", "L’ÉTÉ.", "AUTRE’S."]
    assert prepare(texts[:1]) == ["L’ÉTÉ."]  # count_tokens, then translate_batch
    assert calls == ["L’été.", "Autre’s."]


# --- The setting ------------------------------------------------------------


def test_on_by_default_and_documented():
    from pathlib import Path

    assert Settings().normalize is True
    toml = Path(__file__).resolve().parents[1] / "configs" / "default.toml"
    assert read_toml(toml)["normalize"] is True


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0", False), ("false", False), ("No", False), ("off", False), ("1", True), (" on ", True)],
)
def test_environment_turns_it_off_and_on(value, expected):
    assert load_settings(None, {}, environ={"TRANSLATE_NORMALIZE": value}).normalize is expected


def test_bad_values_name_the_choices(tmp_path):
    with pytest.raises(ConfigError, match=r"invalid value 'maybe'; expected one of: 1, true"):
        load_settings(None, {}, environ={"TRANSLATE_NORMALIZE": "maybe"})
    with pytest.raises(ConfigError, match="normalize must be true or false, got 'no'"):
        Settings(normalize="no")  # type: ignore[arg-type]
    cfg = tmp_path / "c.toml"
    cfg.write_text("normalize = false\n")
    assert load_settings(cfg, {}, environ={}).normalize is False


def test_memory_context_and_resume_key_depend_on_it():
    on = RunPlan("m", "r", "ctranslate2", 4, "auto", normalize=True)
    off = RunPlan("m", "r", "ctranslate2", 4, "auto", normalize=False)
    # Off is the context earlier versions (which never normalised) stored
    # their machine translations under; on is a new one.
    assert off.memory_context == "m@r|ctranslate2|auto|beams=4"
    assert on.memory_context == f"m@r|ctranslate2|auto|beams=4|norm={NORMALIZATION_ON}"
    assert settings_key(Settings(), on) != settings_key(Settings(), off)
    assert on.meta("d").extra["normalize"] == NORMALIZATION_ON
    assert off.meta("d", {"device": "cpu"}).extra == {"device": "cpu", "normalize": "off"}


def test_plan_of_an_engine_reads_its_details():
    engine = FakeEngine()
    assert RunPlan.of(engine).normalize is False  # an engine that does not say
    engine.details["normalize"] = NORMALIZATION_ON
    assert RunPlan.of(engine).normalize is True
    engine.details["normalize"] = NORMALIZATION_OFF
    assert RunPlan.of(engine).normalize is False


def test_cli_flag_is_recorded_and_changes_the_resume_key(tmp_path, copy_model):
    source = tmp_path / "a.fr.txt"
    source.write_text(f"L’armée dit «{NBSP}non{NBSP}». Il pleut.\n", encoding="utf-8")
    out = tmp_path / "out"
    base = [str(source), "-o", str(out), "--model", str(copy_model), "--no-tm", "-f", "jsonl"]
    runner = CliRunner()

    first = runner.invoke(app, base)
    assert first.exit_code == 0, first.stderr
    meta = json.loads((out / "a.meta.json").read_text(encoding="utf-8"))
    assert meta["extra"]["normalize"] == NORMALIZATION_ON
    record = json.loads((out / "a.fr-en.jsonl").read_text(encoding="utf-8").splitlines()[1])
    assert record["source"] == f"L’armée dit «{NBSP}non{NBSP}»."  # outputs keep the source

    again = runner.invoke(app, base)
    assert "0 translated, 1 skipped" in again.stderr
    off = runner.invoke(app, [*base, "--no-normalize"])
    assert off.exit_code == 0, off.stderr
    assert "1 translated, 0 skipped" in off.stderr
    meta = json.loads((out / "a.meta.json").read_text(encoding="utf-8"))
    assert meta["extra"]["normalize"] == NORMALIZATION_OFF
