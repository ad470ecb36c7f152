"""What the terminology benchmarks share: the data, the glossary, the engines, the machine.

``terminology_mechanisms.py`` (the groundwork that compared mechanisms before
one was wired) and ``terminology.py`` (the library's mechanism, through
:func:`translate_cli.align.align`) read the same articles and glossary and run
the same four engines:

    transformers    the committed copy model (``tests/fixtures/copy-marian``:
                    output = input within its vocabulary) on transformers
    ctranslate2     the same model on CTranslate2 (float32, converted once into
                    ``$TRANSLATE_CACHE_DIR``)
    fake-identity   ``tests.fakes.FakeEngine`` returning its input unchanged
    fake-upper      ``tests.fakes.FakeEngine`` as the tests use it: upper case

The fakes cannot align, so nothing is put back on them; they translate in
microseconds, so what a run with a glossary costs more on them is the
glossary's own work.
"""

from __future__ import annotations

import datetime
import os
import platform
import tempfile
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from _paths import ROOT, SHARED

from tests.fakes import FakeEngine
from translate_cli.document import Hypothesis

ARTICLES = SHARED / "data" / "articles"
GLOSSARY = ROOT / "benchmarks" / "data" / "terminology-glossary.tsv"
COPY_MODEL = ROOT / "tests" / "fixtures" / "copy-marian"
ENGINES = ("transformers", "ctranslate2", "fake-identity", "fake-upper")
# Library versions worth printing with a result (the distribution names).
VERSIONS = ("translate-cli", "simplemma", "torch", "transformers", "ctranslate2", "sentencepiece")
# /proc/cpuinfo flags that decide CTranslate2's and torch's CPU kernels.
CPU_FLAGS = ("avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8")


class IdentityEngine(FakeEngine):
    """The test fake, returning its input unchanged instead of upper-cased."""

    def _hypothesis(self, text: str) -> Hypothesis:
        return Hypothesis(text, -0.25)


def articles_missing() -> str | None:
    """Why the benchmark cannot run here (no ``../shared/data/articles``), or None."""
    if ARTICLES.is_dir():
        return None
    return f"skipped: {ARTICLES} not found (../shared sits beside dev checkouts only)"


def private_cache() -> None:
    """Point the translate-cli cache (CTranslate2 conversions) at a fresh temporary folder.

    Leaves ``TRANSLATE_CACHE_DIR`` alone when it is already set.
    """
    os.environ.setdefault("TRANSLATE_CACHE_DIR", tempfile.mkdtemp(prefix="terminology-bench-"))


def load_engines(names: Sequence[str], threads: int, model: str = "") -> dict[str, Any]:
    """The engines named (see the module doc), by name, in the order given.

    Args:
        names: Among :data:`ENGINES`.
        threads: CPU threads for the model's engines, 0 for their default.
        model: The Marian model the ``transformers`` and ``ctranslate2``
            engines load (hub id or folder, as ``--model``); the copy model
            (greedy, float32) when empty, else the model with its own beams
            and the engine's default compute type.

    Raises:
        SystemExit: An unknown name.
    """
    engines: dict[str, Any] = {}
    for name in names:
        if name not in ENGINES:
            raise SystemExit(f"unknown engine {name!r}; choose among {', '.join(ENGINES)}")
        if name == "fake-identity":
            engines[name] = IdentityEngine()
        elif name == "fake-upper":
            engines[name] = FakeEngine()
        else:
            from translate_cli import Settings, load_engine

            if model:
                settings = Settings(model=model, engine=name, threads=threads)
            else:
                settings = Settings(
                    model=str(COPY_MODEL),
                    engine=name,
                    beams=1,
                    threads=threads,
                    compute_type="float32",
                )
            engines[name] = load_engine(settings)
    return engines


def pct(part: int | float, whole: int | float) -> str:
    """``part`` as a percentage of ``whole``, one decimal; ``–`` when ``whole`` is 0."""
    return f"{100 * part / whole:.1f} %" if whole else "–"


def machine_lines(threads: int) -> list[str]:
    """The CPU (model, usable cores, kernel flags), the date, Python and library versions."""
    cpu = platform.processor() or "unknown CPU"
    flags: set[str] = set()
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
            elif line.startswith("flags") and not flags:
                flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    shown = ", ".join(f"{f} {'yes' if f in flags else 'no'}" for f in CPU_FLAGS) if flags else ""
    versions = []
    for name in VERSIONS:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    date = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = " / ".join(f"{v:.2f}" for v in os.getloadavg())
    return [
        f"Machine: {cpu}, {cores} cores usable, flags: {shown or 'unknown'}; "
        f"threads={threads or 'default'}; load average {load}",
        f"Date: {date}; Python {platform.python_version()}; {', '.join(versions)}",
    ]
