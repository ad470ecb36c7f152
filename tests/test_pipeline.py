"""Ordering, dedup and long-sentence cutting, with a fake engine."""

from __future__ import annotations

from pathlib import Path, PurePath

from translate_cli.align import align, sentences_of
from translate_cli.config import Settings
from translate_cli.document import document_from_text, read_document
from translate_cli.inputs import Job
from translate_cli.provenance import engine_meta
from translate_cli.runner import Runner
from translate_cli.translator import Translator

from .conftest import SEED
from .fakes import FakeEngine, origin_flags


def test_seed_is_aligned_in_order_and_repeats_are_translated_once():
    engine = FakeEngine()
    doc = read_document(SEED)
    translator = Translator(engine, batch_tokens=64)
    result = align(doc, translator, engine_meta(engine))
    sentences = sentences_of(doc)
    assert [p.source for p in result.pairs] == [s.text for s in sentences]
    assert all(p.target == p.source.upper() for p in result.pairs)
    distinct = {" ".join(s.text.split()) for s in sentences}
    assert len(engine.translated) == len(distinct) < len(sentences)
    c = translator.counters
    assert (c.sentences, c.unique, c.engine_inputs) == (
        len(sentences),
        len(distinct),
        len(distinct),
    )


def test_sentences_use_abbreviations_learned_from_the_whole_document():
    doc = document_from_text(
        "Le dépt. du Nord et le dépt. de l'Aisne ont voté.\n\nPuis le dépt. du Var a suivi.\n",
        "a.txt",
    )
    assert [s.text for s in sentences_of(doc)] == [
        "Le dépt. du Nord et le dépt. de l'Aisne ont voté.",
        "Puis le dépt. du Var a suivi.",
    ]


def test_batches_are_length_sorted_and_within_budget():
    engine = FakeEngine()
    text = " ".join(f"Phrase {'très ' * (i % 7)}numéro {i}." for i in range(40))
    translator = Translator(engine, batch_tokens=40)
    translator.translate(text.split(". "))
    lengths = [engine.count_tokens(b) for b in engine.batches]
    for batch in lengths:
        assert len(batch) == 1 or len(batch) * max(batch) <= 40
        assert batch == sorted(batch, reverse=True)


def test_second_document_reuses_the_run_memo():
    engine = FakeEngine()
    translator = Translator(engine, batch_tokens=256)
    meta = engine_meta(engine)
    align(document_from_text("Un. Deux."), translator, meta)
    align(document_from_text("Deux. Trois."), translator, meta)
    assert sorted(engine.translated) == ["Deux.", "Trois.", "Un."]
    assert translator.counters.engine_inputs == 3


def test_too_long_sentence_is_cut_translated_and_flagged():
    engine = FakeEngine(max_input_tokens=12)
    words = [f"mot{i}" for i in range(60)]
    long_sentence = "Le " + ", ".join(" ".join(words[i : i + 5]) for i in range(0, 60, 5)) + "."
    doc = document_from_text(f"Court. {long_sentence} Fin.")
    result = align(doc, Translator(engine, 64), engine_meta(engine))
    flags = [origin_flags(p) for p in result.pairs]
    assert flags == [(), ("split",), ()]
    assert all(engine.count_tokens([t])[0] <= 12 for t in engine.translated)
    assert result.pairs[1].target.split() == long_sentence.upper().split()


def test_runner_isolates_a_bad_file(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("Bonjour. Au revoir.")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    settings = Settings(output_dir=str(tmp_path / "out"), formats=("tsv",))
    runner = Runner(settings, FakeEngine)
    report = runner.run([Job(str(p), PurePath(p.name), p) for p in (bad, good)])
    assert [o.status for o in report.outcomes] == ["failed", "translated"]
    assert "not a text file" in report.outcomes[0].error
    assert (tmp_path / "out" / "good.fr-en.tsv").is_file()
    assert not list(Path(tmp_path / "out").glob("bad*"))
