"""Benchmark French sentence splitters on the shared WMT segmentation set.

Scores ``translate_cli.segment.split_sentences`` and every installed peer
(``pip install -e '.[bench]'``: pysbd, sentence-splitter, blingfire, nupunkt)
plus a naive regex, and prints a markdown table:

* precision, recall and F1 of inner sentence boundaries on all records, with
  the paragraph-level boundaries (headlines and sub-headings flattened into
  the newstest2014 articles) given to every splitter, as the pipeline's
  document stage gives them (see :mod:`tests.support.segment_eval`);
* F1 on newstest2013 alone, scored raw (real paragraphs, 1785 boundaries),
  and F1 on all records scored raw, for comparison with other reports;
* throughput on the raw record texts: gold sentences per second and MB of
  UTF-8 text per second, the median of several timed runs.

Usage::

    python benchmarks/segmentation.py [--data DIR] [--runs N]
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

from tests.support.segment_eval import Record, load_records, score_splitter
from translate_cli.segment import split_sentences

Splitter = Callable[[str], Sequence[str]]
DEFAULT_DATA = SHARED / "data" / "segmentation"
_NAIVE = re.compile(r"(?<=[.!?])\s+")


def naive_split(text: str) -> list[str]:
    """The baseline: a break after every ``.``, ``!`` or ``?`` followed by whitespace."""
    return [s for s in _NAIVE.split(text) if s.strip()]


def peers() -> tuple[dict[str, Splitter], list[str]]:
    """The splitters to compare, and a note for each peer that is not installed."""
    found: dict[str, Splitter] = {"translate_cli.segment": split_sentences}
    missing: list[str] = []
    try:
        import pysbd

        segmenter = pysbd.Segmenter(language="fr", clean=False)
        found["pysbd (fr)"] = segmenter.segment
    except ImportError:
        missing.append("pysbd")
    try:
        from sentence_splitter import SentenceSplitter

        found["sentence-splitter (fr)"] = SentenceSplitter(language="fr").split
    except ImportError:
        missing.append("sentence-splitter")
    try:
        import blingfire

        found["blingfire"] = lambda text: blingfire.text_to_sentences(text).split("\n")
    except ImportError:
        missing.append("blingfire")
    try:
        import nupunkt

        found["nupunkt"] = nupunkt.sent_tokenize
    except ImportError:
        missing.append("nupunkt")
    found["naive regex [.!?] + space"] = naive_split
    return found, missing


def time_splitter(split: Splitter, texts: Sequence[str], runs: int) -> float:
    """Median wall time, in seconds, of splitting every text once."""
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        for text in texts:
            split(text)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the table; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="segmentation set")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per splitter")
    args = parser.parse_args(argv)

    records: list[Record] = load_records(args.data)
    if not records:
        print(f"no *.paragraphs.jsonl under {args.data}", file=sys.stderr)
        return 1
    texts = [r.text for r in records]
    megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    sentences = sum(len(r.sentences) for r in records)
    boundaries = sum(len(r.sentences) - 1 for r in records)
    nt2013 = [r for r in records if r.source == "newstest2013"]

    splitters, missing = peers()
    print(
        f"{len(records)} paragraphs, {sentences} gold sentences, {boundaries} inner "
        f"boundaries, {megabytes:.2f} MB; timing: median of {args.runs} runs.\n"
    )
    print(
        "| splitter | precision | recall | F1 | F1 newstest2013 raw | F1 all raw "
        "| sentences/s | MB/s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, split in splitters.items():
        score = score_splitter(split, records)
        raw_2013 = score_splitter(split, nt2013, paragraph_level=False).f1 if nt2013 else None
        raw_all = score_splitter(split, records, paragraph_level=False).f1
        seconds = time_splitter(split, texts, args.runs)
        raw_2013_cell = f"{raw_2013:.4f}" if raw_2013 is not None else "n/a"
        print(
            f"| {name} | {score.precision:.4f} | {score.recall:.4f} | {score.f1:.4f} "
            f"| {raw_2013_cell} | {raw_all:.4f} | {sentences / seconds:,.0f} "
            f"| {megabytes / seconds:.2f} |"
        )
    if missing:
        print(f"\nNot installed (pip install -e '.[bench]'): {', '.join(missing)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
