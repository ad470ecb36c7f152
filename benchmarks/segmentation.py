"""Benchmark French sentence splitters on every shared segmentation set.

Scores ``translate_cli.segment.split_sentences`` and every peer that is
installed: pysbd, sentence-splitter (Moses), blingfire and nupunkt
(``pip install -e '.[bench]'``), spaCy's ``fr_core_news_sm`` with only its
``senter`` component (``python -m spacy download fr_core_news_sm``), LanguageTool's
SRX rules through ``choppa-srx`` (``pip install choppa-srx``, language code
``fr_two``), and a naive regex. A peer that is missing stays in the tables as
"not installed".

The sets are every ``*.paragraphs.jsonl`` of the data folder (WMT
newstest2013 and newstest2014) and every ``ud-train/*.train.jsonl`` (the
Universal Dependencies TRAIN splits: Sequoia, ParTUT, Rhapsodie,
ParisStories); a file whose records carry more than one ``genre`` (Sequoia)
is also scored genre by genre.

Each set is scored with two protocols, both on the records as they are (the
whole paragraph text goes to the splitter, no paragraph-level help), both
micro-averaged over inner boundaries:

* **raw**: boundary F1 on all gold boundaries, headings and list items cut
  at ``;`` or ``:`` included;
* **punctuated**: boundary F1 on the boundaries that follow final
  punctuation. A boundary, gold or predicted, is kept when the paragraph
  text before it ends with ``.``, ``!``, ``?`` or ``…`` followed only by
  whitespace and closing quotes or brackets (``" ' » ” ’ ) ]``). Gold and
  predicted boundaries are both placed as offsets in the paragraph text
  (the count of non-whitespace characters before the next sentence) and
  filtered by this one test on the text, so neither side is favoured
  (:func:`tests.support.segment_eval.final_punctuation_boundaries`).

The WMT rows also get the protocol of ``tests/test_segmentation_data.py``
(``units``: the paragraph-level breaks of the flattened newstest2014 articles
given to every splitter) with ``--units``.

Speed is measured on the raw texts of all sets: MB of UTF-8 text per second
and gold sentences per second, the median of several timed runs (a splitter
whose first run takes over ``--slow`` seconds is timed once).

Usage::

    python benchmarks/segmentation.py [--data DIR] [--runs N] [--units]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from _paths import SHARED

from tests.support.segment_eval import (
    Record,
    boundary_offsets,
    final_punctuation_boundaries,
    load_records,
    score_splitter,
)
from translate_cli.segment import sentence_spans, split_sentences

Splitter = Callable[[str], Sequence[str]]
DEFAULT_DATA = SHARED / "data" / "segmentation"
UD_FOLDER = "ud-train"
NOT_INSTALLED = "not installed"
_NAIVE = re.compile(r"(?<=[.!?])\s+")


def naive_split(text: str) -> list[str]:
    """The baseline: a break after every ``.``, ``!`` or ``?`` followed by whitespace."""
    return [s for s in _NAIVE.split(text) if s.strip()]


def _spacy_senter() -> Splitter:
    import spacy

    others = ["tok2vec", "morphologizer", "parser", "attribute_ruler", "lemmatizer", "ner"]
    nlp = spacy.load("fr_core_news_sm", exclude=others)
    if "senter" in nlp.disabled:
        nlp.enable_pipe("senter")
    nlp.max_length = 10_000_000
    return lambda text: [s.text_with_ws for s in nlp(text).sents]


def _choppa_srx() -> Splitter:
    from choppa import DEFAULT_SRX_RULESET, SrxDocument, SrxTextIterator

    document = SrxDocument(ruleset=DEFAULT_SRX_RULESET)
    return lambda text: list(SrxTextIterator(document, "fr_two", text))


def _pysbd() -> Splitter:
    import pysbd

    return pysbd.Segmenter(language="fr", clean=False).segment


def _moses() -> Splitter:
    from sentence_splitter import SentenceSplitter

    return SentenceSplitter(language="fr").split


def _blingfire() -> Splitter:
    import blingfire

    return lambda text: blingfire.text_to_sentences(text).split("\n")


def _nupunkt() -> Splitter:
    import nupunkt

    return nupunkt.sent_tokenize


PEERS: dict[str, Callable[[], Splitter]] = {
    "pysbd (fr)": _pysbd,
    "sentence-splitter (fr)": _moses,
    "nupunkt": _nupunkt,
    "blingfire": _blingfire,
    "spaCy fr_core_news_sm senter": _spacy_senter,
    "LanguageTool SRX (choppa-srx, fr)": _choppa_srx,
}


def peers() -> tuple[dict[str, Splitter | None], list[str]]:
    """The splitters to compare (``None`` for a peer that cannot be loaded), and why not."""
    found: dict[str, Splitter | None] = {"translate_cli.segment": split_sentences}
    missing: list[str] = []
    for name, load in PEERS.items():
        try:
            found[name] = load()
        except (ImportError, OSError) as error:  # OSError: a spaCy model that is absent
            found[name] = None
            missing.append(f"{name}: {error}")
    found["naive regex [.!?] + space"] = naive_split
    return found, missing


def memoised(split: Splitter) -> Splitter:
    """The same splitter, remembering its answer per text: every set is scored twice or more."""
    cache: dict[str, Sequence[str]] = {}

    def cached(text: str) -> Sequence[str]:
        if text not in cache:
            cache[text] = split(text)
        return cache[text]

    return cached


def load_sets(data: Path) -> dict[str, list[Record]]:
    """Every scored set by name: WMT files, ud-train files, and multi-genre files by genre."""
    sets: dict[str, list[Record]] = {}
    for pattern, folder in (("*.paragraphs.jsonl", data), ("*.train.jsonl", data / UD_FOLDER)):
        records = load_records(folder, pattern)
        for source in dict.fromkeys(r.source for r in records):
            members = [r for r in records if r.source == source]
            genres = list(dict.fromkeys(r.genre for r in members))
            label = f"{source} ({genres[0]})" if len(genres) == 1 and genres[0] else source
            sets[label] = members
            if len(genres) > 1:
                for genre in genres:
                    sets[f"{source} / {genre}"] = [r for r in members if r.genre == genre]
    return sets


def time_splitter(
    split: Callable[[str], object], texts: Sequence[str], runs: int, slow: float
) -> float:
    """Median wall time, in seconds, of splitting every text once."""
    timings: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        for text in texts:
            split(text)
        timings.append(time.perf_counter() - started)
        if timings[0] > slow:
            break
    return statistics.median(timings)


def _gold(record: Record, punctuated: bool) -> set[int]:
    gold = boundary_offsets(record.sentences)
    return final_punctuation_boundaries(record.text, gold) if punctuated else gold


def _table(
    title: str,
    sets: dict[str, list[Record]],
    splitters: dict[str, Splitter | None],
    score: Callable[[Splitter, list[Record]], float],
    punctuated: bool,
) -> None:
    names = list(splitters)
    print(f"\n{title}\n")
    print("| set | boundaries | " + " | ".join(names) + " |")
    print("|---|---:|" + "---:|" * len(names))
    for label, records in sets.items():
        cells = []
        for split in splitters.values():
            cells.append(NOT_INSTALLED if split is None else f"{score(split, records):.4f}")
        boundaries = sum(len(_gold(r, punctuated)) for r in records)
        print(f"| {label} | {boundaries} | " + " | ".join(cells) + " |")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the tables; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="segmentation folder")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per splitter")
    parser.add_argument("--slow", type=float, default=10.0, help="time once above this (s)")
    parser.add_argument("--units", action="store_true", help="add the WMT units protocol")
    args = parser.parse_args(argv)

    sets = load_sets(args.data)
    if not sets:
        print(f"no segmentation set under {args.data}", file=sys.stderr)
        return 1
    files = {label: records for label, records in sets.items() if " / " not in label}
    all_records = [r for records in files.values() for r in records]
    texts = [r.text for r in all_records]
    megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    sentences = sum(len(r.sentences) for r in all_records)

    splitters, missing = peers()
    scored = {name: split and memoised(split) for name, split in splitters.items()}
    print(
        f"{len(files)} files, {len(all_records)} paragraphs, {sentences} gold sentences, "
        f"{megabytes:.2f} MB; timing: median of up to {args.runs} runs."
    )
    _table(
        "Raw boundary F1 (all gold boundaries):",
        sets,
        scored,
        lambda split, records: score_splitter(split, records, paragraph_level=False).f1,
        False,
    )
    _table(
        "Boundary F1 after final punctuation (. ! ? …, then closing quotes/brackets):",
        sets,
        scored,
        lambda split, records: (
            score_splitter(split, records, paragraph_level=False, punctuated=True).f1
        ),
        True,
    )
    if args.units:
        wmt = {label: records for label, records in files.items() if "newstest" in label}
        _table(
            "WMT, paragraph-level units given (tests/test_segmentation_data.py):",
            wmt,
            scored,
            lambda split, records: score_splitter(split, records).f1,
            False,
        )

    timed: dict[str, Callable[[str], object] | None] = {
        "translate_cli.segment.sentence_spans": sentence_spans
    }
    timed.update(splitters)
    print("\nSpeed on all sets' raw texts:\n")
    print("| splitter | MB/s | sentences/s |")
    print("|---|---:|---:|")
    for name, split in timed.items():
        if split is None:
            print(f"| {name} | {NOT_INSTALLED} | {NOT_INSTALLED} |")
            continue
        seconds = time_splitter(split, texts, args.runs, args.slow)
        print(f"| {name} | {megabytes / seconds:.2f} | {sentences / seconds:,.0f} |")
    if missing:
        print("\nNot installed:\n" + "\n".join(f"- {line}" for line in missing))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
