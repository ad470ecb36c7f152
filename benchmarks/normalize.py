"""Cost of OPUS-MT input normalisation (engines/normalize.py) on the 300 news sentences.

Times, in fresh processes: the first normalisation (importing the module and
compiling its tables), and, for comparison, importing sacremoses, which the
module avoids. Then normalising the 300 unique sentences of
``../shared/data/articles`` (what ``benchmarks/throughput.py`` translates)
through the engines' preparer, first time and cached (the second call, as
``translate_batch`` makes after ``count_tokens``). Medians of 7 runs; compare
with the CLI rows of the throughput table (about 10 s for the same sentences
with CTranslate2).

    python benchmarks/normalize.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

import _paths  # puts the checkout first on sys.path
from throughput import french_sentences

from translate_cli.engines.normalize import opus_mt_normalize, source_preparer

RUNS = 7


FIRST = (
    "from translate_cli.engines.normalize import opus_mt_normalize; "
    "opus_mt_normalize('L’armée a dit «\u00a0non\u00a0».')"
)


def fresh_seconds(statement: str) -> float:
    """``statement`` in a fresh interpreter (checkout first on sys.path), median of RUNS."""
    code = (
        f"import sys, time; sys.path.insert(0, {str(_paths.ROOT)!r}); "
        f"t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    )
    times = [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout)
        for _ in range(RUNS)
    ]
    return statistics.median(times)


def main() -> None:
    sentences = french_sentences(300)
    opus_mt_normalize("Échauffement.")  # the import, timed separately
    cold, warm = [], []
    for _ in range(RUNS):
        prepare = source_preparer(True)
        start = time.perf_counter()
        prepare(sentences)
        cold.append(time.perf_counter() - start)
        start = time.perf_counter()
        prepare(sentences)
        warm.append(time.perf_counter() - start)
    changed = sum(a != b for a, b in zip(sentences, source_preparer(True)(sentences), strict=True))
    chars = sum(map(len, sentences))
    print(f"{len(sentences)} sentences, {chars} characters, {changed} changed by normalisation")
    print(f"first normalisation (fresh process): {fresh_seconds(FIRST) * 1000:.1f} ms")
    print(
        f"import sacremoses (fresh process):   {fresh_seconds('import sacremoses') * 1000:.1f} ms"
    )
    print(f"normalise, first time:               {statistics.median(cold) * 1000:.1f} ms")
    print(f"normalise, cached (second call):     {statistics.median(warm) * 1000:.2f} ms")


if __name__ == "__main__":
    main()
