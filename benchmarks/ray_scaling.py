"""Throughput of ``--runner ray`` with 1…N workers against the local runner, in one run.

Translates the same corpus with :func:`translate_cli.run_paths` (the local
runner) and with :func:`translate_cli.ray_runner.run_paths_ray` at 1, 2, …, N
workers, all in this process, and prints a markdown table of sentences per
second with the ratios to the local runner and to one Ray worker, the
machine (CPU model and kernel flags), the date and the versions.

The work: the random model of opus-mt-fr-en's exact shape that
``benchmarks/throughput.py`` builds (4 beams, every sentence forced to 24 new
tokens; see ``../shared/design/OFFLINE_MODELS.md``), on CTranslate2 with its
conversion cache warm, so translation dominates start-up. The corpus is the
French articles of ``../shared/data/articles`` (``--files``: the first N)
copied ``--copies`` times and cut into ``--inputs`` files of whole
paragraphs (64: the pool gets inputs 8 at a time, so each of N workers needs
several batches); copy *k* ends each sentence with a different
number, so no sentence repeats and no runner saves work by deduplication.
The translation memory is off.

Every run gets the same threads per engine (``--threads``, default 1): the
local runner's one engine and each Ray worker's. Each round runs the local
runner (no Ray cluster beside it), then starts a local cluster, runs 1…N
workers and shuts it down; the table gives each run's median over the
rounds, which evens out a machine whose load changes. ``ray.init()`` is
timed apart and *excluded* from the Ray rows; what they include is what a
run on a started cluster costs: the actor pool's start, each worker loading
its engine, and the driver streaming outcome rows. Ray runs its workers at
niceness 15 (``RAY_worker_niceness``), so on a machine busy with other work
they get less CPU than the local runner; the note under the table gives the
niceness and says whether every run's English files equal the local
runner's.

Usage::

    python benchmarks/ray_scaling.py [--copies 1] [--files 0] [--inputs 64] [--rounds 2]
        [--max-workers N] [--threads 1] [--workdir DIR] [--compute-type auto]

``--max-workers`` defaults to the usable cores divided by ``--threads``.
Needs Ray (``pip install 'translate-cli[ray]'``) and ``../shared`` beside
the repository; without either it says so and exits 0.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from _paths import SHARED
from _terminology import machine_lines

from translate_cli import RunReport, Settings, run_paths, split_sentences
from translate_cli.engines.ct2_cache import cache_root, convert
from translate_cli.engines.ctranslate2_engine import pick_compute_type
from translate_cli.models import resolve_model

ARTICLES = SHARED / "data" / "articles"
# Ray's setting of its workers' niceness (15 unless set).
NICENESS = "RAY_worker_niceness"
_END = re.compile(r"([.!?…»\"”)]*)$")


@dataclass
class Row:
    label: str
    workers: int  # 0 for the local runner
    sentences: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.sentences / self.seconds if self.seconds else 0.0


def build_corpus(folder: Path, copies: int, files: int, inputs: int) -> int:
    """Write the corpus: ``copies`` varied copies of the first ``files`` shared
    French articles (all of them for 0), cut into ``inputs`` files of whole
    paragraphs; returns the file count.

    Copy *k* puts `` (k)`` before each sentence's closing punctuation, so each
    sentence of the corpus is unique. Many small inputs let every worker get
    work: the pool receives inputs in calls of ``docs_per_call`` inputs (8 to 64).
    """
    paragraphs: list[str] = []
    for k in range(1, copies + 1):
        for path in sorted(ARTICLES.glob("*.fr.txt"))[: files or None]:
            for paragraph in path.read_text(encoding="utf-8").split("\n"):
                sentences = split_sentences(paragraph.strip())
                if sentences:
                    paragraphs.append(
                        " ".join(_END.sub(rf" ({k})\1", s, count=1) for s in sentences)
                    )
    folder.mkdir(parents=True)
    count = max(1, min(inputs, len(paragraphs)))
    for i in range(count):
        chunk = paragraphs[i * len(paragraphs) // count : (i + 1) * len(paragraphs) // count]
        (folder / f"part{i:03d}.fr.txt").write_text("\n\n".join(chunk) + "\n", encoding="utf-8")
    return count


def timed(fn: Callable[[], RunReport]) -> tuple[RunReport, float]:
    start = time.perf_counter()
    report = fn()
    return report, time.perf_counter() - start


def english_files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.en.txt"))}


def check(report: RunReport, label: str) -> None:
    failed = [o for o in report.outcomes if o.status != "translated"]
    if failed:
        raise SystemExit(f"{label}: {len(failed)} inputs not translated: {failed[0]}")


def table(rows: list[Row]) -> str:
    local = rows[0]
    one = next((r for r in rows if r.workers == 1), None)
    lines = [
        "| runner | workers | sentences | seconds | sentences/s | × local | × 1 worker "
        "| efficiency (× 1 worker / N) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        vs_local = row.rate / local.rate if local.rate else 0.0
        vs_one = f"{row.rate / one.rate:.2f}" if one and row.workers and one.rate else ""
        eff = f"{row.rate / one.rate / row.workers:.2f}" if one and row.workers and one.rate else ""
        lines.append(
            f"| {row.label} | {row.workers or ''} | {row.sentences} | {row.seconds:.1f} "
            f"| {row.rate:.2f} | {vs_local:.2f} | {vs_one} | {eff} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=1, help="varied copies of the articles")
    parser.add_argument("--files", type=int, default=0, help="articles used, 0 = all 9")
    parser.add_argument("--inputs", type=int, default=64, help="files the corpus is cut into")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of every run (median)")
    parser.add_argument("--threads", type=int, default=1, help="threads of each engine")
    parser.add_argument("--max-workers", type=int, default=0, help="0 = cores / threads")
    parser.add_argument("--workdir", type=Path, help="where throughput.py's model is kept")
    parser.add_argument("--compute-type", default="auto", help="CTranslate2 compute type")
    args = parser.parse_args(argv)

    if not ARTICLES.is_dir():
        print(f"skipped: {ARTICLES} not found (../shared sits beside dev checkouts only)")
        return 0
    from translate_cli.ray_runner import ray_available, run_paths_ray, start_ray

    if not ray_available():
        print("skipped: Ray is not installed (pip install 'translate-cli[ray]')")
        return 0
    from throughput import build_model

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    max_workers = args.max_workers or max(1, (cores or 1) // args.threads)
    texts = [p.read_text(encoding="utf-8") for p in sorted(ARTICLES.glob("*.fr.txt"))]
    model = build_model(
        args.workdir or cache_root() / "bench", [line for t in texts for line in t.splitlines()]
    )
    compute = pick_compute_type(args.compute_type, "cpu")
    convert(resolve_model(str(model)), compute)  # warm the conversion cache: not timed

    tmp = Path(tempfile.mkdtemp(prefix="ray-scaling-"))
    try:
        corpus = tmp / "corpus"
        files = build_corpus(corpus, args.copies, args.files, args.inputs)
        base = Settings(
            model=str(model),
            engine="ctranslate2",
            compute_type=compute,
            threads=args.threads,
            memory="off",
        )
        for line in machine_lines(args.threads):
            print(line)
        print(f"Ray {metadata.version('ray')}; corpus: {files} files; compute type {compute}")
        sys.stdout.flush()

        seconds: dict[int, list[float]] = {}  # workers (0: local) -> seconds per round
        sentences: dict[int, int] = {}
        inits: list[float] = []
        differing: dict[int, set[str]] = {}  # workers -> English files unlike the local's
        shutdowns: list[float] = []
        for _ in range(args.rounds):
            # The local runner runs with no Ray cluster beside it, as a user's would.
            local = base.replace(output_dir=str(tmp / "local"))
            local_out = tmp / "local"
            shutil.rmtree(local_out, ignore_errors=True)
            report, took = timed(lambda s=local: run_paths([corpus], s))
            check(report, "local")
            seconds.setdefault(0, []).append(took)
            sentences[0] = report.counters.sentences
            expected = english_files(local_out)

            import ray

            began = time.perf_counter()
            start_ray()
            inits.append(time.perf_counter() - began)
            try:
                for workers in range(1, max_workers + 1):
                    out = tmp / f"ray-{workers}"
                    shutil.rmtree(out, ignore_errors=True)
                    settings = base.replace(output_dir=str(out), runner="ray", workers=str(workers))
                    report, took = timed(lambda s=settings: run_paths_ray([corpus], s))
                    check(report, f"ray {workers}")
                    got = english_files(out)
                    differ = [name for name in expected if got.get(name) != expected[name]]
                    differing.setdefault(workers, set()).update(differ)
                    seconds.setdefault(workers, []).append(took)
                    sentences[workers] = report.counters.sentences
            finally:
                began = time.perf_counter()
                ray.shutdown()
                shutdowns.append(time.perf_counter() - began)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    rows = [
        Row(
            "local runner" if w == 0 else f"ray, {w} worker{'s' if w > 1 else ''}",
            w,
            sentences[w],
            statistics.median(seconds[w]),
        )
        for w in sorted(seconds)
    ]
    same = (
        "English files of every Ray run equal the local runner's."
        if not any(differing.values())
        else "English files unlike the local runner's: "
        + ", ".join(f"ray {w}: {len(d)} of {files}" for w, d in sorted(differing.items()))
        + " (int8 results depend on how far a sentence's batch pads it; the runners batch"
        " differently)."
    )
    runs = ", ".join(
        f"{'local' if w == 0 else f'ray {w}'}: {' / '.join(f'{x:.1f}' for x in seconds[w])} s"
        for w in sorted(seconds)
    )
    print()
    print(table(rows))
    print()
    print(
        f"Median of {args.rounds} rounds (each: local, then ray.init(), ray 1…{max_workers}, "
        f"ray.shutdown()); per run: {runs}. ray.init() (a local cluster of {cores} CPUs): "
        f"{' / '.join(f'{x:.1f}' for x in inits)} s, excluded from the Ray rows; "
        f"ray.shutdown(): {' / '.join(f'{x:.1f}' for x in shutdowns)} s. "
        f"Ray workers' niceness: {os.environ.get(NICENESS, '15 (Ray default)')}. "
        f"Each engine: {args.threads} thread(s), CTranslate2 {compute}, model {model.name} "
        "(random weights, opus-mt-fr-en's shape, 4 beams, 24 new tokens per sentence). " + same
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
