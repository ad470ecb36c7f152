"""Cost of word alignment (forced decoding) next to translation, in sentences per second.

For each engine, on unique French news sentences and the random model with
opus-mt-fr-en's exact shape that ``benchmarks/throughput.py`` builds (4
beams, 24 new tokens per sentence; see ``../shared/design/OFFLINE_MODELS.md``):

    translate  ``Engine.translate_batch``, length-sorted batches
    align      ``Engine.align_batch`` of each sentence with a 24-piece target,
               same batches

and prints a markdown table with the ratio align / translate. The random
model's attention is noise, so only the timing means anything here; the
alignment quality is tested with the copy model (``tests/test_alignment.py``).

The targets are the French sentences themselves cut to their first 24
pieces, so that forced decoding runs as many decoder steps as translation
does. The engine's own output would not do: the random model writes
``▁dummy00042``-style pieces, whose decoded text SentencePiece splits back
into about ten pieces each (200 pieces a sentence instead of 24).

Usage::

    python benchmarks/alignment.py [--sentences 100] [--threads 0] [--batch 16]
        [--compute-type auto] [--device cpu] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from _paths import SHARED
from throughput import NEW_TOKENS, build_model, french_sentences, machine_line

from translate_cli import Settings, load_engine
from translate_cli.engines.ct2_cache import cache_root
from translate_cli.engines.marian_tokenizer import LeanMarianTokenizer

ARTICLES = SHARED / "data" / "articles"
ENGINES = ("transformers", "ctranslate2")


def batches(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def bench(
    engine_name: str,
    model: Path,
    sentences: list[str],
    targets: list[str],
    batch: int,
    threads: int,
    compute: str,
    device: str,
) -> tuple[str, float, float, float]:
    """Label, seconds to translate ``sentences``, seconds to align them with ``targets``."""
    settings = Settings(
        model=str(model), engine=engine_name, threads=threads, compute_type=compute, device=device
    )
    engine = load_engine(settings)
    order = sorted(range(len(sentences)), key=lambda i: engine.count_tokens([sentences[i]])[0])
    groups = batches([sentences[i] for i in order], batch)
    wanted = batches([targets[i] for i in order], batch)
    engine.translate_batch(groups[0][:2])  # warm-up: first-call allocations
    engine.align_batch(groups[0][:2], wanted[0][:2])
    start = time.perf_counter()
    for group in groups:
        engine.translate_batch(group)
    translate_s = time.perf_counter() - start
    start = time.perf_counter()
    for group, target in zip(groups, wanted, strict=True):
        engine.align_batch(group, target)
    align_s = time.perf_counter() - start
    label = f"{engine_name} ({engine.details.get('compute_type', engine.details['device'])})"
    return label, translate_s, align_s


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", type=int, default=100, help="unique sentences to time")
    parser.add_argument("--batch", type=int, default=16, help="sentences per call")
    parser.add_argument("--threads", type=int, default=0, help="CPU threads, 0 = default")
    parser.add_argument("--compute-type", default="auto", help="CTranslate2 compute type")
    parser.add_argument("--device", default="cpu", help="cpu, cuda or auto")
    parser.add_argument("--workdir", type=Path, help="where the model is built and kept")
    args = parser.parse_args(argv)
    if not ARTICLES.is_dir():
        print(f"skipped: {ARTICLES} not found (../shared sits beside dev checkouts only)")
        return 0
    sentences = french_sentences(args.sentences)
    texts = [p.read_text(encoding="utf-8") for p in sorted(ARTICLES.glob("*.fr.txt"))]
    model = build_model(
        args.workdir or cache_root() / "bench", [line for t in texts for line in t.splitlines()]
    )
    tokenizer = LeanMarianTokenizer(model)
    targets = [tokenizer.decode(tokenizer.encode(s)[:NEW_TOKENS]) for s in sentences]
    print(machine_line(args.threads))
    print()
    print("| engine | sentences | translate (sent./s) | align (sent./s) | align / translate time |")
    print("|---|---:|---:|---:|---:|")
    for name in ENGINES:
        label, translate_s, align_s = bench(
            name,
            model,
            sentences,
            targets,
            args.batch,
            args.threads,
            args.compute_type,
            args.device,
        )
        n = len(sentences)
        print(
            f"| {label} | {n} | {n / translate_s:.2f} | {n / align_s:.2f} "
            f"| {align_s / translate_s:.2f} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
