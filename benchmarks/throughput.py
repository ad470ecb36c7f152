"""Throughput of the ways to run opus-mt-fr-en, in sentences per second.

Runs, in one go, on about 300 unique French news sentences and a random model
with opus-mt-fr-en's exact shape (4 beams, every sentence forced to 24 new
tokens, so every engine does the same work; see
``../shared/design/OFFLINE_MODELS.md``):

    a. transformers, one sentence per ``generate()`` call (a subset, per sentence)
    b. transformers, length-sorted batches of 16
    c. ``translate FILE --engine transformers`` as a subprocess, start-up and
       model load included
    d. ``translate FILE --engine ctranslate2``, conversion cache warm
    e. raw CTranslate2, ``max_batch_size=16``, on pre-tokenized input
    f. ``translate`` with ctranslate2 on the text with every paragraph twice
       (rate per input sentence: the repeats are translated once)

and prints a markdown table with the ratio to (a), the machine, and the peak
resident memory of the CLI runs (``/usr/bin/time -v``, else ``wait4``).

Usage::

    python benchmarks/throughput.py [--sentences 300] [--threads 0] [--quick]
        [--repeat 1] [--workdir DIR] [--profile] [--compute-type auto]

Rows d, e and f use one CTranslate2 compute type, ``--compute-type`` as the
engine resolves it on this CPU (``auto``: int8 only where int8 is exact, see
``translate_cli.engines.ctranslate2_engine``). Forcing ``int8`` on a CPU
without VNNI measures garbled translations of the same length, which is
still the same work.

The model (300 MB) is built once under ``--workdir`` (default: the
translate-cli cache folder, ``$TRANSLATE_CACHE_DIR`` or the user cache dir,
``/bench``) and reused. The sentences come from ``../shared/data/articles``
beside the repository; without it the benchmark says so and exits.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import platform
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from _paths import ROOT, SHARED

from translate_cli import split_sentences
from translate_cli.engines.ct2_cache import cache_root, convert
from translate_cli.engines.ctranslate2_engine import ct2_options, pick_compute_type
from translate_cli.engines.marian_files import read_generation
from translate_cli.engines.marian_tokenizer import LeanMarianTokenizer
from translate_cli.models import resolve_model

ARTICLES = SHARED / "data" / "articles"

NEW_TOKENS = 24
BEAMS = 4
BATCH = 16
MODEL_NAME = f"opus-mt-fr-en-shaped-b{BEAMS}-t{NEW_TOKENS}"
TIME = Path("/usr/bin/time")


@dataclass
class Row:
    label: str
    sentences: int
    seconds: float
    peak_rss_mb: float | None = None

    @property
    def rate(self) -> float:
        return self.sentences / self.seconds if self.seconds else 0.0


def french_sentences(limit: int) -> list[str]:
    """Unique sentences of the shared news articles, in file order."""
    seen: dict[str, None] = {}
    for path in sorted(ARTICLES.glob("*.fr.txt")):
        for paragraph in path.read_text(encoding="utf-8").split("\n"):
            for sentence in split_sentences(paragraph.strip()):
                sentence = " ".join(sentence.split())
                if len(sentence) > 1:
                    seen.setdefault(sentence, None)
    return list(seen)[:limit]


def build_model(workdir: Path, texts: Sequence[str]) -> Path:
    """The opus-shaped random model, built once (atomically) and reused."""
    from tests.support.offline_models import build_opus_shaped

    model = workdir / MODEL_NAME
    if (model / "config.json").is_file():
        return model
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"building {model} (about 300 MB, once)...", file=sys.stderr)
    staging = Path(tempfile.mkdtemp(prefix=".tmp-", dir=workdir))
    try:
        build_opus_shaped(staging / "m", texts=texts, new_tokens=NEW_TOKENS, num_beams=BEAMS)
        try:
            os.rename(staging / "m", model)
        except OSError:
            if not (model / "config.json").is_file():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return model


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def bench_transformers(model: Path, sentences: list[str], naive: int, threads: int) -> list[Row]:
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    if threads:
        torch.set_num_threads(threads)
    tokenizer = AutoTokenizer.from_pretrained(model)
    hf = AutoModelForSeq2SeqLM.from_pretrained(model).eval()

    @torch.inference_mode()
    def translate(batch: list[str]) -> list[str]:
        inputs = tokenizer(batch, return_tensors="pt", padding=True)
        return tokenizer.batch_decode(hf.generate(**inputs), skip_special_tokens=True)

    translate(sentences[:1])  # warm-up: first-call allocations
    subset = sentences[:naive]
    naive_s = timed(lambda: [translate([s]) for s in subset])
    ordered = sorted(sentences, key=lambda s: len(tokenizer(s).input_ids))
    batched_s = timed(
        lambda: [translate(ordered[i : i + BATCH]) for i in range(0, len(ordered), BATCH)]
    )
    return [
        Row(
            f"a. transformers, 1 sentence per generate() ({len(subset)} sent.)",
            len(subset),
            naive_s,
        ),
        Row(f"b. transformers, length-sorted batches of {BATCH}", len(sentences), batched_s),
    ]


def bench_raw_ct2(model: Path, sentences: list[str], threads: int, compute: str) -> Row:
    """Time (e) in a fresh process: no torch there, so no second OpenMP pool."""
    entry = convert(resolve_model(str(model)), compute)
    with tempfile.TemporaryDirectory() as tmp:
        listing = Path(tmp) / "sentences.txt"
        listing.write_text("\n".join(sentences) + "\n", encoding="utf-8")
        command = [sys.executable, __file__, "--raw-ct2", str(entry), str(listing)]
        done = subprocess.run(
            [*command, "--threads", str(threads), "--compute-type", compute],
            capture_output=True,
            text=True,
            check=True,
        )
    seconds = float(done.stdout.split()[-1])
    label = f"e. raw CTranslate2 {compute}, max_batch_size={BATCH}, pre-tokenized"
    return Row(label, len(sentences), seconds)


def raw_ct2_worker(entry: Path, listing: Path, threads: int, compute: str) -> float:
    """Translate pre-tokenized sentences with a bare ``ctranslate2.Translator``."""
    import ctranslate2

    sentences = listing.read_text(encoding="utf-8").splitlines()
    tokenizer = LeanMarianTokenizer(entry / "hf")
    options = ct2_options(read_generation(entry / "hf"), BEAMS, tokenizer.target_tokens)
    translator = ctranslate2.Translator(
        str(entry), device="cpu", compute_type=compute, intra_threads=threads
    )
    tokens = tokenizer.encode_batch(sentences)
    translator.translate_batch(tokens[:2], **options)  # warm-up
    return timed(lambda: translator.translate_batch(tokens, max_batch_size=BATCH, **options))


def _peak_rss_mb(report: Path) -> float | None:
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", report.read_text())
    return int(match.group(1)) / 1024 if match else None


def run_cli(args: list[str], env: dict[str, str]) -> tuple[float, int, float | None, str]:
    """Run ``translate`` once: wall seconds, sentences read, peak RSS (MB), stderr."""
    command = [sys.executable, "-m", "translate_cli", *args]
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "time.txt"
        if TIME.exists():
            command = [str(TIME), "-v", "-o", str(report), *command]
        start = time.perf_counter()
        proc = subprocess.Popen(command, env=env, cwd=ROOT, stderr=subprocess.PIPE, text=True)
        stderr = proc.stderr.read() if proc.stderr else ""
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise SystemExit(f"translate failed ({proc.returncode}):\n{stderr}")
        # With /usr/bin/time the child is `time` itself; its report has the CLI's peak.
        rss = _peak_rss_mb(report) if TIME.exists() else usage.ru_maxrss / 1024
    match = re.search(r"sentences: (\d+)", stderr)
    return seconds, int(match.group(1)) if match else 0, rss, stderr


def bench_cli(
    label: str,
    text_file: Path,
    engine: str,
    model: Path,
    threads: int,
    repeat: int,
    env: dict[str, str],
    compute: str = "auto",
) -> Row:
    runs = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as out:
            args = [str(text_file), "--engine", engine, "--model", str(model), "-o", out]
            args += ["--compute-type", compute]
            runs.append(run_cli([*args, "--threads", str(threads)], env))
    seconds = statistics.median(r[0] for r in runs)
    rss = max((r[2] for r in runs if r[2] is not None), default=None)
    return Row(label, runs[0][1], seconds, rss)


def profile_cli(text_file: Path, model: Path, threads: int, env: dict[str, str]) -> str:
    """cProfile of ``translate --engine ctranslate2``, top functions by cumulative time."""
    with tempfile.TemporaryDirectory() as tmp:
        stats_file = Path(tmp) / "cli.prof"
        code = (
            "import sys; from translate_cli.cli import app; "
            "sys.argv = ['translate', *sys.argv[1:]]; app()"
        )
        args = [str(text_file), "--engine", "ctranslate2", "--model", str(model), "-o", tmp]
        subprocess.run(
            [
                sys.executable,
                "-m",
                "cProfile",
                "-o",
                str(stats_file),
                "-c",
                code,
                *args,
                "--threads",
                str(threads),
            ],
            env=env,
            cwd=ROOT,
            check=False,
            capture_output=True,
        )
        if not stats_file.exists():
            # Python < 3.12 has no `cProfile -c`: profile in-process instead.
            from translate_cli.cli import app

            profiler = cProfile.Profile()
            sys.argv = ["translate", *args, "--threads", str(threads)]
            try:
                profiler.runcall(app, standalone_mode=False)
            finally:
                profiler.dump_stats(stats_file)
        buffer = io.StringIO()
        pstats.Stats(str(stats_file), stream=buffer).sort_stats("cumulative").print_stats(30)
        return buffer.getvalue()


def machine_line(threads: int) -> str:
    import ctranslate2
    import torch
    import transformers

    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = " / ".join(f"{v:.2f}" for v in os.getloadavg())
    return (
        f"Machine: {cpu}, {cores} cores usable, Python {platform.python_version()}, "
        f"torch {torch.__version__}, transformers {transformers.__version__}, "
        f"ctranslate2 {ctranslate2.__version__}, threads={threads or 'default'}, "
        f"load average {load}"
    )


def table(rows: list[Row], baseline: Row) -> str:
    lines = [
        "| measurement | sentences | seconds | sentences/s | × naive | peak RSS (MB) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        rss = f"{row.peak_rss_mb:.0f}" if row.peak_rss_mb else ""
        ratio = row.rate / baseline.rate if baseline.rate else 0.0
        lines.append(
            f"| {row.label} | {row.sentences} | {row.seconds:.1f} | {row.rate:.2f} "
            f"| {ratio:.1f} | {rss} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", type=int, default=300, help="unique sentences to time")
    parser.add_argument("--naive", type=int, default=40, help="sentences for the naive loop (a)")
    parser.add_argument("--threads", type=int, default=0, help="CPU threads, 0 = default")
    parser.add_argument("--repeat", type=int, default=1, help="runs per CLI row (median)")
    parser.add_argument("--quick", action="store_true", help="64 sentences, 8 in the naive loop")
    parser.add_argument("--workdir", type=Path, help="where the model is built and kept")
    parser.add_argument("--profile", action="store_true", help="cProfile the ctranslate2 CLI")
    parser.add_argument(
        "--compute-type", default="auto", help="CTranslate2 compute type for rows d, e, f"
    )
    parser.add_argument("--raw-ct2", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.raw_ct2:
        print(f"{raw_ct2_worker(*args.raw_ct2, args.threads, args.compute_type):.3f}")
        return 0
    if args.quick:
        args.sentences, args.naive = min(args.sentences, 64), min(args.naive, 8)

    if not ARTICLES.is_dir():
        print(f"skipped: {ARTICLES} not found (../shared sits beside dev checkouts only)")
        return 0
    sentences = french_sentences(args.sentences)
    if len(sentences) < args.sentences:
        print(f"note: only {len(sentences)} unique sentences in {ARTICLES}", file=sys.stderr)
    workdir = args.workdir or cache_root() / "bench"
    # No translation memory: every CLI run must translate, not recall a previous run.
    env = {**os.environ, "TRANSLATE_MEMORY": "off"}

    vocab_texts = [p.read_text(encoding="utf-8") for p in sorted(ARTICLES.glob("*.fr.txt"))]
    model = build_model(workdir, [line for t in vocab_texts for line in t.splitlines()])
    compute = pick_compute_type(args.compute_type, "cpu")
    start = time.perf_counter()
    entry = convert(resolve_model(str(model)), compute)  # warm the conversion cache
    warm = time.perf_counter() - start
    manifest = (entry / "translate-cli.json").read_text()
    conversion = re.search(r'"conversion_seconds": ([\d.]+)', manifest)

    with tempfile.TemporaryDirectory() as tmp:
        text_file = Path(tmp) / "news.fr.txt"
        text_file.write_text("\n\n".join(sentences) + "\n", encoding="utf-8")
        doubled = Path(tmp) / "news-twice.fr.txt"
        doubled.write_text("\n\n".join(sentences + sentences) + "\n", encoding="utf-8")

        print(machine_line(args.threads))
        rows = bench_transformers(model, sentences, args.naive, args.threads)
        rows.append(
            bench_cli(
                "c. CLI --engine transformers (start-up + load included)",
                text_file,
                "transformers",
                model,
                args.threads,
                args.repeat,
                env,
            )
        )
        rows.append(
            bench_cli(
                "d. CLI --engine ctranslate2 (cache warm, start-up + load included)",
                text_file,
                "ctranslate2",
                model,
                args.threads,
                args.repeat,
                env,
                compute,
            )
        )
        rows.append(bench_raw_ct2(model, sentences, args.threads, compute))
        rows.append(
            bench_cli(
                "f. CLI --engine ctranslate2, every paragraph twice (per input sentence)",
                doubled,
                "ctranslate2",
                model,
                args.threads,
                args.repeat,
                env,
                compute,
            )
        )
        profile = profile_cli(text_file, model, args.threads, env) if args.profile else ""

    print()
    print(table(rows, rows[0]))
    print()
    print(
        f"Model: {MODEL_NAME} (random weights, opus-mt-fr-en's shape), {BEAMS} beams, "
        f"{NEW_TOKENS} new tokens per sentence (the last a forced </s>). "
        f"CTranslate2 conversion ({compute}): {conversion.group(1) if conversion else '?'} s "
        f"when first done; cached at {entry} (this run's conversion or cache check: "
        f"{warm * 1000:.0f} ms)."
    )
    if profile:
        print("\ncProfile of `translate --engine ctranslate2` (cumulative):\n")
        print(profile)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
