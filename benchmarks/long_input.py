"""Time and memory of the pipeline on one huge unpunctuated paragraph.

A 1 MB and a 2 MB paragraph with no punctuation (the worst case for the
clause cutter) go through reading, splitting, cutting to the model's input
limit with the real Marian tokenizer, and the TSV/JSONL/TMX writers. The
engine's generate() is replaced by an identity so the figures isolate the
tool's own work; generation cost is linear in the number of pieces anyway.

    python benchmarks/long_input.py
"""

from __future__ import annotations

import io
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from _paths import ROOT

from tests.support.offline_models import build_tiny_random
from translate_cli import Settings, load_engine
from translate_cli.align import align
from translate_cli.document import Hypothesis, document_from_text
from translate_cli.provenance import engine_meta
from translate_cli.translator import Translator
from translate_cli.writers import get_writer


def paragraph(n_bytes: int) -> str:
    words, size, i = [], 0, 0
    while size < n_bytes:
        word = f"mot{i % 4999}"
        words.append(word)
        size += len(word) + 1
        i += 1
    return " ".join(words)


def run_once(engine, text: str) -> tuple[float, float, int]:
    tracemalloc.start()
    start = time.perf_counter()
    result = align(document_from_text(text), Translator(engine, 4096), engine_meta(engine))
    for fmt in ("tsv", "jsonl", "tmx"):
        writer = get_writer(fmt)
        writer.write([result], *[io.StringIO() for _ in writer.suffixes])
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return seconds, peak / 2**20, len(engine.pieces)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        texts = [line for p in sorted((ROOT / "samples").glob("*.txt")) for line in p.open()]
        model = build_tiny_random(Path(tmp) / "m", texts=texts, max_new_tokens=4)
        engine = load_engine(Settings(model=str(model), engine="transformers"))
        engine.pieces = []

        def identity(batch):
            engine.pieces.extend(batch)
            return [Hypothesis(t, -0.1) for t in batch]

        engine.translate_batch = identity
        rows = []
        for mb in (1, 2):
            text = paragraph(mb * 2**20)
            runs = []
            for _ in range(3):
                engine.pieces = []
                runs.append(run_once(engine, text))
            rows.append(
                (mb, statistics.median(r[0] for r in runs), max(r[1] for r in runs), runs[0][2])
            )
    print(f"python {sys.version.split()[0]}, model input limit {engine.max_input_tokens} tokens")
    print("| paragraph | seconds (median of 3) | peak Python memory MB | distinct pieces |")
    print("|---|---:|---:|---:|")
    for mb, sec, peak, pieces in rows:
        print(f"| {mb} MB | {sec:.2f} | {peak:.0f} | {pieces} |")
    print(f"time ratio 2 MB / 1 MB: {rows[1][1] / rows[0][1]:.2f} (linear = 2.0)")


if __name__ == "__main__":
    main()
