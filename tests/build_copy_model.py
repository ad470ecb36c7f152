"""Rebuild ``tests/fixtures/copy-marian``, the tiny Marian model that copies French.

Alignment tests translate with this model because its target should equal its
source: a row whose target is another row's source exposes a batching, dedup or
order-restoration bug at once. The model is committed (1.9 MB), so tests
never train it; run this script only to change it::

    python tests/build_copy_model.py

It trains on ``samples/*.txt`` and ``tests/fixtures/copy_corpus.fr.txt``,
keeps every tenth corpus line out of training, and prints how well those unseen
sentences copy. Training runs on one thread by default: the weights then depend
only on the torch build, not on the core count, and a busy machine does not stall
the threads waiting for each other. Training takes about ten minutes.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.offline_models import evaluate_copy, train_copy_model  # noqa: E402

CORPUS = ROOT / "tests" / "fixtures" / "copy_corpus.fr.txt"
OUT = ROOT / "tests" / "fixtures" / "copy-marian"
HELD_OUT_EVERY = 10
STEPS = 2500
SEED = 0
MAX_BYTES = 2_000_000

# Good enough for training text: a wrong split only gives two shorter examples.
SENTENCE_END = re.compile(r"(?<=[.!?»\"])\s+(?=[A-ZÀ-Ý«\"])")


def split_corpus() -> tuple[list[str], list[str]]:
    """Return the training sentences and the held-out ones."""
    lines = [line.strip() for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line]
    held_out = lines[HELD_OUT_EVERY - 1 :: HELD_OUT_EVERY]
    train = [line for i, line in enumerate(lines) if (i + 1) % HELD_OUT_EVERY]
    for sample in sorted((ROOT / "samples").glob("*.txt")):
        for block in re.split(r"\n\s*\n", sample.read_text(encoding="utf-8")):
            train += [s for s in SENTENCE_END.split(" ".join(block.split())) if s]
    return train, held_out


def main(argv: list[str] | None = None) -> int:
    """Train, check the size, report held-out accuracy, then replace ``OUT``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=STEPS)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default: 1)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(args.threads)
    train, held_out = split_corpus()
    print(f"{len(train)} training sentences, {len(held_out)} held out")
    with tempfile.TemporaryDirectory() as tmp:
        built = Path(tmp) / "copy-marian"
        started = time.monotonic()
        train_copy_model(built, texts=train, steps=args.steps, seed=SEED, log=print)
        print(f"trained in {time.monotonic() - started:.0f}s")
        size = sum(path.stat().st_size for path in built.iterdir())
        if size > MAX_BYTES:
            print(f"error: {size} bytes, over the {MAX_BYTES} limit", file=sys.stderr)
            return 1
        score = evaluate_copy(built, held_out)
        print(
            f"held out: exact match {score.exact_match:.1%}, "
            f"character edit distance {score.edit_ratio:.2%}"
        )
        for source, output in zip(held_out, score.outputs, strict=True):
            if output != " ".join(source.split()):
                print(f"  in:  {source}\n  out: {output}")
        shutil.rmtree(args.out, ignore_errors=True)
        shutil.copytree(built, args.out)
    print(f"wrote {args.out} ({size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
