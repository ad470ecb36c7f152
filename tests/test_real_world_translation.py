"""Real-world text the model must not lose: text-free lines, unwritable symbols, truncation.

Each case file under ``../shared/data/cases`` is one example of a kind; the
tables below try other members of each kind. Unit tests use the fake engine
(``tests/fakes.py``) for ordering and counting; the end-to-end tests run the
copy-trained model on both engines, which must give the source back.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from translate_cli import Settings, load_engine, translate_file
from translate_cli.align import align
from translate_cli.cli import app
from translate_cli.document import document_from_text, read_document
from translate_cli.engines.normalize import opus_mt_normalize
from translate_cli.memory import TranslationMemory
from translate_cli.protect import is_text_free, mask, protectable, unmask
from translate_cli.provenance import engine_meta
from translate_cli.translator import Translator
from translate_cli.vocabulary import Flag, Origin

from .conftest import COPY_MODEL, shared_path
from .fakes import FakeEngine

# --- text-free segments -------------------------------------------------------

TEXT_FREE = [
    "* * *",
    "—",
    "…",
    "102",
    "12/03/2024",
    "6171-1231-1311-1231",
    "***",
    "---",
    "§ 4",
    "10 %",
    "+33 (0)4 72 00 00 00",
    "🎉 🎉",
    "Ⅳ",  # a Roman numeral character is a number (Nl), not a letter
]
WITH_TEXT = ["n° 4", "Le chat.", "½ litre", "北京", "A", "3e"]


@pytest.mark.parametrize("text", TEXT_FREE)
def test_text_free_segments(text):
    assert is_text_free(text)


@pytest.mark.parametrize("text", WITH_TEXT)
def test_segments_with_a_letter_are_text(text):
    assert not is_text_free(text)


def test_text_free_sentences_are_copied_never_sent_nor_stored(tmp_path):
    engine = FakeEngine()
    memory = TranslationMemory(tmp_path / "tm.sqlite")
    translator = Translator(engine, batch_tokens=64, memory=memory, context="c")
    texts = ["Le début.", "* * *", "102", "Le début.", "* * *", "12/03/2024"]
    done = translator.translate(texts)
    expected = ["LE DÉBUT.", "* * *", "102", "LE DÉBUT.", "* * *", "12/03/2024"]
    assert [t.hypothesis.text for t in done] == expected
    assert [t.origin for t in done][1:3] == [Origin.COPIED] * 2
    assert engine.translated == ["Le début."]
    c = translator.counters
    assert (c.sentences, c.unique, c.engine_inputs, c.copied) == (6, 1, 1, 4)
    assert set(memory.lookup(texts, "c")) == {"Le début."}


def test_text_free_pairs_carry_no_flag():
    engine = FakeEngine()
    text = "Calendrier.\n1\n102\n6171-1231-1311-1231\n12/03/2024\n* * *\n—\n§ 4"
    result = align(document_from_text(text), Translator(engine, 64), engine_meta(engine))
    copies = [p for p in result.pairs if p.source != "Calendrier."]
    assert [p.target for p in copies] == [p.source for p in copies]
    assert all(p.flags == () for p in copies)
    assert engine.translated == ["Calendrier."]


# --- symbols the model cannot write -----------------------------------------

UNWRITABLE = frozenset("🎉😀✅❌▬🇫🇷北京\u200d👨👩")

MASK_TABLE = [
    "Bienvenue sur le serveur 🎉 !",
    "Lisez les **règles** avant de poster 😀.",
    "▬▬▬ Règles ▬▬▬",
    "Le __respect__ est obligatoire ✅ et les insultes sont interdites ❌.",
    "« 🎉 Bienvenue à tous »",
    "🎉🎉 Fête ce soir 🎉",
    "Le mot北京veut dire capitale.",
    "La famille 👨\u200d👩 arrive 🇫🇷 demain.",
    "Il a payé 300 🎉 euros, ✅ hier.",
    "🎉",
    "Bravo😀!",
]


@pytest.mark.parametrize("text", MASK_TABLE)
def test_masking_removes_every_unwritable_character_and_a_copy_restores_exactly(text):
    masked = mask(text, UNWRITABLE)
    assert masked is not None
    assert not set(masked.text) & UNWRITABLE
    assert unmask(masked, masked.text) == (text, True)


# Emoji sequences and private-use glyphs (f_keycap_pua.txt): each unit is
# protected whole, so no mark, selector or base character is lost. The
# unwritable set is what opus-mt answers: selectors, the keycap mark and tags
# cannot be written, digits, '#', '*' and '©' can.
SEQUENCE_UNWRITABLE = frozenset(
    "\ufe0f\ufe0e\u20e3\ue000\uf0e0\U000f0001\U0001fa77👩💻🏴❤👍🏽☺"
    "\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
)
SEQUENCE_TABLE = [
    # keycaps: the tester's two, then a keycap without U+FE0F, and '*'
    ("1\ufe0f\u20e3 Premier point à retenir.", ["1\ufe0f\u20e3"]),
    ("Appuyez sur #\ufe0f\u20e3 pour continuer.", ["#\ufe0f\u20e3"]),
    ("Composez le 0\ufe0f\u20e3 puis *\ufe0f\u20e3 ici.", ["0\ufe0f\u20e3", "*\ufe0f\u20e3"]),
    ("Étape 2\u20e3 terminée.", ["2\u20e3"]),
    # private use: the tester's, an icon-font glyph, a plane-15 one
    ("Le logo \ue000 est déposé.", ["\ue000"]),
    ("\uf0e0 Contact par courriel.", ["\uf0e0"]),
    ("Le symbole \U000f0001 du fichier.", ["\U000f0001"]),
    # a selector after a writable symbol, text presentation, a skin tone
    ("Marque ©\ufe0f déposée.", ["©\ufe0f"]),
    ("Le texte ☺\ufe0e sobre.", ["☺\ufe0e"]),
    ("Bravo 👍🏽 à tous.", ["👍🏽"]),
    # ZWJ and tag sequences (already kept whole), an emoji newer than
    # Python's Unicode tables (category Cn)
    ("La développeuse 👩\u200d💻 arrive.", ["👩\u200d💻"]),
    (
        "Le drapeau 🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f flotte.",
        ["🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"],
    ),
    ("Un cœur rose \U0001fa77 nouveau.", ["\U0001fa77"]),
    # a stray selector after a word: the word keeps its place
    ("Bonjour\ufe0f à tous.", ["\ufe0f"]),
]


@pytest.mark.parametrize(("text", "runs"), SEQUENCE_TABLE)
def test_emoji_sequences_and_private_use_are_protected_whole(text, runs):
    masked = mask(text, SEQUENCE_UNWRITABLE)
    assert masked is not None
    assert [r.text for r in masked.runs] == runs
    assert not set(masked.text) & (SEQUENCE_UNWRITABLE | {"\u20e3", "\u200d"})
    assert unmask(masked, masked.text) == (text, True)


def test_keycaps_are_protected_even_when_every_part_is_writable():
    masked = mask("Tapez 1\ufe0f\u20e3 puis #\u20e3.", frozenset())
    assert masked is not None
    assert [r.text for r in masked.runs] == ["1\ufe0f\u20e3", "#\u20e3"]


@pytest.mark.parametrize(
    "char",
    [
        "\ue000",
        "\U000f0001",
        "\U0001fa77",
        "\U000e0fff",
        "\ufe0f",
        "\ufe0e",
        "\u20e3",
        "\U000e0067",
    ],
)
def test_visible_category_c_and_emoji_parts_are_protectable(char):
    assert protectable(char)


@pytest.mark.parametrize("char", [" ", "\u00a0", "\t", "\u200b", "\u00ad", "\u200d", "\u0301"])
def test_spaces_invisible_characters_and_accents_are_not(char):
    assert not protectable(char)


def test_a_zwj_inside_a_word_never_joins_it_to_a_symbol():
    masked = mask("Le mot\u200dclef 🎉.", UNWRITABLE - {"\u200d"})
    assert masked is not None
    assert [r.text for r in masked.runs] == ["🎉"]
    assert masked.text == "Le mot\u200dclef."


def test_no_unwritable_character_means_no_mask():
    assert mask("Une phrase ordinaire, sans symbole.", UNWRITABLE) is None


@settings(max_examples=1500, deadline=None)
@given(
    st.lists(
        st.sampled_from(["mot", "Paris", "42", ",", ".", "!", " ", "  ", "🎉", "✅", "▬", "«"]),
        max_size=14,
    )
)
def test_any_masked_copy_is_restored_exactly(parts):
    text = "".join(parts).strip()
    masked = mask(text, UNWRITABLE)
    if masked is not None:
        assert unmask(masked, masked.text)[0] == text


@settings(max_examples=1500, deadline=None)
@given(
    st.lists(
        st.sampled_from(["mot", "Paris", "42", ",", ".", "!", " ", "🎉", "✅", "▬", "«"]),
        min_size=1,
        max_size=12,
    ),
    st.text(alphabet="ab !.,?42 ", max_size=12),
)
def test_any_target_keeps_every_protected_run(parts, target):
    """Whatever the model returns (shorter, empty, ending in '!'), nothing is lost."""
    masked = mask("".join(parts).strip(), UNWRITABLE)
    if masked is None:
        return
    restored, _ = unmask(masked, target)
    for run in masked.runs:
        assert run.text in restored


@pytest.mark.parametrize(
    ("source", "target", "expected", "sure"),
    [
        # Edges: before final punctuation, at the start, at the end.
        (
            "Bienvenue sur le serveur 🎉 !",
            "Welcome to the server!",
            "Welcome to the server 🎉!",
            True,
        ),
        ("▬▬▬ Règles ▬▬▬", "Rules", "▬▬▬ Rules ▬▬▬", True),
        ("Lisez avant de poster 😀.", "Read before posting.", "Read before posting 😀.", True),
        # Inside, after a word both sides share (a number, a name).
        (
            "Il a payé 300 🎉 euros hier.",
            "He paid 300 euros yesterday.",
            "He paid 300 🎉 euros yesterday.",
            True,
        ),
        (
            "Rendez-vous avec Marie ✅ demain.",
            "Meet with Marie tomorrow.",
            "Meet with Marie ✅ tomorrow.",
            True,
        ),
        # Inside with no shared word: relative position, uncertain.
        ("Le vote ✅ et la suite du débat.", "The ballot and the rest of the debate.", None, False),
    ],
)
def test_restoring_into_a_translation(source, target, expected, sure):
    masked = mask(source, UNWRITABLE)
    assert masked is not None
    restored, certain = unmask(masked, target)
    assert certain is sure
    assert sorted(c for c in restored if c in UNWRITABLE) == sorted(
        c for c in source if c in UNWRITABLE
    )
    if expected is not None:
        assert restored == expected
    # Nothing of the translation is lost or moved: only the runs were added.
    visible = "".join(c for c in restored if c not in UNWRITABLE and not c.isspace())
    assert visible == "".join(target.split())


CASE_15 = [
    "Bienvenue sur le serveur 🎉 !",
    "Lisez les **règles** avant de poster 😀.",
    "▬▬▬ Règles ▬▬▬",
    "Le __respect__ est obligatoire ✅ et les insultes sont interdites ❌.",
]


def test_symbols_never_reach_the_engine_and_come_back_in_place():
    engine = FakeEngine(unknown="🎉😀✅❌▬")
    done = Translator(engine, batch_tokens=64).translate(CASE_15)
    assert not {c for t in engine.translated for c in t} & engine.unknown
    assert [t.hypothesis.text for t in done] == [s.upper() for s in CASE_15]
    assert all(t.flags == () for t in done)


def test_guessed_place_is_flagged_and_not_stored(tmp_path):
    class Reworded(FakeEngine):  # a "translation" sharing no word with the source
        def _hypothesis(self, text):
            return super()._hypothesis("the ballot and what comes after it")

    memory = TranslationMemory(tmp_path / "tm.sqlite")
    translator = Translator(Reworded(unknown="✅"), batch_tokens=64, memory=memory, context="c")
    [t] = translator.translate(["Le vote ✅ et la suite."])
    assert t.hypothesis.text.count("✅") == 1
    assert t.flags == (Flag.SYMBOLS,)
    assert memory.lookup(["Le vote ✅ et la suite."], "c") == {}


def test_engine_is_asked_once_per_character_and_plain_text_is_not_masked():
    engine = FakeEngine(unknown="🎉")
    translator = Translator(engine, batch_tokens=64)
    translator.translate(["Une phrase.", "Une autre phrase.", "Encore une 🎉 phrase."])
    translator.translate(["Une phrase de plus 🎉.", "Phrase."])
    assert sorted(engine.asked) == sorted(set(engine.asked))
    assert "🎉" in engine.asked
    assert " " not in engine.asked  # spaces are never protected, never asked about


def test_symbols_compose_with_cutting_and_memory(tmp_path):
    engine = FakeEngine(max_input_tokens=8, unknown="🎉")
    memory = TranslationMemory(tmp_path / "tm.sqlite")
    sentence = "Au début 🎉 " + " ".join(f"mot{i}," for i in range(20)) + " et la fin 🎉."
    translator = Translator(engine, batch_tokens=64, memory=memory, context="c")
    [t] = translator.translate([sentence])
    assert t.cut and len(engine.translated) > 1
    assert t.hypothesis.text == sentence.upper()
    assert not any("🎉" in piece for piece in engine.translated)
    # The memory is keyed by the sentence itself and holds the symbols.
    stored = memory.lookup([sentence], "c")[sentence]
    assert stored.target == sentence.upper() and stored.cut
    again = FakeEngine(unknown="🎉")
    [t2] = Translator(again, batch_tokens=64, memory=memory, context="c").translate([sentence])
    assert t2.hypothesis.text == sentence.upper() and again.translated == []


# --- truncation at the output cap -------------------------------------------


def test_truncated_piece_is_retried_in_halves_at_a_clause():
    engine = FakeEngine(max_words=6)
    sentence = "Selon l'avocat du couple, les deux personnes ont été attirées par une offre."
    [t] = Translator(engine, batch_tokens=64).translate([sentence])
    assert t.hypothesis.text == sentence.upper()
    assert t.flags == (Flag.SPLIT,)
    assert engine.batches[0] == [sentence]
    assert "Selon l'avocat du couple," in engine.translated[1:]


def test_still_truncated_after_retries_is_flagged_and_not_stored(tmp_path):
    engine = FakeEngine(max_words=1)
    memory = TranslationMemory(tmp_path / "tm.sqlite")
    translator = Translator(engine, batch_tokens=64, memory=memory, context="c")
    sentence = " ".join(f"mot{i}" for i in range(60)) + "."
    [t] = translator.translate([sentence])
    assert t.flags == (Flag.TRUNCATED, Flag.SPLIT)
    assert t.hypothesis.truncated
    assert memory.lookup([sentence], "c") == {}


def test_retried_translation_is_stored_with_split(tmp_path):
    memory = TranslationMemory(tmp_path / "tm.sqlite")
    sentence = "Un début, puis une suite assez longue pour le plafond."
    Translator(FakeEngine(max_words=6), 64, memory=memory, context="c").translate([sentence])
    entry = memory.lookup([sentence], "c")[sentence]
    assert entry.cut and entry.target == sentence.upper()


def test_truncated_flag_comes_right_after_empty_in_a_pair():
    engine = FakeEngine(max_words=1)
    words = " ".join(f"mot{i}" for i in range(40)) + "."
    result = align(document_from_text(words), Translator(engine, 64), engine_meta(engine))
    flags = result.pairs[0].flags
    assert flags[0] == Flag.TRUNCATED and flags.index(Flag.SPLIT) > 0


# --- end to end, the copy model on both engines -------------------------------

ENGINES = ["transformers", "ctranslate2"]


def _settings(model: Path, engine: str) -> Settings:
    return Settings(
        model=str(model), engine=engine, compute_type="float32", threads=1, memory="off"
    )


@pytest.fixture(scope="module", params=ENGINES)
def copy_engine(request):
    return load_engine(_settings(COPY_MODEL, request.param))


def _capped_model(tmp_path_factory, max_length: int) -> Path:
    folder = tmp_path_factory.mktemp(f"copy-max{max_length}")
    model = folder / "copy-marian"
    shutil.copytree(COPY_MODEL, model)
    config = json.loads((model / "generation_config.json").read_text())
    config["max_length"] = max_length
    (model / "generation_config.json").write_text(json.dumps(config))
    return model


@pytest.fixture(scope="module")
def capped34(tmp_path_factory) -> Path:
    return _capped_model(tmp_path_factory, 34)


def _case(name: str) -> Path:
    return shared_path("data", "cases", name)


def test_text_free_lines_are_kept_on_both_engines(copy_engine):
    for name in ("11-blankish-lines.txt", "19-number-only-lines.txt"):
        path = _case(name)
        result = translate_file(path, engine=copy_engine)
        free = [p for p in result.pairs if is_text_free(p.source) and p.source.strip()]
        assert free, name
        assert [p.target for p in free] == [p.source for p in free]
        assert all(p.flags == () for p in free)
    english = "\n".join(result.paragraph_targets())
    for line in ("1", "2", "3", "102", "6171-1231-1311-1231", "12/03/2024"):
        assert re.search(rf"(?m)^{re.escape(line)}$", english), line


# More of the kind of 15-emoji-symbols.txt: emoji at the start, inside and at
# the end, a variation selector (⚠️), box drawing around a word.
SYMBOL_TEXT = """🚀 Lancement du projet demain matin !

Le prix est de 300 euros 💶 pour deux personnes 👥, repas compris.

⚠️ Attention : les places sont limitées ✨

┌── Programme ──┐

La réunion commence à 9 heures 🕘 et finit à midi.
"""
SYMBOLS = re.compile("[^\\w\\s.,;:!?'«»*-]")


def test_emoji_and_symbols_come_back_in_place_on_both_engines(copy_engine, tmp_path):
    path = tmp_path / "symbols.txt"
    path.write_text(SYMBOL_TEXT, encoding="utf-8")
    result = translate_file(path, engine=copy_engine)
    # The copy model writes back what it is given: the source as OPUS-MT's
    # input normalisation left it ("Attention :" becomes "Attention:").
    expected = [opus_mt_normalize(p) for p in read_document(path).paragraphs]
    assert result.paragraph_targets() == expected
    assert not any(Flag.SYMBOLS in p.flags for p in result.pairs)
    # The case file: every symbol in order; every line exact but the one whose
    # **règles** the tiny copy model garbles with or without emoji (it never
    # saw "*" in training, though "*" is in its vocabulary).
    case = translate_file(_case("15-emoji-symbols.txt"), engine=copy_engine)
    for pair in case.pairs:
        assert SYMBOLS.findall(pair.target) == SYMBOLS.findall(pair.source), pair
        assert pair.target == opus_mt_normalize(pair.source) or "**" in pair.source
        assert Flag.SYMBOLS not in pair.flags


# Odd characters through the copy model (f_keycap_pua.txt and more of its
# kind): every one the user wrote is in the output, on both engines.
ODD_CHARACTERS = [text for text, _ in SEQUENCE_TABLE] + [
    "Le mot\u200bclef, puis gouver\u00adnement 🎉.",
    "Famille 👨\u200d👩\u200d👧 réunie et \U000e0fff inconnu.",
]
VISIBLE = re.compile("[^\\s\u00ad\u200b\u200c\u2060\ufeff]")


def test_odd_characters_all_come_back_on_both_engines(copy_engine, tmp_path):
    path = tmp_path / "odd.txt"
    path.write_text("\n\n".join(ODD_CHARACTERS) + "\n", encoding="utf-8")
    result = translate_file(path, engine=copy_engine)
    targets = result.paragraph_targets()
    assert len(targets) == len(ODD_CHARACTERS)
    for source, target in zip(ODD_CHARACTERS, targets, strict=True):
        # Everything visible comes back in order; the copy model gives the
        # source back, less the invisible characters normalisation took out
        # of words (emoji sequences are masked before it, ZWJ included).
        assert VISIBLE.findall(target) == VISIBLE.findall(source), source
        assert target == source.replace("\u00ad", "").replace("\u200bclef", "clef")


def test_the_testers_keycap_and_private_use_file_comes_back_whole(copy_engine, tmp_path):
    text = (
        "1\ufe0f\u20e3 Premier point à retenir.\n\n"
        "Appuyez sur #\ufe0f\u20e3 pour continuer.\n\n"
        "Le logo \ue000 est déposé.\n"
    )
    path = tmp_path / "f_keycap_pua.txt"
    path.write_text(text, encoding="utf-8")
    result = translate_file(path, engine=copy_engine)
    assert result.paragraph_targets() == [p for p in text.split("\n") if p]


def test_the_testers_soft_hyphen_file_reads_as_whole_words(copy_engine, tmp_path):
    """k3_shy_inline.txt: the model reads one word; the source is kept as written."""
    text = (
        "Le gouver\u00adnement a annoncé un plan de dévelop\u00adpement inter\u00adnational.\n\n"
        "Le mot\u200bclef est caché.\n"
    )
    path = tmp_path / "k3_shy_inline.txt"
    path.write_text(text, encoding="utf-8")
    result = translate_file(path, engine=copy_engine)
    assert result.paragraph_targets() == [
        "Le gouvernement a annoncé un plan de développement international.",
        "Le motclef est caché.",
    ]
    assert [p.source for p in result.pairs] == [p for p in text.split("\n") if p]


@pytest.mark.parametrize("engine", ENGINES)
def test_output_cap_is_flagged_truncated_by_the_engine(capped34, engine):
    loaded = load_engine(_settings(capped34, engine))
    sentence = _case("18b-output-cap-tail.txt").read_text().strip()
    short = "Selon l'avocat du couple,"
    long_hyp, short_hyp = loaded.translate_batch([sentence, short])
    assert long_hyp.truncated and not short_hyp.truncated
    assert len(long_hyp.text) < len(sentence)
    # Through the translator: retried in halves, complete, flagged split.
    result = translate_file(_case("18b-output-cap-tail.txt"), engine=loaded)
    [pair] = result.pairs
    assert pair.target == sentence
    assert Flag.SPLIT in pair.flags and Flag.TRUNCATED not in pair.flags


@pytest.mark.parametrize("engine", ENGINES)
def test_a_cap_too_small_even_for_halves_is_flagged_truncated(tmp_path_factory, engine):
    loaded = load_engine(_settings(_capped_model(tmp_path_factory, 3), engine))
    result = translate_file(_case("18b-output-cap-tail.txt"), engine=loaded)
    [pair] = result.pairs
    assert Flag.TRUNCATED in pair.flags and Flag.SPLIT in pair.flags


@pytest.mark.parametrize("engine", ENGINES)
def test_cli_summary_counts_copied_segments(tmp_path, engine):
    path = _case("19-number-only-lines.txt")
    args = [str(path), "-o", str(tmp_path / "out"), "--model", str(COPY_MODEL), "--no-tm"]
    result = CliRunner().invoke(app, [*args, "--engine", engine, "--compute-type", "float32"])
    assert result.exit_code == 0, result.stderr
    assert re.search(
        r"sentences: 8 \(2 unique, 0 from memory, 2 sent to the engine, "
        r"6 copied unchanged \(no text\)\)",
        result.stderr,
    ), result.stderr
    english = (tmp_path / "out" / "19-number-only-lines.en.txt").read_text()
    assert english == path.read_text()
