"""Glossary terms enforced around the engine (translate_cli.terms and its use in a run).

The unit tables pin substitution, word maps and the put-back; the run tests
use a word-for-word fake that can align (so a term the "model" drops can be
put back) and the copy-trained Marian model on both engines (its output is
its input, so the English put into the input must come out, aligned).
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from tests.fakes import FakeEngine
from translate_cli.align import align
from translate_cli.config import Settings
from translate_cli.document import Hypothesis, document_from_text
from translate_cli.glossary import Glossary, Term
from translate_cli.memory import TranslationMemory
from translate_cli.provenance import engine_meta
from translate_cli.readers import read_input
from translate_cli.terms import put_back, remap, substitute, word_origins
from translate_cli.translator import Translator
from translate_cli.vocabulary import Flag, TermStatus

GLOSSARY = Glossary(
    [
        Term("centrale nucléaire", "nuclear power plant", "house style"),
        Term("la Défense", "the Ministry of Defence"),
        Term("Otan", "NATO"),
        Term("Le Monde", "Le Monde"),
        Term("conseil municipal", "city council"),
        Term("Banque mondiale", "World Bank"),
    ]
)


def _sub(text: str):
    return substitute(text, GLOSSARY.find(text))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Les centrales nucléaires ferment.", "Les nuclear power plants ferment."),
        ("La Défense a parlé à l'Otan.", "The Ministry of Defence a parlé à l'NATO."),
        ("Selon la Défense, non.", "Selon the Ministry of Defence, non."),
        # A do-not-translate term stands as it was.
        ("Le Monde le dit.", "Le Monde le dit."),
        ("Rien ici.", "Rien ici."),
        ("« Conseil municipal » : vote.", "« City council » : vote."),
    ],
)
def test_substitute_puts_the_required_english_in_the_input(source, expected):
    sub = _sub(source)
    assert sub.text == expected
    assert [sub.text[a:b].lower() for a, b in sub.places] == [
        m.english.lower() for m in sub.matches
    ]


def test_word_origins_map_each_input_word_to_the_french_it_stands_for():
    sub = _sub("Les centrales nucléaires ferment à l'Otan demain.")
    assert sub.text == "Les nuclear power plants ferment à l'NATO demain."
    # Les | nuclear power plants -> centrales nucléaires | ferment | à | l'NATO | demain.
    assert word_origins(sub) == ((0,), (1, 2), (1, 2), (1, 2), (3,), (4,), (5,), (6,))
    assert word_origins(_sub("Rien ici.")) == ((0,), (1,))


def test_remap_turns_input_pairs_into_source_pairs():
    sub = _sub("Les centrales nucléaires ferment.")
    links = ((0, 0), (1, 1), (2, 2), (3, 3), (4, 4))
    assert remap(links, word_origins(sub)) == (
        (0, 0),
        (1, 1),
        (1, 2),
        (1, 3),
        (2, 1),
        (2, 2),
        (2, 3),
        (3, 4),
    )


@pytest.mark.parametrize(
    ("output", "links", "expected", "restored"),
    [
        # The model wrote "atomic plants," for the English: replaced, comma kept.
        (
            "The atomic plants, close.",
            ((0, 0), (1, 1), (2, 1), (3, 2), (4, 3)),
            "The nuclear power plants, close.",
            (0,),
        ),
        # Nothing aligned with the English: left missing.
        ("The plants close.", ((0, 0), (4, 2)), "The plants close.", ()),
    ],
)
def test_put_back_replaces_the_aligned_run(output, links, expected, restored):
    sub = _sub("Les centrales nucléaires, ferment.")
    assert sub.text == "Les nuclear power plants, ferment."
    assert put_back(sub, output, links, [0]) == (expected, restored)


def test_put_back_leaves_a_neighbour_the_attention_spread_onto():
    # The copy model cannot write "W"; its alignment links "Bank" with "prête." too.
    sub = _sub("La Banque mondiale prête.")
    assert sub.text == "La World Bank prête."
    links = ((0, 0), (1, 1), (1, 2), (2, 2), (2, 3), (3, 3))
    assert put_back(sub, "La orld Bank prête.", links, [0]) == ("La World Bank prête.", (0,))


def test_put_back_never_replaces_overlapping_runs():
    sub = _sub("L'Otan et la Défense.")
    # Both Englishes aligned with the same output word: only the first is put back.
    links = ((0, 0), (1, 1), (2, 0), (3, 0), (4, 0), (5, 0))
    text, restored = put_back(sub, "Alliance army.", links, [0, 1])
    assert (text, restored) == ("NATO army.", (0,))


COUNCIL = {"city": "municipal", "council": "board", "vote.": "votes."}


class WordEngine(FakeEngine):
    """Word-for-word "translation" through a dictionary, aligned one to one.

    Words not in ``words`` are copied; ``drop`` words vanish, like a term a
    model translates its own way.
    """

    name = "words"

    def __init__(self, words: dict[str, str], can_align: bool = True) -> None:
        super().__init__()
        self.words = words
        self.aligned: list[tuple[str, str]] = []
        if not can_align:
            self.align_batch = None  # type: ignore[assignment]

    def _hypothesis(self, text: str) -> Hypothesis:
        return Hypothesis(" ".join(self.words.get(w, w) for w in text.split()), -0.2)

    def align_batch(
        self, sources: Sequence[str], targets: Sequence[str]
    ) -> list[tuple[tuple[int, int], ...]]:
        self.aligned += zip(sources, targets, strict=True)
        return [
            tuple((i, i) for i in range(min(len(s.split()), len(t.split()))))
            for s, t in zip(sources, targets, strict=True)
        ]


def _pairs(text: str, engine, glossary=GLOSSARY, memory=None, context="ctx"):
    translator = Translator(engine, 512, memory=memory, context=context, glossary=glossary)
    result = align(document_from_text(text), translator, engine_meta(engine))
    return result.pairs, translator


def test_a_term_the_engine_rewrites_is_put_back_and_shown_restored():
    engine = WordEngine(COUNCIL)
    pairs, translator = _pairs("Le conseil municipal vote.", engine)
    (pair,) = pairs
    # The model input carried the English; the "model" wrote its own words for it.
    assert engine.translated == ["Le city council vote."]
    assert engine.aligned == [("Le city council vote.", "Le municipal board votes.")]
    assert pair.target == "Le city council votes."
    assert [(u.source, u.target, u.status) for u in pair.terms] == [
        ("conseil municipal", "city council", TermStatus.RESTORED)
    ]
    assert Flag.TERM not in pair.flags
    assert translator.counters.terms == {TermStatus.RESTORED: 1}


def test_an_engine_that_cannot_align_leaves_the_term_missing_and_flagged():
    engine = WordEngine(COUNCIL, can_align=False)
    pairs, translator = _pairs("Le conseil municipal vote.", engine)
    (pair,) = pairs
    assert pair.target == "Le municipal board votes."
    assert pair.terms[0].status == TermStatus.MISSING
    assert Flag.TERM in pair.flags
    assert translator.counters.flags[Flag.TERM] == 1


def test_terms_present_are_not_flagged_and_carry_their_notes():
    pairs, translator = _pairs(
        "Deux centrales nucléaires ferment. Le Monde le dit.\n\nRien ici.", FakeEngine()
    )
    assert [p.target for p in pairs] == [
        "DEUX NUCLEAR POWER PLANTS FERMENT.",
        "LE MONDE LE DIT.",
        "RIEN ICI.",
    ]
    assert [[(u.source, u.target, u.status, u.note) for u in p.terms] for p in pairs] == [
        [("centrales nucléaires", "nuclear power plants", TermStatus.PRESENT, "house style")],
        [("Le Monde", "Le Monde", TermStatus.PRESENT, "")],
        [],
    ]
    assert not any(Flag.TERM in p.flags for p in pairs)
    assert translator.counters.terms == {TermStatus.PRESENT: 2}


def test_no_glossary_changes_nothing():
    with_none, _ = _pairs("Les centrales nucléaires ferment.", FakeEngine(), glossary=None)
    assert with_none[0].target == "LES CENTRALES NUCLÉAIRES FERMENT."
    assert with_none[0].terms == ()


def test_a_reviewed_translation_wins_and_is_still_checked(tmp_path):
    memory = TranslationMemory(tmp_path / "tm.sqlite")
    memory.store_reviewed([("L'Otan parle.", "L'Otan parle.", "The Alliance speaks.")])
    pairs, _ = _pairs("L'Otan parle.", FakeEngine(), memory=memory)
    (pair,) = pairs
    assert pair.target == "The Alliance speaks."
    assert Flag.REVIEWED in pair.flags and Flag.TERM in pair.flags
    assert pair.terms[0].status == TermStatus.MISSING
    memory.close()


def test_memory_context_changes_only_for_sentences_whose_terms_change(tmp_path):
    text = "Les centrales nucléaires ferment.\n\nLe conseil municipal vote.\n\nRien ici."
    memory = TranslationMemory(tmp_path / "tm.sqlite")
    first = FakeEngine()
    _pairs(text, first, memory=memory)
    assert len(first.translated) == 3
    # Another glossary: the plant's English changes, the council's does not.
    edited = Glossary(
        [
            Term("centrale nucléaire", "nuclear station"),
            Term("conseil municipal", "city council"),
            Term("tout autre terme", "any other term"),
        ]
    )
    second = FakeEngine()
    pairs, translator = _pairs(text, second, glossary=edited, memory=memory)
    assert second.translated == ["Les nuclear stations ferment."]
    assert translator.counters.memory == 2
    assert pairs[0].target == "LES NUCLEAR STATIONS FERMENT."
    # Without any glossary, the term-free sentence still comes from the memory.
    third = FakeEngine()
    _pairs(text, third, glossary=None, memory=memory)
    assert third.translated == ["Les centrales nucléaires ferment.", "Le conseil municipal vote."]
    memory.close()


def test_a_restored_translation_is_not_stored(tmp_path):
    memory = TranslationMemory(tmp_path / "tm.sqlite")
    text = "Le conseil municipal vote. Les centrales nucléaires ferment."
    _pairs(text, WordEngine(COUNCIL), memory=memory)
    again = WordEngine(COUNCIL)
    pairs, translator = _pairs(text, again, memory=memory)
    # The restored one is translated again, so its status is the same; the other is stored.
    assert again.translated == ["Le city council vote."]
    assert [u.status for p in pairs for u in p.terms] == [
        TermStatus.RESTORED,
        TermStatus.PRESENT,
    ]
    assert translator.counters.memory == 1
    memory.close()


@pytest.mark.parametrize("engine_name", ["transformers", "ctranslate2"])
def test_copy_model_renders_the_terms_on_both_engines(copy_model, engine_name):
    from translate_cli.engines import load_engine

    engine = load_engine(Settings(model=str(copy_model), engine=engine_name))
    text = "Les centrales nucléaires ferment.\n\nLa Défense a parlé.\n\nLe Monde le dit."
    pairs, _ = _pairs(text, engine)
    assert [p.target for p in pairs] == [
        "Les nuclear power plants ferment.",
        "The Ministry of Defence a parlé.",
        "Le Monde le dit.",
    ]
    assert all(u.status == TermStatus.PRESENT for p in pairs for u in p.terms)


@pytest.mark.parametrize("engine_name", ["transformers", "ctranslate2"])
def test_markup_over_a_term_lands_on_its_english(tmp_path, copy_model, engine_name):
    from translate_cli.engines import load_engine

    source = tmp_path / "a.md"
    source.write_text("Les **centrales nucléaires** ferment *demain*.\n", encoding="utf-8")
    document = read_input(source)
    engine = load_engine(Settings(model=str(copy_model), engine=engine_name))
    translator = Translator(engine, 512, glossary=GLOSSARY)
    result = align(document, translator, engine_meta(engine))
    (pair,) = result.pairs
    assert pair.target == "Les nuclear power plants ferment demain."
    (placed,) = result.placed
    marked = [placed.target[s.start : s.end] for s in placed.spans]
    assert marked == ["nuclear power plants", "demain"]
    assert Flag.MARKUP not in pair.flags


def test_glossary_terms_inside_protected_text_are_left_alone():
    pairs, _ = _pairs("Voir https://otan.example/Otan et l'Otan.", FakeEngine())
    (pair,) = pairs
    assert "https://otan.example/Otan" in pair.target
    assert [u.source for u in pair.terms] == ["Otan"]
    assert pair.target.endswith("L'NATO.")


@pytest.mark.parametrize("engine_name", ["transformers", "ctranslate2"])
def test_a_term_over_two_elements_shares_its_english_out(tmp_path, copy_model, engine_name):
    from translate_cli.engines import load_engine

    source = tmp_path / "a.md"
    source.write_text(
        "Un [conseil](https://a.fr) [municipal](https://b.fr) vote.\n", encoding="utf-8"
    )
    engine = load_engine(Settings(model=str(copy_model), engine=engine_name))
    translator = Translator(engine, 512, glossary=GLOSSARY)
    result = align(read_input(source), translator, engine_meta(engine))
    (pair,) = result.pairs
    (placed,) = result.placed
    # One link each, never a link inside a link; the placement is flagged.
    assert pair.target == "Un city council vote."
    assert [(placed.target[s.start : s.end], s.tag) for s in placed.spans] == [
        ("city", placed.spans[0].tag),
        ("council", placed.spans[1].tag),
    ]
    assert placed.spans[0].end <= placed.spans[1].start
    assert Flag.MARKUP in pair.flags
