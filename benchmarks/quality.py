"""Translation quality of a model through translate-cli: BLEU and chrF, as OPUS-MT reports them.

Translates the French side of ``../shared/data/parallel/flores101-devtest``
(``fra.devtest``, 1012 lines; the English reference is ``eng.devtest``) and of
any aligned pair of files given with ``--pair FR EN``, one line at a time,
through the library path the CLI takes for a line document: each line is a
paragraph, split into sentences by translate-cli's French splitter,
translated (text-free segments copied, symbols protected, over-long
sentences cut) and joined again, so line *i* of the output is the English of
line *i* of the input. ``--whole-lines`` sends each line to the translator
as one segment instead, unsplit, as OPUS-MT's own evaluation does. The
scores are sacrebleu's corpus BLEU and chrF (chrF on sacrebleu's 0–100
scale: the model card's 0.633 is 63.3 here), printed with sacrebleu's
signatures, so figures can be compared with the published ones.

``--compare`` runs several engines on the same model (transformers, then
CTranslate2 int8, int16 and float32) and adds, for each, the share of lines
identical to the transformers engine's (the reference engine) and the speed
(lines per second, the model load left out). A compute type the machine does
not support is listed as not run, with CTranslate2's reason.

COMET is scored when ``unbabel-comet`` is installed and ``--comet-model DIR``
names a downloaded COMET model folder (``checkpoints/model.ckpt`` inside,
e.g. ``Unbabel/wmt22-comet-da``); otherwise the output says why it is skipped.

Usage::

    python benchmarks/quality.py --model Helsinki-NLP/opus-mt-fr-en
    python benchmarks/quality.py --model ./opus-mt-fr-en --compare
    python benchmarks/quality.py --model ./opus-mt-tc-big-fr-en --pair test.fr test.en
    python benchmarks/quality.py --model DIR --limit 100 --comet-model ./wmt22-comet-da

Nothing here can be measured on the machines this project is built on (the
real model cannot be downloaded there); the tests run this script with the
copy model (``tests/fixtures/copy-marian``), whose "translation" is the French
itself, so its BLEU against English is low by design.

Exit codes: 0 scores printed; 2 bad arguments, a missing file, aligned files
whose line counts differ, sacrebleu missing, or nothing to measure; 1 the
model could not be loaded by any engine.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from _paths import SHARED

from translate_cli.config import DEFAULT_MODEL, Settings
from translate_cli.document import Document, decode_bytes, normalise
from translate_cli.engines import Engine
from translate_cli.errors import TranslateError

FLORES = SHARED / "data" / "parallel" / "flores101-devtest"
REFERENCE = ("transformers", "")
COMPARED = (
    REFERENCE,
    ("ctranslate2", "int8"),
    ("ctranslate2", "int16"),
    ("ctranslate2", "float32"),
)
COMET_PACKAGE = "comet"  # the module that unbabel-comet installs


class Refused(Exception):
    """A bad argument or input: one line, exit code 2."""


@dataclass(frozen=True)
class TestSet:
    """Aligned French sources and English references, one segment per line."""

    name: str
    sources: tuple[str, ...]
    references: tuple[str, ...]


@dataclass
class Run:
    """One engine and compute type over every test set."""

    engine: str
    compute_type: str
    error: str = ""
    load_seconds: float = 0.0
    outputs: dict[str, list[str]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    details: dict[str, str] = field(default_factory=dict)
    revision: str = ""

    @property
    def label(self) -> str:
        compute = self.details.get("compute_type") or self.compute_type
        return f"{self.engine} {compute}".strip()


def read_lines(path: Path) -> list[str]:
    """A file's lines as the CLI reads text: encoding detected, CRLF/CR to LF, NFC.

    Raises:
        Refused: The file is missing or unreadable.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise Refused(f"{path}: {exc.strerror or exc}") from None
    try:
        text = normalise(decode_bytes(data, str(path)).text)
    except TranslateError as exc:
        raise Refused(str(exc)) from None
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def load_pair(name: str, french: Path, english: Path, limit: int | None) -> TestSet:
    """Two aligned files as a test set (the first ``limit`` lines).

    Raises:
        Refused: A file is missing, or the two hold different numbers of lines.
    """
    sources, references = read_lines(french), read_lines(english)
    if len(sources) != len(references):
        raise Refused(
            f"{french} has {len(sources)} lines but {english} has {len(references)}: "
            "the files must be aligned line by line"
        )
    if limit is not None:
        sources, references = sources[:limit], references[:limit]
    return TestSet(name, tuple(sources), tuple(references))


def test_sets(args: argparse.Namespace) -> tuple[list[TestSet], list[str]]:
    """The test sets asked for, and notes on those left out."""
    sets: list[TestSet] = []
    notes: list[str] = []
    if not args.no_flores:
        if (FLORES / "fra.devtest").is_file():
            sets.append(
                load_pair(
                    "flores101-devtest", FLORES / "fra.devtest", FLORES / "eng.devtest", args.limit
                )
            )
        else:
            notes.append(f"flores101-devtest skipped: {FLORES} not found")
    for french, english in args.pair or ():
        sets.append(load_pair(Path(french).name, Path(french), Path(english), args.limit))
    if not sets:
        raise Refused(
            "nothing to measure: "
            + "; ".join(notes or ["--no-flores and no --pair"])
            + "; give --pair FR EN"
        )
    return sets, notes


def translate_lines(
    lines: Sequence[str], settings: Settings, engine: Engine, whole: bool
) -> list[str]:
    """English of each line, through the library, one output per line.

    Args:
        lines: French lines.
        settings: Run settings (batch budget).
        engine: A loaded engine (:func:`translate_cli.engines.load_engine`).
        whole: Send each line as one segment, unsplit (``Translator.translate``);
            otherwise each line is a paragraph of a document, as the CLI
            treats a line of a text file, and its sentences' English is joined.
    """
    from translate_cli.runner import translate_document
    from translate_cli.translator import Translator

    if whole:
        translator = Translator(engine, settings.batch_tokens)
        outputs = [t.hypothesis.text for t in translator.translate(list(lines))]
    else:
        document = Document("<lines>", tuple(lines), "\n")
        outputs = translate_document(document, settings, engine).paragraph_targets()
    if len(outputs) != len(lines):  # pragma: no cover - the library keeps one per paragraph
        raise RuntimeError(f"{len(lines)} lines in, {len(outputs)} out")
    return outputs


def run_engine(settings: Settings, sets: Sequence[TestSet], whole: bool, log: bool) -> Run:
    """Load one engine and translate every test set with it."""
    from translate_cli.engines import load_engine

    run = Run(settings.engine, "" if settings.engine == "transformers" else settings.compute_type)
    start = time.perf_counter()
    try:
        engine = load_engine(settings)
    except TranslateError as exc:
        run.error = str(exc)
        return run
    run.load_seconds = time.perf_counter() - start
    run.engine = engine.name  # ``auto`` resolved
    run.details = dict(engine.details)
    run.revision = engine.revision
    for test in sets:
        if log:
            print(f"translating {test.name} with {run.label}...", file=sys.stderr)
        start = time.perf_counter()
        run.outputs[test.name] = translate_lines(test.sources, settings, engine, whole)
        run.seconds[test.name] = time.perf_counter() - start
    return run


def comet_status(model: Path | None) -> str | None:
    """Why COMET cannot be scored, or None when it can."""
    if importlib.util.find_spec(COMET_PACKAGE) is None:
        return "unbabel-comet is not installed (pip install unbabel-comet)"
    if model is None:
        return "no local COMET model: give --comet-model DIR (a downloaded Unbabel/wmt22-comet-da)"
    if not (model / "checkpoints" / "model.ckpt").is_file():
        return f"{model}: no checkpoints/model.ckpt in it"
    return None


def comet_scores(
    model: Path, test: TestSet, runs: Sequence[Run], threads: int
) -> dict[str, float]:  # pragma: no cover - unbabel-comet is not installed where tests run
    """System-level COMET of each run on one test set."""
    from comet import load_from_checkpoint

    scorer = load_from_checkpoint(str(model / "checkpoints" / "model.ckpt"))
    scores = {}
    for run in runs:
        data = [
            {"src": s, "mt": m, "ref": r}
            for s, m, r in zip(test.sources, run.outputs[test.name], test.references, strict=True)
        ]
        result = scorer.predict(data, batch_size=32, gpus=0, num_workers=max(1, threads))
        scores[run.label] = float(result.system_score)
    return scores


def table(
    test: TestSet,
    runs: Sequence[Run],
    comet: dict[str, float] | None,
) -> tuple[str, str, str]:
    """The markdown table of one test set, and the BLEU and chrF signatures."""
    from sacrebleu.metrics import BLEU, CHRF

    bleu, chrf = BLEU(), CHRF()
    reference = next((r for r in runs if r.engine == REFERENCE[0] and not r.error), None)
    compared = len(runs) > 1
    head = ["engine", "BLEU", "chrF"]
    head += ["COMET"] if comet is not None else []
    head += ["identical to transformers"] if compared else []
    head += ["lines", "seconds", "lines/s", "load s"]
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    for run in runs:
        if run.error:
            cells = [run.label, f"not run: {run.error}"] + [""] * (len(head) - 2)
            lines.append("| " + " | ".join(cells) + " |")
            continue
        outputs = run.outputs[test.name]
        refs = [list(test.references)]
        cells = [
            run.label,
            f"{bleu.corpus_score(outputs, refs).score:.1f}",
            f"{chrf.corpus_score(outputs, refs).score:.1f}",
        ]
        if comet is not None:
            cells.append(f"{comet[run.label]:.4f}")
        if compared:
            if reference is None:
                cells.append("")
            else:
                theirs = reference.outputs[test.name]
                same = sum(a == b for a, b in zip(outputs, theirs, strict=True))
                cells.append(f"{same / max(1, len(outputs)):.1%}")
        seconds = run.seconds[test.name]
        rate = len(outputs) / seconds if seconds else 0.0
        cells += [str(len(outputs)), f"{seconds:.1f}", f"{rate:.2f}", f"{run.load_seconds:.1f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines), str(bleu.get_signature()), str(chrf.get_signature())


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=DEFAULT_MODEL, help="hub id or local model folder")
    parser.add_argument("--revision", help="hub branch, tag or commit")
    parser.add_argument("--engine", default="auto", help="engine without --compare")
    parser.add_argument(
        "--compute-type", default="auto", help="CTranslate2 compute type without --compare"
    )
    parser.add_argument(
        "--compare",
        action="store_true",
        help="transformers and CTranslate2 int8, int16, float32 on the same model",
    )
    parser.add_argument(
        "--pair",
        nargs=2,
        action="append",
        metavar=("FR", "EN"),
        help="an aligned pair of files to score too (repeatable)",
    )
    parser.add_argument("--no-flores", action="store_true", help="leave flores101-devtest out")
    parser.add_argument("--limit", type=int, help="score the first N lines of each test set")
    parser.add_argument(
        "--whole-lines", action="store_true", help="send each line as one segment, unsplit"
    )
    parser.add_argument("--beams", type=int, help="beam size (default: the model's)")
    parser.add_argument("--batch-tokens", type=int, default=1024, help="tokens per batch")
    parser.add_argument("--threads", type=int, default=0, help="CPU threads, 0 = default")
    parser.add_argument("--device", default="auto", help="auto, cpu or cuda")
    parser.add_argument("--comet-model", type=Path, help="a local COMET model folder")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    args = parser.parse_args(argv)
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    try:
        if importlib.util.find_spec("sacrebleu") is None:
            raise Refused("sacrebleu is not installed: pip install 'translate-cli[quality]'")
        sets, notes = test_sets(args)
        base = Settings(
            model=args.model,
            revision=args.revision,
            device=args.device,
            beams=args.beams,
            batch_tokens=args.batch_tokens,
            threads=args.threads,
            memory="off",
        )
        variants = COMPARED if args.compare else ((args.engine, args.compute_type),)
        # Settings check each value when built: a bad engine or compute type is refused here.
        settings = [
            dataclasses.replace(base, engine=e, compute_type=c or "auto") for e, c in variants
        ]
    except (Refused, TranslateError) as exc:
        print(f"quality: {exc}", file=sys.stderr)
        return 2
    runs = [run_engine(s, sets, args.whole_lines, not args.quiet) for s in settings]
    loaded = [r for r in runs if not r.error]
    if not loaded:
        for run in runs:
            print(f"quality: {run.label}: {run.error}", file=sys.stderr)
        return 1

    from throughput import machine_line

    print(
        f"Model: {args.model} (revision {loaded[0].revision}); "
        f"{'each line one segment' if args.whole_lines else 'lines split into sentences'}; "
        f"beams {args.beams or 'from the model'}; device {loaded[0].details.get('device', '?')}"
    )
    print(machine_line(args.threads))
    for note in notes:
        print(note)
    comet_reason = comet_status(args.comet_model)
    for test in sets:
        comet = (
            None
            if comet_reason or args.comet_model is None
            else comet_scores(args.comet_model, test, loaded, args.threads)
        )
        rows, bleu_signature, chrf_signature = table(test, runs, comet)
        print(f"\n## {test.name} ({len(test.sources)} lines)\n")
        print(rows)
        print()
        print(f"BLEU signature: {bleu_signature}")
        print(f"chrF signature: {chrf_signature}")
    print(f"\nCOMET: skipped: {comet_reason}" if comet_reason else "\nCOMET: scored")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
